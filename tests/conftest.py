"""Shared fixtures: one ``store`` fixture that runs a test on every store.

The Neo4j side talks to the real server that ``make test`` starts (scripts/neo4j.sh) or to
the one ``NEO4J_URI`` names. When neither is there the Neo4j tests fail with a message
saying what is missing; they are never skipped.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.settings import Settings
from graph.store import Store, open_store

STORE_KINDS = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]


def neo4j_test_settings() -> Settings:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.fail(
            "NEO4J_URI is not set: run the suite with `make test`, which starts the real Neo4j "
            "(scripts/neo4j.sh), or export NEO4J_URI and NEO4J_PASSWORD for a server of your own",
            pytrace=False,
        )
    return Settings(GONGZHI_STORE="neo4j")  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Settings]:
    """The test server's settings, held exclusively for this session.

    The tests clear the one database Community edition has, so two pytest runs against the
    same server would wipe each other's data: a lock file per server URI makes a second run
    wait until the first is done.
    """
    settings = neo4j_test_settings()
    digest = hashlib.sha256(settings.neo4j_uri.encode()).hexdigest()[:12]
    lock_path = Path(tempfile.gettempdir()) / f"gongzhi-neo4j-tests-{digest}.lock"
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"\nwaiting for another test run using {settings.neo4j_uri} ...", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield settings


@pytest.fixture(scope="session")
def _neo4j_store(neo4j_settings: Settings) -> Iterator[Store]:
    store = open_store(neo4j_settings)
    store.ping()
    store.apply_schema()
    yield store
    store.close()


def make_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    """An empty store of ``kind``; the Neo4j one is the shared server, cleared."""
    if kind == "neo4j":
        store: Store = request.getfixturevalue("_neo4j_store")
        store.clear()
        return store
    return open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp_path / "store"))  # type: ignore[call-arg]


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store; the test runs once per store kind."""
    s = make_store(request.param, tmp_path, request)
    yield s
    if s.kind == "embedded":
        s.close()


# ---------------------------------------------------------------- no personal value in any log line

#: Shapes of personal values: an 18-character ID number and a mainland mobile number.
PERSONAL_IN_LOG = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|1[3-9]\d{9})(?![0-9A-Za-z])")


class _LogLines(logging.Handler):
    """Every log record the whole suite emits in this process, formatted as it would be shown."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
        except Exception:  # a record that cannot be formatted is not what this looks for
            return
        self.lines.append((record.name, text))


_LOG_LINES = _LogLines()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(_LOG_LINES)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when any log line of the suite carries an ID number or a phone number (the
    generated data's personal values have these shapes): shown masked, by logger."""
    found = [(name, PERSONAL_IN_LOG.findall(text)) for name, text in _LOG_LINES.lines]
    found = [(name, hits) for name, hits in found if hits]
    if found:
        for name, hits in found[:20]:
            print(f"\npersonal value in a log line of {name}: {[h[:3] + '*' * (len(h) - 3) for h in hits]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

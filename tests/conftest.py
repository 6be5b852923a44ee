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


def _worker_server() -> None:
    """Under pytest-xdist, worker ``gwN`` talks to server ``N`` of the list `make test`
    exports (scripts/test-servers.sh starts one server per worker): the tests clear the
    database, so two workers on one server would wipe each other's data. Set here, before any
    setting is read, so that what the tests start (CLI processes, servers) inherits it too.
    With more workers than servers, workers share one, and the lock below takes turns."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    uris = [u for u in os.environ.get("GONGZHI_TEST_NEO4J_URIS", "").split(",") if u]
    if not worker.startswith("gw") or not uris:
        return
    n = int(worker[2:]) % len(uris)
    os.environ["NEO4J_URI"] = uris[n]
    passwords = os.environ.get("GONGZHI_TEST_NEO4J_PASSWORDS", "").split(",")
    if len(passwords) == len(uris):
        os.environ["NEO4J_PASSWORD"] = passwords[n]
    browsers = os.environ.get("GONGZHI_TEST_NEO4J_BROWSERS", "").split(",")
    if len(browsers) == len(uris):  # tests/browser/test_neo4j_browser.py opens the worker's own
        os.environ["NEO4J_BROWSER_URL"] = browsers[n]


_worker_server()


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


#: What the workers found (pytest-xdist: each worker sends its own when it ends).
_WORKERS_FOUND: list[tuple[str, list[str]]] = []


def _masked(hits: list[str]) -> list[str]:
    return [h[:3] + "*" * (len(h) - 3) for h in hits]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """(pytest-xdist, in the controller) a worker ended: keep what its log lines held, masked."""
    _WORKERS_FOUND.extend(tuple(x) for x in getattr(node, "workeroutput", {}).get("personal_in_logs", []))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when any log line of the suite carries an ID number or a phone number (the
    generated data's personal values have these shapes): shown masked, by logger. A worker
    hands what it found to the controller, which fails the run."""
    found = [(name, _masked(PERSONAL_IN_LOG.findall(text))) for name, text in _LOG_LINES.lines]
    found = [(name, hits) for name, hits in found if hits]
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports and fails
        workeroutput["personal_in_logs"] = found[:20]
        return
    found += _WORKERS_FOUND
    if found:
        for name, hits in found[:20]:
            print(f"\npersonal value in a log line of {name}: {hits}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

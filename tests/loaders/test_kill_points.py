"""A load killed at any point leaves the store as it was, on both stores; a rerun ends equal
to a clean load, with nothing duplicated.

``gongzhi load`` runs as a real process and is killed with SIGKILL at points spread over its
run (reading, validating, diffing, writing, and on the embedded store saving). What may be
seen afterwards is only the state before the load or the whole load, never a part of it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.records import Stats
from graph.settings import Settings
from graph.store import Store, open_store
from loaders.generate import generate
from loaders.load import load
from tests.store.neo4j_loads import settle

POINTS = 6


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kill") / "community"
    generate("community", 11, out)
    return out


def _settings(store: Store) -> Settings:
    if store.kind == "neo4j":
        return Settings(GONGZHI_STORE="neo4j")  # type: ignore[call-arg]
    return Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=store.data_dir)  # type: ignore[attr-defined,call-arg]


def _env(store: Store) -> dict[str, str]:
    env = {**os.environ, "GONGZHI_LANG": "en", "GONGZHI_STORE": store.kind}
    if store.kind == "embedded":
        env["GONGZHI_DATA_DIR"] = str(store.data_dir)  # type: ignore[attr-defined]
    return env


def _start(store: Store, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "load", str(path), "--json"],
        env=_env(store),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_killed_load_leaves_nothing_half_written(store: Store, community: Path) -> None:
    # the whole load, once, for its duration and its result
    started = time.monotonic()
    assert _start(store, community).wait(300) == 0
    duration = time.monotonic() - started
    with open_store(_settings(store), read_only=True) as s:
        whole = s.stats()
    store.clear()
    for point in range(1, POINTS + 1):
        process = _start(store, community)
        time.sleep(duration * point / (POINTS + 1))
        process.send_signal(signal.SIGKILL)
        process.wait(60)
        if store.kind == "neo4j":
            settle(_settings(store))  # its COMMIT may be landing still
        with open_store(_settings(store), read_only=True) as s:
            seen = s.stats()
        assert seen in (whole, Stats({}, {})), f"half a load after a kill at point {point}"
        with open_store(_settings(store)) as s:
            summary = load(s, community)
            assert s.stats() == whole
            assert summary.total.updated == 0 and summary.total.deleted == 0
            assert load(s, community).written == 0
            s.clear()

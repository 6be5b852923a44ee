"""Kills at timed points of a Neo4j load: of the loader process (20 points) and of the server (3).

``test_neo4j_chunks.py`` kills the loader once it has written three chunks and injects failures
into chunk *k*. Here the kills are timed instead, spread from before the first chunk to the
end of the load, so they land wherever the loader happens to be: reading and planning, writing
a chunk and its undo, the commit step, deleting the undo records afterwards. The server is
killed (SIGKILL, no clean shutdown) while chunks are written, at the last chunk and commit,
and while the undo records of a committed load are deleted.

After every kill, recovery must leave exactly one of two states, compared as full dumps (every
node and relationship, load and undo records included): the state before the load, or the
state a clean load gives (a load killed after its commit step is finished, not undone).
Neither half of it, nor a duplicate. A rerun must then end equal to the clean load.

The data is a community reloaded with updates, creations and deletions, in chunks of
``KILL_CHUNK`` items so the load is dozens of chunks; ``GZ_KILL_POINTS`` sets the number of
loader kills (default 20). ``GZ_KILL_SCALE=district GZ_KILL_CHUNK=5000`` runs the same kills on
a district (about 50 s a load here, so about half an hour for 20 points: not in the suite):
``GZ_KILL_SCALE=district GZ_KILL_CHUNK=5000 make test PYTEST_ARGS=tests/store/test_neo4j_kills.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from neo4j import GraphDatabase
from pydantic import SecretStr

from graph.neo4j_store import Neo4jStore
from graph.settings import Settings
from graph.store import Store
from loaders.generate import generate
from loaders.load import load
from tests.store.neo4j_loads import Dump, changed_copy, dump, raw

pytestmark = pytest.mark.neo4j

KILL_CHUNK = int(os.environ.get("GZ_KILL_CHUNK", "20"))
POINTS = int(os.environ.get("GZ_KILL_POINTS", "20"))
SCALE = os.environ.get("GZ_KILL_SCALE", "community")


@pytest.fixture(scope="module")
def original(community: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What is loaded first: the shared community, or a dataset of ``GZ_KILL_SCALE``."""
    if SCALE == "community":
        return community
    out = tmp_path_factory.mktemp("kills") / SCALE
    generate(SCALE, 11, out)
    return out


@pytest.fixture(scope="module")
def reloaded(original: Path, changed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``original`` with updates and deletions (``changed_copy``): the load that is killed."""
    if SCALE == "community":
        return changed
    return changed_copy(original, tmp_path_factory.mktemp("kills") / SCALE)
REPO = Path(__file__).resolve().parents[2]


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "GONGZHI_LANG": "en",
        "GONGZHI_STORE": "neo4j",
        "GONGZHI_WRITE_CHUNK": str(KILL_CHUNK),
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
    }


def _start_load(settings: Settings, files: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "load", str(files), "--source", "community", "--prune", "--yes"],
        env=_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _window(settings: Settings, store: Store, files: Path) -> tuple[float, float]:
    """One whole run of the load of ``files``: when its load record appeared (the first
    chunk), in seconds from the start of the process, and for how long it was there."""
    started = time.monotonic()
    process = _start_load(settings, files)
    first: float | None = None
    last = 0.0
    while process.poll() is None:
        if store.load_in_progress() is not None:
            last = time.monotonic() - started
            first = last if first is None else first
        # finely until the first chunk; then lightly, since reading the record slows the load
        time.sleep(0.003 if first is None else 0.05)
    assert process.returncode == 0 and first is not None, "the load did not run in chunks"
    return first, last - first


def _kill_at(settings: Settings, store: Store, files: Path, first: float, length: float, f: float) -> bool:
    """Start the load of ``files`` and SIGKILL it at ``f`` of its chunk phase (``f < 0``: that
    much before the first chunk, timed from the start of the process; otherwise timed from the
    moment its load record appears). Whether the process was still running when killed."""
    launched = time.monotonic()
    process = _start_load(settings, files)
    if f < 0:
        time.sleep(max(0.0, first + f * length - (time.monotonic() - launched)))
    else:
        while process.poll() is None and store.load_in_progress() is None:
            time.sleep(0.002)
        time.sleep(f * length)
    running = process.poll() is None
    process.kill()
    process.wait(60)
    return running


def _records(settings: Settings) -> list[dict[str, object]]:
    return raw(settings, "MATCH (n) WHERE n:GongzhiLoad OR n:GongzhiUndo RETURN labels(n) AS labels, n.id AS id")


@dataclass
class States:
    """The two states a load may leave once recovered: before it, and after a clean run."""

    before: Dump
    after: Dump

    def which(self, now: Dump) -> str:
        if now == self.before:
            return "before"
        if now == self.after:
            return "after"
        return "neither"


def _states(settings: Settings, store: Store, original: Path, reloaded: Path) -> States:
    """``original`` loaded (``before``) and a clean chunked reload of ``reloaded`` (``after``);
    the store is left at ``before``."""
    store.clear()
    load(store, original, source="community")
    before = dump(settings)
    with Neo4jStore(settings.with_(write_chunk=KILL_CHUNK)) as chunked:
        load(chunked, reloaded, source="community", prune=True)
    after = dump(settings)
    _reset(settings, store, original, before)
    return States(before, after)


def _reset(settings: Settings, store: Store, original: Path, before: Dump) -> None:
    store.clear()
    load(store, original, source="community")
    assert dump(settings) == before


def _watch(settings: Settings, store: Store, states: States, stop: threading.Event, seen: list[str]) -> None:
    """A reader during the load: each read between two looks at the load record. When neither
    look saw a load, the read must be one of the two whole states (what docs/architecture.md
    promises: partial chunks only while a load is reported in progress)."""
    while not stop.is_set():
        first = store.load_in_progress()
        now = dump(settings, records=False)
        last = store.load_in_progress()
        seen.append("reported" if first is not None or last is not None else states.which(now))


def test_the_loader_killed_at_timed_points_recovers_to_before_or_the_clean_load(
    _neo4j_store: Store, neo4j_settings: Settings, original: Path, reloaded: Path
) -> None:
    """The kills alternate between the reload (``before`` -> ``after``) and the load back
    (``after`` -> ``before``, which re-creates what the reload deleted); each point's rerun
    leaves the state the next point starts from. A reader watches the first, untimed reload:
    every read is either told a load is in progress or one whole state, as
    docs/architecture.md promises readers of a chunked load."""
    settings, store = neo4j_settings, _neo4j_store
    states = _states(settings, store, original, reloaded)
    runs = [(reloaded, states.before, states.after), (original, states.after, states.before)]
    windows: list[tuple[float, float]] = [(0.0, 0.0), (0.0, 0.0)]
    # The first pass warms the server up and has a reader watching the reload (``_watch``);
    # the second pass, on a warm server and unwatched, is the one timed.
    stop, seen = threading.Event(), []
    reader = threading.Thread(target=_watch, args=(settings, store, states, stop, seen), daemon=True)
    reader.start()
    try:
        windows[0] = _window(settings, store, reloaded)
    finally:
        stop.set()
        reader.join(120)
    assert "neither" not in seen, "a reader saw a partial state while no load was reported"
    assert "reported" in seen, "the reader never read during the load: the check above saw nothing"
    assert dump(settings) == states.after
    windows[1] = _window(settings, store, original)
    for k, (files, origin, target) in enumerate(runs):
        assert dump(settings) == origin
        windows[k] = _window(settings, store, files)
        assert dump(settings) == target
    assert dump(settings) == states.before
    outcomes: list[str] = []
    for i in range(POINTS):
        files, origin, target = runs[i % 2]
        first, length = windows[i % 2]
        # from before the first chunk (reading, planning) to past the last (commit, clean-up)
        f = -0.2 + 1.3 * (i // 2) / max((POINTS - 1) // 2, 1)
        killed = _kill_at(settings, store, files, first, length, f)
        status = store.load_in_progress()
        assert status is None or status.stale, f"point {i}: a killed load's record is not stale: {status}"
        store.recover()
        assert store.load_in_progress() is None and _records(settings) == []
        now = dump(settings)
        where = f"point {i} ({f:.2f} of the chunks, {'killed' if killed else 'ended'})"
        assert now in (origin, target), f"{where}: half a load, or a duplicate"
        outcomes.append(f"{'mid-load' if status is not None else 'killed' if killed else 'ended'}:"
                        f"{'undone' if now == origin else 'complete'}")
        load(store, files, source="community", prune=True)  # the rerun
        assert dump(settings) == target, f"{where}: the rerun differs from a clean load"
    print("kills:", outcomes)
    mid_load = [o for o in outcomes if o.startswith("mid-load")]
    # timing varies from run to run: at least a third inside the chunks, at least one undone
    assert len(mid_load) >= POINTS // 3, f"too few kills landed inside the load: {outcomes}"
    assert "mid-load:undone" in outcomes, outcomes


# ---------------------------------------------------------------- the server killed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A Neo4j server of this test's own (killing the suite's would break the other tests)."""

    home: Path
    env: dict[str, str]
    settings: Settings

    def script(self, command: str) -> None:
        subprocess.run(["bash", str(REPO / "scripts/neo4j.sh"), command], env=self.env, check=True, timeout=300)

    def kill(self) -> None:
        pid = int((self.home / "run/neo4j.pid").read_text().strip())
        os.kill(pid, signal.SIGKILL)
        for _ in range(600):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        raise AssertionError(f"the server (pid {pid}) outlived SIGKILL")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, neo4j_settings: Settings) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("neo4j-killed")
    bolt, http = _free_port(), _free_port()
    password = "kill-test-" + os.urandom(6).hex()
    env = {
        **os.environ,
        "GONGZHI_NEO4J_HOME": str(home),
        "NEO4J_BOLT_PORT": str(bolt),
        "NEO4J_HTTP_PORT": str(http),
        "NEO4J_PASSWORD": password,
        "NEO4J_HEAP": "1g",
    }
    settings = neo4j_settings.with_(neo4j_uri=f"bolt://127.0.0.1:{bolt}", neo4j_password=SecretStr(password))
    own = Server(home, env, settings)
    own.script("start")
    try:
        yield own
    finally:
        own.script("stop")


#: The load records as stored, a committed one (``done``, its undo records being deleted)
#: included: ``Store.load_in_progress`` reports only loads that hold the store.
LOAD_RECORDS = "MATCH (l:GongzhiLoad) RETURN l {.state, .chunks_done, .chunks_total} AS l"


def _load_records(settings: Settings) -> list[dict[str, Any]]:
    return [r["l"] for r in raw(settings, LOAD_RECORDS)]


def _until(settings: Settings, ready: Callable[[dict[str, Any]], bool], process: subprocess.Popen[bytes]) -> str:
    """Wait until the load's record satisfies ``ready``; its state then. One driver for the
    whole wait: a connection per look would slow it enough to miss the short clean-up step."""
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    deadline = time.monotonic() + 300
    with GraphDatabase.driver(settings.neo4j_uri, auth=auth) as driver:
        while time.monotonic() < deadline:
            records, _, _ = driver.execute_query(LOAD_RECORDS)
            found = [r["l"] for r in records if ready(r["l"])]
            if found:
                return str(found[0]["state"])
            assert process.poll() is None, "the load ended before the point to kill the server at"
            time.sleep(0.001)
    raise AssertionError("the load never reached the point to kill the server at")


#: Where the server is killed: while chunks are written, at the last chunk (its commit step
#: follows at once), and once committed, while the undo records are deleted.
SERVER_POINTS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "chunks": lambda r: r["state"] == "running" and r["chunks_done"] >= 3,
    "commit": lambda r: r["chunks_done"] >= r["chunks_total"] - 1,
    "cleanup": lambda r: r["state"] == "done",
}


def test_the_server_killed_at_three_points_recovers_to_before_or_the_clean_load(
    server: Server, original: Path, reloaded: Path
) -> None:
    settings = server.settings
    with Neo4jStore(settings) as store:
        store.apply_schema()
        states = _states(settings, store, original, reloaded)
    # The points alternate between the reload and the load back, as the loader's kills do,
    # so each point's rerun leaves the state the next one starts from.
    runs = [(reloaded, states.before, states.after), (original, states.after, states.before)]
    outcomes = {}
    for i, (point, ready) in enumerate(SERVER_POINTS.items()):
        files, origin, target = runs[i % 2]
        process = _start_load(settings, files)
        seen = _until(settings, ready, process)
        server.kill()
        try:
            process.wait(2)  # the loader may find its server gone and give up; else it is killed too
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(60)
        server.script("start")
        left = _load_records(settings)
        # none only if the load's last clean-up step won the race with the kill
        assert len(left) == 1 or (not left and seen == "done"), f"{point}: load records after the restart: {left}"
        recovered = subprocess.run(
            [sys.executable, "-m", "api.cli", "load", "--recover"],
            env=_env(settings), capture_output=True, text=True, timeout=300,
        )
        assert recovered.returncode == 0, recovered.stderr
        with Neo4jStore(settings) as store:
            assert store.load_in_progress() is None and _records(settings) == []
            now = dump(settings)
            assert now in (origin, target), f"{point}: half a load, or a duplicate, after the server was killed"
            if seen == "done":
                assert now == target, f"{point}: a committed load was undone"
            outcomes[point] = "undone" if now == origin else "complete"
            load(store, files, source="community", prune=True)  # the rerun
            assert dump(settings) == target, f"{point}: the rerun differs from a clean load"
    print("server kills:", outcomes)
    assert outcomes["chunks"] == "undone" and outcomes["cleanup"] == "complete", outcomes

"""Kills at points spread over a Neo4j load: of the loader process (20 points) and of the server (3).

``test_neo4j_chunks.py`` kills the loader once it has written three chunks and injects failures
into chunk *k*. Here the kills are spread from before the first chunk to the end of the load,
so they land wherever the loader happens to be: reading and planning, writing a chunk and its
undo, the commit step, deleting the undo records afterwards. Before the first chunk a kill is
timed (a fraction of the measured time to it); from the first chunk on it is placed by the
load's own progress as its record reports it, so a run slowed or sped up by what else the
machine does still lands inside the chunks. The server is killed (SIGKILL, no clean shutdown)
while chunks are written, at the last chunk and commit, and while the undo records of a
committed load are deleted.

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
from tests.store.neo4j_loads import Dump, changed_copy, dump, raw, settle

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
    chunk), in seconds from the start of the process, and for how long it was there
    (the kills before the first chunk are timed by the first)."""
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


def _first_chunk(settings: Settings, store: Store, files: Path) -> float:
    """How long the load of ``files`` takes to its first chunk, in seconds from the start of
    the process; the load is killed there and recovered, so the store is left as it was."""
    started = time.monotonic()
    process = _start_load(settings, files)
    assert _wait_for(settings, lambda r: True, process) is not None, "the load did not run in chunks"
    first = time.monotonic() - started
    process.kill()
    process.wait(60)
    settle(settings)  # a COMMIT it sent may still be landing
    store.recover()
    return first


def _kill_at(settings: Settings, files: Path, first: float, point: Point) -> bool:
    """Start the load of ``files`` and SIGKILL it at ``point``. Before the first chunk the
    point is a time (``point.before`` of ``first``, the measured start of the chunks); inside
    and after the chunks it is the load's own progress, as its record reports it, so a slower
    or faster run (another worker busy beside it) still lands where it is meant to. Whether
    the process was still running when killed."""
    launched = time.monotonic()
    process = _start_load(settings, files)
    if point.before is not None:
        time.sleep(max(0.0, point.before * first - (time.monotonic() - launched)))
    else:
        _wait_for(settings, point.ready, process)
    running = process.poll() is None
    process.kill()
    process.wait(60)
    settle(settings)  # a COMMIT it sent may still be landing
    return running


@dataclass(frozen=True)
class Point:
    """Where a loader kill lands: ``before`` (a fraction of the time to the first chunk), or
    the first moment the load's record satisfies ``ready``."""

    label: str
    before: float | None = None
    ready: Callable[[dict[str, Any]], bool] = lambda r: True


def _points(n: int) -> list[Point]:
    """``n`` points from reading and planning, through the chunks, to the commit and the
    deletion of the undo records: a sixth before the first chunk, a sixth after the commit,
    the rest spread over the chunks."""
    edge = max(1, n // 6)
    inside = max(1, n - 2 * edge)
    points = [Point(f"before {k + 1}/{edge + 1}", before=(k + 1) / (edge + 1)) for k in range(edge)]
    for k in range(inside):
        f = k / inside
        points.append(Point(f"chunks {f:.2f}", ready=lambda r, f=f: r["state"] == "running"
                            and r["chunks_done"] >= f * r["chunks_total"]))
    points += [Point("clean-up", ready=lambda r: r["state"] == "done")] * (n - len(points))
    return points


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


def test_the_loader_killed_at_points_through_the_load_recovers_to_before_or_the_clean_load(
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
    # The reload is watched by a reader (``_watch``); then both directions are timed to their
    # first chunk, which times the kills before it (a kill that lands later is undone all the same).
    stop, seen = threading.Event(), []
    reader = threading.Thread(target=_watch, args=(settings, store, states, stop, seen), daemon=True)
    reader.start()
    try:
        _window(settings, store, reloaded)
    finally:
        stop.set()
        reader.join(120)
    assert "neither" not in seen, "a reader saw a partial state while no load was reported"
    assert "reported" in seen, "the reader never read during the load: the check above saw nothing"
    assert dump(settings) == states.after
    # the watched run's first chunk came late (the reader slows it): time both unwatched
    firsts = [0.0, _window(settings, store, original)[0]]
    assert dump(settings) == states.before
    firsts[0] = _first_chunk(settings, store, reloaded)
    assert dump(settings) == states.before
    outcomes: list[str] = []
    for i, point in enumerate(_points(POINTS)):
        files, origin, target = runs[i % 2]
        killed = _kill_at(settings, files, firsts[i % 2], point)
        status = store.load_in_progress()
        assert status is None or status.stale, f"point {i}: a killed load's record is not stale: {status}"
        store.recover()
        assert store.load_in_progress() is None and _records(settings) == []
        now = dump(settings)
        where = f"point {i} ({point.label}, {'killed' if killed else 'ended'})"
        assert now in (origin, target), f"{where}: half a load, or a duplicate"
        outcomes.append(f"{point.label}: {'mid-load' if status is not None else 'killed' if killed else 'ended'}:"
                        f"{'undone' if now == origin else 'complete'}")
        load(store, files, source="community", prune=True)  # the rerun
        assert dump(settings) == target, f"{where}: the rerun differs from a clean load"
    print("kills:", outcomes)
    mid_load = [o for o in outcomes if o.startswith("chunks") and ": mid-load:undone" in o]
    # the kills inside the chunks are placed by the load's progress, so all but a rare one
    # (the last chunk's commit winning the race with the kill) must land inside and be undone
    assert len(mid_load) >= len([o for o in outcomes if o.startswith("chunks")]) - 2, outcomes
    assert any(o.startswith("before") and o.endswith(":undone") for o in outcomes), outcomes
    assert any(o.startswith("clean-up") and o.endswith(":complete") for o in outcomes), outcomes


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


def _wait_for(settings: Settings, ready: Callable[[dict[str, Any]], bool],
              process: subprocess.Popen[bytes]) -> str | None:
    """Wait until the load's record satisfies ``ready``; its state then, or None if the load
    ended first. One driver for the whole wait: a connection per look would slow it enough to
    miss the short clean-up step."""
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    deadline = time.monotonic() + 300
    with GraphDatabase.driver(settings.neo4j_uri, auth=auth) as driver:
        while time.monotonic() < deadline:
            records, _, _ = driver.execute_query(LOAD_RECORDS)
            found = [r["l"] for r in records if ready(r["l"])]
            if found:
                return str(found[0]["state"])
            if process.poll() is not None:
                return None
            time.sleep(0.001)
    raise AssertionError("the load never reached the point to kill it at")


def _until(settings: Settings, ready: Callable[[dict[str, Any]], bool], process: subprocess.Popen[bytes]) -> str:
    """``_wait_for`` where the load must still be running at the point."""
    seen = _wait_for(settings, ready, process)
    assert seen is not None, "the load ended before the point to kill the server at"
    return seen


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

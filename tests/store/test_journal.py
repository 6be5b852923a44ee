"""The embedded store's journal: writes cost what they change, and stay all or nothing.

Every state is checked against a reference: the same batches applied, one by one, to a store
of its own, whose whole graph after each version is kept (``reference``). Kills are real
SIGKILLs of a writer process (``tests.store.journal_child``), at exact points of the write
path and at timed moments.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from graph import embedded, journal, snapshot
from graph.embedded import EmbeddedStore
from graph.errors import StoreConflict, StoreCorrupt, StoreError
from tests.store.journal_child import POINTS, base, step

ROOT = Path(__file__).resolve().parents[2]
STEPS = 40


def dump(store: EmbeddedStore) -> tuple[dict[str, Any], dict[Any, Any]]:
    """The whole graph: every node's attributes, every edge's ends, key and attributes."""
    return versioned_dump(store)[1]


def versioned_dump(store: EmbeddedStore) -> tuple[int, tuple[dict[str, Any], dict[Any, Any]]]:
    """The version and the whole graph, read at once (under one read lock)."""
    with store._reader() as g:
        nodes = {n: dict(a) for n, a in g.nx.nodes(data=True)}
        edges = {(u, v, k): dict(a) for u, v, k, a in g.nx.edges(keys=True, data=True)}
        return store._version, (nodes, edges)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[dict[str, Any], dict[Any, Any]]]:
    """The graph at each version 1 .. STEPS + 1 (base, then ``step(1)`` ...)."""
    store = EmbeddedStore(tmp_path_factory.mktemp("reference"))
    states = {}
    for batch in [base(), *(step(k) for k in range(1, STEPS + 1))]:
        version = store.write(batch)
        states[version] = dump(store)
    return states


def _based(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    assert store.write(base()) == 1
    return store


def _snapshot_version(path: Path) -> int:
    blob = (path / embedded.SNAPSHOT).read_bytes()
    data = journal.safe_loads(blob[len(snapshot.MAGIC) + 32 :])
    version: int = data["version"]
    return version


def _frame_starts(path: Path) -> list[int]:
    return [0, *(e.end for e in journal.read(path / journal.JOURNAL).entries)]


def _child(data_dir: Path, writes: int, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.store.journal_child", str(data_dir), str(writes), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_journal_replay_equals_the_state(tmp_path: Path, reference: dict[int, Any]) -> None:
    store = _based(tmp_path)
    for k in range(1, 11):
        assert store.write(step(k)) == k + 1
    assert _snapshot_version(tmp_path) == 1  # the ten writes are in the journal only
    assert len(journal.read(tmp_path / journal.JOURNAL).entries) == 10
    assert dump(store) == reference[11]
    reopened = EmbeddedStore(tmp_path, read_only=True)
    assert reopened.version() == 11
    assert dump(reopened) == reference[11]


def test_a_small_write_leaves_the_snapshot_alone(tmp_path: Path) -> None:
    store = _based(tmp_path)
    before = (tmp_path / embedded.SNAPSHOT).stat()
    store.write(step(1))
    after = (tmp_path / embedded.SNAPSHOT).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_torn_last_frame_is_dropped_at_every_byte(tmp_path: Path, reference: dict[int, Any]) -> None:
    store = _based(tmp_path)
    store.write(step(1))
    store.write(step(2))
    path = tmp_path / journal.JOURNAL
    whole = path.read_bytes()
    last = _frame_starts(tmp_path)[-2]
    assert 0 < last < len(whole)
    for cut in range(last, len(whole)):
        path.write_bytes(whole[:cut])
        reader = EmbeddedStore(tmp_path, read_only=True)
        assert reader.version() == 2, cut
        assert dump(reader) == reference[2], cut
        assert path.stat().st_size == cut  # a reader never changes the files
        writer = EmbeddedStore(tmp_path)
        assert writer.write(step(2)) == 3, cut  # the torn tail is cut off before the append
        assert journal.read(path).end == path.stat().st_size
        assert dump(EmbeddedStore(tmp_path, read_only=True)) == reference[3], cut


def test_a_damaged_last_frame_is_dropped(tmp_path: Path, reference: dict[int, Any]) -> None:
    store = _based(tmp_path)
    store.write(step(1))
    store.write(step(2))
    path = tmp_path / journal.JOURNAL
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0xFF
    path.write_bytes(bytes(blob))
    assert EmbeddedStore(tmp_path, read_only=True).version() == 2


@pytest.mark.parametrize("where", ["payload", "length", "magic"])
def test_damage_in_the_middle_is_reported_not_half_read(tmp_path: Path, where: str) -> None:
    store = _based(tmp_path)
    for k in range(1, 4):
        store.write(step(k))
    path = tmp_path / journal.JOURNAL
    second = _frame_starts(tmp_path)[1]
    offset = {"payload": second + 60, "length": second + 9, "magic": second}[where]
    blob = bytearray(path.read_bytes())
    blob[offset] ^= 0x55
    path.write_bytes(bytes(blob))
    with pytest.raises(StoreCorrupt, match=f"damaged at byte {second}"):
        EmbeddedStore(tmp_path, read_only=True)
    with pytest.raises(StoreCorrupt):
        EmbeddedStore(tmp_path).write(step(4))
    assert path.read_bytes() == bytes(blob)  # nothing was cut off or appended


def test_a_frame_cannot_smuggle_code(tmp_path: Path) -> None:
    _based(tmp_path)
    payload = pickle.dumps({"version": 2, "batch": {"nodes": [], "x": os.system}})
    frame = journal.FRAME_MAGIC + len(payload).to_bytes(8, "big") + hashlib.sha256(payload).digest() + payload
    (tmp_path / journal.JOURNAL).write_bytes(frame)
    with pytest.raises(StoreCorrupt, match="not allowed"):
        EmbeddedStore(tmp_path, read_only=True)


def test_a_journal_that_does_not_continue_the_snapshot_is_reported(tmp_path: Path) -> None:
    _based(tmp_path)
    (tmp_path / journal.JOURNAL).write_bytes(journal.encode(3, step(2)))  # version 2 is missing
    with pytest.raises(StoreCorrupt, match="does not continue"):
        EmbeddedStore(tmp_path, read_only=True)


def test_compaction_keeps_versions_continuous_and_reopens_equal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[int, Any]
) -> None:
    monkeypatch.setattr(embedded, "COMPACT_MIN_BYTES", 2000)
    store = _based(tmp_path)
    snapshot_versions = set()
    for k in range(1, STEPS + 1):
        assert store.write(step(k), expect_version=k) == k + 1
        snapshot_versions.add(_snapshot_version(tmp_path))
        size = (tmp_path / journal.JOURNAL).stat().st_size
        assert size <= max(2000, embedded.COMPACT_RATIO * (tmp_path / embedded.SNAPSHOT).stat().st_size)
        assert dump(EmbeddedStore(tmp_path, read_only=True)) == reference[k + 1]
    assert len(snapshot_versions) >= 3  # it did compact, more than once
    reopened = EmbeddedStore(tmp_path)
    assert reopened.version() == STEPS + 1
    assert dump(reopened) == reference[STEPS + 1]
    with pytest.raises(StoreConflict):
        reopened.write(step(STEPS + 1), expect_version=STEPS)


def test_the_frame_count_bounds_the_journal_across_handles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[int, Any]
) -> None:
    monkeypatch.setattr(embedded, "COMPACT_MIN_FRAMES", 5)
    monkeypatch.setattr(embedded, "COMPACT_FRAMES_PER_ITEM", 0.0)
    monkeypatch.setattr(embedded, "COMPACT_MIN_BYTES", 1 << 30)
    one = _based(tmp_path)
    two = EmbeddedStore(tmp_path)
    counts = []
    for k in range(1, 16):
        store = one if k % 3 else two  # the other handle counts the frames it caught up with
        assert store.write(step(k)) == k + 1
        counts.append(len(journal.read(tmp_path / journal.JOURNAL).entries))
    assert max(counts) == 5 and 0 in counts
    assert dump(EmbeddedStore(tmp_path, read_only=True)) == reference[16]


def test_clear_goes_on_counting(tmp_path: Path) -> None:
    store = _based(tmp_path)
    store.write(step(1))
    store.clear()
    assert store.version() == 3
    again = EmbeddedStore(tmp_path, read_only=True)
    assert (again.version(), again.stats().labels) == (3, {})
    assert journal.read(tmp_path / journal.JOURNAL).entries == []


def test_a_failed_append_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[int, Any]
) -> None:
    store = _based(tmp_path)
    store.write(step(1))
    size = (tmp_path / journal.JOURNAL).stat().st_size

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StoreError, match="cannot write"):
        store.write(step(2))
    monkeypatch.undo()
    assert (tmp_path / journal.JOURNAL).stat().st_size == size
    assert dump(store) == reference[2]  # rolled back in memory too
    assert store.version() == 2
    assert dump(EmbeddedStore(tmp_path, read_only=True)) == reference[2]
    assert store.write(step(2)) == 3


def test_a_reader_applies_another_processes_frames_without_rereading_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[int, Any]
) -> None:
    _based(tmp_path)
    reader = EmbeddedStore(tmp_path, read_only=True)
    assert reader.version() == 1
    loads: list[int] = []
    real = reader._load_snapshot

    def counted() -> None:
        loads.append(1)
        real()

    monkeypatch.setattr(reader, "_load_snapshot", counted)
    done = _child(tmp_path, 3)
    assert done.returncode == 0, done.stderr
    assert reader.version() == 4
    assert dump(reader) == reference[4]
    assert loads == []
    # a compaction in the other process: now the snapshot is read again
    done = _child(tmp_path, 6, "--compact-min", "1")
    assert done.returncode == 0, done.stderr
    assert _snapshot_version(tmp_path) > 4
    assert reader.version() == 10
    assert dump(reader) == reference[10]
    assert loads


def _check_after_kill(
    tmp_path: Path, done: subprocess.CompletedProcess[str], reference: dict[int, Any]
) -> int:
    """The store holds the last committed write or the one in progress, whole; return its version."""
    committed = [int(line) for line in done.stdout.split()]
    last = committed[-1] if committed else 1
    seen = EmbeddedStore(tmp_path, read_only=True)
    version = seen.version()
    assert version in (last, last + 1), (committed, version)
    assert dump(seen) == reference[version]
    return version


@pytest.mark.parametrize("point", POINTS)
def test_a_kill_at_each_point_leaves_a_whole_state(
    tmp_path: Path, point: str, reference: dict[int, Any]
) -> None:
    _based(tmp_path)
    # compactions every third write, each with two frames in the journal (a frame is ~340 bytes)
    compact = [] if point.startswith("frame") else ["--compact-min", "1000"]
    done = _child(tmp_path, 12, "--kill-at", f"{point}:3", *compact)
    assert done.returncode == -signal.SIGKILL, done.stderr  # the point was reached
    version = _check_after_kill(tmp_path, done, reference)
    # the next writer goes on from there: torn tail cut, stale temporaries removed, no gap
    after = _child(tmp_path, 3, *compact)
    assert after.returncode == 0, after.stderr
    assert [int(v) for v in after.stdout.split()] == [version + 1, version + 2, version + 3]
    assert dump(EmbeddedStore(tmp_path, read_only=True)) == reference[version + 3]
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_timed_kills_during_appends_and_compactions(tmp_path: Path, reference: dict[int, Any]) -> None:
    data = tmp_path / "store"
    _based(data)
    rng = random.Random(12)
    for _ in range(6):
        version = EmbeddedStore(data, read_only=True).version()
        if version + 8 > STEPS:
            break
        with open(tmp_path / "stderr", "w+") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.store.journal_child", str(data), "8", "--compact-min", "3000"],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
            assert process.stdout is not None
            first = process.stdout.readline()  # it started writing
            time.sleep(rng.uniform(0, 0.05))
            process.send_signal(signal.SIGKILL)
            rest = process.stdout.read()  # through the same buffer as the first line
            process.wait(60)
            err.seek(0)
            done = subprocess.CompletedProcess(process.args, process.returncode, first + rest, err.read())
        assert first, done.stderr
        _check_after_kill(data, done, reference)


def test_a_reader_polling_during_appends_and_compactions_sees_only_whole_versions(
    tmp_path: Path, reference: dict[int, Any]
) -> None:
    _based(tmp_path)
    reader = EmbeddedStore(tmp_path, read_only=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.store.journal_child", str(tmp_path), "30", "--compact-min", "1000"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen = []
    while process.poll() is None:
        version, state = versioned_dump(reader)
        assert state == reference[version]
        seen.append(version)
    assert process.returncode == 0
    assert seen == sorted(seen)
    assert reader.version() == 31 and dump(reader) == reference[31]
    assert len(set(seen)) > 3  # it did read while the writer wrote

"""What only the embedded store promises: persistence, atomic saves, one writer and many readers."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
from pathlib import Path

import pytest

from graph import embedded, snapshot
from graph.embedded import EmbeddedStore
from graph.errors import StoreBusy, StoreCorrupt, StoreError
from graph.records import WriteBatch
from tests.store.test_conformance import place, small_batch


def test_persists_across_reopen(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path).write(small_batch())
    again = EmbeddedStore(tmp_path)
    assert again.stats().labels["Building"] == 2
    assert again.fetch_rels("PART_OF", "Building", ["B1"])


def test_crash_during_save_keeps_previous_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "COMPACT_MIN_BYTES", 0)  # every write compacts: a snapshot save
    monkeypatch.setattr(embedded, "COMPACT_RATIO", 0.0)
    store = EmbeddedStore(tmp_path)
    store.write(small_batch())
    before = store.stats()
    snapshot = (tmp_path / embedded.SNAPSHOT).read_bytes()

    def boom(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(embedded.os, "replace", boom)
    with pytest.raises(StoreError, match="cannot save"):
        store.write(WriteBatch(nodes=[place("Building", "B7")]))
    monkeypatch.undo()
    assert (tmp_path / embedded.SNAPSHOT).read_bytes() == snapshot
    assert store.stats() == before  # in memory rolled back too
    assert EmbeddedStore(tmp_path).stats() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_truncated_snapshot_is_reported_not_half_read(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path).write(small_batch())
    path = tmp_path / embedded.SNAPSHOT
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(StoreCorrupt, match="checksum"):
        EmbeddedStore(tmp_path)


def test_snapshot_cannot_smuggle_code(tmp_path: Path) -> None:
    import hashlib

    payload = pickle.dumps({"nodes": {}, "edges": [], "x": os.system})
    (tmp_path / embedded.SNAPSHOT).write_bytes(snapshot.MAGIC + hashlib.sha256(payload).digest() + payload)
    with pytest.raises(StoreCorrupt, match="not allowed"):
        EmbeddedStore(tmp_path)


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="read-only"):
        EmbeddedStore(tmp_path, read_only=True).write(small_batch())


def test_reader_sees_another_writers_changes(tmp_path: Path) -> None:
    reader = EmbeddedStore(tmp_path, read_only=True)
    assert reader.stats().labels == {}
    EmbeddedStore(tmp_path).write(small_batch())
    assert reader.stats().labels["Building"] == 2


def _hold_lock(data_dir: str, ready: mp.synchronize.Event, release: mp.synchronize.Event) -> None:
    store = EmbeddedStore(Path(data_dir))
    with store._writer():
        ready.set()
        release.wait(30)


def test_second_writer_process_is_told_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = mp.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    proc.start()
    try:
        assert ready.wait(30)
        monkeypatch.setattr(embedded, "WRITER_WAIT_SECONDS", 0.2)
        with pytest.raises(StoreBusy):
            EmbeddedStore(tmp_path).write(small_batch())
    finally:
        release.set()
        proc.join(30)
    EmbeddedStore(tmp_path).write(small_batch())  # free again


def _write_many(data_dir: str, rounds: int) -> None:
    store = EmbeddedStore(Path(data_dir))
    for i in range(rounds):
        store.write(WriteBatch(nodes=[place("Building", f"X{i}")]))


def test_concurrent_reader_never_sees_a_broken_snapshot(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path).write(small_batch())
    ctx = mp.get_context("fork")
    writer = ctx.Process(target=_write_many, args=(str(tmp_path), 40))
    writer.start()
    reader = EmbeddedStore(tmp_path, read_only=True)
    seen = []
    while writer.is_alive():
        seen.append(reader.stats().labels["Building"])
    writer.join()
    assert seen == sorted(seen)  # counts only grow: every read saw a whole snapshot
    assert reader.stats().labels["Building"] == 42


def test_a_killed_save_leaves_no_temporary_file_after_the_next_write(tmp_path: Path) -> None:
    """A save killed between its temporary file and the rename leaves the file behind; the
    next writer (under the lock, so no save is running) removes it."""
    from graph.records import NodeRecord, WriteBatch

    store = EmbeddedStore(tmp_path)
    store.write(WriteBatch(nodes=[NodeRecord("City", ("City", "Place"), "C-1", {"id": "C-1", "name": "x"})]))
    stale = tmp_path / ".graph.snapshot.99999.tmp"
    stale.write_bytes(b"half a snapshot")
    assert EmbeddedStore(tmp_path).stats().labels["City"] == 1  # readers do not touch it
    assert stale.exists()
    store.write(WriteBatch(nodes=[NodeRecord("City", ("City", "Place"), "C-2", {"id": "C-2", "name": "y"})]))
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.journal", "graph.snapshot", "writer.lock"]

"""The embedded store's journal: an append-only file of committed write batches.

Why: rewriting the whole snapshot on every write made one small mutation cost as much as
saving the city, and made every reader process re-read all of it. With the journal a write
costs what it changes: the batch is appended as one frame and fsynced; readers read the
frames they have not seen. ``graph.embedded`` folds the journal into a new snapshot when it
has grown large relative to it (compaction).

A frame is ``FRAME_MAGIC``, the payload's length (8 bytes, big-endian), the payload's
SHA-256, then the payload: a pickle of ``{"version": n, "batch": ...}`` holding only plain
containers, strings, numbers, ``None`` and ``datetime.date``, read back through the same
restricted unpickler as the snapshot, so a tampered file cannot run code. The version is
the store's version once the batch is applied: the snapshot's version + 1 for the first
frame that follows it, one more for each next frame.

What reading makes of damage: a last frame that is incomplete or fails its checksum, with
nothing valid after it, is an append that was killed (or never fsynced) and is dropped: it
was never committed, since ``write`` returns only after the fsync. The next writer
truncates it under the writer lock before it appends. A damaged frame that a valid frame
follows is damage in the middle, committed data lost: ``StoreCorrupt``, never half-read.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import struct
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from graph.errors import StoreCorrupt, StoreError
from graph.records import NodeRecord, RelRecord, WriteBatch

JOURNAL = "graph.journal"
FRAME_MAGIC = b"GZJ\x01"
_HEAD = struct.Struct(">4sQ32s")  # magic, payload length, SHA-256 of the payload


class SafeUnpickler(pickle.Unpickler):
    """Admits plain containers and ``datetime.date`` only: a tampered file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("datetime", "date"):
            return date
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a snapshot")


def safe_loads(payload: bytes) -> Any:
    return SafeUnpickler(io.BytesIO(payload)).load()


# ------------------------------------------------------------------ batches as plain data


def _node(rec: NodeRecord) -> tuple[str, tuple[str, ...], str, dict[str, Any]]:
    return (rec.label, tuple(rec.labels), rec.id, rec.props)


def _rel(rec: RelRecord) -> tuple[str, str, str, str, str, str, dict[str, Any]]:
    return (rec.type, rec.key, rec.from_label, rec.from_id, rec.to_label, rec.to_id, rec.props)


def batch_to_plain(batch: WriteBatch) -> dict[str, list[Any]]:
    """The batch as plain containers (dataclasses would need the unpickler to admit them)."""
    return {
        "nodes": [_node(n) for n in batch.nodes],
        "rels": [_rel(r) for r in batch.rels],
        "delete_nodes": [tuple(d) for d in batch.delete_nodes],
        "delete_rels": [tuple(d) for d in batch.delete_rels],
        "new_nodes": [_node(n) for n in batch.new_nodes],
        "new_rels": [_rel(r) for r in batch.new_rels],
    }


def batch_from_plain(data: Any) -> WriteBatch:
    """The inverse of ``batch_to_plain``; a malformed one is ``ValueError`` (the caller names the file)."""
    try:
        return WriteBatch(
            nodes=[NodeRecord(a, tuple(b), c, dict(d)) for a, b, c, d in data["nodes"]],
            rels=[_rel_from(r) for r in data["rels"]],
            delete_nodes=[(a, b) for a, b in data["delete_nodes"]],
            delete_rels=[(a, b) for a, b in data["delete_rels"]],
            new_nodes=[NodeRecord(a, tuple(b), c, dict(d)) for a, b, c, d in data["new_nodes"]],
            new_rels=[_rel_from(r) for r in data["new_rels"]],
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"not a write batch: {exc}") from None


def _rel_from(r: Any) -> RelRecord:
    rel_type, key, from_label, from_id, to_label, to_id, props = r
    return RelRecord(rel_type, key, from_label, from_id, to_label, to_id, dict(props))


# ------------------------------------------------------------------ frames


def encode(version: int, batch: WriteBatch) -> bytes:
    """One frame: the batch that brings the store to ``version``."""
    payload = pickle.dumps(
        {"version": version, "batch": batch_to_plain(batch)}, protocol=pickle.HIGHEST_PROTOCOL
    )
    return _HEAD.pack(FRAME_MAGIC, len(payload), hashlib.sha256(payload).digest()) + payload


@dataclass
class Entry:
    version: int
    batch: WriteBatch
    end: int  # file offset just past this frame


@dataclass
class Scan:
    """What one read of the journal found from an offset on."""

    ino: int | None  # the file read (None: there is none)
    entries: list[Entry]
    end: int  # offset just past the last whole, valid frame: where the next append goes
    size: int  # the file's size when read; more than ``end`` means a torn tail was dropped


def _frame_at(blob: bytes, pos: int) -> tuple[bytes, int] | None:
    """(payload, end) of a whole frame with a valid checksum at ``pos``, else None."""
    if len(blob) - pos < _HEAD.size:
        return None
    magic, length, digest = _HEAD.unpack_from(blob, pos)
    start = pos + _HEAD.size
    if magic != FRAME_MAGIC or length > len(blob) - start:
        return None
    payload = blob[start : start + length]
    if hashlib.sha256(payload).digest() != digest:
        return None
    return payload, start + length


def _valid_frame_after(blob: bytes, pos: int) -> int | None:
    """The offset of a valid frame somewhere after ``pos``, if any: the tell of middle damage."""
    at = blob.find(FRAME_MAGIC, pos + 1)
    while at != -1:
        if _frame_at(blob, at) is not None:
            return at
        at = blob.find(FRAME_MAGIC, at + 1)
    return None


def read(path: Path, offset: int = 0) -> Scan:
    """The whole, valid frames of the journal from ``offset`` (a frame boundary) on."""
    try:
        with open(path, "rb") as f:
            ino = os.fstat(f.fileno()).st_ino
            f.seek(offset)
            blob = f.read()
    except FileNotFoundError:
        return Scan(None, [], 0, 0)
    except OSError as exc:
        raise StoreError(f"cannot read the embedded store's journal {path}: {exc.strerror}") from None
    entries: list[Entry] = []
    pos = 0
    while pos < len(blob):
        frame = _frame_at(blob, pos)
        if frame is None:
            later = _valid_frame_after(blob, pos)
            if later is not None:
                raise StoreCorrupt(
                    f"{path} is damaged at byte {offset + pos} (a whole frame follows at byte {offset + later}): "
                    "committed writes are missing; restore the data directory from a backup"
                )
            break  # a torn tail: an append that never completed
        payload, end = frame
        try:
            data = safe_loads(payload)
            version = data["version"]
            if not isinstance(version, int):
                raise ValueError("version is not a number")
            batch = batch_from_plain(data["batch"])
        except (pickle.UnpicklingError, KeyError, EOFError, TypeError, ValueError) as exc:
            raise StoreCorrupt(f"{path}: the frame at byte {offset + pos} cannot be decoded: {exc}") from None
        if entries and version != entries[-1].version + 1:
            raise StoreCorrupt(
                f"{path}: the frame at byte {offset + pos} has version {version} after {entries[-1].version}"
            )
        entries.append(Entry(version, batch, offset + end))
        pos = end
    return Scan(ino, entries, offset + pos, offset + len(blob))


def append(path: Path, frame: bytes, at: int) -> tuple[int, int]:
    """Write ``frame`` at offset ``at`` (the end of the last valid frame: a torn tail after it is
    cut off first) and fsync; (inode, new end). The caller holds the writer lock. On failure
    the file is cut back to ``at`` where possible (else the next reader drops the torn tail)."""
    created = not path.exists()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreError(f"cannot write the embedded store's journal {path}: {exc.strerror}") from None
    try:
        size = os.fstat(fd).st_size
        if size < at:
            raise StoreCorrupt(f"{path} is shorter ({size} bytes) than its committed frames ({at} bytes)")
        try:
            if size != at:
                os.ftruncate(fd, at)
            view = memoryview(frame)
            done = 0
            while done < len(view):
                done += os.pwrite(fd, view[done:], at + done)
            os.fsync(fd)
            if created:
                fsync_dir(path.parent)
            return os.fstat(fd).st_ino, at + len(frame)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, at)
            raise StoreError(f"cannot write the embedded store's journal {path}: {exc.strerror}") from None
    finally:
        os.close(fd)


def reset(path: Path) -> None:
    """Replace the journal by an empty one, atomically (temporary file, fsync, rename), after a
    compaction: readers see a new inode and read it from its start."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot reset the embedded store's journal {path}: {exc.strerror}") from None


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

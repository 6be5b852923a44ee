"""The embedded store: the whole graph in-process on networkx, persisted to a data directory.

This is the default store and a product feature: an organizer with a laptop and no server
gets the same answers as a Neo4j deployment (the conformance and differential tests hold the
two to that). Design:

* One ``networkx.MultiDiGraph``. A node is keyed by its id; its attribute dict holds the
  properties plus ``_labels`` (a sorted tuple). An edge is keyed by ``(type, rest)``, its
  ``_key`` without the two ends the adjacency already names (two relationships of different
  types may share ends and key); its attribute dict holds the properties (``_source``
  included) without ``_key``, which the reads that return it put back. Relationships with
  no properties of their own share their attribute and key dicts (``graph/compact.py``), so
  a write never changes one of those dicts in place: it replaces them (``_put_edge``).
  Indexes by label and by (type, key) are kept beside the graph.
* ``write`` applies a whole ``WriteBatch`` with an undo log and then commits it; if anything
  fails (a missing endpoint, a full disk) the undo log restores the graph, so a batch is
  all or nothing, in memory and on disk.
* A commit costs what the batch changes: the batch is appended to ``graph.journal`` as one
  frame (length, SHA-256, payload; ``graph/journal.py``) and fsynced before ``write``
  returns. The frame's sequence number is the store's version (``Store.version``). Readers
  in other processes notice a change by ``stat`` and read only the frames after the last
  one they applied.
* Compaction: when the journal would outgrow ``COMPACT_RATIO`` of the snapshot (at least
  ``COMPACT_MIN_BYTES``) or hold ``COMPACT_FRAMES_PER_ITEM`` frames per node + relationship
  (at least ``COMPACT_MIN_FRAMES``), when there is no snapshot yet, or for a large batch (a
  load), the writer writes the whole graph as a new ``graph.snapshot`` (``graph/snapshot.py``)
  instead: a temporary file in the same directory, flushed and fsynced, renamed over the old one (the commit point; the
  directory fsynced), then the journal is replaced by an empty one the same way. A kill
  before the rename leaves the old snapshot and journal; a kill after it leaves frames at or
  below the new snapshot's version, which reading skips. Readers re-read the snapshot only
  when it changed. The snapshot carries its version and a SHA-256 of its payload, checked
  on load, so a damaged file is reported (``StoreCorrupt``), never half-read.
* The journal's last frame, if incomplete or failing its checksum with nothing valid after
  it, is an append that was killed: it was never committed, reading drops it and the next
  writer cuts it off under the lock. Damage with a whole frame after it, or frames that do
  not continue the snapshot's version, is ``StoreCorrupt``.
* One writer, many readers: writers serialise on an exclusive ``flock`` of
  ``data_dir/writer.lock`` (another process gets ``StoreBusy`` after a short wait);
  readers never lock the file (a rename is atomic, a frame is applied only once whole and
  checksummed) and catch up when the files changed. Within a process a readers-writer lock
  keeps readers from seeing a batch half-applied.
* The snapshot and the frames are pickles read through an unpickler that admits only plain
  containers and ``datetime.date``, so a tampered file cannot run code.
* A writer compares the version it planned on (``expect_version``) with the store's, under
  the writer lock and after catching up with what other processes committed: a plan made on
  an older state is refused (``StoreConflict``).
* A save killed between writing its temporary file and renaming it leaves that file behind;
  the next writer removes such files (``.graph.snapshot.<pid>.tmp``, ``.graph.journal.<pid>.tmp``).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx

from graph import journal, snapshot
from graph.compact import EdgeShare, NxKey, RelIndex, build, edge_key, full_key
from graph.declare import KEY_PROPERTY, SOURCE_PROPERTY
from graph.errors import StoreBusy, StoreConflict, StoreCorrupt, StoreError
from graph.model import NODE_KINDS
from graph.provenance import STORED_META
from graph.query import Query, Row
from graph.records import Degrees, Stats, StoredNode, StoredRel, WriteBatch
from graph.select import Scope, Select, SelectResult
from graph.snapshot import SNAPSHOT
from graph.store import Store
from graph.turns import checkpoint

LOCK = "writer.lock"
#: The stamp of the derived declarations the stored derived values follow (graph/derived.py).
DERIVATION = "derived.stamp"
LABELS = "_labels"
WRITER_WAIT_SECONDS = 10.0
#: A compaction rewrites the snapshot once the journal would exceed this share of it (at
#: least ``COMPACT_MIN_BYTES``): a write then costs its own frame plus, amortized, about
#: 1 / ratio of itself, and a reopen replays at most that share of the snapshot.
COMPACT_RATIO = 0.25
COMPACT_MIN_BYTES = 1 << 20
#: ...or once it holds this many frames per node + relationship (at least
#: ``COMPACT_MIN_FRAMES``): replaying a frame costs far more than unpickling its share of the
#: snapshot (a district: ~20k one-node frames, 8.5 MiB, doubled the reopen), so the count
#: bounds a reopen's replay to about a tenth more than the snapshot alone, for an amortized
#: compaction cost per write about that of its append.
COMPACT_FRAMES_PER_ITEM = 0.02
COMPACT_MIN_FRAMES = 1000
#: A batch of more items than this (and than ``COMPACT_RATIO`` of the graph) goes into a new
#: snapshot directly, not through the journal (a load).
JOURNAL_MAX_ITEMS = 10_000
#: How many times a reader reads the snapshot and the journal again when a compaction
#: replaced them while it read.
CATCH_UP_TRIES = 5



class GraphView:
    """Read-only access to the embedded graph for the networkx side of queries.

    Example::

        for building in g.ids("Building"):
            groups = [o for o, _ in g.into(building, "COVERS") if g.node(o)["level"] == "group"]
    """

    def __init__(self, graph: nx.MultiDiGraph, by_label: Mapping[str, set[str]]) -> None:
        self._g = graph
        self._by_label = by_label

    @property
    def nx(self) -> nx.MultiDiGraph:
        """The underlying graph, for networkx algorithms. Do not mutate it."""
        return self._g

    def ids(self, label: str) -> set[str]:
        """Ids of the nodes carrying ``label`` (a live set: do not mutate)."""
        return self._by_label.get(label, _EMPTY)

    def has(self, node_id: str) -> bool:
        return node_id in self._g

    def node(self, node_id: str) -> Mapping[str, Any]:
        """Properties of a node (and ``_labels``); ``KeyError`` if there is none."""
        attrs: Mapping[str, Any] = self._g._node[node_id]
        return attrs

    def labels(self, node_id: str) -> tuple[str, ...]:
        labels: tuple[str, ...] = self._g.nodes[node_id][LABELS]
        return labels

    def has_label(self, node_id: str, label: str) -> bool:
        return node_id in self._by_label.get(label, _EMPTY)

    # ``out`` and ``into`` are the innermost loops of every networkx-side query and of the
    # diff, so they read networkx's adjacency dicts (``_succ``/``_pred``: node -> neighbour
    # -> edge key -> attributes) directly rather than through its read-only views, which cost
    # three to four times as much per edge; edge keys are ``(type, rest)`` (graph/compact.py),
    # so the type is checked without touching the attributes. Nothing here writes to them.

    def out(self, node_id: str, rel_type: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(target id, relationship properties) of each ``rel_type`` relationship leaving the node."""
        checkpoint()  # a heavy call lets short ones compute first (graph/turns.py)
        for target, edges in self._g._succ[node_id].items():
            for key, attrs in edges.items():
                if key[0] == rel_type:
                    yield target, attrs

    def into(self, node_id: str, rel_type: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(source id, relationship properties) of each ``rel_type`` relationship entering the node."""
        checkpoint()
        for source, edges in self._g._pred[node_id].items():
            for key, attrs in edges.items():
                if key[0] == rel_type:
                    yield source, attrs

    def walk(self, node_id: str, rel_type: str, direction: str = "out") -> Iterator[tuple[str, str, Mapping[str, Any]]]:
        """(other end, ``_key``, properties) of each ``rel_type`` relationship leaving the node
        (``direction="out"``) or entering it (``"in"``): ``out``/``into`` with the key, for the
        few reads that return or order by it."""
        checkpoint()
        adjacency = self._g._succ if direction == "out" else self._g._pred
        for other, edges in adjacency[node_id].items():
            for key, attrs in edges.items():
                if key[0] == rel_type:
                    if direction == "out":
                        yield other, full_key(node_id, other, key), attrs
                    else:
                        yield other, full_key(other, node_id, key), attrs

    def out_by_type(self, node_id: str) -> dict[str, list[tuple[str, Mapping[str, Any]]]]:
        """Every relationship leaving the node in one pass, by type: (target id, properties)."""
        checkpoint()
        out: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
        for target, edges in self._g._succ[node_id].items():
            for key, attrs in edges.items():
                got = out.get(key[0])
                if got is None:
                    out[key[0]] = [(target, attrs)]
                else:
                    got.append((target, attrs))
        return out

    def label_counts(self) -> dict[str, int]:
        return {label: len(ids) for label, ids in self._by_label.items() if ids}

    def degree_counts(self) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
        """Relationships per (label, type) leaving and entering nodes (``Degrees``): one pass
        over the adjacency, each edge counted once per label of each end."""
        out: Counter[tuple[str, str]] = Counter()
        into: Counter[tuple[str, str]] = Counter()
        nodes = self._g._node
        for u, targets in self._g._succ.items():
            for v, edges in targets.items():
                for key in edges:
                    for label in nodes[u][LABELS]:
                        out[(label, key[0])] += 1
                    for label in nodes[v][LABELS]:
                        into[(label, key[0])] += 1
        return dict(out), dict(into)

    def rel_type_counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for targets in self._g._succ.values():
            for edges in targets.values():
                for key in edges:
                    counts[key[0]] += 1
        return dict(counts)


_EMPTY: set[str] = set()


class _RWLock:
    """Many readers or one writer, within one process."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._readers:
                self._cond.wait()
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class EmbeddedStore(Store):
    kind = "embedded"

    def __init__(self, data_dir: Path, *, read_only: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.read_only = read_only
        self._lock = _RWLock()
        self._writer_mutex = threading.Lock()
        self._graph = nx.MultiDiGraph()
        self._by_label: dict[str, set[str]] = {}
        self._rel_index = RelIndex(self._graph)
        self._share = EdgeShare()
        self._version = 0
        # what is in memory: the snapshot it came from (inode, mtime, size; None: there was
        # none) and how far into which journal file it has been brought
        self._loaded_stamp: snapshot.Stamp | None = None
        self._journal_ino: int | None = None
        self._journal_end = 0  # just past the last frame applied (or skipped as already in the snapshot)
        self._journal_size = 0  # the file's size when last read (> end: a torn tail was seen)
        self._journal_frames = 0  # whole frames in the file up to ``_journal_end``
        with self._lock.write():
            self._reload_if_changed()

    # ------------------------------------------------------------ persistence

    @property
    def snapshot_path(self) -> Path:
        return self.data_dir / SNAPSHOT

    @property
    def journal_path(self) -> Path:
        return self.data_dir / journal.JOURNAL

    def _stamp(self) -> snapshot.Stamp | None:
        return snapshot.stamp(self.snapshot_path)

    def _stale(self) -> bool:
        """Whether another process committed since this one last looked (two ``stat`` calls)."""
        if self._stamp() != self._loaded_stamp:
            return True
        try:
            st = self.journal_path.stat()
        except FileNotFoundError:
            return self._journal_ino is not None
        seen = (self._journal_ino, self._journal_size)
        # a torn tail seen last time (size past the end) is looked at again: a writer may have
        # cut it and appended a frame of the same length
        return (st.st_ino, st.st_size) != seen or self._journal_size != self._journal_end

    def _reload_if_changed(self) -> None:
        """Bring memory up to what is committed (caller holds the write lock): the snapshot
        only when it changed (a compaction), else only the journal frames not seen yet.

        A reader holds no lock, so a compaction may replace both files between its reading
        the snapshot and the journal; the frames then do not continue the snapshot's version,
        and it reads both again. Under the writer lock that cannot happen: a gap there is
        damage."""
        force = False
        for _ in range(CATCH_UP_TRIES):
            if force or self._stamp() != self._loaded_stamp:
                self._load_snapshot()
            if self._catch_up_journal():
                return
            force = True
        raise StoreCorrupt(
            f"{self.journal_path} does not continue {self.snapshot_path} (version {self._version}); "
            "restore the data directory from a backup"
        )

    def _load_snapshot(self) -> None:
        found = snapshot.read(self.snapshot_path)
        if found is None:
            self._reset({}, {})
            self._version, self._loaded_stamp = 0, None
        else:
            nodes, adj, self._version, self._loaded_stamp, legacy = found
            self._reset(nodes, adj, legacy=legacy)
        self._journal_ino, self._journal_end, self._journal_size, self._journal_frames = None, 0, 0, 0

    def _catch_up_journal(self) -> bool:
        """Apply the journal frames after what is in memory; False if they do not continue it."""
        offset = self._journal_end
        scan = journal.read(self.journal_path, offset)
        frames = self._journal_frames
        if scan.ino != self._journal_ino and offset:
            offset, frames = 0, 0  # another file (a compaction reset it): from its start
            scan = journal.read(self.journal_path, 0)
        for entry in scan.entries:
            if entry.version <= self._version:
                continue  # already in the snapshot (a compaction killed before its journal reset)
            if entry.version != self._version + 1:
                return False
            undo: list[Callable[[], None]] = []
            try:
                self._apply(entry.batch, undo)
            except StoreError as exc:
                for step in reversed(undo):
                    step()
                raise StoreCorrupt(
                    f"{self.journal_path}: version {entry.version} does not apply: {exc}"
                ) from None
            self._version = entry.version
        self._journal_ino, self._journal_end, self._journal_size = scan.ino, scan.end, scan.size
        self._journal_frames = frames + len(scan.entries)
        return True

    def _reset(self, nodes: snapshot.Nodes, adj: snapshot.Adjacency, *, legacy: bool = False) -> None:
        self._graph, self._by_label, self._rel_index, self._share = build(nodes, adj, legacy=legacy)

    def _commit(self, batch: WriteBatch) -> None:
        """Make the batch just applied in memory durable (caller holds the writer lock): one
        journal frame, or a compaction when the journal would outgrow its share of the
        snapshot (``COMPACT_RATIO``, at least ``COMPACT_MIN_BYTES``) or hold too many frames
        (``COMPACT_FRAMES_PER_ITEM``), the store has no snapshot yet, or the batch is large (a
        load): then the frame would be about as costly as the snapshot, so the batch goes
        into the new snapshot directly."""
        items = len(self._graph) + len(self._rel_index)  # networkx counts edges by walking them all
        if self._loaded_stamp is None or len(batch) > max(JOURNAL_MAX_ITEMS, COMPACT_RATIO * items):
            self._compact()
            return
        frame = journal.encode(self._version, batch)
        if self._journal_end + len(frame) > max(
            COMPACT_MIN_BYTES, COMPACT_RATIO * self._loaded_stamp[2]
        ) or self._journal_frames >= max(COMPACT_MIN_FRAMES, COMPACT_FRAMES_PER_ITEM * items):
            self._compact()
            return
        ino, end = journal.append(self.journal_path, frame, self._journal_end)
        self._journal_ino, self._journal_end, self._journal_size = ino, end, end
        self._journal_frames += 1

    def _compact(self) -> None:
        """Write the whole graph as the new snapshot, then empty the journal. Killed before the
        snapshot's rename, the old snapshot and journal stand; after it, the journal's frames
        are all at or below the new snapshot's version and are skipped on reading."""
        self._save()
        try:
            journal.reset(self.journal_path)
            ino = self.journal_path.stat().st_ino
        except (StoreError, OSError):
            return  # committed all the same: the next compaction empties it
        self._journal_ino, self._journal_end, self._journal_size, self._journal_frames = ino, 0, 0, 0

    def _save(self) -> None:
        """The snapshot, atomically; raises only before its rename (the commit point)."""
        self._loaded_stamp = snapshot.write(self.snapshot_path, self._graph._node, self._graph._succ, self._version)

    @contextmanager
    def _writer(self) -> Iterator[None]:
        """Exclusive writer: this process's mutex, then the cross-process flock."""
        if self.read_only:
            raise StoreError("the embedded store was opened read-only")
        with self._writer_mutex:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.data_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                deadline = time.monotonic() + WRITER_WAIT_SECONDS
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise StoreBusy(
                                f"another process is writing to the embedded store at {self.data_dir}"
                            ) from None
                        time.sleep(0.05)
                with self._lock.write():
                    self._remove_stale_temporaries()
                    self._reload_if_changed()
                    yield
            finally:
                os.close(fd)  # closing releases the flock

    def _remove_stale_temporaries(self) -> None:
        """Remove the temporary snapshots, journals and derivation stamps of saves killed before their
        rename: the caller holds the writer lock, so no save of this store is in progress anywhere."""
        for name in (SNAPSHOT, journal.JOURNAL, DERIVATION):
            for tmp in self.data_dir.glob(f".{name}.*.tmp"):
                tmp.unlink(missing_ok=True)

    @contextmanager
    def _reader(self) -> Iterator[GraphView]:
        if self._stale():
            with self._lock.write():
                self._reload_if_changed()
        with self._lock.read():
            yield GraphView(self._graph, self._by_label)

    # ------------------------------------------------------------ Store interface

    def ping(self) -> None:
        with self._reader():
            return

    def close(self) -> None:
        """Nothing to release: every write is saved before it returns."""

    def apply_schema(self) -> list[str]:
        """The embedded store keeps its indexes itself; nothing to create."""
        return []

    def find_ids(self, label: str, ids: Sequence[str]) -> set[str]:
        with self._reader() as g:
            have = g.ids(label)
            return {i for i in ids if i in have}

    def fetch_nodes(self, label: str, ids: Sequence[str]) -> dict[str, StoredNode]:
        with self._reader() as g:
            have = g.ids(label)
            out: dict[str, StoredNode] = {}
            for i in ids:
                if i in have:
                    attrs = dict(g.node(i))
                    labels = attrs.pop(LABELS)
                    out[i] = StoredNode(tuple(sorted(labels)), attrs)
            return out

    def fetch_rels(self, rel_type: str, from_label: str, from_ids: Sequence[str]) -> dict[str, StoredRel]:
        with self._reader() as g:
            have = g.ids(from_label)
            out: dict[str, StoredRel] = {}
            for i in from_ids:
                if i not in have:
                    continue
                for target, key, attrs in g.walk(i, rel_type):
                    out[key] = StoredRel(i, target, {**attrs, KEY_PROPERTY: key})
            return out

    def fetch_meta(self, label: str, ids: Sequence[str], rel_type: str | None = None) -> dict[str, dict[str, Any]]:
        def picked(attrs: Mapping[str, Any]) -> dict[str, Any]:
            return {k: attrs[k] for k in STORED_META if k in attrs}

        with self._reader() as g:
            have = g.ids(label)
            out: dict[str, dict[str, Any]] = {}
            for i in ids:
                if i not in have:
                    continue
                if rel_type is None:
                    out[i] = picked(g.node(i))
                else:
                    for _, key, attrs in g.walk(i, rel_type):
                        out[key] = picked(attrs)
            return out

    def fetch_rels_by_key(self, rel_type: str, keys: Sequence[str]) -> dict[str, StoredRel]:
        with self._reader() as g:
            out: dict[str, StoredRel] = {}
            for key in keys:
                ends = self._rel_index.get((rel_type, key))
                if ends is not None:
                    attrs = g.nx._succ[ends[0]][ends[1]][edge_key(rel_type, key, *ends)]
                    out[key] = StoredRel(ends[0], ends[1], {**attrs, KEY_PROPERTY: key})
            return out

    def source_items(self, source: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        with self._reader() as g:
            nodes: dict[str, set[str]] = {}
            for node_id, attrs in g.nx.nodes(data=True):
                if attrs.get(SOURCE_PROPERTY) == source:
                    nodes.setdefault(_base_label(attrs), set()).add(node_id)
            rels: dict[str, set[str]] = {}
            for u, v, nx_key, attrs in g.nx.edges(keys=True, data=True):
                if attrs.get(SOURCE_PROPERTY) == source:
                    rels.setdefault(nx_key[0], set()).add(full_key(u, v, nx_key))
            return nodes, rels

    def attached_rels(self, label: str, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        with self._reader() as g:
            have = g.ids(label)
            out: list[tuple[str, str, str]] = []
            for node_id in ids:
                if node_id not in have:
                    continue
                for u, _, key in g.nx.in_edges(node_id, keys=True):
                    out.append((key[0], _base_label(g.node(u)), full_key(u, node_id, key)))
                for _, v, key in g.nx.out_edges(node_id, keys=True):
                    out.append((key[0], label, full_key(node_id, v, key)))
            return out

    def version(self) -> int:
        with self._reader():
            return self._version

    def write(self, batch: WriteBatch, *, expect_version: int | None = None) -> int:
        with self._writer():
            if expect_version is not None and expect_version != self._version:
                raise StoreConflict(
                    f"the embedded store at {self.data_dir} changed since this write was planned "
                    f"(version {expect_version}, now {self._version}); nothing was written"
                )
            if not len(batch):
                return self._version
            undo: list[Callable[[], None]] = []
            self._version += 1
            try:
                self._apply(batch, undo)
                self._commit(batch)
            except BaseException:
                for step in reversed(undo):
                    step()
                self._version -= 1
                raise
            return self._version

    def derivation_stamp(self) -> str | None:
        try:
            return (self.data_dir / DERIVATION).read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    def set_derivation_stamp(self, stamp: str) -> None:
        """Written under the writer lock, atomically (a temporary file renamed over the old)."""
        with self._writer():
            tmp = self.data_dir / f".{DERIVATION}.{os.getpid()}.tmp"
            tmp.write_text(stamp, encoding="ascii")
            os.replace(tmp, self.data_dir / DERIVATION)

    def node_values(self, label: str, names: Sequence[str]) -> dict[str, dict[str, Any]]:
        with self._reader() as g:
            return {
                i: {n: attrs[n] for n in names if attrs.get(n) is not None}
                for i in g.ids(label)
                for attrs in (g.node(i),)
            }

    def run(self, query: Query, params: Mapping[str, Any] | None = None) -> list[Row]:
        with self._reader() as g:
            return query.networkx(g, dict(params or {}))

    def select(self, plan: Select, scope: Scope) -> SelectResult:
        from graph.select_nx import (
            select_nx,  # the executor imports queries/, which imports this module's types
        )

        with self._reader() as g:
            return select_nx(g, plan, scope)

    def stats(self) -> Stats:
        with self._reader() as g:
            return Stats(g.label_counts(), g.rel_type_counts())

    def degrees(self) -> Degrees:
        with self._reader() as g:
            out, into = g.degree_counts()
            return Degrees(g.label_counts(), out, into)

    def is_empty(self) -> bool:
        with self._reader() as g:
            return not g.label_counts()

    def clear(self) -> None:
        with self._writer():
            kept = (self._graph, self._by_label, self._rel_index, self._share, self._version)
            self._reset({}, {})
            self._version += 1  # never back to an earlier number: a plan made before is stale
            try:
                self._compact()
            except BaseException:
                self._graph, self._by_label, self._rel_index, self._share, self._version = kept
                raise

    # ------------------------------------------------------------ applying a batch

    def _apply(self, batch: WriteBatch, undo: list[Callable[[], None]]) -> None:
        g = self._graph
        for rel_type, key in batch.delete_rels:
            self._remove_edge(rel_type, key, undo)
        for _label, node_id in batch.delete_nodes:
            if node_id not in g:
                continue
            for u, v, key in [*g.in_edges(node_id, keys=True), *g.out_edges(node_id, keys=True)]:
                if g.has_edge(u, v, key):
                    self._remove_edge(key[0], full_key(u, v, key), undo)
            old = dict(g.nodes[node_id])
            g.remove_node(node_id)
            self._unindex_node(node_id, old[LABELS])
            undo.append(partial(self._restore_node, node_id, old))
        for rec in batch.all_nodes():
            new = {**rec.props, LABELS: tuple(sorted(rec.labels))}
            if rec.id in g:
                old = dict(g.nodes[rec.id])
                self._set_node(rec.id, new)
                undo.append(partial(self._set_node, rec.id, old))
            else:
                self._restore_node(rec.id, new)
                undo.append(partial(self._drop_new_node, rec.id))
        for rel in batch.all_rels():
            for end, label in ((rel.from_id, rel.from_label), (rel.to_id, rel.to_label)):
                if end not in self._by_label.get(label, _EMPTY):
                    raise StoreError(f"{rel.type} {rel.key}: no {label} node with id {end}")
            rel_id = (rel.type, rel.key)
            existing = self._rel_index.get(rel_id)
            if existing is not None and existing != (rel.from_id, rel.to_id):
                self._remove_edge(rel.type, rel.key, undo)
                existing = None
            attrs = {k: v for k, v in rel.props.items() if k != KEY_PROPERTY}
            nx_key = edge_key(rel.type, rel.key, rel.from_id, rel.to_id)
            if existing is not None:
                old = g._succ[rel.from_id][rel.to_id][nx_key]
                self._put_edge(rel.from_id, rel.to_id, nx_key, attrs)
                undo.append(partial(self._put_edge, rel.from_id, rel.to_id, nx_key, old))
            else:
                self._put_edge(rel.from_id, rel.to_id, nx_key, attrs)
                self._rel_index.add(rel_id, rel.from_id, rel.to_id)
                undo.append(partial(self._drop_new_edge, rel.type, rel.from_id, rel.to_id, rel.key))

    def _set_node(self, node_id: str, attrs: dict[str, Any]) -> None:
        old_labels = self._graph.nodes[node_id][LABELS]
        self._unindex_node(node_id, old_labels)
        self._graph.nodes[node_id].clear()
        self._graph.nodes[node_id].update(attrs)
        self._index_node(node_id, attrs[LABELS])

    def _restore_node(self, node_id: str, attrs: dict[str, Any]) -> None:
        self._graph.add_node(node_id, **attrs)
        self._index_node(node_id, attrs[LABELS])

    def _drop_new_node(self, node_id: str) -> None:
        labels = self._graph.nodes[node_id][LABELS]
        self._graph.remove_node(node_id)
        self._unindex_node(node_id, labels)

    def _index_node(self, node_id: str, labels: Sequence[str]) -> None:
        for label in labels:
            self._by_label.setdefault(label, set()).add(node_id)

    def _unindex_node(self, node_id: str, labels: Sequence[str]) -> None:
        for label in labels:
            self._by_label.get(label, set()).discard(node_id)

    def _remove_edge(self, rel_type: str, key: str, undo: list[Callable[[], None]]) -> None:
        ends = self._rel_index.pop((rel_type, key))
        if ends is None:
            return
        u, v = ends
        nx_key = edge_key(rel_type, key, u, v)
        old = self._graph._succ[u][v][nx_key]
        self._drop_edge(u, v, nx_key)

        def restore(u: str = u, v: str = v, old: dict[str, Any] = old) -> None:
            self._put_edge(u, v, nx_key, old)
            self._rel_index.add((rel_type, key), u, v)

        undo.append(restore)

    def _drop_new_edge(self, rel_type: str, u: str, v: str, key: str) -> None:
        self._rel_index.pop((rel_type, key))  # while the edge is there: the index reads it
        self._drop_edge(u, v, edge_key(rel_type, key, u, v))

    # A pair's key dict and a relationship's attribute dict may be shared with others
    # (graph/compact.py, ``EdgeShare``): they are replaced, never changed in place.

    def _put_edge(self, u: str, v: str, nx_key: NxKey, attrs: dict[str, Any]) -> None:
        """Add the relationship, or replace its attributes (both ends exist)."""
        succ, pred, share = self._graph._succ, self._graph._pred, self._share
        nx_key, attrs = share.key(nx_key), share.attrs(attrs)
        keyed = succ[u].get(v)
        keyed = share.keydict({nx_key: attrs}) if keyed is None or keyed.keys() == {nx_key} else {**keyed, nx_key: attrs}
        succ[u][v] = keyed
        pred[v][u] = keyed

    def _drop_edge(self, u: str, v: str, nx_key: NxKey) -> None:
        succ, pred = self._graph._succ, self._graph._pred
        keyed = {k: a for k, a in succ[u][v].items() if k != nx_key}
        if keyed:
            succ[u][v] = keyed
            pred[v][u] = keyed
        else:
            del succ[u][v]
            del pred[v][u]


def _base_label(attrs: Mapping[str, Any]) -> str:
    """The table's label of a node: the one of its labels that names a node kind."""
    labels = set(attrs[LABELS])
    for kind in NODE_KINDS:
        if kind.label in labels:
            return kind.label
    raise StoreCorrupt(f"node with labels {sorted(labels)} matches no declared kind")

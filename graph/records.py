"""What loaders hand to stores: validated, typed items and one atomic batch of changes.

Values are plain Python: ``str``, ``int``, ``bool``, ``datetime.date`` or ``None``. Stores
convert at their boundary (the Neo4j store to and from driver types) so that both stores
return equal values for equal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NodeRecord:
    """One node: its base label (the table's), all its labels, id and properties.

    ``props`` holds every declared property (absent values as ``None`` are dropped) plus
    ``_source``; it replaces the node's properties as a whole.
    """

    label: str
    labels: tuple[str, ...]
    id: str
    props: dict[str, Any]


@dataclass(frozen=True)
class RelRecord:
    """One relationship, identified by ``type`` and ``key`` (see ``graph.declare.rel_key``)."""

    type: str
    key: str
    from_label: str
    from_id: str
    to_label: str
    to_id: str
    props: dict[str, Any]


@dataclass
class WriteBatch:
    """Everything one load changes, applied by a store all of it or not at all (in one
    transaction, or on Neo4j above ``GONGZHI_WRITE_CHUNK`` items in chunks it can undo).

    Order of application: delete relationships, delete nodes (detaching them), upsert
    nodes, create new nodes, upsert relationships, create new relationships.

    ``new_nodes`` and ``new_rels`` were absent from the store when the batch was planned
    (``loaders.diff``), so a store may create them without looking for an existing one
    first: on Neo4j that is ``CREATE`` instead of ``MERGE``, the largest part of a first
    load's server time. A relationship's key names both its ends (``rel_key``), so a key
    absent from its start node is absent everywhere. A "new" node that exists after all
    (another writer got there first) violates the id's uniqueness constraint and fails the
    whole batch; the embedded store treats new items as upserts.
    """

    nodes: list[NodeRecord] = field(default_factory=list)
    rels: list[RelRecord] = field(default_factory=list)
    delete_nodes: list[tuple[str, str]] = field(default_factory=list)  # (label, id)
    delete_rels: list[tuple[str, str]] = field(default_factory=list)  # (type, key)
    new_nodes: list[NodeRecord] = field(default_factory=list)
    new_rels: list[RelRecord] = field(default_factory=list)

    def __len__(self) -> int:
        return (
            len(self.nodes)
            + len(self.rels)
            + len(self.delete_nodes)
            + len(self.delete_rels)
            + len(self.new_nodes)
            + len(self.new_rels)
        )

    def all_nodes(self) -> list[NodeRecord]:
        """Nodes to upsert and nodes to create, for a store that treats both alike."""
        return [*self.nodes, *self.new_nodes]

    def all_rels(self) -> list[RelRecord]:
        return [*self.rels, *self.new_rels]


@dataclass(frozen=True)
class StoredNode:
    labels: tuple[str, ...]
    props: dict[str, Any]


@dataclass(frozen=True)
class StoredRel:
    from_id: str
    to_id: str
    props: dict[str, Any]


@dataclass(frozen=True)
class Stats:
    """Counts by label and by relationship type (zero counts omitted)."""

    labels: dict[str, int]
    rel_types: dict[str, int]


@dataclass(frozen=True)
class Degrees:
    """How many relationships of each type leave and enter the nodes of each label.

    What the cost limit estimates a nested list's length from (``graph/select_cost.py``): the
    average fan-out of ``(:L)-[:T]->`` is ``out[(L, T)] / labels[L]``. Neo4j answers each
    count from its count store without reading a node, so these are cheap to refresh; zero
    counts are omitted.
    """

    labels: dict[str, int]
    out: dict[tuple[str, str], int]
    into: dict[tuple[str, str], int]

    def fan_out(self, label: str, rel_type: str, direction: str) -> float:
        """The average number of ``rel_type`` relationships a node of ``label`` has in
        ``direction`` (``"out"`` or ``"in"``); 0 when there is no such node."""
        nodes = self.labels.get(label, 0)
        if not nodes:
            return 0.0
        side = self.out if direction == "out" else self.into
        return side.get((label, rel_type), 0) / nodes


@dataclass(frozen=True)
class LoadStatus:
    """A Neo4j load that writes in chunks, as its load record shows it (graph/neo4j_chunks.py).

    ``state``: ``running`` (chunks being written), ``rolling_back`` (being undone) or ``done``
    (committed; only its undo records are left to delete). ``stale``: its process is gone (same
    host) or its heartbeat is older than ``GONGZHI_LOAD_STALE_SECONDS``, so the next write,
    ``gongzhi load --recover`` or ``gongzhi serve`` rolls it back (or finishes a done one).
    """

    id: str
    state: str
    pid: int
    host: str
    started: str  # ISO 8601, UTC, the server's clock
    heartbeat_age: float  # seconds since the last chunk began, by the server's clock
    chunks_done: int
    chunks_total: int
    items: int
    stale: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "pid": self.pid,
            "host": self.host,
            "started": self.started,
            "heartbeatAgeSeconds": round(self.heartbeat_age, 1),
            "chunksDone": self.chunks_done,
            "chunksTotal": self.chunks_total,
            "items": self.items,
            "stale": self.stale,
        }


@dataclass(frozen=True)
class Recovery:
    """What recovery did about one load record: ``rolled_back`` (its chunks undone, newest
    first), ``finished`` (a committed load's leftover undo records deleted) or ``running``
    (its process is alive: left alone)."""

    load: LoadStatus
    action: str
    chunks_undone: int = 0

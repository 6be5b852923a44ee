"""The one interface both stores implement, and how to open the configured one.

``Neo4jStore`` (graph/neo4j_store.py) serves real deployments, clusters and Aura;
``EmbeddedStore`` (graph/embedded.py) keeps the graph in-process on networkx and persists it
to a data directory, so that the product runs with no server at all. Loaders, queries, the
CLI and the API only ever see this interface. Tests in ``tests/store/`` run once per store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from graph.errors import StoreError
from graph.query import Query, Row
from graph.records import Degrees, LoadStatus, Recovery, Stats, StoredNode, StoredRel, WriteBatch
from graph.select import Scope, Select, SelectResult
from graph.settings import Settings


class Store(ABC):
    #: ``"neo4j"`` or ``"embedded"``
    kind: str
    #: How many reads one caller may run at once from threads (``queries.rollup`` asks for its
    #: child areas that way). Neo4j runs each query on a core of its own, so a roll-up of eight
    #: districts took 2.3 s with two at a time instead of 4.1 s (2 cores). The embedded store
    #: answers in Python, one thread at a time, so it keeps 1.
    read_concurrency: int = 1
    #: Whether a reader may see a write in part (a chunked Neo4j load): only then is
    #: ``load_in_progress`` worth asking (the API asks around every operation).
    partial_writes: bool = False

    @abstractmethod
    def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless the store answers a trivial read."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def apply_schema(self) -> list[str]:
        """Create the declared constraints and indexes, idempotently; return their names."""

    @abstractmethod
    def find_ids(self, label: str, ids: Sequence[str]) -> set[str]:
        """Those of ``ids`` that exist as nodes with ``label``."""

    @abstractmethod
    def fetch_nodes(self, label: str, ids: Sequence[str]) -> dict[str, StoredNode]:
        """Labels and properties of the existing nodes of ``label`` among ``ids``."""

    @abstractmethod
    def fetch_rels(self, rel_type: str, from_label: str, from_ids: Sequence[str]) -> dict[str, StoredRel]:
        """Existing ``rel_type`` relationships leaving the given nodes, by ``_key``."""

    @abstractmethod
    def fetch_meta(self, label: str, ids: Sequence[str], rel_type: str | None = None) -> dict[str, dict[str, Any]]:
        """The meta properties (``graph.provenance``: ``_source``, ``_hash``, ``_base``, ``_by``,
        those the item has) of the existing nodes of ``label`` among ``ids``, by id; with
        ``rel_type``, of the ``rel_type`` relationships leaving them, by ``_key``.

        What a reload's diff reads first: an item whose stored ``_hash`` is the file's and
        that nobody else changed is unchanged without its value being read, so an unchanged
        reload moves four short strings per item instead of whole items (``loaders.diff``)."""

    @abstractmethod
    def fetch_rels_by_key(self, rel_type: str, keys: Sequence[str]) -> dict[str, StoredRel]:
        """Existing ``rel_type`` relationships among ``keys``, by ``_key``."""

    @abstractmethod
    def source_items(self, source: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """Node ids by base label, and relationship keys by type, whose ``_source`` is ``source``."""

    @abstractmethod
    def attached_rels(self, label: str, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(type, from label, ``_key``) of every relationship touching the given nodes, in
        either direction: what deleting those nodes removes with them (prune lists it)."""

    @abstractmethod
    def version(self) -> int:
        """The store's version: 0 when nothing was ever written, one more after every write.

        A writer reads it before it reads anything it plans on and hands it to ``write``: the
        write is refused (``StoreConflict``) if another writer committed in between, so a plan
        is never applied to a state it was not made on (two loads at once, a load and a
        mutation, several server processes)."""

    @abstractmethod
    def write(self, batch: WriteBatch, *, expect_version: int | None = None) -> int:
        """Apply ``batch`` atomically: all of it, or (on any error) none of it; return the new
        version. With ``expect_version``, raise ``StoreConflict`` (writing nothing) unless the
        store is still at that version when the write commits."""

    def derivation_stamp(self) -> str | None:
        """The stamp of the derived declarations the store's derived values were computed
        under (``graph/derived.py``), None if never recorded."""
        raise StoreError(f"the {self.kind} store keeps no derived values' stamp")

    def set_derivation_stamp(self, stamp: str) -> None:
        """Record ``stamp`` after ``graph.derived.backfill`` brought every node up to it."""
        raise StoreError(f"the {self.kind} store keeps no derived values' stamp")

    def node_values(self, label: str, names: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The properties ``names`` (those a node has) of every node of ``label``, by id: what
        ``graph.derived.backfill`` compares, reading nothing else of the nodes."""
        raise StoreError(f"the {self.kind} store cannot list nodes' values")

    def load_in_progress(self) -> LoadStatus | None:
        """The load writing in chunks right now (or being rolled back), if any: what readers
        see meanwhile may be partly applied (docs/architecture.md, "The write path"). A store
        whose every write is one atomic step (the embedded one) never has one."""
        return None

    def recover(self) -> list[Recovery]:
        """Roll back every chunked load whose process is gone (and finish committed ones);
        leave live ones alone, reporting them. Nothing to do on the embedded store."""
        return []

    @abstractmethod
    def run(self, query: Query, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a registered read query on this store's side of it."""

    @abstractmethod
    def select(self, plan: Select, scope: Scope) -> SelectResult:
        """Run a compiled read (``graph/select.py``) for a user bound to ``scope``: on Neo4j as
        one Cypher statement (``graph/select_cypher.py``), on the embedded store over networkx
        (``graph/select_nx.py``). Names not in the model raise ``PlanError`` before anything runs."""

    @abstractmethod
    def stats(self) -> Stats: ...

    @abstractmethod
    def degrees(self) -> Degrees:
        """Relationship counts per (label, type) and direction, for the cost limit's estimates."""

    @abstractmethod
    def is_empty(self) -> bool:
        """Whether the store holds no node at all: a load into it need not look anything up
        (``loaders.load``), which is most of a first load's reading from the store."""

    @abstractmethod
    def clear(self) -> None:
        """Delete every node and relationship (tests and ``gongzhi load --replace``)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """The store the settings choose. ``read_only`` opens the embedded store without its writer lock."""
    if settings.store == "neo4j":
        from graph.neo4j_store import Neo4jStore

        store: Store = Neo4jStore(settings)
        return store
    if settings.store == "federated":
        from graph.federated import FederatedStore, open_parts

        return FederatedStore(open_parts(settings))
    from graph.embedded import EmbeddedStore

    return EmbeddedStore(settings.data_dir, read_only=read_only)

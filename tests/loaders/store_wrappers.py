"""Stores that wrap a real store, to see what the loader asks of it.

``ItemCounting`` counts the whole items the loader reads (``fetch_nodes``, ``fetch_rels``,
``fetch_rels_by_key``): a reload of unchanged data must read none. ``HashBlind`` hides the
stored ``_hash`` from ``fetch_meta``, so that no item is taken as unchanged by its meta and
every existing item is read whole and hashed, as the diff did before it read hashes: the
plan it gives is the reference the hash path is held to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph.provenance import HASH_PROPERTY
from graph.query import Query, Row
from graph.records import Degrees, Stats, StoredNode, StoredRel, WriteBatch
from graph.select import Scope, Select, SelectResult
from graph.store import Store


class Passing(Store):
    """Every call passed to ``inner``."""

    def __init__(self, inner: Store) -> None:
        self.inner, self.kind = inner, inner.kind

    def ping(self) -> None:
        self.inner.ping()

    def close(self) -> None:
        """The wrapped store belongs to the test's fixture."""

    def apply_schema(self) -> list[str]:
        return self.inner.apply_schema()

    def find_ids(self, label: str, ids: Sequence[str]) -> set[str]:
        return self.inner.find_ids(label, ids)

    def fetch_nodes(self, label: str, ids: Sequence[str]) -> dict[str, StoredNode]:
        return self.inner.fetch_nodes(label, ids)

    def fetch_rels(self, rel_type: str, from_label: str, from_ids: Sequence[str]) -> dict[str, StoredRel]:
        return self.inner.fetch_rels(rel_type, from_label, from_ids)

    def fetch_meta(self, label: str, ids: Sequence[str], rel_type: str | None = None) -> dict[str, dict[str, Any]]:
        return self.inner.fetch_meta(label, ids, rel_type)

    def fetch_rels_by_key(self, rel_type: str, keys: Sequence[str]) -> dict[str, StoredRel]:
        return self.inner.fetch_rels_by_key(rel_type, keys)

    def source_items(self, source: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        return self.inner.source_items(source)

    def attached_rels(self, label: str, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        return self.inner.attached_rels(label, ids)

    def select(self, plan: Select, scope: Scope) -> SelectResult:
        return self.inner.select(plan, scope)

    def derivation_stamp(self) -> str | None:
        return self.inner.derivation_stamp()

    def set_derivation_stamp(self, stamp: str) -> None:
        self.inner.set_derivation_stamp(stamp)

    def node_values(self, label: str, names: Sequence[str]) -> dict[str, dict[str, Any]]:
        return self.inner.node_values(label, names)

    def version(self) -> int:
        return self.inner.version()

    def write(self, batch: WriteBatch, *, expect_version: int | None = None) -> int:
        return self.inner.write(batch, expect_version=expect_version)

    def run(self, query: Query, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self.inner.run(query, params)

    def stats(self) -> Stats:
        return self.inner.stats()

    def degrees(self) -> Degrees:
        return self.inner.degrees()

    def is_empty(self) -> bool:
        return self.inner.is_empty()

    def clear(self) -> None:
        self.inner.clear()


class ItemCounting(Passing):
    """Counts the whole nodes and relationships read, and the metas read."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.nodes = self.rels = self.metas = 0

    def fetch_nodes(self, label: str, ids: Sequence[str]) -> dict[str, StoredNode]:
        out = super().fetch_nodes(label, ids)
        self.nodes += len(out)
        return out

    def fetch_rels(self, rel_type: str, from_label: str, from_ids: Sequence[str]) -> dict[str, StoredRel]:
        out = super().fetch_rels(rel_type, from_label, from_ids)
        self.rels += len(out)
        return out

    def fetch_rels_by_key(self, rel_type: str, keys: Sequence[str]) -> dict[str, StoredRel]:
        out = super().fetch_rels_by_key(rel_type, keys)
        self.rels += len(out)
        return out

    def fetch_meta(self, label: str, ids: Sequence[str], rel_type: str | None = None) -> dict[str, dict[str, Any]]:
        out = super().fetch_meta(label, ids, rel_type)
        self.metas += len(out)
        return out


class HashBlind(Passing):
    """``fetch_meta`` without ``_hash``: every existing item is read whole (the full-item diff)."""

    def fetch_meta(self, label: str, ids: Sequence[str], rel_type: str | None = None) -> dict[str, dict[str, Any]]:
        return {
            i: {k: v for k, v in meta.items() if k != HASH_PROPERTY}
            for i, meta in super().fetch_meta(label, ids, rel_type).items()
        }

"""The embedded store's in-memory graph, built to take little memory (issue 12, item 2).

Resident memory per node + relationship is what decides whether a city fits a laptop, so the
graph read from a snapshot is built with as few objects as networkx allows:

* ``build`` makes the snapshot's decoded dicts networkx's own (``_node``, ``_succ``, and
  ``_pred`` sharing the key dicts), where ``add_nodes_from`` / ``add_edges_from`` would
  copy every one of them and leave the originals as garbage scattered over the allocator's
  arenas, which a process rarely gives back. Equal strings, dates and label tuples are
  interned on the way: a date, a status or a label tuple repeated on thousands of items is
  one object.
* ``RelIndex`` finds a relationship by ``(type, _key)`` without storing one entry per
  relationship: a key made by ``graph.declare.rel_key`` starts with its two ends
  (``from|to|...``), so the ends are read from the key and checked in the adjacency; only a
  relationship whose key does not name its ends that way (none that the loaders write) gets
  an entry of its own.

The graph is still a plain ``networkx.MultiDiGraph``: every query and networkx algorithm
sees what it always saw.
"""

from __future__ import annotations

import datetime
from typing import Any

import networkx as nx

from graph.errors import StoreCorrupt
from graph.snapshot import Adjacency, Nodes

LABELS = "_labels"

NxKey = tuple[str, str]
Ends = tuple[str, str]


class _Interner:
    """One object per equal value, for the types that repeat (strings, dates, tuples of
    strings). One table per type, so ``True`` and ``1`` are never merged and no key object
    is made per lookup (each would be garbage left in the arenas)."""

    def __init__(self) -> None:
        self._str: dict[str, str] = {}
        self._date: dict[datetime.date, datetime.date] = {}
        self._tuple: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return self._str.setdefault(value, value)
        if kind is datetime.date:
            return self._date.setdefault(value, value)
        if kind is tuple and all(type(v) is str for v in value):
            return self._tuple.setdefault(value, value)
        return value

    def attrs(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The same dict, its values interned in place (no key is added or removed)."""
        for name, value in attrs.items():
            attrs[name] = self(value)
        return attrs


class RelIndex:
    """Where each relationship is, by ``(type, _key)``: derived from the key and the adjacency,
    with an explicit entry only for a key that does not start with ``from|to``."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._succ: dict[str, dict[str, dict[NxKey, Any]]] = graph._succ
        self._odd: dict[NxKey, Ends] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def get(self, nx_key: NxKey) -> Ends | None:
        """The relationship's (from, to), or None if there is none with that type and key."""
        ends = _named_ends(nx_key[1])
        if ends is not None:
            edges = self._succ.get(ends[0], _NONE).get(ends[1])
            if edges is not None and nx_key in edges:
                return ends
        return self._odd.get(nx_key)

    def add(self, nx_key: NxKey, u: str, v: str) -> None:
        """Record a relationship just added between ``u`` and ``v`` (not one already indexed)."""
        if _named_ends(nx_key[1]) != (u, v):
            self._odd[nx_key] = (u, v)
        self._count += 1

    def pop(self, nx_key: NxKey) -> Ends | None:
        """Forget a relationship; call it while the relationship is still in the graph."""
        ends = self.get(nx_key)
        if ends is not None:
            self._odd.pop(nx_key, None)
            self._count -= 1
        return ends


_NONE: dict[str, Any] = {}


def _named_ends(key: str) -> Ends | None:
    parts = key.split("|", 2)
    return (parts[0], parts[1]) if len(parts) >= 2 else None


def build(nodes: Nodes, adj: Adjacency) -> tuple[nx.MultiDiGraph, dict[str, set[str]], RelIndex]:
    """The graph, its label index and its relationship index, from a snapshot's decoded
    nodes and adjacency, whose dicts become the graph's own (the caller hands them over):
    the successor map is ``adj`` itself, each predecessor entry shares its key dict."""
    g = nx.MultiDiGraph()
    node, succ, pred = g._node, g._succ, g._pred
    intern = _Interner()
    by_label: dict[str, set[str]] = {}
    for node_id, attrs in nodes.items():
        node[node_id] = intern.attrs(attrs)
        pred[node_id] = {}
        for label in attrs[LABELS]:
            by_label.setdefault(label, set()).add(node_id)
    index = RelIndex(g)
    for u, targets in adj.items():
        if u not in node:
            raise StoreCorrupt(f"relationships leave {u}, a node the snapshot lacks")
        succ[u] = targets
        for v, keyed in targets.items():
            into = pred.get(v)
            if into is None:
                raise StoreCorrupt(f"relationships from {u} reach {v}, a node the snapshot lacks")
            into[u] = keyed  # networkx shares one key dict between the two ends
            for nx_key, attrs in keyed.items():
                intern.attrs(attrs)
                index.add(nx_key, u, v)
    for node_id in node:
        if node_id not in succ:
            succ[node_id] = {}
    return g, by_label, index

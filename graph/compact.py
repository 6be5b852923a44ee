"""The embedded store's in-memory graph, built to take little memory (issue 12, item 2).

Resident memory per node + relationship is what decides whether a city fits a laptop, so the
graph is kept with as few objects as networkx allows:

* ``build`` makes the snapshot's decoded dicts networkx's own (``_node``, ``_succ``, and
  ``_pred`` sharing the key dicts), where ``add_nodes_from`` / ``add_edges_from`` would
  copy every one of them and leave the originals as garbage scattered over the allocator's
  arenas, which a process rarely gives back. Equal strings, dates and label tuples are
  interned on the way: a date, a status or a label tuple repeated on thousands of items is
  one object.
* A relationship's networkx key is ``(type, rest)``: its ``_key`` (``graph.declare.rel_key``,
  ``from|to|values...``) without the ``from|to`` that the adjacency already says (``edge_key``,
  ``full_key``). ``rest`` is ``""`` for a relationship with no key values, so the key of
  every ``PART_OF`` is one tuple; a key that does not start with its ends keeps all of it,
  marked ``ODD``. The attribute dict holds the properties without ``_key`` and ``_type``;
  the reads that return ``_key`` (``fetch_rels``, ``GraphView.walk``) put it back.
* ``EdgeShare``: the attribute dicts of relationships with no content hash (no properties
  of their own: ``{"_source": ...}``) are one dict per distinct content, and so is the key
  dict networkx keeps per pair of ends when it holds just such a relationship. These shared
  dicts are never changed in place: the store's writes replace a pair's key dict and a
  relationship's attribute dict (``graph.embedded``), and pickling keeps the sharing in
  the snapshot.
* ``RelIndex`` finds a relationship by ``(type, _key)`` without storing one entry per
  relationship: the ends are read from the key and checked in the adjacency; only a
  relationship whose key does not name its ends that way (none that the loaders write) gets
  an entry of its own.

The graph is still a plain ``networkx.MultiDiGraph``: every query and networkx algorithm
sees what it always saw, keys aside.
"""

from __future__ import annotations

import datetime
from typing import Any

import networkx as nx

from graph.declare import KEY_PROPERTY
from graph.errors import StoreCorrupt
from graph.provenance import HASH_PROPERTY
from graph.snapshot import Adjacency, Nodes

LABELS = "_labels"
#: The attribute that format-3 snapshots (and before) kept beside ``_key``.
LEGACY_TYPE = "_type"
#: Marks a ``rest`` that is the whole ``_key`` (one not starting with ``from|to``).
ODD = "\x00"

#: networkx's key of a relationship: (type, rest of its ``_key``)
NxKey = tuple[str, str]
#: A relationship as the store's interface names it: (type, ``_key``)
RelId = tuple[str, str]
Ends = tuple[str, str]


def edge_key(rel_type: str, key: str, u: str, v: str) -> NxKey:
    """networkx's key of the ``rel_type`` relationship ``key`` from ``u`` to ``v``."""
    n = len(u) + 1 + len(v)
    if key.startswith(u) and key.startswith(v, len(u) + 1) and key[len(u) : len(u) + 1] == "|" and (
        len(key) == n or key[n] == "|"
    ):
        return (rel_type, key[n:])
    return (rel_type, ODD + key)


def full_key(u: str, v: str, nx_key: NxKey) -> str:
    """The ``_key`` of the relationship keyed ``nx_key`` from ``u`` to ``v``."""
    rest = nx_key[1]
    if rest[:1] == ODD:
        return rest[1:]
    return f"{u}|{v}{rest}"


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


class EdgeShare:
    """The shared relationship objects of one graph: networkx keys, the attribute dicts of
    relationships without a content hash, and the one-relationship key dicts holding them
    (see the module's docstring). Kept with the graph, so writes share as a load did."""

    def __init__(self) -> None:
        self._keys: dict[NxKey, NxKey] = {}
        self._attrs: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._shared: dict[int, dict[str, Any]] = {}  # id -> attribute dict, those in _attrs
        self._keydicts: dict[tuple[NxKey, int], dict[NxKey, dict[str, Any]]] = {}

    def key(self, nx_key: NxKey) -> NxKey:
        return self._keys.setdefault(nx_key, nx_key)

    def attrs(self, attrs: dict[str, Any], intern: _Interner | None = None) -> dict[str, Any]:
        """The one dict of this content if ``attrs`` may be shared, else ``attrs`` itself
        (its values interned when ``intern`` is given)."""
        if id(attrs) in self._shared:
            return attrs
        if HASH_PROPERTY not in attrs:
            try:
                content = tuple((k, type(v), v) for k, v in sorted(attrs.items()))
                got = self._attrs.get(content)
            except TypeError:  # an unhashable value: not shared
                content, got = (), None
            if content:
                if got is None:
                    got = self._attrs[content] = intern.attrs(attrs) if intern is not None else attrs
                    self._shared[id(got)] = got
                return got
        return intern.attrs(attrs) if intern is not None else attrs

    def keydict(self, keyed: dict[NxKey, dict[str, Any]]) -> dict[NxKey, dict[str, Any]]:
        """The key dict of a pair of ends holding only one relationship: the shared one for
        its key and attributes if those are shared (``keyed`` becomes it if there is none
        yet), else ``keyed`` itself."""
        ((nx_key, attrs),) = keyed.items()
        if id(attrs) not in self._shared:
            return keyed
        return self._keydicts.setdefault((nx_key, id(attrs)), keyed)


class RelIndex:
    """Where each relationship is, by ``(type, _key)``: derived from the key and the adjacency,
    with an explicit entry only for a key that does not start with ``from|to``."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._succ: dict[str, dict[str, dict[NxKey, Any]]] = graph._succ
        self._odd: dict[RelId, Ends] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def get(self, rel: RelId) -> Ends | None:
        """The relationship's (from, to), or None if there is none with that type and key."""
        ends = _named_ends(rel[1])
        if ends is not None:
            edges = self._succ.get(ends[0], _NONE).get(ends[1])
            if edges is not None and edge_key(rel[0], rel[1], *ends) in edges:
                return ends
        return self._odd.get(rel)

    def add(self, rel: RelId, u: str, v: str) -> None:
        """Record a relationship just added between ``u`` and ``v`` (not one already indexed)."""
        if _named_ends(rel[1]) != (u, v):
            self._odd[rel] = (u, v)
        self._count += 1

    def pop(self, rel: RelId) -> Ends | None:
        """Forget a relationship; call it while the relationship is still in the graph."""
        ends = self.get(rel)
        if ends is not None:
            self._odd.pop(rel, None)
            self._count -= 1
        return ends


_NONE: dict[str, Any] = {}


def _named_ends(key: str) -> Ends | None:
    parts = key.split("|", 2)
    return (parts[0], parts[1]) if len(parts) >= 2 else None


def build(
    nodes: Nodes, adj: Adjacency, *, legacy: bool = False
) -> tuple[nx.MultiDiGraph, dict[str, set[str]], RelIndex, EdgeShare]:
    """The graph, its label index, its relationship index and its shared objects, from a
    snapshot's decoded nodes and adjacency, whose dicts become the graph's own (the caller
    hands them over): the successor map is ``adj`` itself, each predecessor entry shares its
    key dict. ``legacy``: a snapshot of format 3 or before, keyed ``(type, _key)`` with
    ``_key`` and ``_type`` among the attributes, converted on the way."""
    g = nx.MultiDiGraph()
    node, succ, pred = g._node, g._succ, g._pred
    intern = _Interner()
    share = EdgeShare()
    by_label: dict[str, set[str]] = {}
    for node_id, attrs in nodes.items():
        node[node_id] = intern.attrs(attrs)
        pred[node_id] = {}
        for label in attrs[LABELS]:
            by_label.setdefault(label, set()).add(node_id)
    index = RelIndex(g)
    seen: set[int] = set()  # key dicts already taken in (shared ones come many times)
    for u, targets in adj.items():
        if u not in node:
            raise StoreCorrupt(f"relationships leave {u}, a node the snapshot lacks")
        succ[u] = targets
        for v, keyed in targets.items():
            into = pred.get(v)
            if into is None:
                raise StoreCorrupt(f"relationships from {u} reach {v}, a node the snapshot lacks")
            if legacy:
                keyed = targets[v] = _converted(keyed, u, v)
            if id(keyed) not in seen:
                if len(keyed) == 1:
                    ((nx_key, attrs),) = keyed.items()
                    shared_key, shared_attrs = share.key(nx_key), share.attrs(attrs, intern)
                    if shared_key is not nx_key or shared_attrs is not attrs:
                        keyed.clear()
                        keyed[shared_key] = shared_attrs
                    keyed = targets[v] = share.keydict(keyed)
                else:
                    shared = {share.key(k): share.attrs(a, intern) for k, a in keyed.items()}
                    keyed.clear()
                    keyed.update(shared)
                seen.add(id(keyed))
            into[u] = keyed  # networkx shares one key dict between the two ends
            for nx_key in keyed:
                index.add((nx_key[0], full_key(u, v, nx_key)), u, v)
    for node_id in node:
        if node_id not in succ:
            succ[node_id] = {}
    return g, by_label, index, share


def _converted(keyed: dict[Any, dict[str, Any]], u: str, v: str) -> dict[NxKey, dict[str, Any]]:
    """A format-3 key dict (``(type, _key)`` keys, ``_key`` and ``_type`` in the attributes)
    in today's form."""
    out: dict[NxKey, dict[str, Any]] = {}
    for (rel_type, key), attrs in keyed.items():
        attrs.pop(KEY_PROPERTY, None)
        attrs.pop(LEGACY_TYPE, None)
        out[edge_key(rel_type, key, u, v)] = attrs
    return out

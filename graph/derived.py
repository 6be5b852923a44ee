"""Derived properties (``graph.declare.Derived``): computing them, and bringing old stores up to date.

Every node a loader writes gets its kind's derived values where its properties are assembled
(``loaders/build.py``: loads, bulk loads and GraphQL mutations all build their records there),
so a store written by this code holds them. Two cases are left, both handled by ``backfill``:
a store written before a derived property was declared, and one written under an earlier
``Derived.revision`` (or caption width). Each store keeps a *stamp* of the declarations its
values were computed under (``derivation_stamp``); ``backfill`` compares it with the code's,
and only when they differ reads each node's sources and derived values, recomputes them and
writes the nodes whose values differ (one batch, planned on the version it read, like any
writer), then records the new stamp. It runs in ``gongzhi schema``, before ``gongzhi load``
and when ``gongzhi serve`` starts, so a reload of unchanged data or a server start gives an old
store its values; with the stamp current it costs one small read.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from graph import model
from graph.declare import NodeKind
from graph.errors import StoreConflict
from graph.records import NodeRecord, WriteBatch

if TYPE_CHECKING:
    from graph.store import Store

log = logging.getLogger("gongzhi.derived")

#: Every derived property name of the model (none is an input column of any kind).
DERIVED_NAMES: frozenset[str] = frozenset(d.name for k in model.NODE_KINDS for d in k.derived)


def with_derived(kind: NodeKind, props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` with ``kind``'s derived values computed from them (a ``None`` value dropped)."""
    out = {k: v for k, v in props.items() if k not in DERIVED_NAMES}
    for d in kind.derived:
        value = d.value(out)
        if value is not None:
            out[d.name] = value
    return out


def stale(kind: NodeKind, props: Mapping[str, Any]) -> bool:
    """Whether ``props`` (a stored node's) lack a derived value or hold another than computed."""
    return any(props.get(d.name) != d.value(dict(props)) for d in kind.derived)


@cache
def derivation_stamp() -> str:
    """What the stored derived values depend on: every declaration's label, name, sources,
    revision and arguments (a caption's width), hashed."""
    parts = [
        [k.label, d.name, list(d.sources), d.revision, [repr(a) for a in getattr(d.compute, "args", ())]]
        for k in model.NODE_KINDS
        for d in k.derived
    ]
    return hashlib.blake2b(json.dumps(parts, ensure_ascii=False).encode(), digest_size=8).hexdigest()


def backfill(store: Store) -> int:
    """Compute the derived values a store lacks or holds under an older stamp; return how many
    nodes were written. Nothing is read but the stamp when it is current. Another writer
    committing meanwhile (``StoreConflict``) leaves the stamp as it was: the next start or load
    tries again, and what that writer wrote carries its values already."""
    if store.derivation_stamp() == derivation_stamp():
        return 0
    version = store.version()
    batch = WriteBatch()
    # an empty store (a first load) has nothing to bring up to date: only the stamp is recorded
    for kind in () if store.is_empty() else model.NODE_KINDS:
        if not kind.derived:
            continue
        names = sorted({*(s for d in kind.derived for s in d.sources), *(d.name for d in kind.derived)})
        values = store.node_values(kind.label, names)
        ids = sorted(i for i, props in values.items() if stale(kind, props))
        for node_id, node in (store.fetch_nodes(kind.label, ids) if ids else {}).items():
            batch.nodes.append(NodeRecord(kind.label, node.labels, node_id, with_derived(kind, node.props)))
    if batch.nodes:
        try:
            store.write(batch, expect_version=version)
        except StoreConflict:
            log.info("derived values not brought up to date: another writer committed meanwhile")
            return 0
    store.set_derivation_stamp(derivation_stamp())
    log.info("derived values brought up to date on %d nodes", len(batch.nodes))
    return len(batch.nodes)

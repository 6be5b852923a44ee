"""What one chunk of a Neo4j load changes, captured so that it can be undone.

A load that writes in chunks (graph/neo4j_chunks.py) commits each chunk in its own
transaction; to stay all or nothing it must be able to take every committed chunk back. So
each chunk transaction first reads, in the same transaction, what the chunk is about to
change, and stores the inverse as one ``WriteBatch`` (``capture_undo``), which the rollback
applies through the same statements as any write (``write_steps``):

* a created node (``new_nodes``, or an upserted id that was absent): deleted again;
* an updated or deleted node: upserted back with its labels and properties before;
* a created or upserted relationship: every relationship with its key deleted, then those
  there before (an upsert may have replaced one between other nodes) created again;
* a deleted relationship, or one that went with a deleted node (``DETACH DELETE``): created
  again between the same nodes, with its properties.

The inverse holds one entry per item of the chunk (plus the relationships of deleted nodes),
so it is bounded by the chunk size. A first load into an empty store creates only: its undo
is a list of ids, read from the batch itself without a query. The payload is JSON (dates
tagged, so they come back as dates), zlib-compressed, stored as bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from neo4j import ManagedTransaction
from neo4j.time import Date, DateTime

from graph import model
from graph.errors import StoreError
from graph.neo4j_cypher import chunks, fetch_nodes_cypher
from graph.records import NodeRecord, RelRecord, WriteBatch
from graph.schema import identifier

#: The endpoints of a relationship by base label and id, so that it can be created again.
_REL_IMAGE = (
    "RETURN elementId(r) AS eid, type(r) AS type, r._key AS key, "
    "[x IN labels(a) WHERE x IN $bases][0] AS from_label, a.id AS from_id, "
    "[x IN labels(b) WHERE x IN $bases][0] AS to_label, b.id AS to_id, properties(r) AS props"
)


@cache
def rels_by_key_image_cypher(rel_type: str) -> str:
    """Every ``rel_type`` relationship with one of ``$keys``, as ``_REL_IMAGE``."""
    if rel_type not in model.all_relationship_types():
        raise StoreError(f"unknown relationship type {rel_type!r}")
    return f"UNWIND $keys AS key MATCH (a)-[r:{identifier(rel_type)} {{_key: key}}]->(b) " + _REL_IMAGE


@cache
def attached_image_cypher(label: str) -> str:
    """Every relationship touching the nodes ``$ids`` of ``label``, either way, as ``_REL_IMAGE``."""
    if label not in model.all_labels():
        raise StoreError(f"unknown node label {label!r}")
    return (
        f"UNWIND $ids AS id MATCH (n:{identifier(label)} {{id: id}})-[r]-() "
        "WITH DISTINCT r WITH r, startNode(r) AS a, endNode(r) AS b " + _REL_IMAGE
    )


def capture_undo(tx: ManagedTransaction, chunk: WriteBatch, size: int) -> WriteBatch:
    """The batch that takes ``chunk`` back, read in ``tx`` before ``chunk`` is applied there."""
    undo = WriteBatch()
    bases = sorted(model.base_labels())
    seen: set[str] = set()  # relationships already captured (by element id, this transaction)

    def keep(rows: Iterable[Any]) -> None:
        for r in rows:
            if r["eid"] in seen:
                continue
            seen.add(r["eid"])
            if r["type"] not in model.all_relationship_types() or r["from_label"] is None or r["to_label"] is None:
                raise StoreError(
                    "a relationship outside the model touches an item this load changes; it cannot be undone",
                    message_zh="本次导入涉及的数据上有模型之外的关系，无法保证可回滚，未写入",
                )
            props = _plain(dict(r["props"]))
            undo.new_rels.append(
                RelRecord(r["type"], r["key"], r["from_label"], r["from_id"], r["to_label"], r["to_id"], props)
            )

    def before_images(label: str, ids: list[str]) -> dict[str, NodeRecord]:
        found: dict[str, NodeRecord] = {}
        for part in chunks(ids, size):
            for r in tx.run(fetch_nodes_cypher(label), ids=list(part)):
                labels = tuple(sorted(r["labels"]))
                base = next((x for x in labels if x in bases), label)
                found[r["id"]] = NodeRecord(base, labels, r["id"], _plain(dict(r["props"])))
        return found

    for rel_type, keys in _by_kind(chunk.delete_rels).items():
        for part in chunks(keys, size):
            keep(tx.run(rels_by_key_image_cypher(rel_type), keys=list(part), bases=bases))
    for label, ids in _by_kind(chunk.delete_nodes).items():
        for part in chunks(ids, size):
            keep(tx.run(attached_image_cypher(label), ids=list(part), bases=bases))
        undo.nodes.extend(before_images(label, ids).values())
    by_label: dict[str, list[str]] = defaultdict(list)
    for node in chunk.nodes:
        by_label[node.label].append(node.id)
    for label, ids in by_label.items():
        existing = before_images(label, ids)
        undo.nodes.extend(existing.values())
        undo.delete_nodes.extend((label, i) for i in ids if i not in existing)
    undo.delete_nodes.extend((n.label, n.id) for n in chunk.new_nodes)
    by_type: dict[str, list[str]] = defaultdict(list)
    for rel in chunk.rels:
        by_type[rel.type].append(rel.key)
    for rel_type, keys in by_type.items():
        for part in chunks(keys, size):
            keep(tx.run(rels_by_key_image_cypher(rel_type), keys=list(part), bases=bases))
        undo.delete_rels.extend((rel_type, k) for k in keys)
    undo.delete_rels.extend((r.type, r.key) for r in chunk.new_rels)
    return undo


def _by_kind(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """``(kind, value)`` pairs as values by kind, in first-seen order."""
    out: dict[str, list[str]] = defaultdict(list)
    for kind, value in pairs:
        out[kind].append(value)
    return out


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    """Driver values as plain Python (dates as ``datetime.date``)."""
    return {k: _plain_value(v) for k, v in props.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, Date | DateTime):
        return value.to_native()
    if isinstance(value, list):
        return [_plain_value(v) for v in value]
    return value


# ---------------------------------------------------------------- the payload


def encode(batch: WriteBatch) -> bytes:
    """``batch`` as compressed JSON (``decode`` reads it back equal)."""
    data = {
        "delete_rels": batch.delete_rels,
        "delete_nodes": batch.delete_nodes,
        "nodes": [[n.label, list(n.labels), n.id, n.props] for n in batch.nodes],
        "new_rels": [[r.type, r.key, r.from_label, r.from_id, r.to_label, r.to_id, r.props] for r in batch.new_rels],
    }
    return zlib.compress(json.dumps(data, default=_tag, ensure_ascii=False).encode(), 1)


def decode(payload: bytes) -> WriteBatch:
    try:
        data = json.loads(zlib.decompress(payload), object_hook=_untag)
    except (zlib.error, ValueError) as exc:
        raise StoreError(
            f"a load's undo record cannot be read ({type(exc).__name__})", message_zh="导入的回滚记录无法读取"
        ) from None
    return WriteBatch(
        delete_rels=[(t, k) for t, k in data["delete_rels"]],
        delete_nodes=[(label, i) for label, i in data["delete_nodes"]],
        nodes=[NodeRecord(label, tuple(labels), i, props) for label, labels, i, props in data["nodes"]],
        new_rels=[RelRecord(*row) for row in data["new_rels"]],
    )


def _tag(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise StoreError(f"a stored value of type {type(value).__name__} cannot be kept for undo")


_UNTAG: dict[str, Callable[[str], Any]] = {"$date": dt.date.fromisoformat, "$datetime": dt.datetime.fromisoformat}


def _untag(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((key, value),) = obj.items()
        if key in _UNTAG:
            return _UNTAG[key](value)
    return obj

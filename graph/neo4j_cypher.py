"""The Cypher the Neo4j store sends, generated from the model's declarations.

Labels and relationship types cannot be Cypher parameters, so each statement that needs one
is generated here, after the name is checked against ``graph/model.py`` (``StoreError``
otherwise): no label or type from input ever reaches Cypher text. Every value is a
parameter. ``write_steps`` turns one ``WriteBatch`` into the statements of its single
transaction: ``UNWIND $rows`` of at most ``batch_size`` rows, grouped by node label set and
by (relationship type, from label, to label), in the order ``WriteBatch`` documents.

``id`` and ``_key`` travel inside the property map and are replaced by ``SET x = map`` only,
never removed and set again: an unchanged value is then no change at all, whereas a
removed-and-reset indexed property enters the transaction's index state, and every later
index seek in the same transaction pays for it (a reload of 50,000 relationships went from
44 s to 3 s).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple, TypeVar

from graph import model
from graph.declare import KEY_PROPERTY as KEY
from graph.errors import StoreError
from graph.provenance import STORED_META
from graph.records import RelRecord, WriteBatch
from graph.schema import META_LABEL, META_LABELS, identifier

#: A trivial read: the server answers and the credentials and database are good.
PING = "RETURN 1 AS ok"
#: New indexes populate in the background; wait so that the first load can use them.
AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"
#: Deletes in chunks, so that clearing a city's graph does not need one huge transaction.
#: The version node stays (and ``CLEARED`` moves it on): a plan made before is stale. Load
#: and undo records go too: after a clear there is nothing a load could roll back to.
CLEAR = (
    f"MATCH (n) WHERE NOT n:{META_LABEL} CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS"
)
#: After ``CLEAR``: the version moves on and no load holds the store any more.
CLEARED = (
    f"MERGE (m:{META_LABEL} {{id: 'store'}}) ON CREATE SET m.version = 0 "
    "WITH m SET m.version = m.version + 1 REMOVE m.load"
)

_NOT_META = " AND ".join(f"NOT n:{label}" for label in META_LABELS)
#: Whether the database holds any node of the model (one node is enough to know).
ANY_NODE = f"RETURN EXISTS {{ MATCH (n) WHERE {_NOT_META} }} AS found"

#: The store's version (``Store.version``); 0 before the first write.
READ_VERSION = f"OPTIONAL MATCH (m:{META_LABEL} {{id: 'store'}}) RETURN coalesce(m.version, 0) AS version"
#: The first statement of every write transaction: it moves the version on and so takes the
#: version node's write lock, held until commit. Writers therefore commit one at a time, and
#: each sees the version its predecessor committed (``before``), which the store compares
#: with the version the write was planned on. ``load`` names a chunked load that holds the
#: store (graph/neo4j_chunks.py): the write is then refused.
BUMP_VERSION = (
    f"MERGE (m:{META_LABEL} {{id: 'store'}}) ON CREATE SET m.version = 0 "
    "WITH m SET m.version = m.version + 1 RETURN m.version - 1 AS before, m.version AS after, m.load AS load"
)

#: The stamp of the derived declarations the stored derived values follow (graph/derived.py).
READ_DERIVATION = f"OPTIONAL MATCH (m:{META_LABEL} {{id: 'store'}}) RETURN m.derivation AS stamp"
SET_DERIVATION = (
    f"MERGE (m:{META_LABEL} {{id: 'store'}}) ON CREATE SET m.version = 0 WITH m SET m.derivation = $stamp"
)

#: Every relationship touching the given nodes, either direction, with its start's labels.
ATTACHED_RELS_TEMPLATE = (
    "UNWIND $ids AS id MATCH (n:{label} {{id: id}})-[r]-(m) "
    "RETURN type(r) AS type, CASE WHEN startNode(r) = n THEN $label ELSE "
    "[x IN labels(m) WHERE x IN $bases][0] END AS from_label, r._key AS key"
)
#: Resamples every index, waits for that, then drops cached plans, so that the next queries
#: are planned on the graph as it now is. Dropping plans alone is not enough: a plan made
#: right after a large load still used the index samples of the small graph before it (an
#: index scan where a unique seek belonged; one count took 168 s instead of 0.3 s). Admin only.
PREPARE_FOR_REPLANNING = "CALL db.prepareForReplanning()"
#: The fallback for a user who may not resample: drops cached plans only.
CLEAR_QUERY_CACHES = "CALL db.clearQueryCaches()"
#: The status code of a transaction that outgrew the memory the server allows it.
OUT_OF_MEMORY = "MemoryPoolOutOfMemoryError"
#: The status code of a transaction the server ended at its timeout.
TIMED_OUT = "TransactionTimedOut"

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


# ---------------------------------------------------------------- statements from declarations


def _label(name: str) -> str:
    if name not in model.all_labels():
        raise StoreError(f"unknown node label {name!r}")
    return identifier(name)


def _rel_type(name: str) -> str:
    if name not in model.all_relationship_types():
        raise StoreError(f"unknown relationship type {name!r}")
    return identifier(name)


@cache
def delete_rels_cypher(rel_type: str) -> str:
    return f"UNWIND $keys AS key MATCH ()-[r:{_rel_type(rel_type)} {{_key: key}}]->() DELETE r"


@cache
def delete_nodes_cypher(label: str) -> str:
    return f"UNWIND $ids AS id MATCH (n:{_label(label)} {{id: id}}) DETACH DELETE n"


@cache
def upsert_nodes_cypher(label: str, labels: frozenset[str]) -> str:
    """Replace properties and labels of nodes of ``label`` that carry exactly ``labels``.

    The kind's conditional labels missing from ``labels`` are removed (a member who left
    the party is no longer a ``PartyMember``); its fixed extra labels are always set.
    """
    kind = model.node_kind(label)
    if label not in labels or not labels <= set(kind.all_labels):
        raise StoreError(f"labels do not fit node kind {label!r}")
    add = [_label(x) for x in kind.all_labels if x in labels and x != label]
    remove = [_label(c.label) for c in kind.conditional_labels if c.label not in labels]
    lines = [
        "UNWIND $rows AS row",
        f"MERGE (n:{_label(label)} {{id: row.id}})",
        "SET n = row.props",
    ]
    if add:
        lines.append("SET n:" + ":".join(add))
    if remove:
        lines.append("REMOVE n:" + ":".join(remove))
    return "\n".join(lines)


@cache
def create_nodes_cypher(label: str, labels: frozenset[str]) -> str:
    """Create nodes known to be new (``WriteBatch.new_nodes``): no look-up first.

    The id's uniqueness constraint still guards it: a node that exists after all fails the
    transaction instead of being duplicated.
    """
    kind = model.node_kind(label)
    if label not in labels or not labels <= set(kind.all_labels):
        raise StoreError(f"labels do not fit node kind {label!r}")
    names = [_label(label), *(_label(x) for x in kind.all_labels if x in labels and x != label)]
    return "\n".join(["UNWIND $rows AS row", f"CREATE (n:{':'.join(names)})", "SET n = row.props"])


@cache
def create_rels_cypher(rel_type: str, from_label: str, to_label: str) -> str:
    """Create relationships known to be new (``WriteBatch.new_rels``) and count them.

    Their ends are still matched, so a missing end node shows as a count short of the rows.
    """
    return "\n".join(
        [
            "UNWIND $rows AS row",
            f"MATCH (a:{_label(from_label)} {{id: row.from_id}})",
            f"MATCH (b:{_label(to_label)} {{id: row.to_id}})",
            f"CREATE (a)-[r:{_rel_type(rel_type)}]->(b)",
            "SET r = row.props",
            "RETURN count(r) AS written",
        ]
    )


@cache
def upsert_rels_cypher(rel_type: str, from_label: str, to_label: str) -> str:
    """Upsert relationships by ``_key`` and return how many were written.

    A relationship of the same type and key between other nodes is deleted first, so a key
    identifies one relationship, as on the embedded store.
    """
    t = _rel_type(rel_type)
    return "\n".join(
        [
            "UNWIND $rows AS row",
            f"MATCH (a:{_label(from_label)} {{id: row.from_id}})",
            f"MATCH (b:{_label(to_label)} {{id: row.to_id}})",
            "CALL (row, a, b) {",
            f"  MATCH (x)-[old:{t} {{_key: row.key}}]->(y) WHERE x <> a OR y <> b",
            "  DELETE old",
            "}",
            f"MERGE (a)-[r:{t} {{_key: row.key}}]->(b)",
            "SET r = row.props",
            "RETURN count(r) AS written",
        ]
    )


@cache
def attached_rels_cypher(label: str) -> str:
    return ATTACHED_RELS_TEMPLATE.format(label=_label(label))


@cache
def find_ids_cypher(label: str) -> str:
    return f"UNWIND $ids AS id MATCH (n:{_label(label)} {{id: id}}) RETURN n.id AS id"


@cache
def fetch_nodes_cypher(label: str) -> str:
    return (
        f"UNWIND $ids AS id MATCH (n:{_label(label)} {{id: id}}) "
        "RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
    )


def node_values_cypher(label: str, names: tuple[str, ...]) -> str:
    """``Store.node_values``: the id and the named properties of every node of ``label``."""
    projection = ", ".join(f".{identifier(n)}" for n in names)
    return f"MATCH (n:{_label(label)}) RETURN n.id AS id, n {{{projection}}} AS props"


@cache
def fetch_meta_cypher(label: str, rel_type: str | None = None) -> str:
    """``Store.fetch_meta``: the id (``_key``) and the meta properties (``STORED_META``, in its
    order; an absent one null) of each node or of each relationship leaving it, collected into
    one row: the driver's cost is per record, and a reload asks this of every item."""
    if rel_type is None:
        match = f"MATCH (n:{_label(label)} {{id: id}})"
        fields = ["n.id", *(f"n.{identifier(p)}" for p in STORED_META)]
    else:
        match = f"MATCH (:{_label(label)} {{id: id}})-[r:{_rel_type(rel_type)}]->()"
        fields = ["r._key", *(f"r.{identifier(p)}" for p in STORED_META)]
    return f"UNWIND $ids AS id {match} RETURN collect([{', '.join(fields)}]) AS rows"


@cache
def fetch_rels_cypher(rel_type: str, from_label: str) -> str:
    return (
        f"UNWIND $ids AS id MATCH (a:{_label(from_label)} {{id: id}})-[r:{_rel_type(rel_type)}]->(b) "
        "RETURN r._key AS key, a.id AS from_id, b.id AS to_id, properties(r) AS props"
    )


@cache
def fetch_rels_by_key_cypher(rel_type: str) -> str:
    return (
        f"UNWIND $keys AS key MATCH (a)-[r:{_rel_type(rel_type)} {{_key: key}}]->(b) "
        "RETURN r._key AS key, a.id AS from_id, b.id AS to_id, properties(r) AS props"
    )


@cache
def node_source_cypher(label: str) -> str:
    return f"MATCH (n:{_label(label)}) WHERE n._source = $source RETURN n.id AS id"


@cache
def rel_source_cypher(rel_type: str) -> str:
    return f"MATCH ()-[r:{_rel_type(rel_type)}]->() WHERE r._source = $source RETURN r._key AS key"


@cache
def count_label_cypher(label: str) -> str:
    return f"MATCH (n:{_label(label)}) RETURN count(n) AS n"


@cache
def count_rel_cypher(rel_type: str) -> str:
    return f"MATCH ()-[r:{_rel_type(rel_type)}]->() RETURN count(r) AS n"


@cache
def count_degree_cypher(label: str, rel_type: str, direction: str) -> str:
    """One count the count store answers without reading a node: one label, one type, one end."""
    arrow = f"-[r:{_rel_type(rel_type)}]->()" if direction == "out" else f"<-[r:{_rel_type(rel_type)}]-()"
    return f"MATCH (:{_label(label)}){arrow} RETURN count(r) AS n"


def to_param(value: Any) -> Any:
    """A Python value as the driver takes it (dates as they are; sets and tuples as lists)."""
    if isinstance(value, Mapping):
        return {str(k): to_param(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_param(v) for v in value]
    return value


# ---------------------------------------------------------------- a batch as statements


class Step(NamedTuple):
    """One statement of a batch; ``expected`` is the relationship count it must write."""

    cypher: str
    params: dict[str, Any]
    expected: int | None = None
    what: str = ""


def write_steps(batch: WriteBatch, size: int) -> list[Step]:
    """The statements applying ``batch``, in the order ``WriteBatch`` documents."""
    steps: list[Step] = []
    for rel_type, keys in _group(batch.delete_rels, lambda d: d[0]).items():
        for chunk in chunks(keys, size):
            steps.append(Step(delete_rels_cypher(rel_type), {"keys": [k for _, k in chunk]}))
    for label, ids in _group(batch.delete_nodes, lambda d: d[0]).items():
        for chunk in chunks(ids, size):
            steps.append(Step(delete_nodes_cypher(label), {"ids": [i for _, i in chunk]}))
    for node_records, make_node in ((batch.nodes, upsert_nodes_cypher), (batch.new_nodes, create_nodes_cypher)):
        for (label, labels), nodes in _group(node_records, lambda n: (n.label, frozenset(n.labels))).items():
            cypher = make_node(label, labels)
            for node_chunk in chunks(nodes, size):
                rows = [{"id": n.id, "props": to_param({**n.props, "id": n.id})} for n in node_chunk]
                steps.append(Step(cypher, {"rows": rows}))
    steps.extend(_rel_steps(batch.rels, upsert_rels_cypher, size))
    steps.extend(_rel_steps(batch.new_rels, create_rels_cypher, size))
    return steps


def _rel_steps(records: list[RelRecord], make: Callable[[str, str, str], str], size: int) -> Iterator[Step]:
    for (rel_type, a, b), rels in _group(records, lambda r: (r.type, r.from_label, r.to_label)).items():
        cypher = make(rel_type, a, b)
        for rel_chunk in chunks(rels, size):
            rows = [
                {
                    "key": r.key,
                    "from_id": r.from_id,
                    "to_id": r.to_id,
                    "props": to_param({**r.props, KEY: r.key}),
                }
                for r in rel_chunk
            ]
            yield Step(cypher, {"rows": rows}, len(rows), f"{rel_type} ({a} -> {b})")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _group(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """Items by ``key``, in first-seen order (so a batch is applied in a stable order)."""
    groups: dict[K, list[T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups

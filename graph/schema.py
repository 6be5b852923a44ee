"""The Neo4j constraints and indexes, derived from the model declarations.

Why these and no others:

* ``id`` is unique per base label, and also per ``Place`` and ``Committee`` because ids are
  unique across the whole graph and queries look places and committees up by id without
  knowing their kind. The uniqueness constraint doubles as the index every ``MERGE`` and
  ``MATCH {id: ...}`` of the write path relies on.
* ``_source`` is indexed per base label and per relationship type so that a reload can find
  what an earlier load of the same file wrote (``Store.source_items``) without a scan.
* ``_key`` is indexed per relationship type: relationship upserts and deletes find an
  existing relationship by it.
* Columns and derived properties declared ``indexed=True`` get an index on their label or
  relationship type (``Person.name_initials``: search by pinyin initials).

Every statement is ``IF NOT EXISTS`` with a deterministic name (``gz_person_id``,
``gz_rel_member_of_key``), so applying the schema twice changes nothing and the names can
be listed, compared and dropped by tools. Labels, types and property names come only from
``graph/model.py``; each is still checked to be a plain identifier before it is
interpolated, so a typo in a declaration fails here rather than as broken Cypher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph import model
from graph.declare import KEY_PROPERTY, SOURCE_PROPERTY

#: Labels that share one id space across several node kinds.
SHARED_ID_LABELS = ("Place", "Committee")

#: The label of the one node that holds the store's version (``Store.version``) on Neo4j. It
#: is no node kind: stats, queries and exports never see it; its unique id makes the MERGE
#: that creates it safe under concurrent writers.
META_LABEL = "GongzhiStore"
#: The record of a Neo4j load writing in chunks (graph/neo4j_chunks.py): its state, owner
#: process and heartbeat, while it runs or is rolled back. Unique id: one node per load.
LOAD_LABEL = "GongzhiLoad"
#: One chunk's undo information of a load in progress (before-images, created ids); unique id.
UNDO_LABEL = "GongzhiUndo"
#: Labels of the store's own bookkeeping, which no node kind, count or query ever sees.
META_LABELS = (META_LABEL, LOAD_LABEL, UNDO_LABEL)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def identifier(name: str) -> str:
    """``name`` unchanged if it may stand unquoted in Cypher as a label, type or property.

    Only declarations reach this; a failure is a bug in ``graph/model.py``, not bad input.
    """
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain Cypher identifier: {name!r}")
    return name


def _snake(name: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", name).lower()


@dataclass(frozen=True)
class SchemaItem:
    """One constraint or index: its name, the statement creating it, and what it is on."""

    name: str
    statement: str
    target: str  # the label or relationship type
    property: str
    is_relationship: bool = False


def _unique_id(label: str) -> SchemaItem:
    name = f"gz_{_snake(label)}_id"
    return SchemaItem(
        name,
        f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{identifier(label)}) REQUIRE n.id IS UNIQUE",
        label,
        "id",
    )


def _node_index(label: str, prop: str) -> SchemaItem:
    name = f"gz_{_snake(label)}_{prop.lstrip('_')}"
    return SchemaItem(
        name,
        f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{identifier(label)}) ON (n.{identifier(prop)})",
        label,
        prop,
    )


def _rel_index(rel_type: str, prop: str) -> SchemaItem:
    name = f"gz_rel_{rel_type.lower()}_{prop.lstrip('_')}"
    return SchemaItem(
        name,
        f"CREATE INDEX {name} IF NOT EXISTS FOR ()-[r:{identifier(rel_type)}]-() ON (r.{identifier(prop)})",
        rel_type,
        prop,
        is_relationship=True,
    )


def schema_items() -> list[SchemaItem]:
    """Every constraint and index of the model, constraints first, in declaration order."""
    items: list[SchemaItem] = [_unique_id(kind.label) for kind in model.NODE_KINDS]
    items += [_unique_id(label) for label in SHARED_ID_LABELS]
    items += [_unique_id(label) for label in META_LABELS]
    for kind in model.NODE_KINDS:
        items.append(_node_index(kind.label, SOURCE_PROPERTY))
        items += [_node_index(kind.label, c.name) for c in kind.property_columns if c.indexed]
        items += [_node_index(kind.label, d.name) for d in kind.derived if d.indexed]
    rel_columns = {rk.type: rk.columns for rk in model.REL_KINDS}
    for rel_type in model.all_relationship_types():
        items.append(_rel_index(rel_type, KEY_PROPERTY))
        items.append(_rel_index(rel_type, SOURCE_PROPERTY))
        items += [_rel_index(rel_type, c.name) for c in rel_columns.get(rel_type, ()) if c.indexed]
    names = [i.name for i in items]
    if len(set(names)) != len(names):
        raise ValueError("two schema items of the model have the same name")
    return items


def schema_statements() -> list[tuple[str, str]]:
    """(name, statement) for every constraint and index, ready to run one by one."""
    return [(i.name, i.statement) for i in schema_items()]

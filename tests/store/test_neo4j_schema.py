"""The Neo4j schema: derived from the declarations, complete, and idempotent on the real server."""

from __future__ import annotations

import re

import pytest

from graph import model
from graph.declare import KEY_PROPERTY, SOURCE_PROPERTY
from graph.query import Query
from graph.schema import SHARED_ID_LABELS, schema_items, schema_statements
from graph.store import Store


def _on(label: str, prop: str) -> str:
    return f"FOR (n:{label}) ON (n.{prop})"


def _on_rel(rel_type: str, prop: str) -> str:
    return f"FOR ()-[r:{rel_type}]-() ON (r.{prop})"


STATEMENTS = [s for _, s in schema_statements()]


def test_every_node_kind_and_shared_label_has_a_unique_id() -> None:
    for label in [k.label for k in model.NODE_KINDS] + list(SHARED_ID_LABELS):
        assert f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" in "\n".join(STATEMENTS), label


def test_every_base_label_has_a_source_index_and_its_indexed_columns() -> None:
    text = "\n".join(STATEMENTS)
    for kind in model.NODE_KINDS:
        assert _on(kind.label, SOURCE_PROPERTY) in text
        for column in kind.property_columns:
            assert (_on(kind.label, column.name) in text) == column.indexed, (kind.label, column.name)
        for derived in kind.derived:
            assert (_on(kind.label, derived.name) in text) == derived.indexed, (kind.label, derived.name)
    assert _on("Person", "name_initials") in text  # search by pinyin initials


def test_every_relationship_type_has_key_and_source_indexes() -> None:
    text = "\n".join(STATEMENTS)
    types = model.all_relationship_types()
    assert {"PART_OF", "LIVES_IN", "MEMBER_OF"} <= set(types)  # inline and tabled
    for rel_type in types:
        assert _on_rel(rel_type, KEY_PROPERTY) in text
        assert _on_rel(rel_type, SOURCE_PROPERTY) in text
    for rk in model.REL_KINDS:
        for column in rk.columns:
            assert (_on_rel(rk.type, column.name) in text) == column.indexed, (rk.type, column.name)


def test_names_are_deterministic_unique_and_statements_idempotent() -> None:
    pairs = schema_statements()
    assert pairs == schema_statements()
    names = [n for n, _ in pairs]
    assert len(names) == len(set(names))
    assert "gz_person_id" in names and "gz_rel_member_of_key" in names
    for name, statement in pairs:
        assert re.fullmatch(r"gz_[a-z0-9_]+", name)
        assert statement.startswith(("CREATE CONSTRAINT ", "CREATE INDEX "))
        assert f" {name} IF NOT EXISTS " in statement
    # constraints first: the unique-id indexes exist before the other indexes populate
    kinds = [i.statement.split()[1] for i in schema_items()]
    assert kinds == sorted(kinds)


def _unavailable(*_: object) -> list[dict[str, object]]:
    raise AssertionError("a Neo4j-only query")


SHOW_SCHEMA = Query(
    name="test_show_schema",
    cypher=(
        "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state, owningConstraint "
        "WHERE name STARTS WITH 'gz_' OR owningConstraint STARTS WITH 'gz_' "
        "RETURN coalesce(owningConstraint, name) AS name, type, entityType, labelsOrTypes, properties, state "
        "ORDER BY name"
    ),
    networkx=_unavailable,
)


@pytest.mark.neo4j
def test_applying_twice_changes_nothing(_neo4j_store: Store) -> None:
    first = _neo4j_store.apply_schema()
    before = _neo4j_store.run(SHOW_SCHEMA)
    second = _neo4j_store.apply_schema()
    after = _neo4j_store.run(SHOW_SCHEMA)
    assert first == second == [n for n, _ in schema_statements()]
    assert before == after
    assert sorted(r["name"] for r in after) == sorted(first)
    assert {r["state"] for r in after} == {"ONLINE"}
    by_name = {r["name"]: r for r in after}
    assert by_name["gz_person_id"]["labelsOrTypes"] == ["Person"]
    assert by_name["gz_person_id"]["properties"] == ["id"]
    assert by_name["gz_rel_holds_role_key"]["entityType"] == "RELATIONSHIP"
    assert by_name["gz_rel_holds_role_key"]["properties"] == [KEY_PROPERTY]

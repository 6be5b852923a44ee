"""``graph/visibility.py`` against the API's own anchors and Jurisdiction, over a generated
world, every node of every label, on both stores."""

from __future__ import annotations

from typing import Any

from api.graphql.reads.anchors import anchors_cypher as api_anchors_cypher
from api.graphql.reads.anchors import anchors_nx
from api.graphql.reads.nodes import SUBTREE
from api.graphql.scope import Jurisdiction, Obj
from graph.embedded import EmbeddedStore
from graph.model import NODE_KINDS
from graph.query import Query
from graph.select import Scope, Select
from graph.store import Store
from graph.visibility import anchors, anchors_cypher
from tests.store.select_oracle import World
from tests.store.select_oracle import anchors as oracle_anchors

AREAS = ("C-0001", "S-0001", "CM-0001", "CM-0002", "CM-0003", "G-00002", "P-00001", "B-000001", "nowhere")


def _no_nx(g: Any, p: Any) -> list[Any]:
    raise AssertionError("Cypher only")


def stored_anchors(store: Store, label: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per node of ``label``: (this module's anchors, the API's anchors), as the store computes them."""
    if isinstance(store, EmbeddedStore):
        with store._reader() as g:
            return {n: (anchors(g, n), anchors_nx(g, n)) for n in g.ids(label)}
    cypher = (
        f"MATCH (n:{label}) RETURN n.id AS id, "
        f"[a IN {anchors_cypher('n', label)} | a.id] AS mine, {api_anchors_cypher('n')} AS api"
    )
    rows = store.run(Query("test.anchors", cypher, _no_nx), {})
    return {r["id"]: (sorted(set(r["mine"])), r["api"]) for r in rows}


#: kinds the street has none of (a province: tests/store/test_visibility_province.py)
NOT_IN_THE_STREET = ("Province",)


def test_anchors_equal_the_apis_on_every_node(world_store: Store, world: World) -> None:
    for kind in NODE_KINDS:
        if kind.label in NOT_IN_THE_STREET:
            continue
        got = stored_anchors(world_store, kind.label)
        assert got, kind.label
        for node, (mine, api) in got.items():
            assert mine == api, (kind.label, node)
            assert set(mine) == oracle_anchors(world, node), (kind.label, node)


def test_visibility_equals_the_jurisdiction_of_the_api(world_store: Store) -> None:
    for area in AREAS:
        rows = world_store.run(SUBTREE, {"area": area})
        jurisdiction = (
            Jurisdiction(rows[0]["area"], bool(rows[0]["root"]), frozenset(rows[0]["ids"]))
            if rows else Jurisdiction(area, False, frozenset())
        )
        for kind in NODE_KINDS:
            everything = stored_anchors(world_store, kind.label)
            expected = {n for n, (_, api) in everything.items() if jurisdiction.contains(Obj(n, (), {}, tuple(api)))}
            got = world_store.select(Select(kind.label), Scope(area))
            assert {r["id"] for r in got.rows} == expected, (area, kind.label)

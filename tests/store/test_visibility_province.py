"""``graph/visibility.py`` in a province of two generated cities, on both stores: every node's
anchors equal the API's and the oracle's (the province included), and what a user bound to
the province, to a city or below sees through the compiled reads is the API's jurisdiction."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.graphql.reads.nodes import SUBTREE
from api.graphql.scope import Jurisdiction, Obj
from graph.model import NODE_KINDS
from graph.select import Scope, Select
from graph.store import Store
from loaders.generate import generate
from loaders.load import load
from tests.conftest import make_store
from tests.store.select_oracle import anchors as oracle_anchors
from tests.store.select_oracle import read_world
from tests.store.test_visibility import stored_anchors

AREAS = ("PV-0001", "C-0002", "nowhere")


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province") / "input"
    generate("community", 3, out, cities=2, headers="en")
    return out


@pytest.mark.parametrize("kind", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_anchors_and_jurisdiction_in_a_province(
    kind: str, province: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store: Store = make_store(kind, tmp_path, request)
    try:
        load(store, province, source="province")
        world = read_world(province)
        stored = {k.label: stored_anchors(store, k.label) for k in NODE_KINDS}
        for k in NODE_KINDS:
            got = stored[k.label]
            assert got, k.label
            for node, (mine, api) in got.items():
                assert mine == api, (k.label, node)
                assert set(mine) == oracle_anchors(world, node), (k.label, node)
        seen: dict[str, int] = {}
        for area in AREAS:
            rows = store.run(SUBTREE, {"area": area})
            jurisdiction = (
                Jurisdiction(rows[0]["area"], bool(rows[0]["root"]), frozenset(rows[0]["ids"]))
                if rows else Jurisdiction(area, False, frozenset())
            )
            seen[area] = 0
            for k in NODE_KINDS:
                everything = stored[k.label]
                expected = {n for n, (_, api) in everything.items() if jurisdiction.contains(Obj(n, (), {}, tuple(api)))}
                got_rows = store.select(Select(k.label), Scope(area))
                assert {r["id"] for r in got_rows.rows} == expected, (area, k.label)
                seen[area] += len(expected)
        # the province sees both cities; a city less than that, nowhere nothing
        assert seen["PV-0001"] > seen["C-0002"] > 0 and seen["nowhere"] == 0
    finally:
        if store.kind == "embedded":
            store.close()

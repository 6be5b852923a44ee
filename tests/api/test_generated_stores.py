"""The generated API gives the same answers on both stores, request by request (filters, sorts
by counts, pages, aggregates, groups, nested dated lists), for a city user and for an organizer
of one community."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.graphql.limits import DEFAULT_LIMITS
from tests.api.client import Api
from tests.api.conftest import loaded_store

pytestmark = pytest.mark.neo4j

DOCS = [
    """{ graph { compounds(orderBy: [{field: BUILDINGS_COUNT, direction: DESC}, {field: NAME}], first: 50) {
        totalCount nodes { key name households buildings(first: 5, orderBy: [{field: RESIDENTS}]) { totalCount
        nodes { key residents entrances { totalCount } } } } aggregate { count households { min max avg sum } } } } }""",
    """{ graph { buildings(first: 100, where: {OR: [{residents: {gt: 200}}, {coveredByNone: {node: {level: {eq: GROUP}}}}],
        NOT: {entrancesCount: {lt: 2}}}) { totalCount nodes { key compound { key grid { key } } }
        groupBy(level: COMMUNITY) { place { key name } count } } } }""",
    """{ graph { persons(first: 100, where: {politicalStatus: {in: [MEMBER, PROBATIONARY]}},
        orderBy: [{field: JOINED_ON, direction: DESC}]) { totalCount edges { cursor node { key joinedOn gender
        memberships(current: false) { edges { rel { since until } node { key level } } } } } pageInfo { hasNextPage } } } }""",
    """{ graph { partyOrgs(first: 100, orderBy: [{field: MEMBERS_COUNT, direction: DESC}]) { totalCount nodes { key level
        members(asOf: "2024-01-01") { totalCount } children { totalCount } parent { key }
        coversBuildings { totalCount } } aggregate { count establishedOn { min max } } } } }""",
    """{ graph { communities { totalCount nodes { key subdistrict { key } grids { totalCount } compounds { totalCount }
        reportersPersons(current: false) { totalCount } } } } }""",
]


@pytest.fixture(scope="module")
def apis(
    request: pytest.FixtureRequest, street_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[Api]:
    limits = DEFAULT_LIMITS.with_(
        max_cost=10**7, deadline_seconds=300
    )  # the machine is shared: no timing here
    out = []
    for kind in ("embedded", "neo4j"):
        store = loaded_store(kind, street_dir, tmp_path_factory.mktemp("data"), request)
        out.append(Api(store, tmp_path_factory.mktemp(kind), limits=limits))
    return out


def _ask(api: Api, doc: str, area: str) -> dict[str, Any]:
    return api.ask(doc, area=area)


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("area", ["C-0001", "CM-0001"])
def test_both_stores_answer_the_same(apis: list[Api], doc: str, area: str) -> None:
    embedded, neo4j = (_ask(a, doc, area) for a in apis)
    assert embedded == neo4j
    (conn,) = embedded["graph"].values()
    assert conn["totalCount"] > 0 or area != "C-0001"

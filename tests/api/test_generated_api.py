"""The generated ``graph { }`` API end to end, on both stores: the same answers as the
hand-written API where they overlap (which its own tests hold equal on both stores), personal
values masked per role by the same rule, and nothing outside the user's area seen or counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.graphql.limits import DEFAULT_LIMITS
from graph.store import Store
from tests.api.client import TEST_LIMITS, Api


@pytest.fixture(scope="module")
def api(street_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Api:
    return Api(street_store, tmp_path_factory.mktemp("api"), limits=TEST_LIMITS.with_(max_cost=10**7))


def keys(conn: dict[str, Any]) -> list[str]:
    return [n["key"] for n in conn["nodes"]]


def pages(api: Api, doc: str) -> list[dict[str, Any]]:
    """Every item of the generated root list of ``doc`` (one list taking ``$after``), page by page."""
    out: list[dict[str, Any]] = []
    after = None
    while True:
        (conn,) = api.ask(doc, {"after": after})["graph"].values()
        out += conn["nodes"]
        if not conn["pageInfo"]["hasNextPage"]:
            return out
        after = conn["pageInfo"]["endCursor"]


def test_a_compounds_buildings_equal_the_hand_written_ones(api: Api) -> None:
    hand = api.ask(
        "{ compounds(first: 100) { nodes { key buildings(first: 100) { totalCount nodes { key } } } } }"
    )
    gen = api.ask(
        "{ graph { compounds(first: 100) { totalCount nodes { key buildings(first: 100) { totalCount nodes { key } } } } } }"
    )["graph"]["compounds"]
    assert gen["totalCount"] == len(hand["compounds"]["nodes"]) > 0
    want = {c["key"]: sorted(keys(c["buildings"])) for c in hand["compounds"]["nodes"]}
    got = {c["key"]: sorted(keys(c["buildings"])) for c in gen["nodes"]}
    assert got == want
    assert all(c["buildings"]["totalCount"] == len(want[c["key"]]) for c in gen["nodes"])


def test_filters_sorts_and_pages_agree_with_plain_python(api: Api) -> None:
    doc = """query($after: String) { graph { buildings(first: 7, after: $after,
        orderBy: [{field: RESIDENTS, direction: DESC}], where: {residents: {gt: 50}}) {
        totalCount nodes { key residents } pageInfo { hasNextPage endCursor } } } }"""
    every = pages(
        api,
        "query($after: String) { graph { buildings(first: 100, after: $after) { nodes { key residents } pageInfo { hasNextPage endCursor } } } }",
    )
    want = sorted(
        (b for b in every if b["residents"] is not None and b["residents"] > 50),
        key=lambda b: (-b["residents"], b["key"]),
    )
    got: list[dict[str, Any]] = []
    after = None
    while True:
        page = api.ask(doc, {"after": after})["graph"]["buildings"]
        assert page["totalCount"] == len(want)
        got += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert got == want


def test_a_viewer_sees_masked_values_an_organizer_names_as_the_hand_written_api(api: Api) -> None:
    for role in ("viewer", "organizer"):
        hand = api.ask("{ members(first: 20) { nodes { key name phone idNumber } } }", role=role)["members"][
            "nodes"
        ]
        ids = [m["key"] for m in hand]
        gen = api.ask(
            "query($ids: [ID!]) { graph { persons(first: 20, where: {id: {in: $ids}}) { nodes { key name phone idNumber } } } }",
            {"ids": ids},
            role=role,
        )["graph"]["persons"]["nodes"]
        assert sorted(gen, key=lambda p: p["key"]) == sorted(hand, key=lambda p: p["key"])
        assert any(p["phone"] for p in gen) and all(p["phone"] is None or "*" in p["phone"] for p in gen)
        assert all(("*" in p["name"]) == (role == "viewer") for p in gen)


def test_an_outside_area_looks_like_a_missing_one(api: Api) -> None:
    # an organizer of one community; another community is outside their jurisdiction
    communities = api.ask("{ graph { communities(first: 10) { nodes { key } } } }")["graph"]["communities"][
        "nodes"
    ]
    mine, other = communities[0]["key"], communities[1]["key"]
    doc = """query($a: ID) { graph { buildings(area: $a) { totalCount nodes { key } aggregate { count residents { sum } }
        groupBy(level: COMMUNITY) { count } } } }"""
    outside = api.ask(doc, {"a": other}, area=mine)["graph"]["buildings"]
    missing = api.ask(doc, {"a": "CM-NOPE"}, area=mine)["graph"]["buildings"]
    assert outside == missing
    assert outside["totalCount"] == 0 and outside["nodes"] == [] and outside["groupBy"] == []
    own = api.ask(doc, {"a": None}, area=mine)["graph"]["buildings"]
    hand = api.ask("{ buildings(first: 100) { totalCount } }", area=mine)["buildings"]["totalCount"]
    assert own["totalCount"] == own["aggregate"]["count"] == hand > 0


def test_no_field_filter_or_count_reaches_outside_the_area(api: Api) -> None:
    communities = api.ask("{ graph { communities(first: 10) { nodes { key } } } }")["graph"]["communities"][
        "nodes"
    ]
    mine, other = communities[0]["key"], communities[1]["key"]
    doc = """query($o: ID!) { graph {
        communities { totalCount nodes { key compounds { totalCount } grids { nodes { key } } } }
        byId: communities(where: {id: {eq: $o}}) { totalCount }
        subdistricts { nodes { communities { totalCount nodes { key } } } }
        counted: subdistricts(where: {communitiesCount: {gt: 1}}) { totalCount } } }"""
    g = api.ask(doc, {"o": other}, area=mine)["graph"]
    assert [c["key"] for c in g["communities"]["nodes"]] == [mine] and g["communities"]["totalCount"] == 1
    assert g["byId"]["totalCount"] == 0
    seen = {c["key"] for s in g["subdistricts"]["nodes"] for c in s["communities"]["nodes"]}
    assert other not in seen
    assert g["counted"]["totalCount"] == 0  # only one community of the subdistrict is visible


def test_typename_inside_the_subtree(api: Api) -> None:
    g = api.ask(
        "{ graph { __typename buildings(first: 1) { __typename nodes { __typename compound { __typename } } } } }"
    )
    assert g["graph"]["__typename"] == "GraphQuery"
    b = g["graph"]["buildings"]
    assert b["__typename"] == "GraphBuildingConnection"
    assert (
        b["nodes"][0]["__typename"] == "GraphBuilding"
        and b["nodes"][0]["compound"]["__typename"] == "GraphCompound"
    )


def test_the_cost_rule_accepts_a_nested_page(tmp_path: Path, street_store: Store) -> None:
    api = Api(street_store, tmp_path)  # the default limits
    api.ask(
        "{ graph { subdistricts(first: 5) { nodes { name communities(first: 10) { nodes { name } } } } } }"
    )
    r = api.post(
        """{ graph { persons(first: 100) { nodes { memberships(first: 100) { nodes { members(first: 100) { nodes {
           memberships(first: 100) { nodes { members(first: 100) { nodes { key name phone } } } } } } } } } } } }""",
        None,
        api.token(api.area),
    )
    assert "too expensive" in r.json()["errors"][0]["message"]


GEN_TREE = """{ graph { districts(first: 1) { nodes { name subdistricts(first: 50) { nodes { name
  communities(first: 50) { nodes { name grids(first: 50) { nodes { name compounds(first: 50) { nodes { name
  buildings(first: 50) { nodes { name } } } } } } } } } } } } } }"""


def test_the_generated_tree_is_priced_by_the_datas_fan_out(api: Api, street_store: Store) -> None:
    from graphql import parse, validate

    from api.graphql.cost import cost_rule
    from api.graphql.schema import build_schema

    schema = build_schema()._schema  # type: ignore[attr-defined]
    limits = DEFAULT_LIMITS  # the served cost limits, as deployed
    degrees = street_store.degrees()
    by_data = cost_rule(limits.max_cost, limits.max_page, limits.default_page, lambda: degrees)
    by_pages = cost_rule(limits.max_cost, limits.max_page, limits.default_page, lambda: None)
    assert not validate(schema, parse(GEN_TREE), [by_data])
    assert validate(schema, parse(GEN_TREE), [by_pages])  # 50^5 by page sizes alone


def test_unmasked_reads_are_audited_like_the_hand_written_ones(street_store: Store, tmp_path: Path) -> None:
    api = Api(street_store, tmp_path)
    doc = """query($why: String) { graph { persons(first: 3) { nodes { key name phone(reason: $why) idNumber } } } }"""
    viewer = api.ask(doc, {"why": "核实"}, role="viewer")["graph"]["persons"]["nodes"]
    assert viewer and api.audit.read() == []
    officer = api.ask(doc, {"why": "核实"}, role="officer")["graph"]["persons"]["nodes"]
    hand = api.ask(
        """query($ids: [ID!]!) { nodes(ids: $ids) { ... on Person { key name phone(reason: "核实") idNumber } } }""",
        {"ids": [p["key"] for p in officer]},
        role="officer",
    )["nodes"]
    assert officer == hand
    entries = {(e.record, e.field, e.reason) for e in api.audit.read()}
    for p in officer:
        assert (p["key"], "name", "role:officer") in entries
        if p["phone"]:
            assert (p["key"], "phone", "核实") in entries and "*" not in p["phone"]
        assert (p["key"], "id_number", "核实") not in entries  # no reason given for it: masked, not audited
    log = api.audit.path.read_text(encoding="utf-8")
    assert not any(p["phone"] and p["phone"] in log for p in officer)


def test_one_plan_per_root_list_and_no_other_read(street_store: Store, tmp_path: Path) -> None:
    """Two aliased root lists with nested lists, filters and counts: two plans (one statement
    each on Neo4j), no jurisdiction read and no DataLoader round trip besides."""
    from tests.api.test_graphql_types import Counting

    class Plans(Counting):
        def __init__(self, inner: Store) -> None:
            super().__init__(inner)
            self.plans: list[Any] = []

        def select(self, *a: Any) -> Any:
            self.plans.append(a[0])
            return self.inner.select(*a)

    store = Plans(street_store)
    api = Api(store, tmp_path, limits=TEST_LIMITS.with_(max_cost=10**7))
    doc = """{ graph { a: compounds(where: {buildingsCount: {gt: 1}}) { totalCount nodes { name buildings { nodes { key
        entrances { totalCount } } } } } b: partyOrgs(first: 5) { nodes { members { totalCount } parent { name } } } } }"""
    api.ask(doc)
    assert (store.calls, [p.label for p in store.plans]) == (0, ["Compound", "PartyOrg"])


def test_no_building_head_equals_the_hand_written_filter(api: Api) -> None:
    # the BUILDING_HEAD indicator: a building head, or an entrance head on every entrance
    doc = """query($after: String) { graph { buildings(first: 100, after: $after, where: {
        appointeesNone: {rel: {role: {eq: BUILDING_HEAD}}},
        OR: [{entrancesNone: {}}, {entrancesSome: {appointeesNone: {rel: {role: {eq: ENTRANCE_HEAD}}}}}]
        }) { nodes { key } pageInfo { hasNextPage endCursor } } } }"""
    got = sorted(b["key"] for b in pages(api, doc))
    hand = api.ask("{ buildings(first: 100, filter: {hasHead: false}) { totalCount nodes { key } } }")[
        "buildings"
    ]
    assert hand["totalCount"] <= 100  # one page holds them all
    assert got == sorted(keys(hand))
    heads = api.ask(
        """{ graph { buildings(first: 100, where: {appointeesSome: {rel: {role: {eq: BUILDING_HEAD}}}}) { totalCount
            nodes { appointees(relWhere: {role: {eq: BUILDING_HEAD}}) { totalCount edges { rel { role } } } } } } }"""
    )["graph"]["buildings"]
    assert heads["totalCount"] > 0
    assert all(n["appointees"]["totalCount"] >= 1 for n in heads["nodes"])
    assert {e["rel"]["role"] for n in heads["nodes"] for e in n["appointees"]["edges"]} == {"BUILDING_HEAD"}

"""The node types through the HTTP app, on both stores: navigation both ways, connections
and their cursors, filters ("has no party group"), sorting by counts, and no N+1: the number
of store round trips depends on the shape of a query, not on how many rows it returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.query import Query
from graph.store import Store
from tests.api.client import TEST_LIMITS, Api


@pytest.fixture(scope="module")
def api(street_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Api:
    # functional tests ask wide nested pages; the cost limit has its own tests (test_graphql_hostile.py)
    return Api(street_store, tmp_path_factory.mktemp("api"), limits=TEST_LIMITS.with_(max_cost=10**7))


def keys(conn: dict[str, Any]) -> list[str]:
    return [n["key"] for n in conn["nodes"]]


def test_a_building_navigates_both_ways(api: Api) -> None:
    doc = """{ node(id: "B-000001") { ... on Building { key name placeKind
      compound { key buildings(first: 100) { nodes { key } } grid: parent { key } }
      entrances { nodes { key building { key } } }
      residents(first: 100) { totalCount nodes { key building { key } } }
      members: residents(partyMembersOnly: true, first: 100) { totalCount nodes { isPartyMember } }
      partyGroups(current: false) { key level covers(current: false) { nodes { key } } }
      head(asOf: "2026-06-30") { key } } } }"""
    b = api.ask(doc)["node"]
    assert b["placeKind"] == "Building" and b["key"] in keys(b["compound"]["buildings"])
    assert all(e["building"]["key"] == "B-000001" for e in b["entrances"]["nodes"]) and b["entrances"]["nodes"]
    assert b["residents"]["totalCount"] == len(b["residents"]["nodes"]) > 0
    assert all(p["building"]["key"] == "B-000001" for p in b["residents"]["nodes"])
    assert 0 < b["members"]["totalCount"] <= b["residents"]["totalCount"]
    assert all(m["isPartyMember"] for m in b["members"]["nodes"])
    for g in b["partyGroups"]:
        assert g["level"] == "GROUP"
        covered = set(keys(g["covers"]))
        assert "B-000001" in covered or covered & {e["key"] for e in b["entrances"]["nodes"]}


def test_a_member_and_a_branch_navigate_both_ways(api: Api) -> None:
    doc = """{ members(first: 100, filter: {hasMembership: true, hasResidenceBranch: true}) { nodes { key
      building { key }
      memberships(first: 5) { edges { since until node { key level members(first: 100) { nodes { key } } } } }
      residenceBranches { nodes { key residenceMembers(first: 100) { nodes { key } } covers { nodes { key } } } }
      committees(current: false) { edges { role node { key seats(current: false, first: 100) { nodes { key } } } } } } } }"""
    members = api.ask(doc)["members"]["nodes"]
    assert members
    for m in members:
        for e in m["memberships"]["edges"]:
            assert m["key"] in keys(e["node"]["members"])
        for r in m["residenceBranches"]["nodes"]:
            assert m["key"] in keys(r["residenceMembers"])
        for e in m["committees"]["edges"]:
            assert e["role"] in ("chair", "vice_chair", "member") and m["key"] in keys(e["node"]["seats"])


def test_a_compound_shows_its_three_parties(api: Api) -> None:
    doc = """{ compounds(first: 100) { nodes { key eligibleForOwnersCommittee
      threeParties(asOf: "2026-06-30") { residentsCommittee { key community { key } }
        ownersCommittee { key compound { key } } selfManagementCommittee { key compound { key } }
        propertyFirms { key compounds(asOf: "2026-06-30", first: 100) { nodes { key } } } }
      grid: parent { key community: parent { key } } } } }"""
    compounds = api.ask(doc)["compounds"]["nodes"]
    with_firm = with_committee = 0
    for c in compounds:
        t = c["threeParties"]
        assert t["residentsCommittee"]["community"]["key"] == c["grid"]["community"]["key"]
        for k in (t["ownersCommittee"], t["selfManagementCommittee"]):
            if k is not None:
                with_committee += 1
                assert k["compound"]["key"] == c["key"]
        for f in t["propertyFirms"]:
            with_firm += 1
            assert c["key"] in keys(f["compounds"])
    assert with_firm and with_committee


def test_pages_and_cursors_cover_everything_once(api: Api) -> None:
    everything = api.ask("{ members(first: 100) { totalCount } }")["members"]["totalCount"]
    seen: list[str] = []
    after = None
    while True:
        page = api.ask(
            "query($after: String) { members(first: 7, after: $after) { edges { cursor node { key } } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )["members"]
        seen += [e["node"]["key"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == everything > 50


def test_page_size_is_capped(api: Api) -> None:
    r = api.post("{ members(first: 101) { totalCount } }", token=api.token("C-0001")).json()
    assert "between 0 and 100" in r["errors"][0]["message"]
    r = api.post('{ node(id: "B-000001") { ... on Building { residents(first: 5000) { totalCount } } } }', token=api.token("C-0001")).json()
    assert r["errors"]


def test_has_no_party_group_is_the_indicators_gap_list(api: Api) -> None:
    doc = """{ buildings(first: 100, filter: {hasPartyGroup: false}) { totalCount nodes { key partyGroups { key } } }
      gaps(indicator: BUILDING_GROUP, first: 100) { gaps { totalCount nodes { item { key } } } }
      all: buildings(first: 100) { totalCount } }"""
    d = api.ask(doc)
    assert keys(d["buildings"]) == sorted(g["item"]["key"] for g in d["gaps"]["gaps"]["nodes"])
    assert 0 < d["buildings"]["totalCount"] < d["all"]["totalCount"]


def test_firms_without_a_party_org(api: Api) -> None:
    doc = """{ without: propertyFirms(filter: {hasPartyOrg: false}) { totalCount nodes { key partyOrgs { key } } }
      with: propertyFirms(filter: {hasPartyOrg: true}) { totalCount nodes { key partyOrgs { key } } } }"""
    d = api.ask(doc)
    assert d["without"]["totalCount"] > 0 and d["with"]["totalCount"] > 0
    assert all(f["partyOrgs"] == [] for f in d["without"]["nodes"])
    assert all(f["partyOrgs"] for f in d["with"]["nodes"])


def test_sorting_by_counts(api: Api) -> None:
    doc = """{ buildings(first: 100, orderBy: MEMBERS, descending: true) { nodes { key residents(partyMembersOnly: true) { totalCount } } }
      asc: buildings(first: 100, orderBy: MEMBERS) { nodes { key } }
      partyOrgs(first: 100, orderBy: MEMBERS, descending: true) { nodes { members { totalCount } } } }"""
    d = api.ask(doc)
    counts = [b["residents"]["totalCount"] for b in d["buildings"]["nodes"]]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    org_counts = [o["members"]["totalCount"] for o in d["partyOrgs"]["nodes"]]
    assert org_counts == sorted(org_counts, reverse=True)
    assert len(keys(d["asc"])) == len(counts)


# ---------------------------------------------------------------- no N+1


class Counting(Store):
    """Counts the round trips (``run``) and passes everything to the store it wraps."""

    def __init__(self, inner: Store) -> None:
        self.inner, self.kind, self.calls = inner, inner.kind, 0

    def run(self, query: Query, params: Any = None) -> Any:
        self.calls += 1
        return self.inner.run(query, params)

    def ping(self) -> None:
        self.inner.ping()

    def close(self) -> None: ...

    def apply_schema(self) -> list[str]:
        return self.inner.apply_schema()

    def find_ids(self, *a: Any) -> Any:
        return self.inner.find_ids(*a)

    def fetch_nodes(self, *a: Any) -> Any:
        return self.inner.fetch_nodes(*a)

    def fetch_rels(self, *a: Any) -> Any:
        return self.inner.fetch_rels(*a)

    def source_items(self, *a: Any) -> Any:
        return self.inner.source_items(*a)

    def fetch_meta(self, *a: Any) -> Any:
        return self.inner.fetch_meta(*a)

    def fetch_rels_by_key(self, *a: Any) -> Any:
        return self.inner.fetch_rels_by_key(*a)

    def attached_rels(self, *a: Any) -> Any:
        return self.inner.attached_rels(*a)

    def select(self, *a: Any) -> Any:
        return self.inner.select(*a)

    def version(self) -> int:
        return self.inner.version()

    def write(self, batch: Any, *, expect_version: int | None = None) -> int:
        return self.inner.write(batch, expect_version=expect_version)

    def stats(self) -> Any:
        return self.inner.stats()

    def degrees(self) -> Any:
        return self.inner.degrees()

    def is_empty(self) -> bool:
        return self.inner.is_empty()

    def clear(self) -> None:
        self.inner.clear()


#: Each link is walked at one level only: the per-request DataLoader cache may save a round trip
#: when a link walked again deeper down finds everything already loaded, which only ever lowers
#: the count (with more rows, more is cached).
DEEP = """query($n: Int!) {
  members(first: $n) { totalCount nodes { key name
    building { key compound { key parent { key } threeParties { residentsCommittee { key } propertyFirms { key } } }
               partyGroups { key } head { key } }
    memberships(current: false) { totalCount nodes { key covers { nodes { key } } parent { key } } }
    residenceBranches { nodes { key dualReportedMembers { totalCount } } }
    workplace { key } committees { nodes { key } } } }
  buildings(first: $n) { nodes { residents { totalCount } entrances { nodes { key head { key } } } } }
}"""


def test_round_trips_depend_on_the_shape_not_the_rows(street_store: Store, tmp_path: Path) -> None:
    counting = Counting(street_store)
    api = Api(counting, tmp_path, limits=TEST_LIMITS.with_(max_page=1000, max_cost=10**7))
    trips: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for n in (10, 1000):
        counting.calls = 0
        d = api.ask(DEEP, {"n": n})
        trips[n] = counting.calls
        sizes[n] = len(d["members"]["nodes"])
    assert sizes[10] == 10 and sizes[1000] > 200
    assert trips[10] == trips[1000], trips
    assert trips[10] < 30

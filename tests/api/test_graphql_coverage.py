"""The organizer questions, each answered by one request, on both stores, equal to what the
domain functions of ``queries/`` answer (the API wraps them; scope and masking added)."""

from __future__ import annotations

from datetime import date

import pytest

from api.graphql.redact import OUTSIDE
from graph.store import Store
from queries import area_one_plus_one, branch_view, dual_reporting, gaps, member_card, rollup
from tests.api.client import Api

DAY = date(2026, 6, 30)


@pytest.fixture(scope="module")
def api(street_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Api:
    return Api(street_store, tmp_path_factory.mktemp("api"))


COVERAGE = """{ coverage(area: "S-0001", asOf: "2026-06-30") { area { key placeKind } asOf meanRate
  indicators { indicator total covered uncovered rate titleZh }
  children { area { key placeKind } meanRate indicators { indicator total covered rate } } } }"""


def test_coverage_of_a_subdistrict_with_its_communities_rollup(api: Api, street_store: Store) -> None:
    c = api.ask(COVERAGE, area="S-0001")["coverage"]
    expected = rollup(street_store, "S-0001", DAY)
    assert c["area"] == {"key": "S-0001", "placeKind": "Subdistrict"}
    assert [(i["indicator"], i["total"], i["covered"]) for i in c["indicators"]] == [
        (r.indicator, r.total, r.covered) for r in expected.area.indicators
    ]
    assert [ch["area"]["key"] for ch in c["children"]] == [ch.area.id for ch in expected.children]
    assert {ch["area"]["placeKind"] for ch in c["children"]} == {"Community"} and len(c["children"]) == 3
    for mine, theirs in zip(c["children"], expected.children, strict=True):
        assert [(i["total"], i["covered"]) for i in mine["indicators"]] == [(r.total, r.covered) for r in theirs.indicators]
    # the street's totals are its communities' sums (a firm or an employer org may count in two)
    for i, row in enumerate(c["indicators"]):
        children = sum(ch["indicators"][i]["total"] for ch in c["children"])
        if row["indicator"] in ("DUAL_REPORTING_ORGS", "FIRM_PARTY_COVERAGE"):
            assert row["total"] <= children
        else:
            assert row["total"] == children


GAPS = """{ gaps(area: "CM-0001", indicator: BUILDING_GROUP, asOf: "2026-06-30") {
  indicator { total covered uncovered } area { key }
  gaps { totalCount nodes { item { key ... on Building { name } } status ruleZh evidenceZh evidenceEn facts
    suggestions { rank reason whyZh candidate { key ... on Person { name } } via { key } } } } } }"""


def test_uncovered_buildings_of_a_community_with_explanations_and_candidates(api: Api, street_store: Store) -> None:
    g = api.ask(GAPS, area="CM-0001")["gaps"]
    expected = gaps(street_store, "CM-0001", "BUILDING_GROUP", DAY)
    assert g["indicator"]["uncovered"] == expected.uncovered == g["gaps"]["totalCount"] > 0
    assert [n["item"]["key"] for n in g["gaps"]["nodes"]] == [x.item_id for x in expected.gaps]
    for node, gap in zip(g["gaps"]["nodes"], expected.gaps, strict=True):
        assert node["evidenceZh"] == gap.evidence_zh and node["status"] == gap.status and node["ruleZh"]
        assert [s["candidate"]["key"] for s in node["suggestions"]] == [s.id for s in gap.suggestions]
        assert [s["rank"] for s in node["suggestions"]] == list(range(1, len(node["suggestions"]) + 1))
    assert any(node["suggestions"] for node in g["gaps"]["nodes"])


def test_gaps_page_by_cursor(api: Api) -> None:
    # pages of 40: every gap is computed again for each page, so short pages only cost time
    doc = """query($after: String) { gaps(area: "S-0001", indicator: MEMBER_ONE_PLUS_ONE, first: 40, after: $after, suggestions: 0) {
      gaps { totalCount edges { cursor node { item { key } suggestions { rank } } } pageInfo { hasNextPage endCursor } } } }"""
    seen, after, pages = [], None, 0
    while True:
        page = api.ask(doc, {"after": after}, area="S-0001")["gaps"]["gaps"]
        pages += 1
        seen += [e["node"]["item"]["key"] for e in page["edges"]]
        assert all(e["node"]["suggestions"] == [] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert len(page["edges"]) == 40
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"]
    assert pages >= 3, "the street needs several pages of 1+1 gaps"


CARD = """query($m: ID!) { memberCard(member: $m, asOf: "2026-06-30") { member { key name } status explanationZh
  building { key } compound { key } community { key }
  membership { coversHome org { key } } residence { coversHome places { key } org { key } } reportedTo { key } } }"""


def test_a_members_one_plus_one_card(api: Api, street_store: Store) -> None:
    members = api.ask('{ members(area: "CM-0001", first: 100) { nodes { key } } }', area="CM-0001")["members"]["nodes"]
    statuses = set()
    for m in members[:40]:
        card = api.ask(CARD, {"m": m["key"]}, area="CM-0001")["memberCard"]
        expected = member_card(street_store, m["key"], DAY)
        hidden = [s.id for s, shown in zip(expected.membership, card["membership"], strict=True) if shown["org"] is None]
        text = expected.explanation_zh
        for h in hidden:  # a membership branch outside the area is named as such, not by its id
            text = text.replace(h, OUTSIDE)
        assert card["status"] == expected.status and card["explanationZh"] == text
        assert card["building"]["key"] == expected.building and card["community"]["key"] == "CM-0001"
        assert [s["org"]["key"] if s["org"] else None for s in card["residence"]] == [s.id for s in expected.residence]
        statuses.add(card["status"])
    assert "complete" in statuses and len(statuses) > 1


def test_branch_view_area_one_plus_one_and_dual_reporting(api: Api, street_store: Store) -> None:
    # the branch of CM-0001 with the most members as the street sees them (some live in other communities)
    org = api.ask('{ partyOrgs(area: "CM-0001", first: 1, filter: {level: BRANCH}, orderBy: MEMBERS, descending: true) { nodes { key } } }', area="S-0001")
    key = org["partyOrgs"]["nodes"][0]["key"]
    v = api.ask('query($o: ID!) { branchView(org: $o, asOf: "2026-06-30") { org { key } members { member { key } status side } residenceMembers { member { key } } unregisteredResidents { member { key } } } }', {"o": key}, area="CM-0001")["branchView"]
    expected = branch_view(street_store, key, DAY)
    everyone = [m.id for m in (*expected.members, *expected.residence_members)]
    shown = api.ask("query($ids: [ID!]!) { nodes(ids: $ids) { key } }", {"ids": everyone[:100]}, area="CM-0001")
    visible = {n["key"] for n in shown["nodes"] if n}
    assert visible and len(visible) < len(everyone), "members living elsewhere are left out"
    assert [m["member"]["key"] for m in v["members"]] == [m.id for m in expected.members if m.id in visible]
    assert [m["member"]["key"] for m in v["residenceMembers"]] == [
        m.id for m in expected.residence_members if m.id in visible
    ]
    a = api.ask('{ areaOnePlusOne(area: "CM-0001", asOf: "2026-06-30", first: 100) { total byStatus { status count } inconsistent { totalCount nodes { member { key } status explanationZh } } } }', area="CM-0001")["areaOnePlusOne"]
    e = area_one_plus_one(street_store, "CM-0001", DAY)
    assert a["total"] == e.total and {s["status"]: s["count"] for s in a["byStatus"]} == dict(e.by_status)
    assert [m["member"]["key"] for m in a["inconsistent"]["nodes"]] == [m.id for m in e.members][:100]
    d = api.ask('{ dualReporting(area: "CM-0001", asOf: "2026-06-30") { membersTotal membersReported orgsTotal orgsReported members { subject { key } status } } }', area="CM-0001")["dualReporting"]
    de = dual_reporting(street_store, "CM-0001", DAY)
    assert (d["membersTotal"], d["membersReported"], d["orgsTotal"], d["orgsReported"]) == (
        de.members_total, de.members_reported, de.orgs_total, de.orgs_reported)
    assert [m["subject"]["key"] for m in d["members"]] == [m.id for m in de.members]

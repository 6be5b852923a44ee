"""Mutations through the HTTP app on both stores: typed results, the loaders' rules, one
transaction, idempotence, jurisdiction; and the done-when flow: forming a party group for a
building takes it off the gap list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.store import Store
from loaders.load import load
from tests.api.client import TEST_LIMITS, Api

DAY = "2026-07-01"
LATER = "2026-07-02"
ME = "CM-0001"


@pytest.fixture
def api(store: Store, street_dir: Path, tmp_path: Path) -> Iterator[Api]:
    load(store, street_dir, source="street")
    yield Api(store, tmp_path, limits=TEST_LIMITS.with_(max_cost=10**6), area=ME)


def mutate(api: Api, document: str, variables: dict[str, Any], role: str = "organizer", area: str = ME) -> dict[str, Any]:
    data = api.ask(document, variables, area=area, role=role)
    (result,) = data.values()
    assert isinstance(result, dict)
    return result


FORM = """mutation($g: PartyGroupInput!) { formPartyGroup(group: $g) { __typename
  ... on PartyGroupPayload { changed partyGroup { key level parent { key } leader { key } covers { nodes { key } } } }
  ... on InvalidInput { message issues { field reason } } ... on NotFound { id } ... on NotAllowed { message } } }"""

GAPS = """query($day: Date) { gaps(area: "CM-0001", indicator: BUILDING_GROUP, asOf: $day) {
  indicator { total covered } gaps { nodes { item { key ... on Building { compound { branches { key } } } }
    evidenceZh suggestions { reason candidate { __typename key } } } } } }"""


def test_forming_a_party_group_closes_the_buildings_gap(api: Api) -> None:
    before = api.ask(GAPS, {"day": DAY})["gaps"]
    gap = before["gaps"]["nodes"][0]
    building = gap["item"]["key"]
    branch = gap["item"]["compound"]["branches"][0]["key"]
    leader = next(s["candidate"]["key"] for s in gap["suggestions"] if s["reason"] == "resident_full_member")
    group = {"name": "五栋党小组", "parent": branch, "buildings": [building], "since": DAY, "leader": leader}
    r = mutate(api, FORM, {"g": group})
    assert r["__typename"] == "PartyGroupPayload" and r["changed"] is True
    pg = r["partyGroup"]
    assert (pg["level"], pg["parent"]["key"], pg["leader"]["key"]) == ("GROUP", branch, leader)
    assert [n["key"] for n in pg["covers"]["nodes"]] == [building]
    after = api.ask(GAPS, {"day": LATER})["gaps"]
    assert building not in [g["item"]["key"] for g in after["gaps"]["nodes"]]
    assert after["indicator"]["covered"] == before["indicator"]["covered"] + 1
    # the day before it was formed, the building was still a gap
    assert building in [g["item"]["key"] for g in api.ask(GAPS, {"day": "2026-06-30"})["gaps"]["gaps"]["nodes"]]
    # idempotent: the same group again changes nothing
    again = mutate(api, FORM, {"g": group})
    assert again["changed"] is False and again["partyGroup"]["key"] == pg["key"]
    assert api.ask(GAPS, {"day": LATER})["gaps"]["indicator"] == after["indicator"]


def test_a_group_needs_a_branch_above_it(api: Api) -> None:
    r = mutate(api, FORM, {"g": {"name": "x", "parent": "O-000001", "buildings": ["B-000001"], "since": DAY}})
    assert r["__typename"] in ("InvalidInput", "NotFound")
    if r["__typename"] == "InvalidInput":
        assert r["issues"][0]["field"] == "parent"


def test_viewers_may_not_change_anything(api: Api) -> None:
    before = api.ask(GAPS, {"day": LATER})
    gap = before["gaps"]["gaps"]["nodes"][0]
    group = {"name": "x", "parent": gap["item"]["compound"]["branches"][0]["key"], "buildings": [gap["item"]["key"]], "since": DAY}
    assert mutate(api, FORM, {"g": group}, role="viewer")["__typename"] == "NotAllowed"
    assert api.ask(GAPS, {"day": LATER}) == before


def test_what_lies_outside_the_area_cannot_be_changed_and_looks_missing(api: Api) -> None:
    gap = api.ask(GAPS, {"day": LATER})["gaps"]["gaps"]["nodes"][0]
    branch = gap["item"]["compound"]["branches"][0]["key"]
    building = gap["item"]["key"]
    outside = mutate(api, FORM, {"g": {"name": "x", "parent": branch, "buildings": [building], "since": DAY}}, area="CM-0002")
    missing = mutate(api, FORM, {"g": {"name": "x", "parent": "O-999999", "buildings": [building], "since": DAY}}, area="CM-0002")
    assert outside["__typename"] == missing["__typename"] == "NotFound"
    assert set(outside) == set(missing)


PERSON = """mutation($p: PersonInput!) { registerPerson(person: $p) { __typename
  ... on PersonPayload { changed person { key name phone isPartyMember building { key } } }
  ... on InvalidInput { message issues { field value reason reasonZh } } ... on NotFound { id } } }"""
UPDATE = """mutation($id: ID!, $patch: PersonPatch!) { updatePerson(id: $id, patch: $patch) { __typename
  ... on PersonPayload { changed person { key phone workplace { key } building { key } } }
  ... on InvalidInput { issues { field reason } } ... on NotFound { id } } }"""


def test_register_and_update_a_member_with_the_loaders_rules(api: Api) -> None:
    member = {"requestKey": "ledger-line-1", "name": "李新", "politicalStatus": "MEMBER", "building": "B-000001",
              "phone": "13912345678", "inService": True, "employer": "F-0001", "joinedOn": "2010-05-01"}
    r = mutate(api, PERSON, {"p": member})
    assert r["__typename"] == "PersonPayload" and r["changed"] is True
    assert r["person"]["isPartyMember"] and r["person"]["building"]["key"] == "B-000001"
    key = r["person"]["key"]
    assert key.startswith("R-API-")  # made by the server, never chosen by the client
    again = mutate(api, PERSON, {"p": member})  # the same request key: the same person, nothing written
    assert again["changed"] is False and again["person"]["key"] == key
    assert mutate(api, PERSON, {"p": {**member, "requestKey": None, "id": key}})["changed"] is False
    bad = mutate(api, PERSON, {"p": {**member, "phone": "1234", "idNumber": "420602198001011230"}})
    assert bad["__typename"] == "InvalidInput"
    assert {i["field"] for i in bad["issues"]} == {"phone", "id_number"}
    assert "1234" not in str(bad)  # quoted values are masked
    assert all(i["reasonZh"] for i in bad["issues"])
    # a patch keeps what it does not name (the employer), changes the phone
    up = mutate(api, UPDATE, {"id": key, "patch": {"phone": "13900001111"}})
    assert up["__typename"] == "PersonPayload" and up["changed"] is True
    assert up["person"]["workplace"]["key"] == "F-0001" and up["person"]["phone"] == "139****1111"
    assert mutate(api, UPDATE, {"id": key, "patch": {"phone": "13900001111"}})["changed"] is False
    cleared = mutate(api, UPDATE, {"id": key, "patch": {"employer": None}})
    assert cleared["person"]["workplace"] is None
    elsewhere = mutate(api, PERSON, {"p": {**member, "requestKey": "ledger-line-2", "building": "B-000020"}})
    assert elsewhere["__typename"] == "NotFound"


def test_mutations_store_the_derived_values_search_finds_them(api: Api, store: Store) -> None:
    """A person registered or renamed through the API gets its initials and caption as a loaded
    one does (the same record builder, graph/derived.py), and search by initials finds them."""
    r = mutate(api, PERSON, {"p": {"name": "张三丰", "politicalStatus": "MASSES", "building": "B-000001"}})
    key = r["person"]["key"]
    stored = store.fetch_nodes("Person", [key])[key].props
    assert stored["name_initials"] == "zsf" and stored["caption"] not in ("", None) and "张" not in stored["caption"]
    found = api.ask('{ search(text: "zsf", first: 100) { by persons { key } } }', area=ME)["search"]
    assert found["by"] == "INITIALS" and key in [p["key"] for p in found["persons"]]
    mutate(api, UPDATE, {"id": key, "patch": {"name": "单雄信"}})
    assert store.fetch_nodes("Person", [key])[key].props["name_initials"] == "dxx cxx sxx"
    found = api.ask('{ search(text: "sxx", first: 100) { persons { key } } }', area=ME)["search"]
    assert key in [p["key"] for p in found["persons"]]


def test_an_id_held_outside_the_area_answers_exactly_like_an_id_that_exists_nowhere(api: Api) -> None:
    theirs = api.ask('{ members(area: "CM-0002", first: 1) { nodes { key } } }', area="S-0001")["members"]["nodes"][0]["key"]
    person = {"name": "冒名", "politicalStatus": "MASSES", "building": "B-000001"}
    outside = mutate(api, PERSON, {"p": {**person, "id": theirs}})
    absent = mutate(api, PERSON, {"p": {**person, "id": "R-999999"}})
    assert outside["__typename"] == absent["__typename"] == "NotFound"
    assert {**outside, "id": None} == {**absent, "id": None}
    assert outside["id"] == theirs and absent["id"] == "R-999999"
    # with a building that does not exist either, the answer is still the same kind
    nowhere = {**person, "building": "B-999999"}
    assert mutate(api, PERSON, {"p": {**nowhere, "id": theirs}})["__typename"] == "NotFound"
    assert mutate(api, PERSON, {"p": {**nowhere, "id": "R-999999"}})["__typename"] == "NotFound"
    assert api.ask('query($k: ID!) { node(id: $k) { key } }', {"k": theirs}, area="S-0001")["node"]["key"] == theirs


CARD = """query($m: ID!, $day: Date) { memberCard(member: $m, asOf: $day) { status
  membership { org { key } } } }"""
TRANSFER = """mutation($m: ID!, $o: ID!, $on: Date!) { transferMembership(member: $m, toOrg: $o, on: $on) { __typename
  ... on MembershipPayload { changed member { memberships(current: false) { edges { since until node { key } } } } }
  ... on InvalidInput { issues { field reason } } ... on NotFound { id } } }"""


def test_transfer_a_membership(api: Api) -> None:
    members = api.ask('{ members(first: 100, filter: {hasMembership: true}) { nodes { key memberships { nodes { key } } } } }')
    member = members["members"]["nodes"][0]
    old = member["memberships"]["nodes"][0]["key"]
    target = next(
        o["key"] for o in api.ask('{ partyOrgs(first: 100, filter: {level: BRANCH}) { nodes { key } } }')["partyOrgs"]["nodes"]
        if o["key"] != old
    )
    r = mutate(api, TRANSFER, {"m": member["key"], "o": target, "on": DAY})
    assert r["__typename"] == "MembershipPayload" and r["changed"] is True
    edges = {e["node"]["key"]: e for e in r["member"]["memberships"]["edges"]}
    assert edges[old]["until"] == "2026-06-30" and edges[target]["since"] == DAY and edges[target]["until"] is None
    assert [s["org"]["key"] for s in api.ask(CARD, {"m": member["key"], "day": LATER})["memberCard"]["membership"]] == [target]
    assert [s["org"]["key"] for s in api.ask(CARD, {"m": member["key"], "day": "2026-06-30"})["memberCard"]["membership"]] == [old]
    assert mutate(api, TRANSFER, {"m": member["key"], "o": target, "on": DAY})["changed"] is False
    # back to the old org, dated before the new membership began (before the old one even):
    # refused, or the member would hold two open memberships; nothing is written
    before = r["member"]["memberships"]["edges"]
    for day in ("1900-01-02", DAY):
        back = mutate(api, TRANSFER, {"m": member["key"], "o": old, "on": day})
        assert back["__typename"] == "InvalidInput", back
        assert back["issues"][0]["field"] == "on" and DAY in back["issues"][0]["reason"]
    again = mutate(api, TRANSFER, {"m": member["key"], "o": target, "on": DAY})
    assert again["changed"] is False and again["member"]["memberships"]["edges"] == before


REPORT = """mutation($r: ID!, $c: ID!, $d: Date!) { recordDualReport(reporter: $r, community: $c, since: $d) { __typename
  ... on DualReportPayload { changed reporter { key dualReports { nodes { key } } } } ... on NotFound { id } } }"""
END_REPORT = """mutation($r: ID!, $c: ID!, $d: Date!) { endDualReport(reporter: $r, community: $c, on: $d) { __typename
  ... on DualReportPayload { changed reporter { dualReports(asOf: "2026-07-03") { nodes { key } } } } } }"""


def test_record_and_end_a_dual_report(api: Api) -> None:
    d = api.ask('{ dualReporting(area: "CM-0001", asOf: "2026-07-02") { members { status subject { key } } } }')
    who = next(m["subject"]["key"] for m in d["dualReporting"]["members"] if m["status"] == "not_reported")
    r = mutate(api, REPORT, {"r": who, "c": ME, "d": DAY})
    assert r["changed"] is True and ME in [n["key"] for n in r["reporter"]["dualReports"]["nodes"]]
    d2 = api.ask('{ dualReporting(area: "CM-0001", asOf: "2026-07-02") { members { subject { key } } } }')
    assert who not in [m["subject"]["key"] for m in d2["dualReporting"]["members"]]
    assert mutate(api, REPORT, {"r": who, "c": ME, "d": DAY})["changed"] is False
    ended = mutate(api, END_REPORT, {"r": who, "c": ME, "d": LATER})
    assert ended["changed"] is True and ended["reporter"]["dualReports"]["nodes"] == []
    assert mutate(api, REPORT, {"r": who, "c": "CM-0002", "d": DAY})["__typename"] == "NotFound"


HEAD = """mutation($b: ID!, $p: ID!, $d: Date!) { appointBuildingHead(building: $b, person: $p, since: $d) { __typename
  ... on AppointmentPayload { changed role replaced { key } target { ... on Building { head(asOf: $d) { key } } } }
  ... on InvalidInput { issues { field reason } } } }"""


def test_appoint_and_replace_a_building_head(api: Api) -> None:
    b = api.ask('{ node(id: "B-000001") { ... on Building { head(asOf: "2026-06-30") { key } residents(first: 50) { nodes { key } } } } }')["node"]
    old = b["head"]["key"] if b["head"] else None
    new = next(p["key"] for p in b["residents"]["nodes"] if p["key"] != old)
    r = mutate(api, HEAD, {"b": "B-000001", "p": new, "d": DAY})
    assert r["__typename"] == "AppointmentPayload" and r["changed"] and r["target"]["head"]["key"] == new
    assert [p["key"] for p in r["replaced"]] == ([old] if old else [])
    still = api.ask('{ node(id: "B-000001") { ... on Building { head(asOf: "2026-06-30") { key } } } }')["node"]["head"]
    assert (still or {}).get("key") == old
    assert mutate(api, HEAD, {"b": "B-000001", "p": new, "d": DAY})["changed"] is False


def test_instructor_supervisor_and_liaison_close_their_gaps(api: Api) -> None:
    q = """query($d: Date) { s: gaps(area: "CM-0001", indicator: COMPOUND_QUALITY_SUPERVISOR, asOf: $d) { gaps { nodes { item { key } } } }
      l: gaps(area: "CM-0001", indicator: COMPOUND_LIAISON, asOf: $d) { gaps { nodes { item { key } } } }
      f: gaps(area: "CM-0001", indicator: FIRM_PARTY_COVERAGE, asOf: $d) { gaps { nodes { item { key } } } } }"""
    before = api.ask(q, {"d": LATER})
    person = api.ask('{ members(first: 1) { nodes { key } } }')["members"]["nodes"][0]["key"]
    done = []
    for key, mutation in (("s", "appointQualitySupervisor(compound: $t"), ("l", "appointLiaison(target: $t"), ("f", "appointInstructor(firm: $t")):
        items = [g["item"]["key"] for g in before[key]["gaps"]["nodes"]]
        if not items:
            continue
        doc = f"mutation($t: ID!, $p: ID!, $d: Date!) {{ {mutation}, person: $p, since: $d) {{ __typename ... on AppointmentPayload {{ changed }} }} }}"
        assert mutate(api, doc, {"t": items[0], "p": person, "d": DAY}) == {"__typename": "AppointmentPayload", "changed": True}
        after = api.ask(q, {"d": LATER})
        assert items[0] not in [g["item"]["key"] for g in after[key]["gaps"]["nodes"]]
        done.append(key)
    assert len(done) >= 2


ELECTION = """mutation($e: ElectionInput!) { recordCommitteeElection(election: $e) { __typename
  ... on ElectionPayload { changed committee { key name isCurrent(asOf: "2026-07-02")
    seats(asOf: "2026-07-02") { edges { role node { key } } } ... on OwnersCommittee { compound { key } } } }
  ... on InvalidInput { issues { field reason } } ... on NotFound { id } } }"""


def test_record_a_committee_election(api: Api) -> None:
    people = [p["key"] for p in api.ask('{ node(id: "B-000001") { ... on Building { residents(first: 3) { nodes { key } } } } }')["node"]["residents"]["nodes"]]
    election = {"kind": "OWNERS", "compound": "P-00001", "name": "第二届业主委员会", "since": DAY, "until": "2031-06-30",
                "seats": [{"person": people[0], "role": "CHAIR"}, {"person": people[1], "role": "MEMBER"}]}
    r = mutate(api, ELECTION, {"e": election})
    assert r["__typename"] == "ElectionPayload" and r["changed"] and r["committee"]["isCurrent"]
    assert r["committee"]["compound"]["key"] == "P-00001"
    assert sorted((e["role"], e["node"]["key"]) for e in r["committee"]["seats"]["edges"]) == sorted(
        [("chair", people[0]), ("member", people[1])]
    )
    shown = api.ask('{ node(id: "P-00001") { ... on Compound { ownersCommittee(asOf: "2026-07-02") { key } } } }')
    assert shown["node"]["ownersCommittee"]["key"] == r["committee"]["key"]
    assert mutate(api, ELECTION, {"e": election})["changed"] is False
    bad = mutate(api, ELECTION, {"e": {**election, "since": "2031-07-01"}})  # ends before it starts
    assert bad["__typename"] == "InvalidInput"


CONTRACT = """mutation($f: ID!, $c: ID!, $d: Date!) { signPropertyContract(firm: $f, compound: $c, since: $d, contractNo: "HT-1") { __typename
  ... on ContractPayload { changed compound { propertyService(asOf: $d) { edges { mode contractNo node { key } } } } } } }"""
END_CONTRACT = """mutation($f: ID!, $c: ID!, $d: Date!) { endPropertyContract(firm: $f, compound: $c, on: $d) { __typename
  ... on ContractPayload { changed compound { propertyService(asOf: "2026-07-03") { nodes { key } } } } } }"""


def test_sign_and_end_a_property_contract(api: Api) -> None:
    firm = api.ask('{ propertyFirms(first: 1) { nodes { key } } }')["propertyFirms"]["nodes"][0]["key"]
    r = mutate(api, CONTRACT, {"f": firm, "c": "P-00001", "d": DAY})
    assert r["changed"] is True
    assert {"mode": "firm", "contractNo": "HT-1", "node": {"key": firm}} in r["compound"]["propertyService"]["edges"]
    ended = mutate(api, END_CONTRACT, {"f": firm, "c": "P-00001", "d": LATER})
    assert ended["changed"] is True and firm not in [n["key"] for n in ended["compound"]["propertyService"]["nodes"]]


def test_a_failed_mutation_writes_nothing(api: Api, store: Store) -> None:
    before = store.stats()
    people = [p["key"] for p in api.ask('{ node(id: "B-000001") { ... on Building { residents(first: 2) { nodes { key } } } } }')["node"]["residents"]["nodes"]]
    # the committee row is valid; the seat's term is not (ends before it starts): nothing at all is written
    election = {"kind": "SELF_MANAGEMENT", "compound": "P-00001", "name": "自管委", "since": DAY, "until": "2020-01-01",
                "seats": [{"person": people[0], "role": "CHAIR"}]}
    assert mutate(api, ELECTION, {"e": election})["__typename"] == "InvalidInput"
    assert store.stats() == before


def test_a_reload_keeps_a_membership_transferred_in_the_app(api: Api, store: Store, street_dir: Path) -> None:
    """The reproduction of issue 10: transferMembership, then the next `gongzhi load` of the
    street's spreadsheets (which still have the old row) must not put the old membership back."""
    members = api.ask('{ members(first: 100, filter: {hasMembership: true}) { nodes { key memberships { nodes { key } } } } }')
    member = members["members"]["nodes"][0]
    old = member["memberships"]["nodes"][0]["key"]
    target = next(
        o["key"] for o in api.ask('{ partyOrgs(first: 100, filter: {level: BRANCH}) { nodes { key } } }')["partyOrgs"]["nodes"]
        if o["key"] != old
    )
    assert mutate(api, TRANSFER, {"m": member["key"], "o": target, "on": DAY})["changed"] is True
    summary = load(store, street_dir, source="street")
    assert summary.tables["memberships"].kept == 1 and summary.tables["memberships"].updated == 0
    assert not summary.conflicts
    card = api.ask(CARD, {"m": member["key"], "day": LATER})["memberCard"]
    assert [s["org"]["key"] for s in card["membership"]] == [target]
    assert card["status"] != "multiple_membership"

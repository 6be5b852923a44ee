"""Jurisdiction, property-based: users bound to random areas of a generated street ask random
questions; nothing in any answer lies outside the user's area. On both stores.

The oracle below is written independently of ``api/graphql/reads/anchors.py`` and
``api/graphql/scope.py``, from the rules documented in docs/api.md ("Jurisdiction"): an
object lies in an area when one of its anchors is the area or below it; an object with no
anchor belongs to the root of the place tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.graphql.ids import from_global
from api.graphql.redact import strings as redact_strings
from graph.embedded import GraphView
from graph.settings import Settings
from graph.store import Store, open_store
from loaders.load import load
from queries.indicators import INDICATOR_IDS
from tests.api.client import TEST_LIMITS, Api

AREA_LABELS = ("City", "District", "Subdistrict", "Community", "Grid", "Compound")
ROLES = ("viewer", "organizer", "officer", "admin")
ID_IN_TEXT = re.compile(r"\b[A-Z]{1,2}-\d{4,6}\b")

FRAGMENTS = """
fragment PL on Place { id key parent { id } children { nodes { id } } coveredBy(current: false) { nodes { id } }
  appointees(current: false) { nodes { id } } redStations { nodes { id } } }
fragment B on Building { compound { id } entrances { nodes { id } } residents { nodes { id } }
  partyGroups(current: false) { id } head { id } }
fragment C on Compound { buildings { nodes { id } } branches(current: false) { id } ownersCommittee { id }
  selfManagementCommittee { id } propertyService(current: false) { nodes { id } }
  threeParties { residentsCommittee { id } ownersCommittee { id } selfManagementCommittee { id } propertyFirms { id } } }
fragment CM on Community { residentsCommittee { id } employers { nodes { id } } serviceCentre { id }
  reportedMembers(current: false) { nodes { id } } reportedOrgs(current: false) { nodes { id } } }
fragment P on Person { id key name building { id } entrance { id } workplace { id }
  memberships(current: false) { nodes { id } } residenceBranches(current: false) { nodes { id } }
  dualReports(current: false) { nodes { id } } committees(current: false) { nodes { id } }
  appointments(current: false) { nodes { id } } }
fragment O on PartyOrg { id key parent { id } subordinates { nodes { id } } members(current: false) { nodes { id } }
  residenceMembers(current: false) { nodes { id } } dualReportedMembers { nodes { id } }
  covers(current: false) { nodes { id } } reportedTo(current: false) { nodes { id } } secretary { id } leader { id } }
fragment F on PropertyFirm { id compounds(current: false) { nodes { id } } partyOrgs(current: false) { id }
  staff { nodes { id } } instructors(current: false) { id } }
fragment E on Employer { community { id } partyOrgs(current: false) { id } staff { nodes { id } } }
fragment K on Committee { seats(current: false) { nodes { id } } ... on OwnersCommittee { compound { id } }
  ... on SelfManagementCommittee { compound { id } }
  ... on ResidentsCommittee { community { id } environmentPropertyCommittee { id } }
  ... on EnvironmentPropertyCommittee { residentsCommittee { id } } }
fragment S on RedStation { place { id } }
fragment SC on ServiceCentre { place { id } }
fragment ANY on Node { id key ...PL ...B ...C ...CM ...P ...O ...F ...E ...K ...S ...SC }
"""

NODE = FRAGMENTS + "query($id: ID!) { node(id: $id) { ...ANY } }"
NODES = FRAGMENTS + "query($ids: [ID!]!) { nodes(ids: $ids) { ...ANY } }"
LISTS = FRAGMENTS + """
query($area: ID) {
  buildings(area: $area, first: 30) { totalCount edges { node { ...ANY } } }
  compounds(area: $area, first: 30) { totalCount nodes { ...ANY } }
  propertyFirms(area: $area) { totalCount nodes { ...ANY } }
  members(area: $area, first: 30) { totalCount nodes { ...ANY } }
  partyOrgs(area: $area, first: 30) { totalCount nodes { ...ANY } }
}"""
DOMAIN = """
query($area: ID, $indicator: Indicator!, $member: ID!, $org: ID!) {
  memberCard(member: $member) { member { id } building { id } compound { id } grid { id } community { id }
    explanationZh membership { org { id } places { id } } residence { org { id } places { id } } reportedTo { id } }
  branchView(org: $org) { org { id } places { id } members { member { id } building { id } compound { id } }
    residenceMembers { member { id } } unregisteredResidents { member { id } } }
  coverage(area: $area) { area { id key } children { area { id key } } }
  gaps(area: $area, indicator: $indicator, first: 50) { area { id } gaps { totalCount edges { node {
    item { id key } evidenceZh evidenceEn facts suggestions { candidate { id key } via { id } whyZh } } } } }
  areaOnePlusOne(area: $area, first: 50) { area { id } inconsistent { nodes { member { id key } explanationZh
    membership { id } residence { id } suggestions { candidate { id } via { id } } } } }
  dualReporting(area: $area) { area { id } members { subject { id } explanationZh shouldReportTo { id } reportedTo { id } }
    orgs { subject { id } explanationZh shouldReportTo { id } reportedTo { id } } }
}"""


# ---------------------------------------------------------------- the oracle


class Oracle:
    """Where everything lies, computed straight from the embedded graph."""

    def __init__(self, g: GraphView) -> None:
        self.g = g
        self.ids = {n for n in g.nx.nodes}
        self.parent: dict[str, str] = {}
        for n in g.ids("Place"):
            for t, _ in g.out(n, "PART_OF"):
                if g.has_label(t, "Place"):
                    self.parent[n] = t
        self.areas = sorted(n for label in AREA_LABELS for n in g.ids(label))
        self.members = sorted(g.ids("PartyMember"))
        self.orgs = sorted(g.ids("PartyOrg"))

    def _up(self, node: str) -> Iterator[str]:
        while node is not None:
            yield node
            node = self.parent.get(node)  # type: ignore[assignment]

    def _out(self, n: str, rel: str, label: str) -> list[str]:
        return [t for t, _ in self.g.out(n, rel) if self.g.has_label(t, label)]

    def _in(self, n: str, rel: str, label: str) -> list[str]:
        return [s for s, _ in self.g.into(n, rel) if self.g.has_label(s, label)]

    def anchors(self, n: str) -> list[str]:
        g, out, inn = self.g, self._out, self._in
        labels = set(g.labels(n))
        if "Place" in labels:
            return out(n, "PART_OF", "Building") if "Entrance" in labels else [n]
        if "Person" in labels:
            return out(n, "LIVES_IN", "Building") or self._roles(n)
        if "Employer" in labels:
            return out(n, "LOCATED_IN", "Community")
        if labels & {"ServiceCentre", "RedStation"}:
            return out(n, "LOCATED_IN", "Place")
        if "PropertyFirm" in labels:
            return out(n, "SERVES", "Compound") or [b for p in inn(n, "WORKS_AT", "Person") for b in out(p, "LIVES_IN", "Building")]
        if "EnvironmentPropertyCommittee" in labels:
            return [m for rc in out(n, "BELONGS_TO", "ResidentsCommittee") for m in out(rc, "BELONGS_TO", "Community")]
        if "Committee" in labels:
            return out(n, "BELONGS_TO", "Place")
        if "PartyOrg" in labels:
            covered = [t for t, _ in g.out(n, "COVERS")]
            if not covered:
                return [b for p in inn(n, "MEMBER_OF", "Person") for b in out(p, "LIVES_IN", "Building")]
            found: list[str] = []
            for t in covered:
                found += self.anchors(t) if g.has_label(t, "Place") else []
                found += out(t, "LOCATED_IN", "Community") if g.has_label(t, "Employer") else []
                found += out(t, "SERVES", "Compound") if g.has_label(t, "PropertyFirm") else []
            return found
        raise AssertionError(f"no rule for {labels}")

    def _roles(self, person: str) -> list[str]:
        """Someone living outside every loaded area lies where their roles and seats are."""
        g, out = self.g, self._out
        found: list[str] = []
        for t, _ in g.out(person, "HOLDS_ROLE"):
            if g.has_label(t, "Place"):
                found += self.anchors(t)
            elif g.has_label(t, "PropertyFirm"):
                found += out(t, "SERVES", "Compound")
            elif g.has_label(t, "PartyOrg"):
                found += [a for c in out(t, "COVERS", "Place") for a in self.anchors(c)]
        for k, _ in g.out(person, "SEATED_ON"):
            found += self.anchors(k)
        return found

    def lies_in(self, node: str, area: str) -> bool:
        anchors = self.anchors(node)
        if not anchors:
            return area not in self.parent
        return any(area in self._up(a) for a in anchors)


@pytest.fixture(scope="module")
def oracle(street_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Oracle:
    store = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp_path_factory.mktemp("oracle")))  # type: ignore[call-arg]
    load(store, street_dir, source="street")
    with store._reader() as g:  # type: ignore[attr-defined]
        return Oracle(g)


@pytest.fixture(scope="module")
def api(street_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Api:
    return Api(street_store, tmp_path_factory.mktemp("api"), limits=TEST_LIMITS.with_(max_cost=10**7, max_depth=20))


# ---------------------------------------------------------------- checking an answer


def mentioned(value: Any) -> Iterator[str]:
    """Every object an answer names: global ids (decoded), keys, and ids inside any text."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "facts":  # a JSON scalar of raw ledger ids, counts and dates: every string is checked
                yield from (i for text in redact_strings(v) for i in ID_IN_TEXT.findall(text))
            elif k == "id" and isinstance(v, str):
                type_name, key = from_global(v)
                assert type_name is not None, f"not a global id: {v}"
                yield key
            else:
                yield from mentioned(v)
    elif isinstance(value, list):
        for v in value:
            yield from mentioned(v)
    elif isinstance(value, str):
        yield from ID_IN_TEXT.findall(value)


def check(oracle: Oracle, api: Api, area: str, role: str, document: str, variables: dict[str, Any]) -> list[str]:
    r = api.post(document, variables, api.token(area, role))
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body["errors"]
    seen = [i for i in mentioned(body["data"]) if i in oracle.ids]
    outside = sorted({i for i in seen if not oracle.lies_in(i, area)})
    assert outside == [], f"{role} bound to {area} sees {outside}"
    return seen


def questions(oracle: Oracle) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    every = sorted(oracle.ids)
    return st.one_of(
        st.sampled_from(every).map(lambda i: (NODE, {"id": i})),
        st.lists(st.sampled_from(every), min_size=1, max_size=20).map(lambda ids: (NODES, {"ids": ids})),
        st.sampled_from([None, *oracle.areas]).map(lambda a: (LISTS, {"area": a})),
        st.tuples(
            st.sampled_from([None, *oracle.areas]),
            st.sampled_from(INDICATOR_IDS),
            st.sampled_from(oracle.members),
            st.sampled_from(oracle.orgs),
        ).map(lambda t: (DOMAIN, {"area": t[0], "indicator": t[1], "member": t[2], "org": t[3]})),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_no_answer_shows_anything_outside_the_users_area(oracle: Oracle, api: Api, data: st.DataObject) -> None:
    area = data.draw(st.sampled_from(oracle.areas), label="area")
    role = data.draw(st.sampled_from(ROLES), label="role")
    document, variables = data.draw(questions(oracle), label="question")
    check(oracle, api, area, role, document, variables)


def test_a_community_user_sees_its_own_and_nothing_of_the_others(oracle: Oracle, api: Api) -> None:
    """Not vacuous: the same questions show plenty inside, and the neighbours' objects are null."""
    mine, other = "CM-0001", "CM-0002"
    seen = check(oracle, api, mine, "organizer", LISTS, {"area": None})
    assert len(set(seen)) > 50 and all(oracle.lies_in(i, mine) for i in seen)
    assert check(oracle, api, mine, "organizer", LISTS, {"area": other}) == []
    theirs = [i for i in sorted(oracle.ids) if oracle.lies_in(i, other) and not oracle.lies_in(i, mine)]
    assert len(theirs) > 50
    for start in range(0, len(theirs), 100):
        body = api.ask("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": theirs[start : start + 100]}, area=mine)
        assert body["nodes"] == [None] * len(theirs[start : start + 100])
    ours = [i for i in sorted(oracle.ids) if oracle.lies_in(i, mine)][:100]
    assert None not in api.ask("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ours}, area=mine)["nodes"]
    member = next(m for m in oracle.members if oracle.lies_in(m, other) and not oracle.lies_in(m, mine))
    org = next(o for o in oracle.orgs if oracle.lies_in(o, other) and not oracle.lies_in(o, mine))
    assert api.ask(DOMAIN, {"area": other, "indicator": "BUILDING_GROUP", "member": member, "org": org}, area=mine) == {
        "memberCard": None,
        "branchView": None,
        "coverage": None,
        "gaps": None,
        "areaOnePlusOne": None,
        "dualReporting": None,
    }


def test_the_oracle_is_not_trivial(oracle: Oracle) -> None:
    unanchored = [n for n in oracle.ids if not oracle.anchors(n)]
    shared = [n for n in oracle.ids if len({oracle._up(a).__next__() for a in oracle.anchors(n)}) > 1]
    assert oracle.areas and len(oracle.ids) > 1000
    assert shared, "some objects have several anchors"
    assert all(oracle.lies_in(n, "C-0001") for n in oracle.ids), "the city holds everything"
    assert isinstance(unanchored, list)


Check = Callable[..., list[str]]


# ---------------------------------------------------------------- people living outside, compounds with no grid


def test_someone_living_outside_is_seen_where_their_roles_are(store: Store, tmp_path: Path) -> None:
    """X1 lives outside every loaded area and is liaison for P1 (in CM1): CM1's organizer sees
    them, as a node and as a suggested liaison; CM2's does not. P6, directly under CM1 with no
    grid, is CM1's and has no branch although a branch covers CM1."""
    from api.graphql.ids import to_global
    from tests.queries.test_people_and_places import world

    store.write(world().batch)
    api = Api(store, tmp_path, area="CM1")
    x1 = to_global("Person", "X1")
    node = "query($id: ID!) { node(id: $id) { id ... on Person { appointments(current: false) { nodes { id } } } } }"
    seen = api.ask(node, {"id": x1}, area="CM1")["node"]
    assert seen is not None and seen["appointments"]["nodes"] == [{"id": to_global("Compound", "P1")}]
    assert api.ask(node, {"id": x1}, area="G1")["node"] is not None
    assert api.ask(node, {"id": x1}, area="CM2")["node"] is None
    assert api.ask(node, {"id": x1}, area="G2")["node"] is None
    gaps = api.ask(
        "{ gaps(area: \"CM1\", indicator: COMPOUND_LIAISON) { gaps { nodes { item { id } "
        "suggestions { candidate { id } } } } } }",
        area="CM1",
    )["gaps"]["gaps"]["nodes"]
    p6 = next(g for g in gaps if g["item"]["id"] == to_global("Compound", "P6"))
    assert {"id": x1} in [s["candidate"] for s in p6["suggestions"]]
    compound = "query($id: ID!) { node(id: $id) { id ... on Compound { branches { id } parent { id } } } }"
    p6_node = api.ask(compound, {"id": to_global("Compound", "P6")}, area="CM1")["node"]
    assert p6_node == {"id": to_global("Compound", "P6"), "branches": [], "parent": {"id": to_global("Community", "CM1")}}
    p5_node = api.ask(compound, {"id": to_global("Compound", "P5")}, area="CM1")["node"]
    assert p5_node["branches"] == [{"id": to_global("PartyOrg", "O-B5")}]
    assert api.ask(compound, {"id": to_global("Compound", "P6")}, area="CM2")["node"] is None

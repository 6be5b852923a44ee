"""Jurisdiction under attack, property-based, on both stores: reads, mutations, their errors,
list filters, sorts and counts. Users bound to random areas of the small street (a city, a
district, a street, three communities, their grids and compounds) aim at everything.

What must hold, for every generated attempt:

* **reads**: ``node(id:)`` answers an object exactly when it lies in the user's area (the
  independent oracle of tests/api/test_graphql_scope.py); nothing answered names an object
  outside;
* **lists**: every item lies inside; a filter on a count keeps exactly the items whose count,
  as the user sees it, passes; a sort by a count is ordered by the counts the user sees;
* **mutations**: an id outside the area answers exactly like an id that exists nowhere (the
  two responses are equal once the probed id is replaced by a placeholder), no response names
  an object outside, every probe fails, and the store's counts are unchanged afterwards.

Attempts are batched as aliases (25 per request for reads, 10 per mutation document) to
keep a run short; at least 2,000 per store in a normal run, times ``GONGZHI_ATTACK_SCALE``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from api.graphql.ids import from_global
from api.graphql.limits import DEFAULT_LIMITS
from graph.store import Store
from tests.api.client import Api
from tests.api.test_graphql_scope import AREA_LABELS, ID_IN_TEXT, Oracle
from tests.api.test_graphql_scope import oracle as oracle  # the same fixture: one oracle of where things lie
from tests.security.conftest import SCALE

READS_PER_REQUEST = 25
MUTATIONS_PER_DOCUMENT = 10
DAY = "2026-07-01"
def budget(examples: int) -> settings:
    """Hypothesis settings of an attack: ``examples`` requests, scaled, no deadline."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
        phases=(Phase.explicit, Phase.generate),  # a failure is shown as found: shrinking whole requests is slow
    )


@pytest.fixture(scope="module")
def api(street_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Api:
    return Api(street_store, tmp_path_factory.mktemp("api"), limits=DEFAULT_LIMITS.with_(max_cost=10**6, max_depth=20))


def post(api: Api, document: str, area: str, role: str = "organizer") -> dict[str, Any]:
    r = api.post(document, None, api.token(area, role))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert "errors" not in body, body["errors"]
    return body


def named(answer: Any) -> set[str]:
    """Every ledger id an answer names: global ids decoded, ids as given, ids inside texts."""
    found: set[str] = set()
    if isinstance(answer, dict):
        for v in answer.values():
            found |= named(v)
    elif isinstance(answer, list):
        for v in answer:
            found |= named(v)
    elif isinstance(answer, str):
        found.add(from_global(answer)[1])
        found.update(ID_IN_TEXT.findall(answer))
    return found


def no_outside(oracle: Oracle, area: str, answer: Any, given: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Nothing outside ``area`` is named, except the ids the request itself gave."""
    outside = sorted(i for i in named(answer) - given if i in oracle.ids and not oracle.lies_in(i, area))
    assert outside == [], f"a user of {area} is shown {outside}"


def q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- reads


def test_reads_show_exactly_what_lies_inside(oracle: Oracle, api: Api) -> None:
    everything = sorted(oracle.ids)
    made: list[int] = []

    @budget(48)
    @given(
        area=st.sampled_from(oracle.areas),
        role=st.sampled_from(("viewer", "organizer", "officer", "admin")),
        ids=st.lists(st.sampled_from(everything), min_size=READS_PER_REQUEST, max_size=READS_PER_REQUEST),
    )
    def attempt(area: str, role: str, ids: list[str]) -> None:
        fields = " ".join(
            f"a{n}: node(id: {q(i)}) {{ __typename id ... on Person {{ name phone building {{ id }} }}"
            f" ... on PartyOrg {{ parent {{ id }} }} ... on Place {{ parent {{ id }} }} }}"
            for n, i in enumerate(ids)
        )
        data = post(api, "{ " + fields + " }", area, role)["data"]
        for n, i in enumerate(ids):
            shown = data[f"a{n}"]
            assert (shown is not None) == oracle.lies_in(i, area), f"{i} for a user of {area}: {shown}"
            if shown is not None:
                assert from_global(shown["id"])[1] == i
        no_outside(oracle, area, data)
        made.append(len(ids))

    attempt()
    assert sum(made) >= 1200 * SCALE


# ---------------------------------------------------------------- lists: filters, sorts, counts

LISTS: dict[str, tuple[str, list[tuple[str, str]], list[str], str]] = {
    # list field: (filter fields with the count each tests, sorts with their count, node selection)
    "partyOrgs": (
        "OrgFilter",
        [("hasMembers", "members")],
        ["MEMBERS:members", "COVERS:covers"],
        "members { totalCount } covers { totalCount }",
    ),
    "propertyFirms": (
        "FirmFilter",
        [],
        ["COMPOUNDS:compounds", "MEMBERS:partyStaff"],  # the party members working there, probationary ones too
        "compounds { totalCount } partyStaff: staff(partyMembersOnly: true) { totalCount }",
    ),
    "members": (
        "MemberFilter",
        [("hasMembership", "memberships"), ("hasResidenceBranch", "residenceBranches")],
        ["MEMBERSHIPS:memberships", "RESIDENCE:residenceBranches"],
        "memberships { totalCount } residenceBranches { totalCount }",
    ),
}


def test_filters_sorts_and_counts_see_only_what_the_user_sees(oracle: Oracle, api: Api) -> None:
    made: list[int] = []
    areas = [None, *oracle.areas]

    @budget(40)
    @given(data=st.data())
    def attempt(data: st.DataObject) -> None:
        user = data.draw(st.sampled_from(oracle.areas), label="user")
        asked: list[tuple[str, str, bool | None, str, bool]] = []
        fields = []
        for n in range(5):
            name = data.draw(st.sampled_from(sorted(LISTS)), label="list")
            _, filters, sorts, selection = LISTS[name]
            area = data.draw(st.sampled_from(areas), label="area")
            flt = data.draw(st.sampled_from([None, *filters]), label="filter")
            wanted = data.draw(st.booleans(), label="wanted") if flt else None
            sort, column = data.draw(st.sampled_from(sorts), label="sort").split(":")
            descending = data.draw(st.booleans(), label="descending")
            args = [f"first: 100, orderBy: {sort}, descending: {str(descending).lower()}"]
            if area is not None:
                args.append(f"area: {q(area)}")
            if flt:
                args.append(f"filter: {{ {flt[0]}: {str(wanted).lower()} }}")
            fields.append(f"l{n}: {name}({', '.join(args)}) {{ totalCount nodes {{ id {selection} }} }}")
            asked.append((name, flt[1] if flt else "", wanted, column, descending))
        answer = post(api, "{ " + " ".join(fields) + " }", user)["data"]
        no_outside(oracle, user, answer)
        for n, (_, counted, wanted, column, descending) in enumerate(asked):
            page = answer[f"l{n}"]
            nodes = page["nodes"]
            assert page["totalCount"] >= len(nodes)
            if counted:
                assert all((node[counted]["totalCount"] > 0) == wanted for node in nodes), (fields[n], nodes)
            values = [node[column]["totalCount"] for node in nodes]
            assert values == sorted(values, reverse=descending), (fields[n], values)
        made.append(len(asked))

    attempt()
    assert sum(made) >= 200 * SCALE


# ---------------------------------------------------------------- mutations: outside is absent

RESULT = """{ __typename
  ... on InvalidInput { message messageZh issues { field value reason reasonZh } }
  ... on NotFound { message messageZh id } ... on NotAllowed { message messageZh }
  ... on Unavailable { message messageZh } }"""


class World:
    """The inside objects of one user's area that a mutation needs, by kind."""

    def __init__(self, oracle: Oracle, area: str) -> None:
        g = oracle.g
        inside = sorted(i for i in oracle.ids if oracle.lies_in(i, area))

        def kind(label: str, level: tuple[str, ...] = ()) -> list[str]:
            return [i for i in inside if g.has_label(i, label) and (not level or g.node(i).get("level") in level)]

        self.buildings, self.compounds = kind("Building"), kind("Compound")
        self.people, self.members = kind("Person"), kind("PartyMember")
        self.orgs, self.branches = kind("PartyOrg"), kind("PartyOrg", ("branch", "general_branch"))
        self.communities, self.firms = kind("Community"), kind("PropertyFirm")
        self.outside = sorted(i for i in oracle.ids if not oracle.lies_in(i, area))

    def complete(self) -> bool:
        return all((self.buildings, self.compounds, self.people, self.members, self.branches, self.communities,
                    self.firms, self.outside))


def templates(w: World, pick: Any) -> list[str]:
    """Mutations with one slot ``@P@`` for the probed id; every other id lies inside."""
    b, c, p, m = q(pick(w.buildings)), q(pick(w.compounds)), q(pick(w.people)), q(pick(w.members))
    o, br, cm, f = q(pick(w.orgs)), q(pick(w.branches)), q(pick(w.communities)), q(pick(w.firms))
    person = 'name: "甲乙", politicalStatus: MASSES'
    seat = f"seats: [{{ person: {p}, role: MEMBER }}]"
    return [
        f'registerPerson(person: {{ id: @P@, {person}, building: {b} }})',
        f'registerPerson(person: {{ {person}, building: @P@ }})',
        f'registerPerson(person: {{ {person}, building: {b}, employer: @P@ }})',
        'updatePerson(id: @P@, patch: { phone: "13900001111" })',
        f'updatePerson(id: {p}, patch: {{ building: @P@ }})',
        f'transferMembership(member: @P@, toOrg: {o}, on: "{DAY}")',
        f'transferMembership(member: {m}, toOrg: @P@, on: "{DAY}")',
        f'recordDualReport(reporter: @P@, community: {cm}, since: "{DAY}")',
        f'recordDualReport(reporter: {m}, community: @P@, since: "{DAY}")',
        f'endDualReport(reporter: {m}, community: @P@, on: "{DAY}")',
        f'formPartyGroup(group: {{ id: @P@, name: "x", parent: {br}, buildings: [{b}], since: "{DAY}" }})',
        f'formPartyGroup(group: {{ name: "x", parent: @P@, buildings: [{b}], since: "{DAY}" }})',
        f'formPartyGroup(group: {{ name: "x", parent: {br}, buildings: [{b}, @P@], since: "{DAY}" }})',
        f'formPartyGroup(group: {{ name: "x", parent: {br}, buildings: [{b}], since: "{DAY}", leader: @P@ }})',
        f'appointBuildingHead(building: @P@, person: {p}, since: "{DAY}")',
        f'appointBuildingHead(building: {b}, person: @P@, since: "{DAY}")',
        f'appointQualitySupervisor(compound: {c}, person: @P@, since: "{DAY}")',
        f'appointInstructor(firm: @P@, person: {p}, since: "{DAY}")',
        f'endAppointment(role: BUILDING_HEAD, target: {b}, person: @P@, on: "{DAY}")',
        f'recordCommitteeElection(election: {{ id: @P@, kind: OWNERS, compound: {c}, name: "x", since: "{DAY}", {seat} }})',
        f'recordCommitteeElection(election: {{ kind: OWNERS, compound: @P@, name: "x", since: "{DAY}", {seat} }})',
        f'recordCommitteeElection(election: {{ kind: SELF_MANAGEMENT, compound: {c}, name: "x", since: "{DAY}",'
        ' seats: [{ person: @P@, role: CHAIR }] })',
        f'signPropertyContract(firm: @P@, compound: {c}, since: "{DAY}")',
        f'signPropertyContract(firm: {f}, compound: @P@, since: "{DAY}")',
        f'endPropertyContract(firm: {f}, compound: @P@, on: "{DAY}")',
    ]


def absent_like(outside: str, salt: int) -> str:
    """An id of the same form that exists nowhere."""
    prefix = outside.split("-")[0]
    return f"{prefix}-9{salt:05d}"


def normalised(result: Any, probe: str) -> str:
    return json.dumps(result, ensure_ascii=False, sort_keys=True).replace(probe, "@P@")


def test_outside_ids_answer_exactly_like_absent_ones_in_every_mutation(oracle: Oracle, api: Api, street_store: Store) -> None:
    users = [a for a in oracle.areas if oracle.g.labels(a) and set(oracle.g.labels(a)) & {"Community", "Grid"}]
    worlds = {a: World(oracle, a) for a in users}
    users = [a for a in users if worlds[a].complete()]
    assert users, "no user area with everything a mutation needs"
    before = street_store.stats()
    made: list[int] = []

    @budget(30)
    @given(data=st.data())
    def attempt(data: st.DataObject) -> None:
        area = data.draw(st.sampled_from(users), label="area")
        role = data.draw(st.sampled_from(("organizer", "organizer", "officer", "viewer")), label="role")
        w = worlds[area]
        pick = lambda items: data.draw(st.sampled_from(items))  # noqa: E731
        chosen = [data.draw(st.sampled_from(templates(w, pick)), label="mutation") for _ in range(MUTATIONS_PER_DOCUMENT)]
        probes = [data.draw(st.sampled_from(w.outside), label="outside") for _ in chosen]
        absents = [absent_like(o, data.draw(st.integers(0, 99999))) for o in probes]

        def document(ids: list[str]) -> str:
            body = " ".join(f"m{n}: {t.replace('@P@', q(i))} {RESULT}" for n, (t, i) in enumerate(zip(chosen, ids, strict=True)))
            return "mutation { " + body + " }"

        outside = post(api, document(probes), area, role)["data"]
        absent = post(api, document(absents), area, role)["data"]
        for n, (t, o, a) in enumerate(zip(chosen, probes, absents, strict=True)):
            got_o, got_a = outside[f"m{n}"], absent[f"m{n}"]
            assert got_o["__typename"] in ("NotFound", "InvalidInput", "NotAllowed"), (t, got_o)
            assert normalised(got_o, o) == normalised(got_a, a), f"{t}\n outside {o}: {got_o}\n absent {a}: {got_a}"
        no_outside(oracle, area, outside, set(probes))
        made.append(2 * len(chosen))

    attempt()
    assert street_store.stats() == before, "a refused mutation changed the store"
    assert sum(made) >= 600 * SCALE


def test_the_areas_are_varied(oracle: Oracle) -> None:
    """Not vacuous: users at every level, and communities with neighbours."""
    labels = {label for a in oracle.areas for label in oracle.g.labels(a) if label in AREA_LABELS}
    assert labels >= {"City", "District", "Subdistrict", "Community", "Compound"}
    assert sum(1 for a in oracle.areas if oracle.g.has_label(a, "Community")) >= 3

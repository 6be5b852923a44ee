"""The cost limit prices nested lists by the data's fan-out (issue 13, item 5).

The district's tree of places at ``first: 50`` a level is what it is in the data (a few
dozen places), so it is accepted; the same document priced at its page sizes alone is
refused; a real multiplication (members, their orgs, those orgs' members, their orgs, ...)
is refused before the store is asked, with the estimate in the error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from graphql import parse, validate

from api.graphql.cost import cost_rule
from api.graphql.limits import DEFAULT_LIMITS
from api.graphql.schema import build_schema
from graph.records import Degrees
from graph.select import IN, OUT, Agg, CountFilter, Hop, Nested, Select
from graph.select_cost import REACH_WEIGHT, SCAN_WEIGHT, estimate
from graph.store import Store
from tests.api.client import Api
from tests.api.test_graphql_hostile import refused
from tests.api.test_graphql_types import Counting

TREE = """{ node(id: "D-0001") { ... on District { name children(first: 50) { nodes { name
  ... on Subdistrict { communities(first: 50) { nodes { name grids(first: 50) { nodes { name
    compounds(first: 50) { nodes { name buildings(first: 50) { nodes { name } } } } } } } } } } } } } }"""

ABUSE = """{ members(first: 100) { nodes { memberships(first: 100) { nodes { members(first: 100) { nodes {
  memberships(first: 100) { nodes { members(first: 100) { nodes { key } } } } } } } } } } }"""


SCHEMA = build_schema()._schema


@pytest.fixture
def api(street_store: Store, tmp_path: Path) -> tuple[Api, Counting]:
    counting = Counting(street_store)
    return Api(counting, tmp_path), counting


def test_a_district_tree_at_fifty_a_level_is_accepted(api: tuple[Api, Counting]) -> None:
    a, _ = api
    tree = a.ask(TREE)["node"]
    names = [c["name"] for s in tree["children"]["nodes"] for c in s["communities"]["nodes"]]
    assert names  # answered, not refused


def _cost_errors(document: str, degrees: Degrees | None, max_cost: int = DEFAULT_LIMITS.max_cost) -> list[str]:
    limits = DEFAULT_LIMITS
    rule = cost_rule(max_cost, limits.max_page, limits.default_page, lambda: degrees)
    return [e.message for e in validate(SCHEMA, parse(document), [rule])]


def test_the_same_tree_priced_by_page_sizes_alone_is_refused(street_store: Store) -> None:
    by_pages = _cost_errors(TREE, None)  # no counts: every list its page
    assert by_pages and "too expensive" in by_pages[0]
    assert _cost_errors(TREE, street_store.degrees()) == []


def test_a_real_multiplication_is_refused_with_its_estimate(api: tuple[Api, Counting]) -> None:
    message = refused(*api, ABUSE)
    assert "too expensive" in message
    shown = re.search(r"estimated cost (more than )?([\d,]+)", message)
    assert shown is not None and int(shown.group(2).replace(",", "")) > 20_000


def test_the_estimate_grows_with_the_data(street_store: Store) -> None:
    """Twice the fan-out of one step, about twice the price of what hangs under it."""
    real = street_store.degrees()
    members = ("PartyOrg", "MEMBER_OF")
    doubled = Degrees(real.labels, real.out, {**real.into, members: 2 * real.into[members]})
    doc = "{ partyOrgs(first: 10) { nodes { members(first: 100) { nodes { key name } } } } }"
    costs = []
    for degrees in (real, doubled):
        errors = _cost_errors(doc, degrees, max_cost=10)  # over 10: the error shows the estimate
        assert len(errors) == 1
        shown = re.search(r"estimated cost ([\d,]+)", errors[0])
        assert shown is not None
        costs.append(int(shown.group(1).replace(",", "")))
    assert 1.6 < costs[1] / costs[0] < 2.2


# ---------------------------------------------------------------- plans (graph/select_cost.py)

DEGREES = Degrees(
    labels={"Community": 10, "Building": 1_000, "Person": 50_000, "PartyOrg": 500},
    out={("Building", "PART_OF"): 1_000, ("Person", "MEMBER_OF"): 40_000},
    into={("Community", "PART_OF"): 1_000, ("Building", "LIVES_IN"): 40_000, ("PartyOrg", "MEMBER_OF"): 40_000},
)


def test_a_page_costs_its_rows_times_their_fields() -> None:
    plan = Select("Building", first=20, fields=("id", "name"))
    assert estimate(plan, DEGREES) == 20 * 2


def test_a_nested_list_costs_the_fan_out_not_its_page() -> None:
    residents = Nested(Hop("LIVES_IN", IN, "Person"), Select("Person", first=100, fields=("id",)))
    plan = Select("Building", first=10, fields=("id",), nested=(("residents", residents),))
    # 40 residents a building on average, under the page of 100
    assert estimate(plan, DEGREES) == 10 * (1 + 1 + 40 * 1)


def test_filters_pay_for_the_items_they_look_at() -> None:
    big_orgs = CountFilter(Hop("MEMBER_OF", IN, "Person"), "gt", 10)
    plan = Select("PartyOrg", where=big_orgs, first=5, fields=("id",), total=True, aggregates=(Agg("n", "count"),))
    scanned = 500 * (1 + 80 * REACH_WEIGHT) * SCAN_WEIGHT  # every org, its 80 members each tested
    assert estimate(plan, DEGREES) == pytest.approx(scanned + 5 * 1 + 1 + 1)
    unfiltered = Select("PartyOrg", first=5, fields=("id",))
    assert estimate(unfiltered, DEGREES) == 5


def test_a_chain_multiplies() -> None:
    members = Select("Person", first=100, fields=("id",))
    orgs = Select("PartyOrg", first=100, nested=(("members", Nested(Hop("MEMBER_OF", IN, "Person"), members)),))
    plan = Select("Person", first=100, nested=(("orgs", Nested(Hop("MEMBER_OF", OUT, "PartyOrg"), orgs)),))
    # 100 people, 1 org each (0.8 on average, rounded up), 80 members each
    assert estimate(plan, DEGREES) == 100 * (1 + 1 + 1 * (1 + 1 + 80 * 1))


# ---------------------------------------------------------------- compiled plans (cost.check_plans)


def _deep_where(hops: int) -> str:
    """A person filter ``hops`` relationship filters deep: their orgs' members' orgs' members..."""
    inner = '{skills: {contains: "调解"}}'
    for i in range(hops):
        field = "membershipsSome" if i % 2 == (hops - 1) % 2 else "membersSome"
        inner = f"{{{field}: {{node: {inner}}}}}"
    return inner


class CountingSelects(Counting):
    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.selects = 0

    def select(self, *a: Any) -> Any:
        self.selects += 1
        return self.inner.select(*a)


@pytest.fixture
def selects(street_store: Store, tmp_path: Path) -> tuple[Api, CountingSelects]:
    counting = CountingSelects(street_store)
    return Api(counting, tmp_path), counting


def _graph_refused(a: Api, counting: CountingSelects, document: str, variables: dict[str, Any] | None = None) -> str:
    counting.selects = 0
    r = a.post(document, variables, token=a.token("C-0001"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["data"] == {"graph": None}, body
    assert counting.selects == 0, "the plan ran"
    return " ".join(e["message"] for e in body["errors"])


def test_a_filter_reaching_through_many_relationships_is_refused_before_it_runs(
    selects: tuple[Api, CountingSelects], street_store: Store
) -> None:
    """Eight nested ``some`` filters return a page of five, yet each candidate reaches its
    orgs' members' orgs' members...: the compiled plan is priced, and refused with its estimate."""
    doc = f"{{ graph {{ persons(first: 5, where: {_deep_where(8)}) {{ nodes {{ key }} }} }} }}"
    assert _cost_errors(doc, street_store.degrees()) == []  # the document alone looks cheap
    message = _graph_refused(*selects, doc)
    shown = re.search(r"estimated cost ([\d,]+)", message)
    assert "too expensive" in message and shown is not None
    assert int(shown.group(1).replace(",", "")) > DEFAULT_LIMITS.max_cost


def test_the_same_filter_as_a_variable_is_refused_too(selects: tuple[Api, CountingSelects]) -> None:
    doc = "query($w: GraphPersonWhere) { graph { persons(first: 5, where: $w) { nodes { key } } } }"
    value: dict[str, Any] = {"skills": {"contains": "调解"}}
    for i in range(8):
        value = {"membershipsSome" if i % 2 == 1 else "membersSome": {"node": value}}
    message = _graph_refused(*selects, doc, {"w": value})
    assert "too expensive" in message


def test_an_honest_filter_runs(selects: tuple[Api, CountingSelects]) -> None:
    """Members whose org has some member heading a building: three relationship filters."""
    a, counting = selects
    where = "{membershipsSome: {node: {membersSome: {node: {appointedToBuildingsCount: {gt: 0}}}}}}"
    counting.selects = 0
    got = a.ask(f"{{ graph {{ persons(first: 5, where: {where}) {{ totalCount nodes {{ key }} }} }} }}")
    assert counting.selects == 1 and got["graph"]["persons"]["totalCount"] >= 0

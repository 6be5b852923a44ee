"""Documents compiled to the exact ``Select`` plans (graph/select.py): aliases, fragments,
variables, nested lists, filters, sorts, pages. No store is involved: the plans are data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values

from api.graphql.errors import ClientError
from api.graphql.generated.compile import (
    ConnSpec,
    Request,
    children,
    compile_graph,
    decode_cursor,
    encode_cursor,
)
from api.graphql.generated.root import GENERATED
from api.graphql.ids import to_global
from api.graphql.limits import DEFAULT_LIMITS
from api.graphql.schema import build_schema
from graph.select import (
    IN,
    OUT,
    Agg,
    And,
    Cmp,
    CountFilter,
    CountKey,
    GroupBy,
    Hop,
    Nested,
    Not,
    Or,
    RelFilter,
    Select,
    SortKey,
)

TODAY = date(2025, 6, 1)
SCHEMA = build_schema()._schema  # type: ignore[attr-defined]
PAGE = DEFAULT_LIMITS.default_page


def plans(
    document: str, variables: dict[str, Any] | None = None
) -> list[tuple[str, Select | None, ConnSpec | None]]:
    doc = parse(document)
    assert not validate(SCHEMA, doc), validate(SCHEMA, doc)
    op = next(d for d in doc.definitions if isinstance(d, OperationDefinitionNode))
    frags = {d.name.value: d for d in doc.definitions if not isinstance(d, OperationDefinitionNode)}
    vv = get_variable_values(SCHEMA, op.variable_definitions or (), variables or {})
    assert not isinstance(vv, list), vv
    graph = [s for s in op.selection_set.selections if s.name.value == "graph"]  # type: ignore[attr-defined]
    req = Request(SCHEMA, frags, vv, TODAY, DEFAULT_LIMITS)  # type: ignore[arg-type]
    return compile_graph(GENERATED, children(graph), req)  # type: ignore[arg-type]


def one(document: str, variables: dict[str, Any] | None = None) -> Select:
    ((_, plan, _),) = plans(document, variables)
    assert plan is not None
    return plan


def test_a_root_list_with_fields_count_and_page() -> None:
    plan = one("{ graph { buildings(first: 5) { totalCount nodes { id name residents } } } }")
    assert plan == Select(label="Building", first=5, fields=("id", "name", "residents"), total=True)


def test_aliases_give_one_plan_each_in_document_order() -> None:
    got = plans(
        '{ graph { a: buildings { nodes { name } } b: buildings(area: "CM-0001") { totalCount } __typename } }'
    )
    assert [k for k, _, _ in got] == ["a", "b", "__typename"]
    assert got[0][1] == Select(label="Building", first=PAGE, fields=("id", "name"))
    assert got[1][1] == Select(label="Building", first=PAGE, total=True, area="CM-0001")
    assert got[2][1] is None


def test_area_as_a_global_id_is_its_ledger_id() -> None:
    plan = one(
        "query($a: ID) { graph { compounds(area: $a) { totalCount } } }",
        {"a": to_global("Community", "CM-0002")},
    )
    assert plan.area == "CM-0002"


def test_fragments_inline_fragments_skip_and_include() -> None:
    plan = one(
        """query($no: Boolean!) { graph { buildings { nodes { ...B ... on GraphBuilding { residents }
               key @skip(if: $no) name @include(if: $no) } } } }
           fragment B on GraphBuilding { id compound { name } }""",
        {"no": True},
    )
    compound = Nested(
        Hop("PART_OF", OUT, "Compound"), Select(label="Compound", first=1, fields=("id", "name"))
    )
    assert plan == Select(
        label="Building",
        first=PAGE,
        fields=("id", "residents", "name"),
        nested=(("n0", compound),),
    )


def test_filters_of_every_shape() -> None:
    plan = one(
        """query($n: Int) { graph { compounds(where: {
              name: {startsWith: "檀", ne: "x"}, households: {gte: $n}, eligibleForOwnersCommittee: {eq: true},
              OR: [{address: {contains: "路"}}, {address: {isNull: true}}], NOT: {id: {in: ["P-0001"]}},
              buildingsNone: {residents: {gt: 100}}, buildingsCount: {gt: 2, lte: 9}, grid: {name: {eq: "g"}},
              servedByPropertyFirmsSome: {}
            }) { totalCount } } }""",
        {"n": 50},
    )
    # in the order of the generated input's fields (graphql-core coerces them so)
    assert plan.where == And(
        (
            Or((Cmp("address", "contains", "路"), Cmp("address", "is_null", True))),
            Not(Cmp("id", "in", ("P-0001",))),
            Cmp("name", "ne", "x"),
            Cmp("name", "starts_with", "檀"),
            Cmp("eligible_for_owners_committee", "eq", True),
            Cmp("households", "gte", 50),
            RelFilter(Hop("PART_OF", OUT, "Grid"), "some", Cmp("name", "eq", "g")),
            RelFilter(Hop("PART_OF", IN, "Building"), "none", Cmp("residents", "gt", 100)),
            CountFilter(Hop("PART_OF", IN, "Building"), "lte", 9),
            CountFilter(Hop("PART_OF", IN, "Building"), "gt", 2),
            RelFilter(Hop("SERVES", IN, "PropertyFirm", TODAY), "some", None),
        )
    )


def test_enum_filters_take_the_declared_codes_and_dated_filters_the_lists_day() -> None:
    plan = one(
        """{ graph { persons(asOf: "2024-01-01", where: {politicalStatus: {in: [MEMBER, PROBATIONARY]},
              membershipsSome: {node: {level: {eq: BRANCH}}}}) { totalCount } } }"""
    )
    assert plan.where == And(
        (
            Cmp("political_status", "in", ("member", "probationary")),
            RelFilter(
                Hop("MEMBER_OF", OUT, "PartyOrg", date(2024, 1, 1)), "some", Cmp("level", "eq", "branch")
            ),
        )
    )


def test_sorts_by_several_keys_and_by_counts() -> None:
    plan = one(
        "{ graph { compounds(orderBy: [{field: BUILDINGS_COUNT, direction: DESC}, {field: NAME}]) { nodes { id } } } }"
    )
    assert plan.order == (SortKey(CountKey(Hop("PART_OF", IN, "Building")), True), SortKey("name"))


def test_nested_lists_with_their_own_page_filter_day_and_edges() -> None:
    plan = one(
        """{ graph { persons(first: 3) { edges { cursor node { key
              memberships(first: 2, current: false) { edges { rel { since until } node { name } } }
              seats: seatsOwnersCommittees(asOf: "2020-01-01") { totalCount }
           } } pageInfo { hasNextPage endCursor } } } }"""
    )
    memberships = Select(label="PartyOrg", first=2, fields=("id", "name"), rel_fields=("since", "until"))
    seats = Select(label="OwnersCommittee", first=PAGE, total=True)
    assert plan.nested == (
        ("n0", Nested(Hop("MEMBER_OF", OUT, "PartyOrg", None), memberships)),
        ("n1", Nested(Hop("SEATED_ON", OUT, "OwnersCommittee", date(2020, 1, 1)), seats)),
    )
    assert (plan.label, plan.first, plan.fields) == ("Person", 3, ("id",))


def test_a_dated_list_defaults_to_the_roots_day() -> None:
    plan = one('{ graph { partyOrgs(asOf: "2023-03-03") { nodes { members { totalCount } } } } }')
    ((_, nested),) = plan.nested
    assert nested.hop == Hop("MEMBER_OF", IN, "Person", date(2023, 3, 3))
    plan = one("{ graph { partyOrgs { nodes { members { totalCount } } } } }")
    assert plan.nested[0][1].hop.as_of == TODAY


def test_aggregates_and_group_by() -> None:
    plan = one(
        """{ graph { buildings { aggregate { count n: count residents { min max avg sum } }
              groupBy(level: COMMUNITY) { place { name } count } } } }"""
    )
    assert plan.aggregates == (
        Agg("a0", "count"),
        Agg("a1", "count"),
        Agg("a2", "min", "residents"),
        Agg("a3", "max", "residents"),
        Agg("a4", "avg", "residents"),
        Agg("a5", "sum", "residents"),
    )
    assert plan.group_by == GroupBy("Community")


def test_two_group_levels_in_one_list_are_refused() -> None:
    with pytest.raises(ClientError):
        plans(
            "{ graph { buildings { a: groupBy(level: COMMUNITY) { count } b: groupBy(level: GRID) { count } } } }"
        )


def test_cursors_round_trip_and_bad_ones_are_refused() -> None:
    values = ("檀溪", 3, date(2024, 2, 29), None, "B-0001")
    assert decode_cursor(encode_cursor(values)) == values
    plan = one(
        """query($c: String) { graph { compounds(after: $c, orderBy: [{field: NAME}, {field: HOUSEHOLDS},
           {field: ADDRESS}, {field: ELIGIBLE_FOR_OWNERS_COMMITTEE}]) { totalCount } } }""",
        {"c": encode_cursor(values)},
    )
    assert plan.after == values
    with pytest.raises(ClientError):
        plans('{ graph { buildings(after: "nonsense") { totalCount } } }')
    with pytest.raises(ClientError):  # a cursor of another order
        plans(
            "query($c: String) { graph { buildings(after: $c, orderBy: [{field: NAME}]) { totalCount } } }",
            {"c": encode_cursor(("B-1",))},
        )


def test_page_sizes_are_checked_before_any_read() -> None:
    with pytest.raises(ClientError):
        plans(f"{{ graph {{ buildings(first: {DEFAULT_LIMITS.max_page + 1}) {{ totalCount }} }} }}")


def test_relationship_facts_filter_which_relationships_count() -> None:
    plan = one(
        """{ graph { buildings(where: {appointeesNone: {rel: {role: {eq: BUILDING_HEAD}}}}) { nodes {
              appointees(relWhere: {OR: [{role: {eq: CENTRAL_HOUSEHOLD}}, {since: {gte: "2024-01-01"}}]}) { totalCount }
           } } } }"""
    )
    head = Hop("HOLDS_ROLE", IN, "Person", TODAY, rel_where=Cmp("role", "eq", "building_head"))
    assert plan.where == RelFilter(head, "none", None)
    recent = Or((Cmp("role", "eq", "central_household"), Cmp("since", "gte", date(2024, 1, 1))))
    assert plan.nested[0][1].hop == Hop("HOLDS_ROLE", IN, "Person", TODAY, rel_where=recent)

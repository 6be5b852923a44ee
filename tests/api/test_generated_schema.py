"""The generated API's schema comes from the model: every kind has its list, filter, sort and
connection, and a kind or relationship added to the model shows up with no API code."""

from __future__ import annotations

from dataclasses import replace

import pytest
import strawberry
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

from api.graphql.generated.names import camel, rel_fields
from api.graphql.generated.root import standalone_schema
from api.graphql.generated.types import Generated, generate
from api.graphql.schema import build_schema
from graph.declare import Column, FieldType, InlineRel, NodeKind, RelKind
from graph.model import BUILDING, NODE_KINDS, REL_KINDS


def _schema(gen: Generated) -> strawberry.Schema:
    schema: strawberry.Schema = standalone_schema(gen)
    return schema


@pytest.fixture(scope="module")
def api_schema() -> object:
    return build_schema()._schema  # type: ignore[attr-defined]


def test_every_kind_has_its_list_where_sort_and_connection(api_schema: object) -> None:
    graph = api_schema.get_type("GraphQuery")  # type: ignore[attr-defined]
    assert isinstance(graph, GraphQLObjectType)
    assert set(graph.fields) == {camel(k.table) for k in NODE_KINDS}
    for k in NODE_KINDS:
        f = graph.fields[camel(k.table)]
        assert set(f.args) == {"where", "orderBy", "first", "after", "area", "asOf"}
        for suffix in ("Where", "Sort"):
            assert isinstance(api_schema.get_type(f"Graph{k.label}{suffix}"), GraphQLInputObjectType)  # type: ignore[attr-defined]
        assert isinstance(api_schema.get_type(f"Graph{k.label}SortField"), GraphQLEnumType)  # type: ignore[attr-defined]
        conn = api_schema.get_type(f"Graph{k.label}Connection")  # type: ignore[attr-defined]
        assert set(conn.fields) == {"totalCount", "nodes", "edges", "pageInfo", "aggregate", "groupBy"}


def test_relationships_both_ways_with_the_rule_and_declared_names(api_schema: object) -> None:
    t = api_schema.get_type  # type: ignore[attr-defined]
    assert t("GraphBuilding").fields["compound"].type.name == "GraphCompound"
    assert t("GraphCompound").fields["buildings"].type.of_type.name == "GraphBuildingConnection"
    assert "members" in t("GraphPartyOrg").fields  # declared back name of memberships
    assert t("GraphPerson").fields["memberships"].type.of_type.name == "GraphPartyOrgViaMembershipsConnection"
    assert {"since", "until"} <= set(t("GraphMembershipsRel").fields)
    assert "role" in t("GraphAppointmentsRel").fields
    assert {"placeCommunity", "placeGrid", "placeCompound"} <= set(t("GraphRedStation").fields)
    assert {"asOf", "current"} <= set(t("GraphPerson").fields["memberships"].args)
    assert "asOf" not in t("GraphCompound").fields["buildings"].args  # an inline REF is not dated
    where = t("GraphCompoundWhere").fields
    assert {"buildingsSome", "buildingsNone", "buildingsAll", "buildingsSingle", "buildingsCount"} <= set(
        where
    )
    assert "BUILDINGS_COUNT" in t("GraphCompoundSortField").values


def test_personal_columns_are_shown_but_never_filtered_sorted_or_aggregated(api_schema: object) -> None:
    t = api_schema.get_type  # type: ignore[attr-defined]
    assert {"name", "phone", "idNumber"} <= set(t("GraphPerson").fields)
    assert "reason" in t("GraphPerson").fields["phone"].args
    assert not {"name", "phone", "idNumber"} & set(t("GraphPersonWhere").fields)
    assert not {"NAME", "PHONE", "ID_NUMBER"} & set(t("GraphPersonSortField").values)
    assert not {"name", "phone", "idNumber"} & set(t("GraphPersonAggregate").fields)
    assert "skills" in t("GraphPersonWhere").fields  # a text that is not personal is
    assert {"contains", "startsWith"} <= set(t("GraphStringFilter").fields)
    assert not {"contains", "startsWith"} & set(t("GraphIntFilter").fields)


def test_enums_reuse_the_hand_written_ones(api_schema: object) -> None:
    t = api_schema.get_type  # type: ignore[attr-defined]
    assert t("GraphPersonWhere").fields["politicalStatus"].type.name == "GraphPoliticalStatusFilter"
    assert t("GraphPartyOrg").fields["level"].type.name == "OrgLevel"


GARDEN = NodeKind(
    "Garden",
    "gardens",
    "花园",
    "a community garden (a kind only this test declares)",
    (
        Column("id", "编号", required=True),
        Column("name", "名称", required=True),
        Column("beds", "苗床数", FieldType.INT),
        Column("compound_id", "所属小区", FieldType.REF, ref=("Compound",)),
    ),
    inline_rels=(InlineRel("compound_id", "PART_OF"),),
)
TENDS = RelKind(
    "TENDS",
    "garden_keepers",
    "花园志愿者",
    "who tends a garden",
    Column("person_id", "人员", FieldType.REF, ref=("Person",)),
    Column("garden_id", "花园", FieldType.REF, ref=("Garden",)),
    (Column("since", "起始", FieldType.DATE), Column("until", "终止", FieldType.DATE)),
    dated=True,
    forward="tends",
    back="keepers",
)


def test_a_new_kind_and_relationship_appear_without_api_code() -> None:
    gen = generate((*NODE_KINDS, GARDEN), (*REL_KINDS, TENDS))
    s = _schema(gen)._schema
    assert "gardens" in s.get_type("GraphQuery").fields
    garden = s.get_type("GraphGarden").fields
    assert {"id", "key", "name", "beds", "compound", "keepers"} <= set(garden)
    assert "gardens" in s.get_type("GraphCompound").fields
    assert "tends" in s.get_type("GraphPerson").fields
    assert {"asOf", "current"} <= set(garden["keepers"].args)
    where = s.get_type("GraphGardenWhere").fields
    assert {
        "beds",
        "name",
        "compound",
        "keepersSome",
        "keepersNone",
        "keepersCount",
        "AND",
        "OR",
        "NOT",
    } <= set(where)
    assert {"BEDS", "NAME", "KEEPERS_COUNT"} <= set(s.get_type("GraphGardenSortField").values)
    assert "beds" in s.get_type("GraphGardenAggregate").fields
    assert "gardensSome" in s.get_type("GraphCompoundWhere").fields
    assert {"since", "until"} <= set(s.get_type("GraphGardenKeepersRel").fields)
    # the model's own schema is untouched by the test's kinds
    assert "gardens" not in generate().kinds.get("Compound", None).rels  # type: ignore[union-attr]


def test_a_clash_asks_for_a_declared_name() -> None:
    twice = replace(
        BUILDING,
        columns=(
            *BUILDING.columns,
            Column("other_compound_id", "另一小区", FieldType.REF, ref=("Compound",)),
        ),
        inline_rels=(*BUILDING.inline_rels, InlineRel("other_compound_id", "NEAR")),
    )
    kinds = tuple(twice if k.label == "Building" else k for k in NODE_KINDS)
    with pytest.raises(ValueError, match=r"GraphCompound\.buildings"):
        generate(kinds, REL_KINDS)
    named = replace(
        twice,
        inline_rels=(*BUILDING.inline_rels, InlineRel("other_compound_id", "NEAR", back="nearBuildings")),
    )
    kinds = tuple(named if k.label == "Building" else k for k in NODE_KINDS)
    assert any(f.name == "nearBuildings" for f in rel_fields(kinds, REL_KINDS)["Compound"])
    assert "nearBuildings" in generate(kinds, REL_KINDS).kinds["Compound"].rels

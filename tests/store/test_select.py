"""Compiled reads (``Store.select``) on both stores against the plain-Python oracle.

Every test runs on the embedded store and on Neo4j (``world_store``) over the small
generated street, and compares the store's whole ``SelectResult`` with what
``tests/store/select_oracle.py`` computes from the generator's CSV tables.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j
import pytest

from graph.embedded import EmbeddedStore
from graph.errors import PlanError
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
    Scope,
    Select,
    SelectResult,
    SortKey,
)
from graph.select_cypher import compile_select
from graph.store import Store
from tests.store.select_oracle import Oracle, World, lies_in

ROOT = Scope("C-0001")
COMMUNITY = Scope("CM-0002")
SCOPES = (ROOT, COMMUNITY)
DAY = date(2025, 6, 1)

MEMBERS = Hop("MEMBER_OF", IN, "Person", as_of=DAY)
ENTRANCES = Hop("PART_OF", IN, "Entrance")
BUILDINGS = Hop("PART_OF", IN, "Building")
RESIDENTS = Hop("LIVES_IN", IN, "Person")
HOME = Hop("LIVES_IN", OUT, "Building")


def same(store: Store, world: World, plan: Select, scopes: tuple[Scope, ...] = SCOPES) -> SelectResult:
    got = None
    for scope in scopes:
        got = store.select(plan, scope)
        assert got == Oracle(world, scope).select(plan), (scope, plan)
    assert got is not None
    return got


def values(world: World, label: str, name: str) -> list[Any]:
    return sorted({p[name] for n, p in world.props.items() if label in world.labels[n] and name in p}, key=repr)


def middle(world: World, label: str, name: str) -> Any:
    vs = sorted(values(world, label, name))
    return vs[len(vs) // 2]


def test_oracle_reads_what_the_store_holds(world_store: Store, world: World) -> None:
    for label in ("Person", "Building", "Compound", "PartyOrg", "OwnersCommittee"):
        ids = [n for n, labels in world.labels.items() if label in labels]
        stored = world_store.fetch_nodes(label, ids)
        assert {n: (set(s.labels), {k: v for k, v in s.props.items() if not k.startswith("_")}) for n, s in stored.items()} == {
            n: (world.labels[n], world.props[n]) for n in ids
        }


#: A field of each type (text, enum, date, bool, int); Neo4j plans a Person statement in
#: seconds the first time, so Person appears once here.
FIELDS = [
    ("Person", "joined_on"), ("Building", "residents"), ("Compound", "households"), ("Compound", "name"),
    ("Compound", "eligible_for_owners_committee"), ("PartyOrg", "level"),
]


@pytest.mark.parametrize("op", ["eq", "ne", "in", "lt", "lte", "gt", "gte", "is_null", "not_null"])
def test_every_comparison(world_store: Store, world: World, op: str) -> None:
    for label, name in FIELDS:
        value: Any = middle(world, label, name)
        if op == "in":
            value = values(world, label, name)[:2]
        cmp = Cmp(name, "is_null", op == "is_null") if op in ("is_null", "not_null") else Cmp(name, op, value)
        same(world_store, world, Select(label, where=cmp, fields=("id", name), total=True))


@pytest.mark.parametrize("op", ["contains", "starts_with"])
def test_text_operators(world_store: Store, world: World, op: str) -> None:
    for label, name in (("Person", "name"), ("PartyOrg", "name"), ("Compound", "address")):
        sample = middle(world, label, name)
        value = sample[1:3] if op == "contains" else sample[:1]
        same(world_store, world, Select(label, where=Cmp(name, op, value), fields=("id", name), total=True))


def test_combinations(world_store: Store, world: World) -> None:
    status = Cmp("political_status", "eq", "probationary")
    owner = Cmp("is_owner", "eq", True)
    named = Cmp("name", "starts_with", middle(world, "Person", "name")[:1])
    for where in (And((status, owner)), Or((status, named)), Not(Or((owner, named))), Not(Cmp("phone", "eq", "x")),
                  And(()), Or(()), Not(And((owner, Not(status))))):
        same(world_store, world, Select("Person", where=where, total=True, first=15))


@pytest.mark.parametrize("quantifier", ["some", "none", "all", "single"])
def test_relationship_quantifiers(world_store: Store, world: World, quantifier: str) -> None:
    full = Cmp("political_status", "eq", "member")
    cases = [
        Select("PartyOrg", where=RelFilter(MEMBERS, quantifier, full), total=True),
        Select("PartyOrg", where=RelFilter(MEMBERS, quantifier), total=True),
        Select("Building", where=RelFilter(RESIDENTS, quantifier, Cmp("is_owner", "eq", True)), total=True),
        Select("Building", where=RelFilter(ENTRANCES, quantifier), total=True, first=10),
        Select("Person", where=RelFilter(HOME, quantifier, Cmp("residents", "gt", 60)), total=True, first=10),
        Select("Compound", where=RelFilter(Hop("COVERS", IN, "PartyOrg", as_of=DAY), quantifier,
                                           Cmp("level", "eq", "group")), total=True),
    ]
    for plan in cases:
        same(world_store, world, plan)


def test_count_filters(world_store: Store, world: World) -> None:
    for op in ("eq", "ne", "lt", "lte", "gt", "gte"):
        same(world_store, world, Select("Compound", where=CountFilter(BUILDINGS, op, 15), total=True, first=5))
    for op in ("ne", "gte"):
        same(world_store, world, Select("PartyOrg", where=CountFilter(MEMBERS, op, 10), total=True, first=5))
        same(world_store, world, Select("Building", where=CountFilter(
            RESIDENTS, op, 3, Cmp("political_status", "eq", "member")), total=True))


def test_aggregates(world_store: Store, world: World) -> None:
    aggs = (*(Agg(f"{fn}_residents", fn, "residents") for fn in ("min", "max", "avg", "sum")),
            Agg("n", "count"), Agg("first_name", "min", "name"), Agg("last_name", "max", "name"))
    got = same(world_store, world, Select("Building", aggregates=aggs, total=True, first=0))
    assert got.aggregates and got.aggregates["n"] > 0 and isinstance(got.aggregates["avg_residents"], float)
    dates = (Agg("a", "min", "joined_on"), Agg("b", "max", "joined_on"), Agg("c", "count"), Agg("d", "max", "is_owner"))
    same(world_store, world, Select("Person", where=Cmp("gender", "eq", "F"), aggregates=dates))
    same(world_store, world, Select("Compound", aggregates=(Agg("h", "sum", "households"), Agg("a", "avg", "households"))))


def test_groups_by_place_level(world_store: Store, world: World) -> None:
    for level in ("Subdistrict", "Community", "Grid", "Compound"):
        same(world_store, world, Select("Person", group_by=GroupBy(level), total=True, first=0))
    same(world_store, world, Select("PartyOrg", group_by=GroupBy("Community"), where=Cmp("level", "eq", "branch")))
    same(world_store, world, Select("Employer", group_by=GroupBy("Community")), scopes=(ROOT, Scope("CM-0001")))


def walk(store: Store, plan: Select, scope: Scope, size: int) -> tuple[list[Any], list[Any]]:
    rows: list[Any] = []
    cursors: list[Any] = []
    after = None
    while True:
        page = store.select(Select(**{**plan.__dict__, "first": size, "after": after}), scope)
        assert len(page.rows) <= size
        rows += page.rows
        cursors += page.cursors
        if not page.has_next:
            return rows, cursors
        after = page.cursors[-1]


@pytest.mark.parametrize("order", [
    (SortKey("joined_on", descending=True), SortKey("gender")),
    (SortKey("gender"), SortKey("full_on"), SortKey("name", descending=True)),
    (SortKey("is_owner", descending=True),),
    (),
])
def test_sorts_and_paging_walk_the_whole_list(world_store: Store, world: World, order: tuple[SortKey, ...]) -> None:
    plan = Select("Person", where=Cmp("political_status", "in", ["member", "probationary"]), order=order,
                  fields=("id", "name", "joined_on", "gender"))
    for scope in SCOPES:
        whole = same(world_store, world, plan, (scope,))
        rows, cursors = walk(world_store, plan, scope, 97)
        assert rows == whole.rows and cursors == whole.cursors
        half = Select(**{**plan.__dict__, "first": 40, "after": whole.cursors[30]})
        assert world_store.select(half, scope) == Oracle(world, scope).select(half)


def test_count_sorts(world_store: Store, world: World) -> None:
    plan = Select("PartyOrg", order=(SortKey(CountKey(MEMBERS), descending=True), SortKey("name")),
                  fields=("id", "name"), total=True)
    whole = same(world_store, world, plan)
    rows, _ = walk(world_store, plan, COMMUNITY, 9)
    assert rows == world_store.select(plan, COMMUNITY).rows
    assert whole.rows
    plan = Select("Building", order=(SortKey(CountKey(RESIDENTS, Cmp("is_owner", "eq", False))),), first=12)
    same(world_store, world, plan)


def test_nested_lists_with_their_own_filters_and_pages(world_store: Store, world: World) -> None:
    entrances = Select("Entrance", fields=("name",), order=(SortKey("name", descending=True),), first=1, total=True)
    buildings = Select("Building", where=Cmp("residents", "gt", 40), order=(SortKey("residents"),), first=2,
                       fields=("id", "residents"), total=True, aggregates=(Agg("r", "sum", "residents"),),
                       nested=(("entrances", Nested(ENTRANCES, entrances)),))
    plan = Select("Compound", fields=("name", "households"), first=5, total=True,
                  nested=(("buildings", Nested(BUILDINGS, buildings)),
                          ("orgs", Nested(Hop("COVERS", IN, "PartyOrg", as_of=DAY), Select(
                              "PartyOrg", fields=("name",), rel_fields=("since", "until"), group_by=GroupBy("Grid"))))))
    same(world_store, world, plan)
    members = Select("Person", rel_fields=("since",), first=3, after=None, where=Cmp("gender", "eq", "M"),
                     order=(SortKey("joined_on"),), total=True)
    same(world_store, world, Select("PartyOrg", first=6, order=(SortKey("name"),),
                                    nested=(("members", Nested(MEMBERS, members)),)))
    seats = Hop("SEATED_ON", IN, "Person", rel_where=Or((Cmp("role", "eq", "chair"), Cmp("until", "is_null", False))))
    same(world_store, world, Select("Committee", fields=("name",),
                                    nested=(("seats", Nested(seats, Select("Person", rel_fields=("role", "since")))),)))


def test_area_restricts_to_a_place_inside_the_scope(world_store: Store, world: World) -> None:
    for area in ("CM-0001", "CM-0002", "G-00002", "P-00003", "C-0001", "nowhere"):
        same(world_store, world, Select("Person", area=area, total=True, first=3, group_by=GroupBy("Compound")))
        same(world_store, world, Select("PartyOrg", area=area, total=True, aggregates=(Agg("n", "count"),)))


def test_nothing_outside_the_scope_counts(world_store: Store, world: World) -> None:
    """An aggregate over another area's items is the aggregate over none."""
    none = Select("Building", where=Cmp("id", "eq", "no such id"), total=True,
                  aggregates=(Agg("n", "count"), Agg("s", "sum", "residents"), Agg("m", "max", "name"),
                              Agg("a", "avg", "residents")), group_by=GroupBy("Community"))
    other = Select(**{**none.__dict__, "where": None, "area": "CM-0001"})
    empty = world_store.select(none, COMMUNITY)
    assert world_store.select(other, COMMUNITY) == empty
    assert empty.total == 0 and empty.groups == [] and empty.aggregates == {"n": 0, "s": 0, "m": None, "a": None}
    assert world_store.select(Select(**{**other.__dict__, "area": "CM-0002"}), COMMUNITY).total
    # the places holding the scope (its street, district and city) hold nothing for it, exactly
    # like an area that does not exist: they would otherwise tell which ids are the user's street
    holders = [p for p in world.labels if "Place" in world.labels[p] and p != COMMUNITY.area
               and lies_in(world, COMMUNITY.area, p)]
    assert len(holders) >= 2
    for holder in [*holders, "S-9999"]:
        assert world_store.select(Select(**{**other.__dict__, "area": holder}), COMMUNITY) == empty, holder
    # counts along a hop see only what the scope sees: a member elsewhere is not counted
    plan = Select("PartyOrg", where=CountFilter(MEMBERS, "gte", 0), order=(SortKey(CountKey(MEMBERS)),),
                  total=True, fields=("id",))
    here = world_store.select(plan, COMMUNITY)
    everywhere = world_store.select(plan, ROOT)
    assert here == Oracle(world, COMMUNITY).select(plan)
    assert {c for c, _ in here.cursors} != {c for c, _ in everywhere.cursors}
    missing = world_store.select(Select("Person", total=True), Scope("no-such-area"))
    assert missing.total == 0 and missing.rows == []


def test_one_statement_per_select(world_store: Store, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[str] = []
    original = neo4j.ManagedTransaction.run

    def counting(self: Any, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
        runs.append(str(query))
        return original(self, query, parameters, **kwargs)

    monkeypatch.setattr(neo4j.ManagedTransaction, "run", counting)
    monkeypatch.setattr(EmbeddedStore, "run", lambda *a: runs.append("run"))
    nested = Select("Building", first=3, nested=(("e", Nested(ENTRANCES, Select("Entrance", total=True))),),
                    group_by=GroupBy("Grid"), total=True, aggregates=(Agg("s", "sum", "residents"),))
    plans = [
        Select("Person", first=20),
        Select("Compound", nested=(("b", Nested(BUILDINGS, nested)),), total=True, area="CM-0002"),
        Select("PartyOrg", where=RelFilter(MEMBERS, "none"), order=(SortKey(CountKey(MEMBERS)),), first=5,
               after=(0, "O-000001")),
    ]
    for plan in plans:
        runs.clear()
        world_store.select(plan, COMMUNITY)
        assert len(runs) == (1 if world_store.kind == "neo4j" else 0)


def test_names_outside_the_model_are_refused_before_any_statement(
    world_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[Any] = []
    monkeypatch.setattr(neo4j.ManagedTransaction, "run", lambda *a, **k: runs.append(a))
    bad = [
        Select("Building) DETACH DELETE n //"),
        Select("Building", fields=("id", "name} RETURN 1 //")),
        Select("Building", where=Cmp("residents", "regex", 1)),
        Select("Building", where=RelFilter(Hop("KNOWS", IN, "Person"), "some")),
        Select("Building", where=RelFilter(Hop("LIVES_IN", IN, "Robot"), "some")),
        Select("Building", where=RelFilter(ENTRANCES, "most")),
        Select("Building", order=(SortKey("height"),)),
        Select("Building", aggregates=(Agg("x", "avg", "name"),)),
        Select("Building", group_by=GroupBy("Planet")),
        Select("Building", nested=(("e", Nested(ENTRANCES, Select("Person"))),)),
        Select("Building", nested=(("e", Nested(Hop("PART_OF", IN, "Entrance", rel_where=Cmp("x", "eq", 1)),
                                                Select("Entrance"))),)),
        Select("Building", first=-1),
        Select("Building", order=(SortKey("name"),), after=("x",)),
    ]
    for plan in bad:
        with pytest.raises(PlanError):
            world_store.select(plan, ROOT)
        with pytest.raises(PlanError):
            compile_select(plan, ROOT)
    assert runs == []


def test_values_travel_as_parameters_only() -> None:
    secret = "13800001234' OR 1=1 //"
    day = date(2031, 12, 24)
    plan = Select("Person", where=Or((Cmp("phone", "eq", secret), Cmp("name", "contains", "张三丰"),
                                      CountFilter(Hop("MEMBER_OF", OUT, "PartyOrg", as_of=day), "gt", 4242))),
                  order=(SortKey("joined_on"),), after=("2031-12-25", "R-777777"), first=9137, area="CM-9999",
                  nested=(("h", Nested(HOME, Select("Building", where=Cmp("residents", "gte", 31337)))),))
    compiled = compile_select(plan, Scope("C-31415"))
    for value in (secret, "张三丰", "4242", "2031", "R-777777", "9137", "9138", "CM-9999", "31337", "C-31415"):
        assert value not in compiled.cypher
    params = compiled.params.values()
    assert secret in params and day in params and 9138 in params and date(2031, 12, 25) in params

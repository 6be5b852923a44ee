"""Differential tests: every registered query returns the same rows on both stores.

A generated community (``loaders.generate``, loaded with ``loaders.load``) goes into a fresh
embedded store and into the real Neo4j; then every query of ``queries.registry.QUERIES`` runs
on both with the same parameters (every area of the tree, several days, every item id for
the suggestion queries, every member and org for the 1+1 views) and the rows must be equal,
in the same order. Hypothesis-built small worlds (``test_random_worlds_agree``) add the odd
cases a generator does not draw: missing grids, null levels, orgs covering odd places,
relationships starting and ending on the very day asked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.query import Query, Row
from graph.settings import Settings
from graph.store import Store, open_store
from loaders.generate import NOW, generate
from loaders.load import load
from queries.areas import AREA_CHILDREN
from queries.common import AREA_KINDS
from queries.indicators import INDICATORS
from queries.registry import QUERIES
from queries.rollup import summed_from_children
from tests.queries.fixtures import World

pytestmark = pytest.mark.neo4j

DAYS = (NOW, date(2021, 12, 31), date(2024, 3, 15))


def _ids_nx(g: Any, p: Mapping[str, Any]) -> list[Row]:
    return [{"id": i} for i in sorted(g.ids(p["label"]))]


#: Test-only helper (not registered): the ids of the nodes carrying a label.
IDS = Query("test.ids", "MATCH (n) WHERE $label IN labels(n) RETURN n.id AS id ORDER BY id", _ids_nx)


def ids(store: Store, label: str) -> list[str]:
    return [r["id"] for r in store.run(IDS, {"label": label})]


def cases(store: Store, days: tuple[date, ...] = DAYS, members_step: int = 1) -> Iterator[tuple[str, dict[str, Any]]]:
    """(query name, params) for every registered query over the whole graph in ``store``."""
    areas = [a for label in ("City", "District", "Subdistrict", "Community", "Grid", "Compound") for a in ids(store, label)]
    for area in [*areas, "no-such-area"]:
        yield "area.path", {"area": area}
        yield "area.children", {"area": area}
    item_ids = {
        "Compound": ids(store, "Compound"),
        "Building": ids(store, "Building"),
        "Person": ids(store, "PartyMember"),
        "PartyOrg": ids(store, "PartyOrg"),
        "PropertyFirm": ids(store, "PropertyFirm"),
        "Committee": ids(store, "Committee"),
        "Community": ids(store, "Community"),
    }
    for ind in INDICATORS.values():
        for day in days:
            for area in areas:
                yield ind.count.name, {"area": area, "date": day}
                yield ind.gaps.name, {"area": area, "date": day}
            if ind.suggest is not None:
                wanted = [*item_ids.get(ind.item_kind, []), "no-such-item"]
                for limit in (3, 50):
                    yield ind.suggest.name, {"ids": wanted, "date": day, "limit": limit}
    for day in days[:2]:
        for person in [*item_ids["Person"][::members_step], "no-such-person"]:
            yield "one_plus_one.member_card", {"person": person, "date": day}
        for org in [*item_ids["PartyOrg"], "no-such-org"]:
            yield "one_plus_one.branch_info", {"org": org, "date": day}
            yield "one_plus_one.branch_members", {"org": org, "date": day}


def compare(embedded: Store, neo4j: Store, days: tuple[date, ...] = DAYS, members_step: int = 1) -> set[str]:
    """Run every case on both stores; return the names of the queries exercised."""
    seen: set[str] = set()
    for name, params in cases(embedded, days, members_step):
        q = QUERIES[name]
        mine, theirs = embedded.run(q, params), neo4j.run(q, params)
        assert mine == theirs, f"{name} {params}: embedded {mine[:3]} ... != neo4j {theirs[:3]} ..."
        seen.add(name)
        if name.endswith(".gaps"):
            count = QUERIES[name.removesuffix(".gaps") + ".count"]
            (c,) = embedded.run(count, params)
            assert len(mine) == c["total"] - c["covered"], f"{name} {params}: gaps and counts disagree"
    return seen


def check_sums(store: Store, day: date) -> int:
    """Where the roll-up sums child areas' counts (``summed_from_children``), the sums equal the
    area's own counts. Both stores agree on every count (``compare``), so one store suffices.
    Returns how many (area, indicator) pairs were checked."""
    checked = 0
    for kind in AREA_KINDS:
        for area in ids(store, kind):
            children = [r["id"] for r in store.run(AREA_CHILDREN, {"area": area})]
            for ind in INDICATORS.values():
                if not summed_from_children(ind, kind):
                    continue
                own = store.run(ind.count, {"area": area, "date": day})[0]
                parts = [store.run(ind.count, {"area": c, "date": day})[0] for c in children]
                assert own["total"] == sum(p["total"] for p in parts), f"{ind.id} {area}: {own} != {parts}"
                assert own["covered"] == sum(p["covered"] for p in parts), (
                    f"{ind.id} {area}: {own} != {parts}"
                )
                checked += 1
    return checked


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> tuple[Store, Store]:
    out = tmp_path_factory.mktemp("generated")
    generate("community", 1, out)  # a seed whose community has gaps and coverage for every indicator
    embedded = open_store(
        Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp_path_factory.mktemp("embedded"))  # type: ignore[call-arg]
    )
    neo4j: Store = request.getfixturevalue("_neo4j_store")
    neo4j.clear()
    load(embedded, out)
    load(neo4j, out)
    assert embedded.stats() == neo4j.stats()
    return embedded, neo4j


def test_generated_community_every_query_agrees(generated: tuple[Store, Store]) -> None:
    embedded, neo4j = generated
    seen = compare(embedded, neo4j)
    assert seen == set(QUERIES), f"not exercised: {sorted(set(QUERIES) - seen)}"
    assert check_sums(embedded, DAYS[0]) > 0


def test_generated_community_has_gaps_and_coverage_everywhere(generated: tuple[Store, Store]) -> None:
    """On some day, every indicator has covered items, and on some day gaps (else the comparison is weak)."""
    embedded, _ = generated
    (community,) = ids(embedded, "Community")
    for ind in INDICATORS.values():
        counts = [embedded.run(ind.count, {"area": community, "date": day})[0] for day in DAYS]
        assert any(c["covered"] > 0 for c in counts), f"{ind.id}: {counts}"
        assert any(c["covered"] < c["total"] for c in counts), f"{ind.id}: {counts}"


# ---------------------------------------------------------------- hypothesis-built small worlds

D0 = date(2024, 6, 30)
_day = st.sampled_from([None, D0 - timedelta(days=1), D0, D0 + timedelta(days=1)])
_level = st.sampled_from(["committee", "general_branch", "branch", "group", "working_committee"])
_status = st.sampled_from(["member", "member", "probationary", "masses"])
_role = st.sampled_from(
    ["building_head", "entrance_head", "quality_supervisor", "liaison", "central_household", "secretary", "instructor"]
)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """A small random street: 1-2 communities, grids, compounds, buildings and entrances, with
    members, orgs, committees, firms and every kind of dated relationship between them."""
    w = World()
    w.place("City", "C")
    w.place("District", "D", "C")
    w.place("Subdistrict", "S", "D")
    communities = [w.place("Community", f"M{i}", "S") for i in range(draw(st.integers(1, 2)))]
    grids = [w.place("Grid", f"G{i}", draw(st.sampled_from(communities))) for i in range(draw(st.integers(1, 3)))]
    compounds = [
        w.compound(f"P{i}", draw(st.sampled_from(grids)), eligible=draw(st.booleans()))
        for i in range(draw(st.integers(1, 4)))
    ]
    buildings, entrances = [], []
    for i in range(draw(st.integers(1, 6))):
        n = draw(st.integers(0, 2))
        es = [f"E{i}{j}" for j in range(n)]
        buildings.append(w.building(f"B{i}", draw(st.sampled_from(compounds)), *es))
        entrances += es
    places = communities + grids + compounds + buildings + entrances
    orgs = []
    for i in range(draw(st.integers(1, 6))):
        parent = draw(st.sampled_from([None, *orgs])) if orgs else None
        kind = draw(st.sampled_from(["area", "employer", "firm", "joint"]))
        orgs.append(w.org(f"O{i}", draw(_level), kind, parent=parent))
    employers = [w.employer(f"U{i}", draw(st.sampled_from(communities))) for i in range(draw(st.integers(0, 2)))]
    firms = [w.firm(f"F{i}", draw(st.sampled_from([None, "工会"]))) for i in range(draw(st.integers(0, 2)))]
    people = []
    for i in range(draw(st.integers(1, 10))):
        b = draw(st.sampled_from(buildings))
        own = [e for e in entrances if e.startswith(f"E{b[1:]}")]
        people.append(
            w.person(
                f"R{i}",
                b,
                draw(_status),
                entrance=draw(st.sampled_from([None, *own])) if own else None,
                employer=draw(st.sampled_from([None, *employers, *firms])),
                in_service=draw(st.sampled_from([None, True, False])),
                is_owner=draw(st.sampled_from([None, True, False])),
            )
        )
    members = [p for p in people if p in {n.id for n in w.batch.nodes if "PartyMember" in n.labels}]
    for o in orgs:
        for t in draw(st.lists(st.sampled_from(places + employers + firms), max_size=3, unique=True)):
            w.covers(o, t, draw(_day), draw(_day))
        if draw(st.booleans()):
            w.reports(o, draw(st.sampled_from(communities)), draw(_day), draw(_day))
    for p in members:
        for o in draw(st.lists(st.sampled_from(orgs), max_size=2, unique=True)):
            w.member_of(p, o, draw(_day), draw(_day))
        for o in draw(st.lists(st.sampled_from(orgs), max_size=2, unique=True)):
            w.registered(p, o, draw(_day), draw(_day))
        if draw(st.booleans()):
            w.reports(p, draw(st.sampled_from(communities)), draw(_day), draw(_day))
    committees = []
    for i, c in enumerate(compounds):
        if draw(st.booleans()):
            label = draw(st.sampled_from(["OwnersCommittee", "SelfManagementCommittee"]))
            committees.append(w.committee(label, f"K{i}", c, draw(_day), draw(_day)))
    for i, m in enumerate(communities):
        if draw(st.booleans()):
            rc = w.committee("ResidentsCommittee", f"RC{i}", m)
            committees.append(rc)
            if draw(st.booleans()):
                w.committee("EnvironmentPropertyCommittee", f"EP{i}", rc, draw(_day), draw(_day))
        if draw(st.booleans()):
            w.site("ServiceCentre", f"SC{i}", m, draw(_day))
    for i in range(draw(st.integers(0, 2))):
        w.site("RedStation", f"RS{i}", draw(st.sampled_from(communities + grids + compounds)), draw(_day))
    for k in committees:
        for p in draw(st.lists(st.sampled_from(people), max_size=3, unique=True)):
            w.seat(p, k, draw(st.sampled_from(["chair", "vice_chair", "member"])), draw(_day), draw(_day))
    for p in people:
        for _ in range(draw(st.integers(0, 2))):
            role = draw(_role)
            targets = {
                "building_head": buildings,
                "entrance_head": entrances,
                "quality_supervisor": compounds,
                "liaison": compounds + grids,
                "central_household": buildings + entrances,
                "secretary": orgs,
                "instructor": firms,
            }[role]
            if targets:
                w.role(p, draw(st.sampled_from(targets)), role, draw(_day), draw(_day))
    for c in compounds:
        for f in draw(st.lists(st.sampled_from([*firms, "S"]), max_size=2, unique=True)):
            mode = "firm" if f in firms else "guaranteed"
            w.serves(f, c, mode, draw(_day), draw(_day))
    return w


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> tuple[Store, Path]:
    neo4j: Store = request.getfixturevalue("_neo4j_store")
    return neo4j, tmp_path_factory.mktemp("worlds")


#: Random worlds per run: 10 in `make test` (about 8 s each on the 2-core machine); more
#: with GZ_DIFFERENTIAL_EXAMPLES (hypothesis keeps the failing ones in .hypothesis/ and tries
#: them first next time).
EXAMPLES = int(os.environ.get("GZ_DIFFERENTIAL_EXAMPLES", "10"))


@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(world=worlds())
def test_random_worlds_agree(pair: tuple[Store, Path], world: World) -> None:
    neo4j, root = pair
    embedded = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=root / "w"))  # type: ignore[call-arg]
    embedded.clear()
    neo4j.clear()
    embedded.write(world.batch)
    neo4j.write(world.batch)
    compare(embedded, neo4j, days=(D0,))
    check_sums(embedded, D0)

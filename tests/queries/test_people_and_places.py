"""People and places as they are (DOMAIN.md): someone living outside every loaded area, and a
compound with no grid lying directly under its community. On both stores.

The world is the shared skeleton plus:

* ``X1``, a full, in-service member with no home in the graph (a cadre sent down from the
  street), liaison for P1, member of branch O-B1, reporting to CM1;
* ``P5`` and ``P6``, compounds directly under CM1 (no grid). A branch covers P5 and a liaison
  holds P5; P6 has neither, while CM1 itself is covered by a branch and by its committee;
* buildings with resident members in P1, P5 and P6.
"""

from __future__ import annotations

import pytest

from graph.store import Store
from queries import coverage, gaps
from queries.areas import child_areas, resolve_area
from queries.indicators import INDICATOR_IDS
from queries.one_plus_one import area_one_plus_one, branch_view, dual_reporting, member_card
from queries.rollup import rollup
from tests.queries.fixtures import D, World, skeleton

AREAS = ("C1", "D1", "S1", "CM1", "CM2", "G1", "G2", "G3", "P1", "P5", "P6")


def world() -> World:
    w = skeleton()
    w.place("Compound", "P5", "CM1", eligible_for_owners_committee=True)
    w.place("Compound", "P6", "CM1", eligible_for_owners_committee=False)
    w.building("B11", "P1", "E111")
    w.building("B51", "P5", "E511", "E512")
    w.building("B61", "P6")
    w.org("O-CM1", "committee")
    w.org("O-CMB", "branch")  # a branch covering the community itself: counts for no compound
    w.org("O-B1", "branch")
    w.org("O-B5", "branch")
    w.covers("O-CM1", "CM1")
    w.covers("O-CMB", "CM1")
    w.covers("O-B1", "P1")
    w.covers("O-B5", "P5")
    for pid, home in (("R11", "B11"), ("R51", "B51"), ("R52", "B51"), ("R61", "B61")):
        w.person(pid, home, in_service=True)
        w.member_of(pid, "O-B1")
    w.person("X1", None, in_service=True)  # lives outside every loaded area
    w.member_of("X1", "O-B1")
    w.registered("X1", "O-B1")
    w.reports("X1", "CM1")
    w.role("X1", "P1", "liaison")
    w.person("X2", "B51")
    w.role("X2", "P5", "liaison")
    w.firm("F5")
    w.serves("F5", "P5")
    w.site("RedStation", "RS5", "P5")
    return w


@pytest.fixture
def loaded(store: Store) -> Store:
    store.write(world().batch)
    return store


def test_someone_living_outside_counts_in_no_area_and_breaks_nothing(loaded: Store) -> None:
    for area in AREAS:
        for ind in INDICATOR_IDS:
            r = gaps(loaded, area, ind, D)
            assert "X1" not in [g.item_id for g in r.gaps], (area, ind)
        members = gaps(loaded, area, "MEMBER_ONE_PLUS_ONE", D)
        if area in ("C1", "D1", "S1", "CM1"):
            assert members.total == 5  # R11, R51, R52, R61, X2: not X1
        reporting = dual_reporting(loaded, area, D)
        assert "X1" not in [m.id for m in reporting.members]
        assert "X1" not in [m.id for m in area_one_plus_one(loaded, area, D).members]
    assert gaps(loaded, "C1", "DUAL_REPORTING_MEMBERS", D).total == 4  # the in-service residents only
    card = member_card(loaded, "X1", D)
    assert (card.building, card.compound, card.grid, card.community) == (None, None, None, None)
    assert card.reported_to == ("CM1",)
    assert "X1" in [m.id for m in branch_view(loaded, "O-B1", D).members]


def test_someone_living_outside_enters_an_area_through_their_roles(loaded: Store) -> None:
    liaison = gaps(loaded, "G1", "COMPOUND_LIAISON", D)
    assert (liaison.total, liaison.covered) == (2, 1)  # X1 holds P1; P2 has no liaison
    assert "X1" in [s.id for s in liaison.gaps[0].suggestions]  # a liaison nearby, in the same community
    (p2,) = liaison.gaps
    reasons = {s.id: s.reason for s in p2.suggestions}
    assert reasons["X1"] == "liaison_nearby"


def test_a_compound_with_no_grid_looks_at_itself_not_at_its_community(loaded: Store) -> None:
    branch = gaps(loaded, "CM1", "COMPOUND_BRANCH", D)
    assert branch.total == 5  # P1, P2, P3 in grids; P5, P6 directly under CM1
    uncovered = {g.item_id: dict(g.facts) for g in branch.gaps}
    assert "P5" not in uncovered and "P1" not in uncovered  # their own branches
    assert uncovered["P6"]["grid"] is None  # neither O-CM1 (a committee) nor O-CMB (covering CM1) counts
    assert uncovered["P6"]["other_orgs"] == []
    liaison = gaps(loaded, "CM1", "COMPOUND_LIAISON", D)
    assert [g.item_id for g in liaison.gaps] == ["P2", "P3", "P6"]
    (p6,) = [g for g in liaison.gaps if g.item_id == "P6"]
    assert p6.facts["community"] == "CM1"
    assert {"X1", "X2"} <= {s.id for s in p6.suggestions}
    assert "O-B5" in [s.id for s in gaps(loaded, "CM1", "COMPOUND_BRANCH", D).gaps[-1].suggestions]


def test_a_compound_with_no_grid_counts_in_its_community_and_above_and_in_no_grid(loaded: Store) -> None:
    assert [a.id for a in resolve_area(loaded, "P5").path] == ["C1", "D1", "S1", "CM1", "P5"]
    assert [a.id for a in child_areas(loaded, "CM1")] == ["G1", "G2", "P5", "P6"]
    for area in ("CM1", "S1", "D1", "C1"):
        buildings = gaps(loaded, area, "BUILDING_GROUP", D)
        assert {"B51", "B61"} <= {g.item_id for g in buildings.gaps}, area
        assert buildings.total == 3  # B11, B51, B61
    for grid in ("G1", "G2", "G3"):
        assert not {"B51", "B61"} & {g.item_id for g in gaps(loaded, grid, "BUILDING_GROUP", D).gaps}
    heads = gaps(loaded, "CM1", "BUILDING_HEAD", D)
    assert heads.total == 3
    service = gaps(loaded, "CM1", "COMPOUND_PROPERTY_SERVICE", D)
    assert service.total - service.covered == 4  # only P5 is served
    (p6,) = [g for g in service.gaps if g.item_id == "P6"]
    assert [s.id for s in p6.suggestions] == ["F5"]  # a firm serving a compound nearby
    assert gaps(loaded, "CM1", "COMMUNITY_RED_STATION", D).gaps[0].facts["stations"] == 1


@pytest.mark.parametrize("area", ["CM1", "S1", "C1"])
def test_a_roll_up_over_children_equals_asking_the_area(loaded: Store, area: str) -> None:
    rolled = rollup(loaded, area, D)
    asked = coverage(loaded, area, D)
    assert [(r.indicator, r.total, r.covered) for r in rolled.area.indicators] == [
        (r.indicator, r.total, r.covered) for r in asked.indicators
    ]
    sums = {
        r.indicator: sum(c.indicator(r.indicator).total for c in rolled.children) for r in rolled.area.indicators
    }
    assert sums["BUILDING_GROUP"] == asked.indicator("BUILDING_GROUP").total


def test_the_gap_of_a_compound_with_no_grid_says_so(loaded: Store) -> None:
    (p6,) = [g for g in gaps(loaded, "CM1", "COMPOUND_BRANCH", D).gaps if g.item_id == "P6"]
    assert "无网格" in p6.evidence_zh and "no grid" in p6.evidence_en
    (p2,) = [g for g in gaps(loaded, "CM1", "COMPOUND_LIAISON", D).gaps if g.item_id == "P2"]
    assert "网格G1均无" in p2.evidence_zh and "its grid G1" in p2.evidence_en

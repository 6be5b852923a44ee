"""Dated party status, two current memberships, and explanations that agree with their first
suggestion: on both stores (the ``store`` fixture).

* A person is a member on day D when they had joined by then, full unless recorded
  probationary or before their ``full_on``; every member-based answer asks it of the day.
* Two current memberships: ``multiple_membership``, a gap naming both orgs; a load that makes
  one still loads and warns, naming the rows.
* For each 1+1 status, the first suggestion does what the explanation says.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from graph.errors import NotFound
from graph.store import Store
from loaders.load import load as load_input
from queries import area_one_plus_one, gaps, member_card, trend
from queries.coverage import coverage
from queries.indicators.members import plan_member
from queries.results import Gap, IndicatorResult
from tests.loaders.loader_samples import sample, write_dir
from tests.queries.fixtures import AFTER, BEFORE, D, World, skeleton
from tests.queries.test_indicators import load, one_plus_one_world

PAST = D - timedelta(days=365)


def rate(r: IndicatorResult) -> tuple[int, int]:
    return r.total, r.covered


def gap_of(r: IndicatorResult, item: str) -> Gap:
    (found,) = [g for g in r.gaps if g.item_id == item]
    return found


# ================================================================ members on a day


def joined_world() -> World:
    """CM1 has two complete members who joined long ago and one (J1) who joined on D; J2 has no
    ``joined_on`` (a member on every day). All of them are registered from the start."""
    w = skeleton()
    w.building("B11", "P1")
    w.org("O-U", "branch", "employer")
    w.org("O-B1", "branch")
    w.covers("O-B1", "P1")
    for m, joined in (("M1", date(2000, 7, 1)), ("M2", date(2010, 7, 1)), ("J1", D), ("J2", None)):
        w.person(m, "B11", joined_on=joined, in_service=True)
        w.member_of(m, "O-U")
        w.registered(m, "O-B1")
    # J3 joined on D and is not registered yet: a gap today, nobody on a past day
    w.person("J3", "B11", joined_on=D)
    w.member_of("J3", "O-U")
    return w


def test_a_member_who_joined_later_does_not_count_on_a_past_day(store: Store) -> None:
    load(store, joined_world())
    before = gaps(store, "D1", "MEMBER_ONE_PLUS_ONE", BEFORE)
    assert rate(before) == (3, 3)  # M1, M2, J2: J1 and J3 had not joined
    on_d = gaps(store, "D1", "MEMBER_ONE_PLUS_ONE", D)
    assert rate(on_d) == (5, 4) and [g.item_id for g in on_d.gaps] == ["J3"]
    assert area_one_plus_one(store, "CM1", BEFORE).total == 3
    assert area_one_plus_one(store, "CM1", D).total == 5
    # the in-service members of a past day are those who had joined
    assert rate(gaps(store, "CM1", "DUAL_REPORTING_MEMBERS", BEFORE))[0] == 3
    assert rate(gaps(store, "CM1", "DUAL_REPORTING_MEMBERS", D))[0] == 4
    # a trend counts each day's members
    t = trend(store, "CM1", BEFORE, D, "day", indicators=["MEMBER_ONE_PLUS_ONE"])
    assert [(p.total, p.covered) for p in t.series[0].points] == [(3, 3), (5, 4)]
    # no card before joining; a card from the day they joined
    with pytest.raises(NotFound):
        member_card(store, "J1", BEFORE)
    assert member_card(store, "J1", D).status == "complete"
    assert member_card(store, "J2", PAST).status == "complete"  # no joined_on: a member every day


def test_the_district_rate_on_a_past_day_counts_that_days_members(store: Store) -> None:
    """The repro: a district's 1+1 rate on a past day counted members who joined after it."""
    w = joined_world()
    for i in range(8):  # eight members who joined after BEFORE, none registered yet
        w.person(f"L{i}", "B11", joined_on=AFTER)
        w.member_of(f"L{i}", "O-U")
    load(store, w)
    past = coverage(store, "D1", BEFORE, indicators=["MEMBER_ONE_PLUS_ONE"]).indicators[0]
    assert (past.total, past.covered) == (3, 3)
    later = coverage(store, "D1", AFTER, indicators=["MEMBER_ONE_PLUS_ONE"]).indicators[0]
    assert (later.total, later.covered) == (13, 4)


# ================================================================ probationary until full_on


def full_on_world() -> World:
    """B11 has three full members, one of whom (F3) became full only on D; B12 a member who
    joined after BEFORE. No party group anywhere: both buildings are BUILDING_GROUP gaps."""
    w = skeleton()
    w.building("B11", "P1")
    w.building("B12", "P1")
    w.person("F1", "B11", joined_on=date(2000, 7, 1))
    w.person("F2", "B11")
    w.person("F3", "B11", joined_on=PAST, full_on=D)
    w.person("F4", "B12", joined_on=D, full_on=D + timedelta(days=365))
    w.person("F5", "B12", "probationary", joined_on=PAST)
    return w


def test_probationary_until_full_on(store: Store) -> None:
    load(store, full_on_world())
    before = gaps(store, "P1", "BUILDING_GROUP", BEFORE)
    b11 = gap_of(before, "B11")
    assert (b11.facts["full_members"], b11.facts["members"]) == (2, 3)
    # fewer than three full members: their group is not "of their own" (grp 1), and F3 is not one
    assert [(s.id, s.reason) for s in b11.suggestions if s.kind == "person"] == [
        ("F1", "resident_full_member"),
        ("F2", "resident_full_member"),
    ]
    b12 = gap_of(before, "B12")
    assert (b12.facts["full_members"], b12.facts["members"]) == (0, 1)  # F4 had not joined
    on_d = gaps(store, "P1", "BUILDING_GROUP", D)
    assert gap_of(on_d, "B11").facts["full_members"] == 3
    assert [s.id for s in gap_of(on_d, "B11").suggestions if s.kind == "person"] == ["F1", "F2", "F3"]
    b12 = gap_of(on_d, "B12")
    assert (b12.facts["full_members"], b12.facts["members"]) == (0, 2)  # F4 joined, still probationary
    # the card says the status of the day
    assert member_card(store, "F3", BEFORE).political_status == "probationary"
    assert member_card(store, "F3", D).political_status == "member"
    assert member_card(store, "F5", D).political_status == "probationary"


def test_committee_seats_count_as_members_on_the_day(store: Store) -> None:
    w = skeleton()
    w.building("B11", "P1")
    w.committee("OwnersCommittee", "K1", "P1")
    w.person("Q1", "B11", joined_on=PAST, is_owner=True)
    w.person("Q2", "B11", joined_on=D, is_owner=True)  # joined on D
    w.node("Person", "Q3", name="赵Q3", political_status="masses")
    w.node("Person", "Q4", name="赵Q4", political_status="masses")
    for p in ("Q1", "Q2", "Q3", "Q4"):
        w.seat(p, "K1", "chair" if p == "Q2" else "member", since=PAST)
    load(store, w)
    before = gaps(store, "P1", "COMMITTEE_PARTY_SHARE", BEFORE)
    k1 = gap_of(before, "K1")
    assert (k1.facts["seats"], k1.facts["member_seats"], k1.facts["chair_is_member"]) == (4, 1, False)
    assert rate(gaps(store, "P1", "COMMITTEE_PARTY_SHARE", D)) == (1, 1)  # 2 of 4 on D


def test_a_firms_own_full_members_on_the_day(store: Store) -> None:
    w = skeleton()
    w.building("B11", "P1")
    w.firm("F")
    w.serves("F", "P1", since=PAST)
    w.person("W1", "B11", employer="F")
    w.person("W2", "B11", employer="F", full_on=D)
    w.person("W3", "B11", employer="F", joined_on=D)
    load(store, w)
    before = gap_of(gaps(store, "P1", "FIRM_PARTY_COVERAGE", BEFORE), "F")
    assert (before.facts["full_members"], before.facts["members"]) == (1, 2)
    assert [(s.id, s.reason) for s in before.suggestions if s.kind == "person"] == [
        ("W1", "firm_full_member"),
        ("W2", "firm_member"),
    ]
    on_d = gap_of(gaps(store, "P1", "FIRM_PARTY_COVERAGE", D), "F")
    assert (on_d.facts["full_members"], on_d.facts["members"]) == (3, 3)
    assert "已满3名" in on_d.evidence_zh and "不足3名" in before.evidence_zh


# ================================================================ two current memberships


def membership_world() -> World:
    """M2M holds memberships in O-U (since PAST) and O-V (since BEFORE), both current on D, and
    is registered where they live: only the membership side is wrong."""
    w = one_plus_one_world()
    w.org("O-V", "branch", "employer")
    w.person("M2M", "B11")
    w.member_of("M2M", "O-U", since=PAST)
    w.member_of("M2M", "O-V", since=BEFORE)
    w.registered("M2M", "O-B1")
    return w


def test_two_current_memberships_are_a_gap_naming_both(store: Store) -> None:
    load(store, membership_world())
    r = gaps(store, "CM1", "MEMBER_ONE_PLUS_ONE", D)
    assert (r.total, r.covered) == (12, 5)  # one_plus_one_world's 11 (5 complete) and M2M
    g = gap_of(r, "M2M")
    assert g.status == "multiple_membership"
    for text in (g.evidence_zh, g.evidence_en):
        assert "O-U" in text and "O-V" in text and "O-U党组织" in text and "O-V党组织" in text
    assert [o["id"] for o in g.facts["membership_orgs"]] == ["O-U", "O-V"]  # type: ignore[index]
    # the older membership (O-U) is the one to end; the first suggestion does exactly that
    first = g.suggestions[0]
    assert (first.kind, first.reason, first.id, first.via) == ("org", "end_membership", "O-U", "O-V")
    assert "结束O-U(O-U党组织)的组织关系，保留O-V(O-V党组织)" in g.evidence_zh
    a = area_one_plus_one(store, "CM1", D)
    assert a.by_status["multiple_membership"] == 1
    assert member_card(store, "M2M", D).status == "multiple_membership"
    # before O-V's membership started there was one membership, and the member was complete
    assert member_card(store, "M2M", PAST).status == "complete"


def test_a_load_that_makes_two_current_memberships_warns_and_loads(store: Store, tmp_path: Path) -> None:
    tables = sample()
    first_dir = write_dir(tmp_path / "first", tables)
    assert load_input(store, first_dir).warnings == []
    # the next input moves R-1's membership to O-2 but does not end the one in O-4
    later = sample()
    later["memberships"] = [{"person_id": "R-1", "org_id": "O-2", "since": "2020-01-01"}]
    second_dir = tmp_path / "second"
    shutil.rmtree(second_dir, ignore_errors=True)
    summary = load_input(store, write_dir(second_dir, later), source="first")
    (w,) = summary.warnings
    assert (w.file, w.row, w.column, w.value) == ("memberships.csv", 2, "党组织编号", "O-2")
    assert "R-1" in w.reason and "O-2" in w.reason and "O-4" in w.reason and "O-4" in w.reason_zh
    assert summary.issues == [] and summary.written > 0  # loaded anyway
    assert "提示 warnings: 1" in summary.render() and summary.as_dict()["warnings"]
    card = member_card(store, "R-1")
    assert card.status == "multiple_membership" and {s.id for s in card.membership} == {"O-2", "O-4"}


def test_one_input_with_two_memberships_names_both_rows(store: Store, tmp_path: Path) -> None:
    tables = sample()
    tables["memberships"].append({"person_id": "R-1", "org_id": "O-2", "since": "2020-01-01"})
    tables["memberships"].append({"person_id": "R-3", "org_id": "O-4", "since": "2020-01-01", "until": "2021-12-31"})
    summary = load_input(store, write_dir(tmp_path / "demo", tables))
    assert [(w.row, w.value) for w in summary.warnings] == [(2, "O-4"), (4, "O-2")]  # R-3's ended: fine


# ================================================================ explanation and first suggestion agree


def agreeing_world() -> World:
    """one_plus_one_world (every residence status) plus a multiple_membership member, and a
    multiple_residence member of whom no registration covers the home."""
    w = membership_world()
    w.org("O-FAR", "branch")
    w.covers("O-FAR", "P4")
    w.person("M7X", "B21")  # lives in P2 (grid G1: O-GG covers it)
    w.member_of("M7X", "O-U")
    w.registered("M7X", "O-B1")
    w.registered("M7X", "O-FAR")
    return w


def test_multiple_residence_keeps_the_covering_registration_first(store: Store) -> None:
    load(store, agreeing_world())
    r = gaps(store, "CM1", "MEMBER_ONE_PLUS_ONE", D)
    m7 = gap_of(r, "M7")  # registered with O-B1 (covers P1, their compound) and O-GG (their grid)
    assert [(s.reason, s.id, s.via) for s in m7.suggestions] == [
        ("keep_residence", "O-B1", "P1"),
        ("end_residence", "O-GG", "O-B1"),
    ]
    assert "应保留覆盖其居住地P1的O-B1(O-B1党组织)，结束O-GG(O-GG党组织)的登记" in m7.evidence_zh
    assert "keep O-B1 (O-B1党组织), which covers P1" in m7.evidence_en
    # none of M7X's registrations covers P2: register with the one that does, then end both
    m7x = gap_of(r, "M7X")
    assert [(s.reason, s.id) for s in m7x.suggestions] == [
        ("covers_home", "O-GG"),
        ("end_residence_elsewhere", "O-B1"),
        ("end_residence_elsewhere", "O-FAR"),
    ]
    assert "none covering compound P2" in m7x.evidence_en


def test_every_status_first_suggestion_does_what_the_explanation_says(store: Store) -> None:
    load(store, agreeing_world())
    r = gaps(store, "CM1", "MEMBER_ONE_PLUS_ONE", D)
    seen = set()
    for g in r.gaps:
        seen.add(g.status)
        row = {"id": g.item_id, **g.facts}
        plan = plan_member(row)
        card = member_card(store, g.item_id, D)
        assert card.status == g.status and card.explanation_zh == g.evidence_zh  # one explanation
        home_orgs = {s.id for s in (*card.membership, *card.residence) if s.covers_home}
        first = g.suggestions[0] if g.suggestions else None
        if g.status == "missing_membership":
            assert first is None and "核实" in g.evidence_zh  # check it: nothing is guessed
        elif g.status == "multiple_membership":
            assert plan.end and first is not None and plan.keep is not None
            assert (first.reason, first.id, first.via) == ("end_membership", plan.end[0]["id"], plan.keep["id"])
            assert f"应结束{plan.end[0]['id']}" in g.evidence_zh
        elif g.status == "multiple_residence" and plan.keep is not None:
            assert first is not None and (first.reason, first.id) == ("keep_residence", plan.keep["id"])
            assert f"应保留覆盖其居住地{plan.keep_via}的{plan.keep['id']}" in g.evidence_zh
            assert first.id in home_orgs
        else:  # no registration, a wrong one, or several none of which covers: register where they live
            assert g.status in ("missing_residence", "residence_mismatch", "multiple_residence")
            assert first is not None and first.reason in ("covers_home", "group_covers_home")
            assert "register with an org" in g.evidence_en and "应编入覆盖其居住地的党组织" in g.evidence_zh
            covering = member_card(store, g.item_id, D)
            assert first.via in {covering.compound, covering.grid, covering.building, covering.entrance}
            ended = [s.id for s in g.suggestions if s.reason == "end_residence_elsewhere"]
            assert ended == [o["id"] for o in plan.end]
    assert seen == {
        "missing_membership",
        "multiple_membership",
        "missing_residence",
        "multiple_residence",
        "residence_mismatch",
    }

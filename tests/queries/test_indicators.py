"""Every indicator on hand-built graphs with known answers, on both stores (the ``store`` fixture).

Each test builds one small world on the shared skeleton (see ``fixtures.py``), then checks
the counts for several areas, which items are gaps and why (status, evidence data), and the
ranked suggestions. Boundary dates of "current" are part of every world.
"""

from __future__ import annotations

from graph.store import Store
from queries import coverage, gaps
from queries.results import IndicatorResult, Personal
from tests.queries.fixtures import AFTER, BEFORE, D, World, skeleton


def load(store: Store, w: World) -> None:
    store.write(w.batch)


def summary(r: IndicatorResult) -> tuple[int, int, list[str]]:
    return r.total, r.covered, [g.item_id for g in r.gaps]


def suggested(r: IndicatorResult, item: str) -> list[str]:
    (gap,) = [g for g in r.gaps if g.item_id == item]
    return [s.id for s in gap.suggestions]


def gap(r: IndicatorResult, item: str) -> dict[str, object]:
    (found,) = [g for g in r.gaps if g.item_id == item]
    return dict(found.facts)


# ================================================================ COMPOUND_BRANCH


def branch_world() -> World:
    w = skeleton()
    w.org("O-CM1", "committee")
    w.org("O-B1", "branch")
    w.org("O-GB", "general_branch")
    w.org("O-GR", "group")
    w.org("O-B4", "branch")
    w.org("O-B5", "branch")
    w.covers("O-CM1", "CM1")
    w.covers("O-CM1", "P2")  # a committee covering the compound does not count
    w.covers("O-B1", "P1", since=D)  # covered from D on
    w.covers("O-GB", "G2", until=D)  # P3 covered through its grid, last day D
    w.covers("O-GR", "P2")  # a group does not count
    w.covers("O-B4", "P4", until=BEFORE)  # ended
    w.covers("O-B5", "P4", since=AFTER)  # not yet
    w.building("B21", "P2")
    w.building("B22", "P2")
    w.person("R1", "B21")
    w.person("R2", "B21")
    w.person("R3", "B22")
    w.person("R4", "B22", "probationary")
    w.person("R5", "B22", "masses")
    return w


def test_compound_branch(store: Store) -> None:
    load(store, branch_world())
    r = gaps(store, "C1", "COMPOUND_BRANCH", D)
    assert summary(r) == (4, 2, ["P2", "P4"])
    assert r.rate == 0.5
    assert gap(r, "P2") == {
        "grid": "G1",
        "full_members": 3,
        "members": 4,
        "other_orgs": ["O-CM1", "O-GR"],
        "ended": [],
    }
    assert gap(r, "P4")["ended"] == ["O-B4"]
    # three full members can form a branch: they come first, then nearby branches to extend
    assert suggested(r, "P2") == ["R1", "R2", "R3", "O-B1", "O-GB"]
    (p2,) = [g for g in r.gaps if g.item_id == "P2"]
    assert p2.suggestions[0].reason == "resident_full_member" and p2.suggestions[0].via == "B21"
    assert p2.suggestions[3].reason == "nearby_branch" and p2.suggestions[3].via == "P1"
    assert isinstance(p2.suggestions[0].name, Personal) and str(p2.suggestions[0].name) == "张**"
    assert suggested(r, "P4") == []
    assert "3" in p2.evidence_zh and "full members" in p2.evidence_en
    assert summary(gaps(store, "CM1", "COMPOUND_BRANCH", D)) == (3, 2, ["P2"])
    assert summary(gaps(store, "P3", "COMPOUND_BRANCH", D)) == (1, 1, [])
    # the day before, P1's branch had not started and P4's had not ended; the day after, P3's
    # grid branch has ended and P4's new branch has started
    assert summary(gaps(store, "C1", "COMPOUND_BRANCH", BEFORE)) == (4, 2, ["P1", "P2"])
    assert summary(gaps(store, "C1", "COMPOUND_BRANCH", AFTER)) == (4, 2, ["P2", "P3"])


# ================================================================ BUILDING_GROUP


def group_world() -> World:
    w = skeleton()
    for o in ("O-G11", "O-G121", "O-G122", "O-G15"):
        w.org(o, "group")
    w.org("O-B1", "branch")
    w.building("B11", "P1")
    w.building("B12", "P1", "E121", "E122")
    w.building("B13", "P1", "E131", "E132")
    w.building("B14", "P1")
    w.covers("O-G11", "B11")
    w.covers("O-G121", "E121", since=D)
    w.covers("O-G122", "E122", until=D)
    w.covers("O-G121", "E131")  # one of two entrances only
    w.covers("O-B1", "B13")  # a branch is not a group
    w.covers("O-G15", "B14", until=BEFORE)
    w.person("R5", "B13")
    w.person("R9", "B13", "probationary")
    for p in ("R6", "R7", "R8"):
        w.person(p, "B14")
    return w


def test_building_group(store: Store) -> None:
    load(store, group_world())
    r = gaps(store, "CM1", "BUILDING_GROUP", D)
    assert summary(r) == (4, 2, ["B13", "B14"])
    assert gap(r, "B13") == {
        "compound": "P1",
        "full_members": 1,
        "members": 2,
        "entrances": 2,
        "entrances_covered": 1,
    }
    # one full member: join the neighbouring building's group first
    assert suggested(r, "B13") == ["O-G11", "R5"]
    # three full members: a group of their own first
    assert suggested(r, "B14") == ["R6", "R7", "R8", "O-G11"]
    assert summary(gaps(store, "CM1", "BUILDING_GROUP", AFTER)) == (4, 1, ["B12", "B13", "B14"])
    assert summary(gaps(store, "CM2", "BUILDING_GROUP", D)) == (0, 0, [])
    assert gaps(store, "CM2", "BUILDING_GROUP", D).rate is None


# ================================================================ MEMBER_ONE_PLUS_ONE


def one_plus_one_world() -> World:
    w = skeleton()
    w.building("B11", "P1", "E111")
    w.building("B12", "P1")
    w.building("B21", "P2")
    w.org("O-U", "branch", "employer")
    w.org("O-B1", "branch")
    w.org("O-GG", "branch")
    w.org("O-G11", "group", parent="O-B1")
    w.covers("O-B1", "P1")
    w.covers("O-GG", "G1")
    w.covers("O-G11", "B11")
    # M1 complete: registered with the branch of the compound
    w.person("M1", "B11")
    w.member_of("M1", "O-U")
    w.registered("M1", "O-B1")
    # M2 complete: registered with the branch of the grid
    w.person("M2", "B12")
    w.member_of("M2", "O-U")
    w.registered("M2", "O-GG")
    # M3 complete: registered with the group of the building
    w.person("M3", "B11", entrance="E111")
    w.member_of("M3", "O-U")
    w.registered("M3", "O-G11")
    # M4 complete: the membership branch itself covers the home (retired; the sides coincide)
    w.person("M4", "B12", "probationary")
    w.member_of("M4", "O-B1")
    # M5 missing_membership: the membership ended
    w.person("M5", "B11")
    w.member_of("M5", "O-U", until=BEFORE)
    w.registered("M5", "O-B1")
    # M6 missing_residence
    w.person("M6", "B11")
    w.member_of("M6", "O-U")
    # M7 multiple_residence
    w.person("M7", "B12")
    w.member_of("M7", "O-U")
    w.registered("M7", "O-B1")
    w.registered("M7", "O-GG")
    # M8 residence_mismatch: moved to P2; P1's branch does not cover it
    w.person("M8", "B21")
    w.member_of("M8", "O-U")
    w.registered("M8", "O-B1")
    # M9 residence_mismatch: registered with the group of another building
    w.person("M9", "B12")
    w.member_of("M9", "O-U")
    w.registered("M9", "O-G11")
    # M10 missing_residence: the registration starts tomorrow
    w.person("M10", "B12")
    w.member_of("M10", "O-U")
    w.registered("M10", "O-B1", since=AFTER)
    # M11 complete on the boundary days: membership ends on D, registration starts on D
    w.person("M11", "B12")
    w.member_of("M11", "O-U", until=D)
    w.registered("M11", "O-B1", since=D)
    w.person("N1", "B12", "masses")  # not a member: not counted
    return w


ONE_PLUS_ONE_GAPS = {
    "M10": "missing_residence",
    "M5": "missing_membership",
    "M6": "missing_residence",
    "M7": "multiple_residence",
    "M8": "residence_mismatch",
    "M9": "residence_mismatch",
}


def test_member_one_plus_one(store: Store) -> None:
    load(store, one_plus_one_world())
    r = gaps(store, "CM1", "MEMBER_ONE_PLUS_ONE", D)
    assert summary(r) == (11, 5, sorted(ONE_PLUS_ONE_GAPS))
    assert {g.item_id: g.status for g in r.gaps} == ONE_PLUS_ONE_GAPS
    assert gap(r, "M8")["residence_places"] == ["P1"]
    assert gap(r, "M8")["compound"] == "P2"
    assert gap(r, "M7")["residence"] == ["O-B1", "O-GG"]
    # the branch of the compound first, then of the grid, then the group of the building
    assert suggested(r, "M6") == ["O-B1", "O-GG", "O-G11"]
    # the grid's branch covers P2 as well: register there, then end the registration with P1's
    assert suggested(r, "M8") == ["O-GG", "O-B1"]
    assert suggested(r, "M5") == []  # a data error: nothing is guessed
    (m6,) = [g for g in r.gaps if g.item_id == "M6"]
    assert str(m6.item_name) == "张**" and m6.item_name.raw == "张M6"  # type: ignore[union-attr]
    assert "M6" in m6.evidence_en and "no residence-side branch" in m6.evidence_en
    # the day after, M11's membership has ended
    later = gaps(store, "CM1", "MEMBER_ONE_PLUS_ONE", AFTER)
    assert {g.item_id: g.status for g in later.gaps}["M11"] == "missing_membership"
    assert "M10" not in {g.item_id for g in later.gaps}
    assert summary(gaps(store, "P2", "MEMBER_ONE_PLUS_ONE", D)) == (1, 0, ["M8"])


# ================================================================ DUAL_REPORTING_MEMBERS


def dual_members_world() -> World:
    w = skeleton()
    w.building("B11", "P1")
    w.building("B41", "P4")
    w.person("M1", "B11", in_service=True)
    w.reports("M1", "CM1")
    w.person("M2", "B11", in_service=True)
    w.reports("M2", "CM2")
    w.person("M3", "B11", "probationary", in_service=True)
    w.person("M4", "B11", in_service=True)
    w.reports("M4", "CM1", until=BEFORE)
    w.person("M5", "B11", in_service=False)  # retired: not counted
    w.person("M6", "B11", in_service=True)
    w.reports("M6", "CM1", since=D)
    w.person("M7", "B41", in_service=True)
    w.reports("M7", "CM2")
    w.person("N1", "B11", "masses", in_service=True)
    return w


def test_dual_reporting_members(store: Store) -> None:
    load(store, dual_members_world())
    r = gaps(store, "CM1", "DUAL_REPORTING_MEMBERS", D)
    assert summary(r) == (5, 2, ["M2", "M3", "M4"])
    assert {g.item_id: g.status for g in r.gaps} == {
        "M2": "reported_elsewhere",
        "M3": "not_reported",
        "M4": "not_reported",
    }
    assert gap(r, "M2")["reported_to"] == ["CM2"]
    assert gap(r, "M2")["community"] == "CM1"
    assert suggested(r, "M3") == ["CM1"]
    assert summary(gaps(store, "S1", "DUAL_REPORTING_MEMBERS", D)) == (6, 3, ["M2", "M3", "M4"])
    assert summary(gaps(store, "CM1", "DUAL_REPORTING_MEMBERS", BEFORE)) == (5, 2, ["M2", "M3", "M6"])


# ================================================================ DUAL_REPORTING_ORGS


def dual_orgs_world() -> World:
    w = skeleton()
    w.place("Community", "CM9", "S1")
    for u, m in (("U1", "CM1"), ("U2", "CM1"), ("U3", "CM2"), ("U4", "CM1"), ("U9", "CM9")):
        w.employer(u, m)
    w.org("OU1", "committee", "employer")
    w.org("OU1a", "branch", "employer", parent="OU1")
    w.org("OU2", "branch", "employer")
    w.org("OU3", "branch", "employer")
    w.org("OU4", "branch", "employer")
    w.org("OU5", "group", "employer", parent="OU1a")
    w.covers("OU1", "U1")
    w.covers("OU1a", "U1")  # its parent covers the same employer: the parent reports
    w.covers("OU5", "U1")  # groups do not report
    w.reports("OU1", "CM1", since=D)
    w.covers("OU2", "U2")
    w.reports("OU2", "CM2")
    w.covers("OU3", "U3")
    w.covers("OU4", "U4", until=BEFORE)  # no longer the employer's org
    return w


def test_dual_reporting_orgs(store: Store) -> None:
    load(store, dual_orgs_world())
    r = gaps(store, "C1", "DUAL_REPORTING_ORGS", D)
    assert summary(r) == (3, 1, ["OU2", "OU3"])
    assert {g.item_id: g.status for g in r.gaps} == {"OU2": "reported_elsewhere", "OU3": "not_reported"}
    assert gap(r, "OU2") == {
        "employers": ["U2"],
        "communities": ["CM1"],
        "community_names": ["CM1名"],
        "reported_to": ["CM2"],
        "status": "reported_elsewhere",
    }
    assert suggested(r, "OU3") == ["CM2"]
    assert summary(gaps(store, "CM1", "DUAL_REPORTING_ORGS", D)) == (2, 1, ["OU2"])
    assert summary(gaps(store, "CM1", "DUAL_REPORTING_ORGS", BEFORE)) == (3, 0, ["OU1", "OU2", "OU4"])


# ================================================================ FIRM_PARTY_COVERAGE


def firm_world() -> World:
    w = skeleton()
    for f in ("F1", "F2", "F4", "F5", "F6"):
        w.firm(f)
    w.firm("F3", mass_organization="工会")
    w.building("B11", "P1")
    w.building("B41", "P4")
    w.org("OF1", "branch", "firm")
    w.org("OF4", "branch", "firm")
    w.org("OJ", "branch", "joint")
    w.org("OU1", "branch", "employer")
    w.serves("F1", "P1")
    w.covers("OF1", "F1")
    w.serves("F2", "P2")
    w.covers("OJ", "F2")
    w.serves("F3", "P3")
    w.serves("F4", "P4")
    w.covers("OF4", "F4", until=BEFORE)
    w.serves("F5", "P2", until=BEFORE)  # no longer serves anything
    w.serves("F6", "P1", since=D)
    w.person("X1", "B11", "masses")
    w.person("X2", "B11")
    w.role("X1", "F2", "instructor", since=D)
    w.reports("OU1", "CM1")
    w.role("X2", "OU1", "secretary")
    for p in ("W1", "W2", "W3"):
        w.person(p, "B41", employer="F4")
    w.person("W4", "B41", "probationary", employer="F4")
    w.person("W5", "B11", employer="F6")
    return w


def test_firm_party_coverage(store: Store) -> None:
    load(store, firm_world())
    r = gaps(store, "C1", "FIRM_PARTY_COVERAGE", D)
    assert summary(r) == (5, 3, ["F4", "F6"])
    assert gap(r, "F4") == {
        "compounds": ["P4"],
        "full_members": 3,
        "members": 4,
        "ended_orgs": ["OF4"],
    }
    # three full members can form the firm's own branch
    assert suggested(r, "F4") == ["W1", "W2", "W3", "W4"]
    # one member: a joint org or an instructor from a dual-reported org first
    assert suggested(r, "F6") == ["OJ", "X2", "W5"]
    (f6,) = [g for g in r.gaps if g.item_id == "F6"]
    assert [s.reason for s in f6.suggestions] == ["joint_org", "reported_org_secretary", "firm_full_member"]
    assert f6.suggestions[0].via == "F2" and f6.suggestions[1].via == "OU1"
    assert summary(gaps(store, "CM1", "FIRM_PARTY_COVERAGE", D)) == (4, 3, ["F6"])
    # the day before, F5 still served P2 and F6 had not started
    assert summary(gaps(store, "CM1", "FIRM_PARTY_COVERAGE", BEFORE)) == (4, 3, ["F5"])


# ================================================================ COMPOUND_OWNERS_COMMITTEE


def owners_world() -> World:
    w = skeleton()
    w.committee("OwnersCommittee", "OC1", "P1", since=D)
    w.committee("SelfManagementCommittee", "SM2", "P2")
    w.committee("OwnersCommittee", "OC2", "P2", until=BEFORE)
    w.committee("SelfManagementCommittee", "SM3", "P3", until=D)
    w.building("B21", "P2")
    w.person("R1", "B21", is_owner=True)
    w.reports("R1", "CM1")
    w.person("R2", "B21", "probationary", is_owner=True)
    w.person("R3", "B21", is_owner=True)
    w.person("R4", "B21", is_owner=False)
    w.person("R5", "B21", "masses", is_owner=True)
    return w


def test_compound_owners_committee(store: Store) -> None:
    load(store, owners_world())
    r = gaps(store, "C1", "COMPOUND_OWNERS_COMMITTEE", D)
    assert summary(r) == (4, 2, ["P2", "P4"])
    assert gap(r, "P2") == {
        "eligible": True,
        "has_self_management_committee": True,
        "status": "needs_owners_committee",
        "owners_committee_ended": BEFORE,
        "owner_members": 3,
    }
    assert {g.item_id: g.status for g in r.gaps} == {
        "P2": "needs_owners_committee",
        "P4": "needs_self_management_committee",
    }
    # dual-reported owners first, then full members before probationary ones
    assert suggested(r, "P2") == ["R1", "R3", "R2"]
    (p2,) = [g for g in r.gaps if g.item_id == "P2"]
    assert p2.suggestions[0].reason == "dual_reported_owner_member"
    assert BEFORE.isoformat() in p2.evidence_zh
    assert summary(gaps(store, "C1", "COMPOUND_OWNERS_COMMITTEE", AFTER)) == (4, 1, ["P2", "P3", "P4"])
    assert summary(gaps(store, "C1", "COMPOUND_OWNERS_COMMITTEE", BEFORE)) == (4, 2, ["P1", "P4"])


# ================================================================ BUILDING_HEAD


def heads_world() -> World:
    w = skeleton()
    w.building("B11", "P1")
    w.building("B12", "P1", "E121", "E122")
    w.building("B13", "P1", "E131", "E132")
    w.building("B14", "P1")
    w.person("H1", "B11")
    w.role("H1", "B11", "building_head")
    w.role("H1", "E121", "entrance_head", since=D)
    w.role("H1", "E122", "entrance_head", until=D)
    w.role("H1", "E131", "entrance_head")
    w.role("H1", "E132", "entrance_head", until=BEFORE)
    w.role("H1", "B14", "building_head", since=AFTER)
    w.person("R5", "B13", entrance="E131")
    w.role("R5", "E131", "central_household")
    w.person("R6", "B13", "probationary")
    w.person("R7", "B13")
    w.person("R8", "B13", "masses")
    return w


def test_building_head(store: Store) -> None:
    load(store, heads_world())
    r = gaps(store, "P1", "BUILDING_HEAD", D)
    assert summary(r) == (4, 2, ["B13", "B14"])
    assert gap(r, "B13") == {"compound": "P1", "entrances": 2, "entrances_with_head": 1, "members": 3}
    # the central household first, then full members, then probationary ones
    assert suggested(r, "B13") == ["R5", "R7", "R6"]
    assert suggested(r, "B14") == []
    assert summary(gaps(store, "P1", "BUILDING_HEAD", AFTER)) == (4, 2, ["B12", "B13"])


# ================================================================ COMMITTEE_PARTY_SHARE


def share_world() -> World:
    w = skeleton()
    w.building("B11", "P1")
    w.building("B21", "P2")
    w.committee("OwnersCommittee", "K1", "P1")
    w.committee("SelfManagementCommittee", "K2", "P2")
    w.committee("OwnersCommittee", "K3", "P3", until=BEFORE)
    w.committee("OwnersCommittee", "K4", "P4")
    for p, status in (("A1", "member"), ("A2", "probationary"), ("A3", "masses"), ("A4", "masses"), ("A5", "masses")):
        w.person(p, "B11", status)
    w.seat("A1", "K1", "chair")
    w.seat("A2", "K1")
    w.seat("A3", "K1")
    w.seat("A4", "K1", since=D)
    w.seat("A5", "K1", until=BEFORE)  # no longer seated: 2 of 4 current seats are members
    w.person("S1m", "B21")
    w.reports("S1m", "CM1")
    w.person("S2", "B21", "masses")
    w.person("S3", "B21", "masses")
    w.seat("S2", "K2", "chair")
    w.seat("S1m", "K2")
    w.seat("S3", "K2")
    w.person("O1", "B21", is_owner=True)
    w.person("O2", "B21", "probationary", is_owner=True)
    w.reports("O2", "CM1")
    w.person("O3", "B21", is_owner=True, in_service=True)
    w.person("O4", "B21", is_owner=True)
    w.seat("O4", "K2", until=BEFORE)  # a former seat: still a candidate
    return w


def test_committee_party_share(store: Store) -> None:
    load(store, share_world())
    r = gaps(store, "C1", "COMMITTEE_PARTY_SHARE", D)
    assert summary(r) == (3, 1, ["K2", "K4"])
    assert gap(r, "K2") == {
        "committee_kind": "SelfManagementCommittee",
        "compound": "P2",
        "seats": 3,
        "member_seats": 1,
        "members_needed": 1,
        "chair": "S2",
        "chair_is_member": False,
        "dual_reported_seats": 1,
    }
    assert {g.item_id: g.status for g in r.gaps} == {"K2": "below_half", "K4": "no_seats"}
    assert gap(r, "K4")["seats"] == 0
    # owners who are members and not seated: dual-reported first, then full before probationary
    assert suggested(r, "K2") == ["O2", "O1", "O3", "O4"]
    # the day before, K3 was current with no seats, and O4 still held a seat on K2 (2 of 4)
    assert summary(gaps(store, "C1", "COMMITTEE_PARTY_SHARE", BEFORE)) == (4, 2, ["K3", "K4"])


# ================================================================ COMPOUND_PROPERTY_SERVICE


def service_world() -> World:
    w = skeleton()
    w.compound("P5", "G3")
    w.firm("F1")
    w.firm("F7")
    w.firm("F8")
    w.committee("SelfManagementCommittee", "SM2", "P2")
    w.serves("F1", "P1")
    w.serves("SM2", "P2", "self_managed", since=D)
    w.serves("S1", "P3", "guaranteed", until=D)
    w.serves("F1", "P4", until=BEFORE)
    w.serves("F8", "P4", since=AFTER)
    w.serves("F7", "P5")
    return w


def test_compound_property_service(store: Store) -> None:
    load(store, service_world())
    r = gaps(store, "C1", "COMPOUND_PROPERTY_SERVICE", D)
    assert summary(r) == (5, 4, ["P4"])
    assert gap(r, "P4") == {
        "community": "CM2",
        "households": None,
        "service_ended": BEFORE,
        "service_starts": AFTER,
    }
    assert suggested(r, "P4") == ["F7"]
    assert summary(gaps(store, "C1", "COMPOUND_PROPERTY_SERVICE", AFTER)) == (5, 4, ["P3"])
    assert summary(gaps(store, "C1", "COMPOUND_PROPERTY_SERVICE", BEFORE)) == (5, 4, ["P2"])


# ================================================================ COMPOUND_QUALITY_SUPERVISOR


def supervisor_world() -> World:
    w = skeleton()
    w.building("B11", "P1")
    w.building("B21", "P2")
    w.person("Q1", "B11")
    w.person("Q2", "B21", "masses")
    w.role("Q1", "P1", "quality_supervisor", since=D)
    w.role("Q2", "P2", "quality_supervisor", until=BEFORE)
    w.committee("OwnersCommittee", "OC2", "P2")
    w.person("C2", "B21")
    w.seat("C2", "OC2", "chair")
    w.org("OU1", "branch", "employer")
    w.reports("OU1", "CM1")
    w.person("X2", "B11")
    w.role("X2", "OU1", "secretary")
    w.committee("ResidentsCommittee", "RC1", "CM1")
    w.person("RC-a", "B11", "masses")
    w.person("RC-b", "B11", "masses")
    w.seat("RC-a", "RC1", "member")
    w.seat("RC-b", "RC1", "chair")
    return w


def test_compound_quality_supervisor(store: Store) -> None:
    load(store, supervisor_world())
    r = gaps(store, "CM1", "COMPOUND_QUALITY_SUPERVISOR", D)
    assert summary(r) == (3, 1, ["P2", "P3"])
    assert gap(r, "P2") == {"community": "CM1", "former_supervisors": ["Q2"]}
    # the committee chair, then the dual-reported org's secretary, then the residents' committee
    assert suggested(r, "P2") == ["C2", "X2", "RC-b", "RC-a"]
    assert suggested(r, "P3") == ["X2", "RC-b", "RC-a"]
    assert summary(gaps(store, "CM1", "COMPOUND_QUALITY_SUPERVISOR", BEFORE)) == (3, 1, ["P1", "P3"])


# ================================================================ COMPOUND_LIAISON


def liaison_world() -> World:
    w = skeleton()
    w.building("B11", "P1")
    w.person("L1", "B11", "masses")
    w.person("L3", "B11", "masses")
    w.person("L4", "B11", "masses")
    w.role("L1", "G1", "liaison")
    w.role("L3", "P3", "liaison", until=BEFORE)
    w.role("L4", "P4", "liaison", since=D)
    w.committee("ResidentsCommittee", "RC1", "CM1")
    w.person("RC-a", "B11", "masses")
    w.person("RC-b", "B11", "masses")
    w.seat("RC-a", "RC1", "member")
    w.seat("RC-b", "RC1", "vice_chair")
    w.org("O-CM1", "committee")
    w.covers("O-CM1", "CM1")
    w.person("SEC", "B11")
    w.role("SEC", "O-CM1", "secretary")
    w.org("O-S1", "working_committee")
    w.covers("O-S1", "S1")
    w.person("STR", "B11")
    w.role("STR", "O-S1", "secretary")
    return w


def test_compound_liaison(store: Store) -> None:
    load(store, liaison_world())
    r = gaps(store, "C1", "COMPOUND_LIAISON", D)
    assert summary(r) == (4, 3, ["P3"])
    assert gap(r, "P3") == {"grid": "G2", "community": "CM1"}
    # the community's 两委 first (secretary and chair-rank seats), then the street's secretary,
    # then liaisons already serving nearby
    assert suggested(r, "P3") == ["SEC", "RC-b", "RC-a", "STR", "L1"]
    assert summary(gaps(store, "C1", "COMPOUND_LIAISON", BEFORE)) == (4, 3, ["P4"])


# ================================================================ COMMUNITY_ENV_PROPERTY_COMMITTEE


def env_world() -> World:
    w = skeleton()
    w.place("Community", "CM3", "S1")
    w.committee("ResidentsCommittee", "RC1", "CM1")
    w.committee("EnvironmentPropertyCommittee", "EP1", "RC1", since=D)
    w.committee("ResidentsCommittee", "RC2", "CM2")
    w.committee("EnvironmentPropertyCommittee", "EP2", "RC2", until=BEFORE)
    return w


def test_community_env_property_committee(store: Store) -> None:
    load(store, env_world())
    r = gaps(store, "S1", "COMMUNITY_ENV_PROPERTY_COMMITTEE", D)
    assert summary(r) == (3, 1, ["CM2", "CM3"])
    assert {g.item_id: g.status for g in r.gaps} == {
        "CM2": "no_env_property_committee",
        "CM3": "no_residents_committee",
    }
    assert gap(r, "CM2")["ended"] == ["EP2"]
    assert suggested(r, "CM2") == ["RC2"]
    assert suggested(r, "CM3") == []
    assert summary(gaps(store, "S1", "COMMUNITY_ENV_PROPERTY_COMMITTEE", BEFORE)) == (3, 1, ["CM1", "CM3"])


# ================================================================ COMMUNITY_RED_STATION


def station_world() -> World:
    w = skeleton()
    w.place("Community", "CM3", "S1")
    w.place("Grid", "G4", "CM3")
    w.compound("P6", "G4")
    w.compound("P7", "G4")
    w.compound("P8", "G4")
    w.building("B6", "P6")
    w.building("B7", "P7")
    w.person("R6", "B6")
    w.person("R7a", "B7")
    w.person("R7b", "B7")
    w.site("ServiceCentre", "SC1", "CM1")
    w.site("RedStation", "RS1", "P1", since=D)
    w.site("ServiceCentre", "SC2", "CM2", since=AFTER)
    w.site("RedStation", "RS2", "G3")
    w.site("ServiceCentre", "SC3", "CM3")
    return w


def test_community_red_station(store: Store) -> None:
    load(store, station_world())
    r = gaps(store, "D1", "COMMUNITY_RED_STATION", D)
    assert summary(r) == (3, 1, ["CM2", "CM3"])
    assert {g.item_id: g.status for g in r.gaps} == {"CM2": "no_service_centre", "CM3": "no_red_station"}
    assert gap(r, "CM2") == {"centres": 0, "stations": 1}
    assert suggested(r, "CM2") == []  # it has a station; what it lacks is the centre
    assert suggested(r, "CM3") == ["P7", "P6", "P8"]  # most resident members first
    assert summary(gaps(store, "D1", "COMMUNITY_RED_STATION", AFTER)) == (3, 2, ["CM3"])


# ================================================================ coverage of every indicator at once


def test_coverage_lists_every_indicator_in_order(store: Store) -> None:
    load(store, branch_world())
    c = coverage(store, "CM1", D)
    assert c.area.kind == "Community" and [p.id for p in c.area.path] == ["C1", "D1", "S1", "CM1"]
    assert [r.indicator for r in c.indicators][:3] == ["COMPOUND_BRANCH", "BUILDING_GROUP", "MEMBER_ONE_PLUS_ONE"]
    assert len(c.indicators) == 14
    assert (c.indicator("COMPOUND_BRANCH").total, c.indicator("COMPOUND_BRANCH").covered) == (3, 2)
    assert all(not r.gaps_included for r in c.indicators)
    full = coverage(store, "CM1", D, with_gaps=True, indicators=["compound_branch"])
    assert [g.item_id for g in full.indicator("COMPOUND_BRANCH").gaps] == ["P2"]

""""1+1" cards, branch views, an area's inconsistent members and dual reporting, on both stores."""

from __future__ import annotations

import pytest

from graph.errors import NotFound
from graph.store import Store
from queries import area_one_plus_one, branch_view, dual_reporting, member_card
from tests.queries.fixtures import AFTER, D
from tests.queries.test_indicators import (
    ONE_PLUS_ONE_GAPS,
    dual_members_world,
    dual_orgs_world,
    load,
    one_plus_one_world,
)

CARD_STATUS = {
    "M1": "complete",
    "M2": "complete",
    "M3": "complete",
    "M4": "complete",
    "M11": "complete",
    **ONE_PLUS_ONE_GAPS,
}


def test_member_card_every_status(store: Store) -> None:
    load(store, one_plus_one_world())
    assert {m: member_card(store, m, D).status for m in CARD_STATUS} == CARD_STATUS
    assert set(CARD_STATUS.values()) == {
        "complete",
        "missing_membership",
        "missing_residence",
        "multiple_residence",
        "residence_mismatch",
    }


def test_member_card_sides_and_places(store: Store) -> None:
    load(store, one_plus_one_world())
    m1 = member_card(store, "M1", D)
    assert (m1.building, m1.compound, m1.grid, m1.community) == ("B11", "P1", "G1", "CM1")
    assert [(s.id, s.level, s.places, s.covers_home) for s in m1.membership] == [("O-U", "branch", (), False)]
    assert [(s.id, s.places, s.covers_home) for s in m1.residence] == [("O-B1", ("P1",), True)]
    assert str(m1.name) == "张**" and "张M1" not in repr(m1)
    assert m1.as_dict()["name"] == "张**" and m1.as_dict(unmask=True)["name"] == "张M1"
    m3 = member_card(store, "M3", D)
    assert m3.entrance == "E111" and m3.residence[0].covers_home and m3.residence[0].level == "group"
    m4 = member_card(store, "M4", D)  # the sides coincide
    assert m4.residence == () and m4.membership[0].covers_home and "coincide" in m4.explanation_en
    m8 = member_card(store, "M8", D)
    assert m8.compound == "P2" and m8.residence[0].places == ("P1",) and not m8.residence[0].covers_home
    assert "P1" in m8.explanation_zh and "P2" in m8.explanation_zh
    m7 = member_card(store, "M7", D)
    assert [s.id for s in m7.residence] == ["O-B1", "O-GG"]
    assert member_card(store, "M11", AFTER).status == "missing_membership"
    with pytest.raises(NotFound):
        member_card(store, "N1", D)  # not a party member
    with pytest.raises(NotFound):
        member_card(store, "nobody", D)


def test_branch_view(store: Store) -> None:
    load(store, one_plus_one_world())
    v = branch_view(store, "O-B1", D)
    assert (v.level, v.kind, v.places) == ("branch", "area", ("P1",))
    assert [(m.id, m.status, m.covers_home) for m in v.members] == [("M4", "complete", True)]
    assert [(m.id, m.status, m.covers_home) for m in v.residence_members] == [
        ("M1", "complete", True),
        ("M11", "complete", True),
        ("M5", "missing_membership", True),
        ("M7", "multiple_residence", True),
        ("M8", "residence_mismatch", False),
    ]
    # members living where O-B1 covers who are registered on the residence side nowhere
    assert [m.id for m in v.unregistered_residents] == ["M10", "M6"]
    group = branch_view(store, "O-G11", D)
    assert [(m.id, m.covers_home) for m in group.residence_members] == [("M3", True), ("M9", False)]
    assert [m.id for m in group.unregistered_residents] == ["M6"]
    employer = branch_view(store, "O-U", D)
    assert [m.id for m in employer.members] == ["M1", "M10", "M11", "M2", "M3", "M6", "M7", "M8", "M9"]
    assert employer.places == () and employer.unregistered_residents == ()
    with pytest.raises(NotFound):
        branch_view(store, "nope", D)


def test_area_one_plus_one(store: Store) -> None:
    load(store, one_plus_one_world())
    a = area_one_plus_one(store, "CM1", D)
    assert a.total == 11
    assert a.by_status == {
        "complete": 5,
        "missing_membership": 1,
        "multiple_membership": 0,
        "missing_residence": 2,
        "multiple_residence": 1,
        "residence_mismatch": 2,
    }
    assert {m.id: m.status for m in a.members} == ONE_PLUS_ONE_GAPS
    m6 = next(m for m in a.members if m.id == "M6")
    assert [s.id for s in m6.suggestions] == ["O-B1", "O-GG", "O-G11"]
    assert m6.explanation_zh and m6.explanation_en
    assert a.as_dict()["members"][0]["name"].endswith("*")


@pytest.mark.parametrize(("start", "size"), [(0, 2), (2, 3), (5, 10), (6, 1), (20, 5)])
def test_a_page_of_the_area_is_the_same_slice_of_the_whole(store: Store, start: int, size: int) -> None:
    """Only the page asked for is explained (the API's ``first``/``after``): the same members,
    explanations and suggestions as that slice of the whole list, the counts still the area's."""
    load(store, one_plus_one_world())
    whole = area_one_plus_one(store, "CM1", D)
    page = area_one_plus_one(store, "CM1", D, start=start, size=size)
    assert page.members == whole.members[start : start + size]
    assert (page.total, page.by_status) == (whole.total, whole.by_status)
    assert sum(page.by_status.values()) - page.by_status["complete"] == len(whole.members)


def test_dual_reporting(store: Store) -> None:
    w = dual_members_world()
    orgs = dual_orgs_world()
    # the two worlds share the skeleton: add the org world's own items to the member world
    known = set(w.labels)
    w.batch.nodes += [n for n in orgs.batch.nodes if n.id not in known]
    w.labels.update(orgs.labels)
    keys = {r.key for r in w.batch.rels}
    w.batch.rels += [r for r in orgs.batch.rels if r.key not in keys]
    load(store, w)
    r = dual_reporting(store, "CM1", D)
    assert (r.members_total, r.members_reported, r.orgs_total, r.orgs_reported) == (5, 2, 2, 1)
    assert [(m.id, m.status, m.should_report_to, m.reported_to) for m in r.members] == [
        ("M2", "reported_elsewhere", ("CM1",), ("CM2",)),
        ("M3", "not_reported", ("CM1",), ()),
        ("M4", "not_reported", ("CM1",), ()),
    ]
    assert [(o.id, o.kind, o.status, o.should_report_to, o.reported_to) for o in r.orgs] == [
        ("OU2", "org", "reported_elsewhere", ("CM1",), ("CM2",)),
    ]
    assert str(r.members[0].name) == "张**"


def test_member_and_residence_records_on_one_org(store: Store) -> None:
    """A retired member whose membership and residence registration name the same branch from
    the same day: two facts (same ends, same key, two types) that must both be kept."""
    w = one_plus_one_world()
    w.person("M12", "B12")
    w.member_of("M12", "O-B1", since=D)
    w.registered("M12", "O-B1", since=D)
    load(store, w)
    card = member_card(store, "M12", D)
    assert [s.id for s in card.membership] == ["O-B1"] and [s.id for s in card.residence] == ["O-B1"]
    assert card.status == "complete"

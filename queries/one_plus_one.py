""""1+1" management and dual reporting, seen from a member, a branch and an area.

* ``member_card``: a member's two managing sides (each org with the places it covers), the
  1+1 status (see ``queries/indicators/members.py``) and where they report (双报到).
* ``branch_view``: a branch's own members, the members registered with it on the residence
  side, and the members living where it covers who are registered nowhere yet.
* ``area_one_plus_one``: an area's inconsistent members with explanations and suggestions.
* ``dual_reporting``: in-service members and employer orgs that have not reported where they
  should (not reported at all, or reported to another community).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.errors import NotFound
from graph.query import Query, Row
from graph.store import Store
from graph.turns import paced
from queries.areas import resolve_area
from queries.common import (
    MEMBER_STATUSES,
    current,
    current_on,
    member_on,
    member_on_day,
    sorted_ids,
    sources,
    status_on,
    status_on_day,
    targets,
    up,
)
from queries.coverage import as_of_day, counts, explain_gaps, gap_rows, suggestion_rows
from queries.indicators import INDICATORS
from queries.indicators.members import (
    COVERS_HOME,
    MEMBER_HOME,
    MEMBER_STATUS,
    OrgPlaces,
    explain_member,
    member_home,
    member_status,
    org_sides,
    org_sides_nx,
)
from queries.results import (
    AreaOnePlusOne,
    BranchMember,
    BranchView,
    DualReporting,
    Gap,
    MemberCard,
    MemberStatus,
    OrgSide,
    ReportStatus,
    personal,
)

if TYPE_CHECKING:
    from graph.embedded import GraphView

# ================================================================ a member's card

MEMBER_CARD_CYPHER = (
    f"""
MATCH (p:Person {{id: $person}})
WHERE p:PartyMember AND {member_on('p')}
OPTIONAL MATCH (p)-[:LIVES_IN]->(b:Building)
"""
    + MEMBER_HOME
    + MEMBER_STATUS
    + f"""
OPTIONAL MATCH (c)-[:PART_OF*1..]->(m:Community)
RETURN p.id AS id, p.name AS name, {status_on('p')} AS political_status,
  coalesce(p.in_service, false) AS in_service,
  b.id AS building, e.id AS entrance, c.id AS compound, g.id AS grid, m.id AS community, status,
  membership, residence,
  {org_sides('MEMBER_OF')} AS membership_orgs,
  {org_sides('REGISTERED_AT_RESIDENCE')} AS residence_orgs,
  COLLECT {{ MATCH (p)-[r:REPORTED_TO]->(x:Community)
            WHERE {current_on('r')}
            RETURN DISTINCT x.id AS y ORDER BY y }} AS reported_to
"""
)


def member_card_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    person, d = p["person"], p["date"]
    if not g.has(person) or not g.has_label(person, "Person") or not g.has_label(person, "PartyMember"):
        return []
    node = g.node(person)
    if not member_on_day(node, d):
        return []
    places = OrgPlaces(g, d)
    edges = g.out_by_type(person)
    home = member_home(g, person, edges)
    st = member_status(g, person, home, d, places, edges)
    in_service = node.get("in_service")
    return [
        {
            "id": person,
            "name": node.get("name"),
            "political_status": status_on_day(node, d),
            "in_service": False if in_service is None else in_service,
            "building": home.building,
            "entrance": home.entrance,
            "compound": home.compound,
            "grid": home.grid,
            "community": up(g, home.compound, "Community"),
            "status": st.status,
            "membership": st.membership,
            "residence": st.residence,
            "membership_orgs": org_sides_nx(g, edges, "MEMBER_OF", home, d, places),
            "residence_orgs": org_sides_nx(g, edges, "REGISTERED_AT_RESIDENCE", home, d, places),
            "reported_to": sorted_ids(x for x, r in targets(g, person, "REPORTED_TO", "Community") if current(r, d)),
        }
    ]


MEMBER_CARD = Query("one_plus_one.member_card", MEMBER_CARD_CYPHER, member_card_nx, doc="params: person, date")


def _sides(rows: list[dict[str, Any]]) -> tuple[OrgSide, ...]:
    return tuple(OrgSide(r["id"], r["name"], r["level"], tuple(r["places"]), bool(r["covers_home"])) for r in rows)


def member_card(store: Store, person_id: str, as_of: date | None = None) -> MemberCard:
    """A member's 1+1 card on ``as_of`` (default today); ``NotFound`` unless a party member."""
    day = as_of_day(as_of)
    rows = store.run(MEMBER_CARD, {"person": person_id, "date": day})
    if not rows:
        raise NotFound(
            f"no party member with id {person_id!r} on {day.isoformat()}",
            message_zh=f"未找到党员 {person_id}({day.isoformat()})",
        )
    r = rows[0]
    residence_places = sorted({pl for o in r["residence_orgs"] for pl in o["places"]})
    e = explain_member({**r, "residence_places": residence_places})
    return MemberCard(
        id=r["id"],
        name=personal(r["name"]),
        political_status=r["political_status"],
        in_service=bool(r["in_service"]),
        as_of=day,
        building=r["building"],
        entrance=r["entrance"],
        compound=r["compound"],
        grid=r["grid"],
        community=r["community"],
        membership=_sides(r["membership_orgs"]),
        residence=_sides(r["residence_orgs"]),
        status=r["status"],
        explanation_zh=e.zh,
        explanation_en=e.en,
        reported_to=tuple(r["reported_to"]),
    )


# ================================================================ a branch's view

BRANCH_INFO_CYPHER = f"""
MATCH (o:PartyOrg {{id: $org}})
RETURN o.id AS id, o.name AS name, o.level AS level, o.kind AS kind,
  COLLECT {{ MATCH (o)-[k:COVERS]->(t)
            WHERE {current_on('k')}
            RETURN DISTINCT t.id AS x ORDER BY x }} AS places
"""


def branch_info_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    o, d = p["org"], p["date"]
    if not g.has(o) or not g.has_label(o, "PartyOrg"):
        return []
    n = g.node(o)
    return [
        {
            "id": o,
            "name": n.get("name"),
            "level": n.get("level"),
            "kind": n.get("kind"),
            "places": sorted_ids(t for t, k in g.out(o, "COVERS") if current(k, d)),
        }
    ]


BRANCH_INFO = Query("one_plus_one.branch_info", BRANCH_INFO_CYPHER, branch_info_nx, doc="params: org, date")

BRANCH_MEMBERS_CYPHER = (
    f"""
MATCH (br:PartyOrg {{id: $org}})
CALL (br) {{
  MATCH (p:PartyMember)-[r:MEMBER_OF]->(br)
  WHERE {current_on('r')}
  RETURN DISTINCT p, 'membership' AS side
  UNION
  MATCH (p:PartyMember)-[r:REGISTERED_AT_RESIDENCE]->(br)
  WHERE {current_on('r')}
  RETURN DISTINCT p, 'residence' AS side
  UNION
  MATCH (br)-[k:COVERS]->(t:Place)
  WHERE br.level <> 'group' AND (t:Compound OR t:Grid)
    AND {current_on('k')}
  MATCH (t)<-[:PART_OF*1..2]-(:Building)<-[:LIVES_IN]-(p:PartyMember)
  RETURN DISTINCT p, 'unregistered' AS side
  UNION
  MATCH (br)-[k:COVERS]->(t:Building)<-[:LIVES_IN]-(p:PartyMember)
  WHERE br.level = 'group' AND {current_on('k')}
  RETURN DISTINCT p, 'unregistered' AS side
  UNION
  MATCH (br)-[k:COVERS]->(t:Entrance)<-[:LIVES_IN_ENTRANCE]-(p:PartyMember)
  WHERE br.level = 'group' AND {current_on('k')}
  RETURN DISTINCT p, 'unregistered' AS side
}}
WITH * WHERE {member_on('p')}
OPTIONAL MATCH (p)-[:LIVES_IN]->(b:Building)
"""
    + MEMBER_HOME
    + MEMBER_STATUS
    + f"""
// the status above ranged over all of the member's orgs; now ``o`` is this branch again
WITH *, br AS o WHERE side <> 'unregistered' OR status = 'missing_residence'
RETURN side, p.id AS id, p.name AS name, {status_on('p')} AS political_status,
  b.id AS building, c.id AS compound, status, """
    + COVERS_HOME
    + """ AS covers_home
ORDER BY side, id
"""
)


def branch_members_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    o, d = p["org"], p["date"]
    if not g.has(o) or not g.has_label(o, "PartyOrg"):
        return []
    level = g.node(o).get("level")
    pairs: set[tuple[str, str]] = set()
    for x, r in sources(g, o, "MEMBER_OF", "PartyMember"):
        if current(r, d):
            pairs.add((x, "membership"))
    for x, r in sources(g, o, "REGISTERED_AT_RESIDENCE", "PartyMember"):
        if current(r, d):
            pairs.add((x, "residence"))
    for t, k in targets(g, o, "COVERS", "Place"):
        if level is None or not current(k, d):
            continue
        if level != "group" and (g.has_label(t, "Compound") or g.has_label(t, "Grid")):
            compounds = [t] if g.has_label(t, "Compound") else [c for c, _ in sources(g, t, "PART_OF", "Place")]
            buildings = [b for c in compounds for b, _ in sources(g, c, "PART_OF", "Building")]
            pairs |= {(x, "unregistered") for b in buildings for x, _ in sources(g, b, "LIVES_IN", "PartyMember")}
        elif level == "group" and g.has_label(t, "Building"):
            pairs |= {(x, "unregistered") for x, _ in sources(g, t, "LIVES_IN", "PartyMember")}
        elif level == "group" and g.has_label(t, "Entrance"):
            pairs |= {(x, "unregistered") for x, _ in sources(g, t, "LIVES_IN_ENTRANCE", "PartyMember")}
    places = OrgPlaces(g, d)
    rows = []
    for x, side in pairs:
        if not member_on_day(g.node(x), d):
            continue
        home = member_home(g, x, places=places)
        st = member_status(g, x, home, d, places)
        if side == "unregistered" and st.status != "missing_residence":
            continue
        rows.append(
            {
                "side": side,
                "id": x,
                "name": g.node(x).get("name"),
                "political_status": status_on_day(g.node(x), d),
                "building": home.building,
                "compound": home.compound,
                "status": st.status,
                "covers_home": places.covers_home(o, home),
            }
        )
    return sorted(rows, key=lambda r: (r["side"], r["id"]))


BRANCH_MEMBERS = Query("one_plus_one.branch_members", BRANCH_MEMBERS_CYPHER, branch_members_nx, doc="params: org, date")


def branch_view(store: Store, org_id: str, as_of: date | None = None) -> BranchView:
    """A branch's (or group's) own members, its residence-side members and the members living
    where it covers who are not registered on the residence side anywhere."""
    day = as_of_day(as_of)
    info = store.run(BRANCH_INFO, {"org": org_id, "date": day})
    if not info:
        raise NotFound(f"no party org with id {org_id!r}", message_zh=f"未找到党组织 {org_id}")
    rows = store.run(BRANCH_MEMBERS, {"org": org_id, "date": day})
    members = {
        side: tuple(
            BranchMember(
                id=r["id"],
                name=personal(r["name"]),
                political_status=r["political_status"],
                side=side,
                building=r["building"],
                compound=r["compound"],
                status=r["status"],
                covers_home=bool(r["covers_home"]),
            )
            for r in rows
            if r["side"] == side
        )
        for side in ("membership", "residence", "unregistered")
    }
    i = info[0]
    return BranchView(
        id=i["id"],
        name=i["name"],
        level=i["level"],
        kind=i["kind"],
        as_of=day,
        places=tuple(i["places"]),
        members=members["membership"],
        residence_members=members["residence"],
        unregistered_residents=members["unregistered"],
    )


# ================================================================ an area

QUERIES = (MEMBER_CARD, BRANCH_INFO, BRANCH_MEMBERS)


def area_one_plus_one(
    store: Store,
    area_id: str,
    as_of: date | None = None,
    *,
    limit: int = 5,
    start: int = 0,
    size: int | None = None,
) -> AreaOnePlusOne:
    """The area's members by 1+1 status, and each inconsistent one explained with suggestions.

    ``start``/``size``: only that page of the inconsistent members (by id) is explained and
    returned, the counts are still the whole area's; explaining and suggesting is most of the
    work, so an API page of 100 of an area's 4,000 costs a fortieth of the whole list. The
    number of inconsistent members is ``sum(by_status) - by_status["complete"]``."""
    area = resolve_area(store, area_id)
    day = as_of_day(as_of)
    ind = INDICATORS["MEMBER_ONE_PLUS_ONE"]
    total, complete = counts(store, ind, area.id, day)
    every = gap_rows(store, ind, area.id, day) if total > complete else []
    by_status = dict.fromkeys(MEMBER_STATUSES, 0)
    by_status["complete"] = complete
    for r in every:
        by_status[r["status"]] += 1
    rows = every[start:] if size is None else every[start : start + size]
    gaps = explain_gaps(ind, rows, suggestion_rows(store, ind, rows, day, limit))
    members = tuple(
        MemberStatus(
            id=r["id"],
            name=personal(r["name"]),
            status=r["status"],
            building=r["building"],
            compound=r["compound"],
            membership=tuple(r["membership"]),
            residence=tuple(r["residence"]),
            explanation_zh=gap.evidence_zh,
            explanation_en=gap.evidence_en,
            suggestions=gap.suggestions,
        )
        for r, gap in paced(zip(rows, gaps, strict=True))
    )
    return AreaOnePlusOne(area, day, total, by_status, members)


def _report_status(gap: Gap, kind: str, should: tuple[str, ...]) -> ReportStatus:
    return ReportStatus(
        id=gap.item_id,
        name=gap.item_name,
        kind=kind,
        status=gap.status,
        should_report_to=should,
        reported_to=tuple(gap.facts["reported_to"]),
        explanation_zh=gap.evidence_zh,
        explanation_en=gap.evidence_en,
    )


def dual_reporting(store: Store, area_id: str, as_of: date | None = None) -> DualReporting:
    """In-service members living in the area and employer orgs located in it that have not
    reported where they should, with the totals."""
    area = resolve_area(store, area_id)
    day = as_of_day(as_of)
    out: dict[str, tuple[int, int, tuple[ReportStatus, ...]]] = {}
    for key, kind in (("DUAL_REPORTING_MEMBERS", "person"), ("DUAL_REPORTING_ORGS", "org")):
        ind = INDICATORS[key]
        total, covered = counts(store, ind, area.id, day)
        rows = gap_rows(store, ind, area.id, day) if total > covered else []
        gaps = explain_gaps(ind, rows, {})
        entries = tuple(
            _report_status(
                gap,
                kind,
                tuple(r["communities"]) if kind == "org" else tuple(c for c in [r["community"]] if c is not None),
            )
            for r, gap in zip(rows, gaps, strict=True)
        )
        out[key] = (total, covered, entries)
    mt, mc, members = out["DUAL_REPORTING_MEMBERS"]
    ot, oc, orgs = out["DUAL_REPORTING_ORGS"]
    return DualReporting(area, day, mt, mc, ot, oc, members, orgs)

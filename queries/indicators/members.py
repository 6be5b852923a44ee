"""Indicators about members and employer orgs: MEMBER_ONE_PLUS_ONE, DUAL_REPORTING_MEMBERS,
DUAL_REPORTING_ORGS. The member's 1+1 status is computed here once per side (``MEMBER_HOME``
and ``MEMBER_STATUS`` on the Cypher side, ``member_status`` on the networkx side) and reused
by ``queries/one_plus_one.py``.

The members of a day are those who had joined by then (``member_on``, queries/common.py).
1+1 status of a member on a day (first that applies):

* ``missing_membership``: no current membership (MEMBER_OF) at all: a data error to report;
* ``multiple_membership``: current memberships in two or more orgs at once: a data error too
  (a member's 组织关系 sits in exactly one branch), reported before anything on the residence
  side, which is judged only once the membership side is sound;
* ``complete`` when no residence-side registration is recorded but a membership branch itself
  covers where they live (DOMAIN.md: for a retired member the two sides may coincide);
* ``missing_residence``: no current residence-side registration;
* ``multiple_residence``: more than one current residence-side registration;
* ``residence_mismatch``: the one registered org does not cover where they live;
* ``complete`` otherwise.

An org "covers where a member lives" when it currently covers their compound or its grid, or,
for a party group, their building or entrance.

The explanation of a gap and its first suggestion say the same thing, because both come from
one plan (``plan_member``): which membership to end, which residence-side registration to
keep (the one covering the home), which to end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.query import Query, Row
from queries.common import (
    DEPTH,
    GROUP,
    SUGGESTION_TAIL,
    Edges,
    by_id,
    candidate,
    count_row,
    current,
    current_on,
    member_on,
    member_on_day,
    parent,
    prop,
    rank_candidates,
    sorted_ids,
    sources,
    status_on,
    status_on_day,
    targets,
    under,
    up,
)
from queries.indicators.spec import Explanation, Indicator

if TYPE_CHECKING:
    from graph.embedded import GraphView

# ================================================================ the 1+1 status, both sides

#: Binds ``c`` (compound), ``g`` (grid), ``e`` (entrance, if recorded) and ``home_orgs`` (the
#: orgs currently covering where they live: any non-group org covering ``c`` or ``g``, any
#: party group covering ``b`` or ``e``) for a member ``p`` living in building ``b``.
MEMBER_HOME = f"""
OPTIONAL MATCH (b)-[:PART_OF]->(c:Compound)
OPTIONAL MATCH (c)-[:PART_OF]->(g:Grid)
OPTIONAL MATCH (p)-[:LIVES_IN_ENTRANCE]->(e:Entrance)
WITH *, COLLECT {{
    UNWIND [c, g] AS t
    MATCH (t)<-[k:COVERS]-(o:PartyOrg)
    WHERE o.level <> 'group' AND {current_on('k')}
    RETURN o.id AS x
  UNION
    UNWIND [b, e] AS t
    MATCH (t)<-[k:COVERS]-(o:PartyOrg)
    WHERE o.level = 'group' AND {current_on('k')}
    RETURN o.id AS x
  }} AS home_orgs
"""

#: The same for every member of an area at once: the orgs covering a building's compound, grid
#: and the building itself are collected once per building, the entrance's groups per member.
AREA_MEMBERS_HOME = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Building']}]-(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(c:Compound)
OPTIONAL MATCH (c)-[:PART_OF]->(g:Grid)
WITH b, c, g, COLLECT {{
    UNWIND [c, g] AS t
    MATCH (t)<-[k:COVERS]-(o:PartyOrg)
    WHERE o.level <> 'group' AND {current_on('k')}
    RETURN o.id AS x
  UNION
    MATCH (b)<-[k:COVERS]-(o:PartyOrg)
    WHERE o.level = 'group' AND {current_on('k')}
    RETURN o.id AS x
  }} AS building_orgs
MATCH (b)<-[:LIVES_IN]-(p:PartyMember)
WHERE {member_on('p')}
OPTIONAL MATCH (p)-[:LIVES_IN_ENTRANCE]->(e:Entrance)
WITH p, b, c, g, e, building_orgs + COLLECT {{
    MATCH (e)<-[k:COVERS]-(o:PartyOrg)
    WHERE o.level = 'group' AND {current_on('k')}
    RETURN o.id AS x
  }} AS home_orgs
"""

#: Whether org ``o`` currently covers the home of the member (``b``, ``e``, ``c``, ``g`` bound).
COVERS_HOME = f"""EXISTS {{
      MATCH (o)-[k:COVERS]->(t:Place)
      WHERE {current_on('k')}
        AND ((o.level = 'group' AND (t = b OR t = e)) OR (o.level <> 'group' AND (t = c OR t = g)))
    }}"""


def org_sides(rel_type: str) -> str:
    """A ``COLLECT`` of the orgs ``p`` currently has a ``rel_type`` relationship with (by id):
    ``{id, name, level, since, places, covers_home}``, where ``since`` is the earliest start of
    the current relationships (null when undated) and ``places`` what the org covers now.
    Needs ``p``, ``b``, ``c``, ``g``, ``e`` bound; the networkx twin is ``org_sides_nx``."""
    return f"""COLLECT {{ MATCH (p)-[r:{rel_type}]->(o:PartyOrg)
            WHERE {current_on('r')}
            WITH o, b, c, g, e, min(r.since) AS since ORDER BY o.id
            RETURN {{id: o.id, name: o.name, level: o.level, since: since,
                    places: COLLECT {{ MATCH (o)-[k:COVERS]->(t:Place)
                                      WHERE {current_on('k')}
                                      RETURN DISTINCT t.id AS x ORDER BY x }},
                    covers_home: {COVERS_HOME}}} }}"""


#: With ``p`` and ``home_orgs`` bound, adds ``membership, residence`` (current org ids),
#: ``residence_home`` (those registered orgs that cover the home), ``membership_home`` and
#: ``status``; every variable already bound is carried along (``WITH *``). The query must not
#: have bound ``o`` or ``r`` itself: a subquery would take them as given.
MEMBER_STATUS = f"""
WITH *,
  COLLECT {{ MATCH (p)-[r:MEMBER_OF]->(o:PartyOrg)
            WHERE {current_on('r')}
            RETURN DISTINCT o.id AS x ORDER BY x }} AS membership,
  COLLECT {{ MATCH (p)-[r:REGISTERED_AT_RESIDENCE]->(o:PartyOrg)
            WHERE {current_on('r')}
            RETURN DISTINCT o.id AS x ORDER BY x }} AS residence
WITH *, [x IN residence WHERE x IN home_orgs] AS residence_home,
  any(x IN membership WHERE x IN home_orgs) AS membership_home
WITH *,
  CASE WHEN size(membership) = 0 THEN 'missing_membership'
       WHEN size(membership) > 1 THEN 'multiple_membership'
       WHEN size(residence) = 0 AND membership_home THEN 'complete'
       WHEN size(residence) = 0 THEN 'missing_residence'
       WHEN size(residence) > 1 THEN 'multiple_residence'
       WHEN size(residence_home) = 0 THEN 'residence_mismatch'
       ELSE 'complete' END AS status
"""


@dataclass(frozen=True)
class Home:
    building: str | None
    entrance: str | None
    compound: str | None
    grid: str | None


def member_home(g: GraphView, person: str, edges: Edges | None = None, places: OrgPlaces | None = None) -> Home:
    """Where ``person`` lives; ``edges`` (their out-edges by type) and ``places`` (its building
    cache) only save work when many members are looked at in one query."""
    edges = g.out_by_type(person) if edges is None else edges
    building = next((b for b, _ in edges.get("LIVES_IN", ()) if g.has_label(b, "Building")), None)
    entrance = next((e for e, _ in edges.get("LIVES_IN_ENTRANCE", ()) if g.has_label(e, "Entrance")), None)
    compound, grid = _compound_grid(g, building) if places is None else places.compound_grid(building)
    return Home(building, entrance, compound, grid)


def _compound_grid(g: GraphView, building: str | None) -> tuple[str | None, str | None]:
    compound = parent(g, building, "Compound")
    return compound, parent(g, compound, "Grid")


_UNSEEN = object()


class OrgPlaces:
    """The places each org currently covers, computed once per org per query."""

    def __init__(self, g: GraphView, day: date) -> None:
        self._g = g
        self._day = day
        self._cache: dict[str, frozenset[str]] = {}
        self._homes: dict[str | None, tuple[str | None, str | None]] = {}
        self._levels: dict[str, object] = {}

    def compound_grid(self, building: str | None) -> tuple[str | None, str | None]:
        got = self._homes.get(building)
        if got is None:
            got = self._homes[building] = _compound_grid(self._g, building)
        return got

    def __call__(self, org: str) -> frozenset[str]:
        got = self._cache.get(org)
        if got is None:
            got = frozenset(t for t, k in targets(self._g, org, "COVERS", "Place") if current(k, self._day))
            self._cache[org] = got
        return got

    def covers_home(self, org: str, home: Home) -> bool:
        level = self._levels.get(org, _UNSEEN)
        if level is _UNSEEN:
            level = self._levels[org] = self._g.node(org).get("level")
        if level is None:
            return False
        places = self(org)
        if level == GROUP:
            return home.building in places or home.entrance in places
        return home.compound in places or home.grid in places


@dataclass(frozen=True)
class Status:
    membership: list[str]
    residence: list[str]
    residence_home: list[str]
    membership_home: bool
    status: str


def member_status(
    g: GraphView, person: str, home: Home, day: date, places: OrgPlaces, edges: Edges | None = None
) -> Status:
    edges = g.out_by_type(person) if edges is None else edges

    def orgs(rel_type: str) -> list[str]:
        return sorted_ids(o for o, r in edges.get(rel_type, ()) if g.has_label(o, "PartyOrg") and current(r, day))

    membership = orgs("MEMBER_OF")
    residence = orgs("REGISTERED_AT_RESIDENCE")
    residence_home = [o for o in residence if places.covers_home(o, home)]
    membership_home = any(places.covers_home(o, home) for o in membership)
    if not membership:
        status = "missing_membership"
    elif len(membership) > 1:
        status = "multiple_membership"
    elif not residence:
        status = "complete" if membership_home else "missing_residence"
    elif len(residence) > 1:
        status = "multiple_residence"
    elif not residence_home:
        status = "residence_mismatch"
    else:
        status = "complete"
    return Status(membership, residence, residence_home, membership_home, status)


def org_sides_nx(
    g: GraphView, edges: Edges, rel_type: str, home: Home, day: date, places: OrgPlaces
) -> list[Row]:
    """The networkx twin of ``org_sides``, from the member's out-edges ``edges``."""
    since: dict[str, date | None] = {}
    for o, r in edges.get(rel_type, ()):
        if not g.has_label(o, "PartyOrg") or not current(r, day):
            continue
        start = r.get("since")
        known = since.get(o)
        since[o] = start if known is None else (known if start is None else min(known, start))
    return [
        {
            "id": o,
            "name": g.node(o).get("name"),
            "level": g.node(o).get("level"),
            "since": since[o],
            "places": sorted(places(o)),
            "covers_home": places.covers_home(o, home),
        }
        for o in sorted(since)
    ]


def _area_members(g: GraphView, area: str, day: date) -> Iterator[tuple[str, str]]:
    """(member, building) for the party members (on ``day``) living under ``area``."""
    for b in under(g, area, "Building"):
        for p, _ in sources(g, b, "LIVES_IN", "PartyMember"):
            if member_on_day(g.node(p), day):
                yield p, b


def _person(g: GraphView, item: str, person: str, reason: str, via: str | None, grp: int, sub: int = 0) -> Row:
    n = g.node(person)
    return candidate(item, person, n.get("name"), "person", reason, via, grp, sub, n.get("phone"))


def _org(g: GraphView, item: str, org: str, reason: str, via: str | None, grp: int, sub: int = 0) -> Row:
    return candidate(item, org, g.node(org).get("name"), "org", reason, via, grp, sub)


# ================================================================ MEMBER_ONE_PLUS_ONE

_MEMBER_CORE = AREA_MEMBERS_HOME + MEMBER_STATUS

MEMBER_ONE_PLUS_ONE_COUNT_CYPHER = _MEMBER_CORE + """
RETURN count(p) AS total, count(CASE WHEN status = 'complete' THEN 1 END) AS covered
"""


def member_one_plus_one_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    places = OrgPlaces(g, d)
    flags = []
    for m, _ in _area_members(g, p["area"], d):
        edges = g.out_by_type(m)
        flags.append(member_status(g, m, member_home(g, m, edges, places), d, places, edges).status == "complete")
    return count_row(flags)


MEMBER_ONE_PLUS_ONE_GAPS_CYPHER = _MEMBER_CORE + f"""
WITH * WHERE status <> 'complete'
RETURN p.id AS id, p.name AS name, {status_on('p')} AS political_status, status,
  b.id AS building, e.id AS entrance, c.id AS compound, g.id AS grid, membership, residence,
  COLLECT {{ MATCH (p)-[r:REGISTERED_AT_RESIDENCE]->(:PartyOrg)-[k:COVERS]->(t:Place)
            WHERE {current_on('r')}
              AND {current_on('k')}
            RETURN DISTINCT t.id AS x ORDER BY x }} AS residence_places,
  {org_sides('MEMBER_OF')} AS membership_orgs,
  {org_sides('REGISTERED_AT_RESIDENCE')} AS residence_orgs
ORDER BY id
"""


def member_gap_row(g: GraphView, m: str, home: Home, st: Status, places: OrgPlaces, d: date, edges: Edges) -> Row:
    return {
        "id": m,
        "name": g.node(m).get("name"),
        "political_status": status_on_day(g.node(m), d),
        "status": st.status,
        "building": home.building,
        "entrance": home.entrance,
        "compound": home.compound,
        "grid": home.grid,
        "membership": st.membership,
        "residence": st.residence,
        "residence_places": sorted_ids(t for o in st.residence for t in places(o)),
        "membership_orgs": org_sides_nx(g, edges, "MEMBER_OF", home, d, places),
        "residence_orgs": org_sides_nx(g, edges, "REGISTERED_AT_RESIDENCE", home, d, places),
    }


def member_one_plus_one_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    places = OrgPlaces(g, d)
    rows = []
    for m, _ in _area_members(g, p["area"], d):
        edges = g.out_by_type(m)
        home = member_home(g, m, edges, places)
        st = member_status(g, m, home, d, places, edges)
        if st.status != "complete":
            rows.append(member_gap_row(g, m, home, st, places, d, edges))
    return by_id(rows)


_COVERING_ORG_CANDIDATES = f"""
    MATCH (c)<-[k:COVERS]-(o:PartyOrg)
    WHERE o.level <> 'group' AND {current_on('k')}
    RETURN o.id AS id, o.name AS name, null AS phone, 'org' AS kind, 'covers_home' AS reason,
           c.id AS via, 0 AS grp, 0 AS sub
    UNION ALL
    MATCH (g)<-[k:COVERS]-(o:PartyOrg)
    WHERE o.level <> 'group' AND {current_on('k')}
    RETURN o.id AS id, o.name AS name, null AS phone, 'org' AS kind, 'covers_home' AS reason,
           g.id AS via, 0 AS grp, 1 AS sub
    UNION ALL
    MATCH (b)<-[k:COVERS]-(o:PartyOrg)
    WHERE o.level = 'group' AND {current_on('k')}
    RETURN o.id AS id, o.name AS name, null AS phone, 'org' AS kind, 'group_covers_home' AS reason,
           b.id AS via, 1 AS grp, 0 AS sub
    UNION ALL
    MATCH (e)<-[k:COVERS]-(o:PartyOrg)
    WHERE o.level = 'group' AND {current_on('k')}
    RETURN o.id AS id, o.name AS name, null AS phone, 'org' AS kind, 'group_covers_home' AS reason,
           e.id AS via, 1 AS grp, 1 AS sub
"""

MEMBER_ONE_PLUS_ONE_SUGGEST_CYPHER = (
    """
UNWIND $ids AS item
MATCH (p:Person {id: item})-[:LIVES_IN]->(b:Building)
"""
    + MEMBER_HOME
    + """
CALL (b, c, g, e) {
  CALL (b, c, g, e) {"""
    + _COVERING_ORG_CANDIDATES
    + "  }"
    + SUGGESTION_TAIL
    + """}
RETURN p.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""
)


def covering_org_candidates(g: GraphView, item: str, home: Home, d: date) -> list[Row]:
    """The orgs currently covering a member's home, as suggestion rows (both the indicator and
    the branch views use them)."""
    rows: list[Row] = []
    for place, grp, sub, want_group in (
        (home.compound, 0, 0, False),
        (home.grid, 0, 1, False),
        (home.building, 1, 0, True),
        (home.entrance, 1, 1, True),
    ):
        for o, k in sources(g, place, "COVERS", "PartyOrg"):
            level = g.node(o).get("level")
            if level is None or (level == GROUP) != want_group or not current(k, d):
                continue
            reason = "group_covers_home" if want_group else "covers_home"
            rows.append(_org(g, item, o, reason, place, grp, sub))
    return rows


def member_one_plus_one_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for m in p["ids"]:
        if not g.has_label(m, "Person"):
            continue
        home = member_home(g, m)
        if home.building is None:
            continue
        rows += covering_org_candidates(g, m, home, p["date"])
    return rank_candidates(rows, p["limit"])


#: How well a registered org's coverage matches the home: its compound, grid, building, entrance.
_HOME_ORDER = (("compound", False), ("grid", False), ("building", True), ("entrance", True))


def _home_rank(r: Row, org: Row) -> tuple[int, str | None]:
    """(rank, the home place) of the best home place ``org`` covers; rank 9 when none."""
    is_group = org["level"] == GROUP
    for i, (key, want_group) in enumerate(_HOME_ORDER):
        place = r[key]
        if place is not None and is_group == want_group and org["level"] is not None and place in org["places"]:
            return i, place
    return 9, None


@dataclass(frozen=True)
class Plan:
    """What closing a member's gap takes, read off a gap row (or a card row): the one plan that
    both the explanation and the row's own suggestions are made from."""

    keep: Row | None  # the membership or residence-side org to keep
    keep_via: str | None  # for a kept registration: the home place it covers
    end: tuple[Row, ...]  # the memberships or registrations to end, first the one to end first


def _since_key(org: Row) -> tuple[date, str]:
    return (org["since"] or date.min, org["id"])


def plan_member(r: Row) -> Plan:
    """The plan for a row's status.

    * ``multiple_membership``: keep the latest membership (by ``since``; undated counts as the
      oldest; ties by id), end the others, oldest first: a transfer that was recorded at the
      new branch but not ended at the old one.
    * ``multiple_residence``: keep the registration covering the home best (its compound,
      then grid, building, entrance; ties by id), end the others; none kept when none covers.
    * ``residence_mismatch``: end the registration that does not cover the home.
    """
    status = r["status"]
    if status == "multiple_membership":
        orgs = sorted(r["membership_orgs"], key=_since_key)
        return Plan(orgs[-1], None, tuple(orgs[:-1]))
    if status in ("multiple_residence", "residence_mismatch"):
        ranked = sorted(r["residence_orgs"], key=lambda o: (_home_rank(r, o)[0], o["id"]))
        keep = ranked[0] if ranked and _home_rank(r, ranked[0])[0] < 9 else None
        via = _home_rank(r, keep)[1] if keep is not None else None
        return Plan(keep, via, tuple(o for o in ranked if o is not keep))
    return Plan(None, None, ())


def _org_names(orgs: Iterable[Row]) -> tuple[str, str]:
    """'O-1(名称)、O-2(名称)' and 'O-1 (name), O-2 (name)'."""
    items = list(orgs)
    zh = "、".join(f"{o['id']}({o['name'] or '-'})" for o in items) or "-"
    en = ", ".join(f"{o['id']} ({o['name'] or '-'})" for o in items) or "-"
    return zh, en


def explain_member(r: Row) -> Explanation:
    status = r["status"]
    where = r["compound"] or r["building"] or "-"
    grid = r["grid"] or "-"
    membership = "、".join(r["membership"]) or "-"
    residence = "、".join(r["residence"]) or "-"
    places = "、".join(r["residence_places"]) or "-"
    plan = plan_member(r)
    if status == "complete":
        if not r["residence"]:
            zh = f"党员{r['id']}的组织关系所在党组织{membership}即覆盖其居住地(两者重合)，已纳入“1+1”管理"
            en = f"member {r['id']}: the membership branch {membership} itself covers where they live (the sides coincide)"
        else:
            zh = f"党员{r['id']}组织关系在{membership}，编入居住地党组织{residence}，已纳入“1+1”管理"
            en = f"member {r['id']}: membership in {membership}, residence side {residence}: complete"
    elif status == "missing_membership":
        zh = f"党员{r['id']}没有在册的组织关系(党组织关系所在党支部)，属数据错误，请核实补录"
        en = f"member {r['id']} has no current membership branch at all: a data error to check, not to guess"
    elif status == "multiple_membership":
        both_zh, both_en = _org_names(r["membership_orgs"])
        end_zh, end_en = _org_names(plan.end)
        keep_zh, keep_en = _org_names([plan.keep] if plan.keep is not None else [])
        zh = (
            f"党员{r['id']}同时在{len(r['membership_orgs'])}个党组织有在册组织关系({both_zh})，"
            f"属数据错误(组织关系只能在一个党支部)：请核实，应结束{end_zh}的组织关系，保留{keep_zh}"
        )
        en = (
            f"member {r['id']} holds current memberships in {len(r['membership_orgs'])} orgs at once ({both_en}): "
            f"a data error (a membership sits in exactly one branch); check, then end the one in {end_en} "
            f"and keep {keep_en}"
        )
    elif status == "missing_residence":
        zh = (
            f"党员{r['id']}组织关系在{membership}，居住在小区{where}(网格{grid})，尚未编入居住地党支部，"
            f"应编入覆盖其居住地的党组织"
        )
        en = (
            f"member {r['id']} (membership in {membership}) lives in compound {where} (grid {grid}) "
            f"but is registered with no residence-side branch: register with an org covering where they live"
        )
    elif status == "multiple_residence":
        if plan.keep is not None:
            keep_zh, keep_en = _org_names([plan.keep])
            end_zh, end_en = _org_names(plan.end)
            zh = (
                f"党员{r['id']}同时编入{len(r['residence'])}个居住地党组织({residence})，"
                f"应保留覆盖其居住地{plan.keep_via}的{keep_zh}，结束{end_zh}的登记"
            )
            en = (
                f"member {r['id']} is registered on the residence side with {len(r['residence'])} orgs ({residence}); "
                f"keep {keep_en}, which covers {plan.keep_via} where they live, and end {end_en}"
            )
        else:
            zh = (
                f"党员{r['id']}同时编入{len(r['residence'])}个居住地党组织({residence})，均不覆盖其居住小区{where}"
                f"(网格{grid})：应编入覆盖其居住地的党组织，并结束这些登记"
            )
            en = (
                f"member {r['id']} is registered on the residence side with {len(r['residence'])} orgs ({residence}), "
                f"none covering compound {where} (grid {grid}) where they live: register with an org that does "
                f"and end these"
            )
    else:
        zh = (
            f"党员{r['id']}编入的居住地党组织{residence}覆盖{places}，但其居住在小区{where}(网格{grid})：已搬迁或登记有误，"
            f"应编入覆盖其居住地的党组织，并结束在{residence}的登记"
        )
        en = (
            f"member {r['id']} is registered with {residence}, which covers {places}, but lives in "
            f"compound {where} (grid {grid}): moved, or registered in the wrong place; register with an org "
            f"covering where they live and end the registration with {residence}"
        )
    return Explanation(status, zh, en)


def _needs_covering_org(r: Row) -> bool:
    """Whether a gap is closed by registering with an org covering the home (the ``suggest``
    query's candidates): no registration, a wrong one, or several of which none covers."""
    status = r["status"]
    if status in ("missing_residence", "residence_mismatch"):
        return True
    return status == "multiple_residence" and plan_member(r).keep is None


def _plan_suggestions(r: Row) -> list[Row]:
    """The suggestions read off the plan, after any covering orgs (``_needs_covering_org``)."""
    status = r["status"]
    plan = plan_member(r)
    rows: list[Row] = []
    if status == "multiple_membership":
        keep = plan.keep["id"] if plan.keep is not None else None
        rows += [candidate(r["id"], o["id"], o["name"], "org", "end_membership", keep, 0, i) for i, o in enumerate(plan.end)]
    elif status in ("multiple_residence", "residence_mismatch"):
        if plan.keep is not None:
            rows.append(candidate(r["id"], plan.keep["id"], plan.keep["name"], "org", "keep_residence", plan.keep_via, 0))
            reason, via = "end_residence", plan.keep["id"]
        else:
            reason, via = "end_residence_elsewhere", None
        rows += [candidate(r["id"], o["id"], o["name"], "org", reason, via, 1, i) for i, o in enumerate(plan.end)]
    return rows


MEMBER_ONE_PLUS_ONE = Indicator(
    id="MEMBER_ONE_PLUS_ONE",
    title_zh="每名党员均纳入“1+1”党支部规范管理",
    title_en='every member under "1+1" management',
    unit_zh="党员",
    unit_en="members",
    item_kind="Person",
    rule_zh="党员有组织关系所在党支部，且编入覆盖其居住小区(网格)或楼栋(单元，党小组)的居住地党组织",
    rule_en="the member has a membership branch and a residence-side branch that covers where they live "
    "(their compound or its grid; for a party group, their building or entrance)",
    count=Query("indicator.MEMBER_ONE_PLUS_ONE.count", MEMBER_ONE_PLUS_ONE_COUNT_CYPHER, member_one_plus_one_count_nx),
    gaps=Query("indicator.MEMBER_ONE_PLUS_ONE.gaps", MEMBER_ONE_PLUS_ONE_GAPS_CYPHER, member_one_plus_one_gaps_nx),
    suggest=Query(
        "indicator.MEMBER_ONE_PLUS_ONE.suggest", MEMBER_ONE_PLUS_ONE_SUGGEST_CYPHER, member_one_plus_one_suggest_nx
    ),
    suggest_for=_needs_covering_org,
    row_suggestions=_plan_suggestions,
    explain=explain_member,
    personal_items=True,
    anchor="Building",
)

# ================================================================ DUAL_REPORTING_MEMBERS

#: The community is found once per building (three levels up: compound, grid, community),
#: then its residents are expanded: walking up per member took twice as long.
_DUAL_MEMBERS_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Building']}]-(b:Building)
OPTIONAL MATCH (b)-[:PART_OF*1..3]->(m:Community)
WITH b, m
MATCH (b)<-[:LIVES_IN]-(p:PartyMember)
WHERE p.in_service = true AND {member_on('p')}
WITH p, m, EXISTS {{
  MATCH (p)-[r:REPORTED_TO]->(m)
  WHERE {current_on('r')}
}} AS covered
"""


def _reported_to(g: GraphView, reporter: str, d: date) -> list[str]:
    return sorted_ids(x for x, r in targets(g, reporter, "REPORTED_TO", "Community") if current(r, d))


def _in_service_members(g: GraphView, area: str, day: date) -> Iterator[tuple[str, str | None]]:
    """(in-service member on ``day``, the community where they live)."""
    communities: dict[str, str | None] = {}
    for m, b in _area_members(g, area, day):
        if g.node(m).get("in_service") is True:
            if b not in communities:
                communities[b] = up(g, b, "Community")
            yield m, communities[b]


DUAL_REPORTING_MEMBERS_COUNT_CYPHER = _DUAL_MEMBERS_CORE + """
RETURN count(p) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def dual_reporting_members_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    return count_row(
        community is not None and community in _reported_to(g, m, d) for m, community in _in_service_members(g, p["area"], d)
    )


DUAL_REPORTING_MEMBERS_GAPS_CYPHER = _DUAL_MEMBERS_CORE + f"""
WITH p, m WHERE NOT covered
WITH p, m, COLLECT {{ MATCH (p)-[r:REPORTED_TO]->(x:Community)
                     WHERE {current_on('r')}
                     RETURN DISTINCT x.id AS y ORDER BY y }} AS reported_to
RETURN p.id AS id, p.name AS name, m.id AS community, m.name AS community_name, reported_to,
  CASE WHEN size(reported_to) = 0 THEN 'not_reported' ELSE 'reported_elsewhere' END AS status,
  COLLECT {{ MATCH (p)-[:WORKS_AT]->(w) RETURN w.id AS x ORDER BY x }} AS employers
ORDER BY id
"""


def dual_reporting_members_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for m, community in _in_service_members(g, p["area"], d):
        reported = _reported_to(g, m, d)
        if community is not None and community in reported:
            continue
        rows.append(
            {
                "id": m,
                "name": g.node(m).get("name"),
                "community": community,
                "community_name": prop(g, community, "name"),
                "reported_to": reported,
                "status": "reported_elsewhere" if reported else "not_reported",
                "employers": sorted(w for w, _ in g.out(m, "WORKS_AT")),
            }
        )
    return by_id(rows)


def _explain_dual_member(r: Row) -> Explanation:
    where = r["community"] or "-"
    if r["status"] == "not_reported":
        return Explanation(
            "not_reported",
            f"在职党员{r['id']}居住在社区{where}，尚未向居住地社区报到",
            f"in-service member {r['id']} lives in community {where} and has not reported there",
        )
    elsewhere = "、".join(r["reported_to"])
    return Explanation(
        "reported_elsewhere",
        f"在职党员{r['id']}居住在社区{where}，但报到在{elsewhere}",
        f"in-service member {r['id']} lives in community {where} but reports to {', '.join(r['reported_to'])}",
    )


def _home_community(r: Row) -> list[Row]:
    if r["community"] is None:
        return []
    return [candidate(r["id"], r["community"], r["community_name"], "community", "home_community", None, 0)]


DUAL_REPORTING_MEMBERS = Indicator(
    id="DUAL_REPORTING_MEMBERS",
    title_zh="在职党员到居住地社区报到(双报到)",
    title_en="every in-service member has reported to the community where they live",
    unit_zh="在职党员",
    unit_en="in-service members",
    item_kind="Person",
    rule_zh="在职党员当前已向其居住地社区报到",
    rule_en="a current report to the community where the member lives",
    count=Query(
        "indicator.DUAL_REPORTING_MEMBERS.count", DUAL_REPORTING_MEMBERS_COUNT_CYPHER, dual_reporting_members_count_nx
    ),
    gaps=Query(
        "indicator.DUAL_REPORTING_MEMBERS.gaps", DUAL_REPORTING_MEMBERS_GAPS_CYPHER, dual_reporting_members_gaps_nx
    ),
    row_suggestions=_home_community,
    explain=_explain_dual_member,
    personal_items=True,
    anchor="Building",
)

# ================================================================ DUAL_REPORTING_ORGS

_DUAL_ORGS_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Community']}]-(:Community)<-[:LOCATED_IN]-(u:Employer)<-[r:COVERS]-(o:PartyOrg)
WHERE o.level <> 'group' AND {current_on('r')}
  AND NOT EXISTS {{
    MATCH (o)-[:SUBORDINATE_TO]->(:PartyOrg)-[k:COVERS]->(u)
    WHERE {current_on('k')}
  }}
WITH DISTINCT o
WITH o, EXISTS {{
  MATCH (o)-[r:REPORTED_TO]->(:Community)<-[:LOCATED_IN]-(:Employer)<-[k:COVERS]-(o)
  WHERE {current_on('r')}
    AND {current_on('k')}
}} AS covered
"""


def _employers(g: GraphView, org: str, d: date) -> list[str]:
    return sorted_ids(u for u, k in targets(g, org, "COVERS", "Employer") if current(k, d))


def _employer_orgs(g: GraphView, area: str, d: date) -> list[str]:
    """Employer party orgs located under ``area``: orgs (not groups) currently covering an employer
    located there, unless their parent org also covers that employer (the top org reports)."""
    orgs: set[str] = set()
    for m in under(g, area, "Community"):
        for u, _ in sources(g, m, "LOCATED_IN", "Employer"):
            for o, r in sources(g, u, "COVERS", "PartyOrg"):
                if g.node(o).get("level") in (None, GROUP) or not current(r, d):
                    continue
                parents = [x for x, _ in targets(g, o, "SUBORDINATE_TO", "PartyOrg")]
                if any(t == u and current(k, d) for x in parents for t, k in g.out(x, "COVERS")):
                    continue
                orgs.add(o)
    return sorted(orgs)


def _org_communities(g: GraphView, org: str, d: date) -> list[str]:
    return sorted_ids(
        m for u in _employers(g, org, d) for m, _ in targets(g, u, "LOCATED_IN", "Community")
    )


DUAL_REPORTING_ORGS_COUNT_CYPHER = _DUAL_ORGS_CORE + """
RETURN count(o) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def dual_reporting_orgs_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    return count_row(
        bool(set(_reported_to(g, o, d)) & set(_org_communities(g, o, d))) for o in _employer_orgs(g, p["area"], d)
    )


DUAL_REPORTING_ORGS_GAPS_CYPHER = _DUAL_ORGS_CORE + f"""
WITH o WHERE NOT covered
WITH o,
  COLLECT {{ MATCH (o)-[k:COVERS]->(u:Employer)
            WHERE {current_on('k')}
            RETURN DISTINCT u.id AS x ORDER BY x }} AS employers,
  COLLECT {{ MATCH (o)-[k:COVERS]->(:Employer)-[:LOCATED_IN]->(m:Community)
            WHERE {current_on('k')}
            WITH DISTINCT m ORDER BY m.id RETURN m.id }} AS communities,
  COLLECT {{ MATCH (o)-[k:COVERS]->(:Employer)-[:LOCATED_IN]->(m:Community)
            WHERE {current_on('k')}
            WITH DISTINCT m ORDER BY m.id RETURN m.name }} AS community_names,
  COLLECT {{ MATCH (o)-[r:REPORTED_TO]->(x:Community)
            WHERE {current_on('r')}
            RETURN DISTINCT x.id AS y ORDER BY y }} AS reported_to
RETURN o.id AS id, o.name AS name, employers, communities, community_names, reported_to,
  CASE WHEN size(reported_to) = 0 THEN 'not_reported' ELSE 'reported_elsewhere' END AS status
ORDER BY id
"""


def dual_reporting_orgs_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for o in _employer_orgs(g, p["area"], d):
        communities = _org_communities(g, o, d)
        reported = _reported_to(g, o, d)
        if set(reported) & set(communities):
            continue
        rows.append(
            {
                "id": o,
                "name": g.node(o).get("name"),
                "employers": _employers(g, o, d),
                "communities": communities,
                "community_names": [g.node(m).get("name") for m in communities],
                "reported_to": reported,
                "status": "reported_elsewhere" if reported else "not_reported",
            }
        )
    return by_id(rows)


def _explain_dual_org(r: Row) -> Explanation:
    employers = "、".join(r["employers"]) or "-"
    where = "、".join(r["communities"]) or "-"
    if r["status"] == "not_reported":
        return Explanation(
            "not_reported",
            f"单位{employers}的党组织{r['id']}尚未向单位所在社区{where}报到",
            f"the party org {r['id']} of employer {', '.join(r['employers']) or '-'} has not reported to "
            f"{', '.join(r['communities']) or '-'}, where the employer is located",
        )
    return Explanation(
        "reported_elsewhere",
        f"单位{employers}的党组织{r['id']}报到在{'、'.join(r['reported_to'])}，而单位位于社区{where}",
        f"the party org {r['id']} reports to {', '.join(r['reported_to'])}, but its employer "
        f"{', '.join(r['employers']) or '-'} is located in {', '.join(r['communities']) or '-'}",
    )


def _employer_communities(r: Row) -> list[Row]:
    return [
        candidate(r["id"], m, name, "community", "employer_community", None, 0)
        for m, name in zip(r["communities"], r["community_names"], strict=True)
    ]


DUAL_REPORTING_ORGS = Indicator(
    id="DUAL_REPORTING_ORGS",
    title_zh="机关企事业单位党组织到所在社区报到(双报到)",
    title_en="every employer party org has reported to the community where it is located",
    unit_zh="单位党组织",
    unit_en="employer party orgs",
    item_kind="PartyOrg",
    rule_zh="单位党组织当前已向单位所在社区报到",
    rule_en="a current report to the community where the employer is located",
    count=Query("indicator.DUAL_REPORTING_ORGS.count", DUAL_REPORTING_ORGS_COUNT_CYPHER, dual_reporting_orgs_count_nx),
    gaps=Query("indicator.DUAL_REPORTING_ORGS.gaps", DUAL_REPORTING_ORGS_GAPS_CYPHER, dual_reporting_orgs_gaps_nx),
    row_suggestions=_employer_communities,
    explain=_explain_dual_org,
    anchor=None,  # an org's employers can lie in several child areas: counted once, not summed
)

INDICATORS = (MEMBER_ONE_PLUS_ONE, DUAL_REPORTING_MEMBERS, DUAL_REPORTING_ORGS)

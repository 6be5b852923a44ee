"""Indicators about members and employer orgs: MEMBER_ONE_PLUS_ONE, DUAL_REPORTING_MEMBERS,
DUAL_REPORTING_ORGS. The member's 1+1 status is computed here once per side (``MEMBER_HOME``
and ``MEMBER_STATUS`` on the Cypher side, ``member_status`` on the networkx side) and reused
by ``queries/one_plus_one.py``.

1+1 status of a member on a day (first that applies):

* ``missing_membership``: no current membership (MEMBER_OF) at all: a data error to report;
* ``complete`` when no residence-side registration is recorded but a membership branch itself
  covers where they live (DOMAIN.md: for a retired member the two sides may coincide);
* ``missing_residence``: no current residence-side registration;
* ``multiple_residence``: more than one current residence-side registration;
* ``residence_mismatch``: the one registered org does not cover where they live;
* ``complete`` otherwise.

An org "covers where a member lives" when it currently covers their compound or its grid, or,
for a party group, their building or entrance.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.query import Query, Row
from queries.common import (
    GROUP,
    SUGGESTION_TAIL,
    Edges,
    by_id,
    candidate,
    count_row,
    current,
    current_on,
    parent,
    prop,
    rank_candidates,
    sorted_ids,
    sources,
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
MATCH (:Place {{id: $area}})<-[:PART_OF*0..6]-(b:Building)
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
    elif not residence:
        status = "complete" if membership_home else "missing_residence"
    elif len(residence) > 1:
        status = "multiple_residence"
    elif not residence_home:
        status = "residence_mismatch"
    else:
        status = "complete"
    return Status(membership, residence, residence_home, membership_home, status)


def _area_members(g: GraphView, area: str) -> Iterator[tuple[str, str]]:
    """(member, building) for the party members living under ``area``."""
    for b in under(g, area, "Building"):
        for p, _ in sources(g, b, "LIVES_IN", "PartyMember"):
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
    for m, _ in _area_members(g, p["area"]):
        edges = g.out_by_type(m)
        flags.append(member_status(g, m, member_home(g, m, edges, places), d, places, edges).status == "complete")
    return count_row(flags)


MEMBER_ONE_PLUS_ONE_GAPS_CYPHER = _MEMBER_CORE + f"""
WITH * WHERE status <> 'complete'
RETURN p.id AS id, p.name AS name, p.political_status AS political_status, status,
  b.id AS building, e.id AS entrance, c.id AS compound, g.id AS grid, membership, residence,
  COLLECT {{ MATCH (p)-[r:REGISTERED_AT_RESIDENCE]->(:PartyOrg)-[k:COVERS]->(t:Place)
            WHERE {current_on('r')}
              AND {current_on('k')}
            RETURN DISTINCT t.id AS x ORDER BY x }} AS residence_places
ORDER BY id
"""


def member_gap_row(g: GraphView, m: str, home: Home, st: Status, places: OrgPlaces) -> Row:
    return {
        "id": m,
        "name": g.node(m).get("name"),
        "political_status": g.node(m).get("political_status"),
        "status": st.status,
        "building": home.building,
        "entrance": home.entrance,
        "compound": home.compound,
        "grid": home.grid,
        "membership": st.membership,
        "residence": st.residence,
        "residence_places": sorted_ids(t for o in st.residence for t in places(o)),
    }


def member_one_plus_one_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    places = OrgPlaces(g, d)
    rows = []
    for m, _ in _area_members(g, p["area"]):
        edges = g.out_by_type(m)
        home = member_home(g, m, edges, places)
        st = member_status(g, m, home, d, places, edges)
        if st.status != "complete":
            rows.append(member_gap_row(g, m, home, st, places))
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


def explain_member(r: Row) -> Explanation:
    status = r["status"]
    where = r["compound"] or r["building"] or "-"
    grid = r["grid"] or "-"
    membership = "、".join(r["membership"]) or "-"
    residence = "、".join(r["residence"]) or "-"
    places = "、".join(r["residence_places"]) or "-"
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
    elif status == "missing_residence":
        zh = f"党员{r['id']}组织关系在{membership}，居住在小区{where}(网格{grid})，尚未编入居住地党支部"
        en = (
            f"member {r['id']} (membership in {membership}) lives in compound {where} (grid {grid}) "
            f"but is registered with no residence-side branch"
        )
    elif status == "multiple_residence":
        zh = f"党员{r['id']}同时编入{len(r['residence'])}个居住地党组织({residence})，应只保留覆盖其居住小区{where}的一个"
        en = (
            f"member {r['id']} is registered on the residence side with {len(r['residence'])} orgs ({residence}); "
            f"keep only the one covering compound {where}"
        )
    else:
        zh = f"党员{r['id']}编入的居住地党组织{residence}覆盖{places}，但其居住在小区{where}(网格{grid})：已搬迁或登记有误"
        en = (
            f"member {r['id']} is registered with {residence}, which covers {places}, but lives in "
            f"compound {where} (grid {grid}): moved, or registered in the wrong place"
        )
    return Explanation(status, zh, en)


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
    suggest_for=lambda r: r["status"] != "missing_membership",
    explain=explain_member,
    personal_items=True,
    anchor="Building",
)

# ================================================================ DUAL_REPORTING_MEMBERS

#: The community is found once per building (three levels up: compound, grid, community),
#: then its residents are expanded: walking up per member took twice as long.
_DUAL_MEMBERS_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..6]-(b:Building)
OPTIONAL MATCH (b)-[:PART_OF*1..3]->(m:Community)
WITH b, m
MATCH (b)<-[:LIVES_IN]-(p:PartyMember)
WHERE p.in_service = true
WITH p, m, EXISTS {{
  MATCH (p)-[r:REPORTED_TO]->(m)
  WHERE {current_on('r')}
}} AS covered
"""


def _reported_to(g: GraphView, reporter: str, d: date) -> list[str]:
    return sorted_ids(x for x, r in targets(g, reporter, "REPORTED_TO", "Community") if current(r, d))


def _in_service_members(g: GraphView, area: str) -> Iterator[tuple[str, str | None]]:
    """(in-service member, the community where they live)."""
    communities: dict[str, str | None] = {}
    for m, b in _area_members(g, area):
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
        community is not None and community in _reported_to(g, m, d) for m, community in _in_service_members(g, p["area"])
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
    for m, community in _in_service_members(g, p["area"]):
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
MATCH (:Place {{id: $area}})<-[:PART_OF*0..3]-(:Community)<-[:LOCATED_IN]-(u:Employer)<-[r:COVERS]-(o:PartyOrg)
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

"""The lists of an area, with the counts they are filtered and sorted by.

Each list is one registered query (params: ``area``, ``date``) returning, for every item
in the area, the full node with its anchors (to prime the node loader) and the counts and
flags of the API's filters ("has no party group", "has no party org") and sorts. Filtering,
sorting and paging happen in ``api/graphql/listing.py`` after the jurisdiction check, so that
``totalCount`` counts only what the user may see. A column that counts things which may lie
outside the user's area (a firm's compounds and staff, a member's branches, an org's members
and what it covers) is returned as the sorted list of their ids (marked ``[ids]`` below):
``listing.py`` counts the ones the user may see, so no filter or sort counts the unseen.

* buildings: ``members``, ``full_members``, ``entrances``, ``party_groups`` (groups covering
  the building or one of its entrances), ``has_party_group`` and ``has_head`` as the
  BUILDING_GROUP and BUILDING_HEAD indicators define them;
* compounds: ``buildings``, ``members``, ``branches`` (branches or general branches covering
  it or its grid), ``firms`` (current service contracts), ``has_owners_committee``;
* firms (serving a compound of the area on the day): ``party_orgs``, ``compounds`` [ids],
  ``members`` [ids], ``full_members`` [ids] (party members working there);
* members (living in the area): ``full``, ``in_service``, ``memberships`` [ids], ``residence`` [ids];
* party orgs (anchored in the area): ``level``, ``members`` [ids], ``covers`` [ids].
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from api.graphql.reads.anchors import anchors_cypher, anchors_nx
from api.graphql.reads.nodes import node_row
from graph.query import Query, Row
from queries.common import (
    BRANCH_LEVELS,
    DEPTH,
    current,
    current_on,
    full_on,
    full_on_day,
    member_on,
    member_on_day,
    under,
)

if TYPE_CHECKING:
    from graph.embedded import GraphView

CURRENT = current_on("r")
#: Party status on ``$date`` (``queries.common``): who had joined by then, who was full then.
MEMBER_ON, FULL_ON = member_on("p"), full_on("p")


def _node(var: str, label: str) -> str:
    return (
        f"{var}.id AS id, COLLECT {{ UNWIND labels({var}) AS l RETURN l ORDER BY l }} AS labels, "
        f"properties({var}) AS props, {anchors_cypher(var, label)} AS anchors"
    )


def _src(g: GraphView, node: str, rel: str, label: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for s, r in g.into(node, rel):
        if g.has_label(s, label):
            yield s, r


def _members(g: GraphView, building: str, d: date) -> list[str]:
    return [p for p, _ in _src(g, building, "LIVES_IN", "PartyMember") if member_on_day(g.node(p), d)]


def _entrances(g: GraphView, building: str) -> list[str]:
    return [e for e, _ in _src(g, building, "PART_OF", "Entrance")]


# ================================================================ buildings

_GROUP_ON = "o.level = 'group' AND " + CURRENT

BUILDINGS_CYPHER = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Building']}]-(b:Building)
RETURN {_node("b", "Building")},
  COUNT {{ MATCH (b)<-[:LIVES_IN]-(p:PartyMember) WHERE {MEMBER_ON} }} AS members,
  COUNT {{ MATCH (b)<-[:LIVES_IN]-(p:PartyMember) WHERE {FULL_ON} }} AS full_members,
  COUNT {{ MATCH (b)<-[:PART_OF]-(:Entrance) }} AS entrances,
  size(COLLECT {{ MATCH (b)<-[:PART_OF*0..1]-(:Place)<-[r:COVERS]-(o:PartyOrg) WHERE {_GROUP_ON}
                  RETURN DISTINCT o.id AS x }}) AS party_groups,
  EXISTS {{ MATCH (b)<-[r:COVERS]-(o:PartyOrg) WHERE {_GROUP_ON} }}
    OR (EXISTS {{ MATCH (b)<-[:PART_OF]-(:Entrance) }}
        AND NOT EXISTS {{ MATCH (b)<-[:PART_OF]-(e:Entrance)
                          WHERE NOT EXISTS {{ MATCH (e)<-[r:COVERS]-(o:PartyOrg) WHERE {_GROUP_ON} }} }}) AS has_party_group,
  EXISTS {{ MATCH (b)<-[r:HOLDS_ROLE]-(:Person) WHERE r.role = 'building_head' AND {CURRENT} }}
    OR (EXISTS {{ MATCH (b)<-[:PART_OF]-(:Entrance) }}
        AND NOT EXISTS {{ MATCH (b)<-[:PART_OF]-(e:Entrance)
                          WHERE NOT EXISTS {{ MATCH (e)<-[r:HOLDS_ROLE]-(:Person)
                                              WHERE r.role = 'entrance_head' AND {CURRENT} }} }}) AS has_head
ORDER BY id
"""


def _groups(g: GraphView, place: str, d: date) -> set[str]:
    return {o for o, r in _src(g, place, "COVERS", "PartyOrg") if g.node(o).get("level") == "group" and current(r, d)}


def _has_role(g: GraphView, place: str, role: str, d: date) -> bool:
    return any(r.get("role") == role and current(r, d) for _, r in _src(g, place, "HOLDS_ROLE", "Person"))


def buildings_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for b in sorted(under(g, p["area"], "Building")):
        members = _members(g, b, d)
        entrances = _entrances(g, b)
        own = _groups(g, b, d)
        per_entrance = [_groups(g, e, d) for e in entrances]
        rows.append(
            {
                **node_row(g, b),
                "members": len(members),
                "full_members": sum(1 for m in members if full_on_day(g.node(m), d)),
                "entrances": len(entrances),
                "party_groups": len(own.union(*per_entrance)),
                "has_party_group": bool(own) or (bool(entrances) and all(per_entrance)),
                "has_head": _has_role(g, b, "building_head", d)
                or (bool(entrances) and all(_has_role(g, e, "entrance_head", d) for e in entrances)),
            }
        )
    return rows


BUILDINGS = Query("api.list.buildings", BUILDINGS_CYPHER, buildings_nx, doc="params: area, date")

# ================================================================ compounds

COMPOUNDS_CYPHER = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Compound']}]-(c:Compound)
RETURN {_node("c", "Compound")},
  COUNT {{ MATCH (c)<-[:PART_OF]-(:Building) }} AS buildings,
  COUNT {{ MATCH (c)<-[:PART_OF]-(:Building)<-[:LIVES_IN]-(p:PartyMember) WHERE {MEMBER_ON} }} AS members,
  size(COLLECT {{ MATCH (c)-[:PART_OF*0..1]->(t:Place)<-[r:COVERS]-(o:PartyOrg)
                  WHERE (t = c OR t:Grid) AND o.level IN ['branch', 'general_branch'] AND {CURRENT}
                  RETURN DISTINCT o.id AS x }}) AS branches,
  size(COLLECT {{ MATCH (c)<-[r:SERVES]-(f:PropertyFirm) WHERE {CURRENT} RETURN DISTINCT f.id AS x }}) AS firms,
  EXISTS {{ MATCH (c)<-[:BELONGS_TO]-(r:OwnersCommittee) WHERE {CURRENT} }} AS has_owners_committee
ORDER BY id
"""


def compounds_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for c in sorted(under(g, p["area"], "Compound")):
        buildings = [b for b, _ in _src(g, c, "PART_OF", "Building")]
        up = [t for t, _ in g.out(c, "PART_OF") if g.has_label(t, "Grid")]  # not a grid-less compound's community
        branches = {
            o
            for t in [c, *up]
            for o, r in _src(g, t, "COVERS", "PartyOrg")
            if g.node(o).get("level") in BRANCH_LEVELS and current(r, d)
        }
        rows.append(
            {
                **node_row(g, c),
                "buildings": len(buildings),
                "members": sum(len(_members(g, b, d)) for b in buildings),
                "branches": len(branches),
                "firms": len({f for f, r in _src(g, c, "SERVES", "PropertyFirm") if current(r, d)}),
                "has_owners_committee": any(
                    current(g.node(k), d) for k, _ in _src(g, c, "BELONGS_TO", "OwnersCommittee")
                ),
            }
        )
    return rows


COMPOUNDS = Query("api.list.compounds", COMPOUNDS_CYPHER, compounds_nx, doc="params: area, date")

# ================================================================ firms

FIRMS_CYPHER = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Compound']}]-(:Compound)<-[r:SERVES]-(f:PropertyFirm)
WHERE {CURRENT}
WITH DISTINCT f
RETURN {_node("f", "PropertyFirm")},
  size(COLLECT {{ MATCH (f)<-[r:COVERS]-(o:PartyOrg) WHERE {CURRENT} RETURN DISTINCT o.id AS x }}) AS party_orgs,
  COLLECT {{ MATCH (f)-[r:SERVES]->(c:Compound) WHERE {CURRENT} RETURN DISTINCT c.id AS x ORDER BY x }} AS compounds,
  COLLECT {{ MATCH (f)<-[:WORKS_AT]-(p:PartyMember) WHERE {MEMBER_ON} RETURN DISTINCT p.id AS x ORDER BY x }}
    AS members,
  COLLECT {{ MATCH (f)<-[:WORKS_AT]-(p:PartyMember) WHERE {FULL_ON}
             RETURN DISTINCT p.id AS x ORDER BY x }} AS full_members
ORDER BY id
"""


def firms_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    firms = {f for c in under(g, p["area"], "Compound") for f, r in _src(g, c, "SERVES", "PropertyFirm") if current(r, d)}
    rows = []
    for f in sorted(firms):
        staff = [x for x, _ in _src(g, f, "WORKS_AT", "PartyMember") if member_on_day(g.node(x), d)]
        rows.append(
            {
                **node_row(g, f),
                "party_orgs": len({o for o, r in _src(g, f, "COVERS", "PartyOrg") if current(r, d)}),
                "compounds": sorted({c for c, r in g.out(f, "SERVES") if g.has_label(c, "Compound") and current(r, d)}),
                "members": sorted(set(staff)),
                "full_members": sorted({x for x in staff if full_on_day(g.node(x), d)}),
            }
        )
    return rows


FIRMS = Query("api.list.firms", FIRMS_CYPHER, firms_nx, doc="params: area, date")

# ================================================================ members

MEMBERS_CYPHER = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Building']}]-(:Building)<-[:LIVES_IN]-(p:PartyMember)
WHERE {MEMBER_ON}
WITH DISTINCT p
RETURN {_node("p", "PartyMember")},
  {FULL_ON} AS full, coalesce(p.in_service, false) AS in_service,
  COLLECT {{ MATCH (p)-[r:MEMBER_OF]->(o:PartyOrg) WHERE {CURRENT} RETURN DISTINCT o.id AS x ORDER BY x }} AS memberships,
  COLLECT {{ MATCH (p)-[r:REGISTERED_AT_RESIDENCE]->(o:PartyOrg) WHERE {CURRENT} RETURN DISTINCT o.id AS x ORDER BY x }}
    AS residence
ORDER BY id
"""


def members_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    people = {x for b in under(g, p["area"], "Building") for x in _members(g, b, d)}
    rows = []
    for x in sorted(people):
        n = g.node(x)
        rows.append(
            {
                **node_row(g, x),
                "full": full_on_day(n, d),
                "in_service": bool(n.get("in_service") or False),
                "memberships": sorted(
                    {o for o, r in g.out(x, "MEMBER_OF") if g.has_label(o, "PartyOrg") and current(r, d)}
                ),
                "residence": sorted(
                    {o for o, r in g.out(x, "REGISTERED_AT_RESIDENCE") if g.has_label(o, "PartyOrg") and current(r, d)}
                ),
            }
        )
    return rows


MEMBERS = Query("api.list.members", MEMBERS_CYPHER, members_nx, doc="params: area, date")

# ================================================================ party orgs

ORGS_CYPHER = f"""
MATCH (a:Place {{id: $area}})
CALL (a) {{
  MATCH (a)<-[:PART_OF*0..7]-(:Place)<-[:COVERS]-(o:PartyOrg) RETURN o
  UNION MATCH (a)<-[:PART_OF*0..{DEPTH['Community']}]-(:Community)<-[:LOCATED_IN]-(:Employer)<-[:COVERS]-(o:PartyOrg) RETURN o
  UNION MATCH (a)<-[:PART_OF*0..{DEPTH['Compound']}]-(:Compound)<-[:SERVES]-(:PropertyFirm)<-[:COVERS]-(o:PartyOrg) RETURN o
  UNION MATCH (a)<-[:PART_OF*0..{DEPTH['Building']}]-(:Building)<-[:LIVES_IN]-(:Person)-[:MEMBER_OF]->(o:PartyOrg)
        WHERE NOT EXISTS {{ MATCH (o)-[:COVERS]->() }} RETURN o
}}
RETURN {_node("o", "PartyOrg")}, o.level AS level,
  COLLECT {{ MATCH (o)<-[r:MEMBER_OF]-(p:Person) WHERE {CURRENT} RETURN DISTINCT p.id AS x ORDER BY x }} AS members,
  COLLECT {{ MATCH (o)-[r:COVERS]->(t) WHERE {CURRENT} RETURN DISTINCT t.id AS x ORDER BY x }} AS covers
ORDER BY id
"""


def orgs_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    area = p["area"]
    if not g.has(area) or not g.has_label(area, "Place"):
        return []
    places = set(under(g, area, "Building")) | set(under(g, area, "Compound"))
    for label in ("Province", "City", "District", "Subdistrict", "Community", "Grid", "Entrance"):
        places |= set(under(g, area, label))
    orgs = set()
    for o in g.ids("PartyOrg"):
        anchors = anchors_nx(g, o)
        if any(a in places for a in anchors):
            orgs.add(o)
    rows = []
    for o in sorted(orgs):
        rows.append(
            {
                **node_row(g, o),
                "level": g.node(o).get("level"),
                "members": sorted({x for x, r in _src(g, o, "MEMBER_OF", "Person") if current(r, d)}),
                "covers": sorted({t for t, r in g.out(o, "COVERS") if current(r, d)}),
            }
        )
    return rows


ORGS = Query("api.list.orgs", ORGS_CYPHER, orgs_nx, doc="params: area, date")

QUERIES = (BUILDINGS, COMPOUNDS, FIRMS, MEMBERS, ORGS)

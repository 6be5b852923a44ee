"""Indicators about places: COMPOUND_BRANCH, BUILDING_GROUP, BUILDING_HEAD, COMPOUND_LIAISON,
COMMUNITY_RED_STATION. Each query is a Cypher constant right above its networkx twin."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.query import Query, Row
from queries.common import (
    BRANCH_LEVELS,
    DEPTH,
    FULL_ON,
    GROUP,
    MEMBER_ON,
    MIN_FULL_MEMBERS,
    SUGGESTION_TAIL,
    by_id,
    candidate,
    compound_residents,
    count_row,
    current,
    full,
    parent,
    rank_candidates,
    residents,
    sorted_ids,
    sources,
    started,
    targets,
    under,
    up,
)
from queries.indicators.spec import Explanation, Indicator, count_en

if TYPE_CHECKING:
    from graph.embedded import GraphView


def _branch_orgs(g: GraphView, place: str | None, d: date) -> Iterator[str]:
    """Branch-level orgs currently covering ``place``."""
    for o, r in sources(g, place, "COVERS", "PartyOrg"):
        if g.node(o).get("level") in BRANCH_LEVELS and current(r, d):
            yield o


def _group_orgs(g: GraphView, place: str | None, d: date) -> Iterator[str]:
    for o, r in sources(g, place, "COVERS", "PartyOrg"):
        if g.node(o).get("level") == GROUP and current(r, d):
            yield o


def _has_role(g: GraphView, place: str | None, role: str, d: date) -> bool:
    return any(r.get("role") == role and current(r, d) for _, r in sources(g, place, "HOLDS_ROLE", "Person"))


def _entrances(g: GraphView, building: str) -> list[str]:
    return [e for e, _ in sources(g, building, "PART_OF", "Entrance")]


def _self_and_grid(g: GraphView, compound: str) -> list[str]:
    """The compound and its grid (``c`` and ``(c)-[:PART_OF]->(:Grid)``). A compound with no grid
    lies directly under its community, whose own orgs and liaisons do not count for it."""
    grid = parent(g, compound, "Grid")
    return [compound] if grid is None else [compound, grid]


def _community_patches(g: GraphView, community: str | None) -> list[str]:
    """The grids and compounds of a community: ``(m)<-[:PART_OF*1..2]-(t) WHERE t:Grid OR t:Compound``."""
    if community is None:
        return []
    return under(g, community, "Grid") + under(g, community, "Compound")


def _person(g: GraphView, item: str, person: str, reason: str, via: str | None, grp: int, sub: int = 0) -> Row:
    n = g.node(person)
    return candidate(item, person, n.get("name"), "person", reason, via, grp, sub, n.get("phone"))


def _org(g: GraphView, item: str, org: str, reason: str, via: str | None, grp: int, sub: int = 0) -> Row:
    return candidate(item, org, g.node(org).get("name"), "org", reason, via, grp, sub)


def _full_suffix_zh(full_members: int, unit: str) -> str:
    if full_members >= MIN_FULL_MEMBERS:
        return f"，已满{MIN_FULL_MEMBERS}名，可单独成立{unit}"
    return f"，不足{MIN_FULL_MEMBERS}名，可与相邻{'楼栋' if unit == '党小组' else '小区(网格)'}联合组建或由已有组织延伸覆盖"


def _lives(n: int, noun: str = "member") -> str:
    """``1 member lives here`` / ``3 members live here``."""
    return f"{count_en(n, noun)} {'lives' if n == 1 else 'live'} here"


def _have(n: int) -> str:
    return "has" if n == 1 else "have"


def _full_suffix_en(full_members: int, unit: str) -> str:
    if full_members >= MIN_FULL_MEMBERS:
        return f"; {MIN_FULL_MEMBERS} or more can form a {unit} of their own"
    return f"; fewer than {MIN_FULL_MEMBERS}: share one with a neighbour or extend an existing org's coverage"


# ================================================================ COMPOUND_BRANCH

_COMPOUND_BRANCH_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Compound']}]-(c:Compound)
// two EXISTS, not one over PART_OF*0..1: each then starts from c instead of from every branch
WITH c, EXISTS {{
  MATCH (c)<-[r:COVERS]-(o:PartyOrg)
  WHERE o.level IN ['branch', 'general_branch']
    AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
}} OR EXISTS {{
  MATCH (c)-[:PART_OF]->(:Grid)<-[r:COVERS]-(o:PartyOrg)
  WHERE o.level IN ['branch', 'general_branch']
    AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
}} AS covered
"""


def _compound_branch_covered(g: GraphView, c: str, d: date) -> bool:
    return any(True for t in _self_and_grid(g, c) for _ in _branch_orgs(g, t, d))


COMPOUND_BRANCH_COUNT_CYPHER = _COMPOUND_BRANCH_CORE + """
RETURN count(c) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def compound_branch_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    return count_row(_compound_branch_covered(g, c, p["date"]) for c in under(g, p["area"], "Compound"))


COMPOUND_BRANCH_GAPS_CYPHER = _COMPOUND_BRANCH_CORE + """
WITH c WHERE NOT covered
OPTIONAL MATCH (c)-[:PART_OF]->(g:Grid)
RETURN c.id AS id, c.name AS name, g.id AS grid,
  COUNT { MATCH (c)<-[:PART_OF]-(:Building)<-[:LIVES_IN]-(p:PartyMember) WHERE """ + FULL_ON + """ }
    AS full_members,
  COUNT { MATCH (c)<-[:PART_OF]-(:Building)<-[:LIVES_IN]-(p:PartyMember) WHERE """ + MEMBER_ON + """ } AS members,
  COLLECT { UNWIND [c, g] AS t
            MATCH (t)<-[r:COVERS]-(o:PartyOrg)
            WHERE NOT o.level IN ['branch', 'general_branch']
              AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
            RETURN DISTINCT o.id AS x ORDER BY x } AS other_orgs,
  COLLECT { UNWIND [c, g] AS t
            MATCH (t)<-[r:COVERS]-(o:PartyOrg)
            WHERE o.level IN ['branch', 'general_branch'] AND r.until < $date
            RETURN DISTINCT o.id AS x ORDER BY x } AS ended
ORDER BY id
"""


def compound_branch_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for c in under(g, p["area"], "Compound"):
        if _compound_branch_covered(g, c, d):
            continue
        members = list(compound_residents(g, c, d))
        other: list[str] = []
        ended: list[str] = []
        for t in _self_and_grid(g, c):
            for o, r in sources(g, t, "COVERS", "PartyOrg"):
                level = g.node(o).get("level")
                if level is not None and level not in BRANCH_LEVELS and current(r, d):
                    other.append(o)
                if level in BRANCH_LEVELS and r.get("until") is not None and r["until"] < d:
                    ended.append(o)
        rows.append(
            {
                "id": c,
                "name": g.node(c).get("name"),
                "grid": parent(g, c, "Grid"),
                "full_members": sum(1 for m, _ in members if full(g, m, d)),
                "members": len(members),
                "other_orgs": sorted_ids(other),
                "ended": sorted_ids(ended),
            }
        )
    return by_id(rows)


COMPOUND_BRANCH_SUGGEST_CYPHER = """
UNWIND $ids AS item
MATCH (c:Compound {id: item})
WITH c, COUNT { MATCH (c)<-[:PART_OF]-(:Building)<-[:LIVES_IN]-(p:PartyMember) WHERE """ + FULL_ON + """ }
  AS n
CALL (c, n) {
  CALL (c, n) {
    MATCH (c)<-[:PART_OF]-(b:Building)<-[:LIVES_IN]-(p:PartyMember)
    WHERE """ + FULL_ON + """
    RETURN p.id AS id, p.name AS name, p.phone AS phone, 'person' AS kind, 'resident_full_member' AS reason,
           b.id AS via, CASE WHEN n >= 3 THEN 0 ELSE 1 END AS grp, 0 AS sub
    UNION ALL
    MATCH (c)-[:PART_OF*1..2]->(m:Community)
    // a second MATCH: one pattern may not walk the same PART_OF relationship up and back down
    MATCH (m)<-[:PART_OF*1..2]-(t:Place)<-[r:COVERS]-(o:PartyOrg)
    WHERE t <> c AND (t:Grid OR t:Compound) AND o.level IN ['branch', 'general_branch']
      AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
    RETURN o.id AS id, o.name AS name, null AS phone, 'org' AS kind, 'nearby_branch' AS reason,
           t.id AS via, CASE WHEN n >= 3 THEN 1 ELSE 0 END AS grp, 0 AS sub
  }""" + SUGGESTION_TAIL + """}
RETURN c.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""


def compound_branch_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows: list[Row] = []
    for c in p["ids"]:
        if not g.has_label(c, "Compound"):
            continue
        fulls = [(m, b) for m, b in compound_residents(g, c, d) if full(g, m, d)]
        enough = len(fulls) >= MIN_FULL_MEMBERS
        rows += [_person(g, c, m, "resident_full_member", b, 0 if enough else 1) for m, b in fulls]
        for t in _community_patches(g, up(g, c, "Community")):
            if t != c:
                rows += [_org(g, c, o, "nearby_branch", t, 1 if enough else 0) for o in _branch_orgs(g, t, d)]
    return rank_candidates(rows, p["limit"])


def _where(r: Row) -> tuple[str, str]:
    """The compound and its grid, or a compound with no grid (its community does not count)."""
    if r["grid"] is None:
        return f"小区{r['id']}(无网格，直属社区)", f"compound {r['id']} (no grid, directly under its community)"
    return f"小区{r['id']}及其所在网格{r['grid']}均", f"compound {r['id']} or its grid {r['grid']}"


def _explain_compound_branch(r: Row) -> Explanation:
    zh_where, en_where = _where(r)
    zh = f"{zh_where}无党支部(党总支)覆盖；居住党员{r['members']}名，其中正式党员{r['full_members']}名"
    en = (
        f"no branch or general branch covers {en_where}; "
        f"{_lives(r['members'])}, {r['full_members']} of them full members"
    )
    zh += _full_suffix_zh(r["full_members"], "党支部")
    en += _full_suffix_en(r["full_members"], "branch")
    if r["ended"]:
        zh += f"；{'、'.join(r['ended'])}的覆盖已到期"
        en += f"; the coverage by {', '.join(r['ended'])} has ended"
    if r["other_orgs"]:
        zh += f"；{'、'.join(r['other_orgs'])}的覆盖不计入(非党支部)"
        en += f"; {', '.join(r['other_orgs'])} cover it but are not branches"
    return Explanation("uncovered", zh, en)


COMPOUND_BRANCH = Indicator(
    id="COMPOUND_BRANCH",
    title_zh="把党支部建在小区(网格)",
    title_en="a party branch in every compound or its grid",
    unit_zh="小区",
    unit_en="compounds",
    item_kind="Compound",
    rule_zh="党支部(或党总支)覆盖本小区或其所在网格；社区党委本身不计入",
    rule_en="a branch (or general branch) covers the compound, or the grid it lies in; "
    "the community's own party committee does not count",
    count=Query("indicator.COMPOUND_BRANCH.count", COMPOUND_BRANCH_COUNT_CYPHER, compound_branch_count_nx),
    gaps=Query("indicator.COMPOUND_BRANCH.gaps", COMPOUND_BRANCH_GAPS_CYPHER, compound_branch_gaps_nx),
    suggest=Query("indicator.COMPOUND_BRANCH.suggest", COMPOUND_BRANCH_SUGGEST_CYPHER, compound_branch_suggest_nx),
    explain=_explain_compound_branch,
    anchor="Compound",
)

# ================================================================ BUILDING_GROUP

_BUILDING_GROUP_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Building']}]-(b:Building)
WITH b, EXISTS {{
    MATCH (b)<-[r:COVERS]-(o:PartyOrg)
    WHERE o.level = 'group' AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
  }} OR (
    EXISTS {{ MATCH (b)<-[:PART_OF]-(:Entrance) }}
    AND NOT EXISTS {{
      MATCH (b)<-[:PART_OF]-(e:Entrance)
      WHERE NOT EXISTS {{
        MATCH (e)<-[r:COVERS]-(o:PartyOrg)
        WHERE o.level = 'group' AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
      }}
    }}
  ) AS covered
"""


def _building_group_covered(g: GraphView, b: str, d: date) -> bool:
    if any(True for _ in _group_orgs(g, b, d)):
        return True
    entrances = _entrances(g, b)
    return bool(entrances) and all(any(True for _ in _group_orgs(g, e, d)) for e in entrances)


BUILDING_GROUP_COUNT_CYPHER = _BUILDING_GROUP_CORE + """
RETURN count(b) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def building_group_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    return count_row(_building_group_covered(g, b, p["date"]) for b in under(g, p["area"], "Building"))


BUILDING_GROUP_GAPS_CYPHER = _BUILDING_GROUP_CORE + """
WITH b WHERE NOT covered
OPTIONAL MATCH (b)-[:PART_OF]->(c:Compound)
RETURN b.id AS id, b.name AS name, c.id AS compound,
  COUNT { MATCH (b)<-[:LIVES_IN]-(p:PartyMember) WHERE """ + FULL_ON + """ } AS full_members,
  COUNT { MATCH (b)<-[:LIVES_IN]-(p:PartyMember) WHERE """ + MEMBER_ON + """ } AS members,
  COUNT { MATCH (b)<-[:PART_OF]-(:Entrance) } AS entrances,
  COUNT { MATCH (b)<-[:PART_OF]-(e:Entrance)
          WHERE EXISTS { MATCH (e)<-[r:COVERS]-(o:PartyOrg)
                         WHERE o.level = 'group' AND (r.since IS NULL OR r.since <= $date)
                           AND (r.until IS NULL OR r.until >= $date) } } AS entrances_covered
ORDER BY id
"""


def building_group_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for b in under(g, p["area"], "Building"):
        if _building_group_covered(g, b, d):
            continue
        members = residents(g, b, d)
        entrances = _entrances(g, b)
        rows.append(
            {
                "id": b,
                "name": g.node(b).get("name"),
                "compound": parent(g, b, "Compound"),
                "full_members": sum(1 for m in members if full(g, m, d)),
                "members": len(members),
                "entrances": len(entrances),
                "entrances_covered": sum(1 for e in entrances if any(True for _ in _group_orgs(g, e, d))),
            }
        )
    return by_id(rows)


BUILDING_GROUP_SUGGEST_CYPHER = """
UNWIND $ids AS item
MATCH (b:Building {id: item})
WITH b, COUNT { MATCH (b)<-[:LIVES_IN]-(p:PartyMember) WHERE """ + FULL_ON + """ } AS n
CALL (b, n) {
  CALL (b, n) {
    MATCH (b)<-[:LIVES_IN]-(p:PartyMember)
    WHERE """ + FULL_ON + """
    RETURN p.id AS id, p.name AS name, p.phone AS phone, 'person' AS kind, 'resident_full_member' AS reason,
           b.id AS via, CASE WHEN n >= 3 THEN 0 ELSE 1 END AS grp, 0 AS sub
    UNION ALL
    MATCH (b)-[:PART_OF]->(:Compound)<-[:PART_OF]-(nb:Building)<-[r:COVERS]-(o:PartyOrg)
    WHERE nb <> b AND o.level = 'group'
      AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
    RETURN o.id AS id, o.name AS name, null AS phone, 'org' AS kind, 'neighbour_group' AS reason,
           nb.id AS via, CASE WHEN n >= 3 THEN 1 ELSE 0 END AS grp, 0 AS sub
  }""" + SUGGESTION_TAIL + """}
RETURN b.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""


def building_group_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows: list[Row] = []
    for b in p["ids"]:
        if not g.has_label(b, "Building"):
            continue
        fulls = [m for m in residents(g, b, d) if full(g, m, d)]
        enough = len(fulls) >= MIN_FULL_MEMBERS
        rows += [_person(g, b, m, "resident_full_member", b, 0 if enough else 1) for m in fulls]
        compound = parent(g, b, "Compound")
        for nb, _ in sources(g, compound, "PART_OF", "Building"):
            if nb != b:
                rows += [_org(g, b, o, "neighbour_group", nb, 1 if enough else 0) for o in _group_orgs(g, nb, d)]
    return rank_candidates(rows, p["limit"])


def _explain_building_group(r: Row) -> Explanation:
    zh = f"楼栋{r['id']}没有党小组覆盖"
    en = f"no party group covers building {r['id']}"
    if r["entrances"]:
        zh += f"(共{r['entrances']}个单元，{r['entrances_covered']}个单元有党小组)"
        en += f" ({r['entrances_covered']} of its {count_en(r['entrances'], 'entrance')} {_have(r['entrances_covered'])} one)"
    zh += f"；居住党员{r['members']}名，其中正式党员{r['full_members']}名" + _full_suffix_zh(r["full_members"], "党小组")
    en += f"; {_lives(r['members'])}, {r['full_members']} of them full members" + _full_suffix_en(
        r["full_members"], "party group"
    )
    return Explanation("uncovered", zh, en)


BUILDING_GROUP = Indicator(
    id="BUILDING_GROUP",
    title_zh="把党小组设在楼栋(单元)",
    title_en="a party group in every building or entrance",
    unit_zh="楼栋",
    unit_en="buildings",
    item_kind="Building",
    rule_zh="有党小组覆盖本楼栋，或覆盖其每一个单元",
    rule_en="a party group covers the building, or every one of its entrances",
    count=Query("indicator.BUILDING_GROUP.count", BUILDING_GROUP_COUNT_CYPHER, building_group_count_nx),
    gaps=Query("indicator.BUILDING_GROUP.gaps", BUILDING_GROUP_GAPS_CYPHER, building_group_gaps_nx),
    suggest=Query("indicator.BUILDING_GROUP.suggest", BUILDING_GROUP_SUGGEST_CYPHER, building_group_suggest_nx),
    explain=_explain_building_group,
    anchor="Building",
)

# ================================================================ BUILDING_HEAD

_BUILDING_HEAD_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Building']}]-(b:Building)
WITH b, EXISTS {{
    MATCH (b)<-[r:HOLDS_ROLE]-(:Person)
    WHERE r.role = 'building_head' AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
  }} OR (
    EXISTS {{ MATCH (b)<-[:PART_OF]-(:Entrance) }}
    AND NOT EXISTS {{
      MATCH (b)<-[:PART_OF]-(e:Entrance)
      WHERE NOT EXISTS {{
        MATCH (e)<-[r:HOLDS_ROLE]-(:Person)
        WHERE r.role = 'entrance_head' AND (r.since IS NULL OR r.since <= $date)
          AND (r.until IS NULL OR r.until >= $date)
      }}
    }}
  ) AS covered
"""


def _building_head_covered(g: GraphView, b: str, d: date) -> bool:
    if _has_role(g, b, "building_head", d):
        return True
    entrances = _entrances(g, b)
    return bool(entrances) and all(_has_role(g, e, "entrance_head", d) for e in entrances)


BUILDING_HEAD_COUNT_CYPHER = _BUILDING_HEAD_CORE + """
RETURN count(b) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def building_head_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    return count_row(_building_head_covered(g, b, p["date"]) for b in under(g, p["area"], "Building"))


BUILDING_HEAD_GAPS_CYPHER = _BUILDING_HEAD_CORE + """
WITH b WHERE NOT covered
OPTIONAL MATCH (b)-[:PART_OF]->(c:Compound)
RETURN b.id AS id, b.name AS name, c.id AS compound,
  COUNT { MATCH (b)<-[:PART_OF]-(:Entrance) } AS entrances,
  COUNT { MATCH (b)<-[:PART_OF]-(e:Entrance)
          WHERE EXISTS { MATCH (e)<-[r:HOLDS_ROLE]-(:Person)
                         WHERE r.role = 'entrance_head' AND (r.since IS NULL OR r.since <= $date)
                           AND (r.until IS NULL OR r.until >= $date) } } AS entrances_with_head,
  COUNT { MATCH (b)<-[:LIVES_IN]-(p:PartyMember) WHERE """ + MEMBER_ON + """ } AS members
ORDER BY id
"""


def building_head_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for b in under(g, p["area"], "Building"):
        if _building_head_covered(g, b, d):
            continue
        entrances = _entrances(g, b)
        rows.append(
            {
                "id": b,
                "name": g.node(b).get("name"),
                "compound": parent(g, b, "Compound"),
                "entrances": len(entrances),
                "entrances_with_head": sum(1 for e in entrances if _has_role(g, e, "entrance_head", d)),
                "members": len(residents(g, b, d)),
            }
        )
    return by_id(rows)


BUILDING_HEAD_SUGGEST_CYPHER = """
UNWIND $ids AS item
MATCH (b:Building {id: item})
CALL (b) {
  CALL (b) {
    MATCH (b)<-[:LIVES_IN]-(p:PartyMember)
    WHERE """ + MEMBER_ON + """
    WITH b, p, EXISTS {
      MATCH (p)-[r:HOLDS_ROLE]->(t:Place)
      WHERE r.role = 'central_household' AND (r.since IS NULL OR r.since <= $date)
        AND (r.until IS NULL OR r.until >= $date)
        AND (t = b OR EXISTS { MATCH (t)-[:PART_OF]->(b) })
    } AS central
    RETURN p.id AS id, p.name AS name, p.phone AS phone, 'person' AS kind,
           CASE WHEN central THEN 'central_household' ELSE 'resident_member' END AS reason, b.id AS via,
           CASE WHEN central THEN 0 ELSE 1 END AS grp,
           CASE WHEN """ + FULL_ON + """ THEN 0 ELSE 1 END AS sub
  }""" + SUGGESTION_TAIL + """}
RETURN b.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""


def building_head_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows: list[Row] = []
    for b in p["ids"]:
        if not g.has_label(b, "Building"):
            continue
        for m in residents(g, b, d):
            central = any(
                r.get("role") == "central_household"
                and current(r, d)
                and (t == b or any(up == b for up, _ in g.out(t, "PART_OF")))
                for t, r in targets(g, m, "HOLDS_ROLE", "Place")
            )
            reason = "central_household" if central else "resident_member"
            rows.append(_person(g, b, m, reason, b, 0 if central else 1, 0 if full(g, m, d) else 1))
    return rank_candidates(rows, p["limit"])


def _explain_building_head(r: Row) -> Explanation:
    zh = f"楼栋{r['id']}没有在任楼栋长"
    en = f"building {r['id']} has no current building head"
    if r["entrances"]:
        zh += f"，{r['entrances']}个单元中{r['entrances_with_head']}个有单元长"
        en += (
            f", and only {r['entrances_with_head']} of its {count_en(r['entrances'], 'entrance')} "
            f"{_have(r['entrances_with_head'])} an entrance head"
        )
    zh += f"；居住党员{r['members']}名"
    en += f"; {_lives(r['members'], 'party member')}"
    return Explanation("uncovered", zh, en)


BUILDING_HEAD = Indicator(
    id="BUILDING_HEAD",
    title_zh="全覆盖设立楼栋长(单元长)",
    title_en="a building head in every building (entrance head in every entrance)",
    unit_zh="楼栋",
    unit_en="buildings",
    item_kind="Building",
    rule_zh="有在任楼栋长，或每个单元都有在任单元长",
    rule_en="a current building head, or a current entrance head for every one of its entrances",
    count=Query("indicator.BUILDING_HEAD.count", BUILDING_HEAD_COUNT_CYPHER, building_head_count_nx),
    gaps=Query("indicator.BUILDING_HEAD.gaps", BUILDING_HEAD_GAPS_CYPHER, building_head_gaps_nx),
    suggest=Query("indicator.BUILDING_HEAD.suggest", BUILDING_HEAD_SUGGEST_CYPHER, building_head_suggest_nx),
    explain=_explain_building_head,
    anchor="Building",
)

# ================================================================ COMPOUND_LIAISON

_COMPOUND_LIAISON_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Compound']}]-(c:Compound)
WITH c, EXISTS {{
  MATCH (c)<-[r:HOLDS_ROLE]-(:Person)
  WHERE r.role = 'liaison' AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
}} OR EXISTS {{
  MATCH (c)-[:PART_OF]->(:Grid)<-[r:HOLDS_ROLE]-(:Person)
  WHERE r.role = 'liaison' AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
}} AS covered
"""


def _liaison_covered(g: GraphView, c: str, d: date) -> bool:
    return any(_has_role(g, t, "liaison", d) for t in _self_and_grid(g, c))


COMPOUND_LIAISON_COUNT_CYPHER = _COMPOUND_LIAISON_CORE + """
RETURN count(c) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def compound_liaison_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    return count_row(_liaison_covered(g, c, p["date"]) for c in under(g, p["area"], "Compound"))


COMPOUND_LIAISON_GAPS_CYPHER = _COMPOUND_LIAISON_CORE + """
WITH c WHERE NOT covered
OPTIONAL MATCH (c)-[:PART_OF]->(g:Grid)
OPTIONAL MATCH (c)-[:PART_OF*1..2]->(m:Community)
RETURN c.id AS id, c.name AS name, g.id AS grid, m.id AS community
ORDER BY id
"""


def compound_liaison_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for c in under(g, p["area"], "Compound"):
        if _liaison_covered(g, c, d):
            continue
        rows.append(
            {"id": c, "name": g.node(c).get("name"), "grid": parent(g, c, "Grid"), "community": up(g, c, "Community")}
        )
    return by_id(rows)


_SEAT_ORDER = {"chair": 0, "vice_chair": 1}

COMPOUND_LIAISON_SUGGEST_CYPHER = """
UNWIND $ids AS item
MATCH (c:Compound {id: item})
OPTIONAL MATCH (c)-[:PART_OF*1..2]->(m:Community)
OPTIONAL MATCH (m)-[:PART_OF]->(s:Subdistrict)
CALL (c, m, s) {
  CALL (c, m, s) {
    MATCH (m)<-[:BELONGS_TO]-(k:ResidentsCommittee)<-[st:SEATED_ON]-(x:Person)
    WHERE (st.since IS NULL OR st.since <= $date) AND (st.until IS NULL OR st.until >= $date)
    RETURN x.id AS id, x.name AS name, x.phone AS phone, 'person' AS kind, 'residents_committee_member' AS reason,
           k.id AS via, 0 AS grp, CASE st.role WHEN 'chair' THEN 0 WHEN 'vice_chair' THEN 1 ELSE 2 END AS sub
    UNION ALL
    MATCH (m)<-[k:COVERS]-(o:PartyOrg)<-[r:HOLDS_ROLE]-(x:Person)
    WHERE (k.since IS NULL OR k.since <= $date) AND (k.until IS NULL OR k.until >= $date)
      AND r.role = 'secretary' AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
    RETURN x.id AS id, x.name AS name, x.phone AS phone, 'person' AS kind, 'community_secretary' AS reason,
           o.id AS via, 0 AS grp, 0 AS sub
    UNION ALL
    MATCH (s)<-[k:COVERS]-(o:PartyOrg)<-[r:HOLDS_ROLE]-(x:Person)
    WHERE (k.since IS NULL OR k.since <= $date) AND (k.until IS NULL OR k.until >= $date)
      AND r.role = 'secretary' AND (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
    RETURN x.id AS id, x.name AS name, x.phone AS phone, 'person' AS kind, 'street_secretary' AS reason,
           o.id AS via, 1 AS grp, 0 AS sub
    UNION ALL
    MATCH (m)<-[:PART_OF*1..2]-(t:Place)<-[r:HOLDS_ROLE]-(x:Person)
    WHERE t <> c AND (t:Grid OR t:Compound) AND r.role = 'liaison' AND (r.since IS NULL OR r.since <= $date)
      AND (r.until IS NULL OR r.until >= $date)
    RETURN x.id AS id, x.name AS name, x.phone AS phone, 'person' AS kind, 'liaison_nearby' AS reason,
           t.id AS via, 1 AS grp, 1 AS sub
  }""" + SUGGESTION_TAIL + """}
RETURN c.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""


def _secretaries(g: GraphView, place: str | None, d: date) -> Iterator[tuple[str, str]]:
    """(secretary, org) for the orgs currently covering ``place`` and their current secretaries."""
    for o, k in sources(g, place, "COVERS", "PartyOrg"):
        if current(k, d):
            for x, r in sources(g, o, "HOLDS_ROLE", "Person"):
                if r.get("role") == "secretary" and current(r, d):
                    yield x, o


def _committee_seats(g: GraphView, committee: str, d: date) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for x, st in sources(g, committee, "SEATED_ON", "Person"):
        if current(st, d):
            yield x, st


def compound_liaison_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows: list[Row] = []
    for c in p["ids"]:
        if not g.has_label(c, "Compound"):
            continue
        m = up(g, c, "Community")
        s = parent(g, m, "Subdistrict")
        for k, _ in sources(g, m, "BELONGS_TO", "ResidentsCommittee"):
            for x, st in _committee_seats(g, k, d):
                rows.append(_person(g, c, x, "residents_committee_member", k, 0, _SEAT_ORDER.get(str(st.get("role")), 2)))
        rows += [_person(g, c, x, "community_secretary", o, 0) for x, o in _secretaries(g, m, d)]
        rows += [_person(g, c, x, "street_secretary", o, 1) for x, o in _secretaries(g, s, d)]
        for t in _community_patches(g, m):
            if t == c:
                continue
            for x, r in sources(g, t, "HOLDS_ROLE", "Person"):
                if r.get("role") == "liaison" and current(r, d):
                    rows.append(_person(g, c, x, "liaison_nearby", t, 1, 1))
    return rank_candidates(rows, p["limit"])


def _explain_liaison(r: Row) -> Explanation:
    zh_where, en_where = _where(r)
    return Explanation("uncovered", f"{zh_where}无在任包联干部", f"no current liaison cadre for {en_where}")


COMPOUND_LIAISON = Indicator(
    id="COMPOUND_LIAISON",
    title_zh="街道、社区“两委”成员包保联系小区(网格)",
    title_en="a liaison cadre from the street or community for every compound or grid",
    unit_zh="小区",
    unit_en="compounds",
    item_kind="Compound",
    rule_zh="本小区或其所在网格有在任包联干部",
    rule_en="a current liaison for the compound or its grid",
    count=Query("indicator.COMPOUND_LIAISON.count", COMPOUND_LIAISON_COUNT_CYPHER, compound_liaison_count_nx),
    gaps=Query("indicator.COMPOUND_LIAISON.gaps", COMPOUND_LIAISON_GAPS_CYPHER, compound_liaison_gaps_nx),
    suggest=Query("indicator.COMPOUND_LIAISON.suggest", COMPOUND_LIAISON_SUGGEST_CYPHER, compound_liaison_suggest_nx),
    explain=_explain_liaison,
    anchor="Compound",
)

# ================================================================ COMMUNITY_RED_STATION

_COMMUNITY_RED_STATION_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Community']}]-(m:Community)
WITH m,
  COUNT {{ MATCH (m)<-[:LOCATED_IN]-(x:ServiceCentre) WHERE x.since IS NULL OR x.since <= $date }} AS centres,
  COUNT {{ MATCH (m)<-[:PART_OF*0..2]-(:Place)<-[:LOCATED_IN]-(x:RedStation) WHERE x.since IS NULL OR x.since <= $date }}
    AS stations
WITH m, centres, stations, centres > 0 AND stations > 0 AS covered
"""


def _stations(g: GraphView, m: str, d: date) -> tuple[int, int]:
    centres = sum(1 for x, _ in sources(g, m, "LOCATED_IN", "ServiceCentre") if started(g.node(x), d))
    grids = [t for t, _ in sources(g, m, "PART_OF", "Place")]
    places = [m, *grids, *(t for gr in grids for t, _ in sources(g, gr, "PART_OF", "Place"))]
    stations = sum(
        1 for pl in places for x, _ in sources(g, pl, "LOCATED_IN", "RedStation") if started(g.node(x), d)
    )
    return centres, stations


COMMUNITY_RED_STATION_COUNT_CYPHER = _COMMUNITY_RED_STATION_CORE + """
RETURN count(m) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def community_red_station_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    flags = []
    for m in under(g, p["area"], "Community"):
        centres, stations = _stations(g, m, p["date"])
        flags.append(centres > 0 and stations > 0)
    return count_row(flags)


COMMUNITY_RED_STATION_GAPS_CYPHER = _COMMUNITY_RED_STATION_CORE + """
WITH m, centres, stations WHERE NOT covered
RETURN m.id AS id, m.name AS name, centres, stations
ORDER BY id
"""


def community_red_station_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    rows = []
    for m in under(g, p["area"], "Community"):
        centres, stations = _stations(g, m, p["date"])
        if not (centres > 0 and stations > 0):
            rows.append({"id": m, "name": g.node(m).get("name"), "centres": centres, "stations": stations})
    return by_id(rows)


COMMUNITY_RED_STATION_SUGGEST_CYPHER = """
UNWIND $ids AS item
MATCH (m:Community {id: item})
CALL (m) {
  CALL (m) {
    MATCH (m)<-[:PART_OF*1..2]-(c:Compound)
    RETURN c.id AS id, c.name AS name, null AS phone, 'place' AS kind, 'compound_members' AS reason,
           null AS via, 0 AS grp,
           0 - COUNT { MATCH (c)<-[:PART_OF]-(:Building)<-[:LIVES_IN]-(p:PartyMember) WHERE """ + MEMBER_ON + """ } AS sub
  }""" + SUGGESTION_TAIL + """}
RETURN m.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""


def community_red_station_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for m in p["ids"]:
        if not g.has_label(m, "Community"):
            continue
        for c in under(g, m, "Compound"):
            n = sum(1 for _ in compound_residents(g, c, p["date"]))
            rows.append(candidate(m, c, g.node(c).get("name"), "place", "compound_members", None, 0, -n))
    return rank_candidates(rows, p["limit"])


def _explain_red_station(r: Row) -> Explanation:
    missing_zh = []
    missing_en = []
    if not r["centres"]:
        missing_zh.append("党群服务中心")
        missing_en.append("a party-mass service centre")
    if not r["stations"]:
        missing_zh.append("红色驿站")
        missing_en.append("a red station")
    status = "no_service_centre" if not r["centres"] else "no_red_station"
    if not r["centres"] and not r["stations"]:
        status = "no_centre_no_station"
    return Explanation(
        status,
        f"社区{r['id']}尚无{'和'.join(missing_zh)}(现有服务中心{r['centres']}个、红色驿站{r['stations']}个)",
        f"community {r['id']} has no {' and no '.join(missing_en)} "
        f"({count_en(r['centres'], 'centre')} and {count_en(r['stations'], 'red station')} now)",
    )


COMMUNITY_RED_STATION = Indicator(
    id="COMMUNITY_RED_STATION",
    title_zh="一个党群服务中心+N个红色驿站(一中心多站点)",
    title_en="one service centre plus red stations in every community",
    unit_zh="社区",
    unit_en="communities",
    item_kind="Community",
    rule_zh="社区有党群服务中心，且社区内至少有一个红色驿站",
    rule_en="a service centre and at least one red station",
    count=Query(
        "indicator.COMMUNITY_RED_STATION.count", COMMUNITY_RED_STATION_COUNT_CYPHER, community_red_station_count_nx
    ),
    gaps=Query("indicator.COMMUNITY_RED_STATION.gaps", COMMUNITY_RED_STATION_GAPS_CYPHER, community_red_station_gaps_nx),
    suggest=Query(
        "indicator.COMMUNITY_RED_STATION.suggest",
        COMMUNITY_RED_STATION_SUGGEST_CYPHER,
        community_red_station_suggest_nx,
    ),
    suggest_for=lambda r: r["stations"] == 0,
    explain=_explain_red_station,
    anchor="Community",
)

INDICATORS = (COMPOUND_BRANCH, BUILDING_GROUP, BUILDING_HEAD, COMPOUND_LIAISON, COMMUNITY_RED_STATION)

"""Indicators about property service: FIRM_PARTY_COVERAGE, COMPOUND_PROPERTY_SERVICE,
COMPOUND_QUALITY_SUPERVISOR. A firm belongs to an area by the compounds it currently serves."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.query import Query, Row
from queries.common import (
    DEPTH,
    MIN_FULL_MEMBERS,
    SUGGESTION_TAIL,
    by_id,
    candidate,
    count_row,
    current,
    current_on,
    full,
    full_on,
    member_on,
    member_on_day,
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

_SEAT_ORDER = {"chair": 0, "vice_chair": 1}


def _person(g: GraphView, item: str, person: str, reason: str, via: str | None, grp: int, sub: int = 0) -> Row:
    n = g.node(person)
    return candidate(item, person, n.get("name"), "person", reason, via, grp, sub, n.get("phone"))


def _community_compounds(g: GraphView, community: str | None) -> list[str]:
    """The compounds of a community, in its grids or directly under it: ``(m)<-[:PART_OF*1..2]-(:Compound)``."""
    return [] if community is None else under(g, community, "Compound")


def _secretaries_of_reported(g: GraphView, community: str | None, d: date) -> Iterator[tuple[str, str]]:
    """(secretary, org) for the orgs currently reporting to ``community`` (双报到) and their current secretaries."""
    for o, r in sources(g, community, "REPORTED_TO", "PartyOrg"):
        if not current(r, d):
            continue
        for x, h in sources(g, o, "HOLDS_ROLE", "Person"):
            if h.get("role") == "secretary" and current(h, d):
                yield x, o


# ================================================================ FIRM_PARTY_COVERAGE

_FIRM_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Compound']}]-(:Compound)<-[s:SERVES]-(f:PropertyFirm)
WHERE {current_on('s')}
WITH DISTINCT f
WITH f,
  EXISTS {{ MATCH (f)<-[r:COVERS]-(:PartyOrg)
           WHERE {current_on('r')} }}
  OR EXISTS {{ MATCH (f)<-[r:HOLDS_ROLE]-(:Person)
              WHERE r.role = 'instructor' AND {current_on('r')} }}
  OR size(coalesce(f.mass_organization, '')) > 0 AS covered
"""


def _area_firms(g: GraphView, area: str, d: date) -> list[str]:
    return sorted(
        {
            f
            for c in under(g, area, "Compound")
            for f, s in sources(g, c, "SERVES", "PropertyFirm")
            if current(s, d)
        }
    )


def _firm_covered(g: GraphView, f: str, d: date) -> bool:
    if any(current(r, d) for _, r in sources(g, f, "COVERS", "PartyOrg")):
        return True
    if any(r.get("role") == "instructor" and current(r, d) for _, r in sources(g, f, "HOLDS_ROLE", "Person")):
        return True
    return bool(g.node(f).get("mass_organization"))


def _staff(g: GraphView, firm: str, d: date) -> list[str]:
    """The firm's own party members on ``d`` (who can form its branch)."""
    return [x for x, _ in sources(g, firm, "WORKS_AT", "PartyMember") if member_on_day(g.node(x), d)]


FIRM_PARTY_COVERAGE_COUNT_CYPHER = _FIRM_CORE + """
RETURN count(f) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def firm_party_coverage_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    return count_row(_firm_covered(g, f, d) for f in _area_firms(g, p["area"], d))


FIRM_PARTY_COVERAGE_GAPS_CYPHER = _FIRM_CORE + f"""
WITH f WHERE NOT covered
RETURN f.id AS id, f.name AS name,
  COLLECT {{ MATCH (f)-[s:SERVES]->(c:Compound)
            WHERE {current_on('s')}
            RETURN DISTINCT c.id AS x ORDER BY x }} AS compounds,
  COUNT {{ MATCH (f)<-[:WORKS_AT]-(p:PartyMember) WHERE {full_on('p')} }} AS full_members,
  COUNT {{ MATCH (f)<-[:WORKS_AT]-(p:PartyMember) WHERE {member_on('p')} }} AS members,
  COLLECT {{ MATCH (f)<-[r:COVERS]-(o:PartyOrg) WHERE r.until < $date RETURN DISTINCT o.id AS x ORDER BY x }}
    AS ended_orgs
ORDER BY id
"""


def firm_party_coverage_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for f in _area_firms(g, p["area"], d):
        if _firm_covered(g, f, d):
            continue
        staff = _staff(g, f, d)
        rows.append(
            {
                "id": f,
                "name": g.node(f).get("name"),
                "compounds": sorted_ids(c for c, s in targets(g, f, "SERVES", "Compound") if current(s, d)),
                "full_members": sum(1 for x in staff if full(g, x, d)),
                "members": len(staff),
                "ended_orgs": sorted_ids(
                    o
                    for o, r in sources(g, f, "COVERS", "PartyOrg")
                    if r.get("until") is not None and r["until"] < d
                ),
            }
        )
    return by_id(rows)


FIRM_PARTY_COVERAGE_SUGGEST_CYPHER = f"""
UNWIND $ids AS item
MATCH (f:PropertyFirm {{id: item}})
WITH f, COUNT {{ MATCH (f)<-[:WORKS_AT]-(p:PartyMember) WHERE {full_on('p')} }} AS n
CALL (f, n) {{
  CALL (f, n) {{
    MATCH (f)<-[:WORKS_AT]-(p:PartyMember)
    WHERE {member_on('p')}
    RETURN p.id AS id, p.name AS name, p.phone AS phone, 'person' AS kind,
           CASE WHEN {full_on('p')} THEN 'firm_full_member' ELSE 'firm_member' END AS reason,
           null AS via, CASE WHEN n >= 3 THEN 0 ELSE 2 END AS grp,
           CASE WHEN {full_on('p')} THEN 0 ELSE 1 END AS sub
    UNION ALL
    MATCH (f)-[s:SERVES]->(:Compound)-[:PART_OF*1..]->(m:Community)
    WHERE {current_on('s')}
    WITH DISTINCT f, n, m
    MATCH (m)<-[:PART_OF*1..2]-(:Compound)<-[s2:SERVES]-(f2:PropertyFirm)<-[k:COVERS]-(o:PartyOrg)
    WHERE f2 <> f AND o.kind = 'joint'
      AND {current_on('s2')}
      AND {current_on('k')}
    RETURN o.id AS id, o.name AS name, null AS phone, 'org' AS kind, 'joint_org' AS reason,
           f2.id AS via, CASE WHEN n >= 3 THEN 3 ELSE 1 END AS grp, 0 AS sub
    UNION ALL
    MATCH (f)-[s:SERVES]->(:Compound)-[:PART_OF*1..]->(m:Community)
    WHERE {current_on('s')}
    WITH DISTINCT f, n, m
    MATCH (m)<-[r:REPORTED_TO]-(o:PartyOrg)<-[h:HOLDS_ROLE]-(x:Person)
    WHERE {current_on('r')}
      AND h.role = 'secretary' AND {current_on('h')}
    RETURN x.id AS id, x.name AS name, x.phone AS phone, 'person' AS kind, 'reported_org_secretary' AS reason,
           o.id AS via, CASE WHEN n >= 3 THEN 3 ELSE 1 END AS grp, 1 AS sub
  }}""" + SUGGESTION_TAIL + """}
RETURN f.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""


def firm_party_coverage_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows: list[Row] = []
    for f in p["ids"]:
        if not g.has_label(f, "PropertyFirm"):
            continue
        staff = _staff(g, f, d)
        enough = sum(1 for x in staff if full(g, x, d)) >= MIN_FULL_MEMBERS
        for x in staff:
            reason = "firm_full_member" if full(g, x, d) else "firm_member"
            rows.append(_person(g, f, x, reason, None, 0 if enough else 2, 0 if full(g, x, d) else 1))
        communities = {
            m
            for c, s in targets(g, f, "SERVES", "Compound")
            if current(s, d) and (m := up(g, c, "Community")) is not None
        }
        for m in communities:
            for c in _community_compounds(g, m):
                for f2, s2 in sources(g, c, "SERVES", "PropertyFirm"):
                    if f2 == f or not current(s2, d):
                        continue
                    for o, k in sources(g, f2, "COVERS", "PartyOrg"):
                        if g.node(o).get("kind") == "joint" and current(k, d):
                            rows.append(
                                candidate(f, o, g.node(o).get("name"), "org", "joint_org", f2, 3 if enough else 1)
                            )
            for x, o in _secretaries_of_reported(g, m, d):
                rows.append(_person(g, f, x, "reported_org_secretary", o, 3 if enough else 1, 1))
    return rank_candidates(rows, p["limit"])


def _explain_firm(r: Row) -> Explanation:
    zh = (
        f"物业企业{r['id']}(服务小区{'、'.join(r['compounds'])})既无本企业或联合党组织，"
        f"也无党建工作指导员或群团组织；本企业党员{r['members']}名，其中正式党员{r['full_members']}名"
    )
    en = (
        f"property firm {r['id']} (serving {', '.join(r['compounds'])}) has no party org of its own or joint, "
        f"no instructor and no mass organization; {r['members']} of its staff are members, "
        f"{r['full_members']} of them full members"
    )
    if r["full_members"] >= MIN_FULL_MEMBERS:
        zh += f"，已满{MIN_FULL_MEMBERS}名，可单独组建党支部"
        en += f"; {MIN_FULL_MEMBERS} or more full members can form the firm's own branch"
    else:
        zh += f"，不足{MIN_FULL_MEMBERS}名，可联合组建党组织或选派党建工作指导员"
        en += f"; fewer than {MIN_FULL_MEMBERS}: join a joint org with other firms, or get an instructor"
    if r["ended_orgs"]:
        zh += f"；{'、'.join(r['ended_orgs'])}的覆盖已到期"
        en += f"; the coverage by {', '.join(r['ended_orgs'])} has ended"
    return Explanation("uncovered", zh, en)


FIRM_PARTY_COVERAGE = Indicator(
    id="FIRM_PARTY_COVERAGE",
    title_zh="物业服务企业“两个覆盖”",
    title_en='"two coverages" of property firms',
    unit_zh="物业企业",
    unit_en="property firms",
    item_kind="PropertyFirm",
    rule_zh="有本企业或联合党组织(组织覆盖)；否则有党建工作指导员或群团组织(工作覆盖)",
    rule_en="its own or a joint party org (organizational coverage), else an instructor or a mass organization "
    "(work coverage)",
    count=Query("indicator.FIRM_PARTY_COVERAGE.count", FIRM_PARTY_COVERAGE_COUNT_CYPHER, firm_party_coverage_count_nx),
    gaps=Query("indicator.FIRM_PARTY_COVERAGE.gaps", FIRM_PARTY_COVERAGE_GAPS_CYPHER, firm_party_coverage_gaps_nx),
    suggest=Query(
        "indicator.FIRM_PARTY_COVERAGE.suggest", FIRM_PARTY_COVERAGE_SUGGEST_CYPHER, firm_party_coverage_suggest_nx
    ),
    explain=_explain_firm,
    anchor=None,  # a firm can serve compounds in several child areas: counted once, not summed
)

# ================================================================ COMPOUND_PROPERTY_SERVICE

_SERVICE_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Compound']}]-(c:Compound)
WITH c, EXISTS {{
  MATCH (c)<-[s:SERVES]-()
  WHERE {current_on('s')}
}} AS covered
"""


def _served(g: GraphView, c: str, d: date) -> bool:
    return any(current(s, d) for _, s in g.into(c, "SERVES"))


COMPOUND_PROPERTY_SERVICE_COUNT_CYPHER = _SERVICE_CORE + """
RETURN count(c) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def compound_property_service_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    return count_row(_served(g, c, p["date"]) for c in under(g, p["area"], "Compound"))


COMPOUND_PROPERTY_SERVICE_GAPS_CYPHER = _SERVICE_CORE + """
WITH c WHERE NOT covered
OPTIONAL MATCH (c)-[:PART_OF*1..]->(m:Community)
RETURN c.id AS id, c.name AS name, m.id AS community, c.households AS households,
  COLLECT { MATCH (c)<-[s:SERVES]-() WHERE s.until < $date RETURN s.until AS u ORDER BY u DESC }[0] AS service_ended,
  COLLECT { MATCH (c)<-[s:SERVES]-() WHERE s.since > $date RETURN s.since AS u ORDER BY u }[0] AS service_starts
ORDER BY id
"""


def compound_property_service_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for c in under(g, p["area"], "Compound"):
        if _served(g, c, d):
            continue
        services = [s for _, s in g.into(c, "SERVES")]
        ended = [u for s in services if (u := s.get("until")) is not None and u < d]
        starts = [x for s in services if (x := s.get("since")) is not None and x > d]
        rows.append(
            {
                "id": c,
                "name": g.node(c).get("name"),
                "community": up(g, c, "Community"),
                "households": g.node(c).get("households"),
                "service_ended": max(ended) if ended else None,
                "service_starts": min(starts) if starts else None,
            }
        )
    return by_id(rows)


COMPOUND_PROPERTY_SERVICE_SUGGEST_CYPHER = f"""
UNWIND $ids AS item
MATCH (c:Compound {{id: item}})
OPTIONAL MATCH (c)-[:PART_OF*1..]->(m:Community)
CALL (c, m) {{
  CALL (c, m) {{
    MATCH (m)<-[:PART_OF*1..2]-(x:Compound)<-[s:SERVES]-(f:PropertyFirm)
    WHERE x <> c AND {current_on('s')}
    WITH f, min(x.id) AS via, count(DISTINCT x) AS served
    RETURN f.id AS id, f.name AS name, null AS phone, 'firm' AS kind, 'serves_nearby' AS reason,
           via, 0 AS grp, 0 - served AS sub
  }}""" + SUGGESTION_TAIL + """}
RETURN c.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""


def compound_property_service_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows: list[Row] = []
    for c in p["ids"]:
        if not g.has_label(c, "Compound"):
            continue
        served: dict[str, set[str]] = {}
        for x in _community_compounds(g, up(g, c, "Community")):
            if x == c:
                continue
            for f, s in sources(g, x, "SERVES", "PropertyFirm"):
                if current(s, d):
                    served.setdefault(f, set()).add(x)
        for f, xs in served.items():
            rows.append(candidate(c, f, g.node(f).get("name"), "firm", "serves_nearby", min(xs), 0, -len(xs)))
    return rank_candidates(rows, p["limit"])


def _explain_service(r: Row) -> Explanation:
    zh = f"小区{r['id']}目前没有物业服务(无物业企业合同，也未实行党建+自管或保障性管理)"
    en = f"compound {r['id']} has no current property service (no firm contract, self-management or guaranteed service)"
    if r["service_ended"] is not None:
        zh += f"；上一服务于{r['service_ended'].isoformat()}结束"
        en += f"; the last service ended on {r['service_ended'].isoformat()}"
    if r["service_starts"] is not None:
        zh += f"；已签服务将于{r['service_starts'].isoformat()}开始"
        en += f"; a service is due to start on {r['service_starts'].isoformat()}"
    return Explanation("uncovered", zh, en)


COMPOUND_PROPERTY_SERVICE = Indicator(
    id="COMPOUND_PROPERTY_SERVICE",
    title_zh="三年内实现物业服务全覆盖",
    title_en="property service for every compound within three years",
    unit_zh="小区",
    unit_en="compounds",
    item_kind="Compound",
    rule_zh="有在期的物业服务企业合同，或实行党建+自管，或实行保障性管理",
    rule_en="a current firm contract, party-building + self-management (自管), or basic guaranteed service (保障性管理)",
    count=Query(
        "indicator.COMPOUND_PROPERTY_SERVICE.count",
        COMPOUND_PROPERTY_SERVICE_COUNT_CYPHER,
        compound_property_service_count_nx,
    ),
    gaps=Query(
        "indicator.COMPOUND_PROPERTY_SERVICE.gaps",
        COMPOUND_PROPERTY_SERVICE_GAPS_CYPHER,
        compound_property_service_gaps_nx,
    ),
    suggest=Query(
        "indicator.COMPOUND_PROPERTY_SERVICE.suggest",
        COMPOUND_PROPERTY_SERVICE_SUGGEST_CYPHER,
        compound_property_service_suggest_nx,
    ),
    explain=_explain_service,
    anchor="Compound",
)

# ================================================================ COMPOUND_QUALITY_SUPERVISOR

_SUPERVISOR_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Compound']}]-(c:Compound)
WITH c, EXISTS {{
  MATCH (c)<-[r:HOLDS_ROLE]-(:Person)
  WHERE r.role = 'quality_supervisor' AND {current_on('r')}
}} AS covered
"""


def _supervised(g: GraphView, c: str, d: date) -> bool:
    return any(
        r.get("role") == "quality_supervisor" and current(r, d) for _, r in sources(g, c, "HOLDS_ROLE", "Person")
    )


COMPOUND_QUALITY_SUPERVISOR_COUNT_CYPHER = _SUPERVISOR_CORE + """
RETURN count(c) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def compound_quality_supervisor_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    return count_row(_supervised(g, c, p["date"]) for c in under(g, p["area"], "Compound"))


COMPOUND_QUALITY_SUPERVISOR_GAPS_CYPHER = _SUPERVISOR_CORE + """
WITH c WHERE NOT covered
OPTIONAL MATCH (c)-[:PART_OF*1..]->(m:Community)
RETURN c.id AS id, c.name AS name, m.id AS community,
  COLLECT { MATCH (c)<-[r:HOLDS_ROLE]-(x:Person) WHERE r.role = 'quality_supervisor' AND r.until < $date
            RETURN DISTINCT x.id AS y ORDER BY y } AS former_supervisors
ORDER BY id
"""


def compound_quality_supervisor_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for c in under(g, p["area"], "Compound"):
        if _supervised(g, c, d):
            continue
        former = sorted_ids(
            x
            for x, r in sources(g, c, "HOLDS_ROLE", "Person")
            if r.get("role") == "quality_supervisor" and r.get("until") is not None and r["until"] < d
        )
        rows.append(
            {"id": c, "name": g.node(c).get("name"), "community": up(g, c, "Community"), "former_supervisors": former}
        )
    return by_id(rows)


COMPOUND_QUALITY_SUPERVISOR_SUGGEST_CYPHER = f"""
UNWIND $ids AS item
MATCH (c:Compound {{id: item}})
OPTIONAL MATCH (c)-[:PART_OF*1..]->(m:Community)
CALL (c, m) {{
  CALL (c, m) {{
    MATCH (c)<-[:BELONGS_TO]-(k:Committee)<-[st:SEATED_ON]-(x:Person)
    WHERE (k:OwnersCommittee OR k:SelfManagementCommittee)
      AND {current_on('k')}
      AND st.role = 'chair' AND {current_on('st')}
    RETURN x.id AS id, x.name AS name, x.phone AS phone, 'person' AS kind, 'committee_chair' AS reason,
           k.id AS via, 0 AS grp, 0 AS sub
    UNION ALL
    MATCH (m)<-[r:REPORTED_TO]-(o:PartyOrg)<-[h:HOLDS_ROLE]-(x:Person)
    WHERE {current_on('r')}
      AND h.role = 'secretary' AND {current_on('h')}
    RETURN x.id AS id, x.name AS name, x.phone AS phone, 'person' AS kind, 'reported_org_secretary' AS reason,
           o.id AS via, 1 AS grp, 0 AS sub
    UNION ALL
    MATCH (m)<-[:BELONGS_TO]-(k:ResidentsCommittee)<-[st:SEATED_ON]-(x:Person)
    WHERE {current_on('st')}
    RETURN x.id AS id, x.name AS name, x.phone AS phone, 'person' AS kind, 'residents_committee_member' AS reason,
           k.id AS via, 2 AS grp, CASE st.role WHEN 'chair' THEN 0 WHEN 'vice_chair' THEN 1 ELSE 2 END AS sub
  }}""" + SUGGESTION_TAIL + """}
RETURN c.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""


def compound_quality_supervisor_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows: list[Row] = []
    for c in p["ids"]:
        if not g.has_label(c, "Compound"):
            continue
        m = up(g, c, "Community")
        for k, _ in sources(g, c, "BELONGS_TO", "Committee"):
            if not (g.has_label(k, "OwnersCommittee") or g.has_label(k, "SelfManagementCommittee")):
                continue
            if not current(g.node(k), d):
                continue
            for x, st in sources(g, k, "SEATED_ON", "Person"):
                if st.get("role") == "chair" and current(st, d):
                    rows.append(_person(g, c, x, "committee_chair", k, 0))
        rows += [_person(g, c, x, "reported_org_secretary", o, 1) for x, o in _secretaries_of_reported(g, m, d)]
        for k, _ in sources(g, m, "BELONGS_TO", "ResidentsCommittee"):
            for x, st in sources(g, k, "SEATED_ON", "Person"):
                if current(st, d):
                    rows.append(_person(g, c, x, "residents_committee_member", k, 2, _SEAT_ORDER.get(str(st.get("role")), 2)))
    return rank_candidates(rows, p["limit"])


def _explain_supervisor(r: Row) -> Explanation:
    zh = f"小区{r['id']}没有在任物业服务质量监督员"
    en = f"compound {r['id']} has no current property-service quality supervisor"
    if r["former_supervisors"]:
        zh += f"(原监督员{'、'.join(r['former_supervisors'])}已离任)"
        en += f" (former: {', '.join(r['former_supervisors'])})"
    return Explanation("uncovered", zh, en)


COMPOUND_QUALITY_SUPERVISOR = Indicator(
    id="COMPOUND_QUALITY_SUPERVISOR",
    title_zh="每个小区选聘物业服务质量监督员",
    title_en="a property-service quality supervisor per compound",
    unit_zh="小区",
    unit_en="compounds",
    item_kind="Compound",
    rule_zh="本小区有在任物业服务质量监督员",
    rule_en="a current supervisor appointed",
    count=Query(
        "indicator.COMPOUND_QUALITY_SUPERVISOR.count",
        COMPOUND_QUALITY_SUPERVISOR_COUNT_CYPHER,
        compound_quality_supervisor_count_nx,
    ),
    gaps=Query(
        "indicator.COMPOUND_QUALITY_SUPERVISOR.gaps",
        COMPOUND_QUALITY_SUPERVISOR_GAPS_CYPHER,
        compound_quality_supervisor_gaps_nx,
    ),
    suggest=Query(
        "indicator.COMPOUND_QUALITY_SUPERVISOR.suggest",
        COMPOUND_QUALITY_SUPERVISOR_SUGGEST_CYPHER,
        compound_quality_supervisor_suggest_nx,
    ),
    explain=_explain_supervisor,
    anchor="Compound",
)

INDICATORS = (FIRM_PARTY_COVERAGE, COMPOUND_PROPERTY_SERVICE, COMPOUND_QUALITY_SUPERVISOR)

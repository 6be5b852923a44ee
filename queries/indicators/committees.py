"""Indicators about committees: COMPOUND_OWNERS_COMMITTEE, COMMITTEE_PARTY_SHARE,
COMMUNITY_ENV_PROPERTY_COMMITTEE. A committee is current when its term (the node's
``since``/``until``) covers the day; a seat when the SEATED_ON relationship does."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.query import Query, Row
from queries.common import (
    DEPTH,
    SUGGESTION_TAIL,
    by_id,
    candidate,
    compound_residents,
    count_row,
    current,
    current_on,
    full,
    full_on,
    member_on,
    member_on_day,
    rank_candidates,
    sources,
    targets,
    under,
    up,
)
from queries.indicators.spec import Explanation, Indicator, count_en

if TYPE_CHECKING:
    from graph.embedded import GraphView

OWNERS_STATUSES = ("needs_owners_committee", "needs_self_management_committee")
ENV_STATUSES = ("no_residents_committee", "no_env_property_committee")


def _committees(g: GraphView, place: str | None, label: str, d: date | None = None) -> list[str]:
    """Committees of ``label`` belonging to ``place`` (current on ``d`` when given)."""
    return [k for k, _ in sources(g, place, "BELONGS_TO", label) if d is None or current(g.node(k), d)]


def _seated(g: GraphView, committee: str, d: date) -> set[str]:
    return {x for x, s in sources(g, committee, "SEATED_ON", "Person") if current(s, d)}


def _is_member(g: GraphView, person: str, d: date) -> bool:
    return g.has_label(person, "PartyMember") and member_on_day(g.node(person), d)


def _member_seats(g: GraphView, committee: str, d: date) -> set[str]:
    """The seats held on ``d`` by people who were party members on ``d``."""
    return {x for x in _seated(g, committee, d) if _is_member(g, x, d)}


def _reported(g: GraphView, person: str, community: str | None, d: date) -> bool:
    return community is not None and any(
        x == community and current(r, d) for x, r in targets(g, person, "REPORTED_TO", "Community")
    )


def _owner_members(g: GraphView, compound: str, d: date) -> Iterator[tuple[str, str]]:
    """(member on ``d``, building) for the party members among the compound's owners."""
    for p, b in compound_residents(g, compound, d):
        if g.node(p).get("is_owner") is True:
            yield p, b


def _owner_candidate(g: GraphView, item: str, p: str, b: str, community: str | None, d: date) -> Row:
    reported = _reported(g, p, community, d)
    n = g.node(p)
    return candidate(
        item,
        p,
        n.get("name"),
        "person",
        "dual_reported_owner_member" if reported else "owner_member",
        b,
        0 if reported else 1,
        0 if full(g, p, d) else 1,
        n.get("phone"),
    )


# ================================================================ COMPOUND_OWNERS_COMMITTEE

_OWNERS_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Compound']}]-(c:Compound)
WITH c,
  EXISTS {{ MATCH (c)<-[:BELONGS_TO]-(k:OwnersCommittee)
           WHERE {current_on('k')} }} AS has_oc,
  EXISTS {{ MATCH (c)<-[:BELONGS_TO]-(k:SelfManagementCommittee)
           WHERE {current_on('k')} }} AS has_sm,
  coalesce(c.eligible_for_owners_committee, false) AS eligible
WITH c, has_oc, has_sm, eligible, has_oc OR (NOT eligible AND has_sm) AS covered
"""


def _owners_state(g: GraphView, c: str, d: date) -> tuple[bool, bool, bool]:
    """(covered, has a current self-management committee, eligible)."""
    has_oc = bool(_committees(g, c, "OwnersCommittee", d))
    has_sm = bool(_committees(g, c, "SelfManagementCommittee", d))
    eligible = g.node(c).get("eligible_for_owners_committee") is True
    return has_oc or (not eligible and has_sm), has_sm, eligible


COMPOUND_OWNERS_COMMITTEE_COUNT_CYPHER = _OWNERS_CORE + """
RETURN count(c) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def compound_owners_committee_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    return count_row(_owners_state(g, c, p["date"])[0] for c in under(g, p["area"], "Compound"))


COMPOUND_OWNERS_COMMITTEE_GAPS_CYPHER = _OWNERS_CORE + f"""
WITH c, has_sm, eligible WHERE NOT covered
RETURN c.id AS id, c.name AS name, eligible, has_sm AS has_self_management_committee,
  CASE WHEN eligible THEN 'needs_owners_committee' ELSE 'needs_self_management_committee' END AS status,
  COLLECT {{ MATCH (c)<-[:BELONGS_TO]-(k:OwnersCommittee) WHERE k.until < $date
            RETURN k.until AS u ORDER BY u DESC }}[0] AS owners_committee_ended,
  COUNT {{ MATCH (c)<-[:PART_OF]-(:Building)<-[:LIVES_IN]-(p:PartyMember)
          WHERE p.is_owner = true AND {member_on('p')} }} AS owner_members
ORDER BY id
"""


def compound_owners_committee_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for c in under(g, p["area"], "Compound"):
        covered, has_sm, eligible = _owners_state(g, c, d)
        if covered:
            continue
        ended = [
            u for k in _committees(g, c, "OwnersCommittee") if (u := g.node(k).get("until")) is not None and u < d
        ]
        rows.append(
            {
                "id": c,
                "name": g.node(c).get("name"),
                "eligible": eligible,
                "has_self_management_committee": has_sm,
                "status": "needs_owners_committee" if eligible else "needs_self_management_committee",
                "owners_committee_ended": max(ended) if ended else None,
                "owner_members": sum(1 for _ in _owner_members(g, c, d)),
            }
        )
    return by_id(rows)


COMPOUND_OWNERS_COMMITTEE_SUGGEST_CYPHER = f"""
UNWIND $ids AS item
MATCH (c:Compound {{id: item}})
OPTIONAL MATCH (c)-[:PART_OF*1..]->(m:Community)
CALL (c, m) {{
  CALL (c, m) {{
    MATCH (c)<-[:PART_OF]-(b:Building)<-[:LIVES_IN]-(p:PartyMember)
    WHERE p.is_owner = true AND {member_on('p')}
    WITH b, p, EXISTS {{ MATCH (p)-[r:REPORTED_TO]->(m)
                        WHERE {current_on('r')} }}
      AS reported
    RETURN p.id AS id, p.name AS name, p.phone AS phone, 'person' AS kind,
           CASE WHEN reported THEN 'dual_reported_owner_member' ELSE 'owner_member' END AS reason, b.id AS via,
           CASE WHEN reported THEN 0 ELSE 1 END AS grp,
           CASE WHEN {full_on('p')} THEN 0 ELSE 1 END AS sub
  }}""" + SUGGESTION_TAIL + """}
RETURN c.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""


def compound_owners_committee_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows: list[Row] = []
    for c in p["ids"]:
        if not g.has_label(c, "Compound"):
            continue
        community = up(g, c, "Community")
        rows += [_owner_candidate(g, c, m, b, community, d) for m, b in _owner_members(g, c, d)]
    return rank_candidates(rows, p["limit"])


def _explain_owners(r: Row) -> Explanation:
    if r["eligible"]:
        zh = f"小区{r['id']}具备成立业委会条件，但尚无在任业委会"
        en = f"compound {r['id']} is eligible for an owners' committee but has no current one"
        if r["owners_committee_ended"] is not None:
            zh += f"(上届任期于{r['owners_committee_ended'].isoformat()}届满，应换届)"
            en += f" (the last term ended on {r['owners_committee_ended'].isoformat()}: re-elect)"
        if r["has_self_management_committee"]:
            zh += "；现由自管委代行职责，应依法成立业主大会、选举业委会"
            en += "; a self-management committee acts for now, but an owners' committee is due"
    else:
        zh = f"小区{r['id']}暂不具备成立业委会条件，也没有在任自管委"
        en = f"compound {r['id']} is not yet eligible for an owners' committee and has no self-management committee"
    zh += f"；业主中有党员{r['owner_members']}名"
    en += f"; {r['owner_members']} party members are among its owners"
    return Explanation(r["status"], zh, en)


COMPOUND_OWNERS_COMMITTEE = Indicator(
    id="COMPOUND_OWNERS_COMMITTEE",
    title_zh="符合条件的小区成立业委会(2021年底前全覆盖)，其他小区成立自管委",
    title_en="an owners' committee in every eligible compound, a self-management committee in every other",
    unit_zh="小区",
    unit_en="compounds",
    item_kind="Compound",
    rule_zh="有在任业委会；或小区暂不具备条件而有在任自管委",
    rule_en="a current owners' committee, or a self-management committee where not yet eligible",
    count=Query(
        "indicator.COMPOUND_OWNERS_COMMITTEE.count",
        COMPOUND_OWNERS_COMMITTEE_COUNT_CYPHER,
        compound_owners_committee_count_nx,
    ),
    gaps=Query(
        "indicator.COMPOUND_OWNERS_COMMITTEE.gaps",
        COMPOUND_OWNERS_COMMITTEE_GAPS_CYPHER,
        compound_owners_committee_gaps_nx,
    ),
    suggest=Query(
        "indicator.COMPOUND_OWNERS_COMMITTEE.suggest",
        COMPOUND_OWNERS_COMMITTEE_SUGGEST_CYPHER,
        compound_owners_committee_suggest_nx,
    ),
    explain=_explain_owners,
    anchor="Compound",
)

# ================================================================ COMMITTEE_PARTY_SHARE

_SHARE_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Compound']}]-(c:Compound)<-[:BELONGS_TO]-(k:Committee)
WHERE (k:OwnersCommittee OR k:SelfManagementCommittee)
  AND {current_on('k')}
WITH c, k,
  COUNT {{ MATCH (k)<-[s:SEATED_ON]-(x:Person)
          WHERE {current_on('s')}
          RETURN DISTINCT x }} AS seats,
  COUNT {{ MATCH (k)<-[s:SEATED_ON]-(x:PartyMember)
          WHERE {current_on('s')} AND {member_on('x')}
          RETURN DISTINCT x }} AS member_seats
WITH c, k, seats, member_seats, seats > 0 AND member_seats * 2 >= seats AS covered
"""


def _area_committees(g: GraphView, area: str, d: date) -> Iterator[tuple[str, str]]:
    """(committee, compound) for the current owners' and self-management committees under ``area``."""
    for c in under(g, area, "Compound"):
        for label in ("OwnersCommittee", "SelfManagementCommittee"):
            for k in _committees(g, c, label, d):
                yield k, c


def _share(g: GraphView, k: str, d: date) -> tuple[int, int, bool]:
    seats = len(_seated(g, k, d))
    member_seats = len(_member_seats(g, k, d))
    return seats, member_seats, seats > 0 and member_seats * 2 >= seats


COMMITTEE_PARTY_SHARE_COUNT_CYPHER = _SHARE_CORE + """
RETURN count(k) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def committee_party_share_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    return count_row(_share(g, k, d)[2] for k, _ in _area_committees(g, p["area"], d))


COMMITTEE_PARTY_SHARE_GAPS_CYPHER = _SHARE_CORE + f"""
WITH c, k, seats, member_seats WHERE NOT covered
OPTIONAL MATCH (c)-[:PART_OF*1..]->(m:Community)
RETURN k.id AS id, k.name AS name,
  CASE WHEN k:OwnersCommittee THEN 'OwnersCommittee' ELSE 'SelfManagementCommittee' END AS committee_kind,
  c.id AS compound, seats, member_seats, (seats + 1) / 2 - member_seats AS members_needed,
  COLLECT {{ MATCH (k)<-[s:SEATED_ON]-(x:Person)
            WHERE s.role = 'chair' AND {current_on('s')}
            RETURN DISTINCT x.id AS y ORDER BY y }}[0] AS chair,
  EXISTS {{ MATCH (k)<-[s:SEATED_ON]-(x:PartyMember)
           WHERE s.role = 'chair' AND {current_on('s')} AND {member_on('x')} }}
    AS chair_is_member,
  COUNT {{ MATCH (k)<-[s:SEATED_ON]-(x:PartyMember)
          WHERE {current_on('s')} AND {member_on('x')}
            AND EXISTS {{ MATCH (x)-[r:REPORTED_TO]->(m)
                         WHERE {current_on('r')} }}
          RETURN DISTINCT x }} AS dual_reported_seats
ORDER BY id
"""


def committee_party_share_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for k, c in _area_committees(g, p["area"], d):
        seats, member_seats, covered = _share(g, k, d)
        if covered:
            continue
        community = up(g, c, "Community")
        chairs = {x: s for x, s in sources(g, k, "SEATED_ON", "Person") if s.get("role") == "chair" and current(s, d)}
        members = _member_seats(g, k, d)
        rows.append(
            {
                "id": k,
                "name": g.node(k).get("name"),
                "committee_kind": "OwnersCommittee" if g.has_label(k, "OwnersCommittee") else "SelfManagementCommittee",
                "compound": c,
                "seats": seats,
                "member_seats": member_seats,
                "members_needed": (seats + 1) // 2 - member_seats,
                "chair": min(chairs) if chairs else None,
                "chair_is_member": any(_is_member(g, x, d) for x in chairs),
                "dual_reported_seats": sum(1 for x in members if _reported(g, x, community, d)),
            }
        )
    return by_id(rows)


COMMITTEE_PARTY_SHARE_SUGGEST_CYPHER = f"""
UNWIND $ids AS item
MATCH (k:Committee {{id: item}})-[:BELONGS_TO]->(c:Compound)
OPTIONAL MATCH (c)-[:PART_OF*1..]->(m:Community)
CALL (k, c, m) {{
  CALL (k, c, m) {{
    MATCH (c)<-[:PART_OF]-(b:Building)<-[:LIVES_IN]-(p:PartyMember)
    WHERE p.is_owner = true AND {member_on('p')}
      AND NOT EXISTS {{ MATCH (p)-[s:SEATED_ON]->(k)
                       WHERE {current_on('s')} }}
    WITH b, p, EXISTS {{ MATCH (p)-[r:REPORTED_TO]->(m)
                        WHERE {current_on('r')} }}
      AS reported
    RETURN p.id AS id, p.name AS name, p.phone AS phone, 'person' AS kind,
           CASE WHEN reported THEN 'dual_reported_owner_member' ELSE 'owner_member' END AS reason, b.id AS via,
           CASE WHEN reported THEN 0 ELSE 1 END AS grp,
           CASE WHEN {full_on('p')} THEN 0 ELSE 1 END AS sub
  }}""" + SUGGESTION_TAIL + """}
RETURN k.id AS item, id, name, phone, kind, reason, via, grp, sub
ORDER BY item, grp, sub, id
"""


def committee_party_share_suggest_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows: list[Row] = []
    for k in p["ids"]:
        if not g.has_label(k, "Committee"):
            continue
        for c, _ in targets(g, k, "BELONGS_TO", "Compound"):
            community = up(g, c, "Community")
            seated = _seated(g, k, d)
            rows += [
                _owner_candidate(g, k, m, b, community, d) for m, b in _owner_members(g, c, d) if m not in seated
            ]
    return rank_candidates(rows, p["limit"])


def _explain_share(r: Row) -> Explanation:
    kind_zh = "业委会" if r["committee_kind"] == "OwnersCommittee" else "自管委"
    kind_en = "owners' committee" if r["committee_kind"] == "OwnersCommittee" else "self-management committee"
    if r["seats"] == 0:
        zh = f"{kind_zh}{r['id']}(小区{r['compound']})没有在任成员记录，无法计算党员比例"
        en = f"{kind_en} {r['id']} (compound {r['compound']}) has no current seats recorded: no party share"
        return Explanation("no_seats", zh, en)
    pct = 100 * r["member_seats"] / r["seats"]
    zh = (
        f"{kind_zh}{r['id']}(小区{r['compound']})在任成员{r['seats']}名，其中党员{r['member_seats']}名"
        f"(占{pct:.0f}%)，低于50%，还需{r['members_needed']}名党员；主任"
        + ("是党员" if r["chair_is_member"] else ("不是党员" if r["chair"] else "空缺"))
        + f"；“双报到”党员成员{r['dual_reported_seats']}名"
    )
    en = (
        f"{kind_en} {r['id']} (compound {r['compound']}): {r['member_seats']} of {r['seats']} current seats "
        f"are party members ({pct:.0f}%), below 50%; {count_en(r['members_needed'], 'more member seat')} needed; the chair "
        + ("is a member" if r["chair_is_member"] else ("is not a member" if r["chair"] else "is vacant"))
        + f"; {count_en(r['dual_reported_seats'], 'seat')} held by dual-reported members"
    )
    return Explanation("below_half", zh, en)


COMMITTEE_PARTY_SHARE = Indicator(
    id="COMMITTEE_PARTY_SHARE",
    title_zh="业委会(自管委)成员中党员比例不低于50%，鼓励党员担任主任",
    title_en="party members at least 50% of an owners'/self-management committee's seats",
    unit_zh="委员会",
    unit_en="committees",
    item_kind="Committee",
    rule_zh="在任成员中党员(含预备党员)占比不低于50%(同时列出主任是否党员、“双报到”党员成员数)",
    rule_en="share of party members (probationary included) among current seats >= 50% "
    "(the chair and dual-reported seats are reported alongside)",
    count=Query("indicator.COMMITTEE_PARTY_SHARE.count", COMMITTEE_PARTY_SHARE_COUNT_CYPHER, committee_party_share_count_nx),
    gaps=Query("indicator.COMMITTEE_PARTY_SHARE.gaps", COMMITTEE_PARTY_SHARE_GAPS_CYPHER, committee_party_share_gaps_nx),
    suggest=Query(
        "indicator.COMMITTEE_PARTY_SHARE.suggest", COMMITTEE_PARTY_SHARE_SUGGEST_CYPHER, committee_party_share_suggest_nx
    ),
    explain=_explain_share,
    anchor="Compound",
)

# ================================================================ COMMUNITY_ENV_PROPERTY_COMMITTEE

_ENV_CORE = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Community']}]-(m:Community)
WITH m, EXISTS {{
  MATCH (m)<-[:BELONGS_TO]-(:ResidentsCommittee)<-[:BELONGS_TO]-(k:EnvironmentPropertyCommittee)
  WHERE {current_on('k')}
}} AS covered
"""


def _env_covered(g: GraphView, m: str, d: date) -> bool:
    return any(
        _committees(g, rc, "EnvironmentPropertyCommittee", d) for rc in _committees(g, m, "ResidentsCommittee")
    )


COMMUNITY_ENV_PROPERTY_COMMITTEE_COUNT_CYPHER = _ENV_CORE + """
RETURN count(m) AS total, count(CASE WHEN covered THEN 1 END) AS covered
"""


def community_env_property_committee_count_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    return count_row(_env_covered(g, m, p["date"]) for m in under(g, p["area"], "Community"))


COMMUNITY_ENV_PROPERTY_COMMITTEE_GAPS_CYPHER = _ENV_CORE + """
WITH m WHERE NOT covered
WITH m,
  COLLECT { MATCH (m)<-[:BELONGS_TO]-(rc:ResidentsCommittee) WITH DISTINCT rc ORDER BY rc.id RETURN rc.id }
    AS residents_committees,
  COLLECT { MATCH (m)<-[:BELONGS_TO]-(rc:ResidentsCommittee) WITH DISTINCT rc ORDER BY rc.id RETURN rc.name }
    AS residents_committee_names,
  COLLECT { MATCH (m)<-[:BELONGS_TO]-(:ResidentsCommittee)<-[:BELONGS_TO]-(k:EnvironmentPropertyCommittee)
            WHERE k.until < $date RETURN DISTINCT k.id AS x ORDER BY x } AS ended
RETURN m.id AS id, m.name AS name, residents_committees, residents_committee_names, ended,
  CASE WHEN size(residents_committees) = 0 THEN 'no_residents_committee' ELSE 'no_env_property_committee' END
    AS status
ORDER BY id
"""


def community_env_property_committee_gaps_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    d = p["date"]
    rows = []
    for m in under(g, p["area"], "Community"):
        if _env_covered(g, m, d):
            continue
        rcs = sorted(set(_committees(g, m, "ResidentsCommittee")))
        ended = {
            k
            for rc in rcs
            for k in _committees(g, rc, "EnvironmentPropertyCommittee")
            if (u := g.node(k).get("until")) is not None and u < d
        }
        rows.append(
            {
                "id": m,
                "name": g.node(m).get("name"),
                "residents_committees": rcs,
                "residents_committee_names": [g.node(rc).get("name") for rc in rcs],
                "ended": sorted(ended),
                "status": "no_env_property_committee" if rcs else "no_residents_committee",
            }
        )
    return by_id(rows)


def _explain_env(r: Row) -> Explanation:
    if r["status"] == "no_residents_committee":
        return Explanation(
            r["status"],
            f"社区{r['id']}没有居委会记录，更无环境和物业管理委员会",
            f"community {r['id']} has no residents' committee recorded, so no environment and property committee",
        )
    zh = f"社区{r['id']}的居委会{'、'.join(r['residents_committees'])}尚未下设环境和物业管理委员会"
    en = (
        f"the residents' committee {', '.join(r['residents_committees'])} of community {r['id']} "
        f"has no current environment and property management committee"
    )
    if r["ended"]:
        zh += f"(原委员会{'、'.join(r['ended'])}已到期)"
        en += f" ({', '.join(r['ended'])} ended)"
    return Explanation(r["status"], zh, en)


def _env_row_suggestions(r: Row) -> list[Row]:
    return [
        candidate(r["id"], rc, name, "committee", "residents_committee", None, 0)
        for rc, name in zip(r["residents_committees"], r["residents_committee_names"], strict=True)
    ]


COMMUNITY_ENV_PROPERTY_COMMITTEE = Indicator(
    id="COMMUNITY_ENV_PROPERTY_COMMITTEE",
    title_zh="社区居委会全面下设环境和物业管理委员会",
    title_en="every residents' committee has an environment and property management committee",
    unit_zh="社区",
    unit_en="communities",
    item_kind="Community",
    rule_zh="社区居委会下设有在任的环境和物业管理委员会",
    rule_en="an environment and property management committee (current term) belongs to the community's "
    "residents' committee",
    count=Query(
        "indicator.COMMUNITY_ENV_PROPERTY_COMMITTEE.count",
        COMMUNITY_ENV_PROPERTY_COMMITTEE_COUNT_CYPHER,
        community_env_property_committee_count_nx,
    ),
    gaps=Query(
        "indicator.COMMUNITY_ENV_PROPERTY_COMMITTEE.gaps",
        COMMUNITY_ENV_PROPERTY_COMMITTEE_GAPS_CYPHER,
        community_env_property_committee_gaps_nx,
    ),
    row_suggestions=_env_row_suggestions,
    explain=_explain_env,
    anchor="Community",
)

INDICATORS = (COMPOUND_OWNERS_COMMITTEE, COMMITTEE_PARTY_SHARE, COMMUNITY_ENV_PROPERTY_COMMITTEE)

"""The requests of the peer figure, each written once per side, and their answers normalised.

Seven requests (the five of issue 13's table, one filter-heavy, one aggregation), each as

* **Gongzhi, current API**: the hand-written fields of ``schema.graphql``;
* **Gongzhi, generated API**: the ``graph { ... }`` root of the API generated from the model
  (issue 13, item 1); used when the served schema has it and the document validates,
  otherwise the current one (``bench/peer.py`` says which in the figure);
* **the peer**: ``@neo4j/graphql`` over type definitions generated from the model
  (``bench/peer_typedefs.py``), as a full-access user with no authorization;
* **raw**: one hand-written Cypher statement, the floor.

All mean the same on ``$day`` (``bench.worker.AS_OF_ISO``): a relationship is current when
``since`` is empty or on or before the day and ``until`` is empty or on or after it
(``queries.common.current_on``); a "member" of an area list is a ``PartyMember`` who had
joined by the day (``member_on``); a building "has a party group" when a current group covers
it or, having entrances, all of its entrances (``api.list.buildings``). Each side's answer is
turned into the same plain value (ledger ids, lists sorted) by its ``canon`` function, so the
bench can check them equal before timing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.peer_typedefs import field_of, incoming_of
from graph.model import MEMBER_CODES
from queries.common import DEPTH, current_on, full_on, member_on

Canon = Callable[[Any], Any]


@dataclass(frozen=True)
class Side:
    document: str  # GraphQL, or Cypher for the raw side
    canon: Canon  # the answer's ``data`` (rows for raw) -> the plain value compared


@dataclass(frozen=True)
class PeerRequest:
    name: str
    current: Side
    generated: Side
    peer: Side
    raw: Side
    #: variables of every side (the raw side gets them as parameters)
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PeerTargets:
    """What the requests ask about: ids read from the generated input (``bench.peer``)."""

    district: str
    community: str
    compound: str
    subdistricts: tuple[str, ...]
    day: str


# ---------------------------------------------------------------- normalising


def _pairs(items: Any, key: str = "key") -> list[tuple[str, str]]:
    return sorted((i[key], i["name"]) for i in items)


def _edges(conn: Mapping[str, Any]) -> list[Any]:
    return [e["node"] for e in conn["edges"]]


# ---------------------------------------------------------------- the peer's filters

#: Field names of the peer's schema, from the model (so a renamed relationship fails here).
B_COMPOUND = field_of("Building", "PART_OF", "Compound")
C_GRID = field_of("Compound", "PART_OF", "Grid")
C_COMMUNITY = field_of("Compound", "PART_OF", "Community")
G_COMMUNITY = field_of("Grid", "PART_OF", "Community")
CM_SUB = field_of("Community", "PART_OF", "Subdistrict")
S_DISTRICT = field_of("Subdistrict", "PART_OF", "District")
P_BUILDING = field_of("Person", "LIVES_IN", "Building")
P_MEMBER_OF = field_of("Person", "MEMBER_OF", "PartyOrg")
P_RESIDENCE = field_of("Person", "REGISTERED_AT_RESIDENCE", "PartyOrg")
COVERED_BY = incoming_of("Building", "COVERS", "PartyOrg")
ENTRANCES = incoming_of("Building", "PART_OF", "Entrance")
RESIDENTS = incoming_of("Building", "LIVES_IN", "Person")
BUILDINGS = incoming_of("Compound", "PART_OF", "Building")
SUBS = incoming_of("District", "PART_OF", "Subdistrict")
COMMUNITIES = incoming_of("Subdistrict", "PART_OF", "Community")
GRIDS = incoming_of("Community", "PART_OF", "Grid")
COMPOUNDS = incoming_of("Community", "PART_OF", "Compound")
GRID_COMPOUNDS = incoming_of("Grid", "PART_OF", "Compound")

#: current on $day (``queries.common.current_on``)
CURRENT = (
    "{AND: [{OR: [{since: {eq: null}}, {since: {lte: $day}}]}, "
    "{OR: [{until: {eq: null}}, {until: {gte: $day}}]}]}"
)
_CODES = ", ".join(f'"{c}"' for c in MEMBER_CODES)
#: a PartyMember (the label is political_status in MEMBER_CODES, graph/model.py)
PARTY_MEMBER = f"{{political_status: {{in: [{_CODES}]}}}}"
#: a PartyMember on $day (``member_on``)
MEMBER_ON_DAY = f"{{AND: [{PARTY_MEMBER}, {{OR: [{{joined_on: {{eq: null}}}}, {{joined_on: {{lte: $day}}}}]}}]}}"
GROUP_CURRENT = f'{{node: {{level: {{eq: "group"}}}}, edge: {CURRENT}}}'
#: has a party group, as ``api.list.buildings`` says
HAS_GROUP = (
    f"{{OR: [{{{COVERED_BY}Connection: {{some: {GROUP_CURRENT}}}}}, "
    f"{{AND: [{{{ENTRANCES}: {{some: {{}}}}}}, "
    f"{{{ENTRANCES}: {{all: {{{COVERED_BY}Connection: {{some: {GROUP_CURRENT}}}}}}}}}]}}]}}"
)


#: the generated API's filters (``graph { }``): the same predicates in its where-inputs
GEN_PARTY_MEMBER = "{politicalStatus: {in: [MEMBER, PROBATIONARY]}}"
GEN_MEMBER_ON_DAY = (
    "{AND: [{politicalStatus: {in: [MEMBER, PROBATIONARY]}}, {buildingIsNull: false}, "
    "{OR: [{joinedOn: {isNull: true}}, {joinedOn: {lte: $day}}]}]}"
)
GEN_GROUP = "{node: {level: {eq: GROUP}}}"  # a relationship table: {rel, node}
GEN_HAS_GROUP = (
    f"{{OR: [{{coveredBySome: {GEN_GROUP}}}, "
    f"{{AND: [{{entrancesCount: {{gt: 0}}}}, {{entrancesAll: {{coveredBySome: {GEN_GROUP}}}}}]}}]}}"
)
GEN_BY_ID = "[{field: ID, direction: ASC}]"


def community_under(area_var: str, level: str) -> str:
    """A CommunityWhere: the community is ``$area_var`` (level Community) or lies under it."""
    if level == "Community":
        return f"{{id: {{eq: ${area_var}}}}}"
    if level == "Subdistrict":
        return f"{{{CM_SUB}: {{some: {{id: {{eq: ${area_var}}}}}}}}}"
    if level == "District":
        return f"{{{CM_SUB}: {{some: {{{S_DISTRICT}: {{some: {{id: {{eq: ${area_var}}}}}}}}}}}}}"
    raise ValueError(level)


def building_under(area_var: str, level: str) -> str:
    """A BuildingWhere: the building lies under the area (its compound under a grid or not)."""
    c = community_under(area_var, level)
    return (
        f"{{{B_COMPOUND}: {{some: {{OR: [{{{C_GRID}: {{some: {{{G_COMMUNITY}: {{some: {c}}}}}}}}}, "
        f"{{{C_COMMUNITY}: {{some: {c}}}}}]}}}}}}"
    )


# ---------------------------------------------------------------- raw Cypher helpers

CURRENT_R = current_on("r").replace("$date", "$day")
MEMBER_P = member_on("p").replace("$date", "$day")
FULL_P = full_on("p").replace("$date", "$day")
_GROUP_R = f"o.level = 'group' AND {CURRENT_R}"
RAW_HAS_GROUP = f"""(EXISTS {{ MATCH (b)<-[r:COVERS]-(o:PartyOrg) WHERE {_GROUP_R} }}
    OR (EXISTS {{ MATCH (b)<-[:PART_OF]-(:Entrance) }}
        AND NOT EXISTS {{ MATCH (b)<-[:PART_OF]-(e:Entrance)
                          WHERE NOT EXISTS {{ MATCH (e)<-[r:COVERS]-(o:PartyOrg) WHERE {_GROUP_R} }} }}))"""
#: the members of an area (``api.list.members``): through a building under it
RAW_AREA_MEMBERS = f"""MATCH (:Place {{id: $area}})<-[:PART_OF*0..{DEPTH['Building']}]-(:Building)<-[:LIVES_IN]-(p:PartyMember)
WHERE {MEMBER_P}
WITH DISTINCT p"""


# ================================================================ 1. one compound

R1 = "one compound: buildings, their entrances and resident members, covering orgs"

R1_CURRENT = """query R1($compound: ID!, $day: Date!) {
  node(id: $compound) {
    ... on Compound {
      key name
      coveredBy(asOf: $day, first: 20) { nodes { key name } }
      buildings(first: 100) {
        nodes {
          key name
          entrances(first: 20) { nodes { key name } }
          residents(partyMembersOnly: true, first: 100) { nodes { key name } }
          coveredBy(asOf: $day, first: 20) { nodes { key name } }
        }
      }
    }
  }
}"""


def _r1_building(b: Mapping[str, Any], key: str, ent: Any, res: Any, cov: Any) -> tuple[Any, ...]:
    return (b[key], b["name"], _pairs(ent, key), _pairs(res, key), _pairs(cov, key))


def r1_current(data: Any) -> Any:
    c = data["node"]
    buildings = sorted(
        _r1_building(b, "key", b["entrances"]["nodes"], b["residents"]["nodes"], b["coveredBy"]["nodes"])
        for b in c["buildings"]["nodes"]
    )
    return (c["key"], c["name"], _pairs(c["coveredBy"]["nodes"]), buildings)


R1_GENERATED = f"""query R1($compound: ID!, $day: Date!) {{
  graph {{
    compounds(area: $compound, asOf: $day, first: 1) {{
      nodes {{
        key name
        coveredBy(asOf: $day, first: 20) {{ nodes {{ key name }} }}
        buildings(first: 100) {{
          nodes {{
            key name
            entrances(first: 20) {{ nodes {{ key name }} }}
            persons(where: {GEN_PARTY_MEMBER}, first: 100) {{ nodes {{ key name }} }}
            coveredBy(asOf: $day, first: 20) {{ nodes {{ key name }} }}
          }}
        }}
      }}
    }}
  }}
}}"""


def r1_generated(data: Any) -> Any:
    c = data["graph"]["compounds"]["nodes"][0]
    buildings = sorted(
        _r1_building(b, "key", b["entrances"]["nodes"], b["persons"]["nodes"], b["coveredBy"]["nodes"])
        for b in c["buildings"]["nodes"]
    )
    return (c["key"], c["name"], _pairs(c["coveredBy"]["nodes"]), buildings)


R1_PEER = f"""query R1($compound: ID!, $day: Date!) {{
  compounds(where: {{id: {{eq: $compound}}}}) {{
    id name
    {COVERED_BY}Connection(where: {{edge: {CURRENT}}}) {{ edges {{ node {{ id name }} }} }}
    {BUILDINGS} {{
      id name
      {ENTRANCES} {{ id name }}
      {RESIDENTS}(where: {PARTY_MEMBER}) {{ id name }}
      {COVERED_BY}Connection(where: {{edge: {CURRENT}}}) {{ edges {{ node {{ id name }} }} }}
    }}
  }}
}}"""


def r1_peer(data: Any) -> Any:
    c = data["compounds"][0]
    buildings = sorted(
        _r1_building(b, "id", b[ENTRANCES], b[RESIDENTS], _edges(b[f"{COVERED_BY}Connection"]))
        for b in c[BUILDINGS]
    )
    return (c["id"], c["name"], _pairs(_edges(c[f"{COVERED_BY}Connection"]), "id"), buildings)


R1_RAW = f"""
MATCH (c:Compound {{id: $compound}})
RETURN c.id AS id, c.name AS name,
  COLLECT {{ MATCH (c)<-[r:COVERS]-(o:PartyOrg) WHERE {CURRENT_R} RETURN o {{.id, .name}} AS o }} AS covered,
  COLLECT {{
    MATCH (c)<-[:PART_OF]-(b:Building)
    RETURN b {{.id, .name,
      entrances: COLLECT {{ MATCH (b)<-[:PART_OF]-(e:Entrance) RETURN e {{.id, .name}} AS e }},
      residents: COLLECT {{ MATCH (b)<-[:LIVES_IN]-(p:PartyMember) RETURN p {{.id, .name}} AS p }},
      covered: COLLECT {{ MATCH (b)<-[r:COVERS]-(o:PartyOrg) WHERE {CURRENT_R} RETURN o {{.id, .name}} AS o }}
    }} AS b
  }} AS buildings
"""


def r1_raw(rows: Any) -> Any:
    c = rows[0]
    buildings = sorted(
        _r1_building(b, "id", b["entrances"], b["residents"], b["covered"]) for b in c["buildings"]
    )
    return (c["id"], c["name"], _pairs(c["covered"], "id"), buildings)


# ================================================================ 2. buildings with no group

R2 = "a community's buildings with no party group (first 100) with member counts"

R2_CURRENT = """query R2($community: ID!, $day: Date!) {
  buildings(area: $community, filter: {hasPartyGroup: false}, asOf: $day, first: 100) {
    totalCount
    nodes { key name residents(partyMembersOnly: true, first: 0) { totalCount } }
  }
}"""


def r2_current(data: Any) -> Any:
    b = data["buildings"]
    return (b["totalCount"], [(n["key"], n["name"], n["residents"]["totalCount"]) for n in b["nodes"]])


R2_GENERATED = f"""query R2($community: ID!, $day: Date!) {{
  graph {{
    buildings(area: $community, asOf: $day, where: {{NOT: {GEN_HAS_GROUP}}}, orderBy: {GEN_BY_ID}, first: 100) {{
      totalCount
      nodes {{ key name persons(where: {GEN_PARTY_MEMBER}, first: 0) {{ totalCount }} }}
    }}
  }}
}}"""


def r2_generated(data: Any) -> Any:
    b = data["graph"]["buildings"]
    return (b["totalCount"], [(n["key"], n["name"], n["persons"]["totalCount"]) for n in b["nodes"]])


R2_PEER = f"""query R2($community: ID!, $day: Date!) {{
  buildingsConnection(
    where: {{AND: [{building_under("community", "Community")}, {{NOT: {HAS_GROUP}}}]}}
    sort: [{{id: ASC}}]
    first: 100
  ) {{
    totalCount
    edges {{ node {{ id name {RESIDENTS}Connection(where: {{node: {PARTY_MEMBER}}}) {{ totalCount }} }} }}
  }}
}}"""


def r2_peer(data: Any) -> Any:
    b = data["buildingsConnection"]
    return (
        b["totalCount"],
        [(n["id"], n["name"], n[f"{RESIDENTS}Connection"]["totalCount"]) for n in _edges(b)],
    )


R2_RAW = f"""
MATCH (:Community {{id: $community}})<-[:PART_OF*1..2]-(:Compound)<-[:PART_OF]-(b:Building)
WHERE NOT {RAW_HAS_GROUP}
WITH b ORDER BY b.id
WITH collect(b) AS found
RETURN size(found) AS total,
  [b IN found[..100] | b {{.id, .name, members: COUNT {{ MATCH (b)<-[:LIVES_IN]-(:PartyMember) }}}}] AS page
"""


def r2_raw(rows: Any) -> Any:
    r = rows[0]
    return (r["total"], [(b["id"], b["name"], b["members"]) for b in r["page"]])


# ================================================================ 3. 100 members by id

R3 = "100 members of the district by id, with building and membership org"

R3_CURRENT = """query R3($district: ID!, $day: Date!) {
  members(area: $district, asOf: $day, first: 100) {
    nodes {
      key name
      building { key name }
      memberships(asOf: $day, first: 100) { nodes { key name } }
    }
  }
}"""


def _r3(p: Mapping[str, Any], key: str, building: Any, orgs: Any) -> tuple[Any, ...]:
    b = (building[key], building["name"]) if building else None
    return (p[key], p["name"], b, _pairs(orgs, key))


def r3_current(data: Any) -> Any:
    return [_r3(p, "key", p["building"], p["memberships"]["nodes"]) for p in data["members"]["nodes"]]


R3_GENERATED = f"""query R3($district: ID!, $day: Date!) {{
  graph {{
    persons(area: $district, asOf: $day, where: {GEN_MEMBER_ON_DAY}, orderBy: {GEN_BY_ID}, first: 100) {{
      nodes {{
        key name
        building {{ key name }}
        memberships(asOf: $day, first: 100) {{ nodes {{ key name }} }}
      }}
    }}
  }}
}}"""


def r3_generated(data: Any) -> Any:
    return [_r3(p, "key", p["building"], p["memberships"]["nodes"]) for p in data["graph"]["persons"]["nodes"]]


R3_PEER = f"""query R3($district: ID!, $day: Date!) {{
  people(
    where: {{AND: [{MEMBER_ON_DAY}, {{{P_BUILDING}: {{some: {building_under("district", "District")}}}}}]}}
    sort: [{{id: ASC}}]
    limit: 100
  ) {{
    id name
    {P_BUILDING} {{ id name }}
    {P_MEMBER_OF}Connection(where: {{edge: {CURRENT}}}) {{ edges {{ node {{ id name }} }} }}
  }}
}}"""


def r3_peer(data: Any) -> Any:
    return [
        _r3(p, "id", (p[P_BUILDING] or [None])[0], _edges(p[f"{P_MEMBER_OF}Connection"])) for p in data["people"]
    ]


R3_RAW = f"""
{RAW_AREA_MEMBERS}
ORDER BY p.id LIMIT 100
RETURN p.id AS id, p.name AS name,
  COLLECT {{ MATCH (p)-[:LIVES_IN]->(b:Building) RETURN b {{.id, .name}} AS b }} AS building,
  COLLECT {{ MATCH (p)-[r:MEMBER_OF]->(o:PartyOrg) WHERE {CURRENT_R} RETURN DISTINCT o {{.id, .name}} AS o }} AS orgs
ORDER BY id
"""


def r3_raw(rows: Any) -> Any:
    return [_r3(r, "id", (r["building"] or [None])[0], r["orgs"]) for r in rows]


# ================================================================ 4. two counts

R4 = "count of buildings and of those without a group"

R4_CURRENT = """query R4($district: ID!, $day: Date!) {
  all: buildings(area: $district, asOf: $day, first: 0) { totalCount }
  noGroup: buildings(area: $district, filter: {hasPartyGroup: false}, asOf: $day, first: 0) { totalCount }
}"""


def r4_current(data: Any) -> Any:
    return (data["all"]["totalCount"], data["noGroup"]["totalCount"])


R4_GENERATED = f"""query R4($district: ID!, $day: Date!) {{
  graph {{
    all: buildings(area: $district, asOf: $day, first: 0) {{ totalCount }}
    noGroup: buildings(area: $district, asOf: $day, where: {{NOT: {GEN_HAS_GROUP}}}, first: 0) {{ totalCount }}
  }}
}}"""


def r4_generated(data: Any) -> Any:
    g = data["graph"]
    return (g["all"]["totalCount"], g["noGroup"]["totalCount"])


R4_PEER = f"""query R4($district: ID!, $day: Date!) {{
  all: buildingsConnection(where: {building_under("district", "District")}) {{ totalCount }}
  noGroup: buildingsConnection(
    where: {{AND: [{building_under("district", "District")}, {{NOT: {HAS_GROUP}}}]}}
  ) {{ totalCount }}
}}"""


def r4_peer(data: Any) -> Any:
    return (data["all"]["totalCount"], data["noGroup"]["totalCount"])


R4_RAW = f"""
MATCH (:District {{id: $district}})<-[:PART_OF*3..5]-(b:Building)
RETURN count(b) AS all, count(CASE WHEN NOT {RAW_HAS_GROUP} THEN 1 END) AS no_group
"""


def r4_raw(rows: Any) -> Any:
    return (rows[0]["all"], rows[0]["no_group"])


# ================================================================ 5. the place tree

R5 = "district → subdistricts → communities → compounds (names)"

R5_CURRENT = """query R5($district: ID!) {
  node(id: $district) {
    ... on District {
      key name
      children(first: 20) {
        nodes {
          key name
          ... on Subdistrict {
            communities(first: 20) {
              nodes {
                key name
                children(first: 30) {
                  nodes {
                    __typename key name
                    ... on Grid { compounds(first: 20) { nodes { key name } } }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}"""


def _tree(key: str, d: Any, subs: Any) -> Any:
    return (d[key], d["name"], sorted(subs))


def r5_current(data: Any) -> Any:
    d = data["node"]
    subs = []
    for s in d["children"]["nodes"]:
        comms = []
        for c in s["communities"]["nodes"]:
            compounds: list[Any] = []
            for x in c["children"]["nodes"]:
                if x["__typename"] == "Compound":
                    compounds.append(x)
                elif x["__typename"] == "Grid":
                    compounds += x["compounds"]["nodes"]
            comms.append((c["key"], c["name"], _pairs(compounds)))
        subs.append((s["key"], s["name"], sorted(comms)))
    return _tree("key", d, subs)


R5_GENERATED = """query R5($district: ID!) {
  graph {
    districts(area: $district, first: 1) {
      nodes {
        key name
        subdistricts(first: 20) {
          nodes {
            key name
            communities(first: 20) {
              nodes {
                key name
                compounds(first: 20) { nodes { key name } }
                grids(first: 30) { nodes { compounds(first: 20) { nodes { key name } } } }
              }
            }
          }
        }
      }
    }
  }
}"""


def _r5_nested(d: Any, subs_of: Callable[[Any], Any], comms_of: Callable[[Any], Any],
               compounds_of: Callable[[Any], Any], grids_of: Callable[[Any], Any],
               grid_compounds_of: Callable[[Any], Any], key: str = "id") -> Any:  # fmt: skip
    subs = []
    for s in subs_of(d):
        comms = []
        for c in comms_of(s):
            compounds = list(compounds_of(c)) + [x for g in grids_of(c) for x in grid_compounds_of(g)]
            comms.append((c[key], c["name"], _pairs(compounds, key)))
        subs.append((s[key], s["name"], sorted(comms)))
    return _tree(key, d, subs)


def r5_generated(data: Any) -> Any:
    return _r5_nested(
        data["graph"]["districts"]["nodes"][0],
        lambda d: d["subdistricts"]["nodes"],
        lambda s: s["communities"]["nodes"],
        lambda c: c["compounds"]["nodes"],
        lambda c: c["grids"]["nodes"],
        lambda g: g["compounds"]["nodes"],
        "key",
    )


R5_PEER = f"""query R5($district: ID!) {{
  districts(where: {{id: {{eq: $district}}}}) {{
    id name
    {SUBS} {{
      id name
      {COMMUNITIES} {{
        id name
        {COMPOUNDS} {{ id name }}
        {GRIDS} {{ {GRID_COMPOUNDS} {{ id name }} }}
      }}
    }}
  }}
}}"""


def r5_peer(data: Any) -> Any:
    return _r5_nested(
        data["districts"][0],
        lambda d: d[SUBS],
        lambda s: s[COMMUNITIES],
        lambda c: c[COMPOUNDS],
        lambda c: c[GRIDS],
        lambda g: g[GRID_COMPOUNDS],
    )


R5_RAW = """
MATCH (d:District {id: $district})
RETURN d.id AS id, d.name AS name, COLLECT {
  MATCH (d)<-[:PART_OF]-(s:Subdistrict)
  RETURN s {.id, .name, communities: COLLECT {
    MATCH (s)<-[:PART_OF]-(c:Community)
    RETURN c {.id, .name, compounds: COLLECT {
      MATCH (c)<-[:PART_OF*1..2]-(x:Compound) RETURN x {.id, .name} AS x
    }} AS c
  }} AS s
} AS subs
"""


def r5_raw(rows: Any) -> Any:
    d = rows[0]
    subs = [
        (s["id"], s["name"], sorted((c["id"], c["name"], _pairs(c["compounds"], "id")) for c in s["communities"]))
        for s in d["subs"]
    ]
    return _tree("id", d, subs)


# ================================================================ 6. filter-heavy

R6 = "filter-heavy: in-service full members with a membership and no residence branch (first 100)"

R6_CURRENT = """query R6($district: ID!, $day: Date!) {
  members(area: $district, asOf: $day, first: 100,
          filter: {inService: true, full: true, hasMembership: true, hasResidenceBranch: false}) {
    totalCount
    nodes { key name }
  }
}"""


def r6_current(data: Any) -> Any:
    m = data["members"]
    return (m["totalCount"], [(p["key"], p["name"]) for p in m["nodes"]])


R6_GENERATED = f"""query R6($district: ID!, $day: Date!) {{
  graph {{
    persons(
      area: $district, asOf: $day, orderBy: {GEN_BY_ID}, first: 100,
      where: {{AND: [
        {GEN_MEMBER_ON_DAY},
        {{politicalStatus: {{eq: MEMBER}}}},
        {{OR: [{{fullOn: {{isNull: true}}}}, {{fullOn: {{lte: $day}}}}]}},
        {{inService: {{eq: true}}}},
        {{membershipsSome: {{}}}},
        {{residenceRegistrationsNone: {{}}}}
      ]}}
    ) {{
      totalCount
      nodes {{ key name }}
    }}
  }}
}}"""


def r6_generated(data: Any) -> Any:
    m = data["graph"]["persons"]
    return (m["totalCount"], [(p["key"], p["name"]) for p in m["nodes"]])


R6_PEER = f"""query R6($district: ID!, $day: Date!) {{
  peopleConnection(
    where: {{AND: [
      {MEMBER_ON_DAY},
      {{political_status: {{eq: "member"}}}},
      {{OR: [{{full_on: {{eq: null}}}}, {{full_on: {{lte: $day}}}}]}},
      {{in_service: {{eq: true}}}},
      {{{P_MEMBER_OF}Connection: {{some: {{edge: {CURRENT}}}}}}},
      {{{P_RESIDENCE}Connection: {{none: {{edge: {CURRENT}}}}}}},
      {{{P_BUILDING}: {{some: {building_under("district", "District")}}}}}
    ]}}
    sort: [{{id: ASC}}]
    first: 100
  ) {{
    totalCount
    edges {{ node {{ id name }} }}
  }}
}}"""


def r6_peer(data: Any) -> Any:
    m = data["peopleConnection"]
    return (m["totalCount"], [(p["id"], p["name"]) for p in _edges(m)])


R6_RAW = f"""
{RAW_AREA_MEMBERS}
WHERE {FULL_P} AND coalesce(p.in_service, false)
  AND EXISTS {{ MATCH (p)-[r:MEMBER_OF]->(:PartyOrg) WHERE {CURRENT_R} }}
  AND NOT EXISTS {{ MATCH (p)-[r:REGISTERED_AT_RESIDENCE]->(:PartyOrg) WHERE {CURRENT_R} }}
WITH p ORDER BY p.id
WITH collect(p) AS found
RETURN size(found) AS total, [p IN found[..100] | p {{.id, .name}}] AS page
"""


def r6_raw(rows: Any) -> Any:
    r = rows[0]
    return (r["total"], [(p["id"], p["name"]) for p in r["page"]])


# ================================================================ 7. aggregation

R7 = "aggregation: per subdistrict, buildings and members on the day"


def _subdistrict_vars(t: PeerTargets) -> dict[str, str]:
    return {f"s{i}": s for i, s in enumerate(t.subdistricts)}


def r7_current_document(t: PeerTargets) -> str:
    fields = "\n".join(
        f"  b{i}: buildings(area: $s{i}, asOf: $day, first: 0) {{ totalCount }}\n"
        f"  m{i}: members(area: $s{i}, asOf: $day, first: 0) {{ totalCount }}"
        for i in range(len(t.subdistricts))
    )
    args = ", ".join(f"$s{i}: ID!" for i in range(len(t.subdistricts)))
    return f"query R7({args}, $day: Date!) {{\n{fields}\n}}"


def _r7(t: PeerTargets, get: Callable[[str], int]) -> Any:
    return sorted((s, get(f"b{i}"), get(f"m{i}")) for i, s in enumerate(t.subdistricts))


def r7_generated_document(t: PeerTargets) -> str:
    """The generated API groups by a place level: two root fields, whatever the subdistricts."""
    return f"""query R7($district: ID!, $day: Date!) {{
  graph {{
    buildings(area: $district, asOf: $day, first: 0) {{ groupBy(level: SUBDISTRICT) {{ place {{ key }} count }} }}
    members: persons(area: $district, asOf: $day, where: {GEN_MEMBER_ON_DAY}, first: 0) {{
      groupBy(level: SUBDISTRICT) {{ place {{ key }} count }}
    }}
  }}
}}"""


def _groups(t: PeerTargets, buildings: Any, members: Any) -> Any:
    b = {g["place"]["key"]: g["count"] for g in buildings}
    m = {g["place"]["key"]: g["count"] for g in members}
    return sorted((s, b.get(s, 0), m.get(s, 0)) for s in t.subdistricts)


def r7_peer_document(t: PeerTargets) -> str:
    member = f"{{AND: [{MEMBER_ON_DAY}, {{{P_BUILDING}: {{some: {building_under('s{i}', 'Subdistrict')}}}}}]}}"
    fields = "\n".join(
        f"  b{i}: buildingsConnection(where: {building_under(f's{i}', 'Subdistrict')}) "
        "{ aggregate { count { nodes } } }\n"
        f"  m{i}: peopleConnection(where: {member.replace('{i}', str(i))}) "
        "{ aggregate { count { nodes } } }"
        for i in range(len(t.subdistricts))
    )
    args = ", ".join(f"$s{i}: ID!" for i in range(len(t.subdistricts)))
    return f"query R7({args}, $day: Date!) {{\n{fields}\n}}"


R7_RAW = f"""
UNWIND $subdistricts AS sid
MATCH (s:Subdistrict {{id: sid}})
RETURN s.id AS id,
  COUNT {{ MATCH (s)<-[:PART_OF*3..4]-(:Building) }} AS buildings,
  COUNT {{ MATCH (s)<-[:PART_OF*3..4]-(:Building)<-[:LIVES_IN]-(p:PartyMember) WHERE {MEMBER_P} }} AS members
"""


# ================================================================ all of them


def requests(t: PeerTargets) -> list[PeerRequest]:
    """The seven requests about ``t``, in the order of the figure."""
    day = {"day": t.day}
    subs = _subdistrict_vars(t)

    def r7(get_root: Callable[[Any], Any]) -> Canon:
        return lambda data: _r7(t, lambda k: get_root(data)[k]["totalCount"])

    def r7_generated(data: Any) -> Any:
        g = data["graph"]
        return _groups(t, g["buildings"]["groupBy"], g["members"]["groupBy"])

    def r7_peer(data: Any) -> Any:
        return _r7(t, lambda k: data[k]["aggregate"]["count"]["nodes"])

    def r7_raw(rows: Any) -> Any:
        return sorted((r["id"], r["buildings"], r["members"]) for r in rows)

    return [
        PeerRequest(R1, Side(R1_CURRENT, r1_current), Side(R1_GENERATED, r1_generated), Side(R1_PEER, r1_peer),
                    Side(R1_RAW, r1_raw), {"compound": t.compound, **day}),
        PeerRequest(R2, Side(R2_CURRENT, r2_current), Side(R2_GENERATED, r2_generated), Side(R2_PEER, r2_peer),
                    Side(R2_RAW, r2_raw), {"community": t.community, **day}),
        PeerRequest(R3, Side(R3_CURRENT, r3_current), Side(R3_GENERATED, r3_generated), Side(R3_PEER, r3_peer),
                    Side(R3_RAW, r3_raw), {"district": t.district, "area": t.district, **day}),
        PeerRequest(R4, Side(R4_CURRENT, r4_current), Side(R4_GENERATED, r4_generated), Side(R4_PEER, r4_peer),
                    Side(R4_RAW, r4_raw), {"district": t.district, **day}),
        PeerRequest(R5, Side(R5_CURRENT, r5_current), Side(R5_GENERATED, r5_generated), Side(R5_PEER, r5_peer),
                    Side(R5_RAW, r5_raw), {"district": t.district}),
        PeerRequest(R6, Side(R6_CURRENT, r6_current), Side(R6_GENERATED, r6_generated), Side(R6_PEER, r6_peer),
                    Side(R6_RAW, r6_raw), {"district": t.district, "area": t.district, **day}),
        PeerRequest(R7, Side(r7_current_document(t), r7(lambda d: d)),
                    Side(r7_generated_document(t), r7_generated),
                    Side(r7_peer_document(t), r7_peer), Side(R7_RAW, r7_raw),
                    {**subs, "subdistricts": list(t.subdistricts), "district": t.district, **day}),
    ]  # fmt: skip


def graphql_variables(request: PeerRequest, document: str) -> dict[str, Any]:
    """The request's variables that ``document`` declares (GraphQL refuses undeclared ones)."""
    return {k: v for k, v in request.variables.items() if f"${k}:" in document}

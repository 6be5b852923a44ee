"""Where an object lies: its anchors, the places that put it inside an area or not.

An object lies in an area when one of its anchors is the area or lies under it. Anchors are
places down to the building level (an entrance is anchored by its building), taken from
relationships of any date, so that history stays visible where it happened:

============================== ==============================================================
Place                          itself (an Entrance: its building)
Person                         the building they live in (LIVES_IN); failing that (they live
                               outside every loaded area), what they hold a role for
                               (HOLDS_ROLE: a place, an entrance's building, the compounds a
                               firm serves, what a party org covers) and the committees they
                               sit on (SEATED_ON: the committee's place)
Employer                       the community it is located in
PropertyFirm                   the compounds it serves; failing that, the homes of its staff
PartyOrg                       what it covers: a place, an employer (its community), a firm
                               (the compounds it serves); failing that (it covers nothing),
                               the homes of its members
Owners'/self-management comm.  its compound
ResidentsCommittee             its community
EnvironmentPropertyCommittee   its residents' committee's community
ServiceCentre / RedStation     the place it is located in
============================== ==============================================================

An object with no anchor at all belongs to the top of the tree: only users bound to a root
area (one with no parent, normally the city) see it. ``anchors_cypher(var)`` is the Cypher
``COLLECT`` of one node's anchors, ``anchors_nx`` its networkx twin; the two are kept equal by
the differential tests (tests/api/test_graphql_reads.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.model import NODE_KINDS, all_labels

if TYPE_CHECKING:
    from graph.embedded import GraphView

#: The anchor paths of every kind, each a UNION branch that a node takes only when it carries the
#: branch's label (``VAR`` is the node's variable).
_BRANCHES: tuple[tuple[str, str], ...] = (
    (
        "Place",
        "MATCH (VAR:Place) WHERE NOT VAR:Entrance RETURN VAR.id AS anchor_id",
    ),
    (
        "Entrance",
        "MATCH (VAR:Entrance)-[:PART_OF]->(ax:Building) RETURN ax.id AS anchor_id",
    ),
    (
        "Person",
        "MATCH (VAR:Person)-[:LIVES_IN]->(ax:Building) RETURN ax.id AS anchor_id",
    ),
    (
        "Person",
        "MATCH (VAR:Person)-[:HOLDS_ROLE]->(ax:Place) "
        "WHERE NOT ax:Entrance AND NOT EXISTS { MATCH (VAR)-[:LIVES_IN]->(:Building) } RETURN ax.id AS anchor_id",
    ),
    (
        "Person",
        "MATCH (VAR:Person)-[:HOLDS_ROLE]->(:Entrance)-[:PART_OF]->(ax:Building) "
        "WHERE NOT EXISTS { MATCH (VAR)-[:LIVES_IN]->(:Building) } RETURN ax.id AS anchor_id",
    ),
    (
        "Person",
        "MATCH (VAR:Person)-[:HOLDS_ROLE]->(:PropertyFirm)-[:SERVES]->(ax:Compound) "
        "WHERE NOT EXISTS { MATCH (VAR)-[:LIVES_IN]->(:Building) } RETURN ax.id AS anchor_id",
    ),
    (
        "Person",
        "MATCH (VAR:Person)-[:HOLDS_ROLE]->(:PartyOrg)-[:COVERS]->(ax:Place) "
        "WHERE NOT ax:Entrance AND NOT EXISTS { MATCH (VAR)-[:LIVES_IN]->(:Building) } RETURN ax.id AS anchor_id",
    ),
    (
        "Person",
        "MATCH (VAR:Person)-[:HOLDS_ROLE]->(:PartyOrg)-[:COVERS]->(:Entrance)-[:PART_OF]->(ax:Building) "
        "WHERE NOT EXISTS { MATCH (VAR)-[:LIVES_IN]->(:Building) } RETURN ax.id AS anchor_id",
    ),
    (
        "Person",
        "MATCH (VAR:Person)-[:SEATED_ON]->(:Committee)-[:BELONGS_TO]->(ax:Place) "
        "WHERE NOT EXISTS { MATCH (VAR)-[:LIVES_IN]->(:Building) } RETURN ax.id AS anchor_id",
    ),
    (
        "Person",
        "MATCH (VAR:Person)-[:SEATED_ON]->(:EnvironmentPropertyCommittee)-[:BELONGS_TO]->(:ResidentsCommittee) "
        "-[:BELONGS_TO]->(ax:Community) "
        "WHERE NOT EXISTS { MATCH (VAR)-[:LIVES_IN]->(:Building) } RETURN ax.id AS anchor_id",
    ),
    (
        "Employer",
        "MATCH (VAR:Employer)-[:LOCATED_IN]->(ax:Community) RETURN ax.id AS anchor_id",
    ),
    (
        "ServiceCentre",
        "MATCH (VAR:ServiceCentre)-[:LOCATED_IN]->(ax:Place) RETURN ax.id AS anchor_id",
    ),
    (
        "RedStation",
        "MATCH (VAR:RedStation)-[:LOCATED_IN]->(ax:Place) RETURN ax.id AS anchor_id",
    ),
    (
        "PropertyFirm",
        "MATCH (VAR:PropertyFirm)-[:SERVES]->(ax:Compound) RETURN ax.id AS anchor_id",
    ),
    (
        "PropertyFirm",
        "MATCH (VAR:PropertyFirm)<-[:WORKS_AT]-(:Person)-[:LIVES_IN]->(ax:Building) "
        "WHERE NOT EXISTS { MATCH (VAR)-[:SERVES]->(:Compound) } RETURN ax.id AS anchor_id",
    ),
    (
        "Committee",
        "MATCH (VAR:Committee)-[:BELONGS_TO]->(ax:Place) RETURN ax.id AS anchor_id",
    ),
    (
        "EnvironmentPropertyCommittee",
        "MATCH (VAR:EnvironmentPropertyCommittee)-[:BELONGS_TO]->(:ResidentsCommittee)-[:BELONGS_TO]->(ax:Community) "
        "RETURN ax.id AS anchor_id",
    ),
    (
        "PartyOrg",
        "MATCH (VAR:PartyOrg)-[:COVERS]->(ax:Place) WHERE NOT ax:Entrance RETURN ax.id AS anchor_id",
    ),
    (
        "PartyOrg",
        "MATCH (VAR:PartyOrg)-[:COVERS]->(:Entrance)-[:PART_OF]->(ax:Building) RETURN ax.id AS anchor_id",
    ),
    (
        "PartyOrg",
        "MATCH (VAR:PartyOrg)-[:COVERS]->(:Employer)-[:LOCATED_IN]->(ax:Community) RETURN ax.id AS anchor_id",
    ),
    (
        "PartyOrg",
        "MATCH (VAR:PartyOrg)-[:COVERS]->(:PropertyFirm)-[:SERVES]->(ax:Compound) RETURN ax.id AS anchor_id",
    ),
    (
        "PartyOrg",
        "MATCH (VAR:PartyOrg)<-[:MEMBER_OF]-(:Person)-[:LIVES_IN]->(ax:Building) "
        "WHERE NOT EXISTS { MATCH (VAR)-[:COVERS]->() } RETURN ax.id AS anchor_id",
    ),
)


def _may_carry(known: str, label: str) -> bool:
    """Whether a node known to carry ``known`` may also carry ``label`` (one node kind has both)."""
    return any(known in k.all_labels and label in k.all_labels for k in NODE_KINDS)


def anchors_cypher(var: str, label: str | None = None) -> str:
    """The anchors of node variable ``var`` (a fixed name in the calling query, never input).

    ``label``: what ``var`` is known to carry; only the branches a node of that label can take
    are kept. The whole union of every kind costs Neo4j about 0.6 s to plan, for each list
    size bucket of every query that holds it; a person's nine branches or an org's five cost
    a fraction of that (the answer is the same: the other branches match nothing)."""
    if not var.isidentifier():
        raise ValueError(var)
    if label is not None and label not in all_labels():
        raise ValueError(f"unknown label {label}")
    kept = [b for head, b in _BRANCHES if label is None or _may_carry(label, head)]
    union = "\n    UNION ".join(kept).replace("VAR", var)
    return f"COLLECT {{ CALL ({var}) {{\n    {union}\n  }} RETURN anchor_id ORDER BY anchor_id }}"


def _sources(g: GraphView, node: str, rel: str, label: str) -> list[str]:
    return [s for s, _ in g.into(node, rel) if g.has_label(s, label)]


def _targets(g: GraphView, node: str, rel: str, label: str) -> list[str]:
    return [t for t, _ in g.out(node, rel) if g.has_label(t, label)]


def _building_of(g: GraphView, entrance: str) -> list[str]:
    return _targets(g, entrance, "PART_OF", "Building")


def _homes(g: GraphView, people: list[str]) -> list[str]:
    return [b for p in people for b in _targets(g, p, "LIVES_IN", "Building")]


def _place_anchors(g: GraphView, place: str) -> list[str]:
    return _building_of(g, place) if g.has_label(place, "Entrance") else [place]


def _role_anchors(g: GraphView, person: str) -> list[str]:
    """Where the roles of someone living outside every loaded area put them (module table)."""
    out: list[str] = []
    for t, _ in g.out(person, "HOLDS_ROLE"):
        if g.has_label(t, "Place"):
            out += _place_anchors(g, t)
        elif g.has_label(t, "PropertyFirm"):
            out += _targets(g, t, "SERVES", "Compound")
        elif g.has_label(t, "PartyOrg"):
            out += [a for c in _targets(g, t, "COVERS", "Place") for a in _place_anchors(g, c)]
    for k, _ in g.out(person, "SEATED_ON"):
        if g.has_label(k, "EnvironmentPropertyCommittee"):
            out += [m for rc in _targets(g, k, "BELONGS_TO", "ResidentsCommittee")
                    for m in _targets(g, rc, "BELONGS_TO", "Community")]
        elif g.has_label(k, "Committee"):
            out += _targets(g, k, "BELONGS_TO", "Place")
    return out


def anchors_nx(g: GraphView, node: str) -> list[str]:
    """The sorted anchor ids of ``node`` (see the module's table)."""
    if not g.has(node):
        return []
    out: list[str] = []
    has = g.has_label
    if has(node, "Place"):
        out += _building_of(g, node) if has(node, "Entrance") else [node]
    if has(node, "Person"):
        out += _targets(g, node, "LIVES_IN", "Building") or _role_anchors(g, node)
    if has(node, "Employer"):
        out += _targets(g, node, "LOCATED_IN", "Community")
    if has(node, "ServiceCentre") or has(node, "RedStation"):
        out += _targets(g, node, "LOCATED_IN", "Place")
    if has(node, "PropertyFirm"):
        served = _targets(g, node, "SERVES", "Compound")
        out += served or _homes(g, _sources(g, node, "WORKS_AT", "Person"))
    if has(node, "Committee"):
        out += _targets(g, node, "BELONGS_TO", "Place")
    if has(node, "EnvironmentPropertyCommittee"):
        for rc in _targets(g, node, "BELONGS_TO", "ResidentsCommittee"):
            out += _targets(g, rc, "BELONGS_TO", "Community")
    if has(node, "PartyOrg"):
        covered = [t for t, _ in g.out(node, "COVERS")]
        for t in covered:
            if has(t, "Entrance"):
                out += _building_of(g, t)
            elif has(t, "Place"):
                out.append(t)
            elif has(t, "Employer"):
                out += _targets(g, t, "LOCATED_IN", "Community")
            elif has(t, "PropertyFirm"):
                out += _targets(g, t, "SERVES", "Compound")
        if not covered:
            out += _homes(g, _sources(g, node, "MEMBER_OF", "Person"))
    return sorted(set(out))

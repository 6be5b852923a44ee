"""The jurisdiction's places, and nodes of any kind by id with their anchors.

``api.subtree``: the ids of the places under an area (the area included) down to the
building level, and whether the area is a root of the place tree. ``api.nodes``: for each of
``$ids`` that exists, its labels, properties and anchors (``reads/anchors.py``), looked up
through the indexed id of each label family (Place, Committee and the other node kinds).
Rows are the raw store view; ``api/graphql/scope.py`` turns them into scoped objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from api.graphql.reads.anchors import anchors_cypher, anchors_nx
from graph.model import PLACE_LABELS
from graph.query import Query, Row
from queries.common import DEPTH

if TYPE_CHECKING:
    from graph.embedded import GraphView

#: Down to buildings: entrances are anchored by their building.
SUBTREE_DEPTH = PLACE_LABELS.index("Building")

SUBTREE_CYPHER = f"""
MATCH (a:Place {{id: $area}})
RETURN a.id AS area, NOT EXISTS {{ MATCH (a)-[:PART_OF]->(:Place) }} AS root,
  COLLECT {{ MATCH (a)<-[:PART_OF*0..{DEPTH['Building']}]-(p:Place) WHERE NOT p:Entrance RETURN DISTINCT p.id AS x ORDER BY x }} AS ids
"""


def subtree_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    area = p["area"]
    if not g.has(area) or not g.has_label(area, "Place"):
        return []
    seen = {area}
    level = [area]
    for _ in range(SUBTREE_DEPTH):
        nxt = [
            s
            for n in level
            for s, _ in g.into(n, "PART_OF")
            if g.has_label(s, "Place") and not g.has_label(s, "Entrance") and s not in seen
        ]
        seen.update(nxt)
        level = nxt
    root = not any(g.has_label(t, "Place") for t, _ in g.out(area, "PART_OF"))
    return [{"area": area, "root": root, "ids": sorted(seen)}]


SUBTREE = Query("api.subtree", SUBTREE_CYPHER, subtree_nx, doc="params: area", federate="merge_lists")

#: The label families whose ``id`` is indexed, and together cover every node kind.
ID_FAMILIES = ("Place", "Committee", "Person", "PartyOrg", "Employer", "PropertyFirm", "ServiceCentre", "RedStation")

NODES_CYPHER = (
    """
UNWIND $ids AS wanted
CALL (wanted) {
"""
    + "\n  UNION ".join(f"MATCH (n:{family} {{id: wanted}}) RETURN n" for family in ID_FAMILIES)
    + """
}
WITH DISTINCT n
RETURN n.id AS id, COLLECT { UNWIND labels(n) AS l RETURN l ORDER BY l } AS labels, properties(n) AS props, """
    + anchors_cypher("n")
    + """ AS anchors
ORDER BY id
"""
)


def node_row(g: GraphView, node: str) -> Row:
    attrs = dict(g.node(node))
    labels = attrs.pop("_labels")
    return {"id": node, "labels": sorted(labels), "props": attrs, "anchors": anchors_nx(g, node)}


def nodes_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    return [node_row(g, i) for i in sorted(set(p["ids"])) if g.has(i)]


NODES = Query("api.nodes", NODES_CYPHER, nodes_nx, doc="params: ids", federate="union")

QUERIES = (SUBTREE, NODES)

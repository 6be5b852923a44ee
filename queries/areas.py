"""Areas: resolve an id to its kind and path, list child areas.

An area is a place a question can be asked about: a city, district, subdistrict (street),
community, grid or compound. Its children are the places one level down (a grid's children
are its compounds; a community's are its grids and any compound lying directly under it, with
no grid; a compound has no child areas). "In an area" means the item's place lies
under the area through ``PART_OF*0..`` (see ``queries/common.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graph.errors import NotFound
from graph.model import PLACE_LABELS
from graph.query import Query, Row
from graph.store import Store
from queries.common import AREA_KINDS, by_id, place_kind
from queries.results import AREA_KIND_ZH, Area, AreaRef

if TYPE_CHECKING:
    from graph.embedded import GraphView

# ---------------------------------------------------------------- an area and its path


def _kind(var: str) -> str:
    """Cypher naming the place label of ``var`` (``place_kind`` on the embedded side)."""
    whens = " ".join(f"WHEN {var}:{label} THEN '{label}'" for label in PLACE_LABELS)
    return f"CASE {whens} END"


AREA_PATH_CYPHER = f"""
MATCH (a:Place {{id: $area}})
MATCH path = (a)-[:PART_OF*0..]->(top:Place)
WHERE NOT EXISTS {{ MATCH (top)-[:PART_OF]->(:Place) }}
UNWIND range(size(nodes(path)) - 1, 0, -1) AS i
WITH nodes(path)[i] AS n, size(nodes(path)) - 1 - i AS depth
RETURN depth, n.id AS id, n.name AS name,
       {_kind('n')} AS kind
ORDER BY depth
"""


def area_path_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    area = p["area"]
    if not g.has(area) or not g.has_label(area, "Place"):
        return []
    chain = [area]
    seen = {area}
    while True:
        parents = [t for t, _ in g.out(chain[-1], "PART_OF") if g.has_label(t, "Place")]
        if not parents or parents[0] in seen:
            break
        chain.append(parents[0])
        seen.add(parents[0])
    chain.reverse()
    return [
        {"depth": i, "id": n, "name": g.node(n).get("name"), "kind": place_kind(g, n)}
        for i, n in enumerate(chain)
    ]


AREA_PATH = Query(
    name="area.path",
    cypher=AREA_PATH_CYPHER,
    networkx=area_path_nx,
    doc="the area and its ancestors, from the top of the tree down (params: area)",
    federate="first",
)

# ---------------------------------------------------------------- child areas

AREA_CHILDREN_CYPHER = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF]-(c:Place)
WHERE NOT c:Building AND NOT c:Entrance
RETURN c.id AS id, c.name AS name,
       {_kind('c')} AS kind
ORDER BY id
"""


def area_children_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    area = p["area"]
    if not g.has(area):
        return []
    return by_id(
        {"id": c, "name": g.node(c).get("name"), "kind": place_kind(g, c)}
        for c, _ in g.into(area, "PART_OF")
        if g.has_label(c, "Place") and not g.has_label(c, "Building") and not g.has_label(c, "Entrance")
    )


AREA_CHILDREN = Query(
    name="area.children",
    cypher=AREA_CHILDREN_CYPHER,
    networkx=area_children_nx,
    doc="the child areas one level down (params: area)",
    federate="union",
)

QUERIES = (AREA_PATH, AREA_CHILDREN)

# ---------------------------------------------------------------- functions


def resolve_area(store: Store, area_id: str) -> Area:
    """The area ``area_id`` with its kind and path; ``NotFound`` unless it is an area."""
    rows = store.run(AREA_PATH, {"area": area_id})
    if not rows or rows[-1]["id"] != area_id:
        raise NotFound(f"no area with id {area_id!r}", message_zh=f"未找到区域 {area_id}")
    kind = rows[-1]["kind"]
    if kind not in AREA_KINDS:
        raise NotFound(
            f"{area_id!r} is a {kind or 'non-place'}, not an area (city, district, street, community, grid, compound)",
            message_zh=f"{area_id} 是{AREA_KIND_ZH.get(kind or '', '非地点')}，不是可统计的区域",
        )
    path = tuple(AreaRef(r["id"], r["name"] or r["id"], r["kind"]) for r in rows)
    return Area(area_id, rows[-1]["name"] or area_id, kind, path)


def child_areas(store: Store, area_id: str) -> list[AreaRef]:
    """The child areas of ``area_id`` (city -> districts ... grid -> compounds), by id."""
    resolve_area(store, area_id)
    return [AreaRef(r["id"], r["name"] or r["id"], r["kind"]) for r in store.run(AREA_CHILDREN, {"area": area_id})]

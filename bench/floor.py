"""Figure 3's floor: the least work any whole-area roll-up must do, on each store.

A roll-up (``queries.rollup.rollup``: every indicator for an area and for each child area)
has to find, under each child, the items its indicators count: communities, compounds and
buildings, the party members living in them, the committees belonging to them, the
property providers serving them and the party orgs covering them. The floor does only that:
one pass down the place tree from each child, counting those nodes by label, with no
coverage predicate, no dates and no second walk. A roll-up cannot be faster than that, so
``roll-up time / floor time`` says how much its 14 indicators cost beyond finding the items.

The Cypher constant and its networkx twin answer the same rows, which the bench checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.embedded import GraphView
from graph.query import Query, Row
from queries.common import DEPTH

FLOOR_CYPHER = f"""
MATCH (:Place {{id: $area}})<-[:PART_OF]-(child:Place)
MATCH (child)<-[:PART_OF*0..{DEPTH['Building']}]-(p:Place)
RETURN child.id AS id,
  count(CASE WHEN p:Community THEN 1 END) AS communities,
  count(CASE WHEN p:Compound THEN 1 END) AS compounds,
  count(CASE WHEN p:Building THEN 1 END) AS buildings,
  sum(COUNT {{ (p)<-[:LIVES_IN]-(:PartyMember) }}) AS members,
  sum(COUNT {{ (p)<-[:BELONGS_TO]-(:Committee) }}) AS committees,
  sum(COUNT {{ (p)<-[:SERVES]-() }}) AS providers,
  sum(COUNT {{ (p)<-[:COVERS]-(:PartyOrg) }}) AS orgs
ORDER BY id
"""

_COUNTS = ("communities", "compounds", "buildings", "members", "committees", "providers", "orgs")


def _count_in(g: GraphView, place: str, rel_type: str, label: str | None) -> int:
    return sum(1 for s, _ in g.into(place, rel_type) if label is None or g.has_label(s, label))


def floor_nx(g: GraphView, p: Mapping[str, Any]) -> list[Row]:
    rows: list[Row] = []
    if not g.has(p["area"]):
        return rows
    children = [c for c, _ in g.into(p["area"], "PART_OF") if g.has_label(c, "Place")]
    for child in sorted(children):
        row: Row = {"id": child, **dict.fromkeys(_COUNTS, 0)}
        level = [child]
        while level:
            below: list[str] = []
            for place in level:
                row["communities"] += g.has_label(place, "Community")
                row["compounds"] += g.has_label(place, "Compound")
                row["buildings"] += g.has_label(place, "Building")
                row["members"] += _count_in(g, place, "LIVES_IN", "PartyMember")
                row["committees"] += _count_in(g, place, "BELONGS_TO", "Committee")
                row["providers"] += _count_in(g, place, "SERVES", None)
                row["orgs"] += _count_in(g, place, "COVERS", "PartyOrg")
                below.extend(s for s, _ in g.into(place, "PART_OF") if g.has_label(s, "Place"))
            level = below
        rows.append(row)
    return rows


FLOOR = Query(name="bench_rollup_floor", cypher=FLOOR_CYPHER, networkx=floor_nx)

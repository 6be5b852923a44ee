"""What the networkx sides of the domain queries share, and the vocabulary both sides use.

Conventions of every query in ``queries/`` (both sides):

* Parameters: ``$area`` (the id of a place), ``$date`` (a ``datetime.date``: "current on
  that day"), ``$ids`` (a list of item ids, for suggestion queries), ``$limit``.
* "Current on day D" for a dated relationship or a committee's term: ``since`` is empty or
  ``<= D``, and ``until`` is empty or ``>= D`` (both ends inclusive): ``current_on("r")`` on
  the Cypher side, ``current`` on the networkx side.
* Party status on day D (a ``PartyMember`` node): a member when they had joined by D
  (``joined_on`` empty or ``<= D``), full when also recorded full and past ``full_on`` (empty or
  ``<= D``), else probationary: ``member_on("p")`` / ``full_on("p")`` on the Cypher side,
  ``member_on_day`` / ``full_on_day`` on the networkx side. Every member-based answer uses them.
* "In an area": the item's place lies under the area through ``PART_OF*0..``. Places form a
  layered tree (City, District, Subdistrict, Community, Grid, Compound, Building, Entrance;
  a compound with no grid lies directly under its community, one level short), so the Cypher
  side bounds each walk by the depth of the label it looks for and the networkx side walks
  down the tree level by level (``under``) and up it (``up``).
* Rows are plain dicts, sorted by ``id`` (suggestions by item, rank keys, id); lists inside
  rows are sorted too, so that both stores' rows compare equal with ``==``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.model import PLACE_LABELS
from graph.query import Row
from graph.turns import paced

if TYPE_CHECKING:
    from graph.embedded import GraphView

#: The depth of each place label in the tree (Province 0 ... Entrance 8).
DEPTH: dict[str, int] = {label: i for i, label in enumerate(PLACE_LABELS)}

#: Place kinds that can be asked about as an area (buildings and entrances cannot).
AREA_KINDS = ("Province", "City", "District", "Subdistrict", "Community", "Grid", "Compound")

#: Party org levels that count as a branch (DOMAIN.md: "a branch (or general branch)").
BRANCH_LEVELS = ("branch", "general_branch")
GROUP = "group"
FULL_MEMBER = "member"
PROBATIONARY = "probationary"

#: Three or more full members can form a branch (Party Constitution); the same threshold is
#: used to decide whether the full members of a building can form a party group of their own.
MIN_FULL_MEMBERS = 3

#: Status codes and suggestion vocabulary that the Cypher texts may spell as literals
#: (besides the model's enum codes, labels and relationship types); see tests/queries.
MEMBER_STATUSES = (
    "complete",
    "missing_membership",
    "multiple_membership",
    "missing_residence",
    "multiple_residence",
    "residence_mismatch",
)
REPORT_STATUSES = ("not_reported", "reported_elsewhere")
SUGGESTION_KINDS = ("person", "org", "place", "committee", "firm", "community")
BRANCH_SIDES = ("membership", "residence", "unregistered")


def current(props: Mapping[str, Any], day: date) -> bool:
    """Whether a dated relationship (or a committee's term) is current on ``day``."""
    since = props.get("since")
    until = props.get("until")
    return (since is None or since <= day) and (until is None or until >= day)


def current_on(var: str, day: str = "$date") -> str:
    """The Cypher twin of ``current``: whether ``var`` (a relationship or a committee) is
    current on ``$date`` (or on the parameter ``day`` names, such as ``$p3`` in a compiled
    read). One text, so that every query means the same by "current"."""
    return f"({var}.since IS NULL OR {var}.since <= {day}) AND ({var}.until IS NULL OR {var}.until >= {day})"


def member_on_day(props: Mapping[str, Any], day: date) -> bool:
    """Whether a ``PartyMember`` node was a member on ``day``: they had joined by then. No
    ``joined_on`` recorded means a member on every day (the ledger does not say otherwise)."""
    joined = props.get("joined_on")
    return joined is None or joined <= day


def full_on_day(props: Mapping[str, Any], day: date) -> bool:
    """Whether a ``PartyMember`` node was a full member on ``day``: a member then, recorded as
    full (not probationary), and past their ``full_on`` (转正日期) when one is recorded."""
    full_from = props.get("full_on")
    return (
        member_on_day(props, day)
        and props.get("political_status") == FULL_MEMBER
        and (full_from is None or full_from <= day)
    )


def status_on_day(props: Mapping[str, Any], day: date) -> str:
    """The party status code on ``day`` of a member on that day: full or probationary."""
    return FULL_MEMBER if full_on_day(props, day) else PROBATIONARY


def member_on(var: str) -> str:
    """The Cypher twin of ``member_on_day`` for the ``PartyMember`` node ``var``."""
    return f"({var}.joined_on IS NULL OR {var}.joined_on <= $date)"


def full_on(var: str) -> str:
    """The Cypher twin of ``full_on_day`` for the ``PartyMember`` node ``var``."""
    return (
        f"({member_on(var)} AND {var}.political_status = '{FULL_MEMBER}'"
        f" AND ({var}.full_on IS NULL OR {var}.full_on <= $date))"
    )


def status_on(var: str) -> str:
    """The Cypher twin of ``status_on_day``."""
    return f"CASE WHEN {full_on(var)} THEN '{FULL_MEMBER}' ELSE '{PROBATIONARY}' END"


#: The predicates above for the usual variable names (``p`` a member, ``r`` a relationship).
MEMBER_ON = member_on("p")
FULL_ON = full_on("p")
CURRENT_R = current_on("r")


def started(props: Mapping[str, Any], day: date) -> bool:
    """Whether an undated-end item (a service centre, a red station) exists on ``day``."""
    since = props.get("since")
    return since is None or since <= day


def place_kind(g: GraphView, node_id: str) -> str | None:
    for label in PLACE_LABELS:
        if g.has_label(node_id, label):
            return label
    return None


def parent(g: GraphView, node_id: str | None, label: str) -> str | None:
    """The ``PART_OF`` parent of ``node_id`` when it carries ``label``."""
    if node_id is None:
        return None
    for target, _ in g.out(node_id, "PART_OF"):
        if g.has_label(target, label):
            return target
    return None


def up(g: GraphView, node_id: str | None, label: str) -> str | None:
    """The ancestor of ``node_id`` (itself excluded) carrying ``label``, walking ``PART_OF`` up."""
    seen: set[str] = set()
    node = node_id
    while node is not None and node not in seen:
        seen.add(node)
        nxt = None
        for target, _ in g.out(node, "PART_OF"):
            nxt = target
            break
        if nxt is not None and g.has_label(nxt, label):
            return nxt
        node = nxt
    return None


def under(g: GraphView, area: str, label: str) -> list[str]:
    """Ids of the ``label`` places lying under ``area`` (``PART_OF*0..``), the area included."""
    if not g.has(area) or not g.has_label(area, "Place"):
        return []
    want = DEPTH[label]
    kind = place_kind(g, area)
    if kind is None or DEPTH[kind] > want:
        return []
    if DEPTH[kind] == want:
        return [area] if g.has_label(area, label) else []
    # level by level, at most the depth between them; a place of ``label`` found early stays (a
    # compound may lie directly under a community, one level short of the grids beside it)
    found: list[str] = []
    level = [area]
    for _ in range(want - DEPTH[kind]):
        nxt: list[str] = []
        for node in level:
            for s, _ in g.into(node, "PART_OF"):
                if not g.has_label(s, "Place"):
                    continue
                if g.has_label(s, label):
                    found.append(s)
                else:
                    nxt.append(s)
        level = nxt
    return found


def sources(g: GraphView, node_id: str | None, rel_type: str, label: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(source, props) of the ``rel_type`` relationships entering ``node_id`` from ``label`` nodes."""
    if node_id is None:
        return
    for s, props in g.into(node_id, rel_type):
        if g.has_label(s, label):
            yield s, props


def targets(g: GraphView, node_id: str | None, rel_type: str, label: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(target, props) of the ``rel_type`` relationships leaving ``node_id`` to ``label`` nodes."""
    if node_id is None:
        return
    for t, props in g.out(node_id, rel_type):
        if g.has_label(t, label):
            yield t, props


Edges = dict[str, list[tuple[str, Mapping[str, Any]]]]


def prop(g: GraphView, node_id: str | None, name: str) -> Any:
    return None if node_id is None else g.node(node_id).get(name)


def residents(g: GraphView, building: str, day: date | None = None) -> list[str]:
    """Party members living in ``building`` (members on ``day`` when given)."""
    return [
        p
        for p, _ in sources(g, building, "LIVES_IN", "PartyMember")
        if day is None or member_on_day(g.node(p), day)
    ]


def full(g: GraphView, person: str, day: date) -> bool:
    """Whether ``person`` is a full member on ``day`` (``full_on_day``)."""
    return full_on_day(g.node(person), day)


def compound_residents(g: GraphView, compound: str, day: date | None = None) -> Iterator[tuple[str, str]]:
    """(member, building) for the party members living in ``compound`` (members on ``day`` when given)."""
    for b, _ in sources(g, compound, "PART_OF", "Building"):
        for p in residents(g, b, day):
            yield p, b


def sorted_ids(ids: Iterable[str | None]) -> list[str]:
    return sorted({i for i in ids if i is not None})


def by_id(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: r["id"])


def count_row(items: Iterable[bool]) -> list[Row]:
    """The one row of a count query: how many items, how many covered."""
    flags = list(items)
    return [{"total": len(flags), "covered": sum(1 for f in flags if f)}]


def _null_last(value: str | None) -> tuple[int, str]:
    return (1, "") if value is None else (0, value)


def candidate(
    item: str,
    id_: str,
    name: Any,
    kind: str,
    reason: str,
    via: str | None,
    grp: int,
    sub: int = 0,
    phone: Any = None,
) -> Row:
    """One suggestion row, as the Cypher side returns it."""
    return {
        "item": item,
        "id": id_,
        "name": name,
        "phone": phone,
        "kind": kind,
        "reason": reason,
        "via": via,
        "grp": grp,
        "sub": sub,
    }


def rank_candidates(rows: Iterable[Row], limit: int) -> list[Row]:
    """The networkx twin of the Cypher suggestion tail: per item, one row per candidate (its
    best: lowest ``grp``, ``sub``, then ``reason``, ``via``), ranked by ``grp``, ``sub``, id,
    at most ``limit`` per item, items in id order."""
    best: dict[tuple[str, str], Row] = {}

    def key(r: Row) -> tuple[Any, ...]:
        return (r["grp"], r["sub"], r["reason"], _null_last(r["via"]))

    for r in paced(rows):  # every candidate of thousands of items: short work first (graph/turns.py)
        k = (r["item"], r["id"])
        if k not in best or key(r) < key(best[k]):
            best[k] = r
    out: list[Row] = []
    per_item: dict[str, list[Row]] = {}
    for r in best.values():
        per_item.setdefault(r["item"], []).append(r)
    for item in paced(sorted(per_item)):
        ranked = sorted(per_item[item], key=lambda r: (r["grp"], r["sub"], r["id"]))
        out.extend(ranked[: max(limit, 0)])
    return out


#: The tail every suggestion query ends with, after a ``CALL (x) { ... }`` that yields
#: candidate rows ``id, name, phone, kind, reason, via, grp, sub`` for one item ``x``: keep
#: each candidate's best row, rank, cut at ``$limit`` per item.
SUGGESTION_TAIL = """
  WITH id, name, phone, kind, reason, via, grp, sub
  ORDER BY grp, sub, reason, via
  WITH id, head(collect({name: name, phone: phone, kind: kind, reason: reason, via: via, grp: grp, sub: sub})) AS best
  RETURN id, best.name AS name, best.phone AS phone, best.kind AS kind, best.reason AS reason, best.via AS via,
         best.grp AS grp, best.sub AS sub
  ORDER BY grp, sub, id
  LIMIT $limit
"""

"""A ``Select`` plan run over the embedded store's graph: the networkx twin of ``select_cypher``.

The same plan, the same answers (the differential tests hold both stores to a plain-Python
oracle), reading only what the page needs where the plan allows it:

* the root candidates come from the label index, a nested list's from the adjacency of its
  parent row; every candidate is kept only when the scope sees it (``graph/visibility.py``,
  memoised per anchor place) and, at the root, when it lies in ``Select.area``;
* a plan ordered by id alone (no sort key), with no total, aggregate or group asked, walks
  the candidates in id order and stops at the first ``first + 1`` matches: a page of 20
  members evaluates about 20 members' filters, not the district's;
* otherwise the filtered set is built once and serves the page, the total, the aggregates
  and the groups.

Semantics shared with the Cypher side (and the oracle): a comparison on an absent property
is false for every operator but ``is_null`` (``ne`` is ``not eq``, so it holds there); values
of another type than the property never compare equal or ordered; counts and quantifiers
count distinct visible items; nulls sort last ascending, first descending; the id breaks
ties. Rows carry no anchors (jurisdiction is applied inside the plan, nothing is left for the
caller to check).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from graph.select import (
    And,
    Cmp,
    CountFilter,
    CountKey,
    Filter,
    GroupBy,
    Hop,
    Not,
    Or,
    RelFilter,
    Scope,
    Select,
    SelectResult,
)
from graph.select_check import check, cursor_value, decode_after
from graph.visibility import UP_DEPTH, Visibility, anchors
from queries.common import current

if TYPE_CHECKING:
    from graph.embedded import GraphView

Props = Mapping[str, Any]


def _kind(v: Any) -> type:
    return int if isinstance(v, int | float) and not isinstance(v, bool) else type(v)


def compare(v: Any, op: str, value: Any) -> bool:
    """``v op value`` for a ``Cmp`` (see the module docstring for absent values and types)."""
    if op == "is_null":
        return (v is None) == bool(value)
    if op == "ne":
        return not compare(v, "eq", value)
    if v is None:
        return False
    if op == "in":
        return any(compare(v, "eq", x) for x in value)
    if op in ("contains", "starts_with"):
        if not isinstance(v, str):
            return False
        return value in v if op == "contains" else v.startswith(value)
    if value is None or _kind(v) is not _kind(value):
        return False
    if op == "eq":
        return bool(v == value)
    if op == "lt":
        return bool(v < value)
    if op == "lte":
        return bool(v <= value)
    if op == "gt":
        return bool(v > value)
    if op == "gte":
        return bool(v >= value)
    raise ValueError(op)


_COUNT_OPS: dict[str, Callable[[int, int], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
}


def sort_key(v: Any) -> tuple[Any, ...]:
    """Nulls after every value (ascending); a reversed sort puts them first, as Neo4j does."""
    return (1,) if v is None else (0, v)


def _before(a: Any, b: Any, descending: bool) -> bool:
    """Whether value ``a`` comes strictly before ``b`` in one key's order."""
    ka, kb = sort_key(a), sort_key(b)
    return ka > kb if descending else ka < kb


def after(values: tuple[Any, ...], cursor: tuple[Any, ...], descending: tuple[bool, ...]) -> bool:
    """Whether a row with sort ``values`` (id last) comes after ``cursor`` in the order."""
    for v, c, d in zip(values, cursor, descending, strict=True):
        if _before(c, v, d):
            return True
        if _before(v, c, d):
            return False
    return False


class _Run:
    """One plan's run: the view, the scope, and the memo of what the scope sees."""

    def __init__(self, g: GraphView, scope: Scope) -> None:
        self.g = g
        self.vis = Visibility(g, scope.area)
        self._seen: dict[str, bool] = {}
        self._areas: dict[str, Visibility | None] = {}

    def sees(self, node: str) -> bool:
        got = self._seen.get(node)
        if got is None:
            got = self._seen[node] = self.vis.sees(node)
        return got

    def in_area(self, node: str, area: str) -> bool:
        """Whether ``node`` lies in ``area``, an area outside the scope (one holding it
        included) holding nothing, as one that does not exist (``select_cypher``'s twin)."""
        if area not in self._areas:
            inside = self.g.has_label(area, "Place") and self.sees(area)
            self._areas[area] = Visibility(self.g, area) if inside else None
        vis = self._areas[area]
        return vis is not None and vis.sees(node)

    # ------------------------------------------------------------ hops and filters

    def reach(self, node: str, hop: Hop) -> dict[str, Props]:
        """The visible items ``hop`` reaches from ``node``, each with the relationship that
        reached it (the first by ``_key`` when several do)."""
        g = self.g
        found: dict[str, Props] = {}
        keys: dict[str, str] = {}
        for other, key, rel in g.walk(node, hop.rel, hop.direction):
            if not g.has_label(other, hop.label):
                continue
            if hop.as_of is not None and not current(rel, hop.as_of):
                continue
            if hop.rel_where is not None and not self.matches_props(rel, hop.rel_where):
                continue
            if not self.sees(other):
                continue
            if other not in found or key < keys[other]:
                found[other], keys[other] = rel, key
        return found

    def matches_props(self, props: Props, f: Filter) -> bool:
        """A relationship's own filter (comparisons only, ``check`` saw to it)."""
        if isinstance(f, Cmp):
            return compare(props.get(f.field), f.op, f.value)
        if isinstance(f, And):
            return all(self.matches_props(props, x) for x in f.items)
        if isinstance(f, Or):
            return any(self.matches_props(props, x) for x in f.items)
        if isinstance(f, Not):
            return not self.matches_props(props, f.item)
        raise TypeError(type(f).__name__)

    def count(self, node: str, hop: Hop, where: Filter | None) -> int:
        return sum(1 for m in self.reach(node, hop) if where is None or self.matches(m, where))

    def matches(self, node: str, f: Filter) -> bool:
        if isinstance(f, Cmp):
            return compare(self.g.node(node).get(f.field), f.op, f.value)
        if isinstance(f, And):
            return all(self.matches(node, x) for x in f.items)
        if isinstance(f, Or):
            return any(self.matches(node, x) for x in f.items)
        if isinstance(f, Not):
            return not self.matches(node, f.item)
        if isinstance(f, CountFilter):
            return _COUNT_OPS[f.op](self.count(node, f.hop, f.where), f.value)
        if isinstance(f, RelFilter):
            reached = self.reach(node, f.hop)
            where = f.where
            if f.quantifier == "some":
                return any(where is None or self.matches(m, where) for m in reached)
            if f.quantifier == "none":
                return not any(where is None or self.matches(m, where) for m in reached)
            if f.quantifier == "all":
                return where is None or all(self.matches(m, where) for m in reached)
            return sum(1 for m in reached if where is None or self.matches(m, where)) == 1
        raise TypeError(type(f).__name__)

    # ------------------------------------------------------------ lists

    def keep(self, sel: Select, node: str) -> bool:
        return (
            self.sees(node)
            and (sel.area is None or self.in_area(node, sel.area))
            and (sel.where is None or self.matches(node, sel.where))
        )

    def sort_values(self, sel: Select, node: str) -> tuple[Any, ...]:
        out: list[Any] = []
        for k in sel.order:
            if isinstance(k.key, CountKey):
                out.append(self.count(node, k.key.hop, k.key.where))
            else:
                out.append(self.g.node(node).get(k.key))
        out.append(node)
        return tuple(out)

    def select(self, sel: Select, candidates: Iterable[str], rels: Mapping[str, Props] | None = None) -> SelectResult:
        """The list ``sel`` over ``candidates`` (visible ones; their relationships in ``rels``)."""
        cursor = decode_after(sel)
        directions = (*(k.descending for k in sel.order), False)
        whole = sel.total or bool(sel.aggregates) or sel.group_by is not None or bool(sel.order)
        if not whole:
            page, has_next = self._first_by_id(sel, candidates, cursor, directions)
            rows_kept: list[str] = []
        else:
            rows_kept = [n for n in candidates if self.keep(sel, n)]
            keyed = [(self.sort_values(sel, n), n) for n in rows_kept]
            keyed.sort(key=lambda t: t[1])
            for i in range(len(sel.order) - 1, -1, -1):  # stable sorts, last key first
                keyed.sort(key=partial(_nth_key, i), reverse=sel.order[i].descending)
            if cursor is not None:
                keyed = [t for t in keyed if after(t[0], cursor, directions)]
            limit = len(keyed) if sel.first is None else sel.first
            page, has_next = keyed[:limit], len(keyed) > limit
        result = SelectResult(has_next=has_next)
        for values, node in page:
            result.rows.append(self.row(sel, node, None if rels is None else rels.get(node)))
            result.cursors.append(tuple(cursor_value(v) for v in values))
        if sel.total:
            result.total = len(rows_kept)
        if sel.aggregates:
            result.aggregates = {a.alias: aggregate(a.fn, [self.g.node(n).get(a.field) if a.field else None
                                                           for n in rows_kept]) for a in sel.aggregates}
        if sel.group_by is not None:
            result.groups = self.groups(sel.group_by, rows_kept)
        return result

    def _first_by_id(
        self, sel: Select, candidates: Iterable[str], cursor: tuple[Any, ...] | None, directions: tuple[bool, ...]
    ) -> tuple[list[tuple[tuple[Any, ...], str]], bool]:
        """Ordered by id only, nothing needing the whole set: stop after ``first + 1`` matches."""
        page: list[tuple[tuple[Any, ...], str]] = []
        for node in sorted(candidates):
            if cursor is not None and not after((node,), cursor, directions):
                continue
            if not self.keep(sel, node):
                continue
            if sel.first is not None and len(page) == sel.first:
                return page, True
            page.append(((node,), node))
        return page, False

    def row(self, sel: Select, node: str, rel: Props | None) -> dict[str, Any]:
        g = self.g
        props = g.node(node)
        out: dict[str, Any] = {
            "id": node,
            "labels": sorted(g.labels(node)),
            "props": {f: props.get(f) for f in sel.fields},
        }
        if sel.rel_fields:
            out["_rel"] = {f: (rel or {}).get(f) for f in sel.rel_fields}
        for alias, nest in sel.nested:
            reached = self.reach(node, nest.hop)
            out[alias] = self.select(nest.select, reached, reached)
        return out

    def groups(self, group_by: GroupBy, items: Iterable[str]) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for node in items:
            places: set[str] = set()
            for a in anchors(self.g, node):
                places.update(p for p in _up(self.g, a) if self.g.has_label(p, group_by.level))
            for p in places:
                if self.vis.under(p):
                    counts[p] = counts.get(p, 0) + 1
        return sorted(counts.items())


def _nth_key(i: int, item: tuple[tuple[Any, ...], str]) -> tuple[Any, ...]:
    return sort_key(item[0][i])


def _up(g: GraphView, place: str) -> Iterator[str]:
    """``place`` and its ancestors along ``PART_OF``."""
    level = [place]
    for _ in range(UP_DEPTH + 1):
        yield from level
        level = [t for n in level for t, _ in g.out(n, "PART_OF")]


def aggregate(fn: str, values: list[Any]) -> Any:
    """``fn`` over the items' values (nulls skipped; ``count`` counts items)."""
    if fn == "count":
        return len(values)
    present = [v for v in values if v is not None]
    if fn == "sum":
        return sum(present)
    if not present:
        return None
    if fn == "min":
        return min(present)
    if fn == "max":
        return max(present)
    return float(sum(present)) / len(present)


def select_nx(g: GraphView, plan: Select, scope: Scope) -> SelectResult:
    """Run ``plan`` for a user bound to ``scope`` over the graph ``g``."""
    check(plan)
    run = _Run(g, scope)
    return run.select(plan, g.ids(plan.label))

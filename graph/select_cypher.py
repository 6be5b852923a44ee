"""A ``Select`` plan as ONE Cypher statement (the Neo4j side; ``select_nx`` is its twin).

Shape of the statement, for a root list of ``Building`` in an area with a nested list::

    OPTIONAL MATCH (scope:Place {id: $scope})                      -- the user's area (id index)
    WITH scope, scope IS NOT NULL AND NOT EXISTS {...parent...} AS scope_root
    OPTIONAL MATCH (area1:Place {id: $area}) ... area1_in           -- the list's area, and whether it lies in the scope
    CALL (*) {                                                     -- the page
      CALL (*) { MATCH (area1)<-[:PART_OF*0..7]-(n1:Building) RETURN DISTINCT n1 }
      WITH ..., n1 WHERE area1_in AND <where>
      WITH ..., n1, <sort expressions> AS k1_0
      WHERE <after the cursor: keyset on (sort values, id)>
      WITH ... ORDER BY k1_0, n1.id LIMIT $first_plus_one
      CALL (*) { <the nested list, from n1 along its hop; no scope test where the hop implies it> }
      RETURN collect({id: n1.id, labels: labels(n1), props: {...}, cursor: [...], ...}) AS rows1
    }
    CALL (*) { MATCH ... WHERE <same> RETURN count(*) AS total1, min(...) AS agg1_0 }  -- if asked
    CALL (*) { ... anchors, up to the level ... RETURN collect([place, count]) AS groups1 } -- if asked
    RETURN {rows: rows1, total: total1, ...} AS result

Jurisdiction lives inside it (``graph/visibility.py``): a root list walks *down* from its area
(from the scope when it has none, or when the scope lies inside the area) along the anchor
paths, so it reads only the items lying there (``down_cypher``), each then tested against
the scope only when the area does not lie in it; every other item reached (hop end, inside
a filter, a count, an aggregate, a group) is tested by ``visible_cypher``, ``EXISTS`` patterns
walking up from the item to ``scope``, unless the step from a visible item implies it
(``implied``). The page reads ``first + 1`` rows (the extra one only says whether more
follow, and is dropped here). Names come only from the model (``check`` ran first), values
only as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.select import Hop, Nested, Scope, Select, SelectResult
from graph.select_check import check, cursor_value, decode_after
from graph.select_cypher_filter import (
    SCOPE,
    SCOPE_ID,
    SCOPE_ROOT,
    Params,
    after_text,
    filter_text,
    hop_match,
    sort_expr,
)
from graph.visibility import UP_DEPTH, anchors_cypher, down_cypher, visible_cypher

_ROOT_OF = "NOT EXISTS {{ MATCH ({v})-[:PART_OF]->(:Place) }}"


@dataclass
class Compiled:
    cypher: str
    params: dict[str, Any]


class _Compiler:
    def __init__(self) -> None:
        self.p = Params()
        self.globals: list[str] = [SCOPE, SCOPE_ROOT]
        #: what each WITH after a root list's source carries: the scope only, unless a nested
        #: list has an area of its own (fewer columns in every DISTINCT and sort below)
        self.slim = True
        self.header: list[str] = []
        self._areas: dict[str, tuple[str, str]] = {}

    def area(self, area: str) -> tuple[str, str]:
        """The id parameter of an ``area`` and the variable of its root flag (matched once, at
        the top), with whether the area lies in the scope (``{v}_in``). An area outside the
        scope holds nothing, one that holds the scope (the user's street asked by a community's
        organizer) included: it answers as an area that does not exist, as everywhere else in
        the API. Inside it, a root list walks down from the area, whose items all lie in the
        scope."""
        if area not in self._areas:
            v = self.p.var("area")
            param = self.p.add(area)
            inside = f"EXISTS {{ MATCH ({v})-[:PART_OF*0..{UP_DEPTH}]->(in_{v}) WHERE in_{v}.id = {SCOPE_ID} }}"
            self.header.append(
                f"OPTIONAL MATCH ({v}:Place {{id: {param}}})\n"
                f"WITH *, {v} IS NOT NULL AND {_ROOT_OF.format(v=v)} AS {v}_root\n"
                f"WITH *, {v} IS NOT NULL AND {inside} AS {v}_in"
            )
            self._areas[area] = (param, v)
            self.globals += [v, f"{v}_root", f"{v}_in"]
        return self._areas[area]

    def carried(self) -> str:
        return ", ".join([SCOPE, SCOPE_ROOT] if self.slim else self.globals)

    def _match(self, sel: Select, src: tuple[str, Hop, str] | None) -> tuple[list[str], str, str | None]:
        """(lines yielding the list's filtered items, node var, relationship var).

        A root list walks down from its area (or the scope) to the items lying there
        (``down_cypher``) instead of testing every item of its label; a nested list follows
        its hop, each item reached checked against the scope unless the hop implies it."""
        n = self.p.var("n")
        conds: list[str] = []
        r = None
        if src is None:
            if sel.area is not None:
                _, v = self.area(sel.area)
                walk, walk_root = v, f"{v}_root"
                conds.append(f"{v}_in")
            else:
                walk, walk_root = SCOPE, SCOPE_ROOT
            lines = [_call(down_cypher(n, sel.label, walk, walk_root))]
        else:
            pattern, hop_conds, r, _ = hop_match(src[0], src[1], self.p, m=n, src_label=src[2])
            lines = [f"MATCH {pattern}"]
            conds = [hop_conds] if hop_conds else []
            if sel.area is not None:
                place, v = self.area(sel.area)
                conds.append(f"{v}_in AND {visible_cypher(n, sel.label, place, f'{v}_root')}")
        if sel.where is not None:
            conds.append(filter_text(n, sel.where, self.p, sel.label))
        if conds:
            where = f"WHERE {' AND '.join(conds)}"
            if src is None:
                lines.append(f"WITH {', '.join(self.globals)}, {n} {where}")
            else:
                lines[0] += f" {where}"
        return lines, n, r

    def _source(self, sel: Select, src: tuple[str, Hop, str] | None) -> tuple[list[str], str, str | None]:
        """(lines yielding one row per filtered item, its node var, its relationship var):
        a nested list's items are distinct, each with the relationship of least ``_key``
        when several reach it and its properties are asked."""
        lines, n, r = self._match(sel, src)
        g = self.carried()
        keep_r = r if (r and sel.rel_fields) else None
        if src is not None:
            if keep_r:
                lines += [f"WITH {g}, {n}, {r} ORDER BY {r}._key", f"WITH {g}, {n}, head(collect({r})) AS {r}"]
            else:
                lines.append(f"WITH DISTINCT {g}, {n}")
        return lines, n, keep_r

    def list_block(self, sel: Select, src: tuple[str, Hop, str] | None) -> tuple[str, str]:
        """(the CALL subqueries computing list ``sel``, the map expression of its result).

        With a total, aggregates or groups asked, the filtered set is matched once and
        collected (``all…``), and the page, the counts and the groups read that list: the
        filter's text, and Neo4j's planning of it, appear once."""
        source, n, r = self._source(sel, src)
        g = self.carried()
        shared = sel.total or bool(sel.aggregates) or sel.group_by is not None
        blocks: list[str] = []
        if shared:
            every = f"all{n}"
            item = f"[{n}, {r}]" if r else n
            blocks.append(_call([*source, f"RETURN collect({item}) AS {every}"]))
            unpack = f"x{n}"
            source = [f"UNWIND {every} AS {unpack}",
                      f"WITH {g}, " + (f"{unpack}[0] AS {n}, {unpack}[1] AS {r}" if r else f"{unpack} AS {n}")]
        keys = [(sort_expr(n, k.key, self.p, sel.label), k.descending) for k in sel.order]
        knames = [f"k{n}_{i}" for i in range(len(keys))]
        carry = ", ".join([g, n, *([r] if r else [])])
        lines = list(source)
        projected = ", ".join([carry, *(f"{e} AS {k}" for (e, _), k in zip(keys, knames, strict=True))])
        lines.append(f"WITH {projected}")
        cursor = decode_after(sel)
        if cursor is not None:
            order_keys = [(k, d) for k, (_, d) in zip(knames, keys, strict=True)] + [(f"{n}.id", False)]
            lines.append(f"WHERE {after_text(order_keys, cursor, self.p)}")
        order = ", ".join([*(f"{k}{' DESC' if d else ''}" for k, (_, d) in zip(knames, keys, strict=True)), f"{n}.id"])
        limit = f" LIMIT {self.p.add(sel.first + 1)}" if sel.first is not None else ""
        lines.append(f"WITH {', '.join([carry, *knames])} ORDER BY {order}{limit}")
        nested_maps: list[str] = []
        for alias, nest in sel.nested:
            calls, expr = self.list_block(nest.select, (n, nest.hop, sel.label))
            lines.append(calls)
            nested_maps.append(f"{alias}: {expr}")
        props = ", ".join(f"{f}: {n}.{f}" for f in sel.fields)
        row = [f"id: {n}.id", f"labels: labels({n})", f"props: {{{props}}}", f"cursor: [{', '.join([*knames, n + '.id'])}]"]
        if r:
            row.append("rel: {" + ", ".join(f"{f}: {r}.{f}" for f in sel.rel_fields) + "}")
        if nested_maps:
            row.append("nested: {" + ", ".join(nested_maps) + "}")
        rows = f"rows{n}"
        lines.append(f"RETURN collect({{{', '.join(row)}}}) AS {rows}")
        blocks.append(_call(lines))
        result = [f"rows: {rows}"]
        if sel.total or sel.aggregates:
            blocks.append(self._totals(sel, source, n, result))
        if sel.group_by is not None:
            blocks.append(self._groups(sel, source, n, result))
        return "\n".join(blocks), "{" + ", ".join(result) + "}"

    def _totals(self, sel: Select, source: list[str], n: str, result: list[str]) -> str:
        cols = [f"count({n}) AS total{n}"]
        aggs: list[str] = []
        for i, a in enumerate(sel.aggregates):
            name = f"agg{n}_{i}"
            value = f"{n}.{a.field}"
            if a.fn == "count":
                expr = f"count({n})"
            elif a.fn == "avg":  # one division of the exact sum, as Python's float(sum) / count
                expr = f"CASE count({value}) WHEN 0 THEN null ELSE toFloat(sum({value})) / count({value}) END"
            else:
                expr = f"{a.fn}({value})"
            cols.append(f"{expr} AS {name}")
            aggs.append(f"{a.alias}: {name}")
        if sel.total:
            result.append(f"total: total{n}")
        if aggs:
            result.append("aggregates: {" + ", ".join(aggs) + "}")
        return _call([*source, f"RETURN {', '.join(cols)}"])

    def _groups(self, sel: Select, source: list[str], n: str, result: list[str]) -> str:
        assert sel.group_by is not None
        gp = self.p.var("gp")
        name = f"groups{n}"
        result.append(f"groups: {name}")
        return _call([
            *source,
            f"UNWIND {anchors_cypher(n, sel.label)} AS ax{n}",
            f"MATCH (ax{n})-[:PART_OF*0..{UP_DEPTH}]->({gp}:{sel.group_by.level})",
            # counted first, so that each group's place is checked against the scope once
            f"WITH {gp}, count(DISTINCT {n}) AS c{gp}",
            f"WHERE EXISTS {{ MATCH ({gp})-[:PART_OF*0..{UP_DEPTH}]->(up{gp}) WHERE up{gp}.id = {SCOPE_ID} }}",
            f"WITH {gp}.id AS g{gp}, c{gp} ORDER BY g{gp}",
            f"RETURN collect([g{gp}, c{gp}]) AS {name}",
        ])


def _call(lines: list[str]) -> str:
    body = "\n".join("  " + line.replace("\n", "\n  ") for line in lines)
    return f"CALL (*) {{\n{body}\n}}"


def compile_select(plan: Select, scope: Scope) -> Compiled:
    """The one statement running ``plan`` for ``scope`` (``check`` first: ``PlanError``)."""
    check(plan)
    c = _Compiler()
    scope_param = c.p.add(scope.area)
    assert scope_param == SCOPE_ID
    for area in _areas(plan):  # matched at the top, so that every WITH below carries them
        c.area(area)
    c.slim = all(nest.select.area is None for nest in _nested(plan))
    calls, expr = c.list_block(plan, None)
    head = (
        f"OPTIONAL MATCH ({SCOPE}:Place {{id: {scope_param}}})\n"
        f"WITH {SCOPE}, {SCOPE} IS NOT NULL AND {_ROOT_OF.format(v=SCOPE)} AS {SCOPE_ROOT}"
    )
    cypher = "\n".join([head, *c.header, calls, f"RETURN {expr} AS result"])
    return Compiled(cypher, c.p.values)


def _nested(plan: Select) -> list[Nested]:
    out: list[Nested] = []
    for _, nest in plan.nested:
        out += [nest, *_nested(nest.select)]
    return out


def _areas(plan: Select) -> list[str]:
    found = [plan.area] if plan.area is not None else []
    for _, nest in plan.nested:
        found += _areas(nest.select)
    return found


def to_result(plan: Select, raw: dict[str, Any]) -> SelectResult:
    """The statement's ``result`` map (plain Python values) as a ``SelectResult``."""
    rows = raw["rows"]
    has_next = plan.first is not None and len(rows) > plan.first
    if plan.first is not None:
        rows = rows[: plan.first]
    out = SelectResult(has_next=has_next, total=raw.get("total") if plan.total else None)
    for r in rows:
        row: dict[str, Any] = {"id": r["id"], "labels": sorted(r["labels"]), "props": dict(r["props"])}
        if plan.rel_fields:
            row["_rel"] = dict(r.get("rel") or {})
        for alias, nest in plan.nested:
            row[alias] = to_result(nest.select, r["nested"][alias])
        out.rows.append(row)
        out.cursors.append(tuple(cursor_value(v) for v in r["cursor"]))
    if plan.aggregates:
        out.aggregates = dict(raw["aggregates"])
    if plan.group_by is not None:
        out.groups = [(g, c) for g, c in raw["groups"]]
    return out

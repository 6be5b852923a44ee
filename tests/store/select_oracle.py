"""An independent oracle for compiled reads: a ``Select`` computed in plain Python over the
generator's CSV tables read as dicts (never through a store or ``GraphView``).

Everything is brute force on purpose: the whole filtered set is built, sorted with one
comparison function, paged by position; anchors are the table of
``api/graphql/reads/anchors.py`` written out again by hand. The only shared code is the
model's declarations (which columns a table has, how an enum's Chinese spelling maps to its
code).
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from graph.declare import FieldType
from graph.model import NODE_KINDS, REL_KINDS
from graph.select import (
    And,
    Cmp,
    CountFilter,
    CountKey,
    Filter,
    Hop,
    Not,
    Or,
    RelFilter,
    Scope,
    Select,
    SelectResult,
)

PLACES = ("City", "District", "Subdistrict", "Community", "Grid", "Compound", "Building", "Entrance")


def _value(col: Any, raw: str) -> Any:
    raw = raw.strip()
    if not raw:
        return None
    if col.type is FieldType.INT:
        return int(raw)
    if col.type is FieldType.BOOL:
        return {"是": True, "否": False}[raw]
    if col.type is FieldType.DATE:
        return date.fromisoformat(raw)
    if col.type is FieldType.ENUM:
        return col.choice(raw).code
    return raw


@dataclass
class Edge:
    type: str
    src: str
    dst: str
    props: dict[str, Any]


@dataclass
class World:
    labels: dict[str, set[str]] = field(default_factory=dict)
    props: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    out: dict[tuple[str, str], list[Edge]] = field(default_factory=lambda: defaultdict(list))
    into: dict[tuple[str, str], list[Edge]] = field(default_factory=lambda: defaultdict(list))

    def add(self, e: Edge) -> None:
        self.edges.append(e)
        self.out[(e.src, e.type)].append(e)
        self.into[(e.dst, e.type)].append(e)

    def has(self, node: str, label: str) -> bool:
        return label in self.labels.get(node, ())

    def targets(self, node: str, rel: str, label: str | None = None) -> list[str]:
        return [e.dst for e in self.out[(node, rel)] if label is None or self.has(e.dst, label)]

    def sources(self, node: str, rel: str, label: str | None = None) -> list[str]:
        return [e.src for e in self.into[(node, rel)] if label is None or self.has(e.src, label)]

    def parent(self, place: str) -> str | None:
        up = self.targets(place, "PART_OF", "Place")
        return up[0] if up else None

    def up(self, place: str) -> list[str]:
        """``place`` and its ancestors."""
        out = []
        node: str | None = place
        while node is not None and node not in out:
            out.append(node)
            node = self.parent(node)
        return out


def read_world(folder: Path) -> World:
    w = World()
    for kind in NODE_KINDS:
        path = folder / f"{kind.table}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                node = row["id"].strip()
                props = {c.name: v for c in kind.property_columns if (v := _value(c, row.get(c.name, ""))) is not None}
                w.labels[node] = set(kind.labels_for(props))
                # the stored derived values (caption, initials) as the model declares them; their
                # own values are checked against pypinyin and the widths in tests/store/test_derived.py
                w.props[node] = {**props, **{d.name: x for d in kind.derived if (x := d.value(props)) is not None}}
                for rel in kind.inline_rels:
                    target = row.get(rel.column, "").strip()
                    if target:
                        w.add(Edge(rel.type, node, target, {}))
    for rk in REL_KINDS:
        path = folder / f"{rk.table}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                props = {c.name: v for c in rk.columns if (v := _value(c, row.get(c.name, ""))) is not None}
                w.add(Edge(rk.type, row[rk.from_column.name].strip(), row[rk.to_column.name].strip(), props))
    return w


# ---------------------------------------------------------------- anchors and jurisdiction, by hand


def _place_anchor(w: World, p: str) -> list[str]:
    return w.targets(p, "PART_OF", "Building") if w.has(p, "Entrance") else [p]


def anchors(w: World, n: str) -> set[str]:
    out: set[str] = set()
    if w.has(n, "Place"):
        out.update(_place_anchor(w, n))
    if w.has(n, "Person"):
        homes = w.targets(n, "LIVES_IN", "Building")
        if homes:
            out.update(homes)
        else:
            for t in w.targets(n, "HOLDS_ROLE"):
                if w.has(t, "Place"):
                    out.update(_place_anchor(w, t))
                elif w.has(t, "PropertyFirm"):
                    out.update(w.targets(t, "SERVES", "Compound"))
                elif w.has(t, "PartyOrg"):
                    for c in w.targets(t, "COVERS", "Place"):
                        out.update(_place_anchor(w, c))
            for k in w.targets(n, "SEATED_ON"):
                if w.has(k, "EnvironmentPropertyCommittee"):
                    for rc in w.targets(k, "BELONGS_TO", "ResidentsCommittee"):
                        out.update(w.targets(rc, "BELONGS_TO", "Community"))
                else:
                    out.update(w.targets(k, "BELONGS_TO", "Place"))
    if w.has(n, "Employer"):
        out.update(w.targets(n, "LOCATED_IN", "Community"))
    if w.has(n, "ServiceCentre") or w.has(n, "RedStation"):
        out.update(w.targets(n, "LOCATED_IN", "Place"))
    if w.has(n, "PropertyFirm"):
        served = w.targets(n, "SERVES", "Compound")
        out.update(served or [b for p in w.sources(n, "WORKS_AT", "Person") for b in w.targets(p, "LIVES_IN", "Building")])
    if w.has(n, "Committee") and not w.has(n, "EnvironmentPropertyCommittee"):
        out.update(w.targets(n, "BELONGS_TO", "Place"))
    if w.has(n, "EnvironmentPropertyCommittee"):
        for rc in w.targets(n, "BELONGS_TO", "ResidentsCommittee"):
            out.update(w.targets(rc, "BELONGS_TO", "Community"))
    if w.has(n, "PartyOrg"):
        covered = w.targets(n, "COVERS")
        for t in covered:
            if w.has(t, "Place"):
                out.update(_place_anchor(w, t))
            elif w.has(t, "Employer"):
                out.update(w.targets(t, "LOCATED_IN", "Community"))
            elif w.has(t, "PropertyFirm"):
                out.update(w.targets(t, "SERVES", "Compound"))
        if not covered:
            out.update(b for p in w.sources(n, "MEMBER_OF", "Person") for b in w.targets(p, "LIVES_IN", "Building"))
    return out


def lies_in(w: World, n: str, area: str) -> bool:
    if not w.has(area, "Place"):
        return False
    found = anchors(w, n)
    if not found:
        return w.parent(area) is None
    return any(area in w.up(a) for a in found)


# ---------------------------------------------------------------- the Select, brute force


def _cmp(v: Any, op: str, value: Any) -> bool:
    def same(a: Any, b: Any) -> bool:
        num = (int, float)
        if isinstance(a, bool) or isinstance(b, bool):
            return isinstance(a, bool) and isinstance(b, bool)
        return (isinstance(a, num) and isinstance(b, num)) or type(a) is type(b)

    if op == "is_null":
        return (v is None) is value
    if op == "ne":
        return not _cmp(v, "eq", value)
    if v is None:
        return False
    if op == "in":
        return any(_cmp(v, "eq", x) for x in value)
    if op == "contains":
        return isinstance(v, str) and value in v
    if op == "starts_with":
        return isinstance(v, str) and v.startswith(value)
    if value is None or not same(v, value):
        return False
    return {"eq": v == value, "lt": v < value, "lte": v <= value, "gt": v > value, "gte": v >= value}[op]


def _iso(values: list[Any]) -> list[Any]:
    return [v.isoformat() if isinstance(v, date) else v for v in values]


class Oracle:
    def __init__(self, w: World, scope: Scope) -> None:
        self.w = w
        self.scope = scope

    def sees(self, n: str) -> bool:
        return lies_in(self.w, n, self.scope.area)

    def reach(self, n: str, hop: Hop) -> dict[str, dict[str, Any]]:
        edges = self.w.out[(n, hop.rel)] if hop.direction == "out" else self.w.into[(n, hop.rel)]
        found: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        for e in edges:
            m = e.dst if hop.direction == "out" else e.src
            if not self.w.has(m, hop.label) or not self.sees(m):
                continue
            if hop.as_of is not None:
                s, u = e.props.get("since"), e.props.get("until")
                if not ((s is None or s <= hop.as_of) and (u is None or u >= hop.as_of)):
                    continue
            if hop.rel_where is not None and not self.holds(e.props, hop.rel_where):
                continue
            key = "|".join([e.src, e.dst, *[str(e.props.get(k, "")) for k in ("role", "since")]])
            found[m].append((key, e.props))
        return {m: min(v, key=lambda kv: kv[0])[1] for m, v in found.items()}

    def holds(self, props: dict[str, Any], f: Filter, node: str | None = None) -> bool:
        if isinstance(f, Cmp):
            value = node if f.field == "id" and node is not None else props.get(f.field)
            return _cmp(value, f.op, f.value)
        if isinstance(f, And):
            return all(self.holds(props, x, node) for x in f.items)
        if isinstance(f, Or):
            return any(self.holds(props, x, node) for x in f.items)
        if isinstance(f, Not):
            return not self.holds(props, f.item, node)
        assert node is not None
        hits = [m for m in self.reach(node, f.hop) if f.where is None or self.ok(m, f.where)]
        if isinstance(f, CountFilter):
            c = len(hits)
            return {"eq": c == f.value, "ne": c != f.value, "lt": c < f.value, "lte": c <= f.value,
                    "gt": c > f.value, "gte": c >= f.value}[f.op]
        assert isinstance(f, RelFilter)
        if f.quantifier == "some":
            return bool(hits)
        if f.quantifier == "none":
            return not hits
        if f.quantifier == "single":
            return len(hits) == 1
        return len(hits) == len(self.reach(node, f.hop))

    def ok(self, n: str, f: Filter) -> bool:
        return self.holds(self.w.props[n], f, n)

    def value(self, n: str, key: str | CountKey) -> Any:
        if isinstance(key, CountKey):
            return sum(1 for m in self.reach(n, key.hop) if key.where is None or self.ok(m, key.where))
        return n if key == "id" else self.w.props[n].get(key)

    def select(self, sel: Select, items: list[str] | None = None, rels: dict[str, Any] | None = None) -> SelectResult:
        if items is None:
            items = [n for n, labels in self.w.labels.items() if sel.label in labels and self.sees(n)]
        kept = [
            n for n in items
            # an area outside the scope (one holding it included) holds nothing
            if (sel.area is None or (lies_in(self.w, n, sel.area) and self.sees(sel.area)))
            and (sel.where is None or self.ok(n, sel.where))
        ]
        dirs = [k.descending for k in sel.order] + [False]

        def keyvals(n: str) -> list[Any]:
            return [self.value(n, k.key) for k in sel.order] + [n]

        def order(a: list[Any], b: list[Any]) -> int:
            for x, y, d in zip(a, b, dirs, strict=True):
                if x == y:
                    continue
                if x is None:
                    c = -1 if d else 1  # nulls last ascending, first descending
                elif y is None:
                    c = 1 if d else -1
                else:
                    c = (-1 if x < y else 1) * (-1 if d else 1)
                return c
            return 0

        ranked = sorted(((keyvals(n), n) for n in kept), key=functools.cmp_to_key(lambda a, b: order(a[0], b[0])))
        if sel.after is not None:  # ISO dates order as the dates do: compare in cursor form
            ranked = [t for t in ranked if order(_iso(t[0]), list(sel.after)) > 0]
        page = ranked if sel.first is None else ranked[: sel.first]
        res = SelectResult(has_next=len(page) < len(ranked))
        for vals, n in page:
            props = self.w.props[n]
            row: dict[str, Any] = {"id": n, "labels": sorted(self.w.labels[n]),
                                   "props": {f: (n if f == "id" else props.get(f)) for f in sel.fields}}
            if sel.rel_fields:
                row["_rel"] = {f: (rels or {}).get(n, {}).get(f) for f in sel.rel_fields}
            for alias, nest in sel.nested:
                reached = self.reach(n, nest.hop)
                row[alias] = self.select(nest.select, list(reached), reached)
            res.rows.append(row)
            res.cursors.append(tuple(_iso(vals)))
        if sel.total:
            res.total = len(kept)
        if sel.aggregates:
            res.aggregates = {}
            for a in sel.aggregates:
                vs = [self.w.props[n].get(a.field) for n in kept if a.field and self.w.props[n].get(a.field) is not None]
                res.aggregates[a.alias] = (
                    len(kept) if a.fn == "count" else sum(vs) if a.fn == "sum" else None if not vs
                    else min(vs) if a.fn == "min" else max(vs) if a.fn == "max" else sum(vs) / len(vs)
                )
        if sel.group_by is not None:
            counts: dict[str, int] = defaultdict(int)
            for n in kept:
                places = {p for a in anchors(self.w, n) for p in self.w.up(a) if self.w.has(p, sel.group_by.level)}
                for p in places:
                    if self.scope.area in self.w.up(p):
                        counts[p] += 1
            res.groups = sorted(counts.items())
        return res

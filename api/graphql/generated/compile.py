"""The selection of a ``graph { ... }`` field compiled to ``Select`` plans, one per root list.

The document is walked once, here: aliases, fragments (named and inline), ``@skip``/
``@include`` and variables (coerced by graphql-core against the generated argument types).
Each aliased root list becomes one ``Select`` tree (``graph/select.py``) and a ``ConnSpec``
saying how its rows become the response (``shape.py``): the response keys in document order
and what each one is. Nothing here reads the store.

Nested lists are keyed in their parent's ``Select.nested`` by ``n0``, ``n1``... and aggregates
by ``a0``, ``a1``... in the order met (the spec keeps which key is which), so the same response
key under ``nodes`` and under ``edges { node }`` cannot collide.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values

from api.graphql.connection import page_size
from api.graphql.errors import ClientError
from api.graphql.generated.names import RelField, type_name
from api.graphql.generated.types import Generated, KindInfo
from api.graphql.ids import key_of
from api.graphql.limits import Limits
from graph.declare import Column
from graph.select import (
    Agg,
    And,
    Cmp,
    CountFilter,
    CountKey,
    Filter,
    GroupBy,
    Nested,
    Not,
    Or,
    RelFilter,
    Select,
    SortKey,
)

#: Where operators of the API -> ``Cmp`` operators of the plan.
OPS = {"startsWith": "starts_with", "isNull": "is_null"}
COUNT_OPS = ("eq", "ne", "lt", "lte", "gt", "gte")
AGG_FNS = ("min", "max", "avg", "sum")


@dataclass
class ItemSpec:
    """The response of one item: (response key, what, payload) in document order. ``what``:
    ``typename``, ``id``, ``key``, ``prop`` (column, reason), ``flag`` (label), ``one``
    (nested alias, ItemSpec), ``many`` (nested alias, ConnSpec)."""

    type_name: str
    label: str
    out: list[tuple[str, str, Any]] = field(default_factory=list)


@dataclass
class ConnSpec:
    """The response of one list: ``totalCount``, ``nodes`` (ItemSpec), ``edges`` (list of
    (key, what, payload)), ``pageInfo``, ``aggregate``, ``groupBy``, ``typename``."""

    type_name: str
    label: str
    out: list[tuple[str, str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Request:
    """What the walk needs of the request: the document's fragments, the variables, the schema
    (for argument types), the root's day and the page limits."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: VariableValues | None
    today: date
    limits: Limits


# ---------------------------------------------------------------- cursors


def encode_cursor(values: Sequence[Any]) -> str:
    """A store cursor (sort key values and id) as an opaque string; dates tagged."""
    plain = [{"d": v.isoformat()} if isinstance(v, date) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, ensure_ascii=False).encode()).decode()


def decode_cursor(text: str) -> tuple[Any, ...]:
    try:
        plain = json.loads(base64.urlsafe_b64decode(text.encode()).decode())
        if isinstance(plain, list):
            return tuple(date.fromisoformat(v["d"]) if isinstance(v, dict) else v for v in plain)
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
        pass
    raise ClientError("invalid cursor (无效的游标)")


# ---------------------------------------------------------------- the walk


def collect(sel: SelectionSetNode | None, req: Request) -> list[tuple[str, list[FieldNode]]]:
    """The fields of a selection set by response key, fragments expanded, skipped ones left
    out; fields of one key merged (validation has made sure they are the same field)."""
    out: dict[str, list[FieldNode]] = {}

    def included(node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, req.variables)
        if skip and skip.get("if"):
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, req.variables)
        return not (include is not None and not include.get("if"))

    def walk(s: SelectionSetNode | None, seen: tuple[str, ...]) -> None:
        for node in s.selections if s is not None else ():
            if not included(node):
                continue
            if isinstance(node, FieldNode):
                key = node.alias.value if node.alias else node.name.value
                out.setdefault(key, []).append(node)
            elif isinstance(node, InlineFragmentNode):
                walk(node.selection_set, seen)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                frag = req.fragments.get(name)
                if frag is not None and name not in seen:
                    walk(frag.selection_set, (*seen, name))

    walk(sel, ())
    return list(out.items())


def children(nodes: list[FieldNode]) -> SelectionSetNode:
    """One selection set of every field node of a key (merged fields)."""
    return SelectionSetNode(
        selections=tuple(s for n in nodes if n.selection_set for s in n.selection_set.selections)
    )


def args(req: Request, parent: str, node: FieldNode) -> dict[str, Any]:
    t = req.schema.get_type(parent)
    assert isinstance(t, GraphQLObjectType)
    return get_argument_values(t.fields[node.name.value], node, req.variables)


class Compiler:
    def __init__(self, gen: Generated, req: Request) -> None:
        self.gen = gen
        self.req = req
        self._aliases = 0

    def alias(self, prefix: str) -> str:
        self._aliases += 1
        return f"{prefix}{self._aliases - 1}"

    # ------------------------------------------------------------ filters and sorts

    def where(self, label: str, value: dict[str, Any] | None, day: date) -> Filter | None:
        if not value:
            return None
        info = self.gen.kinds[label]
        items: list[Filter] = []
        for name, v in value.items():
            if v is None:
                continue  # an explicit null is no condition
            if name == "AND":
                items.extend(f for f in (self.where(label, x, day) for x in v) if f is not None)
            elif name == "OR":
                ors = [self.where(label, x, day) for x in v]
                items.append(Or(tuple(f if f is not None else And(()) for f in ors)))
            elif name == "NOT":
                inner = self.where(label, v, day)
                if inner is not None:
                    items.append(Not(inner))
            elif name == "id":
                items.extend(self.cmp("id", None, v))
            elif name in info.filters:
                items.extend(self.cmp(info.filters[name].name, info.filters[name], v))
            else:
                items.extend(self.rel_filter(info, name, v, day))
        if len(items) == 1:
            return items[0]
        return And(tuple(items))

    def cmp(self, prop: str, column: Column | None, ops: dict[str, Any]) -> list[Filter]:
        out: list[Filter] = []
        for op, v in ops.items():
            if v is None:
                continue
            out.append(Cmp(prop, OPS.get(op, op), self.operand(prop, v)))
        return out

    def operand(self, prop: str, v: Any) -> Any:
        if isinstance(v, list):
            return tuple(self.operand(prop, x) for x in v)
        if hasattr(v, "value") and not isinstance(v, bool | int | str | date):
            return v.value  # an enum member: its declared code
        if prop == "id" and isinstance(v, str):
            return key_of(v)
        return v

    def rel_where(self, rf: RelField, value: dict[str, Any] | None) -> Filter | None:
        """A filter on the relationship's own columns (``Graph<Table>RelWhere``)."""
        if not value or rf.table is None:
            return None
        filters = self.gen.rel_filters.get(rf.table.table, {})
        items: list[Filter] = []
        for name, v in value.items():
            if v is None:
                continue
            if name == "AND":
                items.extend(f for f in (self.rel_where(rf, x) for x in v) if f is not None)
            elif name == "OR":
                items.append(Or(tuple(self.rel_where(rf, x) or And(()) for x in v)))
            elif name == "NOT":
                inner = self.rel_where(rf, v)
                if inner is not None:
                    items.append(Not(inner))
            else:
                items.extend(self.cmp(filters[name].name, filters[name], v))
        return items[0] if len(items) == 1 else And(tuple(items))

    def rel_filter(self, info: KindInfo, name: str, v: Any, day: date) -> list[Filter]:
        for rf in info.rels.values():
            hop = rf.hop(day if rf.dated else None)
            if rf.many:
                for q in ("Some", "None", "All", "Single"):
                    if name == rf.name + q:
                        if rf.table is not None and rf.table.columns:  # {rel, node}
                            hop = replace(hop, rel_where=self.rel_where(rf, v.get("rel")))
                            v = v.get("node")
                        return [RelFilter(hop, q.lower(), self.where(rf.target, v, day))]
                if name == rf.name + "Count":
                    return [CountFilter(hop, op, int(n)) for op, n in v.items() if n is not None]
            else:
                if name == rf.name:
                    return [RelFilter(hop, "some", self.where(rf.target, v, day))]
                if name == rf.name + "IsNull":
                    return [RelFilter(hop, "none" if v else "some", None)]
        raise ClientError(f"unknown filter {name}")  # validation refuses it first

    def order(self, label: str, keys: list[dict[str, Any]] | None, day: date) -> tuple[SortKey, ...]:
        info = self.gen.kinds[label]
        out: list[SortKey] = []
        for k in keys or ():
            target = info.sorts[k["field"].value]
            desc = k.get("direction") is not None and k["direction"].value == "desc"
            if isinstance(target, RelField):
                out.append(SortKey(CountKey(target.hop(day if target.dated else None)), desc))
            else:
                out.append(SortKey(target, desc))
        return tuple(out)

    # ------------------------------------------------------------ lists and items

    def root(self, sel: SelectionSetNode | None) -> list[tuple[str, Select | None, ConnSpec | None]]:
        """One (response key, plan, spec) per root list; ``__typename`` as (key, None, None)."""
        out: list[tuple[str, Select | None, ConnSpec | None]] = []
        for key, nodes in collect(sel, self.req):
            name = nodes[0].name.value
            if name == "__typename":
                out.append((key, None, None))
                continue
            label = self.gen.roots[name]
            a = args(self.req, "GraphQuery", nodes[0])
            day = a.get("asOf") or self.req.today
            select, spec = self.connection(label, None, a, nodes, day)
            area = a.get("area")
            if area is not None:
                select = _replace(select, area=key_of(area))
            out.append((key, select, spec))
        return out

    def connection(
        self, label: str, rf: RelField | None, a: dict[str, Any], nodes: list[FieldNode], day: date
    ) -> tuple[Select, ConnSpec]:
        first = page_size(a.get("first"), self.req.limits)
        after = decode_cursor(a["after"]) if a.get("after") else None
        via = "" if rf is None or rf.table is None else f"Via{_cap_table(rf.table.table)}"
        spec = ConnSpec(type_name(label, f"{via}Connection"), label)
        fields: list[str] = ["id"]
        nested: list[tuple[str, Nested]] = []
        rel_fields: list[str] = []
        aggs: list[Agg] = []
        total = False
        group: GroupBy | None = None
        conn_type = spec.type_name
        for key, subs in collect(children(nodes), self.req):
            name = subs[0].name.value
            if name == "__typename":
                spec.out.append((key, "typename", spec.type_name))
            elif name == "totalCount":
                total = True
                spec.out.append((key, "totalCount", None))
            elif name == "nodes":
                spec.out.append((key, "nodes", self.item(label, subs, day, fields, nested)))
            elif name == "edges":
                edge: list[tuple[str, str, Any]] = []
                for ekey, esubs in collect(children(subs), self.req):
                    ename = esubs[0].name.value
                    if ename == "__typename":
                        edge.append((ekey, "typename", type_name(label, f"{via}Edge")))
                    elif ename == "cursor":
                        edge.append((ekey, "cursor", None))
                    elif ename == "node":
                        edge.append((ekey, "node", self.item(label, esubs, day, fields, nested)))
                    elif ename == "rel" and rf is not None and rf.table is not None:
                        rel_spec = self.rel(rf, esubs, rel_fields)
                        edge.append((ekey, "rel", rel_spec))
                spec.out.append((key, "edges", edge))
            elif name == "pageInfo":
                page = [
                    (k, s[0].name.value, type_name("PageInfo")) for k, s in collect(children(subs), self.req)
                ]
                spec.out.append((key, "pageInfo", page))
            elif name == "aggregate":
                spec.out.append((key, "aggregate", self.aggregate(label, key, subs, aggs)))
            elif name == "groupBy":
                level = args(self.req, conn_type, subs[0])["level"].value
                if group is not None and group.level != level:
                    raise ClientError("one groupBy level per list (每个列表只能按一个层级分组)")
                group = GroupBy(level)
                place = [(k, s) for k, s in collect(children(subs), self.req)]
                spec.out.append((key, "groupBy", (level, self.group_spec(place))))
        order = self.order(label, a.get("orderBy"), day)
        if after is not None and len(after) != len(order) + 1:
            raise ClientError("the cursor is from another order (游标与排序不符)")
        select = Select(
            label=label,
            where=self.where(label, a.get("where"), day),
            order=order,
            first=first,
            after=after,
            fields=tuple(fields),
            nested=tuple(nested),
            rel_fields=tuple(rel_fields),
            total=total,
            aggregates=tuple(aggs),
            group_by=group,
        )
        return select, spec

    def item(
        self,
        label: str,
        nodes: list[FieldNode],
        day: date,
        fields: list[str],
        nested: list[tuple[str, Nested]],
    ) -> ItemSpec:
        info = self.gen.kinds[label]
        tname = type_name(label)
        spec = ItemSpec(tname, label)
        for key, subs in collect(children(nodes), self.req):
            name = subs[0].name.value
            if name == "__typename":
                spec.out.append((key, "typename", tname))
            elif name in ("id", "key"):
                spec.out.append((key, name, None))
            elif name in info.props:
                column = info.props[name]
                if column.name not in fields:
                    fields.append(column.name)
                reason = args(self.req, tname, subs[0]).get("reason") if subs[0].arguments else None
                spec.out.append((key, "prop", (column, reason)))
            elif name in info.flags:
                spec.out.append((key, "flag", info.flags[name]))
            elif name in info.rels:
                rf = info.rels[name]
                alias = self.alias("n")
                if rf.many:
                    a = args(self.req, tname, subs[0])
                    inner_day = a.get("asOf") or day
                    as_of = inner_day if rf.dated and a.get("current", True) else None
                    select, conn = self.connection(rf.target, rf, a, subs, inner_day)
                    hop = replace(rf.hop(as_of), rel_where=self.rel_where(rf, a.get("relWhere")))
                    nested.append((alias, Nested(hop, select)))
                    spec.out.append((key, "many", (alias, conn)))
                else:
                    sub_fields: list[str] = ["id"]
                    sub_nested: list[tuple[str, Nested]] = []
                    one = self.item(rf.target, subs, day, sub_fields, sub_nested)
                    select = Select(
                        label=rf.target, first=1, fields=tuple(sub_fields), nested=tuple(sub_nested)
                    )
                    nested.append((alias, Nested(rf.hop(None), select)))
                    spec.out.append((key, "one", (alias, one)))
        return spec

    def rel(self, rf: RelField, nodes: list[FieldNode], rel_fields: list[str]) -> list[tuple[str, str, Any]]:
        assert rf.table is not None
        props = self.gen.rel_props[rf.table.table]
        out: list[tuple[str, str, Any]] = []
        for key, subs in collect(children(nodes), self.req):
            name = subs[0].name.value
            if name == "__typename":
                out.append((key, "typename", type_name(_cap_table(rf.table.table), "Rel")))
            elif name in props:
                column = props[name]
                if column.name not in rel_fields:
                    rel_fields.append(column.name)
                out.append((key, "prop", (_cap_table(rf.table.table), column)))
            else:
                out.append((key, "exists", None))
        return out

    def aggregate(
        self, label: str, key: str, nodes: list[FieldNode], aggs: list[Agg]
    ) -> list[tuple[str, str, Any]]:
        info = self.gen.kinds[label]
        out: list[tuple[str, str, Any]] = []
        for akey, subs in collect(children(nodes), self.req):
            name = subs[0].name.value
            if name == "__typename":
                out.append((akey, "typename", type_name(label, "Aggregate")))
            elif name == "count":
                alias = self.alias("a")
                aggs.append(Agg(alias, "count"))
                out.append((akey, "count", alias))
            else:
                column = info.aggregates[name]
                fns: list[tuple[str, str, str]] = []
                for fkey, fsubs in collect(children(subs), self.req):
                    fn = fsubs[0].name.value
                    if fn == "__typename":
                        fns.append((fkey, "typename", _agg_type(column)))
                        continue
                    alias = self.alias("a")
                    aggs.append(Agg(alias, fn, column.name))
                    fns.append((fkey, "fn", alias))
                out.append((akey, "field", fns))
        return out

    def group_spec(self, place: list[tuple[str, list[FieldNode]]]) -> list[tuple[str, str, Any]]:
        out: list[tuple[str, str, Any]] = []
        for key, subs in place:
            name = subs[0].name.value
            if name == "place":
                inner = [(k, s[0].name.value) for k, s in collect(children(subs), self.req)]
                out.append((key, "place", inner))
            else:
                out.append((key, name, None))  # count, __typename
        return out


def _cap_table(table: str) -> str:
    from api.graphql.generated.names import camel, cap

    return cap(camel(table))


def _agg_type(column: Column) -> str:
    from graph.declare import FieldType

    return type_name(
        {FieldType.INT: "IntAggregate", FieldType.DATE: "DateAggregate"}.get(column.type, "StringAggregate")
    )


def _replace(select: Select, **changes: Any) -> Select:
    return replace(select, **changes)


def compile_graph(
    gen: Generated, sel: SelectionSetNode | None, req: Request
) -> list[tuple[str, Select | None, ConnSpec | None]]:
    """The plans of one ``graph { ... }`` selection, in document order."""
    return Compiler(gen, req).root(sel)

"""The generated GraphQL types: objects, connections, filters, sorts and aggregates, from the model.

``generate(kinds, rels)`` builds every type of the ``graph { ... }`` namespace from the
declarations alone (names by ``names.py``); a new node kind or relationship in the model
appears here with its filters, sorts and lists without API code. The types carry no
resolvers: the ``graph`` root field compiles the whole subtree into ``Select`` plans and
returns its response complete (``compile.py``, ``root.py``); the types exist so that
documents validate and the SDL shows the real shapes.

The registry it returns (``Generated``) is what the compiler reads: which field of which type
means which property, relationship, enum code.
"""

from __future__ import annotations

import itertools
import sys
import types as pytypes
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryObjectDefinition  # noqa: F401  (documents the attribute read)
from strawberry.types.field import StrawberryField

from api.graphql.generated.names import RelField, camel, cap, rel_fields, type_name, upper_snake
from api.graphql.types import enums as shared_enums
from graph.declare import Column, FieldType, NodeKind, RelKind
from graph.model import PLACE_LABELS

#: The enums of the hand-written API reused for the same declared choices (one set of codes).
SHARED_ENUMS: tuple[type[Enum], ...] = (
    shared_enums.OrgLevel,
    shared_enums.OrgKind,
    shared_enums.RoleKind,
    shared_enums.SeatRole,
    shared_enums.ServiceMode,
    shared_enums.PoliticalStatus,
    shared_enums.Gender,
    shared_enums.EmployerKind,
)
#: Column types that text operators (contains, startsWith) apply to.
TEXT_TYPES = (FieldType.STR, FieldType.CREDIT_CODE)
ORDERED_TYPES = (FieldType.STR, FieldType.INT, FieldType.DATE, FieldType.CREDIT_CODE)

_builds = itertools.count()


@dataclass
class KindInfo:
    """What the compiler needs of one generated object type."""

    kind: NodeKind
    props: dict[str, Column] = field(default_factory=dict)  # GraphQL field -> column (id excluded)
    flags: dict[str, str] = field(default_factory=dict)  # isPartyMember -> PartyMember
    rels: dict[str, RelField] = field(default_factory=dict)
    filters: dict[str, Column] = field(default_factory=dict)  # Where fields on properties
    sorts: dict[str, str | RelField] = field(default_factory=dict)  # SortField member -> column or list
    aggregates: dict[str, Column] = field(default_factory=dict)


@dataclass
class Generated:
    """The generated types, and for the compiler the meaning of their fields."""

    graph_query: type[Any]
    place_level: type[Enum]
    kinds: dict[str, KindInfo]  # by label
    roots: dict[str, str]  # GraphQuery field -> label
    enums: dict[str, type[Enum]]  # by label.column
    rel_props: dict[str, dict[str, Column]]  # by relationship table: GraphQL field -> column
    types: dict[str, Any]
    rel_filters: dict[str, dict[str, Column]] = field(default_factory=dict)  # RelWhere fields, by table


class _Builder:
    def __init__(self, kinds: tuple[NodeKind, ...], rels: tuple[RelKind, ...]) -> None:
        self.kinds = kinds
        self.rels = rels
        self.module = pytypes.ModuleType(f"api.graphql.generated._schema{next(_builds)}")
        sys.modules[self.module.__name__] = self.module
        self.ns: dict[str, Any] = self.module.__dict__
        self.ns.update({"strawberry": strawberry, "date": date, "ID": strawberry.ID})
        self.fields = rel_fields(kinds, rels)
        self.info: dict[str, KindInfo] = {}
        self.enums: dict[str, type[Enum]] = {}
        self.rel_props: dict[str, dict[str, Column]] = {}
        self.rel_filters: dict[str, dict[str, Column]] = {}

    # ------------------------------------------------------------ helpers

    def add(self, name: str, cls: type[Any]) -> type[Any]:
        if name in self.ns:
            raise ValueError(f"generated type {name} declared twice")
        self.ns[name] = cls
        return cls

    def ann(self, text: str) -> StrawberryAnnotation:
        return StrawberryAnnotation(text, namespace=self.ns)

    def obj(
        self,
        name: str,
        doc: str,
        fields: dict[str, tuple[str, str, list[StrawberryArgument]]],
        *,
        input: bool = False,
    ) -> type[Any]:
        """A strawberry object (or input) type ``name`` with ``fields``: GraphQL name ->
        (annotation, description, arguments)."""
        annotations: dict[str, str] = {}
        attrs: dict[str, Any] = {"__module__": self.module.__name__, "__doc__": doc}
        seen: set[str] = set()
        for gql, (annotation, description, args) in fields.items():
            if gql in seen:
                raise ValueError(f"{name}.{gql} twice: declare a name in graph/model.py (forward/back)")
            seen.add(gql)
            py = f"f_{gql}"
            annotations[py] = annotation
            f: StrawberryField = strawberry.field(
                name=gql, description=description, default=strawberry.UNSET if input else None
            )
            if args:
                f.arguments = args
            attrs[py] = f
        attrs["__annotations__"] = annotations
        cls = pytypes.new_class(name, (), {}, lambda n: n.update(attrs))
        deco = strawberry.input if input else strawberry.type
        return self.add(name, deco(cls, name=name, description=doc))

    def arg(
        self, name: str, annotation: str, doc: str, default: object = strawberry.UNSET
    ) -> StrawberryArgument:
        return StrawberryArgument(f"a_{name}", name, self.ann(annotation), description=doc, default=default)

    def enum(self, name: str, members: dict[str, Any], doc: str) -> type[Enum]:
        cls = strawberry.enum(Enum(name, members), description=doc)  # type: ignore[misc]
        self.add(name, cls)
        return cls

    # ------------------------------------------------------------ shared types

    def shared(self) -> None:
        ops = {
            "eq": "equal to (等于)",
            "ne": "not equal to (不等于)",
            "in": "one of (属于)",
            "lt": "less than (小于)",
            "lte": "at most (不大于)",
            "gt": "greater than (大于)",
            "gte": "at least (不小于)",
            "contains": "contains the text (包含)",
            "startsWith": "starts with the text (开头为)",
            "isNull": "true: absent; false: present (为空)",
        }

        def scalar_filter(name: str, t: str, names: tuple[str, ...], doc: str) -> None:
            fs = {}
            for op in names:
                annotation = (
                    f"list[{t}] | None"
                    if op == "in"
                    else ("bool | None" if op == "isNull" else f"{t} | None")
                )
                fs[op] = (annotation, ops[op], [])
            self.obj(name, doc, fs, input=True)

        ordered = ("eq", "ne", "in", "lt", "lte", "gt", "gte", "isNull")
        scalar_filter(
            type_name("StringFilter"), "str", (*ordered, "contains", "startsWith"), "text filter (文本条件)"
        )
        scalar_filter(type_name("IntFilter"), "int", ordered, "number filter (数值条件)")
        scalar_filter(type_name("DateFilter"), "date", ordered, "date filter (日期条件)")
        scalar_filter(type_name("BooleanFilter"), "bool", ("eq", "ne", "isNull"), "yes/no filter (是否条件)")
        scalar_filter(
            type_name("IDFilter"), "ID", ("eq", "ne", "in"), "id filter: global or ledger ids (编号条件)"
        )
        scalar_filter(
            type_name("CountFilter"), "int", ("eq", "ne", "lt", "lte", "gt", "gte"), "count filter (数量条件)"
        )
        self.enum(type_name("SortDirection"), {"ASC": "asc", "DESC": "desc"}, "sort direction (排序方向)")
        self.place_level = self.enum(
            "PlaceLevel", {upper_snake(p): p for p in PLACE_LABELS}, "place level (区域层级)"
        )
        self.obj(
            type_name("PageInfo"),
            "a page's end (分页信息)",
            {
                "hasNextPage": ("bool", "more items follow", []),
                "endCursor": ("str | None", "cursor of the last item; pass it as after", []),
            },
        )
        self.obj(
            type_name("Place"),
            "a place a group counts items in (区域)",
            {
                "id": ("ID", "global id", []),
                "key": ("str", "ledger id (台账编号)", []),
                "name": ("str | None", "name (名称)", []),
            },
        )
        self.obj(
            type_name("PlaceGroup"),
            "the items of a list in one place (分组计数)",
            {"place": (type_name("Place"), "the place", []), "count": ("int", "items in it", [])},
        )
        self.obj(
            type_name("IntAggregate"),
            "aggregate of a number (数值汇总)",
            {
                "min": ("int | None", "", []),
                "max": ("int | None", "", []),
                "avg": ("float | None", "", []),
                "sum": ("int | None", "", []),
            },
        )
        self.obj(
            type_name("DateAggregate"),
            "aggregate of a date (日期汇总)",
            {"min": ("date | None", "", []), "max": ("date | None", "", [])},
        )
        self.obj(
            type_name("StringAggregate"),
            "aggregate of a text (文本汇总)",
            {"min": ("str | None", "", []), "max": ("str | None", "", [])},
        )

    # ------------------------------------------------------------ enums of columns

    def column_enum(self, owner: str, column: Column) -> str:
        key = f"{owner}.{column.name}"
        for e in SHARED_ENUMS:
            if tuple(m.value for m in e) == tuple(c.code for c in column.choices):  # type: ignore[attr-defined]
                self.enums[key] = e
                break
        else:
            name = type_name(owner + cap(camel(column.name)))
            members = {c.code.upper(): c.code for c in column.choices}
            self.enums[key] = self.enum(name, members, f"{column.zh} ({column.name})")
        name = self.enums[key].__name__
        self.ns.setdefault(name, self.enums[key])
        fname = type_name(f"{name}Filter") if not name.startswith("Graph") else f"{name}Filter"
        if fname not in self.ns:
            self.obj(
                fname,
                f"filter on {name}",
                {
                    "eq": (f"{name} | None", "equal to", []),
                    "ne": (f"{name} | None", "not equal to", []),
                    "in": (f"list[{name}] | None", "one of", []),
                    "isNull": ("bool | None", "absent", []),
                },
                input=True,
            )
        return name

    def scalar(self, owner: str, column: Column) -> tuple[str, str | None]:
        """(GraphQL output annotation, filter input name or None) of a property column."""
        t = column.type
        if t is FieldType.ENUM:
            name = self.column_enum(owner, column)
            return name, (type_name(f"{name}Filter") if not name.startswith("Graph") else f"{name}Filter")
        if t is FieldType.INT:
            return "int", type_name("IntFilter")
        if t is FieldType.BOOL:
            return "bool", type_name("BooleanFilter")
        if t is FieldType.DATE:
            return "date", type_name("DateFilter")
        return "str", type_name("StringFilter")

    # ------------------------------------------------------------ per kind

    def list_args(
        self, target: str, dated: bool, root: bool, table: RelKind | None = None
    ) -> list[StrawberryArgument]:
        args = [
            self.arg("where", f"{type_name(target, 'Where')} | None", "filter (条件)"),
            self.arg("orderBy", f"list[{type_name(target, 'Sort')}] | None", "sort keys, id last (排序)"),
            self.arg("first", "int | None", "page size (每页条数)"),
            self.arg("after", "str | None", "the endCursor of the previous page (游标)"),
        ]
        if root:
            args.append(self.arg("area", "ID | None", "the area (default: yours) (区域)"))
        if root or dated:
            args.append(
                self.arg("asOf", "date | None", "the day (default: today; nested: the list's day) (日期)")
            )
        if table is not None and table.columns:
            args.append(
                self.arg(
                    "relWhere",
                    f"{self.rel_where(table)} | None",
                    "filter on the relationship's own facts (关系条件)",
                )
            )
        if dated:
            args.append(
                self.arg(
                    "current", "bool", "false: every relationship whatever its dates (仅当前)", default=True
                )
            )
        return args

    def connection(self, target: str, table: RelKind | None) -> str:
        """The connection type of a list of ``target`` items (along relationship ``table``)."""
        via = "" if table is None else f"Via{cap(camel(table.table))}"
        name = type_name(target, f"{via}Connection")
        if name in self.ns:
            return name
        edge_fields: dict[str, tuple[str, str, list[StrawberryArgument]]] = {
            "cursor": ("str", "cursor of this item (游标)", []),
            "node": (type_name(target), "the item", []),
        }
        if table is not None:
            edge_fields["rel"] = (self.rel_type(table), "the relationship's own facts (关系属性)", [])
        edge = self.obj(type_name(target, f"{via}Edge"), f"one {target} of the list", edge_fields)
        self.obj(
            name,
            f"a page of {target} items",
            {
                "totalCount": ("int", "the number of items of the whole filtered list (总数)", []),
                "nodes": (f"list[{type_name(target)}]", "the items of the page", []),
                "edges": (f"list[{edge.__name__}]", "the items of the page with their cursors", []),
                "pageInfo": (type_name("PageInfo"), "the page's end", []),
                "aggregate": (
                    type_name(target, "Aggregate"),
                    "count, min, max, avg, sum over the filtered list (汇总)",
                    [],
                ),
                "groupBy": (
                    f"list[{type_name('PlaceGroup')}]",
                    "counts of the filtered list per place of a level (按区域计数)",
                    [self.arg("level", "PlaceLevel", "the place level")],
                ),
            },
        )
        return name

    def rel_type(self, table: RelKind) -> str:
        name = type_name(cap(camel(table.table)), "Rel")
        if name in self.ns:
            return name
        props: dict[str, Column] = {}
        fs: dict[str, tuple[str, str, list[StrawberryArgument]]] = {}
        for c in table.columns:
            annotation, _ = self.scalar(cap(camel(table.table)), c)
            fs[camel(c.name)] = (f"{annotation} | None", f"{c.zh} ({c.name})", [])
            props[camel(c.name)] = c
        if not fs:
            fs["exists"] = ("bool", "always true", [])
        self.rel_props[table.table] = props
        self.obj(name, f"a {table.type} relationship ({table.zh})", fs)
        return name

    def rel_where(self, table: RelKind) -> str:
        """``Graph<Table>RelWhere``: a filter on a relationship's own columns."""
        owner = cap(camel(table.table))
        name = type_name(owner, "RelWhere")
        if name in self.ns:
            return name
        fs: dict[str, tuple[str, str, list[StrawberryArgument]]] = {
            "AND": (f"list[{name}] | None", "all of (并且)", []),
            "OR": (f"list[{name}] | None", "any of (或者)", []),
            "NOT": (f"{name} | None", "not (非)", []),
        }
        filters: dict[str, Column] = {}
        for c in table.columns:
            _, filt = self.scalar(owner, c)
            if filt is not None and not c.personal:
                fs[camel(c.name)] = (f"{filt} | None", f"{c.zh} ({c.name})", [])
                filters[camel(c.name)] = c
        self.rel_filters[table.table] = filters
        self.obj(name, f"filter on a {table.type} relationship ({table.zh})", fs, input=True)
        return name

    def via_where(self, target: str, table: RelKind) -> str:
        """``Graph<Target>Via<Table>Where``: the relationships followed (``rel``) and the items
        they reach (``node``), for the quantifier filters of a relationship table's list."""
        name = type_name(target, f"Via{cap(camel(table.table))}Where")
        if name not in self.ns:
            self.obj(
                name,
                f"filter on {target} items reached along {table.type}",
                {
                    "rel": (
                        f"{self.rel_where(table)} | None",
                        "only the relationships matching this (关系条件)",
                        [],
                    ),
                    "node": (f"{type_name(target, 'Where')} | None", "the items reached (对象条件)", []),
                },
                input=True,
            )
        return name

    def kind(self, k: NodeKind) -> None:
        info = self.info[k.label] = KindInfo(k)
        fs: dict[str, tuple[str, str, list[StrawberryArgument]]] = {
            "id": ("ID", "global id (全局编号), the same as node(id:) takes", []),
            "key": ("str", "ledger id (台账编号)", []),
        }
        where: dict[str, tuple[str, str, list[StrawberryArgument]]] = {
            "AND": (f"list[{type_name(k.label, 'Where')}] | None", "all of (并且)", []),
            "OR": (f"list[{type_name(k.label, 'Where')}] | None", "any of (或者)", []),
            "NOT": (f"{type_name(k.label, 'Where')} | None", "not (非)", []),
            "id": (f"{type_name('IDFilter')} | None", "id", []),
        }
        sort: dict[str, Any] = {"ID": "id"}
        aggs: dict[str, tuple[str, str, list[StrawberryArgument]]] = {"count": ("int", "items (条数)", [])}
        for c in k.property_columns[1:]:
            gql = camel(c.name)
            annotation, filt = self.scalar(k.label, c)
            doc = f"{c.zh} ({c.en_doc or c.name})"
            args = (
                [self.arg("reason", "str | None", "why the full value is read (audited)")]
                if c.type in (FieldType.PHONE, FieldType.ID_NUMBER) and c.personal
                else []
            )
            fs[gql] = (
                f"{annotation} | None",
                doc + ("; masked by role (按角色脱敏)" if c.personal else ""),
                args,
            )
            info.props[gql] = c
            if c.personal:
                continue  # never filtered, sorted or aggregated on: a masked value must not leak by order
            if filt is not None:
                where[gql] = (f"{filt} | None", doc, [])
                info.filters[gql] = c
            if c.type in ORDERED_TYPES or c.type is FieldType.ENUM or c.type is FieldType.BOOL:
                sort[upper_snake(gql)] = c.name
            agg = {FieldType.INT: "IntAggregate", FieldType.DATE: "DateAggregate"}.get(c.type)
            if agg is None and c.type in TEXT_TYPES:
                agg = "StringAggregate"
            if agg is not None:
                aggs[gql] = (f"{type_name(agg)}", doc, [])
                info.aggregates[gql] = c
        for cl in k.conditional_labels:
            gql = f"is{cl.label}"
            fs[gql] = ("bool", f"carries the label {cl.label}", [])
            info.flags[gql] = cl.label
        for rf in self.fields[k.label]:
            if rf.name in fs:
                raise ValueError(
                    f"{type_name(k.label)}.{rf.name} twice: declare a name in graph/model.py (forward/back)"
                )
            info.rels[rf.name] = rf
            tw = type_name(rf.target, "Where")
            if rf.many:
                conn = self.connection(rf.target, rf.table)
                fs[rf.name] = (
                    conn,
                    f"{rf.rel} {'->' if rf.direction == 'out' else '<-'} {rf.target}",
                    self.list_args(rf.target, rf.dated, False, rf.table),
                )
                qw = self.via_where(rf.target, rf.table) if rf.table is not None and rf.table.columns else tw
                for q in ("Some", "None", "All", "Single"):
                    where[rf.name + q] = (f"{qw} | None", f"{q.lower()} of {rf.name} match", [])
                where[rf.name + "Count"] = (
                    f"{type_name('CountFilter')} | None",
                    f"the number of {rf.name}",
                    [],
                )
                sort[upper_snake(rf.name) + "_COUNT"] = rf
            else:
                fs[rf.name] = (f"{type_name(rf.target)} | None", f"{rf.rel} -> {rf.target}", [])
                where[rf.name] = (f"{tw} | None", f"the {rf.name} matches", [])
                where[rf.name + "IsNull"] = ("bool | None", f"true: no {rf.name}", [])
        info.sorts = sort
        self.obj(type_name(k.label), f"{k.zh}: {k.en_doc}", fs)
        self.obj(type_name(k.label, "Where"), f"filter on {k.label} (条件)", where, input=True)
        field_enum = self.enum(
            type_name(k.label, "SortField"), {m: m for m in sort}, f"sort keys of {k.label}"
        )
        self.obj(
            type_name(k.label, "Sort"),
            f"one sort key of {k.label}",
            {
                "field": (field_enum.__name__, "the key", []),
                "direction": (f"{type_name('SortDirection')} | None", "ASC (default) or DESC", []),
            },
            input=True,
        )
        self.obj(type_name(k.label, "Aggregate"), f"aggregates over a list of {k.label} (汇总)", aggs)

    def build(self) -> Generated:
        self.shared()
        for k in self.kinds:
            self.kind(k)
        roots: dict[str, str] = {}
        fs: dict[str, tuple[str, str, list[StrawberryArgument]]] = {}
        for k in self.kinds:
            name = camel(k.table)
            roots[name] = k.label
            fs[name] = (
                self.connection(k.label, None),
                f"{k.zh} ({k.en_doc}) in an area",
                self.list_args(k.label, False, True),
            )
        query = self.obj("GraphQuery", "every item of the model, filtered, sorted, counted (模型查询)", fs)
        return Generated(
            query,
            self.place_level,
            self.info,
            roots,
            self.enums,
            self.rel_props,
            dict(self.ns),
            self.rel_filters,
        )


def generate(kinds: tuple[NodeKind, ...] | None = None, rels: tuple[RelKind, ...] | None = None) -> Generated:
    """The generated types of ``kinds`` and ``rels`` (default: the model's)."""
    from graph.model import NODE_KINDS, REL_KINDS

    return _Builder(NODE_KINDS if kinds is None else kinds, REL_KINDS if rels is None else rels).build()

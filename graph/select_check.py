"""Checking a plan against the model, and the values both executors share (cursors, types).

``check(plan)`` runs before either store does anything: every label, relationship type and
property name of a ``Select`` tree must be declared in ``graph/model.py`` (``id`` included),
every operator one of ``graph/select.py``'s, or ``PlanError`` names what is wrong. Only names
that passed here are ever spelt into Cypher text.

Cursors: a row's cursor is its sort values and its id, JSON-serialisable and equal on both
stores (dates as ISO strings); ``decode_after`` turns a cursor back into comparable values
by the declared type of each sort key.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from graph.declare import FieldType
from graph.errors import PlanError
from graph.model import NODE_KINDS, PLACE_LABELS, REL_KINDS, all_labels, all_relationship_types
from graph.select import (
    AGG_FNS,
    CMP_OPS,
    QUANTIFIERS,
    And,
    Cmp,
    CountFilter,
    CountKey,
    Filter,
    Hop,
    Not,
    Or,
    RelFilter,
    Select,
)

COUNT_OPS = ("eq", "ne", "lt", "lte", "gt", "gte")
#: Aggregates that need numbers.
NUMERIC_FNS = ("avg", "sum")


@cache
def node_props(label: str) -> dict[str, FieldType]:
    """The properties nodes carrying ``label`` may have, with their declared types."""
    out: dict[str, FieldType] = {"id": FieldType.STR}
    for k in NODE_KINDS:
        if label in k.all_labels:
            for c in k.property_columns:
                out.setdefault(c.name, c.type)
            for d in k.derived:  # plans may filter on them (search by initials); the API shows none
                out.setdefault(d.name, FieldType.STR)
    return out


@cache
def rel_props(rel: str) -> dict[str, FieldType]:
    """The properties of ``rel`` relationships (inline ones have none)."""
    out: dict[str, FieldType] = {}
    for rk in REL_KINDS:
        if rk.type == rel:
            for c in rk.columns:
                out.setdefault(c.name, c.type)
    return out


def _label(label: str) -> None:
    if label not in all_labels():
        raise PlanError(f"unknown label {label!r} / 未知的节点类型", message_zh=f"未知的节点类型 {label!r}")


def _prop(props: dict[str, FieldType], name: str, owner: str) -> None:
    if name not in props:
        raise PlanError(f"{owner} has no property {name!r}", message_zh=f"{owner} 没有属性 {name!r}")


def check_hop(hop: Hop) -> None:
    if hop.rel not in all_relationship_types():
        raise PlanError(f"unknown relationship type {hop.rel!r}", message_zh=f"未知的关系类型 {hop.rel!r}")
    if hop.direction not in ("out", "in"):
        raise PlanError(f"unknown direction {hop.direction!r}", message_zh="方向无效")
    _label(hop.label)
    if hop.as_of is not None and not isinstance(hop.as_of, date):
        raise PlanError("as_of must be a date", message_zh="asOf 必须是日期")
    if hop.rel_where is not None:
        check_filter(hop.rel_where, rel_props(hop.rel), hop.rel, rel=True)


def _cmp(f: Cmp, props: dict[str, FieldType], owner: str) -> None:
    _prop(props, f.field, owner)
    if f.op not in CMP_OPS:
        raise PlanError(f"unknown operator {f.op!r}", message_zh=f"未知的比较运算 {f.op!r}")
    if f.op == "in" and not isinstance(f.value, list | tuple | set | frozenset):
        raise PlanError("'in' takes a list of values", message_zh="in 需要一组值")
    if f.op == "is_null" and not isinstance(f.value, bool):
        raise PlanError("'is_null' takes true or false", message_zh="is_null 需要 true 或 false")
    if f.op in ("contains", "starts_with") and not isinstance(f.value, str):
        raise PlanError(f"{f.op!r} takes text", message_zh=f"{f.op} 需要文本")


def check_filter(f: Filter, props: dict[str, FieldType], owner: str, *, rel: bool = False) -> None:
    """``props``: what ``Cmp`` may name; ``rel``: a relationship's own filter (no hops in it)."""
    if isinstance(f, Cmp):
        _cmp(f, props, owner)
    elif isinstance(f, And | Or):
        for item in f.items:
            check_filter(item, props, owner, rel=rel)
    elif isinstance(f, Not):
        check_filter(f.item, props, owner, rel=rel)
    elif isinstance(f, RelFilter | CountFilter) and not rel:
        check_hop(f.hop)
        if isinstance(f, RelFilter) and f.quantifier not in QUANTIFIERS:
            raise PlanError(f"unknown quantifier {f.quantifier!r}", message_zh=f"未知的量词 {f.quantifier!r}")
        if isinstance(f, CountFilter):
            if f.op not in COUNT_OPS:
                raise PlanError(f"unknown count operator {f.op!r}", message_zh=f"未知的计数比较 {f.op!r}")
            if not isinstance(f.value, int) or isinstance(f.value, bool):
                raise PlanError("a count is compared with an integer", message_zh="计数只能与整数比较")
        if f.where is not None:
            check_filter(f.where, node_props(f.hop.label), f.hop.label)
    else:
        raise PlanError(f"not a filter here: {type(f).__name__}", message_zh="过滤条件无效")


def check(plan: Select, *, nested: bool = False) -> None:
    """Refuse (``PlanError``) a plan naming anything the model does not declare."""
    _label(plan.label)
    props = node_props(plan.label)
    for name in plan.fields:
        _prop(props, name, plan.label)
    if plan.where is not None:
        check_filter(plan.where, props, plan.label)
    for key in plan.order:
        if isinstance(key.key, CountKey):
            check_hop(key.key.hop)
            if key.key.where is not None:
                check_filter(key.key.where, node_props(key.key.hop.label), key.key.hop.label)
        elif isinstance(key.key, str):
            _prop(props, key.key, plan.label)
        else:
            raise PlanError("a sort key is a property name or a count", message_zh="排序键无效")
    if plan.first is not None and (not isinstance(plan.first, int) or plan.first < 0):
        raise PlanError("first must be a non-negative integer", message_zh="first 必须是非负整数")
    if plan.after is not None and len(plan.after) != len(plan.order) + 1:
        raise PlanError("the cursor does not fit this order", message_zh="游标与排序不符")
    for agg in plan.aggregates:
        if agg.fn not in AGG_FNS:
            raise PlanError(f"unknown aggregate {agg.fn!r}", message_zh=f"未知的聚合 {agg.fn!r}")
        if agg.fn != "count":
            if agg.field is None:
                raise PlanError(f"{agg.fn} needs a field", message_zh=f"{agg.fn} 需要字段")
            _prop(props, agg.field, plan.label)
            if agg.fn in NUMERIC_FNS and props[agg.field] is not FieldType.INT:
                raise PlanError(f"{agg.fn} needs a number field, not {agg.field!r}", message_zh=f"{agg.fn} 只适用于数值字段")
    if plan.group_by is not None and plan.group_by.level not in PLACE_LABELS:
        raise PlanError(f"unknown place level {plan.group_by.level!r}", message_zh="未知的区域层级")
    if plan.rel_fields and not nested:
        raise PlanError("relationship fields only on a nested list", message_zh="关系字段只用于嵌套列表")
    for alias, nest in plan.nested:
        if not alias.isidentifier():
            raise PlanError(f"bad alias {alias!r}", message_zh="别名无效")
        check_hop(nest.hop)
        if nest.select.label != nest.hop.label:
            raise PlanError("a nested list's label is its hop's", message_zh="嵌套列表的类型须与关系终点一致")
        for name in nest.select.rel_fields:
            _prop(rel_props(nest.hop.rel), name, nest.hop.rel)
        check(nest.select, nested=True)


# ---------------------------------------------------------------- cursors


def cursor_value(value: Any) -> Any:
    """A sort value as a cursor holds it: JSON-serialisable, dates as ISO strings."""
    return value.isoformat() if isinstance(value, date) else value


def sort_type(plan: Select, i: int) -> FieldType:
    key = plan.order[i].key
    return FieldType.INT if isinstance(key, CountKey) else node_props(plan.label)[key]


def decode_after(plan: Select) -> tuple[Any, ...] | None:
    """The plan's ``after`` cursor as comparable values (ISO strings back to dates)."""
    if plan.after is None:
        return None
    out: list[Any] = []
    for i, v in enumerate(plan.after[:-1]):
        if v is not None and sort_type(plan, i) is FieldType.DATE:
            try:
                v = date.fromisoformat(v) if isinstance(v, str) else v
            except ValueError:
                raise PlanError("the cursor is not valid", message_zh="游标无效") from None
        out.append(v)
    out.append(plan.after[-1])
    return tuple(out)

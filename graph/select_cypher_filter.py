"""The Cypher text of a plan's filters, hops, counts and keyset predicates (``select_cypher``).

Every name spelt here was checked by ``graph.select_check.check`` against the model first;
every value becomes a parameter (``Params.add``: ``$p0``, ``$p1``...). The semantics are the
networkx side's (``graph/select_nx.py``): a comparison is two-valued (``coalesce(..., false)``,
so ``NOT`` of one holds where the property is absent), counts and quantifiers count distinct
visible items, ``EXISTS`` / ``COUNT`` subqueries per relationship filter.
"""

from __future__ import annotations

from typing import Any

from graph.select import And, Cmp, CountFilter, CountKey, Filter, Hop, Not, Or, RelFilter
from graph.visibility import implied, visible_cypher
from queries.common import current_on

#: The statement's scope: its node variable, the parameter of its id (always the first one,
#: ``compile_select`` adds it first), and whether it is a root.
SCOPE = "scope"
SCOPE_ID = "$p0"
SCOPE_ROOT = "scope_root"

_CMP = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_COUNT_CMP = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


class Params:
    """The statement's parameters and fresh variable names."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self._vars = 0

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = list(value) if isinstance(value, tuple | set | frozenset) else value
        return f"${name}"

    def var(self, prefix: str) -> str:
        self._vars += 1
        return f"{prefix}{self._vars}"


def cmp_text(target: str, f: Cmp, p: Params) -> str:
    """``target.field op $value``, two-valued."""
    prop = f"{target}.{f.field}"
    if f.op == "is_null":
        return f"{prop} IS NULL" if f.value else f"{prop} IS NOT NULL"
    if f.op == "ne":
        return f"NOT {cmp_text(target, Cmp(f.field, 'eq', f.value), p)}"
    if f.value is None:
        return "false"
    if f.op == "in":
        return f"coalesce({prop} IN {p.add(f.value)}, false)"
    if f.op == "contains":
        return f"coalesce({prop} CONTAINS {p.add(f.value)}, false)"
    if f.op == "starts_with":
        return f"coalesce({prop} STARTS WITH {p.add(f.value)}, false)"
    if f.op == "eq" and isinstance(f.value, bool):
        # Cypher's true = 1 is false already; spelt the same way for symmetry
        return f"coalesce({prop} = {p.add(f.value)}, false)"
    return f"coalesce({prop} {_CMP[f.op]} {p.add(f.value)}, false)"


def rel_filter_text(r: str, f: Filter, p: Params) -> str:
    """A relationship's own filter (comparisons combined; ``check`` refused hops in it)."""
    if isinstance(f, Cmp):
        return cmp_text(r, f, p)
    if isinstance(f, And):
        return "(" + " AND ".join(rel_filter_text(r, x, p) for x in f.items) + ")" if f.items else "true"
    if isinstance(f, Or):
        return "(" + " OR ".join(rel_filter_text(r, x, p) for x in f.items) + ")" if f.items else "false"
    if isinstance(f, Not):
        return f"NOT ({rel_filter_text(r, f.item, p)})"
    raise TypeError(type(f).__name__)


def hop_match(
    src: str, hop: Hop, p: Params, *, r: str | None = None, m: str | None = None, src_label: str | None = None
) -> tuple[str, str, str, str]:
    """(pattern, conditions, relationship var, end var) of one visible step from ``src`` (a
    visible item of ``src_label``): the end is checked against the scope unless the step
    implies it (``graph.visibility.implied``). The conditions may be empty."""
    r = r or p.var("r")
    m = m or p.var("m")
    arrow = f"-[{r}:{hop.rel}]->" if hop.direction == "out" else f"<-[{r}:{hop.rel}]-"
    pattern = f"({src}){arrow}({m}:{hop.label})"
    conds: list[str] = []
    if hop.as_of is not None:
        conds.append(f"({current_on(r, p.add(hop.as_of))})")
    if hop.rel_where is not None:
        conds.append(rel_filter_text(r, hop.rel_where, p))
    if not implied(src_label, hop.rel, hop.direction, hop.label):
        conds.append(visible_cypher(m, hop.label, SCOPE_ID, SCOPE_ROOT))
    return pattern, " AND ".join(conds), r, m


def _where(*conds: str) -> str:
    present = [c for c in conds if c]
    return f" WHERE {' AND '.join(present)}" if present else ""


def count_text(src: str, hop: Hop, where: Filter | None, p: Params, src_label: str | None = None) -> str:
    """The number of distinct visible items ``hop`` reaches from ``src`` satisfying ``where``."""
    pattern, conds, _, m = hop_match(src, hop, p, src_label=src_label)
    cond = filter_text(m, where, p, hop.label) if where is not None else ""
    return f"COUNT {{ MATCH {pattern}{_where(conds, cond)} RETURN DISTINCT {m} }}"


def filter_text(n: str, f: Filter, p: Params, label: str | None = None) -> str:
    """The Cypher boolean of filter ``f`` on node variable ``n`` (a visible item of ``label``)."""
    if isinstance(f, Cmp):
        return cmp_text(n, f, p)
    if isinstance(f, And):
        return "(" + " AND ".join(filter_text(n, x, p, label) for x in f.items) + ")" if f.items else "true"
    if isinstance(f, Or):
        return "(" + " OR ".join(filter_text(n, x, p, label) for x in f.items) + ")" if f.items else "false"
    if isinstance(f, Not):
        return f"NOT ({filter_text(n, f.item, p, label)})"
    if isinstance(f, CountFilter):
        return f"{count_text(n, f.hop, f.where, p, label)} {_COUNT_CMP[f.op]} {p.add(f.value)}"
    if isinstance(f, RelFilter):
        if f.quantifier == "single":
            return f"{count_text(n, f.hop, f.where, p, label)} = 1"
        if f.quantifier == "all" and f.where is None:
            return "true"
        pattern, conds, _, m = hop_match(n, f.hop, p, src_label=label)
        if f.quantifier == "all":
            assert f.where is not None
            return f"NOT EXISTS {{ MATCH {pattern}{_where(conds, f'NOT ({filter_text(m, f.where, p, f.hop.label)})')} }}"
        cond = filter_text(m, f.where, p, f.hop.label) if f.where is not None else ""
        exists = f"EXISTS {{ MATCH {pattern}{_where(conds, cond)} }}"
        return exists if f.quantifier == "some" else f"NOT {exists}"
    raise TypeError(type(f).__name__)


def sort_expr(n: str, key: str | CountKey, p: Params, label: str | None = None) -> str:
    if isinstance(key, CountKey):
        return count_text(n, key.hop, key.where, p, label)
    return f"{n}.{key}"


def after_text(keys: list[tuple[str, bool]], cursor: tuple[Any, ...], p: Params) -> str:
    """Rows after ``cursor`` in the order of ``keys`` ((expression, descending), id last):
    lexicographic over the keys, nulls last ascending and first descending, as ORDER BY."""
    ors: list[str] = []
    equal: list[str] = []
    for (expr, desc), value in zip(keys, cursor, strict=True):
        if value is None:
            later = f"{expr} IS NOT NULL" if desc else "false"
            same = f"{expr} IS NULL"
        else:
            v = p.add(value)
            later = f"coalesce({expr} < {v}, false)" if desc else f"({expr} IS NULL OR {expr} > {v})"
            same = f"coalesce({expr} = {v}, false)"
        ors.append("(" + " AND ".join([*equal, later]) + ")")
        equal.append(same)
    return "(" + " OR ".join(ors) + ")"

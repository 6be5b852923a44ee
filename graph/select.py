"""A read as data: the store-neutral plan one request's selection compiles to.

The GraphQL layer (``api/graphql/generated/``) turns the selection set of a read into a
``Select`` tree; each store runs the whole tree as one unit: Neo4j as **one** Cypher
statement (``graph/select_cypher.py``), the embedded store over networkx reading only what
the page needs (``graph/select_nx.py``). Both return the same rows (``SelectResult``), and
the differential tests hold them to a plain-Python oracle.

Every name in a plan (labels, relationship types, property names) comes from the model's
declarations and is checked against it before any statement is built (``check``); values
(filter operands, cursors, dates, the area) travel as parameters only.

Jurisdiction is part of the plan, not a second statement: ``Select.scope`` is the user's
area, and every item a plan reaches (at the root, along a hop, inside a filter, a count, an
aggregate or a group) is kept only when it lies in that area as ``api/graphql/reads/anchors.py``
defines it; for a user bound to a root area, items with no anchor at all too. So no filter,
sort key, count or aggregate can depend on what the user may not see: an aggregate over
another area's items is the aggregate over none.

Shapes, in short::

    Select(label="Building", where=..., order=(SortKey("name"),), first=20,
           fields=("id", "name"),
           nested=(("entrances", Nested(Hop("PART_OF", IN, "Entrance"), Select(...))),))

Rows: ``{"id": ..., "labels": [...], "props": {field: value}, "anchors": [...],
alias: SelectResult, "_rel": {rel field: value}}`` (``_rel`` only on items reached by a hop
whose ``rel_fields`` are asked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

OUT: Literal["out"] = "out"
IN: Literal["in"] = "in"

#: Comparison operators of ``Cmp``. ``contains`` and ``starts_with`` are for text only;
#: ``is_null`` takes ``True`` (the property is absent or null) or ``False``.
CMP_OPS = ("eq", "ne", "in", "lt", "lte", "gt", "gte", "contains", "starts_with", "is_null")
#: Quantifiers of ``RelFilter`` over the visible items a hop reaches (``all`` holds when there are none).
QUANTIFIERS = ("some", "none", "all", "single")
#: Functions of ``Agg``; ``count`` ignores ``field`` (counts items), the others skip nulls.
AGG_FNS = ("count", "min", "max", "avg", "sum")


@dataclass(frozen=True)
class Hop:
    """One step along a declared relationship: ``(item)-[rel]->(other:label)`` for ``OUT``,
    ``(item)<-[rel]-(other:label)`` for ``IN``.

    ``as_of``: for a dated relationship, only those current on that day (``since`` on or
    before it, ``until`` absent or on or after it: ``queries.common.current``); ``None``
    takes every relationship whatever its dates. ``rel_where`` filters on the
    relationship's own properties (``role``, ``mode``, ``since``...)."""

    rel: str
    direction: Literal["out", "in"]
    label: str
    as_of: date | None = None
    rel_where: Filter | None = None


@dataclass(frozen=True)
class Cmp:
    """``field op value`` on the item's property ``field`` (``id`` included)."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class And:
    items: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    item: Filter


@dataclass(frozen=True)
class RelFilter:
    """``quantifier`` of the visible items ``hop`` reaches satisfy ``where`` (``None``: any)."""

    hop: Hop
    quantifier: str
    where: Filter | None = None


@dataclass(frozen=True)
class CountFilter:
    """The number of visible items ``hop`` reaches that satisfy ``where``, compared: ``op``
    one of eq, ne, lt, lte, gt, gte."""

    hop: Hop
    op: str
    value: int
    where: Filter | None = None


Filter = Cmp | And | Or | Not | RelFilter | CountFilter


@dataclass(frozen=True)
class CountKey:
    """A sort key: the number of visible items ``hop`` reaches (satisfying ``where``)."""

    hop: Hop
    where: Filter | None = None


@dataclass(frozen=True)
class SortKey:
    """One sort key: a property name, or a ``CountKey``. Nulls sort last ascending and first
    descending (Neo4j's order). The item's id is always the final tie-breaker, so that
    every order is total and a cursor names one place in it."""

    key: str | CountKey
    descending: bool = False


@dataclass(frozen=True)
class Agg:
    """``fn`` of property ``field`` over every item of the selection's filtered set (not just
    the page); its result is keyed by ``alias``."""

    alias: str
    fn: str
    field: str | None = None


@dataclass(frozen=True)
class GroupBy:
    """Counts of the selection's filtered set per place of ``level`` (a place label such as
    ``Community``) the item lies in: the item's home place (the anchor of
    ``api/graphql/reads/anchors.py``) and its ancestors. Only groups the user may see, only
    items the user may see; an item under no place of that level is left out."""

    level: str


@dataclass(frozen=True)
class Select:
    """A list of items of ``label`` (root) or the items one hop reaches (``Nested``).

    ``area``: at the root, only items lying in that place (anchors as for jurisdiction); a
    place outside the scope, one holding the scope included, holds nothing (as an area that
    does not exist); ``None``: the whole scope. ``first``/``after``: the page; ``after`` is the cursor the
    store returned for the last item of the previous page (the sort key values and the id),
    so a page never reads past its end. ``total``: whether the filtered count is wanted.
    ``fields``: the properties each item returns; ``nested``: (alias, Nested) per nested
    list; ``rel_fields``: properties of the relationship that reached the item (nested only).
    """

    label: str
    where: Filter | None = None
    order: tuple[SortKey, ...] = ()
    first: int | None = None
    after: tuple[Any, ...] | None = None
    fields: tuple[str, ...] = ("id",)
    nested: tuple[tuple[str, Nested], ...] = ()
    rel_fields: tuple[str, ...] = ()
    total: bool = False
    aggregates: tuple[Agg, ...] = ()
    group_by: GroupBy | None = None
    area: str | None = None


@dataclass(frozen=True)
class Nested:
    hop: Hop
    select: Select


@dataclass(frozen=True)
class Scope:
    """Whose plan this is: the user's area (the jurisdiction applied to every item)."""

    area: str


@dataclass
class SelectResult:
    """What a ``Select`` returns: the page of rows, their cursors, whether more follow, and
    the count, aggregates and groups asked for (``None`` when not asked)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    cursors: list[tuple[Any, ...]] = field(default_factory=list)
    has_next: bool = False
    total: int | None = None
    aggregates: dict[str, Any] | None = None
    groups: list[tuple[str, int]] | None = None  # (place id, count), by place id

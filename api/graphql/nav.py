"""What every navigation field does: walk one link through the scoped data, filter, page.

Resolvers stay one line: ``return await nav.many(info, self, links.RESIDENTS, first, after)``.
The page size is checked before anything is read; the jurisdiction is applied by
``ScopedData`` (never here); the filters are on the relationship (current on a day, role)
or on the node reached (a label, a party org level).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from api.graphql.connection import Connection, check_page, connection
from api.graphql.context import ctx
from api.graphql.reads import links as L
from api.graphql.reads.links import Link
from api.graphql.scope import Edge, Obj
from api.graphql.types.base import wrap


def _keep(
    edge: Edge,
    on: date | None,
    role: str | None,
    labels: tuple[str, ...],
    levels: tuple[str, ...],
) -> bool:
    if on is not None and not edge.current(on):
        return False
    if role is not None and edge.rel.get("role") != role:
        return False
    if labels and not any(edge.node.has(label) for label in labels):
        return False
    return not levels or edge.node.get("level") in levels


async def edges(
    info: Any,
    obj: Obj,
    link: Link,
    *,
    on: date | None = None,
    role: str | None = None,
    labels: Iterable[str] = (),
    levels: Iterable[str] = (),
) -> list[Edge]:
    """The visible edges of ``link`` from ``obj`` kept by the filters, one per node reached
    (the first by relationship key when several relationships reach the same node)."""
    found = await ctx(info).data.links(link, obj.id)
    labels, levels = tuple(labels), tuple(levels)
    out: dict[str, Edge] = {}
    for e in found:
        if _keep(e, on, role, labels, levels) and e.node.id not in out:
            out[e.node.id] = e
    return list(out.values())


def facts(edge: Edge) -> dict[str, Any]:
    r = edge.rel
    return {
        "since": r.get("since"),
        "until": r.get("until"),
        "role": r.get("role"),
        "mode": r.get("mode"),
        "contract_no": r.get("contract_no"),
    }


async def one(info: Any, obj: Obj, link: Link, **filters: Any) -> Any:
    found = await edges(info, obj, link, **filters)
    return wrap(found[0].node) if found else None


async def many(
    info: Any,
    obj: Obj,
    link: Link,
    first: int | None,
    after: str | None,
    *,
    sort: Callable[[Edge], Any] | None = None,
    **filters: Any,
) -> Connection[Any]:
    start, size = check_page(first, after, ctx(info).limits)
    found = await edges(info, obj, link, **filters)
    if sort is not None:
        found.sort(key=sort)
    return connection(found, start, size, lambda e: wrap(e.node), facts)


def page_of(info: Any, items: list[Any], first: int | None, after: str | None) -> Connection[Any]:
    """A connection over already-wrapped items (the page size checked first)."""
    start, size = check_page(first, after, ctx(info).limits)
    return connection(items, start, size, lambda x: x)


# ---------------------------------------------------------------- composed walks


def wrap_unique(objs: Iterable[Obj]) -> list[Any]:
    unique = {o.id: o for o in objs}
    return [wrap(unique[i]) for i in sorted(unique)]


def wrap_first(objs: list[Obj]) -> Any:
    return wrap(objs[0]) if objs else None


def current_node(obj: Obj, on: date) -> bool:
    """A committee's term (its own since/until) current on ``on``."""
    since, until = obj.get("since"), obj.get("until")
    return (since is None or since <= on) and (until is None or until >= on)


async def committees(info: Any, place: Obj, label: str, on: date) -> list[Obj]:
    found = await edges(info, place, L.PLACE_COMMITTEES, labels=(label,))
    return sorted((e.node for e in found if current_node(e.node, on)), key=lambda o: o.id)


async def building_groups(info: Any, building: Obj, on: date | None) -> list[Any]:
    """Party groups covering the building or one of its entrances."""
    own = await edges(info, building, L.PLACE_COVERED_BY, on=on, levels=("group",))
    entrances = await edges(info, building, L.CHILDREN, labels=("Entrance",))
    per = await asyncio.gather(
        *(edges(info, e.node, L.PLACE_COVERED_BY, on=on, levels=("group",)) for e in entrances)
    )
    return wrap_unique([e.node for e in own] + [e.node for es in per for e in es])


async def three_parties(info: Any, compound: Obj, on: date, cls: Callable[..., Any]) -> Any:
    up = await edges(info, compound, L.PARENT)  # its grid, or for a compound with no grid its community
    if up and up[0].node.has("Community"):
        community = up
    else:
        community = await edges(info, up[0].node, L.PARENT, labels=("Community",)) if up else []
    rc, oc, smc, firms = await asyncio.gather(
        committees(info, community[0].node, "ResidentsCommittee", on) if community else _none(),
        committees(info, compound, "OwnersCommittee", on),
        committees(info, compound, "SelfManagementCommittee", on),
        edges(info, compound, L.PLACE_SERVED_BY, on=on, labels=("PropertyFirm",)),
    )
    return cls(
        residents_committee=wrap_first(rc),
        owners_committee=wrap_first(oc),
        self_management_committee=wrap_first(smc),
        property_firms=wrap_unique(e.node for e in firms),
    )


async def _none() -> list[Obj]:
    return []

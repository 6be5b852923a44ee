"""An area's indicators together with each child area's, in one call.

``rollup(store, "D-0001")`` answers for a district and each of its streets; children are
sorted by rate, furthest behind first (``sort="rate"``: the mean rate over the indicators
that have items there, or one indicator's rate with ``indicator=``), or by id (``sort="id"``).
Children with nothing to count sort last. Each (area, indicator) costs one count query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from graph.errors import NotFound
from graph.store import Store
from queries.areas import AREA_CHILDREN, resolve_area
from queries.coverage import area_coverage, as_of_day, indicator
from queries.results import Area, AreaCoverage, AreaRef, Rollup

SORTS = ("rate", "id")


def _rate_key(c: AreaCoverage, indicator_id: str | None) -> tuple[int, float, str]:
    rate = c.mean_rate if indicator_id is None else c.indicator(indicator_id).rate
    return (1, 0.0, c.area.id) if rate is None else (0, rate, c.area.id)


def rollup(
    store: Store,
    area_id: str,
    as_of: date | None = None,
    sort: str = "rate",
    *,
    indicator_id: str | None = None,
    indicators: Iterable[str] | None = None,
) -> Rollup:
    """The area's coverage and each child area's on ``as_of``, children sorted by ``sort``."""
    if sort not in SORTS:
        raise NotFound(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}", message_zh=f"未知排序方式 {sort}")
    chosen = None if indicators is None else list(indicators)
    if indicator_id is not None:
        indicator_id = indicator(indicator_id).id
        if chosen is not None and indicator_id not in {indicator(i).id for i in chosen}:
            chosen.append(indicator_id)
    day = as_of_day(as_of)
    area = resolve_area(store, area_id)
    own = area_coverage(store, area, day, chosen)
    children = []
    for row in store.run(AREA_CHILDREN, {"area": area.id}):
        ref = AreaRef(row["id"], row["name"] or row["id"], row["kind"])
        child = Area(ref.id, ref.name, ref.kind, (*area.path, ref))
        children.append(area_coverage(store, child, day, chosen))
    if sort == "rate":
        children.sort(key=lambda c: _rate_key(c, indicator_id))
    else:
        children.sort(key=lambda c: c.area.id)
    return Rollup(own, tuple(children), sort, indicator_id)

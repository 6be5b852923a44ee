"""An area's indicators together with each child area's, in one call.

``rollup(store, "D-0001")`` answers for a district and each of its streets; children are
sorted by rate, furthest behind first (``sort="rate"``: the mean rate over the indicators
that have items there, or one indicator's rate with ``indicator=``), or by id (``sort="id"``).
Children with nothing to count sort last.

Each child costs one count query per indicator. The area's own counts are the children's
sums wherever that is exact (``summed_from_children``): the indicator's rows each hang on one
place (``Indicator.anchor``) and that place lies under exactly one child area. Only the other
indicators (items that can count in several children) are asked again for the area itself, so
a city's roll-up reads the city about once instead of twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from graph.errors import NotFound
from graph.model import PLACE_LABELS
from graph.store import Store
from queries.areas import AREA_CHILDREN, resolve_area
from queries.common import AREA_KINDS, DEPTH
from queries.coverage import area_coverage, as_of_day, indicator, indicator_result, result, select
from queries.indicators import Indicator
from queries.results import Area, AreaCoverage, AreaRef, IndicatorResult, Rollup

SORTS = ("rate", "id")


def _rate_key(c: AreaCoverage, indicator_id: str | None) -> tuple[int, float, str]:
    rate = c.mean_rate if indicator_id is None else c.indicator(indicator_id).rate
    return (1, 0.0, c.area.id) if rate is None else (0, rate, c.area.id)


def summed_from_children(ind: Indicator, kind: str) -> bool:
    """Whether ``ind``'s counts in an area of ``kind`` are exactly the sums of its child areas'.

    True when every counted row hangs on one place (``ind.anchor``) at or below the child
    level, and the child areas cover every such place: places form a tree, so each place below
    an area lies under exactly one of its children. A compound with no grid is itself a child
    area of its community (``area.children``: the places one level down the tree, grids and
    such compounds alike), so a community's sum over its children still counts it and its
    buildings. A compound's children (buildings) are not areas, so a compound is always asked
    itself.

    >>> from queries.indicators import INDICATORS
    >>> summed_from_children(INDICATORS["BUILDING_GROUP"], "Subdistrict")
    True
    >>> summed_from_children(INDICATORS["COMMUNITY_RED_STATION"], "Community")  # the item is the area
    False
    >>> summed_from_children(INDICATORS["FIRM_PARTY_COVERAGE"], "City")  # a firm may serve two districts
    False
    """
    level = DEPTH[kind] + 1
    if ind.anchor is None or level >= len(PLACE_LABELS) or PLACE_LABELS[level] not in AREA_KINDS:
        return False
    return DEPTH[ind.anchor] >= level


def _summed(ind: Indicator, area: Area, day: date, children: list[AreaCoverage]) -> IndicatorResult:
    total = sum(c.indicator(ind.id).total for c in children)
    covered = sum(c.indicator(ind.id).covered for c in children)
    return result(ind, area, day, total, covered)


def own_coverage(
    store: Store, area: Area, day: date, chosen: list[str] | None, children: list[AreaCoverage]
) -> AreaCoverage:
    """The area's own coverage, summing its children's counts where that is exact."""
    results = tuple(
        _summed(ind, area, day, children)
        if summed_from_children(ind, area.kind)
        else indicator_result(store, ind, area, day, with_gaps=False)
        for ind in select(chosen)
    )
    return AreaCoverage(area, day, results)


def children_coverage(store: Store, areas: list[Area], day: date, chosen: list[str] | None) -> list[AreaCoverage]:
    """Each child area's coverage, in order; ``store.read_concurrency`` of them at a time."""
    workers = min(store.read_concurrency, len(areas))
    if workers <= 1:
        return [area_coverage(store, a, day, chosen) for a in areas]
    with ThreadPoolExecutor(workers, thread_name_prefix="gongzhi-rollup") as pool:
        return list(pool.map(lambda a: area_coverage(store, a, day, chosen), areas))


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
    areas = []
    for row in store.run(AREA_CHILDREN, {"area": area.id}):
        ref = AreaRef(row["id"], row["name"] or row["id"], row["kind"])
        areas.append(Area(ref.id, ref.name, ref.kind, (*area.path, ref)))
    children = children_coverage(store, areas, day, chosen)
    own = own_coverage(store, area, day, chosen, children)
    if sort == "rate":
        children.sort(key=lambda c: _rate_key(c, indicator_id))
    else:
        children.sort(key=lambda c: c.area.id)
    return Rollup(own, tuple(children), sort, indicator_id)

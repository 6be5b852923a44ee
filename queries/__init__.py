"""Gongzhi: the domain questions, each a Cypher constant beside its networkx twin.

Public functions (all take a ``Store``; ``as_of`` defaults to today):

* ``coverage(store, area_id, as_of=None)`` -> ``AreaCoverage``: every indicator's counts;
* ``gaps(store, area_id, indicator, as_of=None)`` -> ``IndicatorResult`` with explained gaps;
* ``rollup(store, area_id, as_of=None, sort="rate")`` -> ``Rollup``: the area and its children;
* ``trend(store, area_id, start, end, step="month")`` -> ``Trend``;
* ``member_card``, ``branch_view``, ``area_one_plus_one``, ``dual_reporting``: "1+1" and 双报到;
* ``resolve_area``, ``child_areas``: areas;
* ``write_gaps_xlsx(results, path, unmask=False)``: the gaps as an XLSX workbook.

Every query is registered in ``queries.registry.QUERIES``; the indicators, by their stable
ids, in ``queries.indicators.INDICATORS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from queries.areas import child_areas, resolve_area
from queries.coverage import coverage, gaps
from queries.one_plus_one import area_one_plus_one, branch_view, dual_reporting, member_card
from queries.rollup import rollup
from queries.trend import trend

if TYPE_CHECKING:
    from queries.export import write_gaps_xlsx

__all__ = [
    "area_one_plus_one",
    "branch_view",
    "child_areas",
    "coverage",
    "dual_reporting",
    "gaps",
    "member_card",
    "resolve_area",
    "rollup",
    "trend",
    "write_gaps_xlsx",
]


def __getattr__(name: str) -> Any:
    """``write_gaps_xlsx`` on first use: openpyxl is a tenth of a second that a read does not need."""
    if name == "write_gaps_xlsx":
        from queries.export import write_gaps_xlsx

        return write_gaps_xlsx
    raise AttributeError(f"module 'queries' has no attribute {name!r}")

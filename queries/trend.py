"""Indicators as a series over a date range, e.g. at every month end, against the notice's deadlines.

``trend(store, "CM-0001", date(2021, 1, 1), date(2021, 12, 31))`` gives, for each indicator,
(total, covered, rate) at each month end in the range. The end date itself is always the
last point, so a range that stops mid-month still shows where things stand.

Each point is the indicators' own count on that day, so it counts that day's facts: the
relationships current then and the party members of that day (joined by then, full once past
``full_on``; see queries/common.py), not today's members projected into the past.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

from graph.errors import GongzhiError, NotFound
from graph.store import Store
from queries.areas import resolve_area
from queries.coverage import counts, select
from queries.results import Trend, TrendPoint, TrendSeries

STEPS = ("day", "week", "month", "quarter", "year")

#: At most this many points per call (about 27 years of month ends, or 2 years of days).
MAX_POINTS = 732


def _period_end(d: date, step: str) -> date:
    """The last day of the period (of ``step``) that contains ``d``."""
    if step == "day":
        return d
    if step == "week":
        return d + timedelta(days=6 - d.weekday())  # Sunday
    if step == "month":
        return d.replace(day=calendar.monthrange(d.year, d.month)[1])
    if step == "quarter":
        month = 3 * ((d.month - 1) // 3) + 3
        return date(d.year, month, calendar.monthrange(d.year, month)[1])
    return date(d.year, 12, 31)


def dates(start: date, end: date, step: str = "month") -> list[date]:
    """The period ends (of ``step``) from ``start`` to ``end``, with ``end`` itself last.

    >>> dates(date(2021, 1, 15), date(2021, 4, 10))
    [datetime.date(2021, 1, 31), datetime.date(2021, 2, 28), datetime.date(2021, 3, 31), datetime.date(2021, 4, 10)]
    """
    if step not in STEPS:
        raise NotFound(f"unknown step {step!r}; use one of {', '.join(STEPS)}", message_zh=f"未知步长 {step}")
    if end < start:
        raise GongzhiError(f"the range ends ({end}) before it starts ({start})", message_zh="结束日期早于开始日期")
    out: list[date] = []
    d = _period_end(start, step)
    while d < end:
        out.append(d)
        if len(out) > MAX_POINTS:
            raise GongzhiError(
                f"more than {MAX_POINTS} points from {start} to {end} by {step}; choose a longer step",
                message_zh="时间点过多，请选择更长的步长",
            )
        d = _period_end(d + timedelta(days=1), step)
    out.append(end)
    return out


def trend(
    store: Store,
    area_id: str,
    start: date,
    end: date,
    step: str = "month",
    *,
    indicators: Iterable[str] | None = None,
) -> Trend:
    """Each indicator's (total, covered, rate) for the area at each period end in [start, end]."""
    area = resolve_area(store, area_id)
    days = dates(start, end, step)
    series = []
    for ind in select(indicators):
        points = []
        for d in days:
            total, covered = counts(store, ind, area.id, d)
            points.append(TrendPoint(d, total, covered))
        series.append(TrendSeries(ind.id, ind.title_zh, ind.title_en, tuple(points)))
    return Trend(area, start, end, step, tuple(days), tuple(series))

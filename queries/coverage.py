"""The coverage indicators for an area on a day: counts, rates, and explained gaps.

>>> # coverage(store, "CM-0001")                      every indicator's total, covered, rate
>>> # gaps(store, "CM-0001", "BUILDING_GROUP")        the uncovered buildings, explained

Each indicator costs one query for its counts; its gaps cost one more, plus one for the
suggestions of all its gaps together: never one query per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from graph.errors import NotFound
from graph.query import Row
from graph.store import Store
from graph.turns import paced
from queries.areas import resolve_area
from queries.indicators import INDICATOR_IDS, INDICATORS, Indicator
from queries.indicators.reasons import why
from queries.results import Area, AreaCoverage, Gap, IndicatorResult, Suggestion, personal

#: Suggestions kept per gap, best first.
DEFAULT_SUGGESTIONS = 5


def as_of_day(as_of: date | None) -> date:
    return date.today() if as_of is None else as_of


def indicator(indicator_id: str) -> Indicator:
    """The indicator ``indicator_id`` (case-insensitive); ``NotFound`` if there is none."""
    found = INDICATORS.get(indicator_id.strip().upper())
    if found is None:
        raise NotFound(
            f"no indicator {indicator_id!r}; known: {', '.join(INDICATOR_IDS)}",
            message_zh=f"没有指标 {indicator_id}",
        )
    return found


def select(indicators: Iterable[str] | None) -> list[Indicator]:
    return [INDICATORS[i] for i in INDICATOR_IDS] if indicators is None else [indicator(i) for i in indicators]


def counts(store: Store, ind: Indicator, area_id: str, day: date) -> tuple[int, int]:
    """(total, covered) of one indicator in one area."""
    rows = store.run(ind.count, {"area": area_id, "date": day})
    if not rows:
        return 0, 0
    return int(rows[0]["total"]), int(rows[0]["covered"])


def _suggestion(row: Row, rank: int) -> Suggestion:
    zh, en = why(row["reason"], row["via"])
    is_person = row["kind"] == "person"
    return Suggestion(
        id=row["id"],
        name=personal(row["name"]) if is_person else row["name"],
        kind=row["kind"],
        reason=row["reason"],
        why_zh=zh,
        why_en=en,
        rank=rank,
        via=row["via"],
        phone=personal(row["phone"], "phone") if is_person else None,
    )


def gap_rows(store: Store, ind: Indicator, area_id: str, day: date) -> list[Row]:
    return store.run(ind.gaps, {"area": area_id, "date": day})


def suggestion_rows(
    store: Store, ind: Indicator, rows: Sequence[Row], day: date, limit: int = DEFAULT_SUGGESTIONS
) -> dict[str, list[Row]]:
    """The ranked candidate rows for each gap row's item, by item id (one query for them all)."""
    out: dict[str, list[Row]] = {}
    if limit <= 0:
        return out
    if ind.suggest is not None:
        ids = [r["id"] for r in rows if ind.suggest_for is None or ind.suggest_for(r)]
        if ids:
            for s in store.run(ind.suggest, {"ids": ids, "date": day, "limit": limit}):
                out.setdefault(s["item"], []).append(s)
    if ind.row_suggestions is not None:
        for r in rows:
            extra = ind.row_suggestions(r)
            if extra:
                out.setdefault(r["id"], []).extend(extra)
                out[r["id"]] = out[r["id"]][:limit]
    return out


def explain_gaps(ind: Indicator, rows: Sequence[Row], suggestions: dict[str, list[Row]]) -> tuple[Gap, ...]:
    gaps = []
    for r in paced(rows):  # thousands of rows explained in Python: short work first (graph/turns.py)
        e = ind.explain(r)
        gaps.append(
            Gap(
                indicator=ind.id,
                item_id=r["id"],
                item_name=personal(r["name"]) if ind.personal_items else r["name"],
                item_kind=ind.item_kind,
                status=e.status,
                rule_zh=ind.rule_zh,
                rule_en=ind.rule_en,
                evidence_zh=e.zh,
                evidence_en=e.en,
                facts={k: v for k, v in r.items() if k not in ("id", "name")},
                suggestions=tuple(_suggestion(s, i + 1) for i, s in enumerate(suggestions.get(r["id"], []))),
            )
        )
    return tuple(gaps)


def result(
    ind: Indicator,
    area: Area,
    day: date,
    total: int,
    covered: int,
    gaps: tuple[Gap, ...] = (),
    gaps_included: bool = False,
) -> IndicatorResult:
    return IndicatorResult(
        indicator=ind.id,
        title_zh=ind.title_zh,
        title_en=ind.title_en,
        unit_zh=ind.unit_zh,
        unit_en=ind.unit_en,
        area=area.ref,
        as_of=day,
        total=total,
        covered=covered,
        gaps=gaps,
        gaps_included=gaps_included,
    )


def indicator_result(
    store: Store,
    ind: Indicator,
    area: Area,
    day: date,
    *,
    with_gaps: bool = True,
    limit: int = DEFAULT_SUGGESTIONS,
) -> IndicatorResult:
    total, covered = counts(store, ind, area.id, day)
    if not with_gaps:
        return result(ind, area, day, total, covered)
    rows = gap_rows(store, ind, area.id, day) if total > covered else []
    gaps = explain_gaps(ind, rows, suggestion_rows(store, ind, rows, day, limit))
    return result(ind, area, day, total, covered, gaps, True)


def area_coverage(
    store: Store,
    area: Area,
    day: date,
    indicators: Iterable[str] | None = None,
    *,
    with_gaps: bool = False,
    limit: int = DEFAULT_SUGGESTIONS,
) -> AreaCoverage:
    results = tuple(
        indicator_result(store, ind, area, day, with_gaps=with_gaps, limit=limit) for ind in select(indicators)
    )
    return AreaCoverage(area, day, results)


# ---------------------------------------------------------------- public functions


def coverage(
    store: Store,
    area_id: str,
    as_of: date | None = None,
    *,
    indicators: Iterable[str] | None = None,
    with_gaps: bool = False,
    limit: int = DEFAULT_SUGGESTIONS,
) -> AreaCoverage:
    """Every indicator (or those named) for the area ``area_id`` on ``as_of`` (default today):
    total, covered, rate and, with ``with_gaps``, the explained uncovered items."""
    return area_coverage(
        store, resolve_area(store, area_id), as_of_day(as_of), indicators, with_gaps=with_gaps, limit=limit
    )


def gaps(
    store: Store,
    area_id: str,
    indicator_id: str,
    as_of: date | None = None,
    *,
    limit: int = DEFAULT_SUGGESTIONS,
) -> IndicatorResult:
    """One indicator for an area on a day, with every uncovered item explained: the rule, the
    evidence (text and data) and up to ``limit`` ranked suggestions from the graph."""
    return indicator_result(
        store, indicator(indicator_id), resolve_area(store, area_id), as_of_day(as_of), with_gaps=True, limit=limit
    )

"""Coverage: an area's indicators with its children's roll-up, and the explained gaps.

Thin wrappers over ``queries.rollup`` and the gap steps of ``queries.coverage``; the area
must be inside the user's jurisdiction (else ``null``), and every object named in a gap or
suggestion goes through the scoped data (api/graphql/redact.py for ids inside evidence).
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from api.graphql import redact
from api.graphql.connection import Connection, check_page, window
from api.graphql.context import ctx, day
from api.graphql.ids import key_of
from api.graphql.types.base import Node, wrap
from api.graphql.types.enums import Indicator
from api.graphql.types.refs import PlaceRef
from queries import labels, rollup
from queries.areas import resolve_area
from queries.common import AREA_KINDS
from queries.coverage import counts, explain_gaps, gap_rows, indicator, result, suggestion_rows
from queries.results import AreaCoverage as AreaCoverageResult
from queries.results import Gap as GapResult
from queries.results import IndicatorResult

MAX_SUGGESTIONS = 10


@strawberry.type(description="one indicator in one area on one day (覆盖指标)")
class IndicatorCoverage:
    indicator: Indicator  # type: ignore[valid-type]
    title_zh: str
    title_en: str
    unit_zh: str
    unit_en: str
    total: int
    covered: int
    uncovered: int
    rate: float | None = strawberry.field(description="covered / total; null when the area has no such items")


@strawberry.type(description="every indicator asked for, for one area (区域覆盖情况)")
class AreaCoverage:
    area: PlaceRef | None
    as_of: date
    mean_rate: float | None = strawberry.field(description="unweighted mean of the rates that exist")
    indicators: list[IndicatorCoverage]


@strawberry.type(description="an area's coverage and each child area's (逐级汇总)")
class CoverageReport(AreaCoverage):
    children: list[AreaCoverage] = strawberry.field(description="child areas, furthest behind first")


@strawberry.enum(description="how child areas are sorted")
class RollupSort(Enum):
    RATE = "rate"
    ID = "id"


@strawberry.type(description="someone or something that could close a gap (建议人选)")
class Suggestion:
    candidate: Node = strawberry.field(description="the person, org, place, committee, firm or community")
    kind: str
    reason: str = strawberry.field(description="a stable code, e.g. resident_full_member")
    why_zh: str
    why_en: str
    rank: int = strawberry.field(description="1 = best fit")
    via: Node | None = strawberry.field(description="what links the candidate to the gap (their building ...)")


@strawberry.type(description="one entry of a gap's evidence as a user reads it: its label and its value as text (依据)")
class Fact:
    key: str = strawberry.field(description="the key in `facts`, a stable code")
    label_zh: str
    label_en: str
    text_zh: str
    text_en: str


@strawberry.type(description="one uncovered item, why it counts as a gap and who could close it (缺口)")
class Gap:
    indicator: Indicator  # type: ignore[valid-type]
    item: Node
    status: str = strawberry.field(description="why exactly: a stable code, e.g. uncovered, residence_mismatch")
    status_zh: str = strawberry.field(description="the status by name (状态)")
    status_en: str
    rule_zh: str
    rule_en: str
    evidence_zh: str
    evidence_en: str
    facts: JSON = strawberry.field(description="the evidence as data: counts, ids, dates")
    fact_list: list[Fact] = strawberry.field(description="the evidence as text, each entry by name, in the order of `facts`")
    suggestions: list[Suggestion]


@strawberry.type(description="the gaps of one indicator in one area, a page at a time")
class GapReport:
    indicator: IndicatorCoverage
    area: PlaceRef | None
    as_of: date
    gaps: Connection[Gap]


def indicator_coverage(r: IndicatorResult) -> IndicatorCoverage:
    return IndicatorCoverage(
        indicator=Indicator(r.indicator),
        title_zh=r.title_zh,
        title_en=r.title_en,
        unit_zh=r.unit_zh,
        unit_en=r.unit_en,
        total=r.total,
        covered=r.covered,
        uncovered=r.uncovered,
        rate=r.rate,
    )


async def _area(info: Any, area: strawberry.ID | None) -> str | None:
    """The key of the area asked for (default: the user's), if the user may see it."""
    c = ctx(info)
    obj = await c.data.node(key_of(area) if area is not None else c.principal.area, "Place")
    return obj.id if obj is not None and obj.kind in AREA_KINDS else None


async def _area_coverage(info: Any, ac: AreaCoverageResult, cls: Any = AreaCoverage, **extra: Any) -> Any:
    return cls(
        area=wrap(await ctx(info).data.node(ac.area.id, "Place")),
        as_of=ac.as_of,
        mean_rate=ac.mean_rate,
        indicators=[indicator_coverage(r) for r in ac.indicators],
        **extra,
    )


async def _gaps(info: Any, found: list[GapResult]) -> list[Gap]:
    data = ctx(info).data
    ids = {g.item_id for g in found} | {s.id for g in found for s in g.suggestions}
    ids |= {s.via for g in found for s in g.suggestions if s.via is not None}
    hidden = await data.hidden_ids(ids | set(redact.strings([g.facts for g in found])))
    visible = {o.id: o for o in await data.nodes(sorted(ids - hidden)) if o is not None}
    await data.heavy()  # a page of explained gaps is built and completed in one stretch: light requests first
    out = []
    for g in found:
        if g.item_id not in visible:
            continue
        suggestions = [
            Suggestion(
                candidate=wrap(visible[s.id]),
                kind=s.kind,
                reason=s.reason,
                why_zh=redact.text(s.why_zh, hidden),
                why_en=redact.text(s.why_en, hidden),
                rank=s.rank,
                via=wrap(visible.get(s.via)) if s.via else None,
            )
            for s in g.suggestions
            if s.id in visible
        ]
        facts = redact.clean(dict(g.facts), hidden)
        out.append(
            Gap(
                indicator=Indicator(g.indicator),
                item=wrap(visible[g.item_id]),
                status=g.status,
                status_zh=labels.status_label(g.status, "zh"),
                status_en=labels.status_label(g.status, "en"),
                rule_zh=g.rule_zh,
                rule_en=g.rule_en,
                evidence_zh=redact.text(g.evidence_zh, hidden),
                evidence_en=redact.text(g.evidence_en, hidden),
                facts=facts,
                fact_list=[
                    Fact(
                        key=k,
                        label_zh=labels.fact_label(k, "zh"),
                        label_en=labels.fact_label(k, "en"),
                        text_zh=labels.fact_text(k, v, "zh"),
                        text_en=labels.fact_text(k, v, "en"),
                    )
                    for k, v in facts.items()
                ],
                suggestions=suggestions,
            )
        )
    return out


@strawberry.type
class CoverageQuery:
    @strawberry.field(description="the coverage of an area on asOf with each child area's (覆盖率逐级汇总); null if not yours")
    async def coverage(
        self,
        info: strawberry.Info,
        area: strawberry.ID | None = None,
        as_of: date | None = None,
        indicators: list[Indicator] | None = None,  # type: ignore[valid-type]
        sort: RollupSort = RollupSort.RATE,
        sort_indicator: Indicator | None = None,  # type: ignore[valid-type]
    ) -> CoverageReport | None:
        key = await _area(info, area)
        if key is None:
            return None
        chosen = None if indicators is None else [str(i.value) for i in indicators]
        by = None if sort_indicator is None else str(sort_indicator.value)
        r = await ctx(info).data.call(rollup, key, day(as_of), str(sort.value), indicator_id=by, indicators=chosen)
        visible = await ctx(info).data.visible_ids(c.area.id for c in r.children)
        children = [await _area_coverage(info, c) for c in r.children if c.area.id in visible]
        return await _area_coverage(info, r.area, CoverageReport, children=children)

    @strawberry.field(description="the uncovered items of one indicator in an area, explained, with suggestions (缺口清单)")
    async def gaps(
        self,
        info: strawberry.Info,
        indicator: Indicator,  # type: ignore[valid-type]
        area: strawberry.ID | None = None,
        as_of: date | None = None,
        suggestions: int = 5,
        first: int | None = None,
        after: str | None = None,
    ) -> GapReport | None:
        c = ctx(info)
        start, size = check_page(first, after, c.limits)
        limit = max(0, min(suggestions, MAX_SUGGESTIONS))
        key = await _area(info, area)
        if key is None:
            return None
        summary, total, page = await c.data.call(_gap_page, str(indicator.value), key, day(as_of), start, size, limit)
        place = wrap(await c.data.node(key, "Place"))
        gaps = await _gaps(info, page)
        return GapReport(
            indicator=indicator_coverage(summary),
            area=place,
            as_of=summary.as_of,
            gaps=window(gaps, start, size, total, lambda g: g),
        )


def _gap_page(
    store: Any, indicator_id: str, area: str, on: date, start: int, size: int, limit: int
) -> tuple[IndicatorResult, int, list[GapResult]]:
    """The indicator's counts, how many gaps, and one page of them explained with suggestions."""
    ind = indicator(indicator_id)
    total, covered = counts(store, ind, area, on)
    rows = gap_rows(store, ind, area, on) if total > covered else []
    page = rows[start : start + size]
    gaps = list(explain_gaps(ind, page, suggestion_rows(store, ind, page, on, limit)))
    return result(ind, resolve_area(store, area), on, total, covered), len(rows), gaps

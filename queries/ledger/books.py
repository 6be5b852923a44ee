"""The ledgers of each export: query results laid out as ``Book``s (``layout.py``).

Every status, indicator and evidence key is shown by its Chinese label (``queries/labels.py``).
Personal values (names, phones) go through a ``Reveal``: masked unless the caller's role
allows them unmasked (``api/cli.py`` decides, from the user's token), and the rows that showed
one unmasked are counted, for the audit log (never the values). ``name`` names a place or an
org by id ("长虹嘉园 3栋" rather than ``B-000003``); without it the ids are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from queries.indicators import INDICATOR_IDS
from queries.indicators.reasons import why
from queries.labels import fact_text, facts_text, indicator_title, status_label
from queries.ledger.layout import Book, Column, Sheet, Value
from queries.results import (
    AreaCoverage,
    AreaOnePlusOne,
    BranchMember,
    BranchView,
    Gap,
    IndicatorResult,
    MemberCard,
    Personal,
    Rollup,
    Suggestion,
)

Namer = Callable[[str], str]
_ILLEGAL_SHEET_CHARS = set("[]:*?/\\")
SUMMARY_SHEET = "汇总"


@dataclass
class Reveal:
    """Which personal values a ledger shows in full, and which of its rows showed one."""

    names: bool = False
    phones: bool = False
    rows: set[tuple[str, int]] = field(default_factory=set)

    def show(self, value: str | Personal | None, row: tuple[str, int]) -> str:
        if value is None:
            return ""
        if not isinstance(value, Personal):
            return value
        full = self.phones if value.column == "phone" else self.names if value.column == "name" else False
        if full:
            self.rows.add(row)
        return value.show(full)

    @property
    def count(self) -> int:
        """How many rows showed a personal value in full."""
        return len(self.rows)


def _ids(name: Namer | None) -> Namer:
    return name or (lambda x: x)


def sheet_name(title: str, taken: set[str]) -> str:
    """``title`` as a sheet name: Excel's 31 characters, none of ``[]:*?/\\``, unique in the book."""
    name = "".join("_" if ch in _ILLEGAL_SHEET_CHARS else ch for ch in title)[:31]
    n = 2
    while name in taken:
        suffix = f"({n})"
        name = name[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def subtitle(area: str, indicator: str | None, day: date | str) -> str:
    parts = [f"区域：{area}"] + ([f"指标：{indicator}"] if indicator else []) + [f"统计日期：{day}"]
    return "    ".join(parts)


def _joined(values: Iterable[str]) -> str:
    return "、".join(dict.fromkeys(v for v in values if v))


# ---------------------------------------------------------------- gaps (and the coverage summary)

SUMMARY_COLUMNS = (
    Column("指标", 10, 30),
    Column("区域编号", 6, 14),
    Column("区域名称", 6, 20),
    Column("统计日期", 10, 10),
    Column("总数", 4, 8, "int"),
    Column("已覆盖", 6, 8, "int"),
    Column("未覆盖", 6, 8, "int"),
    Column("覆盖率", 6, 8, "percent"),
    Column("统计单位", 6, 16),
)
GAP_COLUMNS = (
    Column("区域编号", 6, 12),
    Column("区域名称", 6, 16),
    Column("统计日期", 10, 10),
    Column("对象编号", 6, 12),
    Column("对象名称", 6, 20),
    Column("状态", 4, 16),
    Column("未覆盖原因", 12, 40),
    Column("认定规则", 12, 30),
    Column("依据数据", 12, 30),
    Column("建议(人选或组织)", 16, 48),
)


def flatten(results: Iterable[IndicatorResult | AreaCoverage | Rollup]) -> list[IndicatorResult]:
    """The indicator results of ``results``, in the indicators' order, then by area and day."""
    out: list[IndicatorResult] = []
    for r in results:
        if isinstance(r, IndicatorResult):
            out.append(r)
        elif isinstance(r, AreaCoverage):
            out.extend(r.indicators)
        else:
            out.extend(r.area.indicators)
            for c in r.children:
                out.extend(c.indicators)
    order = {ind: i for i, ind in enumerate(INDICATOR_IDS)}
    out.sort(key=lambda r: (order.get(r.indicator, len(order)), r.area.id, r.as_of))
    return out


def _suggestion(s: Suggestion, reveal: Reveal, row: tuple[str, int], name: Namer) -> str:
    who = s.name if isinstance(s.name, Personal) else (name(s.id) if s.kind in ("place", "community") else s.name)
    text = f"{reveal.show(who, row)}({s.id}"
    if s.phone is not None:
        text += f", {reveal.show(s.phone, row)}"
    reason = why(s.reason, name(s.via))[0] if s.via else s.why_zh
    return f"{s.rank}. {text})：{reason}"


def _gap_row(r: IndicatorResult, g: Gap, reveal: Reveal, row: tuple[str, int], name: Namer) -> tuple[Value, ...]:
    return (
        r.area.id,
        r.area.name,
        r.as_of.isoformat(),
        g.item_id,
        reveal.show(g.item_name, row),
        status_label(g.status),
        g.evidence_zh,
        g.rule_zh,
        "\n".join(f"{label}：{text}" for label, text in facts_text(g.facts, "zh")),
        "\n".join(_suggestion(s, reveal, row, name) for s in g.suggestions),
    )


def _span(items: list[IndicatorResult]) -> tuple[str, str, date | None]:
    areas = _joined(f"{r.area.name}（{r.area.id}）" for r in items)
    days = sorted({r.as_of for r in items})
    return areas, _joined(d.isoformat() for d in days), days[-1] if days else None


def gaps_book(
    results: IndicatorResult | AreaCoverage | Rollup | Iterable[IndicatorResult | AreaCoverage | Rollup],
    reveal: Reveal | None = None,
    name: Namer | None = None,
) -> Book:
    """A summary sheet (one row per indicator and area), then one sheet per indicator listing
    its gaps (for the results computed with their gaps)."""
    reveal = reveal or Reveal()
    namer = _ids(name)
    items = flatten([results] if isinstance(results, IndicatorResult | AreaCoverage | Rollup) else results)
    areas, days, last = _span(items)
    summary_rows = tuple(
        (r.title_zh, r.area.id, r.area.name, r.as_of.isoformat(), r.total, r.covered, r.uncovered,
         None if r.rate is None else round(r.rate, 4), r.unit_zh)
        for r in items
    )
    sheets = [Sheet(SUMMARY_SHEET, f"{areas} 覆盖情况汇总" if areas else "覆盖情况汇总", subtitle(areas, None, days),
                    SUMMARY_COLUMNS, summary_rows, last)]
    taken = {SUMMARY_SHEET}
    by_indicator: dict[str, list[IndicatorResult]] = {}
    for r in items:
        if r.gaps_included:
            by_indicator.setdefault(r.indicator, []).append(r)
    for indicator, results_of in by_indicator.items():
        title = indicator_title(indicator)
        sname = sheet_name(title, taken)
        rows = tuple(
            _gap_row(r, g, reveal, (sname, i), namer)
            for i, (r, g) in enumerate((r, g) for r in results_of for g in r.gaps)
        )
        i_areas, i_days, i_last = _span(results_of)
        sheets.append(Sheet(sname, f"{i_areas} {title} 未覆盖清单", subtitle(i_areas, title, i_days),
                            GAP_COLUMNS, rows, i_last))
    return Book(tuple(sheets))


def coverage_book(result: Rollup) -> Book:
    """An area's every indicator, then its child areas ranked (``gongzhi coverage``)."""
    own = result.area
    where = f"{own.area.name}（{own.area.id}）"
    rows = tuple(
        (r.title_zh, r.unit_zh, r.total, r.covered, r.uncovered, None if r.rate is None else round(r.rate, 4))
        for r in own.indicators
    )
    columns = (
        Column("指标", 10, 30), Column("统计单位", 6, 16), Column("总数", 4, 8, "int"),
        Column("已覆盖", 6, 8, "int"), Column("未覆盖", 6, 8, "int"), Column("覆盖率", 6, 8, "percent"),
    )
    sheets = [Sheet("本级指标", f"{own.area.name} 覆盖率台账", subtitle(where, "全部指标", own.as_of), columns, rows, own.as_of)]
    if result.children:
        child_rows: list[tuple[Value, ...]] = []
        for rank, c in enumerate(result.children, start=1):
            rated = [r for r in c.indicators if r.rate is not None]
            worst = min(rated, key=lambda r: (r.rate or 0.0, r.indicator)) if rated else None
            child_rows.append((
                rank, c.area.name, c.area.id, None if c.mean_rate is None else round(c.mean_rate, 4),
                worst.title_zh if worst else "—", None if worst is None or worst.rate is None else round(worst.rate, 4),
            ))
        child_columns = (
            Column("排名", 4, 4, "int"), Column("下级区域", 6, 24), Column("区域编号", 6, 14),
            Column("平均覆盖率", 8, 10, "percent"), Column("最落后的指标", 10, 30), Column("该指标覆盖率", 8, 12, "percent"),
        )
        sheets.append(Sheet("下级区域", f"{own.area.name} 下级区域覆盖率排名", subtitle(where, "全部指标（平均）", own.as_of),
                            child_columns, tuple(child_rows), own.as_of))
    return Book(tuple(sheets))


# ---------------------------------------------------------------- 1+1: cards, branches, an area's list


def _status(code: str | None) -> str:
    return fact_text("political_status", code) if code else "—"


def member_book(card: MemberCard, reveal: Reveal | None = None, name: Namer | None = None) -> Book:
    """A member's 1+1 card as a two-column ledger (``gongzhi member``)."""
    reveal = reveal or Reveal()
    namer = _ids(name)
    row = ("党员卡片", 0)
    who = reveal.show(card.name, row)
    home = [x for x in (card.community, card.grid, card.compound, card.building, card.entrance) if x]

    def sides(side: tuple[Any, ...]) -> str:
        return "\n".join(f"{o.name or o.id} → {_joined(namer(p) for p in o.places) or '—'}" for o in side) or "—"

    rows: tuple[tuple[Value, ...], ...] = (
        ("党员编号", card.id),
        ("姓名", who),
        ("政治面貌", _status(card.political_status)),
        ("是否在职", "是" if card.in_service else "否"),
        ("住处", namer(home[-1]) if home else "—"),
        ("所在社区", namer(card.community) if card.community else "—"),
        ("组织关系所在党组织", sides(card.membership)),
        ("居住地党组织", sides(card.residence)),
        ("状态", status_label(card.status)),
        ("说明", card.explanation_zh),
        ("已报到社区", _joined(namer(c) for c in card.reported_to) or "—"),
    )
    columns = (Column("项目", 8, 18), Column("内容", 20, 60))
    community = namer(card.community) if card.community else "—"
    return Book((Sheet("党员卡片", f"党员“1+1”管理卡片：{who}", subtitle(community, "党员“1+1”双向管理", card.as_of),
                       columns, rows, card.as_of),))


BRANCH_SIDES = {"membership": "本支部党员", "residence": "居住地登记党员", "unregistered": "住在覆盖范围内未登记党员"}
MEMBER_COLUMNS = (
    Column("类别", 8, 14), Column("党员编号", 6, 12), Column("姓名", 4, 12), Column("政治面貌", 6, 12),
    Column("住处", 8, 24), Column("1+1状态", 8, 24), Column("覆盖其住处", 6, 8),
)


def branch_book(view: BranchView, reveal: Reveal | None = None, name: Namer | None = None) -> Book:
    """A branch's members, its residence-side members and the unregistered ones living where it
    covers (``gongzhi branch``)."""
    reveal = reveal or Reveal()
    namer = _ids(name)
    sname = "党员名册"
    members: list[BranchMember] = [*view.members, *view.residence_members, *view.unregistered_residents]
    rows = tuple(
        (BRANCH_SIDES.get(m.side, m.side), m.id, reveal.show(m.name, (sname, i)), _status(m.political_status),
         namer(m.building) if m.building else (namer(m.compound) if m.compound else "—"), status_label(m.status),
         "是" if m.covers_home else "否")
        for i, m in enumerate(members)
    )
    org = f"{view.name or view.id}（{view.id}）"
    covers = _joined(namer(p) for p in view.places) or "—"
    return Book((Sheet(sname, f"{view.name or view.id} 党员名册", f"{subtitle(org, '党员“1+1”双向管理', view.as_of)}    覆盖：{covers}",
                       MEMBER_COLUMNS, rows, view.as_of),))


def one_plus_one_book(result: AreaOnePlusOne, reveal: Reveal | None = None, name: Namer | None = None) -> Book:
    """An area's members whose 1+1 is not complete, each explained with candidates
    (``gongzhi one-plus-one``)."""
    reveal = reveal or Reveal()
    namer = _ids(name)
    sname = "1+1待完善"
    rows = tuple(
        (m.id, reveal.show(m.name, (sname, i)), namer(m.building) if m.building else (namer(m.compound) if m.compound else "—"),
         status_label(m.status), _joined(namer(o) for o in m.membership) or "—", _joined(namer(o) for o in m.residence) or "—",
         m.explanation_zh, "\n".join(_suggestion(s, reveal, (sname, i), namer) for s in m.suggestions))
        for i, m in enumerate(result.members)
    )
    columns = (
        Column("党员编号", 6, 12), Column("姓名", 4, 12), Column("住处", 8, 24), Column("状态", 6, 20),
        Column("组织关系所在党组织", 8, 20), Column("居住地党组织", 8, 20), Column("说明", 12, 30),
        Column("建议(人选或组织)", 12, 30),
    )
    counts = "；".join(f"{status_label(k)} {v}" for k, v in result.by_status.items() if v)
    where = f"{result.area.name}（{result.area.id}）"
    return Book((Sheet(sname, f"{result.area.name} 党员“1+1”待完善清单",
                       f"{subtitle(where, '党员“1+1”双向管理', result.as_of)}    党员 {result.total} 名：{counts or '无'}",
                       columns, rows, result.as_of),))


def ledger_rows(book: Book) -> int:
    return sum(len(s.rows) for s in book.sheets)


__all__ = [
    "Reveal", "branch_book", "coverage_book", "gaps_book", "ledger_rows", "member_book", "one_plus_one_book",
]


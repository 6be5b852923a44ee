"""The gaps as an XLSX workbook for organizers: a summary sheet, then one sheet per indicator.

Headers are Chinese, and so is every status, indicator and evidence key: by its label
(``queries/labels.py``), never its code. Personal values (names, phones) are masked unless ``unmask=True`` (for
a user whose role needs them). Every text cell that a spreadsheet could read as a formula
(starting with ``=``, ``+``, ``-``, ``@``, their full-width forms ``＝＋－＠``, a tab, a carriage
return or a line feed, spaces before them ignored) is written with a leading
apostrophe, so that data from the ledgers can never run as a formula (CSV/formula injection).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from queries.indicators import INDICATOR_IDS
from queries.labels import facts_text, indicator_title, status_label
from queries.results import AreaCoverage, Gap, IndicatorResult, Personal, Rollup, Suggestion

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

SUMMARY_SHEET = "汇总"
SUMMARY_HEADERS = ("指标", "区域编号", "区域名称", "统计日期", "总数", "已覆盖", "未覆盖", "覆盖率", "统计单位")
GAP_HEADERS = (
    "区域编号",
    "区域名称",
    "统计日期",
    "对象编号",
    "对象名称",
    "状态",
    "未覆盖原因",
    "认定规则",
    "依据数据",
    "建议(人选或组织)",
)

_ILLEGAL_SHEET_CHARS = set("[]:*?/\\")


def safe_cell(value: Any) -> Any:
    """``value`` as written to a cell: a text that could start a formula gets a leading apostrophe.

    The leaders are compared after NFKC folding and with leading spaces ignored, because
    spreadsheets also read the full-width ``＝＋－＠`` (and the small forms ``﹦﹢﹣﹫``) typed by
    Chinese input methods, and a space before ``=`` as a formula."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_STARTS) or unicodedata.normalize("NFKC", value.lstrip(" \u3000"))[:1] in ("=", "+", "-", "@")
    ):
        return "'" + value
    return value


def _text(value: Any, unmask: bool) -> Any:
    if isinstance(value, Personal):
        return value.show(unmask)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(_text(v, unmask)) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _facts(facts: Mapping[str, Any]) -> str:
    """The evidence by name (``queries/labels.py``); facts never hold personal values."""
    return "\n".join(f"{label}：{text}" for label, text in facts_text(facts, "zh"))


def _suggestion(s: Suggestion, unmask: bool) -> str:
    who = f"{_text(s.name, unmask) or ''}({s.id}"
    if s.phone is not None:
        who += f", {s.phone.show(unmask)}"
    return f"{s.rank}. {who})：{s.why_zh}"


def _sheet_name(indicator_id: str, taken: set[str]) -> str:
    """The indicator's Chinese title as a sheet name: Excel's 31 characters, none of ``[]:*?/\\``,
    unique in the workbook."""
    name = "".join("_" if ch in _ILLEGAL_SHEET_CHARS else ch for ch in indicator_title(indicator_id))[:31]
    n = 2
    while name in taken:
        suffix = f"({n})"
        name = name[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def _flatten(results: Iterable[IndicatorResult | AreaCoverage | Rollup]) -> list[IndicatorResult]:
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
    return out


def _gap_row(r: IndicatorResult, g: Gap, unmask: bool) -> list[Any]:
    return [
        r.area.id,
        r.area.name,
        r.as_of.isoformat(),
        g.item_id,
        _text(g.item_name, unmask),
        status_label(g.status),
        g.evidence_zh,
        g.rule_zh,
        _facts(g.facts),
        "\n".join(_suggestion(s, unmask) for s in g.suggestions),
    ]


def write_gaps_xlsx(
    results: IndicatorResult | AreaCoverage | Rollup | Iterable[IndicatorResult | AreaCoverage | Rollup],
    path: str | Path,
    *,
    unmask: bool = False,
) -> Path:
    """Write ``results`` to ``path`` (``.xlsx``): a summary sheet and one sheet per indicator
    listing its gaps (for results computed with their gaps). Returns the path written."""
    items = _flatten([results] if isinstance(results, IndicatorResult | AreaCoverage | Rollup) else results)
    order = {ind: i for i, ind in enumerate(INDICATOR_IDS)}
    items.sort(key=lambda r: (order.get(r.indicator, len(order)), r.area.id, r.as_of))
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    summary.append(list(SUMMARY_HEADERS))
    for r in items:
        rate = None if r.rate is None else round(r.rate, 4)
        summary.append(
            [
                safe_cell(v)
                for v in (
                    r.title_zh,
                    r.area.id,
                    r.area.name,
                    r.as_of.isoformat(),
                    r.total,
                    r.covered,
                    r.uncovered,
                    rate,
                    r.unit_zh,
                )
            ]
        )
        if rate is not None:
            summary.cell(row=summary.max_row, column=SUMMARY_HEADERS.index("覆盖率") + 1).number_format = "0.0%"
    sheets: dict[str, Any] = {}
    taken = {SUMMARY_SHEET}
    for r in items:
        if not r.gaps_included:
            continue
        ws = sheets.get(r.indicator)
        if ws is None:
            ws = wb.create_sheet(_sheet_name(r.indicator, taken))
            ws.append([safe_cell(r.title_zh)])
            ws.append(list(GAP_HEADERS))
            for cell in ws[2]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "A3"
            sheets[r.indicator] = ws
        for g in r.gaps:
            ws.append([safe_cell(v) for v in _gap_row(r, g, unmask)])
            for cell in ws[ws.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in summary[1]:
        cell.font = Font(bold=True)
    summary.freeze_panes = "A2"
    out = Path(path)
    wb.save(out)
    return out

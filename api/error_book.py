"""The error workbook (``gongzhi load ... --errors-out FILE.xlsx``): what to send back to whoever
keeps the ledger, instead of a terminal table to copy.

A copy of the input with each bad cell highlighted and a comment giving the reason (Chinese, or
English with ``--lang en``), and a first sheet listing every issue with its file, sheet, row,
column, value and reason. One XLSX workbook given as the input is copied as it is (formats
kept); CSV files, or several files of a directory, become one sheet each (their values). The
issue list quotes values as the issues do (personal values masked); the copies hold the input's
own values, as the file sent back must.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from graph.errors import Issue
from loaders.issues import shown
from loaders.read import CSV_SUFFIXES, InputLimits, open_regular, read_csv
from queries.export import safe_cell

ISSUES_SHEET = ("问题清单", "issues")
HEADERS = (
    ("文件", "file"),
    ("工作表", "sheet"),
    ("行", "row"),
    ("列", "column"),
    ("值", "value"),
    ("原因", "reason"),
)
BAD = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
AUTHOR = "共治 Gongzhi"
_WHERE = re.compile(r"^(?P<file>.*?)(?:\[(?P<sheet>.*)\])?$")
#: How far down the header row of a copied sheet is looked for (a title row may sit above it).
_HEADER_ROWS = 10


def _split(where: str) -> tuple[str, str | None]:
    """``book.xlsx[楼栋]`` -> (``book.xlsx``, ``楼栋``); ``buildings.csv`` -> (``buildings.csv``, None)."""
    m = _WHERE.match(where)
    assert m is not None
    return m.group("file"), m.group("sheet")


def _reason(issue: Issue, lang: str) -> str:
    return issue.reason if lang == "en" or not issue.reason_zh else issue.reason_zh


def _column_index(ws: Worksheet, header: str, near: int | None) -> int | None:
    """The column whose header (in one of the first rows, nearest the top) reads ``header``."""
    last = min(ws.max_row, _HEADER_ROWS, near or _HEADER_ROWS)
    for row in ws.iter_rows(min_row=1, max_row=max(1, last)):
        for cell in row:
            text = shown(cell.value)
            if text is not None and (text.lstrip("\ufeff") == header or text.startswith(header.rstrip("…"))):
                return int(cell.column)
    return None


def _mark(ws: Worksheet, issues: Sequence[Issue], lang: str) -> None:
    """Highlight each bad cell (a row's first cell for a problem of the whole row) and comment it."""
    notes: dict[tuple[int, int], list[str]] = defaultdict(list)
    for issue in issues:
        if issue.row is None:
            continue
        column = _column_index(ws, issue.column, issue.row) if issue.column else None
        notes[(issue.row, column or 1)].append(_reason(issue, lang))
    for (row, column), reasons in notes.items():
        cell = ws.cell(row=row, column=column)
        cell.fill = BAD
        cell.comment = Comment("\n".join(dict.fromkeys(reasons)), AUTHOR, width=320, height=120)


def _issue_sheet(ws: Worksheet, issues: Sequence[Issue], lang: str) -> None:
    en = lang == "en"
    ws.append([h[1] if en else h[0] for h in HEADERS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for issue in issues:
        file, sheet = _split(issue.file)
        ws.append([safe_cell(v) for v in (file, sheet, issue.row, issue.column, issue.value, _reason(issue, lang))])
    for letter, width in zip("ABCDEF", (22, 14, 6, 16, 18, 70), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        row[5].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def _sheet_title(name: str, taken: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "sheet"
    title, n = base, 2
    while title in taken:
        title = f"{base[: 31 - len(str(n)) - 2]}({n})"
        n += 1
    taken.add(title)
    return title


def _rows_of(file: Path, sheet: str | None, limits: InputLimits) -> Iterable[Sequence[Any]]:
    """The values of one CSV file (read as the loader reads it) or one sheet of a workbook."""
    if sheet is None:
        with open_regular(file, limits) as stream:
            last = 0
            for number, values in read_csv(stream, file.name, limits):
                yield from ([] for _ in range(number - last - 1))  # blank rows keep their numbers
                yield list(values)
                last = number
        return
    book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    try:
        for row in book[sheet].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def write_error_book(
    issues: Sequence[Issue], input_path: Path | str, out: Path | str, *, lang: str = "zh"
) -> Path:
    """Write the error workbook of ``issues`` found in ``input_path`` (a file or a directory)
    to ``out``; returns ``out``."""
    input_path, out = Path(input_path), Path(out)
    base = input_path if input_path.is_dir() else input_path.parent
    by_place: dict[tuple[str, str | None], list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.file:
            by_place[_split(issue.file)].append(issue)
    files = {file for file, _ in by_place}
    limits = InputLimits()
    single_book = (
        len(files) == 1
        and input_path.is_file()
        and input_path.suffix.lower() not in CSV_SUFFIXES
        and input_path.name in files
    )
    if single_book:
        wb = openpyxl.load_workbook(input_path)  # the workbook itself: formats, widths, merges kept
        for (_, sheet), found in by_place.items():
            if sheet is not None and sheet in wb.sheetnames:
                _mark(wb[sheet], found, lang)
    else:
        wb = openpyxl.Workbook()
        assert wb.active is not None
        wb.remove(wb.active)
        taken: set[str] = set()
        for (file, sheet), found in sorted(by_place.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            source = base / file
            if not source.is_file() or (sheet is None and source.suffix.lower() not in CSV_SUFFIXES):
                continue  # a file that could not be read as a table: listed only
            ws = wb.create_sheet(_sheet_title(sheet or Path(file).stem, taken))
            for values in _rows_of(source, sheet, limits):
                ws.append([safe_cell(v) for v in values])
            _mark(ws, found, lang)
    listing = wb.create_sheet(ISSUES_SHEET[1 if lang == "en" else 0], 0)
    _issue_sheet(listing, issues, lang)
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out

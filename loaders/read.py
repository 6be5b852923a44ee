"""Step 1 of a load (get): read an input directory or file into raw tables.

Each CSV file is one table, named ``<table>.csv`` or ``<中文表名>.csv``; each sheet of an
XLSX workbook is one table, named the same way. CSV text may be UTF-8 (with or without a
BOM) or GB18030/GBK; anything else is tried with charset-normalizer and otherwise refused.
Row 1 holds the headers (English names or Chinese headers, any order). Directly below it a
filled template may keep a second header row (the English names) and a notes row whose
first cell starts with ``说明`` or ``notes``; both are skipped. Fully empty rows are skipped;
every row keeps its spreadsheet number (the header is row 1).

A file that cannot be read at all raises ``InputError`` (naming every such file); anything
else wrong (unknown file, sheet or column, missing required column) is an ``Issue``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

import charset_normalizer
import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from graph.declare import Column
from graph.errors import InputError, Issue
from graph.model import TABLES
from loaders.issues import Cell, file_issue, is_blank, shown
from loaders.names import TableKind, column_named, columns_of, table_named, table_names

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
NOTES_MARKS = ("说明", "notes")
"""A row directly under the headers whose first cell starts with one of these is a notes row."""
IGNORED_PREFIXES = (".", "~$")
"""Hidden files and the lock files of LibreOffice (``.~lock.*#``) and Excel (``~$*``)."""

Grid = list[Sequence[Cell]]
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RawRow:
    number: int
    """The spreadsheet row number (header = 1, first data row = 2)."""
    cells: dict[str, Cell]
    """Raw values by column name, for the columns the file has."""


@dataclass
class RawTable:
    kind: TableKind
    file: str
    """The file as named in messages: ``buildings.csv`` or ``book.xlsx[楼栋]``."""
    headers: dict[str, str]
    """The header as written in the file, by column name."""
    rows: list[RawRow] = field(default_factory=list)
    broken: bool = False
    """A required column is missing: no row of this table can be loaded."""

    def header(self, column: Column) -> str:
        """How ``column`` is named in messages: as written in the file, else in the file's language."""
        if column.name in self.headers:
            return self.headers[column.name]
        chinese = any(h != name for name, h in self.headers.items())
        return column.zh if chinese else column.name


@dataclass
class ReadResult:
    tables: list[RawTable] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


# ---------------------------------------------------------------- get: files


def input_files(path: Path) -> list[Path]:
    """The files of an input: the file itself, or a directory's files (not recursive), sorted."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory", message_zh=f"{path}：文件或目录不存在")
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(IGNORED_PREFIXES))


def read_input(path: Path, progress: Progress | None = None) -> ReadResult:
    """Read every table of ``path`` (a directory or one file)."""
    files = input_files(path)
    result = ReadResult()
    unreadable: list[InputError] = []
    for done, file in enumerate(files, start=1):
        try:
            _read_file(file, result)
        except InputError as exc:
            unreadable.append(exc)
        if progress is not None:
            progress("read", done, len(files))
    order = {kind.table: position for position, kind in enumerate(TABLES)}
    result.tables.sort(key=lambda t: order[t.kind.table])
    if unreadable:
        raise InputError(
            "; ".join(e.message for e in unreadable),
            message_zh="；".join(e.message_zh for e in unreadable),
        )
    return result


def _read_file(file: Path, result: ReadResult) -> None:
    suffix = file.suffix.lower()
    if suffix in CSV_SUFFIXES:
        kind = table_named(file.stem)
        if kind is None:
            result.issues.append(_unknown_table(file.name, "file"))
            return
        _add_table(kind, file.name, read_csv(file), result)
    elif suffix in XLSX_SUFFIXES:
        for sheet, grid in read_xlsx(file):
            where = f"{file.name}[{sheet}]"
            kind = table_named(sheet)
            if kind is None:
                if any(not is_blank(v) for row in grid for v in row):
                    result.issues.append(_unknown_table(where, "sheet"))
                continue
            _add_table(kind, where, grid, result)
    else:
        result.issues.append(
            file_issue(
                file.name,
                "not a CSV or XLSX file (save it as .csv or .xlsx, or move it out of the input directory)",
                "不是 CSV 或 XLSX 文件（请另存为 .csv 或 .xlsx，或移出输入目录）",
            )
        )


def _unknown_table(where: str, what: str) -> Issue:
    zh_what = "文件" if what == "file" else "工作表"
    return file_issue(
        where,
        f"the {what} name is not a table; name it after one of: {table_names()}",
        f"{zh_what}名不是任何一张表，请按以下表名命名：{table_names()}",
    )


# ---------------------------------------------------------------- get: CSV and XLSX


def decode_csv(file: Path) -> str:
    """The text of a CSV file: UTF-8 (BOM or not), else GB18030, else charset-normalizer's guess."""
    data = file.read_bytes()
    text: str | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        best = charset_normalizer.from_bytes(data).best()
        text = None if best is None else str(best)
    if text is None or "\x00" in text:
        raise InputError(
            f"{file.name}: not a text file in UTF-8 or GB18030/GBK; save it as CSV UTF-8",
            message_zh=f"{file.name}：不是 UTF-8 或 GB18030/GBK 编码的文本文件，请另存为“CSV UTF-8”",
        )
    return text


def read_csv(file: Path) -> Grid:
    text = decode_csv(file)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(
            f"{file.name}: not a readable CSV ({exc})", message_zh=f"{file.name}：CSV 格式无法解析"
        ) from exc


def read_xlsx(file: Path) -> list[tuple[str, Grid]]:
    """Every worksheet of a workbook as (sheet name, rows of cell values)."""
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            f"{file.name}: not a readable XLSX workbook ({type(exc).__name__})",
            message_zh=f"{file.name}：不是可读取的 XLSX 工作簿",
        ) from exc
    try:
        sheets: list[tuple[str, Grid]] = []
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # some writers record wrong dimensions; read every row
            grid: Grid = [tuple(_xlsx_value(v) for v in row) for row in sheet.iter_rows(values_only=True)]
            sheets.append((sheet.title, grid))
        return sheets
    finally:
        book.close()


def _xlsx_value(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- transform: headers and rows


def _add_table(kind: TableKind, where: str, grid: Grid, result: ReadResult) -> None:
    table, issues = table_from_grid(kind, where, grid)
    result.issues.extend(issues)
    result.tables.append(table)


def table_from_grid(kind: TableKind, where: str, grid: Grid) -> tuple[RawTable, list[Issue]]:
    """The raw table of one file or sheet, and the problems with its headers."""
    issues: list[Issue] = []
    if not grid or all(is_blank(v) for v in grid[0]):
        issues.append(file_issue(where, "no header row (row 1 is empty)", "缺少表头（第1行为空）", row=1))
        return RawTable(kind, where, {}, broken=True), issues
    positions, headers = _map_headers(kind, where, grid[0], issues)
    table = RawTable(kind, where, headers)
    for column in columns_of(kind):
        if column.required and column.name not in headers:
            table.broken = True
            issues.append(
                file_issue(
                    where,
                    f"required column missing: {column.zh} ({column.name})",
                    f"缺少必填列：{column.zh}（{column.name}）",
                    row=1,
                    header=table.header(column),
                )
            )
    first = _first_data_row(kind, grid)
    headed = {p for p, v in enumerate(grid[0]) if not is_blank(v)}
    stray: set[int] = set()
    for index in range(first, len(grid)):
        values = grid[index]
        if all(is_blank(v) for v in values):
            continue
        cells: dict[str, Cell] = {}
        for position, raw in enumerate(values):
            name = positions.get(position)
            if name is not None:
                cells[name] = raw
            elif not is_blank(raw) and position not in headed and position not in stray:
                stray.add(position)
                issues.append(
                    file_issue(
                        where,
                        f"column {position + 1} has values but no header",
                        f"第{position + 1}列有数据但没有表头",
                        row=index + 1,
                    )
                )
        table.rows.append(RawRow(index + 1, cells))
    return table, issues


def _map_headers(
    kind: TableKind, where: str, header_row: Sequence[Cell], issues: list[Issue]
) -> tuple[dict[int, str], dict[str, str]]:
    positions: dict[int, str] = {}  # column position -> column name
    headers: dict[str, str] = {}  # column name -> header as written
    for position, raw in enumerate(header_row):
        text = shown(raw)
        if text is None:
            continue
        text = text.lstrip("\ufeff")
        column = column_named(kind, text)
        if column is None:
            issues.append(
                file_issue(
                    where,
                    f"unknown column {text!r}; {kind.table} has: {_column_list(kind)}",
                    f"未知列“{text}”；{kind.zh}表的列为：{_column_list(kind)}",
                    row=1,
                    header=text,
                )
            )
        elif column.name in headers:
            issues.append(
                file_issue(
                    where,
                    f"column {column.name} appears twice (also as {headers[column.name]!r})",
                    f"列“{column.zh}”重复出现（另见“{headers[column.name]}”）",
                    row=1,
                    header=text,
                )
            )
        else:
            positions[position] = column.name
            headers[column.name] = text
    return positions, headers


def _column_list(kind: TableKind) -> str:
    return ", ".join(f"{c.zh} ({c.name})" for c in columns_of(kind))


def _first_data_row(kind: TableKind, grid: Grid) -> int:
    """Index of the first data row: after a second header row and a notes row, if present."""
    index = 1
    while index < len(grid) and (_is_header_echo(kind, grid[0], grid[index]) or _is_notes(grid[index])):
        index += 1
    return index


def _is_header_echo(kind: TableKind, header_row: Sequence[Cell], row: Sequence[Cell]) -> bool:
    """A row naming, in every filled cell, the same column as the header above it."""
    filled = [(p, shown(v)) for p, v in enumerate(row) if not is_blank(v)]
    if not filled:
        return False
    for position, text in filled:
        above = shown(header_row[position]) if position < len(header_row) else None
        mine = column_named(kind, text or "")
        if above is None or mine is None or mine is not column_named(kind, above):
            return False
    return True


def _is_notes(row: Sequence[Cell]) -> bool:
    for raw in row:
        if is_blank(raw):
            continue
        text = (shown(raw) or "").lower()
        return text.startswith(NOTES_MARKS)
    return False

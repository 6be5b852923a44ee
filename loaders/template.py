"""The input template: one XLSX workbook, one sheet per table, derived from the model.

Each sheet (named by the table's Chinese name) has: row 1 the Chinese headers, row 2 the
English column names, row 3 a notes row (first cell starts ``说明/notes:``) explaining each
column, row 4 a sample row from ``Column.example``. The reader skips rows 2 and 3, so a
filled template loads as it is.

The sample rows are not data. Their ids, and their references, carry the reserved prefix
``示例-`` (``示例-B-0001``), which marks a sample wherever the row ends up after a user sorts,
moves or copies rows: a node row whose id is a sample id, and a relationship row whose two
ends are, is a sample row. A load refuses sample rows ("第4行是模板示例行，请删除或改写"),
and a reference to a sample id from a real row; ``gongzhi load --skip-samples`` leaves the
sample rows out with a note instead. Overwriting a sample row's id makes it a real row.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from graph.declare import Column, FieldType, NodeKind
from graph.errors import Issue
from graph.model import TABLES
from loaders.convert import FALSE_WORDS, TRUE_WORDS
from loaders.describe import note
from loaders.issues import Cell, cell_issue, shown
from loaders.names import TableKind, columns_of
from loaders.read import XLSX_SUFFIXES, RawRow, RawTable

DEFAULT_NAME = "gongzhi-template.xlsx"
NOTES_PREFIX = "说明/notes: "
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
_LAST_ROW = 1048576
_TEXT_TYPES = (FieldType.STR, FieldType.ID_NUMBER, FieldType.PHONE, FieldType.CREDIT_CODE, FieldType.REF)
_HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")
_NOTES_FONT = Font(italic=True, color="FF595959", size=9)
_SAMPLE_FONT = Font(italic=True, color="FF808080")
SAMPLE_PREFIX = "示例-"
"""Reserved start of the ids of the template's sample rows (``示例-B-0001``); ``SAMPLE-`` too."""
SAMPLE_PREFIXES = (SAMPLE_PREFIX, "sample-")
SAMPLE_OPTION = "--skip-samples"
SAMPLE_COMMENT = (
    f"示例行：编号以“{SAMPLE_PREFIX}”开头，不是数据，导入时会被拒绝；请改写或删除（或导入时加 {SAMPLE_OPTION}）。\n"
    f"Sample row: its ids start with {SAMPLE_PREFIX}; it is not data and a load refuses it: "
    f"overwrite or delete it (or load with {SAMPLE_OPTION})."
)


def write_templates(out: Path) -> Path:
    """Write the template workbook to ``out`` (an ``.xlsx`` file, or a directory to put it in).

    Returns the path written.
    """
    path = out if out.suffix.lower() in XLSX_SUFFIXES else out / DEFAULT_NAME
    book = openpyxl.Workbook()
    first = book.active
    for kind in TABLES:
        _fill_sheet(book.create_sheet(kind.zh), kind)
    if first is not None:
        book.remove(first)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _fill_sheet(sheet: Worksheet, kind: TableKind) -> None:
    columns = columns_of(kind)
    for position, column in enumerate(columns, start=1):
        letter = get_column_letter(position)
        header = sheet.cell(1, position, column.zh)
        header.font = Font(bold=True)
        header.fill = _HEADER_FILL
        sheet.cell(2, position, column.name).font = Font(color="FF808080")
        text = note(column)
        notes = sheet.cell(3, position, NOTES_PREFIX + text if position == 1 else text)
        notes.font = _NOTES_FONT
        notes.alignment = Alignment(wrap_text=True, vertical="top")
        sample = sheet.cell(4, position, sample_value(column, identifier=column is _id_column(kind)))
        sample.font = _SAMPLE_FONT
        if position == 1:
            sample.comment = Comment(SAMPLE_COMMENT, "gongzhi")
        if column.type is FieldType.DATE:
            sample.number_format = DATE_FORMAT
        elif column.type in _TEXT_TYPES:
            sample.number_format = TEXT_FORMAT
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT
        sheet.column_dimensions[letter].width = max(14, min(40, 2 * len(column.zh) + 4))
        _add_dropdown(sheet, column, letter)
    sheet.row_dimensions[3].height = 60
    sheet.freeze_panes = "B4"


def _id_column(kind: TableKind) -> Column | None:
    return kind.id_column if isinstance(kind, NodeKind) else None


def sample_value(column: Column, *, identifier: bool = False) -> object:
    """The sample cell of a column: its example, as a real date or number where the type is one;
    an id (``identifier``) or a reference with the sample prefix (``示例-B-0001``)."""
    if not column.example:
        return None
    if identifier or column.type is FieldType.REF:
        return SAMPLE_PREFIX + column.example
    if column.type is FieldType.DATE:
        return date.fromisoformat(column.example)
    if column.type is FieldType.INT:
        return int(column.example)
    return column.example


def _add_dropdown(sheet: Worksheet, column: Column, letter: str) -> None:
    if column.type is FieldType.ENUM:
        options = [c.zh for c in column.choices]
    elif column.type is FieldType.BOOL:
        options = [TRUE_WORDS[0], FALSE_WORDS[0]]
    else:
        return
    # a suggestion list only: the English and code spellings stay allowed
    dropdown = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
    dropdown.showErrorMessage = False
    sheet.add_data_validation(dropdown)
    dropdown.add(f"{letter}4:{letter}{_LAST_ROW}")


# ---------------------------------------------------------------- recognising the sample rows


def is_sample_id(value: Cell) -> bool:
    """Whether a cell holds a sample id: it starts with ``示例-`` or ``SAMPLE-`` (any case and width)."""
    text = shown(value)
    if text is None or (text[0].isascii() and text[0] not in "sS"):  # the common case, at once
        return False
    if not text.isascii():  # this runs for every row: NFKC only where it can change something
        text = unicodedata.normalize("NFKC", text).strip()
    return text.casefold().startswith(SAMPLE_PREFIXES)


def sample_column(kind: TableKind, cells: dict[str, Cell]) -> Column | None:
    """The column that makes a row a template sample row, or None for a real row.

    A node row is a sample when its id is a sample id; a relationship row when both its
    ends are (a real row that refers to one sample is a real row with a bad reference).
    """
    if isinstance(kind, NodeKind):
        return kind.id_column if is_sample_id(cells.get(kind.id_column.name)) else None
    ends = (kind.from_column, kind.to_column)
    return kind.from_column if all(is_sample_id(cells.get(c.name)) for c in ends) else None


def sample_reason(row: int) -> tuple[str, str]:
    """Why a sample row is refused, in English and Chinese."""
    return (
        f"row {row} is a template sample row, not data; delete or overwrite it (its id starts with "
        f"{SAMPLE_PREFIX}), or load with {SAMPLE_OPTION} to leave it out",
        f"第{row}行是模板示例行，请删除或改写（编号以“{SAMPLE_PREFIX}”开头；或导入时加 {SAMPLE_OPTION} 跳过示例行）",
    )


def sample_ref_reason(target: str) -> tuple[str, str]:
    """Why a real row may not refer to a sample row."""
    return (
        f"refers to {target}, a template sample row, which is not data; refer to a real id",
        f"引用的 {target} 是模板示例行，不是数据，请改为实际编号",
    )


def drop_samples(tables: Sequence[RawTable]) -> tuple[list[RawTable], list[Issue]]:
    """``tables`` without their sample rows (``--skip-samples``), and a note on each row left out."""
    out: list[RawTable] = []
    notes: list[Issue] = []
    for table in tables:
        kept: list[RawRow] = []
        for row in table.rows:
            column = sample_column(table.kind, row.cells)
            if column is None:
                kept.append(row)
                continue
            notes.append(
                cell_issue(
                    table.file,
                    row.number,
                    table.header(column),
                    column,
                    row.cells.get(column.name),
                    f"row {row.number} is a template sample row; skipped ({SAMPLE_OPTION})",
                    f"第{row.number}行是模板示例行，已跳过（{SAMPLE_OPTION}）",
                )
            )
        out.append(table if len(kept) == len(table.rows) else replace(table, rows=kept))
    return out, notes

"""The input template: one XLSX workbook, one sheet per table, derived from the model.

Each sheet (named by the table's Chinese name) has: row 1 the Chinese headers, row 2 the
English column names, row 3 a notes row (first cell starts ``说明/notes:``) explaining each
column, row 4 a sample row from ``Column.example``. The reader skips rows 2 and 3, so a
filled template loads as it is; the sample rows form a small valid graph of their own and
are meant to be overwritten or deleted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from graph.declare import Column, FieldType
from graph.model import TABLES
from loaders.convert import FALSE_WORDS, TRUE_WORDS
from loaders.describe import note
from loaders.names import TableKind, columns_of
from loaders.read import XLSX_SUFFIXES

DEFAULT_NAME = "gongzhi-template.xlsx"
NOTES_PREFIX = "说明/notes: "
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
_LAST_ROW = 1048576
_TEXT_TYPES = (FieldType.STR, FieldType.ID_NUMBER, FieldType.PHONE, FieldType.CREDIT_CODE, FieldType.REF)
_HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")
_NOTES_FONT = Font(italic=True, color="FF595959", size=9)


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
        sample = sheet.cell(4, position, sample_value(column))
        if column.type is FieldType.DATE:
            sample.number_format = DATE_FORMAT
        elif column.type in _TEXT_TYPES:
            sample.number_format = TEXT_FORMAT
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT
        sheet.column_dimensions[letter].width = max(14, min(40, 2 * len(column.zh) + 4))
        _add_dropdown(sheet, column, letter)
    sheet.row_dimensions[3].height = 60
    sheet.freeze_panes = "B4"


def sample_value(column: Column) -> object:
    """The sample cell of a column: its example, as a real date or number where the type is one."""
    if not column.example:
        return None
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

"""A ledger (``queries/ledger/layout.py``) as an XLSX workbook laid out for printing on A4.

Each sheet: the title (merged across the columns) and the line under it, the header row
repeated on every printed page (print titles), the widths of the layout, wrapped cells whose
row heights are set from their line counts (LibreOffice does not size the rows openpyxl
writes), landscape when the layout says so, fitted to the page width, and a footer with the
signature line, the page number and the date. Every text cell that a spreadsheet could read
as a formula gets a leading apostrophe (``queries.export.safe_cell``).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from queries.ledger.layout import CELL_PADDING, SIGNATURE, Book, Sheet, wrap
from queries.ledger.safe import safe_cell

FONT_SIZE = 10
TITLE_SIZE = 14
#: Points per wrapped line at FONT_SIZE (CJK fonts run taller than Latin ones), and the
#: margin a row keeps above and below its text.
LINE_POINTS = 14.5
ROW_MARGIN = 3.0
HEADER_ROW = 3  # title, subtitle, header
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FORMATS = {"percent": "0.0%", "int": "0"}


def footer_text(text: str) -> str:
    """Text in a header or footer: ``&`` starts a code there, so a literal one is doubled."""
    return text.replace("&", "&&")


def write_xlsx(book: Book, path: str | Path) -> Path:
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for sheet in book.sheets:
        _sheet(wb.create_sheet(sheet.name), sheet)
    out = Path(path)
    wb.save(out)
    return out


def row_lines(sheet: Sheet, texts: list[str]) -> int:
    """The most lines any cell of a row wraps to, at the layout's widths."""
    return max((len(wrap(t, w - CELL_PADDING)) for t, w in zip(texts, sheet.widths, strict=True)), default=1)


def _sheet(ws: Worksheet, sheet: Sheet) -> None:
    widths = sheet.widths
    ncols = len(widths)
    last = get_column_letter(ncols)
    total = sum(widths)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w + 1
    top = Alignment(wrap_text=True, vertical="top")
    for row, text, size in ((1, sheet.title, TITLE_SIZE), (2, sheet.subtitle, FONT_SIZE)):
        cell = ws.cell(row=row, column=1, value=safe_cell(text))
        cell.font = Font(bold=row == 1, size=size)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center" if row == 1 else "left")
        if ncols > 1:
            ws.merge_cells(f"A{row}:{last}{row}")
        units = total * FONT_SIZE // size  # a larger font fits fewer units across
        ws.row_dimensions[row].height = len(wrap(text, units - CELL_PADDING)) * LINE_POINTS * size / FONT_SIZE + ROW_MARGIN
    for i, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=i, value=safe_cell(col.header))
        cell.font = Font(bold=True, size=FONT_SIZE)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _BORDER
    headers = [c.header for c in sheet.columns]
    ws.row_dimensions[HEADER_ROW].height = row_lines(sheet, headers) * LINE_POINTS + ROW_MARGIN
    for r, values in enumerate(sheet.rows, start=HEADER_ROW + 1):
        for i, (col, value) in enumerate(zip(sheet.columns, values, strict=True), start=1):
            cell = ws.cell(row=r, column=i, value=safe_cell(value))
            cell.font = Font(size=FONT_SIZE)
            cell.alignment = top
            cell.border = _BORDER
            if col.fmt in _FORMATS and isinstance(value, int | float):
                cell.number_format = _FORMATS[col.fmt]
        ws.row_dimensions[r].height = row_lines(sheet, sheet.texts(values)) * LINE_POINTS + ROW_MARGIN
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{last}{max(HEADER_ROW + len(sheet.rows), HEADER_ROW)}"
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "landscape" if sheet.landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    margins = ws.page_margins
    margins.left = margins.right = 0.4
    margins.top, margins.bottom, margins.header, margins.footer = 0.6, 0.7, 0.25, 0.3
    ws.oddHeader.center.text = footer_text(sheet.title)
    ws.oddHeader.center.size = 9
    ws.oddFooter.left.text = footer_text(SIGNATURE)
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    ws.oddFooter.right.text = footer_text(f"统计日期：{sheet.day.isoformat()}" if sheet.day else "")
    for part in (ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):
        part.size = 9

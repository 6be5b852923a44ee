"""A ledger (``queries/ledger/layout.py``) as a PDF on A4, through fpdf2 with an embedded CJK font.

The same layout as the XLSX: the columns' widths in the layout's proportions, stretched or
shrunk to the printable width (fit to width), landscape when the layout says so; each sheet
starts on a new page with its title and the line under it; the header row is repeated at the
top of every page; long cells wrap (lines broken by fpdf2 with the font's own metrics) and a
row taller than a page is split across pages, never cut; every page has the footer (signature
line, page N of M, the date). ``write_pdf`` returns every box it drew text into, so that a test
can read the PDF back and check that no text runs outside its cell or the page.

The font is a TrueType CJK font found on the machine (``find_cjk_font``: WenQuanYi Zen Hei or
Noto Sans CJK, the fonts scripts/system-deps.sh installs), embedded as a subset with its
Unicode map, so the Chinese prints as glyphs and copies back out as the same text.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from graph.errors import ConfigError
from queries.ledger.layout import SIGNATURE, Book, Sheet

MARGIN = 10.0  # mm, every side
FOOTER_HEIGHT = 8.0  # mm above the bottom margin
FONT_SIZE = 9.0  # pt
TITLE_SIZE = 14.0
SUBTITLE_SIZE = 9.5
FOOTER_SIZE = 8.0
LINE_HEIGHT = FONT_SIZE * 0.3528 * 1.35  # mm per line
PAD = 1.0  # mm above and below a cell's text; fpdf2's cell margin (c_margin) left and right
FONT_FAMILY = "cjk"
PAGE_TOTAL = "{nb}"

#: Where the CJK fonts of scripts/system-deps.sh (and the usual others) are installed.
KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


@dataclass(frozen=True)
class TextBox:
    """A box text was drawn into: page (1-based), mm from the page's top-left corner."""

    page: int
    x: float
    y: float
    w: float
    h: float
    text: str
    kind: str  # title, subtitle, header, cell, footer


@dataclass(frozen=True)
class PdfLayout:
    path: Path
    pages: int
    page_sizes: tuple[tuple[float, float], ...]  # (width, height) in mm, per page
    boxes: tuple[TextBox, ...]


def find_cjk_font() -> Path:
    """A TrueType font with Chinese glyphs: a known path, else what fontconfig offers for zh."""
    for known in KNOWN_FONTS:
        if Path(known).is_file():
            return Path(known)
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh"], capture_output=True, text=True, timeout=30, check=False
        ).stdout.strip()
        if found.lower().endswith((".ttf", ".ttc", ".otf")) and Path(found).is_file():
            return Path(found)
    raise ConfigError(
        "no CJK font for the PDF ledgers: install fonts-wqy-zenhei (bash scripts/system-deps.sh test)",
        message_zh="没有可用于 PDF 台账的中文字体：请安装 fonts-wqy-zenhei（bash scripts/system-deps.sh test）",
    )


class _Pdf(FPDF):
    """fpdf2 with the ledgers' footer on every page."""

    footer_day = ""
    drawn: list[TextBox]
    sizes: list[tuple[float, float]]

    def header(self) -> None:
        self.sizes.append((float(self.w), float(self.h)))

    def footer(self) -> None:
        y = self.h - MARGIN - FOOTER_HEIGHT + 2
        self.set_font(FONT_FAMILY, size=FOOTER_SIZE)
        third = (self.w - 2 * MARGIN) / 3
        page = f"第 {self.page_no()} 页 / 共 {PAGE_TOTAL} 页"
        for i, (text, align) in enumerate(((SIGNATURE, "L"), (page, "C"), (self.footer_day, "R"))):
            if not text:
                continue
            x = MARGIN + i * third
            self.set_xy(x, y)
            self.cell(w=third, h=LINE_HEIGHT, text=text, align=align)
            self.drawn.append(TextBox(self.page_no(), x, y, third, LINE_HEIGHT, text, "footer"))


def write_pdf(book: Book, path: str | Path, font: Path | None = None) -> PdfLayout:
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # bitmap tables it drops
    pdf = _Pdf(unit="mm", format="A4")
    pdf.drawn = []
    pdf.sizes = []
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.c_margin = PAD
    pdf.alias_nb_pages(PAGE_TOTAL)
    pdf.add_font(FONT_FAMILY, fname=str(font or find_cjk_font()))
    pdf.set_title(book.sheets[0].title if book.sheets else "")
    pdf.set_creator("共治 Gongzhi")
    for sheet in book.sheets:
        _sheet(pdf, sheet)
    out = Path(path)
    pdf.output(str(out))
    total = str(pdf.page_no())
    boxes = tuple(
        TextBox(b.page, b.x, b.y, b.w, b.h, b.text.replace(PAGE_TOTAL, total), b.kind) for b in pdf.drawn
    )
    return PdfLayout(out, pdf.page_no(), tuple(pdf.sizes), boxes)


def _lines(pdf: FPDF, text: str, width: float) -> list[str]:
    if not text:
        return []
    lines = pdf.multi_cell(w=width, h=LINE_HEIGHT, text=text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return [str(line) for line in lines]


def _sheet(pdf: _Pdf, sheet: Sheet) -> None:
    pdf.footer_day = f"统计日期：{sheet.day.isoformat()}" if sheet.day else ""
    pdf.add_page(orientation="L" if sheet.landscape else "P")
    usable = pdf.w - 2 * MARGIN
    units = sheet.widths
    widths = [usable * u / sum(units) for u in units]
    bottom = pdf.h - MARGIN - FOOTER_HEIGHT
    for text, size, kind, align in ((sheet.title, TITLE_SIZE, "title", "C"), (sheet.subtitle, SUBTITLE_SIZE, "subtitle", "L")):
        pdf.set_font(FONT_FAMILY, size=size)
        lh = size * 0.3528 * 1.35
        for line in _lines(pdf, text, usable):
            y = pdf.get_y()
            pdf.set_xy(MARGIN, y)
            pdf.cell(w=usable, h=lh, text=line, align=align)
            pdf.drawn.append(TextBox(pdf.page_no(), MARGIN, y, usable, lh, line, kind))
            pdf.set_y(y + lh)
        pdf.set_y(pdf.get_y() + 1.5)
    pdf.set_font(FONT_FAMILY, size=FONT_SIZE)
    headers = [c.header for c in sheet.columns]
    header_lines = [_lines(pdf, h, w) for h, w in zip(headers, widths, strict=True)]
    _row(pdf, widths, header_lines, "header")
    for row in sheet.rows:
        cells = [_lines(pdf, t, w) for t, w in zip(sheet.texts(row), widths, strict=True)]
        needed = max((len(c) for c in cells), default=0)
        capacity = int((bottom - pdf.get_y() - 2 * PAD) // LINE_HEIGHT)
        fresh = int((bottom - MARGIN - _height(header_lines) - 2 * PAD) // LINE_HEIGHT)
        if needed > capacity and (needed <= fresh or capacity < 1):
            _new_page(pdf, sheet, widths, header_lines)
            capacity = fresh
        while True:  # a row longer than a page goes on over the next ones
            take = max(min(needed, capacity), 1)
            _row(pdf, widths, [c[:take] for c in cells], "cell")
            cells = [c[take:] for c in cells]
            needed -= take
            if needed <= 0:
                break
            _new_page(pdf, sheet, widths, header_lines)
            capacity = fresh


def _height(cells: Sequence[Sequence[str]]) -> float:
    return max((len(c) for c in cells), default=0) * LINE_HEIGHT + 2 * PAD if any(cells) else LINE_HEIGHT + 2 * PAD


def _new_page(pdf: _Pdf, sheet: Sheet, widths: list[float], header_lines: list[list[str]]) -> None:
    pdf.add_page(orientation="L" if sheet.landscape else "P")
    pdf.set_font(FONT_FAMILY, size=FONT_SIZE)
    _row(pdf, widths, header_lines, "header")


def _row(pdf: _Pdf, widths: Sequence[float], cells: Sequence[Sequence[str]], kind: str) -> None:
    """One row (or the part of one that fits): each cell's border, then its lines."""
    y = pdf.get_y()
    h = _height(cells)
    x = MARGIN
    pdf.set_draw_color(128, 128, 128)
    pdf.set_line_width(0.2)
    if kind == "header":
        pdf.set_fill_color(235, 235, 235)
    for w, lines in zip(widths, cells, strict=True):
        pdf.rect(x, y, w, h, style="DF" if kind == "header" else "D")
        for i, line in enumerate(lines):
            pdf.set_xy(x, y + PAD + i * LINE_HEIGHT)
            pdf.cell(w=w, h=LINE_HEIGHT, text=line, align="C" if kind == "header" else "L")
        if lines:
            pdf.drawn.append(TextBox(pdf.page_no(), x, y, w, h, "\n".join(lines), kind))
        x += w
    pdf.set_xy(MARGIN, y + h)

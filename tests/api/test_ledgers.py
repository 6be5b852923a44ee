"""Printable ledgers (台账): every export rendered to PDF and XLSX from one layout, then read back.

The PDF is read with PDFium (pypdfium2): its pages are rendered to images, and every piece
of text the renderer says it drew into a box (a cell, the title, the footer) must come back
out of exactly that box, as the same Chinese, with nothing on the page outside the boxes and
no box outside the page. The XLSX is read with openpyxl for its print setup, and one
workbook goes through LibreOffice (``soffice --headless --convert-to pdf``) for its page count.
On both stores.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTCollection, TTFont
from openpyxl import load_workbook

from api.names import PlaceNames
from graph.store import Store
from queries.coverage import gaps
from queries.ledger.books import Reveal, branch_book, coverage_book, gaps_book, member_book, one_plus_one_book
from queries.ledger.layout import Book, text_units, wrap
from queries.ledger.pdf import MARGIN, PdfLayout, find_cjk_font, write_pdf
from queries.ledger.xlsx import HEADER_ROW, LINE_POINTS, write_xlsx
from queries.one_plus_one import area_one_plus_one, branch_view, member_card
from queries.rollup import rollup

DAY = date(2024, 6, 30)
MM = 72 / 25.4  # points per mm
A4 = (210.0, 297.0)
KINDS = ("gaps", "coverage", "one_plus_one", "member", "branch")


def _rows(street: Path, table: str) -> list[dict[str, str]]:
    with open(street / f"{table}.csv", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def books(street_store: Store, street_dir: Path) -> dict[str, Book]:
    """Each export of the first community, as the CLI builds it (places named, masked)."""
    s = street_store
    community = _rows(street_dir, "communities")[0]["id"]
    names = PlaceNames(s)
    member = gaps(s, community, "MEMBER_ONE_PLUS_ONE", DAY).gaps[0].item_id
    branch = next(r["org_id"] for r in _rows(street_dir, "org_coverage") if r["target_id"].startswith("P-"))
    results = [gaps(s, community, i, DAY) for i in ("BUILDING_GROUP", "MEMBER_ONE_PLUS_ONE")]
    return {
        "gaps": gaps_book(results, Reveal(), names.name),
        "coverage": coverage_book(rollup(s, community, DAY)),
        "one_plus_one": one_plus_one_book(area_one_plus_one(s, community, DAY), Reveal(), names.name),
        "member": member_book(member_card(s, member, DAY), Reveal(), names.name),
        "branch": branch_book(branch_view(s, branch, DAY), Reveal(), names.name),
    }


def _squash(text: str) -> str:
    """The text without white space; PDFium reports a hyphen that ends a line as \\x02."""
    return "".join(text.replace("\x02", "-").split())


def _font_chars() -> set[int]:
    font = find_cjk_font()
    fonts = TTCollection(str(font)).fonts if font.suffix.lower() == ".ttc" else [TTFont(str(font))]
    return set(fonts[0].getBestCmap())


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_text_stays_in_its_cells_and_on_the_page(books: dict[str, Book], kind: str, tmp_path: Path) -> None:
    book = books[kind]
    assert all(s.rows for s in book.sheets), f"the {kind} ledger of the test street is empty"
    layout = write_pdf(book, tmp_path / f"{kind}.pdf")
    doc = pdfium.PdfDocument(str(layout.path))
    try:
        assert len(doc) == layout.pages >= len(book.sheets)
        _check_pages(doc, layout, book)
    finally:
        doc.close()


def _check_pages(doc: pdfium.PdfDocument, layout: PdfLayout, book: Book) -> None:
    covered = _font_chars()
    landscape = [s.landscape for s in book.sheets]
    for n in range(len(doc)):
        page = doc[n]
        width, height = page.get_size()
        w_mm, h_mm = width / MM, height / MM
        assert sorted((round(w_mm), round(h_mm))) == [210, 297], "not A4"
        assert (round(w_mm), round(h_mm)) == tuple(round(x) for x in layout.page_sizes[n])
        boxes = [b for b in layout.boxes if b.page == n + 1]
        assert {b.kind for b in boxes} >= {"header", "footer"}, f"page {n + 1}: no repeated header row or no footer"
        text = page.get_textpage()
        drawn = 0
        for b in boxes:
            assert b.x >= MARGIN - 0.01 and b.y >= MARGIN - 0.01, f"page {n + 1}: {b.text!r} starts off the page"
            assert b.x + b.w <= w_mm - MARGIN + 0.01 and b.y + b.h <= h_mm - MARGIN + 0.01, f"page {n + 1}: {b.text!r} runs off the page"
            left, right = b.x * MM, (b.x + b.w) * MM
            top, bottom = height - b.y * MM, height - (b.y + b.h) * MM
            inside = text.get_text_bounded(left=left, bottom=bottom, right=right, top=top)
            assert _squash(inside) == _squash(b.text), f"page {n + 1}: the box of {b.text!r} holds {inside!r}"
            drawn += len(_squash(b.text))
            missing = {ch for ch in b.text if ord(ch) > 0x2E7F and ord(ch) not in covered}
            assert not missing, f"glyphs the font lacks (would print as boxes): {missing}"
        everything = _squash(text.get_text_range())
        assert len(everything) == drawn, f"page {n + 1}: text outside the laid-out boxes"
        text.close()
        page.close()
    first = [b for b in layout.boxes if b.kind == "title"]
    assert [_squash(b.text) for b in first][:1] == [_squash(book.sheets[0].title)][: len(first)]
    # landscape where wide: each sheet's first page as the layout decided
    starts = [b.page for b in layout.boxes if b.kind == "title" and b is not None]
    titled = sorted(set(starts))
    for sheet_landscape, page_no in zip(landscape, titled, strict=False):
        w, h = layout.page_sizes[page_no - 1]
        assert (w > h) == sheet_landscape


def test_pdf_chinese_is_embedded_and_extracts_back(books: dict[str, Book], tmp_path: Path) -> None:
    book = books["gaps"]
    layout = write_pdf(book, tmp_path / "gaps.pdf")
    raw = layout.path.read_bytes()
    assert b"/FontFile2" in raw, "the CJK font is not embedded"
    assert b"/ToUnicode" in raw, "no Unicode map: the Chinese would not copy back out"
    doc = pdfium.PdfDocument(str(layout.path))
    page = doc[0]
    text = page.get_textpage().get_text_range()
    assert _squash(book.sheets[0].title) in _squash(text)
    for header in ("指标", "覆盖率", "填报人", "审核人", "第1页"):
        assert header in _squash(text)
    image = page.render(scale=1).to_pil().convert("L")
    title = next(b for b in layout.boxes if b.kind == "title")
    crop = image.crop((int(title.x * MM), int(title.y * MM), int((title.x + title.w) * MM), int((title.y + title.h) * MM)))
    histogram = crop.histogram()
    assert sum(histogram[:128]) > 50, "the title renders as nothing"
    doc.close()


def test_pdf_page_count_follows_the_rows(books: dict[str, Book], tmp_path: Path) -> None:
    """A short ledger is one page a sheet; a long one as many pages as its rows need, no more."""
    coverage = write_pdf(books["coverage"], tmp_path / "coverage.pdf")
    assert coverage.pages == len(books["coverage"].sheets)
    card = write_pdf(books["member"], tmp_path / "card.pdf")
    assert card.pages == 1 and card.page_sizes[0][0] < card.page_sizes[0][1]  # portrait
    long = books["one_plus_one"]
    layout = write_pdf(long, tmp_path / "long.pdf")
    rows_per_page = [sum(1 for b in layout.boxes if b.page == p and b.kind == "cell" and b.x == MARGIN)
                     for p in range(1, layout.pages + 1)]
    assert sum(rows_per_page) >= len(long.sheets[0].rows)
    assert all(n >= 3 for n in rows_per_page[:-1]), f"pages with almost nothing on them: {rows_per_page}"


def test_rows_taller_than_a_page_go_on_over_pages(tmp_path: Path) -> None:
    from queries.ledger.layout import Column, Sheet

    long_text = "\n".join(f"第{i}行很长的说明文字" for i in range(200))
    sheet = Sheet("长", "很长的一行", "区域：测试", (Column("编号", 4, 8), Column("说明", 10, 30)),
                  (("A-1", long_text), ("A-2", "短")), DAY)
    layout = write_pdf(Book((sheet,)), tmp_path / "long.pdf")
    assert layout.pages >= 3
    cells = "\n".join(b.text for b in layout.boxes if b.kind == "cell" and b.x > MARGIN)
    assert _squash(cells) == _squash(long_text + "短"), "a row taller than a page lost text"


Check = Callable[[Book], None]


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_is_laid_out_for_printing(books: dict[str, Book], kind: str, tmp_path: Path) -> None:
    book = books[kind]
    wb = load_workbook(write_xlsx(book, tmp_path / f"{kind}.xlsx"))
    assert wb.sheetnames == [s.name for s in book.sheets]
    for sheet in book.sheets:
        ws = wb[sheet.name]
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}", "the header row is not repeated on each page"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.orientation == ("landscape" if sheet.landscape else "portrait")
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert "填报人" in ws.oddFooter.left.text and "审核人" in ws.oddFooter.left.text
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert sheet.day is not None and sheet.day.isoformat() in ws.oddFooter.right.text
        assert ws.oddHeader.center.text
        assert ws["A1"].value == sheet.title and "统计日期" in ws["A2"].value
        assert [c.value for c in ws[HEADER_ROW]] == [c.header for c in sheet.columns]
        for i, col in enumerate(sheet.columns):
            width = ws.column_dimensions[chr(ord("A") + i)].width
            assert width >= min(text_units(col.header), col.max_units), f"{col.header}: too narrow for its header"
        for r, row in enumerate(sheet.rows, start=HEADER_ROW + 1):
            for i, text in enumerate(sheet.texts(row)):
                width = ws.column_dimensions[chr(ord("A") + i)].width
                lines = len(wrap(text, width - 3))  # the renderer wraps at its width less the padding
                height = ws.row_dimensions[r].height
                assert height >= lines * LINE_POINTS, f"row {r}: {lines} lines of {text[:20]!r} in {height} pt"
        assert ws.max_row == HEADER_ROW + len(sheet.rows)


def test_wrap_counts_cjk_double_and_keeps_every_character() -> None:
    text = "长虹嘉园 3栋 residence-side org does not cover their home"
    lines = wrap(text, 12)
    assert all(text_units(line) <= 12 for line in lines)
    assert _squash("".join(lines)) == _squash(text)
    assert text_units("长虹") == 4 and wrap("长虹嘉园", 4) == ["长虹", "嘉园"]


def test_libreoffice_prints_a_short_ledger_on_few_pages(books: dict[str, Book], tmp_path: Path) -> None:
    """The XLSX through LibreOffice headless: a ledger of a few dozen rows prints on about as
    many pages as the PDF of the same layout, not on a page per few rows."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: bash scripts/system-deps.sh test installs it"
    book = Book(books["gaps"].sheets[1:2])  # one indicator's gaps
    rows = len(book.sheets[0].rows)
    xlsx = write_xlsx(book, tmp_path / "ledger.xlsx")
    ours = write_pdf(book, tmp_path / "ours.pdf").pages
    out = tmp_path / "lo"
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(xlsx)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = pdfium.PdfDocument(str(out / "ledger.pdf"))
    pages = len(doc)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(pages))
    doc.close()
    assert 1 <= pages <= ours + 1, f"{rows} rows: LibreOffice prints {pages} pages, the PDF {ours}"
    assert _squash(book.sheets[0].title) in _squash(text)
    assert text.count("对象编号") == pages, "the header row is not repeated on every printed page"

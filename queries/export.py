"""The gaps as an XLSX workbook for organizers: a summary sheet, then one sheet per indicator.

The ledger itself (columns, titles, rows) is ``queries.ledger.books.gaps_book``, laid out
for printing by ``queries.ledger.xlsx`` (and the same layout as PDF by ``queries.ledger.pdf``).
Headers are Chinese, and so is every status, indicator and evidence key: by its label
(``queries/labels.py``), never its code. Personal values (names, phones) are masked unless
``unmask=True`` (for a user whose role needs them). Every text cell that a spreadsheet could
read as a formula gets a leading apostrophe (``safe_cell``, CSV/formula injection).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from queries.ledger.books import GAP_COLUMNS, SUMMARY_COLUMNS, SUMMARY_SHEET, Reveal, gaps_book
from queries.ledger.safe import FORMULA_STARTS, safe_cell
from queries.ledger.xlsx import write_xlsx
from queries.results import AreaCoverage, IndicatorResult, Rollup

SUMMARY_HEADERS = tuple(c.header for c in SUMMARY_COLUMNS)
GAP_HEADERS = tuple(c.header for c in GAP_COLUMNS)

__all__ = ["FORMULA_STARTS", "GAP_HEADERS", "SUMMARY_HEADERS", "SUMMARY_SHEET", "safe_cell", "write_gaps_xlsx"]


def write_gaps_xlsx(
    results: IndicatorResult | AreaCoverage | Rollup | Iterable[IndicatorResult | AreaCoverage | Rollup],
    path: str | Path,
    *,
    unmask: bool = False,
) -> Path:
    """Write ``results`` to ``path`` (``.xlsx``): a summary sheet and one sheet per indicator
    listing its gaps (for results computed with their gaps). ``unmask`` shows names and phones
    in full. Returns the path written."""
    return write_xlsx(gaps_book(results, Reveal(names=unmask, phones=unmask)), path)

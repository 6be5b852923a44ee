"""Cells a spreadsheet can never run as a formula (CSV/formula injection).

Every text cell that a spreadsheet could read as a formula (starting with ``=``, ``+``,
``-``, ``@``, their full-width forms ``＝＋－＠``, a tab, a carriage return or a line feed,
spaces before them ignored) is written with a leading apostrophe, so that data from the
ledgers can never run as a formula.
"""

from __future__ import annotations

import unicodedata
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


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

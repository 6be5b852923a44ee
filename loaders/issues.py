"""Making Issues: the shown value of a cell, masked when its column holds personal data."""

from __future__ import annotations

from datetime import date, datetime

from graph.declare import Column
from graph.errors import Issue
from graph.privacy import mask

Cell = str | int | float | bool | date | datetime | None
"""A raw cell as read: text from a CSV; text, a number, a boolean or a date from an XLSX."""


def is_blank(raw: object) -> bool:
    if type(raw) is str:  # the common case first: this runs for every cell
        return not raw.strip()
    return raw is None or (isinstance(raw, str) and not raw.strip())


def shown(raw: object) -> str | None:
    """How a raw cell is quoted in a message: ``320.0`` as ``320``, a midnight datetime as a date."""
    if type(raw) is str:
        return raw.strip() or None
    if is_blank(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat(" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def cell_issue(
    file: str,
    row: int | None,
    header: str | None,
    column: Column | None,
    raw: object,
    reason: str,
    reason_zh: str,
) -> Issue:
    """An Issue about one cell; its value is masked when ``column`` is personal."""
    value = shown(raw)
    if value is not None and column is not None:
        value = str(mask(column, value))
    return Issue(file=file, row=row, column=header, value=value, reason=reason, reason_zh=reason_zh)


def file_issue(
    file: str, reason: str, reason_zh: str, *, row: int | None = None, header: str | None = None
) -> Issue:
    """An Issue about a whole file, sheet or header cell (no personal value is quoted)."""
    return Issue(file=file, row=row, column=header, value=None, reason=reason, reason_zh=reason_zh)

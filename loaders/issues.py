"""Making Issues: the shown value of a cell, masked when its column holds personal data; and
capping them, so that the Issues of one input stay bounded however many of its rows are bad."""

from __future__ import annotations

import re
from collections.abc import Sequence
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


# ---------------------------------------------------------------- capping: a few of each kind, the rest counted

ISSUES_PER_KIND = 20
"""Issues kept per (file, column, kind of problem); the rest of that kind are only counted."""
KINDS_PER_COLUMN = 20
"""Kinds of problem told apart per column; further kinds (say, reasons quoting ids without
digits) share one more kind, so that the issues kept per column stay bounded whatever the input."""
OTHER_KIND = "\x00other"
KEY_CACHE = 4096

COUNTED = Issue(
    file="", row=None, column=None, value=None, reason="(counted, not listed)", reason_zh="（已计数，未列出）"
)
"""What a row records for a problem beyond the cap: one shared object, so the row still counts
as invalid while the problem costs a pointer, not an Issue with its strings."""

_DIGIT = re.compile(r"\d")


def reason_kind(reason: str) -> str:
    """The kind of problem a reason names: its text up to the first digit (ids, rows, dates and
    counts in a reason differ from row to row; the words before them do not)."""
    found = _DIGIT.search(reason)
    return reason if found is None else reason[: found.start()]


class IssueCap:
    """Keeps the first ``per_kind`` problems of each (column, kind) of one file and counts the rest.

    A file of 200,000 rows that all fail the same way would otherwise make 200,000 Issues per
    bad column (millions of objects and their messages): with the cap it makes 20 per column
    and kind plus one "and 199,980 more like this" (``Issue.more``), placed after the last one kept.
    """

    def __init__(self, per_kind: int = ISSUES_PER_KIND, kinds_per_column: int = KINDS_PER_COLUMN) -> None:
        self.per_kind = per_kind
        self.kinds_per_column = kinds_per_column
        self._kinds: dict[str | None, set[str]] = {}
        self._kept: dict[tuple[str | None, str], int] = {}
        self._more: dict[tuple[str | None, str], int] = {}
        self._cache: dict[tuple[str | None, str], tuple[str | None, str]] = {}

    def _key(self, column: str | None, reason: str) -> tuple[str | None, str]:
        kind = reason_kind(reason)
        kinds = self._kinds.setdefault(column, set())
        if kind not in kinds:
            if len(kinds) >= self.kinds_per_column:
                return column, OTHER_KIND
            kinds.add(kind)
        return column, kind

    def admit(self, column: str | None, reason: str) -> bool:
        """Whether a problem at ``column`` (its header) is to be kept; if not, it is counted."""
        key = self._cache.get((column, reason))
        if key is None:
            key = self._key(column, reason)
            if len(self._cache) < KEY_CACHE:  # reasons quoting ids differ per row: a bounded cache
                self._cache[(column, reason)] = key
        kept = self._kept.get(key, 0)
        if kept < self.per_kind:
            self._kept[key] = kept + 1
            return True
        self._more[key] = self._more.get(key, 0) + 1
        return False

    @property
    def counted(self) -> int:
        """Problems counted but not kept."""
        return sum(self._more.values())

    def listed(self, file: str, issues: Sequence[Issue]) -> list[Issue]:
        """``issues`` (the kept ones of this file, in order) with a count after the last of each full kind."""
        if not self._more:
            return [issue for issue in issues if issue is not COUNTED]
        last: dict[tuple[str | None, str], int] = {}
        kept = [issue for issue in issues if issue is not COUNTED]
        for position, issue in enumerate(kept):
            key = self._key(issue.column, issue.reason)
            if key in self._more:
                last[key] = position
        after: dict[int, list[Issue]] = {}
        for key, more in self._more.items():
            after.setdefault(last.get(key, len(kept) - 1), []).append(_more_issue(file, key, more))
        out: list[Issue] = []
        for position, issue in enumerate(kept):
            out.append(issue)
            out.extend(after.get(position, ()))
        out.extend(after.get(-1, ()))
        return out


def _more_issue(file: str, key: tuple[str | None, str], more: int) -> Issue:
    column, kind = key
    if kind == OTHER_KIND:
        reason = f"and {more:,} more problems of other kinds in this column"
        reason_zh = f"此列另有 {more:,} 处其他问题"
    else:
        reason = f"and {more:,} more like this"
        reason_zh = f"另有 {more:,} 处同类问题"
    return Issue(
        file=file, row=None, column=column, value=None, reason=reason, reason_zh=reason_zh, more=more
    )

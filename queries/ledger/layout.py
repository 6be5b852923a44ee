"""One description of a printable ledger (台账), rendered both to XLSX and to PDF.

A ``Book`` is a list of ``Sheet``: a title and the line under it (area, indicator, date), the
columns, the rows. The widths are decided here once, from the text itself, so that the two
renderers agree: a column is as wide as its widest line (counted in *units*, a CJK character
being two, a Latin one one), between the column's minimum and maximum, and a sheet too wide
for A4 portrait is printed landscape. Text longer than its column wraps; ``wrap`` is the one
line breaker both renderers' row heights are computed with (the PDF renderer measures with the
font itself, the XLSX one with these units, since a spreadsheet does not size rows written by
openpyxl on its own).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

#: The signature line in every footer (填报人 the one who fills it in, 审核人 the reviewer).
SIGNATURE = "填报人：__________    审核人：__________"

#: How many units fit across the printable width of A4 at the ledgers' font size (9 pt on
#: 190 mm portrait, 277 mm landscape, 10 mm margins): a sheet wider than portrait's turns.
PORTRAIT_UNITS = 118
LANDSCAPE_UNITS = 172
#: The padding a cell keeps on each side, in units, counted into its width.
CELL_PADDING = 2
#: A column this narrow (padding included) keeps its natural width when a sheet is fitted.
SHORT = 16

Value = str | int | float | None


@dataclass(frozen=True)
class Column:
    """One column: its header, its width bounds in units, and how its values are shown."""

    header: str
    min_units: int = 4
    max_units: int = 40
    fmt: str = "text"  # text, int, percent

    def show(self, value: Value) -> str:
        """The value as printed (the PDF, and the width computation for both)."""
        if value is None:
            return ""
        if self.fmt == "percent" and isinstance(value, int | float):
            return f"{value:.1%}"
        return str(value)


@dataclass(frozen=True)
class Sheet:
    """One table of a ledger: title, subtitle, columns and rows (a value per column)."""

    name: str  # the XLSX sheet name (31 characters at most, unique in the book)
    title: str
    subtitle: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    day: date | None = None  # the day the ledger is about: in the footer

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"row {i} of sheet {self.name!r} has {len(row)} values for {len(self.columns)} columns")

    @cached_property
    def natural_widths(self) -> tuple[float, ...]:
        """Each column's width in units, padding included: its widest line, within its bounds."""
        out = []
        for i, col in enumerate(self.columns):
            widest = max(
                [longest_line(col.header)] + [longest_line(col.show(row[i])) for row in self.rows], default=0
            )
            out.append(min(max(widest, col.min_units), col.max_units) + CELL_PADDING)
        return tuple(out)

    @cached_property
    def landscape(self) -> bool:
        return sum(self.natural_widths) > PORTRAIT_UNITS

    @cached_property
    def widths(self) -> tuple[float, ...]:
        """The widths fitted to the page. When the natural ones are too wide for it, the space
        is shared in proportion to how much text each column holds per row (so that the rows
        come out as short as they can: a column of long suggestions gets more than a column of
        one short rule), none above its natural width; short columns (ids, dates, counts, up to
        ``SHORT`` units) keep theirs, so that their text stays on one line, the others at least
        their minimum."""
        natural = self.natural_widths
        target = self.page_units
        if sum(natural) <= target:
            return natural
        floors = [w if w <= SHORT else min(c.min_units + CELL_PADDING, w) for c, w in zip(self.columns, natural, strict=True)]
        if sum(floors) > target:  # too many short columns to keep each on one line
            floors = [min(c.min_units + CELL_PADDING, w) for c, w in zip(self.columns, natural, strict=True)]
        volume = [
            max(sum(text_units(col.show(row[i])) for row in self.rows) / max(len(self.rows), 1), 1.0)
            for i, col in enumerate(self.columns)
        ]
        fixed: dict[int, float] = {}
        while True:  # clamp the columns whose share falls outside their bounds, share the rest again
            free = [i for i in range(len(natural)) if i not in fixed]
            room = target - sum(fixed.values())
            weight = sum(volume[i] for i in free)
            share = {i: room * volume[i] / weight for i in free} if weight > 0 else {}
            clamped = {i: min(max(w, floors[i]), natural[i]) for i, w in share.items() if not floors[i] <= w <= natural[i]}
            if not clamped:
                return tuple(fixed.get(i, share.get(i, 0.0)) for i in range(len(natural)))
            fixed.update(clamped)

    @cached_property
    def page_units(self) -> int:
        return LANDSCAPE_UNITS if self.landscape else PORTRAIT_UNITS

    def texts(self, row: Sequence[Value]) -> list[str]:
        return [col.show(v) for col, v in zip(self.columns, row, strict=True)]


@dataclass(frozen=True)
class Book:
    """The sheets of one export, printed one after the other."""

    sheets: tuple[Sheet, ...]


#: A narrow (Latin, digit) character's width in units: a little over half a CJK character, as
#: the Latin glyphs of CJK fonts (WenQuanYi, Noto Sans CJK) run, so that ids and dates fit.
NARROW = 1.1


def char_units(ch: str) -> float:
    """2 for a wide (CJK, full-width) character, 0 for a combining one, else ``NARROW``."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else NARROW


def text_units(text: str) -> float:
    return sum(char_units(ch) for ch in text)


def longest_line(text: str) -> float:
    return max((text_units(line) for line in text.split("\n")), default=0)


def wrap(text: str, units: float) -> list[str]:
    """``text`` broken into lines of at most ``units`` units: at its own line feeds, then
    between CJK characters anywhere and between Latin words at spaces (a word longer than a
    line is cut). Never returns fewer lines than a spreadsheet's word wrap would need, so that
    row heights computed from it leave no text hidden."""
    units = max(units, 2)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, width = "", 0.0
        for token in _tokens(paragraph):
            w = text_units(token)
            if width + w <= units:
                line, width = line + token, width + w
                continue
            if line.strip():
                lines.append(line.rstrip())
            line, width = "", 0.0
            token = token.lstrip(" ")
            while text_units(token) > units:  # a word wider than the line: cut it
                cut, cw = "", 0.0
                for ch in token:
                    if cw + char_units(ch) > units:
                        break
                    cut, cw = cut + ch, cw + char_units(ch)
                lines.append(cut)
                token = token[len(cut) :]
            line, width = token, text_units(token)
        lines.append(line.rstrip())
    return lines


def _tokens(paragraph: str) -> list[str]:
    """Breakable pieces: each wide character alone, a run of narrow ones with its leading spaces."""
    out: list[str] = []
    run = ""
    for ch in paragraph:
        if char_units(ch) == 2:
            if run:
                out.append(run)
                run = ""
            out.append(ch)
        elif ch == " " and run.strip():
            out.append(run)
            run = ch
        else:
            run += ch
    if run:
        out.append(run)
    return out

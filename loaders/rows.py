"""One input row on its way through validation: raw cells, typed values, its problems.

``convert_rows`` converts every cell of every table (``loaders.convert``; ids and references
normalized there), checks required cells, refuses the template's sample rows and references
to them (``loaders.template``), checks the ``since <= until`` order of a row's dates, and
records each problem as an Issue on the row, masked by column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from graph.declare import Column, FieldType, NodeKind
from graph.errors import Issue
from graph.model import SINCE, UNTIL
from graph.model import table as table_kind
from loaders.convert import CellProblem, convert
from loaders.issues import COUNTED, cell_issue
from loaders.names import TableKind, columns_of
from loaders.read import RawRow, RawTable
from loaders.template import is_sample_id, sample_column, sample_reason, sample_ref_reason

Progress = Callable[[str, int, int], None]
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""A whole number outside these cannot be stored (Neo4j's integers are 64-bit)."""


@dataclass
class RowItem:
    table: RawTable
    row: RawRow
    values: dict[str, object] = field(default_factory=dict)
    """Typed values by column name; an empty or unconvertible cell is absent."""
    failed: set[str] = field(default_factory=set)
    """Columns whose cell is present but could not be converted."""
    issues: list[Issue] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)
    """The base label each resolved REF column points at."""
    node_id: str | None = None
    """The id this row defines, when it is a node row with a usable id."""
    ref_cells: list[tuple[Column, str]] = field(default_factory=list)
    """The REF columns of this row that hold a usable id, with that id."""
    key: str | None = None
    """A relationship-table row's ``_key``, once ``loaders.rules`` has computed it."""
    sample: bool = False
    """A template's sample row: reported once as such, and no rule is checked on it."""

    @property
    def kind(self) -> TableKind:
        return self.table.kind

    @property
    def where(self) -> str:
        return f"{self.table.file} row {self.row.number}"

    @property
    def where_zh(self) -> str:
        return f"{self.table.file} 第{self.row.number}行"

    def refs(self) -> list[tuple[Column, str]]:
        """The REF columns of this row that hold a usable id, with that id."""
        return self.ref_cells

    def issue(self, column: Column | None, reason: str, reason_zh: str) -> Issue:
        """An Issue about this row (at ``column``, quoting its raw cell, masked)."""
        raw = None if column is None else self.row.cells.get(column.name)
        header = None if column is None else self.table.header(column)
        return cell_issue(self.table.file, self.row.number, header, column, raw, reason, reason_zh)

    def add_issue(self, column: Column | None, reason: str, reason_zh: str) -> None:
        """Record a problem that makes this row invalid (kept, or only counted past the table's cap)."""
        header = None if column is None else self.table.header(column)
        if self.table.cap.admit(header, reason):
            self.issues.append(self.issue(column, reason, reason_zh))
        else:
            self.issues.append(COUNTED)


def convert_rows(tables: Sequence[RawTable], progress: Progress | None = None) -> list[RowItem]:
    total = sum(len(t.rows) for t in tables)
    items: list[RowItem] = []
    for table in tables:
        for row in table.rows:
            items.append(convert_row(table, row))
            if progress is not None and (len(items) % 1000 == 0 or len(items) == total):
                progress("validate", len(items), total)
    return items


def convert_row(table: RawTable, row: RawRow) -> RowItem:
    item = RowItem(table, row)
    id_columns = _id_columns(table.kind.table)
    sample = sample_column(table.kind, row.cells)
    if sample is not None:  # never data: one issue for the row, nothing else about it
        item.failed.add(sample.name)
        item.sample = True
        item.add_issue(sample, *sample_reason(row.number))
        return item
    for column in columns_of(table.kind):
        if column.name not in table.headers:
            continue  # a missing column is one Issue about the header, not one per row
        if row.problems is not None and column.name in row.problems:
            item.failed.add(column.name)  # the reader could not take the cell as it is (too long, ...)
            item.add_issue(column, *row.problems[column.name])
            continue
        try:
            value = convert(column, row.cells.get(column.name), identifier=column.name in id_columns)
        except CellProblem as problem:
            item.failed.add(column.name)
            item.add_issue(column, problem.reason, problem.reason_zh)
            continue
        if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
            item.failed.add(column.name)
            item.add_issue(column, "a number too large to store", "数字过大，无法存储")
            continue
        if value is None:
            if column.required:
                item.add_issue(column, "required value missing", "必填项为空")
            continue
        if column.type is FieldType.REF and is_sample_id(str(value)):
            item.failed.add(column.name)
            item.add_issue(column, *sample_ref_reason(str(value)))
            continue
        item.values[column.name] = value
        if column.type is FieldType.REF:
            item.ref_cells.append((column, str(value)))
    kind = table.kind
    if isinstance(kind, NodeKind):
        node_id = item.values.get(kind.id_column.name)
        item.node_id = node_id if isinstance(node_id, str) else None
    _check_dates_in_order(item)
    return item


@cache
def _id_columns(table_name: str) -> frozenset[str]:
    kind = table_kind(table_name)
    names = {c.name for c in columns_of(kind) if c.type is FieldType.REF}
    if isinstance(kind, NodeKind):
        names.add(kind.id_column.name)
    return frozenset(names)


def _check_dates_in_order(item: RowItem) -> None:
    since, until = item.values.get(SINCE.name), item.values.get(UNTIL.name)
    if since is not None and until is not None and since > until:  # type: ignore[operator]
        column = next(c for c in columns_of(item.kind) if c.name == UNTIL.name)
        item.add_issue(column, f"ends before it starts (since {since})", f"终止日期早于起始日期（{since}）")

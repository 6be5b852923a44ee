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
from loaders.issues import COUNTED, Cell, cell_issue
from loaders.names import TableKind, columns_of
from loaders.read import RawRow, RawTable
from loaders.template import is_sample_id, sample_column, sample_reason, sample_ref_reason

Progress = Callable[[str, int, int], None]
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""A whole number outside these cannot be stored (Neo4j's integers are 64-bit)."""


@dataclass(slots=True)
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

    kind: TableKind = field(init=False)
    """The row's table kind (``table.kind``), looked up on every rule."""

    def __post_init__(self) -> None:
        self.kind = self.table.kind

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
        plan = TablePlan(table)  # worked out once per table, with its caches of cell outcomes
        for row in table.rows:
            items.append(convert_row(table, row, plan))
            if progress is not None and (len(items) % 1000 == 0 or len(items) == total):
                progress("validate", len(items), total)
    return items


class _Problem:
    """A cell's conversion failed: the reason, as ``CellProblem`` gives it (kept in a cache)."""

    __slots__ = ("reason", "reason_zh")

    def __init__(self, reason: str, reason_zh: str) -> None:
        self.reason, self.reason_zh = reason, reason_zh


def cell_outcome(column: Column, raw: Cell, identifier: bool) -> object:
    """The typed value of one cell, ``None`` for an empty one, or a ``_Problem``: a pure function
    of the column and the raw value, so that a table may cache it per distinct value."""
    try:
        value = convert(column, raw, identifier=identifier)
    except CellProblem as problem:
        return _Problem(problem.reason, problem.reason_zh)
    if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
        return _Problem("a number too large to store", "数字过大，无法存储")
    if value is not None and column.type is FieldType.REF and is_sample_id(str(value)):
        return _Problem(*sample_ref_reason(str(value)))
    return value


_UNCACHED = frozenset({FieldType.STR, FieldType.ID_NUMBER, FieldType.PHONE, FieldType.CREDIT_CODE})
"""Types whose values rarely repeat (names, ID numbers, mobiles): a cache would only grow."""
CACHE_LIMIT = 100_000
"""Distinct values cached per column; past it, further new values are converted each time."""


def outcomes(column: Column, identifier: bool, cached: bool) -> Callable[[Cell], object]:
    """``cell_outcome`` of one column as a function of the raw cell, fast for what most cells
    hold: free text and ids of printable ASCII are taken at once (with what ``convert`` would
    give them), and other values are cached by raw text where they repeat (dates, choices,
    yes/no, references to the same building), so most cells of a large input cost one dict
    look-up. Only ``str`` cells are cached: ``1``, ``1.0`` and ``True`` are equal as keys."""
    identifier = identifier or column.type is FieldType.REF
    plain = column.type is FieldType.STR and not identifier
    ref = column.type is FieldType.REF
    memo: dict[str, object] = {}
    caching = [cached]

    def outcome(raw: Cell) -> object:
        if raw is None:  # a cell the row does not have
            return None
        if type(raw) is not str:
            return cell_outcome(column, raw, identifier)
        text = raw.strip()
        if not text:
            return None
        if plain:
            return text
        # an id or reference: normalized is itself when printable ASCII; never with "|"; a
        # reference not starting like a sample id ("SAMPLE-", "示例-") is not one
        if identifier and text.isascii() and text.isprintable() and "|" not in text and (not ref or text[0] not in "sS"):
            return text
        if not caching[0]:
            return cell_outcome(column, raw, identifier)
        try:
            return memo[raw]
        except KeyError:
            value = memo[raw] = cell_outcome(column, raw, identifier)
            if len(memo) >= CACHE_LIMIT:
                caching[0] = False
                memo.clear()
            return value

    return outcome


class TablePlan:
    """What converting the rows of one table needs, worked out once: the columns its header
    has, in declaration order, each with its cached converter; the cells that make a sample row."""

    def __init__(self, table: RawTable) -> None:
        kind = table.kind
        self.kind = kind
        self.first_end = (kind.id_column if isinstance(kind, NodeKind) else kind.from_column).name
        id_columns = _id_columns(kind.table)
        self.cells = [
            (
                column,
                column.name,
                column.type is FieldType.REF,
                outcomes(
                    column,
                    column.name in id_columns,
                    column.type not in _UNCACHED and not (isinstance(kind, NodeKind) and column is kind.id_column),
                ),
            )
            for column in columns_of(kind)
            if column.name in table.headers
        ]

    def sample_column(self, cells: dict[str, Cell]) -> Column | None:
        """``template.sample_column``, with the common answer at once: a row whose id (or
        from-end) starts with a visible ASCII character other than ``s`` is not a sample."""
        first = cells.get(self.first_end)
        if type(first) is str:
            c = first[:1]  # "" is "in" every string: an empty cell takes the long way
            if c.isascii() and c.isprintable() and not c.isspace() and c not in "sS":
                return None
        return sample_column(self.kind, cells)


def convert_row(table: RawTable, row: RawRow, plan: TablePlan | None = None) -> RowItem:
    item = RowItem(table, row)
    plan = plan or TablePlan(table)
    sample = plan.sample_column(row.cells)
    if sample is not None:  # never data: one issue for the row, nothing else about it
        item.failed.add(sample.name)
        item.sample = True
        item.add_issue(sample, *sample_reason(row.number))
        return item
    cells, problems, values, refs = row.cells, row.problems, item.values, item.ref_cells
    for column, name, is_ref, outcome_of in plan.cells:
        if problems is not None and name in problems:
            item.failed.add(name)  # the reader could not take the cell as it is (too long, ...)
            item.add_issue(column, *problems[name])
            continue
        value = outcome_of(cells.get(name))
        if value is None:
            if column.required:
                item.add_issue(column, "required value missing", "必填项为空")
        elif type(value) is _Problem:
            item.failed.add(name)
            item.add_issue(column, value.reason, value.reason_zh)
        else:
            values[name] = value
            if is_ref:
                refs.append((column, str(value)))
    kind = table.kind
    if isinstance(kind, NodeKind):
        node_id = values.get(kind.id_column.name)
        item.node_id = node_id if isinstance(node_id, str) else None
    if SINCE.name in values and UNTIL.name in values:
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

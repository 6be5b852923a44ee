"""Step 2 of a load (transform): validate the whole input and turn its valid rows into records.

Each cell is converted by its column's declaration (``loaders.convert``); then, across all
rows: ids are unique across every node table (and not held by another kind of node in the
store), REF cells resolve to a node of an allowed label in the input or the store, and the
declared rules hold (``loaders.rules``). Every problem becomes an Issue, all of them at once.

The records are those of the rows that can be loaded: all of them for a fully valid input;
with problems, the valid rows that do not depend on an invalid one (what ``accept_valid``
loads).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from graph.errors import Issue
from graph.records import NodeRecord, RelRecord
from graph.store import Store
from loaders.build import RecordKey, build_records, keep_valid
from loaders.collector import collector_paused
from loaders.lookup import StoreLookup
from loaders.read import RawTable
from loaders.refs import check_store_clashes, index_ids, resolve_refs
from loaders.rows import RowItem, convert_rows
from loaders.rules import check_rules

Progress = Callable[[str, int, int], None]
Place = tuple[str, int, str]
"""(file, row, column header) of a cell."""


@dataclass
class Validated:
    nodes: list[NodeRecord] = field(default_factory=list)
    rels: list[RelRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    """Every problem with a row, in file and row order."""
    skipped: list[Issue] = field(default_factory=list)
    """Valid rows that cannot be loaded because a row they depend on is invalid."""
    rows: int = 0
    tables: set[str] = field(default_factory=set)
    """The tables the input has rows for (what prune may delete from)."""
    store_refs: dict[str, list[Place]] = field(default_factory=dict)
    """Ids referred to by kept rows that only the store holds, with where they are referred to."""
    row_of: dict[RecordKey, RowItem] = field(default_factory=dict)
    """The row each record comes from (``loaders.build.Built.rows``)."""


def validate(
    tables: Sequence[RawTable],
    *,
    source: str,
    store: Store | None = None,
    progress: Progress | None = None,
) -> Validated:
    """Validate ``tables`` (against ``store`` when given) and build the records of ``source``."""
    with collector_paused():
        return _validate(tables, source, store, progress)


def _validate(tables: Sequence[RawTable], source: str, store: Store | None, progress: Progress | None) -> Validated:
    lookup = StoreLookup(store)
    items = convert_rows(tables, progress)
    index = index_ids(items)
    check_store_clashes(index, lookup)
    resolve_refs(items, index, lookup)
    check_rules(items, index, lookup)
    kept = keep_valid(items, index)
    built = build_records(kept.rows, source)
    return Validated(
        nodes=built.nodes,
        rels=built.rels,
        row_of=built.rows,
        issues=listed_issues(items),
        skipped=kept.skipped,
        rows=len(items),
        tables={t.kind.table for t in tables if t.rows},
        store_refs=_store_refs(kept.rows, set(index.first)),
    )


def listed_issues(items: Sequence[RowItem]) -> list[Issue]:
    """The Issues of ``items`` in file and row order, each table's counted ones summed up.

    Past its cap a table records only a count per column and kind (``loaders.issues.IssueCap``);
    that count follows the last Issue kept of its kind ("and 199,980 more like this").
    """
    out: list[Issue] = []
    for _, group in groupby(items, key=lambda item: id(item.table)):
        rows = list(group)
        table = rows[0].table
        out.extend(table.cap.listed(table.file, [issue for item in rows for issue in item.issues]))
    return out


def _store_refs(rows: Sequence[RowItem], input_ids: set[str]) -> dict[str, list[Place]]:
    out: dict[str, list[Place]] = defaultdict(list)
    for item in rows:
        for column, target in item.refs():
            if target not in input_ids:
                out[target].append((item.table.file, item.row.number, item.table.header(column)))
    return dict(out)

"""Writing through the loaders: rows -> validate -> diff -> one WriteBatch -> the store.

A mutation builds input rows (one per table row, column names as in docs/data-format.md) and
hands them here; the loaders validate them exactly as a file upload (types, ID numbers,
phones, references, the model's rules), compare them with the store and write one atomic
batch, so a mutation is all or nothing and the same rows twice write nothing (idempotent).
Rows carry the source ``app:<user>`` (``graph.provenance``): an item the app creates belongs
to that user, never to a file source, so no ``--prune`` deletes it; an item a file loaded keeps
its owner and remembers what the file loaded, so that the next load of that file keeps the
app's change instead of silently putting the old row back (``loaders.merge``).
Mutations of one process are serialised, and every write is checked against the store version
the diff was planned on, so that a diff is never overtaken by another write, from this
process or another (a load, another server worker): the mutation then plans again.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.errors import StoreConflict, StoreError, ValidationFailed
from graph.model import table
from graph.provenance import app_source
from graph.store import Store
from loaders.diff import plan_changes
from loaders.names import columns_of
from loaders.read import RawRow, RawTable
from loaders.summary import LoadSummary
from loaders.validate import validate

_LOCK = threading.Lock()
ATTEMPTS = 5
"""How often a mutation plans again after another writer committed first."""

Row = tuple[str, Mapping[str, Any]]
"""(table name, cells by column name); a missing or None cell is empty."""


@dataclass(frozen=True)
class Written:
    created: int
    updated: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _tables(rows: Sequence[Row]) -> list[RawTable]:
    grouped: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for name, cells in rows:
        grouped[name].append(cells)
    out = []
    for name, cell_rows in grouped.items():
        kind = table(name)
        headers = {c.name: c.name for c in columns_of(kind)}
        raw = [
            RawRow(i + 2, {k: _cell(v) for k, v in cells.items() if v is not None})
            for i, cells in enumerate(cell_rows)
        ]
        out.append(RawTable(kind, f"api:{name}", headers, raw))
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def apply_rows(store: Store, rows: Sequence[Row], user: str) -> Written:
    """Validate and write ``rows`` in one batch as ``user``; ``ValidationFailed`` (nothing
    written) otherwise."""
    source = app_source(user)
    with _LOCK:
        for attempt in range(ATTEMPTS):
            version = store.version()
            validated = validate(_tables(rows), source=source, store=store)
            if validated.issues:
                raise ValidationFailed(validated.issues)
            summary = LoadSummary(source=source, path="api", rows=validated.rows)
            batch = plan_changes(store, validated, summary, source=source, prune=False)
            try:
                store.write(batch, expect_version=version)
                break
            except StoreConflict:
                if attempt == ATTEMPTS - 1:
                    raise
    total = summary.total
    return Written(total.created, total.updated, total.unchanged)


__all__ = ["StoreError", "ValidationFailed", "Written", "apply_rows"]

"""One streaming CSV writer per table of ``graph.model.TABLES``, in the loaders' input format.

Headers are the Chinese ``Column.zh`` (or the English ``Column.name``), enum cells their
Chinese spelling, booleans 是/否, dates ``YYYY-MM-DD``, absent values empty.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

from graph import model
from graph.declare import Column, FieldType, NodeKind, RelKind


def table_columns(kind: NodeKind | RelKind) -> tuple[Column, ...]:
    return kind.columns if isinstance(kind, NodeKind) else kind.all_columns


def _formatter(col: Column):  # type: ignore[no-untyped-def]
    if col.type is FieldType.ENUM:
        zh = {c.code: c.zh for c in col.choices}

        def enum(v: Any) -> str:
            return "" if v is None else zh[v]

        return enum
    if col.type is FieldType.BOOL:
        return lambda v: "" if v is None else ("是" if v else "否")
    if col.type is FieldType.DATE:
        return lambda v: "" if v is None else v.isoformat()
    if col.type is FieldType.INT:
        return lambda v: "" if v is None else str(v)
    return lambda v: "" if v is None else v


class TableWriter:
    """Rows of one table, written as they come; values are given by column name (codes for enums)."""

    def __init__(self, kind: NodeKind | RelKind, fh: IO[str], headers: str) -> None:
        self.kind = kind
        self.columns = table_columns(kind)
        self._names = tuple(c.name for c in self.columns)
        self._known = frozenset(self._names)
        self._fmt = tuple(_formatter(c) for c in self.columns)
        self._csv = csv.writer(fh, lineterminator="\n")
        self._csv.writerow([c.zh if headers == "zh" else c.name for c in self.columns])
        self.count = 0

    def row(self, **values: Any) -> None:
        if not self._known.issuperset(values):
            unknown = values.keys() - self._known
            raise KeyError(f"{self.kind.table} has no column(s) {sorted(unknown)}")
        self._csv.writerow([f(values.get(n)) for n, f in zip(self._names, self._fmt, strict=True)])
        self.count += 1


class Output:
    """Every table's writer; ``out.<table>.row(...)``. Close to flush."""

    def __init__(self, out: Path, headers: str) -> None:
        if headers not in ("zh", "en"):
            raise ValueError("headers must be 'zh' or 'en'")
        out.mkdir(parents=True, exist_ok=True)
        self._files: list[IO[str]] = []
        self.writers: dict[str, TableWriter] = {}
        for kind in model.TABLES:
            fh = (out / f"{kind.table}.csv").open("w", encoding="utf-8", newline="")
            self._files.append(fh)
            self.writers[kind.table] = TableWriter(kind, fh, headers)

    def __getattr__(self, table: str) -> TableWriter:
        try:
            writer: TableWriter = self.__dict__["writers"][table]
            return writer
        except KeyError:
            raise AttributeError(table) from None

    def counts(self) -> dict[str, int]:
        return {name: w.count for name, w in self.writers.items()}

    def close(self) -> None:
        for fh in self._files:
            fh.close()

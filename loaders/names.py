"""How input files, sheets and headers are matched to the declared tables and columns.

A table is named by its English table name (``buildings``) or its Chinese name (``楼栋``); a
column by its English name (``compound_id``) or its Chinese header (``所属小区``). English
matches ignore case; full-width parentheses and surrounding spaces are ignored everywhere,
so ``县（市、区）`` finds the same table as ``县(市、区)``.
"""

from __future__ import annotations

from graph.declare import Column, NodeKind, RelKind
from graph.model import TABLES

TableKind = NodeKind | RelKind

_FULL_WIDTH = str.maketrans({"（": "(", "）": ")", "\ufeff": None, "\u3000": " "})


def normalize_name(text: str) -> str:
    """``text`` as compared with declared names: trimmed, half-width parentheses, lower case."""
    return text.translate(_FULL_WIDTH).strip().lower()


def columns_of(kind: TableKind) -> tuple[Column, ...]:
    """Every input column of a table, in declaration order."""
    return kind.columns if isinstance(kind, NodeKind) else kind.all_columns


def table_named(name: str) -> TableKind | None:
    """The table whose English or Chinese name is ``name``, if any."""
    wanted = normalize_name(name)
    for kind in TABLES:
        if wanted in (kind.table.lower(), normalize_name(kind.zh)):
            return kind
    return None


def column_named(kind: TableKind, header: str) -> Column | None:
    """The column of ``kind`` whose English name or Chinese header is ``header``, if any."""
    wanted = normalize_name(header)
    for column in columns_of(kind):
        if wanted in (column.name.lower(), normalize_name(column.zh)):
            return column
    return None


def table_names() -> str:
    """Every accepted table name, for messages: ``buildings (楼栋), ...``."""
    return ", ".join(f"{kind.table} ({kind.zh})" for kind in TABLES)


def any_of(labels: tuple[str, ...] | list[str]) -> str:
    """``labels`` in a sentence with their article: ``an Entrance``, ``a Compound or Grid``."""
    text = " or ".join(labels)
    return ("an " if text[:1] in ("A", "E", "I", "O", "U") else "a ") + text

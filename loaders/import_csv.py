"""Records as the CSV files of ``neo4j-admin database import full``.

Shared by ``gongzhi load --bulk`` (loaders/bulk.py) and the bench's yardstick
(bench/admin_import.py), so that both hand the tool the very same files.

The tool's format: a typed header per file (``id:ID``, ``name:string``, ``born:date``,
``:LABEL``; ``:START_ID``, ``:END_ID``, ``:TYPE``), one file per label set and one per
relationship type. What the files hold is what an online load stores (graph/neo4j_cypher.py):
a node's properties and its ``id``; a relationship's properties and its ``_key``; the meta
properties (``_source``, ``_hash``) inside the records' ``props`` as ``loaders.diff`` made them.

Why the details are as they are:

* An empty unquoted field is "no value" to the tool; an absent property is written so. An
  empty string cannot be told apart from it and never occurs (cells are stripped and empty
  cells are absent), so one is refused rather than silently dropped.
* A value with a line break is quoted by ``csv`` and needs the tool's ``--multiline-fields``
  (slower), so the files say whether they need it.
* Node ids are one id space (``loaders.validate`` keeps them unique across the graph); extra
  nodes of the store's own bookkeeping (the version node) go into an id group of their own,
  so that their ids can never meet a model id.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.declare import KEY_PROPERTY
from graph.records import NodeRecord, RelRecord

ARRAY_DELIMITER = ";"


@dataclass
class ImportFiles:
    """The files written, in the order the tool takes them, and what they hold."""

    nodes: list[Path] = field(default_factory=list)
    rels: list[Path] = field(default_factory=list)
    node_count: int = 0
    rel_count: int = 0
    multiline: bool = False

    def arguments(self) -> list[str]:
        """The tool's options naming the files and how to read them."""
        return [
            *(f"--nodes={p}" for p in self.nodes),
            *(f"--relationships={p}" for p in self.rels),
            f"--array-delimiter={ARRAY_DELIMITER}",
            f"--multiline-fields={'true' if self.multiline else 'false'}",
        ]


@dataclass(frozen=True)
class GroupedNode:
    """A node outside the model's id space (e.g. the version node): its own id group."""

    group: str
    labels: tuple[str, ...]
    props: dict[str, Any]


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, dt.datetime):
        raise TypeError("datetime properties are not in the model")
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple | set | frozenset):
        inner = {_type_of(v) for v in value} or {"string"}
        if len(inner) != 1:
            raise TypeError(f"mixed list {value!r}")
        return inner.pop() + "[]"
    raise TypeError(f"no import type for {type(value).__name__}")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ARRAY_DELIMITER.join(_cell(v) for v in value)
    if isinstance(value, set | frozenset):
        return ARRAY_DELIMITER.join(_cell(v) for v in sorted(value))
    if value == "":
        raise ValueError("an empty string property cannot be told from an absent one in the import format")
    return str(value)


def _header(items: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(property, import type) of every property the items carry, in a stable order."""
    types: dict[str, str] = {}
    for props in items:
        for k, v in props.items():
            if v is None:
                continue
            t = _type_of(v)
            if types.setdefault(k, t) != t:
                raise TypeError(f"property {k!r} has two types: {types[k]} and {t}")
    return sorted(types.items())


def _converter(import_type: str) -> Callable[[Any], str]:
    """How the values of one typed column become cells (``_cell`` for the general case)."""
    if import_type == "string":
        return _string_cell
    if import_type == "long":
        return lambda v: "" if v is None else str(v)
    return _cell


def _string_cell(value: Any) -> str:
    if value is None:
        return ""
    if value == "":
        return _cell(value)  # refused there
    return str(value)


def _write(path: Path, header: list[str], rows: Iterable[list[str]]) -> bool:
    """One CSV file; whether a cell holds a line break (the tool then needs multi-line mode)."""
    multiline = False
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            if not multiline:
                multiline = any("\n" in c or "\r" in c for c in row)
            w.writerow(row)
    return multiline


def write_import_csvs(
    nodes: Sequence[NodeRecord],
    rels: Sequence[RelRecord],
    out: Path,
    extra_nodes: Sequence[GroupedNode] = (),
) -> ImportFiles:
    """The records as the import tool's CSV files in ``out``: one per label set, one per type."""
    out.mkdir(parents=True, exist_ok=True)
    files = ImportFiles(node_count=len(nodes) + len(extra_nodes), rel_count=len(rels))
    by_labels: dict[tuple[str, ...], list[NodeRecord]] = defaultdict(list)
    for n in nodes:
        by_labels[tuple(sorted(n.labels))].append(n)
    for i, (labels, group) in enumerate(sorted(by_labels.items())):
        cols = [(k, t) for k, t in _header(n.props for n in group) if k != "id"]
        cells = [(k, _converter(t)) for k, t in cols]
        label_cell = ARRAY_DELIMITER.join(labels)
        path = out / f"nodes-{i:02d}-{'_'.join(labels)}.csv"
        files.multiline |= _write(
            path,
            ["id:ID", *(f"{k}:{t}" for k, t in cols), ":LABEL"],
            ([n.id, *[conv(n.props.get(k)) for k, conv in cells], label_cell] for n in group),
        )
        files.nodes.append(path)
    for i, extra in enumerate(extra_nodes):
        cols = [(k, t) for k, t in _header([extra.props]) if k != "id"]
        path = out / f"meta-{i:02d}-{extra.group}.csv"
        files.multiline |= _write(
            path,
            [f"id:ID({extra.group})", *(f"{k}:{t}" for k, t in cols), ":LABEL"],
            [[_cell(extra.props["id"]), *(_cell(extra.props.get(k)) for k, _ in cols), ARRAY_DELIMITER.join(extra.labels)]],
        )
        files.nodes.append(path)
    by_type: dict[str, list[RelRecord]] = defaultdict(list)
    for r in rels:
        by_type[r.type].append(r)
    for rel_type, rel_group in sorted(by_type.items()):
        rel_cols = sorted({*_header(r.props for r in rel_group), (KEY_PROPERTY, "string")})
        rel_cells = [(k, _converter(t)) for k, t in rel_cols]
        path = out / f"rels-{rel_type}.csv"
        files.multiline |= _write(
            path,
            [":START_ID", ":END_ID", *(f"{k}:{t}" for k, t in rel_cols), ":TYPE"],
            (
                [r.from_id, r.to_id, *[r.key if k == KEY_PROPERTY else conv(r.props.get(k)) for k, conv in rel_cells], rel_type]
                for r in rel_group
            ),
        )
        files.rels.append(path)
    return files

"""Figure 1's yardstick: ``neo4j-admin database import full`` on the same data.

The import tool is the fastest way into Neo4j there is: it writes the store files directly,
offline, with no transactions, no constraint checks while writing and no indexes. It is
what our loader's throughput is compared with.

It runs from the very jars ``scripts/neo4j.sh`` fetched from Maven Central (the import tool
is part of Neo4j Community: ``org.neo4j.cli.AdminTool``), with a temporary ``NEO4J_HOME``
whose data directory is a temporary folder, into a database of its own (``benchimport``):
the running server and its database are not touched.

The tool takes its own CSV format (typed headers, ``:ID``/``:START_ID``/``:END_ID``/``:TYPE``/
``:LABEL`` columns), so the input is first read and validated by our loader's own steps and
its records written in that format: the same nodes, labels, relationships and properties
our loader writes. That conversion is timed separately and not charged to the tool; the
tool's time is its whole process, JVM start included, as an operator would run it.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.machine import ROOT

DATABASE = "benchimport"
ARRAY_DELIMITER = ";"


@dataclass
class AdminImportResult:
    rows: int = 0
    nodes: int = 0
    rels: int = 0
    convert_seconds: float | None = None
    seconds: float | None = None
    imported_nodes: int | None = None
    imported_rels: int | None = None
    peak_memory: str | None = None
    command: str = ""
    error: str | None = None


def neo4j_lib() -> Path:
    """The jars' folder (fetched once by ``scripts/neo4j.sh lib``)."""
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "neo4j.sh"), "lib"], check=True, capture_output=True, text=True
    )
    return Path(out.stdout.strip().splitlines()[-1])


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
    if isinstance(value, list | tuple | set | frozenset):
        return ARRAY_DELIMITER.join(_cell(v) for v in sorted(value))
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


def write_import_csvs(nodes: list[Any], rels: list[Any], out: Path) -> tuple[list[Path], list[Path]]:
    """The records as the import tool's CSV files: one per label set and one per type."""
    out.mkdir(parents=True, exist_ok=True)
    node_files: list[Path] = []
    by_labels: dict[tuple[str, ...], list[Any]] = defaultdict(list)
    for n in nodes:
        by_labels[tuple(sorted(n.labels))].append(n)
    for i, (labels, group) in enumerate(sorted(by_labels.items())):
        cols = [(k, t) for k, t in _header(n.props for n in group) if k != "id"]
        path = out / f"nodes-{i:02d}-{'_'.join(labels)}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id:ID", *(f"{k}:{t}" for k, t in cols), ":LABEL"])
            label_cell = ";".join(labels)
            for n in group:
                w.writerow([n.id, *(_cell(n.props.get(k)) for k, _ in cols), label_cell])
        node_files.append(path)
    rel_files: list[Path] = []
    by_type: dict[str, list[Any]] = defaultdict(list)
    for r in rels:
        by_type[r.type].append(r)
    for rel_type, group in sorted(by_type.items()):
        props = [{**r.props, "_key": r.key} for r in group]
        cols = _header(props)
        path = out / f"rels-{rel_type}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([":START_ID", ":END_ID", *(f"{k}:{t}" for k, t in cols), ":TYPE"])
            for r, p in zip(group, props, strict=True):
                w.writerow([r.from_id, r.to_id, *(_cell(p.get(k)) for k, _ in cols), rel_type])
        rel_files.append(path)
    return node_files, rel_files


def _imported(output: str, what: str) -> int | None:
    m = re.search(rf"^\s*(\d+) {what}\s*$", output, re.MULTILINE)
    return int(m.group(1)) if m else None


def admin_import(input_dir: Path, work: Path, heap: str = "4g") -> AdminImportResult:
    """Convert ``input_dir`` (untimed) and time the import tool on it into an empty database."""
    from loaders.read import read_input
    from loaders.validate import validate

    result = AdminImportResult()
    try:
        started = time.perf_counter()
        read = read_input(input_dir)
        validated = validate(read.tables, source=input_dir.name)
        if read.issues or validated.issues:
            raise ValueError(f"the input has {len(read.issues) + len(validated.issues)} issues")
        result.rows = validated.rows
        result.nodes, result.rels = len(validated.nodes), len(validated.rels)
        node_files, rel_files = write_import_csvs(validated.nodes, validated.rels, work / "csv")
        result.convert_seconds = time.perf_counter() - started
        del read, validated

        home = work / "home"
        (home / "conf").mkdir(parents=True, exist_ok=True)
        (home / "conf" / "neo4j.conf").write_text(
            f"server.directories.data={work / 'data'}\nserver.directories.logs={work / 'logs'}\n"
        )
        command = [
            "java",
            f"-Xmx{heap}",
            "-cp",
            f"{neo4j_lib()}/*",
            "org.neo4j.cli.AdminTool",
            "database",
            "import",
            "full",
            *(f"--nodes={p}" for p in node_files),
            *(f"--relationships={p}" for p in rel_files),
            f"--array-delimiter={ARRAY_DELIMITER}",
            "--overwrite-destination=true",
            f"--report-file={work / 'import.report'}",
            DATABASE,
        ]
        result.command = (
            f"java -Xmx{heap} -cp <neo4j lib>/* org.neo4j.cli.AdminTool database import full "
            f"--nodes=... ({len(node_files)} files) --relationships=... ({len(rel_files)} files) "
            f"--array-delimiter='{ARRAY_DELIMITER}' --overwrite-destination=true {DATABASE}"
        )
        env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
        print(f"  [admin import] {result.nodes:,} nodes, {result.rels:,} relationships ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
        result.seconds = time.perf_counter() - started
        output = done.stdout + done.stderr
        if done.returncode != 0:
            tail = " | ".join(output.strip().splitlines()[-3:])
            raise RuntimeError(f"the import tool exited with {done.returncode}: {tail}")
        result.imported_nodes = _imported(output, "nodes")
        result.imported_rels = _imported(output, "relationships")
        m = re.search(r"Peak memory usage: (\S+)", output)
        result.peak_memory = m.group(1) if m else None
        if (result.imported_nodes, result.imported_rels) != (result.nodes, result.rels):
            result.error = (
                f"the tool imported {result.imported_nodes} nodes / {result.imported_rels} relationships, "
                f"not {result.nodes} / {result.rels}"
            )
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result

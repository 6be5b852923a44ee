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

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.machine import ROOT
from loaders.import_csv import ARRAY_DELIMITER, write_import_csvs

DATABASE = "benchimport"


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


def _imported(output: str, what: str) -> int | None:
    m = re.search(rf"^\s*(\d+) {what}\s*$", output, re.MULTILINE)
    return int(m.group(1)) if m else None


def admin_import(input_dir: Path, work: Path, heap: str = "4g") -> AdminImportResult:
    """Convert ``input_dir`` (untimed) and time the import tool on it into an empty database."""
    from loaders.bulk import plan_bulk

    result = AdminImportResult()
    try:
        started = time.perf_counter()
        batch, summary = plan_bulk(input_dir)  # the records an online first load writes, meta included
        result.rows = summary.rows
        result.nodes, result.rels = len(batch.new_nodes), len(batch.new_rels)
        files = write_import_csvs(batch.new_nodes, batch.new_rels, work / "csv")
        node_files, rel_files = files.nodes, files.rels
        result.convert_seconds = time.perf_counter() - started
        del batch, summary

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
            f"--multiline-fields={'true' if files.multiline else 'false'}",
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


@dataclass
class BulkResult:
    """``gongzhi load --bulk`` as a whole against the import tool alone on the files it wrote."""

    scale: str = ""
    rows: int = 0
    nodes: int = 0
    rels: int = 0
    seconds: float | None = None  # the whole bulk load: read, validate, plan, CSVs, import, move
    plan_seconds: float | None = None
    csv_seconds: float | None = None
    tool_in_bulk_seconds: float | None = None
    tool_alone_seconds: float | None = None  # the same command on the same files, into a new home
    error: str | None = None


def _home(path: Path) -> Path:
    """A Neo4j home that was never started: a conf naming its data directory and the jars."""
    (path / "conf").mkdir(parents=True, exist_ok=True)
    (path / "conf" / "neo4j.conf").write_text(
        f"server.directories.data={path / 'data'}\nserver.directories.logs={path / 'logs'}\n"
        f"server.directories.lib={neo4j_lib()}\n"
    )
    return path


def bulk_vs_import(input_dir: Path, work: Path, scale: str) -> BulkResult:
    """Time ``loaders.bulk.bulk_load`` into a new home, then the tool alone on the files it wrote.

    Both runs are the same command (``loaders.bulk.import_files``: same flags, same heap) on
    the same files; the second runs with the files as warm in the page cache as the first
    found them (it had just written them)."""
    from graph.settings import Settings
    from loaders.bulk import bulk_load, import_files, target

    result = BulkResult(scale=scale)
    try:
        settings = Settings(GONGZHI_NEO4J_HOME=str(_home(work / "bulk-home")))  # type: ignore[call-arg]
        print(f"  [bulk load] {input_dir.name} ...", file=sys.stderr, flush=True)
        done = bulk_load(settings, input_dir, keep_csv=work / "csv")
        assert done.files is not None
        result.rows, result.nodes, result.rels = done.summary.rows, done.nodes, done.rels
        result.seconds, result.plan_seconds = done.total_seconds, done.plan_seconds
        result.csv_seconds, result.tool_in_bulk_seconds = done.csv_seconds, done.import_seconds
        alone = target(Settings(GONGZHI_NEO4J_HOME=str(_home(work / "alone-home"))))  # type: ignore[call-arg]
        print("  [import tool alone] the same files ...", file=sys.stderr, flush=True)
        result.tool_alone_seconds = import_files(alone, done.files, work / "alone-staging")
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result

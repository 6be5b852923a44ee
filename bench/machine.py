"""What the numbers were measured on: the machine, the Python, the Neo4j server, the commit."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neo4j import Driver

    from graph.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

#: Neo4j settings worth printing beside the numbers (memory bounds a load's one transaction).
NEO4J_SETTINGS = (
    "server.memory.heap.initial_size",
    "server.memory.heap.max_size",
    "server.memory.pagecache.size",
    "dbms.memory.transaction.total.max",
    "db.memory.transaction.total.max",
    "db.memory.transaction.max",
)


@dataclass
class Machine:
    cpus: int
    cpu_model: str
    memory_gib: float
    python: str
    system: str
    commit: str
    neo4j_uri: str | None = None
    neo4j_version: str | None = None
    neo4j_edition: str | None = None
    neo4j_settings: dict[str, str] = field(default_factory=dict)
    neo4j_error: str | None = None
    #: the 1, 5 and 15 minute load averages when the run started and when it finished
    load_before: tuple[float, float, float] | None = None
    load_after: tuple[float, float, float] | None = None
    #: the untimed Neo4j warm-up load: "done", an error, or None when skipped
    warmup: str | None = None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head} (with uncommitted changes in the work tree)" if dirty else head


def machine(with_neo4j: bool) -> Machine:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)
    m = Machine(
        cpus=cpus,
        cpu_model=_cpu_model(),
        memory_gib=_memory_gib(),
        python=f"{platform.python_implementation()} {sys.version.split()[0]}",
        system=f"{platform.system()} {platform.release()}",
        commit=_commit(),
    )
    if with_neo4j:
        _neo4j_info(m)
    return m


def neo4j_settings() -> Settings:
    """The Neo4j settings of the environment (NEO4J_URI, NEO4J_USER, ...) the bench measures."""
    from graph.settings import Settings

    return Settings(GONGZHI_STORE="neo4j")  # type: ignore[call-arg]


def open_driver() -> tuple[Driver, str]:
    """A bare driver on that server, and the database name: for what the store does not
    offer (server settings, transaction sampling, the raw replay of figure 4)."""
    from neo4j import GraphDatabase

    s = neo4j_settings()
    auth = (s.neo4j_user, s.neo4j_password.get_secret_value())
    return GraphDatabase.driver(s.neo4j_uri, auth=auth), s.neo4j_database


def _neo4j_info(m: Machine) -> None:
    """The server's version and memory settings, asked over Bolt with the configured credentials."""
    m.neo4j_uri = neo4j_settings().neo4j_uri
    try:
        driver, _ = open_driver()
        with driver:
            records, _, _ = driver.execute_query("CALL dbms.components() YIELD name, versions, edition")
            for r in records:
                m.neo4j_version = ", ".join(r["versions"])
                m.neo4j_edition = r["edition"]
            records, _, _ = driver.execute_query(
                "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value",
                names=list(NEO4J_SETTINGS),
            )
            m.neo4j_settings = {r["name"]: str(r["value"]) for r in records}
    except Exception as exc:
        m.neo4j_error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"

"""``gongzhi load --bulk``: a first load into an empty, stopped Neo4j database through
``neo4j-admin database import full``.

The import tool writes store files directly: no transactions, no constraint checks, several
times faster than any online load. It needs the database stopped and writes only into a new
or empty database, which is what this module checks, in this order, before anything is
written anywhere:

1. The input is read, validated and planned exactly as ``gongzhi load`` does it on an empty
   store (``loaders.read``, ``loaders.validate``, ``loaders.diff`` with no store): the same
   issues with the same file, row and column, ``ValidationFailed`` if there is any. The
   records are the online load's own, meta properties (``_source``, ``_hash``) and
   relationship ``_key`` included.
2. The target (checked before the input is read too, so that a refusal comes at once;
   ``GONGZHI_NEO4J_HOME``: ``conf/neo4j.conf`` names its data directory;
   ``NEO4J_DATABASE``): ``neo4j-admin database info`` says whether a server holds it
   (``BulkRefused``: stop it first) and whether it exists; an existing one must never have
   held a node or relationship (its node and relationship store files are empty, as in a
   database the server created and nothing wrote to), else ``BulkRefused``: not empty.
3. The CSV files (loaders/import_csv.py) plus the version node an online first load leaves
   (``GongzhiStore {id: 'store', version: 1}``) are imported into a staging data directory
   next to the real one, never into the database itself: a failed or killed import leaves
   the database as it was (the staging directory is removed, or by the next run).
4. Only a complete import is moved into place: the target is checked again (still stopped,
   still empty), the empty database's directories are removed and the staged ones renamed
   in (same file system; the window between the two renames is the only moment a kill
   leaves a database Neo4j cannot start, and only one that was empty).

Constraints and indexes cannot be created by the Community import tool ("Record format batch
import does not support schema changes"), so they are applied afterwards, once the server is
started, by ``gongzhi schema`` (or the next ``gongzhi load``), the same statements as always.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from graph.derived import derivation_stamp
from graph.errors import BulkRefused, ConfigError, Issue, ValidationFailed
from graph.records import WriteBatch
from graph.schema import META_LABEL
from graph.settings import Settings
from loaders.diff import plan_changes
from loaders.import_csv import GroupedNode, ImportFiles, write_import_csvs
from loaders.load import Progress, check_source, default_source
from loaders.read import read_input
from loaders.summary import LoadSummary
from loaders.template import drop_samples
from loaders.validate import validate
from loaders.warnings import membership_warnings

#: The import tool's JVM heap; most of its memory is off heap (``--max-off-heap-memory``).
IMPORT_HEAP = "2g"
#: The version node an online first load leaves: version 0 moved on once (graph/neo4j_cypher.py).
#: Its derived values are the records' own (loaders/build.py): the stamp says so (graph/derived.py).
VERSION_NODE = GroupedNode(
    META_LABEL, (META_LABEL,), {"id": "store", "version": 1, "derivation": derivation_stamp()}
)
#: Store files that hold records as soon as one node or relationship was ever written
#: (record formats; a database the server created and nothing wrote to has them empty).
RECORD_FILES = ("neostore.nodestore.db", "neostore.relationshipstore.db")
STAGING_PREFIX = ".gongzhi-bulk-"
LOCK_NAME = ".gongzhi-bulk.lock"
IMPORT_TIMEOUT = 4 * 3600


@dataclass
class BulkSummary:
    """What a bulk load did: the load's own summary and the time of each step."""

    summary: LoadSummary
    nodes: int = 0
    rels: int = 0
    plan_seconds: float = 0.0
    csv_seconds: float = 0.0
    import_seconds: float = 0.0
    total_seconds: float = 0.0
    database_dir: str = ""
    files: ImportFiles | None = None  # kept only with ``keep_csv``


# ---------------------------------------------------------------- where the database is


@dataclass(frozen=True)
class Target:
    """The stopped server's home, its data directory, one database, and the tool."""

    home: Path
    conf_dir: Path
    data: Path
    database: str
    admin: tuple[str, ...]

    @property
    def store_dir(self) -> Path:
        return self.data / "databases" / self.database

    @property
    def tx_dir(self) -> Path:
        return self.data / "transactions" / self.database


def _conf(conf_file: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if conf_file.is_file():
        for line in conf_file.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                out[key.strip()] = value.strip()
    return out


def target(settings: Settings) -> Target:
    """Where ``GONGZHI_NEO4J_HOME`` keeps its data and how to run its ``neo4j-admin``."""
    home = settings.neo4j_home.resolve()
    conf_dir = home / "conf"
    conf = _conf(conf_dir / "neo4j.conf")
    data = Path(conf.get("server.directories.data") or home / "data")
    if not data.is_absolute():
        data = home / data
    if settings.neo4j_admin:
        admin: tuple[str, ...] = (settings.neo4j_admin,)
    elif (home / "bin" / "neo4j-admin").is_file():
        admin = (str(home / "bin" / "neo4j-admin"),)
    elif conf.get("server.directories.lib") and Path(conf["server.directories.lib"]).is_dir():
        admin = ("java", f"-Xmx{IMPORT_HEAP}", "-cp", f"{conf['server.directories.lib']}/*", "org.neo4j.cli.AdminTool")
    else:
        raise ConfigError(
            f"no neo4j-admin for the Neo4j home {home}: set GONGZHI_NEO4J_HOME to the server's home "
            "(scripts/neo4j.sh start creates var/neo4j) or GONGZHI_NEO4J_ADMIN to the neo4j-admin executable",
            message_zh=f"找不到 Neo4j 目录 {home} 的 neo4j-admin：请把 GONGZHI_NEO4J_HOME 设为服务器目录"
            "（scripts/neo4j.sh start 会创建 var/neo4j），或把 GONGZHI_NEO4J_ADMIN 设为 neo4j-admin 的路径",
        )
    return Target(home, conf_dir, data, settings.neo4j_database, admin)


def _admin(t: Target, conf_dir: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEO4J_HOME": str(t.home), "NEO4J_CONF": str(conf_dir), "HEAP_SIZE": IMPORT_HEAP}
    try:
        return subprocess.run([*t.admin, *args], env=env, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise ConfigError(
            f"cannot run {t.admin[0]} (install Java 17 or 21, or set GONGZHI_NEO4J_ADMIN)",
            message_zh=f"无法运行 {t.admin[0]}（请安装 Java 17 或 21，或设置 GONGZHI_NEO4J_ADMIN）",
        ) from None


def _tail(done: subprocess.CompletedProcess[str]) -> str:
    lines = [x for x in (done.stdout + done.stderr).strip().splitlines() if x.strip() and not x.startswith("\tat ")]
    return " | ".join(lines[-3:])


# ---------------------------------------------------------------- is it stopped and empty?


def check_target(t: Target) -> bool:
    """Refuse a database a server holds or one that is not empty; True if it exists (empty)."""
    stop_hint_zh = "请先停止 Neo4j（scripts/neo4j.sh stop，或 docker compose stop neo4j），再执行 gongzhi load --bulk"
    if not t.store_dir.exists() or not any(p.name.startswith("neostore") for p in t.store_dir.iterdir()):
        return False
    done = _admin(t, t.conf_dir, "database", "info", "--format=json", t.database)
    try:
        info = json.loads(done.stdout.strip())
    except ValueError:
        if "in use" in (done.stdout + done.stderr).lower():
            info = {"inUse": "true"}
        else:
            raise BulkRefused(
                f"neo4j-admin could not read the database {t.database!r} in {t.data} ({_tail(done)}); nothing was imported",
                message_zh=f"neo4j-admin 无法读取 {t.data} 中的数据库 {t.database}，未导入任何数据",
            ) from None
    if isinstance(info, list):
        info = next((i for i in info if i.get("databaseName") == t.database), {})
    if str(info.get("inUse", "")).lower() == "true":
        raise BulkRefused(
            f"the database {t.database!r} in {t.data} is in use by a running Neo4j server; the import tool needs it "
            "stopped: stop the server (scripts/neo4j.sh stop, or docker compose stop neo4j) and run gongzhi load --bulk "
            "again, or load it online with gongzhi load; nothing was imported",
            message_zh=f"{t.data} 中的数据库 {t.database} 正被运行中的 Neo4j 使用；批量导入需要先停止服务器。"
            f"{stop_hint_zh}，或改用 gongzhi load 在线导入；未导入任何数据",
        )
    if str(info.get("recoveryRequired", "")).lower() == "true":
        raise BulkRefused(
            f"the database {t.database!r} in {t.data} was not shut down cleanly (it needs recovery), so whether it is "
            "empty cannot be told: start the server once and stop it cleanly (scripts/neo4j.sh start, then stop), "
            "then run gongzhi load --bulk again; nothing was imported",
            message_zh=f"{t.data} 中的数据库 {t.database} 上次未正常关闭（需要恢复），无法判断是否为空：请启动服务器一次再正常停止"
            "（scripts/neo4j.sh start 后 stop），然后重新执行 gongzhi load --bulk；未导入任何数据",
        )
    if not _never_written(t.store_dir):
        raise BulkRefused(
            f"the database {t.database!r} in {t.data} is not empty (it holds or held nodes or relationships); "
            "gongzhi load --bulk writes only into a new or empty database: load into it online with gongzhi load, "
            f"or, to replace it, remove {t.store_dir} and {t.tx_dir} with the server stopped; nothing was imported",
            message_zh=f"{t.data} 中的数据库 {t.database} 不是空的（存有或曾经存有节点或关系）；批量导入只写入新的或空的数据库："
            f"请用 gongzhi load 在线导入，或在服务器停止时删除 {t.store_dir} 与 {t.tx_dir} 后重试；未导入任何数据",
        )
    return True


def _never_written(store_dir: Path) -> bool:
    files = [store_dir / name for name in RECORD_FILES]
    return all(f.is_file() for f in files) and all(f.stat().st_size == 0 for f in files)


# ---------------------------------------------------------------- plan, write, import


def plan_bulk(
    path: Path,
    *,
    source: str | None = None,
    accept_valid: bool = False,
    skip_samples: bool = False,
    progress: Progress | None = None,
) -> tuple[WriteBatch, LoadSummary]:
    """``loaders.load.plan_load`` on an empty store: the same steps, issues and records."""
    source = check_source(source or default_source(path))
    read = read_input(path, progress)
    samples: list[Issue] = []
    if skip_samples:
        read.tables, samples = drop_samples(read.tables)
    validated = validate(read.tables, source=source, store=None, progress=progress)
    issues = [*read.issues, *validated.issues]
    if issues and not accept_valid:
        raise ValidationFailed(issues, notices=read.notices)
    summary = LoadSummary(
        source=source, path=str(path), issues=issues, skipped=[*samples, *validated.skipped], rows=validated.rows
    )
    summary.warnings = [*read.notices, *membership_warnings(validated, None)]
    batch = plan_changes(None, validated, summary, source=source, prune=False, progress=progress)
    if batch.nodes or batch.rels or batch.delete_nodes or batch.delete_rels:
        raise AssertionError("a plan on an empty store only creates")
    return batch, summary


def import_files(t: Target, files: ImportFiles, staging: Path) -> float:
    """Run the tool on ``files`` into ``staging`` (a data directory of its own); its seconds."""
    conf_dir = staging / "conf"
    conf_dir.mkdir(parents=True)
    kept = [
        line
        for line in (t.conf_dir / "neo4j.conf").read_text(encoding="utf-8").splitlines()
        if not line.strip().startswith(("server.directories.data", "server.directories.logs"))
    ] if (t.conf_dir / "neo4j.conf").is_file() else []
    kept += [f"server.directories.data={staging / 'data'}", f"server.directories.logs={staging / 'logs'}"]
    (conf_dir / "neo4j.conf").write_text("\n".join(kept) + "\n", encoding="utf-8")
    started = time.perf_counter()
    done = _admin(
        t,
        conf_dir,
        "database",
        "import",
        "full",
        *files.arguments(),
        "--bad-tolerance=0",
        "--skip-bad-relationships=false",
        "--skip-duplicate-nodes=false",
        f"--report-file={staging / 'import.report'}",
        t.database,
        timeout=IMPORT_TIMEOUT,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BulkRefused(
            f"neo4j-admin database import failed ({_tail(done)}); the database is as it was, nothing was imported",
            message_zh="neo4j-admin 导入失败；数据库保持原样，未导入任何数据",
        )
    imported = _counts(done.stdout + done.stderr)
    if imported != (files.node_count, files.rel_count):
        raise BulkRefused(
            f"neo4j-admin imported {imported[0]} nodes and {imported[1]} relationships, not "
            f"{files.node_count} and {files.rel_count}; the database is as it was, nothing was imported",
            message_zh="neo4j-admin 导入的节点或关系数量与数据不符；数据库保持原样，未导入任何数据",
        )
    return seconds


def _counts(output: str) -> tuple[int | None, int | None]:
    def one(what: str) -> int | None:
        m = re.search(rf"^\s*(\d+) {what}\s*$", output, re.MULTILINE)
        return int(m.group(1)) if m else None

    return one("nodes"), one("relationships")


def _move_into_place(t: Target, staging: Path) -> None:
    """The staged database replaces the empty one (checked once more: stopped and empty)."""
    check_target(t)
    staged_store = staging / "data" / "databases" / t.database
    staged_tx = staging / "data" / "transactions" / t.database
    for old in (t.tx_dir, t.store_dir):
        if old.exists():
            shutil.rmtree(old)
    t.store_dir.parent.mkdir(parents=True, exist_ok=True)
    t.tx_dir.parent.mkdir(parents=True, exist_ok=True)
    staged_store.rename(t.store_dir)
    staged_tx.rename(t.tx_dir)


def bulk_load(
    settings: Settings,
    path: Path | str,
    *,
    source: str | None = None,
    accept_valid: bool = False,
    skip_samples: bool = False,
    keep_csv: Path | None = None,
    progress: Progress | None = None,
) -> BulkSummary:
    """Validate ``path`` as ``gongzhi load`` does and import it into the stopped, empty database.

    ``keep_csv``: write the CSV files there and leave them (the bench times the tool alone on
    them); otherwise they live in the staging directory and go with it.
    """
    started = time.perf_counter()
    path = Path(path)
    t = target(settings)
    check_target(t)  # before the input's minutes of validation; again before the import and the move
    batch, summary = plan_bulk(path, source=source, accept_valid=accept_valid, skip_samples=skip_samples, progress=progress)
    planned = time.perf_counter()
    check_target(t)
    t.data.mkdir(parents=True, exist_ok=True)
    with _one_bulk_load(t):
        return _import(t, batch, summary, keep_csv, progress, started, planned)


@contextmanager
def _one_bulk_load(t: Target) -> Iterator[None]:
    """One bulk load per data directory at a time (an ``flock``, released if the process dies)."""
    with (t.data / LOCK_NAME).open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BulkRefused(
                f"another gongzhi load --bulk is importing into {t.data}; nothing was imported",
                message_zh=f"另一个 gongzhi load --bulk 正在导入 {t.data}；未导入任何数据",
            ) from None
        yield


def _import(
    t: Target, batch: WriteBatch, summary: LoadSummary, keep_csv: Path | None, progress: Progress | None,
    started: float, planned: float,
) -> BulkSummary:
    for leftover in t.data.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)  # a killed earlier run's (the lock says none runs)
    staging = t.data / f"{STAGING_PREFIX}{os.getpid()}"
    try:
        if progress is not None:
            progress("write", 0, 1)
        files = write_import_csvs(batch.new_nodes, batch.new_rels, keep_csv or staging / "csv", extra_nodes=[VERSION_NODE])
        written = time.perf_counter()
        import_seconds = import_files(t, files, staging)
        _move_into_place(t, staging)
        if progress is not None:
            progress("write", 1, 1)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    summary.written = len(batch)
    return BulkSummary(
        summary,
        nodes=len(batch.new_nodes),
        rels=len(batch.new_rels),
        plan_seconds=planned - started,
        csv_seconds=written - planned,
        import_seconds=import_seconds,
        total_seconds=time.perf_counter() - started,
        database_dir=str(t.store_dir),
        files=files if keep_csv is not None else None,
    )

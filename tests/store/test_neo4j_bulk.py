"""``gongzhi load --bulk``: through ``neo4j-admin database import`` into an empty, stopped database.

A Neo4j server of its own (scripts/neo4j.sh with ``GONGZHI_NEO4J_HOME`` in a temporary folder,
on free ports): the import needs its database stopped, and the shared test server must not
be. The same generated world is loaded online into the shared server; what is compared is a
full dump of both (every node with its labels and properties, meta included, the version
node, every relationship with its ends, type, properties and key) and the schema's names.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import GraphDatabase

from graph.derived import derivation_stamp
from graph.errors import BulkRefused, ValidationFailed
from graph.neo4j_store import Neo4jStore
from graph.schema import META_LABEL, schema_statements
from graph.settings import Settings
from graph.store import Store, open_store
from loaders.bulk import bulk_load
from loaders.generate import generate
from loaders.load import load, plan_load

pytestmark = pytest.mark.neo4j

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "neo4j.sh"
PASSWORD = "bulk-test-password"

Dump = tuple[list[str], list[str], list[str]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A Neo4j home of its own, started and stopped by scripts/neo4j.sh."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.bolt, self.http = _free_port(), _free_port()
        self.env = {
            **os.environ,
            "GONGZHI_NEO4J_HOME": str(home),
            "NEO4J_BOLT_PORT": str(self.bolt),
            "NEO4J_HTTP_PORT": str(self.http),
            "NEO4J_HEAP": "512m",
            "NEO4J_PASSWORD": PASSWORD,
        }
        self.running = False

    def script(self, command: str) -> None:
        done = subprocess.run(["bash", str(SCRIPT), command], env=self.env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        self.running = {"start": True, "stop": False}.get(command, self.running)

    def settings(self) -> Settings:
        return Settings(  # type: ignore[call-arg]
            GONGZHI_STORE="neo4j",
            NEO4J_URI=f"bolt://127.0.0.1:{self.bolt}",
            NEO4J_USER="neo4j",
            NEO4J_PASSWORD=PASSWORD,
            GONGZHI_NEO4J_HOME=str(self.home),
        )


def dump(settings: Settings) -> Dump:
    """Every node (the version node included) and every relationship, as sorted text; the schema's names."""
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    with GraphDatabase.driver(settings.neo4j_uri, auth=auth) as driver:
        nodes, _, _ = driver.execute_query("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
        rels, _, _ = driver.execute_query(
            "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props"
        )
        schema, _, _ = driver.execute_query("SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties")

    def text(props: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((k, f"{type(v).__name__}:{v}") for k, v in props.items())  # types too: a date is no string

    return (
        sorted(repr((sorted(r["labels"]), text(r["props"]))) for r in nodes),
        sorted(repr((r["type"], r["a"], r["b"], text(r["props"]))) for r in rels),
        sorted(repr(r.data()) for r in schema),
    )


def _without_version(d: Dump) -> Dump:
    return [n for n in d[0] if f"'{META_LABEL}'" not in n], d[1], d[2]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bulk") / "world"
    generate("community", 5, out)
    return out


@pytest.fixture(scope="module")
def bulked(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A fresh home bulk-loaded by the CLI, then started and given the schema by the CLI."""
    server = Server(tmp_path_factory.mktemp("bulk") / "home")
    server.script("init")
    env = {k: v for k, v in server.env.items() if k != "NEO4J_URI"}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "--lang", "en", "load", "--bulk", str(world)],
        env=env, capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "bulk-imported" in done.stdout and "gongzhi schema" in done.stdout
    server.script("start")
    try:
        env["NEO4J_URI"] = f"bolt://127.0.0.1:{server.bolt}"
        done = subprocess.run(
            [sys.executable, "-m", "api.cli", "schema", "--store", "neo4j"],
            env=env, capture_output=True, text=True, cwd=ROOT, timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        yield server
    finally:
        server.script("stop")


@pytest.fixture(scope="module")
def online(world: Path, _neo4j_store: Store, neo4j_settings: Settings) -> Dump:
    """The same world loaded online into the shared test server (cleared first)."""
    _neo4j_store.clear()
    load(_neo4j_store, world)
    return dump(neo4j_settings)


def test_a_bulk_load_equals_an_online_load(bulked: Server, online: Dump) -> None:
    got = dump(bulked.settings())
    assert _without_version(got) == _without_version(online)
    assert len(got[0]) > 1000 and len(got[1]) > 1000
    assert {name for name, _ in schema_statements()} <= {eval(x)["name"] for x in got[2]}
    # the version node is what an online first load into a new database leaves: version 1,
    # the derived values' stamp (graph/derived.py), no load holding the store (the shared server's version counts every test's writes)
    with Neo4jStore(bulked.settings()) as s:
        assert s.version() == 1
        assert s.load_in_progress() is None
    assert [n for n in got[0] if f"'{META_LABEL}'" in n] == [
        repr(([META_LABEL], [("derivation", f"str:{derivation_stamp()}"), ("id", "str:store"), ("version", "int:1")]))
    ]


def test_a_reload_after_a_bulk_load_changes_nothing(bulked: Server, world: Path) -> None:
    before = dump(bulked.settings())
    with Neo4jStore(bulked.settings()) as s:
        summary = load(s, world)
        assert summary.written == 0
        assert s.version() == 1
    assert dump(bulked.settings()) == before


def test_a_running_database_is_refused(bulked: Server, world: Path) -> None:
    before = dump(bulked.settings())
    with pytest.raises(BulkRefused) as refused:
        bulk_load(bulked.settings(), world)
    assert "in use by a running Neo4j server" in refused.value.message
    assert "scripts/neo4j.sh stop" in refused.value.message and "停止" in refused.value.message_zh
    assert dump(bulked.settings()) == before
    assert not list((bulked.home / "data").glob(".gongzhi-bulk-*"))


def test_a_database_that_is_not_empty_is_refused(bulked: Server, world: Path) -> None:
    """Last in this module: it stops the server (the database's files then show it untouched)."""
    settings = bulked.settings()
    bulked.script("stop")
    before = _files(bulked.home / "data")
    with pytest.raises(BulkRefused) as refused:
        bulk_load(settings, world)
    assert "is not empty" in refused.value.message and "gongzhi load" in refused.value.message
    assert "不是空的" in refused.value.message_zh
    assert _files(bulked.home / "data") == before


def _files(data: Path) -> list[tuple[str, int, int]]:
    """Every file of a data directory: path, size, modification time."""
    return sorted((str(p.relative_to(data)), p.stat().st_size, p.stat().st_mtime_ns) for p in data.rglob("*") if p.is_file())


def test_invalid_input_is_refused_before_anything_is_written(world: Path, tmp_path: Path) -> None:
    bad = tmp_path / "world"
    shutil.copytree(world, bad)
    persons = bad / "persons.csv"
    lines = persons.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    gender = next(i for i, h in enumerate(header) if h in ("gender", "性别"))
    row = lines[3].split(",")
    row[gender] = "?"
    lines[3] = ",".join(row)
    persons.write_text("\n".join(lines) + "\n", encoding="utf-8")

    embedded = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp_path / "store"))  # type: ignore[call-arg]
    with pytest.raises(ValidationFailed) as online:
        plan_load(embedded, bad)
    embedded.close()

    server = Server(tmp_path / "home")
    server.script("init")
    with pytest.raises(ValidationFailed) as bulk:
        bulk_load(server.settings(), bad)
    assert [i.as_dict() for i in bulk.value.issues] == [i.as_dict() for i in online.value.issues]
    assert any(i.file.endswith("persons.csv") and i.value == "?" for i in bulk.value.issues)
    data = server.home / "data"
    assert not (data / "databases" / "neo4j").exists() and not (data / "transactions" / "neo4j").exists()
    assert not list(data.glob(".gongzhi-bulk-*")) if data.exists() else True


def test_a_failed_import_leaves_the_database_as_it_was(world: Path, tmp_path: Path) -> None:
    """The tool writes into a staging directory: here a stand-in for it leaves store files
    there, as a tool that failed half-way does, and reports a failure; nothing of it may reach
    the database, and the staging directory goes."""
    server = Server(tmp_path / "home")
    server.script("init")
    wrapper = tmp_path / "neo4j-admin"
    wrapper.write_text(
        "#!/bin/sh\n"
        'data=$(sed -n "s/^server.directories.data=//p" "$NEO4J_CONF/neo4j.conf")\n'
        'mkdir -p "$data/databases/neo4j" "$data/transactions/neo4j"\n'
        'echo half > "$data/databases/neo4j/neostore.nodestore.db"\n'
        'echo "injected failure" >&2\n'
        "exit 1\n"
    )
    wrapper.chmod(0o755)
    with pytest.raises(BulkRefused) as refused:
        bulk_load(server.settings().with_(neo4j_admin=str(wrapper)), world)
    assert "injected failure" in refused.value.message and "nothing was imported" in refused.value.message
    data = server.home / "data"
    assert not (data / "databases" / "neo4j").exists() and not (data / "transactions" / "neo4j").exists()
    assert not list(data.glob(".gongzhi-bulk-*"))
    # and one bulk load at a time per data directory: a second one waits for nothing, it is refused
    with (data / ".gongzhi-bulk.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(BulkRefused, match="another gongzhi load --bulk"):
            bulk_load(server.settings().with_(neo4j_admin=str(wrapper)), world)

"""A Neo4j write larger than ``GONGZHI_WRITE_CHUNK``: chunks under a load record, all or nothing.

Real server, tiny chunks (so that a community is dozens of them). What is compared is a full
dump of the database (every node with its labels and properties, every relationship with its
ends and properties, the load and undo records included), so "as before" means exactly that.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import graph.neo4j_chunks as chunks_module
from api.graphql.mutations.write import apply_rows
from graph.errors import LoadInProgress, StoreError
from graph.model import table
from graph.neo4j_store import Neo4jStore
from graph.records import NodeRecord, RelRecord, WriteBatch
from graph.settings import Settings
from graph.store import Store
from loaders.load import load
from loaders.names import columns_of
from tests.api.client import Api
from tests.store.neo4j_loads import dump, raw

pytestmark = pytest.mark.neo4j

CHUNK = 97  # items per transaction: the community is about 60 chunks, a reload a dozen


@pytest.fixture
def neo(_neo4j_store: Store, neo4j_settings: Settings) -> Iterator[Settings]:
    """The test server, empty; its settings (``chunked`` makes a store with tiny chunks)."""
    _neo4j_store.clear()
    yield neo4j_settings
    assert raw(neo4j_settings, "MATCH (n:GongzhiLoad) RETURN n.id AS id") == [], "a load record was left behind"


def chunked(settings: Settings, **changes: Any) -> Neo4jStore:
    return Neo4jStore(settings.with_(write_chunk=CHUNK, **changes))


def test_a_load_in_chunks_equals_one_transaction(neo: Settings, _neo4j_store: Store, community: Path, changed: Path) -> None:
    load(_neo4j_store, community, source="community")
    first_single = dump(neo)
    load(_neo4j_store, changed, source="community", prune=True)
    second_single = dump(neo)
    _neo4j_store.clear()
    with chunked(neo) as store:
        before = store.version()
        summary = load(store, community, source="community")
        assert summary.written > 10 * CHUNK  # many chunks, not one
        assert store.version() == before + 1  # one write, as one transaction would be
        assert dump(neo) == first_single
        summary = load(store, changed, source="community", prune=True)
        assert summary.written > 3 * CHUNK and summary.total.deleted > 0 and summary.total.updated > 0
        assert dump(neo) == second_single
        assert load(store, changed, source="community", prune=True).written == 0
    assert first_single != second_single


def _mixed_batch(settings: Settings, store: Store) -> WriteBatch:
    """Every kind of change over the loaded community: deleted buildings (with the
    relationships that go with them), deleted and moved relationships, updated, upserted-new
    and created nodes and relationships; several chunks of each."""
    buildings = [r["id"] for r in raw(settings, "MATCH (b:Building) RETURN b.id AS id ORDER BY id LIMIT 30")]
    members = raw(
        settings,
        "MATCH (a:Person)-[r:MEMBER_OF]->(b) RETURN r._key AS key ORDER BY key LIMIT 150",
    )
    persons = store.fetch_nodes("Person", [f"R-{i:06d}" for i in range(300, 700)])
    batch = WriteBatch(
        delete_rels=[("MEMBER_OF", m["key"]) for m in members],
        delete_nodes=[("Building", b) for b in buildings],
    )
    for i, (pid, node) in enumerate(sorted(persons.items())):
        props = {**node.props, "skills": f"改{i}", "_hash": f"h{i}"}
        batch.nodes.append(NodeRecord("Person", node.labels, pid, props))
    batch.nodes.append(NodeRecord("Person", ("Person",), "R-X00001", {"id": "R-X00001", "name": "新人", "_source": "t"}))
    batch.new_nodes += [
        NodeRecord("Person", ("Person",), f"R-Y{i:05d}", {"id": f"R-Y{i:05d}", "name": f"人{i}", "_source": "t"})
        for i in range(200)
    ]
    lives = raw(
        settings,
        "MATCH (a:Person)-[r:LIVES_IN]->(b:Building) WHERE NOT b.id IN $gone "
        "RETURN r._key AS key, a.id AS a, b.id AS b, properties(r) AS props ORDER BY key LIMIT 120",
        gone=buildings,
    )
    target = raw(settings, "MATCH (b:Building) WHERE NOT b.id IN $gone RETURN b.id AS id LIMIT 1", gone=buildings)[0]["id"]
    for i, r in enumerate(lives):
        to = target if i % 3 == 0 else r["b"]  # a third of them move to another building
        batch.rels.append(RelRecord("LIVES_IN", r["key"], "Person", r["a"], "Building", to, {**r["props"], "_source": f"s{i}"}))
    batch.new_rels += [
        RelRecord("LIVES_IN", f"new-{i}", "Person", f"R-Y{i:05d}", "Building", target, {"_source": "t"}) for i in range(200)
    ]
    return batch


def test_a_failed_chunk_leaves_the_store_exactly_as_before(
    neo: Settings, _neo4j_store: Store, community: Path
) -> None:
    load(_neo4j_store, community, source="community")
    batch = _mixed_batch(neo, _neo4j_store)
    before, version = dump(neo), _neo4j_store.version()
    # the last chunk refers to a node that does not exist: the server refuses it
    broken = WriteBatch(**{**vars(batch), "new_rels": [*batch.new_rels, RelRecord(
        "LIVES_IN", "nowhere", "Person", "R-NOPE", "Building", "B-000002", {"_source": "t"})]})
    with chunked(neo) as store:
        with pytest.raises(StoreError, match="does not exist"):
            store.write(broken, expect_version=version)
        assert dump(neo) == before
        assert store.version() > version  # a plan read while chunks were visible is stale now
        assert store.load_in_progress() is None
        # the same batch without the bad relationship, in chunks, equals it in one transaction
        store.write(batch)
        in_chunks = dump(neo)
    _neo4j_store.clear()
    load(_neo4j_store, community, source="community")
    _neo4j_store.write(batch)
    assert dump(neo) == in_chunks != before


@pytest.mark.parametrize("fail_at", [2, 9])
def test_a_transaction_failing_in_chunk_k_is_rolled_back(
    neo: Settings, _neo4j_store: Store, community: Path, changed: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    load(_neo4j_store, community, source="community")
    before = dump(neo)
    real = chunks_module.run_steps
    calls = {"n": 0}

    def failing(tx: Any, steps: Any) -> None:
        real(tx, steps)
        calls["n"] += 1
        if calls["n"] == fail_at:  # after the chunk's statements ran, before its commit
            raise StoreError("injected failure")

    monkeypatch.setattr(chunks_module, "run_steps", failing)
    with chunked(neo) as store, pytest.raises(StoreError, match="injected failure"):
        load(store, changed, source="community", prune=True)
    assert calls["n"] > fail_at  # the rollback ran the undo of the chunks committed before
    assert dump(neo) == before


def _person_row(directory: Path, person: str, **changes: str) -> dict[str, object]:
    """The input row of ``person`` as a mutation sends it (by English column name)."""
    names = [c.name for c in columns_of(table("persons"))]
    with (directory / "persons.csv").open(encoding="utf-8-sig", newline="") as f:
        row = next(r for r in csv.reader(f) if r[0] == person)
    return {**{k: v for k, v in zip(names, row, strict=True) if v}, **changes}


def _pause_at(monkeypatch: pytest.MonkeyPatch, index: int) -> tuple[threading.Event, threading.Event]:
    """Stop a chunked load before its chunk ``index``: (reached, release)."""
    reached, release = threading.Event(), threading.Event()
    real = chunks_module.ChunkedLoads._apply

    def paused(self: Any, tx: Any, load_id: str, i: int, part: WriteBatch, steps: Any) -> None:
        if i == index:
            reached.set()
            release.wait(120)
        real(self, tx, load_id, i, part, steps)

    monkeypatch.setattr(chunks_module.ChunkedLoads, "_apply", paused)
    return reached, release


def test_other_writers_are_refused_while_a_load_is_in_progress(
    neo: Settings,
    _neo4j_store: Store,
    community: Path,
    changed: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    load(_neo4j_store, community, source="community")
    reached, release = _pause_at(monkeypatch, 3)
    errors: list[BaseException] = []
    with chunked(neo) as store:

        def run() -> None:
            try:
                load(store, changed, source="community", prune=True)
            except BaseException as exc:  # the test inspects it
                errors.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        try:
            assert reached.wait(120)
            status = _neo4j_store.load_in_progress()
            assert status is not None and status.state == "running" and not status.stale
            assert status.chunks_done == 3 and status.chunks_total > 3
            row = _person_row(community, "R-000002", skills="修水管")
            with pytest.raises(LoadInProgress, match="a load is in progress") as refused:
                apply_rows(_neo4j_store, [("persons", row)], "organizer-1")
            assert status.id in refused.value.message and "导入" in refused.value.message_zh
            with pytest.raises(LoadInProgress):
                load(_neo4j_store, community, source="other")
            with pytest.raises(LoadInProgress):
                _neo4j_store.clear()
            assert _neo4j_store.recover()[0].action == "running"  # alive: left alone
            api = Api(_neo4j_store, tmp_path)
            body = api.post("{ me { user } }", token=api.token("C-0001")).json()
            notice = body["extensions"]["loadInProgress"]
            assert body["data"]["me"]["user"] and notice["id"] == status.id and notice["chunksDone"] == 3
            assert "host" not in notice and "pid" not in notice  # the operators' business
        finally:
            release.set()
            thread.join(120)
    assert errors == []
    assert _neo4j_store.load_in_progress() is None
    api = Api(_neo4j_store, tmp_path)
    assert "extensions" not in api.post("{ me { user } }", token=api.token("C-0001")).json()
    apply_rows(_neo4j_store, [("persons", _person_row(community, "R-000002", skills="修水管"))], "organizer-1")
    assert _neo4j_store.fetch_nodes("Person", ["R-000002"])["R-000002"].props["skills"] == "修水管"


def test_a_load_whose_process_is_gone_is_recovered_by_heartbeat_or_pid(
    neo: Settings, _neo4j_store: Store, community: Path, changed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load left behind (its rollback failed too: the server was gone, say), then owned by
    another host: stale only once its heartbeat is old; on this host, once its process is."""
    load(_neo4j_store, community, source="community")
    before = dump(neo)
    real = chunks_module.run_steps
    calls = {"n": 0}

    def failing(tx: Any, steps: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise StoreError("injected failure")
        real(tx, steps)

    monkeypatch.setattr(chunks_module, "run_steps", failing)
    monkeypatch.setattr(chunks_module.ChunkedLoads, "_roll_back_after_failure", lambda self, load_id: None)
    with chunked(neo) as store, pytest.raises(StoreError, match="injected failure"):
        load(store, changed, source="community", prune=True)
    monkeypatch.undo()
    assert dump(neo) != before  # three chunks are in, and the record says so
    raw(neo, "MATCH (l:GongzhiLoad) SET l.host = 'elsewhere', l.pid = 1")
    with chunked(neo) as fresh:
        status = fresh.load_in_progress()
        assert status is not None and status.chunks_done == 3 and not status.stale
        with pytest.raises(LoadInProgress):
            fresh.write(WriteBatch(delete_rels=[("MEMBER_OF", "none")]))
    with chunked(neo, load_stale_seconds=0.001) as impatient:
        assert impatient.load_in_progress().stale  # type: ignore[union-attr]
        (recovery,) = impatient.recover()
        assert recovery.action == "rolled_back" and recovery.chunks_undone == 3
    assert dump(neo) == before
    # on this host, a pid that is not running is gone at once
    monkeypatch.setattr(chunks_module, "run_steps", failing)
    monkeypatch.setattr(chunks_module.ChunkedLoads, "_roll_back_after_failure", lambda self, load_id: None)
    calls["n"] = 0
    with chunked(neo) as store, pytest.raises(StoreError, match="injected failure"):
        load(store, changed, source="community", prune=True)
    monkeypatch.undo()
    raw(neo, "MATCH (l:GongzhiLoad) SET l.pid = 999999999")
    with chunked(neo) as fresh:
        assert fresh.load_in_progress().stale  # type: ignore[union-attr]
        load(fresh, changed, source="community", prune=True)  # recovers first, then loads
    after = dump(neo)
    _neo4j_store.clear()
    load(_neo4j_store, community, source="community")
    load(_neo4j_store, changed, source="community", prune=True)
    assert dump(neo) == after


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "api.cli", *args]


def _cli_env(chunk: int) -> dict[str, str]:
    return {**os.environ, "GONGZHI_LANG": "en", "GONGZHI_STORE": "neo4j", "GONGZHI_WRITE_CHUNK": str(chunk)}


def _kill_mid_load(store: Store, changed: Path, chunk: int) -> None:
    """Start ``gongzhi load`` of ``changed`` in chunks and SIGKILL it once 3 chunks are in."""
    process = subprocess.Popen(
        _cli("load", str(changed), "--source", "community", "--prune", "--yes", "--json"),
        env=_cli_env(chunk),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            status = store.load_in_progress()
            if status is not None and status.chunks_done >= 3:
                break
            time.sleep(0.01)
        assert process.poll() is None, "the load ended before it could be killed mid-chunks"
    finally:
        process.kill()
        process.wait(60)


def test_a_killed_load_is_rolled_back_by_recover_and_by_the_next_load(
    neo: Settings, _neo4j_store: Store, community: Path, changed: Path
) -> None:
    chunk = 20
    load(_neo4j_store, community, source="community")
    before = dump(neo)
    _kill_mid_load(_neo4j_store, changed, chunk)
    status = _neo4j_store.load_in_progress()
    assert status is not None and status.stale and status.chunks_done >= 3
    assert dump(neo) != before  # part of it is in until recovered
    reader = subprocess.run(_cli("stats", "--json"), env=_cli_env(chunk), capture_output=True, text=True, timeout=300)
    assert reader.returncode == 0 and "a load is being written in chunks" in reader.stderr, reader.stderr
    recovered = subprocess.run(
        _cli("load", "--recover"), env=_cli_env(chunk), capture_output=True, text=True, timeout=300
    )
    assert recovered.returncode == 0, recovered.stderr
    assert f"rolled back the unfinished load {status.id}" in recovered.stdout
    assert dump(neo) == before
    again = subprocess.run(
        _cli("load", "--recover"), env=_cli_env(chunk), capture_output=True, text=True, timeout=300
    )
    assert "no load to recover" in again.stdout
    reader = subprocess.run(_cli("stats", "--json"), env=_cli_env(chunk), capture_output=True, text=True, timeout=300)
    assert reader.returncode == 0 and "a load is being written" not in reader.stderr
    # killed again; this time the next load (one transaction) rolls it back before it writes
    _kill_mid_load(_neo4j_store, changed, chunk)
    assert _neo4j_store.load_in_progress() is not None
    summary = load(_neo4j_store, changed, source="community", prune=True)
    assert _neo4j_store.load_in_progress() is None and summary.written > 0
    after = dump(neo)
    _neo4j_store.clear()
    load(_neo4j_store, community, source="community")
    load(_neo4j_store, changed, source="community", prune=True)
    assert dump(neo) == after != before


def test_the_embedded_store_has_no_loads_to_report_or_recover(tmp_path: Path) -> None:
    from graph.store import open_store

    with open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp_path, GONGZHI_WRITE_CHUNK=1)) as store:  # type: ignore[call-arg]
        assert store.load_in_progress() is None and store.recover() == []
        store.write(WriteBatch(new_nodes=[NodeRecord("City", ("City", "Place"), "C-9", {"id": "C-9", "name": "x"})] * 1))
        assert store.stats().labels.get("City") == 1

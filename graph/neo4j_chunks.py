"""A Neo4j write too large for one transaction: chunks under a load record, all or nothing.

One transaction per load needs transaction memory in proportion to the load (a city, 2.4
million items, took about 8.5 GiB). A batch of more than ``GONGZHI_WRITE_CHUNK`` items is
therefore cut into chunks, in the order ``WriteBatch`` documents (so applying them one after
the other is applying the batch), and each chunk is its own transaction:

1. The first chunk's transaction takes the version node's write lock (as every write does),
   checks the version the load was planned on, and creates the **load record**: a
   ``GongzhiLoad`` node (state, owner pid and host, heartbeat, chunks done) named by the
   version node's ``load`` property. Every other write reads that property under the same
   lock (``BUMP_VERSION``) and is refused with ``LoadInProgress`` while it is set.
2. Each chunk's transaction locks the record (and beats its heartbeat), stores the chunk's
   **undo** (``GongzhiUndo``: graph/neo4j_undo.py), applies the chunk and counts it done: a
   chunk is applied with its undo or not at all.
3. The commit is one small transaction: the record becomes ``done``, the version moves on
   and the store is free. Then the undo records and the record are deleted, a transaction
   each; if that is interrupted, recovery finishes it (the load stays committed).

A chunk that fails in the live process rolls back at once (the committed chunks are undone,
newest first, each undo its own transaction, which also deletes that undo record) and the
original error is raised. A load killed with its process, or whose server died, leaves its
record behind; it is **stale** once its process is gone (same host) or its heartbeat is older
than ``GONGZHI_LOAD_STALE_SECONDS``, and the next write, ``gongzhi load --recover`` or
``gongzhi serve`` rolls it back the same way. Recovery takes the record over first (its own
pid and host, state ``rolling_back``), so a recovery that is killed is recovered again. The
end of a rollback moves the version on too: a plan read while part of the load was visible
is refused. Lock order is always record, then version node, so load, commit and recovery
cannot deadlock each other.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from neo4j import ManagedTransaction
from neo4j.exceptions import Neo4jError

from graph.errors import LoadInProgress, StoreError
from graph.neo4j_cypher import (
    OUT_OF_MEMORY,
    Step,
    create_nodes_cypher,
    create_rels_cypher,
    delete_nodes_cypher,
    delete_rels_cypher,
    upsert_nodes_cypher,
    upsert_rels_cypher,
    write_steps,
)
from graph.neo4j_undo import capture_undo, decode, encode
from graph.records import LoadStatus, Recovery, WriteBatch
from graph.schema import LOAD_LABEL, META_LABEL, UNDO_LABEL

LOG = logging.getLogger("gongzhi.store")
T = TypeVar("T")
Work = Callable[[ManagedTransaction], T]
Runner = Callable[[str, Work[Any]], Any]

#: The first statement of a load's first chunk: the version node's write lock (the property
#: set and removed at once: a write takes the lock, then the values are read under it).
LOCK_FOR_LOAD = (
    f"MERGE (m:{META_LABEL} {{id: 'store'}}) ON CREATE SET m.version = 0 "
    "WITH m SET m.load_lock = true REMOVE m.load_lock RETURN m.version AS version, m.load AS load"
)
#: The load record, and the version node naming it (which every other writer reads).
START_LOAD = (
    f"MATCH (m:{META_LABEL} {{id: 'store'}}) SET m.load = $id "
    f"CREATE (:{LOAD_LABEL} {{id: $id, state: 'running', version_before: m.version, started: timestamp(), "
    "heartbeat: timestamp(), claims: 0, pid: $pid, host: $host, chunks_done: 0, chunks_total: $chunks, "
    "items: $items})"
)
#: The first statement of every later transaction of a load: its record's write lock, held
#: until commit, then the record as it is (after any other holder of the lock committed).
CLAIM = (
    f"MATCH (l:{LOAD_LABEL} {{id: $id}}) SET l.claims = l.claims + 1, l.heartbeat = timestamp() "
    "RETURN l {.*} AS load"
)
#: The same lock for a recovery that first decides whether the record is stale (no heartbeat).
INSPECT = f"MATCH (l:{LOAD_LABEL} {{id: $id}}) SET l.claims = l.claims + 1 RETURN l {{.*}} AS load, timestamp() AS now"
#: A recovery becomes the owner of the record it rolls back (or, once done, cleans up), so
#: that its own death is seen.
TAKE_OVER = (
    f"MATCH (l:{LOAD_LABEL} {{id: $id}}) "
    "SET l.state = CASE l.state WHEN 'done' THEN 'done' ELSE 'rolling_back' END, "
    "l.pid = $pid, l.host = $host, l.heartbeat = timestamp()"
)
SAVE_UNDO = f"CREATE (:{UNDO_LABEL} {{id: $uid, load: $id, chunk: $chunk, data: $data}})"
CHUNK_DONE = f"MATCH (l:{LOAD_LABEL} {{id: $id}}) SET l.chunks_done = $done"
#: The load's one commit step: done, the version moved on, the store free for other writers.
COMMIT_LOAD = (
    f"MATCH (l:{LOAD_LABEL} {{id: $id}}) SET l.state = 'done' WITH l "
    f"MATCH (m:{META_LABEL} {{id: 'store'}}) SET m.version = m.version + 1 REMOVE m.load RETURN m.version AS version"
)
#: The end of a rollback: the version moves on (a plan read meanwhile saw part of the load).
END_ROLLBACK = (
    f"MATCH (m:{META_LABEL} {{id: 'store'}}) SET m.version = m.version + 1, "
    "m.load = CASE WHEN m.load = $id THEN null ELSE m.load END"
)
UNDO_CHUNKS = f"MATCH (u:{UNDO_LABEL}) WHERE u.load = $id RETURN u.id AS uid ORDER BY u.chunk DESC"
READ_UNDO = f"MATCH (u:{UNDO_LABEL} {{id: $uid}}) RETURN u.data AS data"
DROP_UNDO = f"MATCH (u:{UNDO_LABEL} {{id: $uid}}) DELETE u"
DROP_LOAD = f"MATCH (l:{LOAD_LABEL} {{id: $id}}) DELETE l"
LOAD_RECORDS = f"MATCH (l:{LOAD_LABEL}) RETURN l {{.*}} AS load, timestamp() AS now"

HOST = socket.gethostname()
#: Loads this process is writing or rolling back right now (its own records are not stale).
_ACTIVE: set[str] = set()


def check_writable(load: str | None, version: int, expect: int | None) -> None:
    """Under the version node's lock: refuse a write while a load holds the store, or whose
    plan was made on another version (both roll the transaction back)."""
    if load is not None:
        raise LoadRunning(load)
    if expect is not None and version != expect:
        raise VersionMoved(expect, version)


class OutOfMemory(Exception):
    """Raised inside a transaction function so that the driver does not retry it.

    Neo4j classifies a transaction that outgrew its memory pool as transient, so the
    driver would run the whole batch again, doubling the time to fail, to fail again.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class LoadRunning(Exception):
    """Raised inside a write transaction that found a load holding the store (it rolls back)."""

    def __init__(self, load_id: str) -> None:
        super().__init__(load_id)
        self.load_id = load_id


class VersionMoved(Exception):
    """Raised inside a write transaction whose plan is stale, so that it rolls back (and the
    driver, which only retries its own transient errors, does not run it again)."""

    def __init__(self, expected: int, found: int) -> None:
        super().__init__(expected, found)
        self.expected, self.found = expected, found


def run_steps(tx: ManagedTransaction, steps: list[Step]) -> None:
    """Run a batch's statements; a relationship whose end node is missing fails the transaction."""
    for step in steps:
        try:
            result = tx.run(step.cypher, step.params)
            written = None if step.expected is None else result.single(strict=True)["written"]
            result.consume()
        except Neo4jError as exc:
            if (exc.code or "").endswith(OUT_OF_MEMORY):
                raise OutOfMemory(exc.code or OUT_OF_MEMORY) from None
            raise
        if step.expected is not None and written != step.expected:
            raise StoreError(
                f"a {step.what} relationship refers to a node that does not exist; nothing was written",
                message_zh="关系引用了不存在的节点，未写入任何数据",
            )


def split(batch: WriteBatch, size: int) -> list[WriteBatch]:
    """``batch`` as consecutive batches of at most ``size`` items, in its order of application."""
    parts: list[WriteBatch] = [WriteBatch()]
    fields = ("delete_rels", "delete_nodes", "nodes", "new_nodes", "rels", "new_rels")
    for name in fields:
        items: list[Any] = getattr(batch, name)
        start = 0
        while start < len(items):
            if len(parts[-1]) >= size:
                parts.append(WriteBatch())
            room = size - len(parts[-1])
            getattr(parts[-1], name).extend(items[start : start + room])
            start += room
    return parts


def check_labels(batch: WriteBatch) -> None:
    """Fail on a label or type outside the model before anything is written (as ``write_steps``
    does for one transaction), without building every chunk's statements at once."""
    for rel_type in {t for t, _ in batch.delete_rels}:
        delete_rels_cypher(rel_type)
    for label in {label for label, _ in batch.delete_nodes}:
        delete_nodes_cypher(label)
    for nodes, make in ((batch.nodes, upsert_nodes_cypher), (batch.new_nodes, create_nodes_cypher)):
        for label, labels in {(n.label, frozenset(n.labels)) for n in nodes}:
            make(label, labels)
    for rels, make_rel in ((batch.rels, upsert_rels_cypher), (batch.new_rels, create_rels_cypher)):
        for rel_type, a, b in {(r.type, r.from_label, r.to_label) for r in rels}:
            make_rel(rel_type, a, b)


class ChunkedLoads:
    """Chunked writes, their load records and their recovery, on one Neo4j store.

    ``write``/``read`` run a transaction function as the store does (driver errors
    translated); ``where`` names the server in messages."""

    def __init__(
        self, write: Runner, read: Runner, *, where: str, chunk: int, batch_size: int, stale_seconds: float
    ) -> None:
        self._run_write, self._run_read = write, read
        self._where, self.chunk, self._batch_size, self._stale = where, chunk, batch_size, stale_seconds

    # ------------------------------------------------------------ the load

    def write(self, batch: WriteBatch, expect_version: int | None) -> int:
        """Write ``batch`` in chunks, all or nothing; the new version."""
        check_labels(batch)
        parts = split(batch, self.chunk)
        load_id = uuid.uuid4().hex
        _ACTIVE.add(load_id)
        started = committed = False
        try:
            for index, part in enumerate(parts):
                steps = write_steps(part, self._batch_size)
                if index == 0:
                    self._run_write("start a load", self._first(load_id, part, steps, expect_version, len(parts), len(batch)))
                    started = True
                else:
                    self._run_write("write a load's chunk", self._chunk(load_id, index, part, steps))
            version: int = self._run_write("commit a load", self._commit(load_id))
            committed = True
        except BaseException:
            if started and not committed:
                self._roll_back_after_failure(load_id)
            raise
        finally:
            _ACTIVE.discard(load_id)
        try:
            self._finish(load_id)
        except (StoreError, OSError) as exc:  # committed all the same; recovery finishes this
            LOG.warning("load %s committed; its undo records are left for recovery (%s)", load_id, type(exc).__name__)
        return version

    def _first(
        self, load_id: str, part: WriteBatch, steps: list[Step], expect: int | None, chunks: int, items: int
    ) -> Work[None]:
        def work(tx: ManagedTransaction) -> None:
            locked = tx.run(LOCK_FOR_LOAD).single(strict=True)
            check_writable(locked["load"], locked["version"], expect)
            tx.run(START_LOAD, id=load_id, pid=os.getpid(), host=HOST, chunks=chunks, items=items).consume()
            self._apply(tx, load_id, 0, part, steps)

        return work

    def _chunk(self, load_id: str, index: int, part: WriteBatch, steps: list[Step]) -> Work[None]:
        def work(tx: ManagedTransaction) -> None:
            record = self._claim(tx, load_id, "running")
            if record["chunks_done"] == index + 1:
                return  # this chunk committed already (the driver ran it again after a lost reply)
            if record["chunks_done"] != index:
                raise StoreError(f"load {load_id} is at chunk {record['chunks_done']}, not {index}")
            self._apply(tx, load_id, index, part, steps)

        return work

    def _apply(self, tx: ManagedTransaction, load_id: str, index: int, part: WriteBatch, steps: list[Step]) -> None:
        undo = capture_undo(tx, part, self._batch_size)
        tx.run(SAVE_UNDO, uid=f"{load_id}/{index}", id=load_id, chunk=index, data=encode(undo)).consume()
        run_steps(tx, steps)
        tx.run(CHUNK_DONE, id=load_id, done=index + 1).consume()

    def _commit(self, load_id: str) -> Work[int]:
        def work(tx: ManagedTransaction) -> int:
            self._claim(tx, load_id, "running")
            version: int = tx.run(COMMIT_LOAD, id=load_id).single(strict=True)["version"]
            return version

        return work

    def _claim(self, tx: ManagedTransaction, load_id: str, state: str) -> dict[str, Any]:
        """Lock this process's load record; fail unless it is still in ``state`` and ours."""
        row = tx.run(CLAIM, id=load_id).single()
        record: dict[str, Any] | None = None if row is None else dict(row["load"])
        if record is None or record["state"] != state or record["pid"] != os.getpid() or record["host"] != HOST:
            raise StoreError(
                f"load {load_id} was taken over or removed by another process (recovery or clear); stopped",
                message_zh="本次导入已被其他进程接管或清除，已停止",
            )
        return record

    def _finish(self, load_id: str) -> None:
        """A committed load's undo records and record, deleted a transaction each."""
        for uid in self._undo_ids(load_id):
            self._run_write("delete a load's undo record", _consume(DROP_UNDO, uid=uid))
        self._run_write("delete a load record", _consume(DROP_LOAD, id=load_id))

    def _undo_ids(self, load_id: str) -> list[str]:
        def work(tx: ManagedTransaction) -> list[str]:
            return [r["uid"] for r in tx.run(UNDO_CHUNKS, id=load_id)]

        ids: list[str] = self._run_read("list a load's undo records", work)
        return ids

    # ------------------------------------------------------------ rolling back

    def _roll_back_after_failure(self, load_id: str) -> None:
        """Undo this process's failed load now; if that fails too (the server is gone), the
        record stays for recovery, and the original error is what the caller sees."""
        try:
            if self._run_write("roll a load back", self._take_over(load_id)):
                self._roll_back(load_id)
        except Exception as exc:
            LOG.error(
                "load %s failed and could not be rolled back now (%s); "
                "`gongzhi load --recover` or the next write rolls it back",
                load_id,
                type(exc).__name__,
            )

    def _take_over(self, load_id: str) -> Work[bool]:
        """Mark this process's own load as rolling back; False when another process took it
        over meanwhile (a recovery that judged it stale): that one rolls it back."""

        def work(tx: ManagedTransaction) -> bool:
            row = tx.run(INSPECT, id=load_id).single()
            record = None if row is None else row["load"]
            if record is None or record["pid"] != os.getpid() or record["host"] != HOST or record["state"] == "done":
                return False
            tx.run(TAKE_OVER, id=load_id, pid=os.getpid(), host=HOST).consume()
            return True

        return work

    def _roll_back(self, load_id: str) -> int:
        """Undo the load's committed chunks, newest first, then free the store; how many."""
        undone = 0
        for uid in self._undo_ids(load_id):

            def work(tx: ManagedTransaction, uid: str = uid) -> None:
                self._claim(tx, load_id, "rolling_back")
                row = tx.run(READ_UNDO, uid=uid).single()
                if row is None:
                    return  # undone already
                run_steps(tx, write_steps(decode(bytes(row["data"])), self._batch_size))
                tx.run(DROP_UNDO, uid=uid).consume()

            self._run_write("roll back a load's chunk", work)
            undone += 1

        def end(tx: ManagedTransaction) -> None:
            self._claim(tx, load_id, "rolling_back")
            tx.run(END_ROLLBACK, id=load_id).consume()
            tx.run(DROP_LOAD, id=load_id).consume()

        self._run_write("end a load's rollback", end)
        return undone

    # ------------------------------------------------------------ records and recovery

    def records(self) -> list[LoadStatus]:
        def work(tx: ManagedTransaction) -> list[LoadStatus]:
            rows = sorted(tx.run(LOAD_RECORDS), key=lambda r: (r["load"].get("started") or 0, r["load"]["id"]))
            return [self._status(dict(r["load"]), r["now"]) for r in rows]

        found: list[LoadStatus] = self._run_read("read the load records", work)
        return found

    def in_progress(self) -> LoadStatus | None:
        """The load that holds the store (running or being rolled back), if any."""
        return next((s for s in self.records() if s.state != "done"), None)

    def refusal(self, load_id: str) -> LoadInProgress:
        status = next((s for s in self.records() if s.id == load_id), None)
        if status is None:
            what = f"load {load_id}"
        else:
            what = (
                f"load {status.id}, process {status.pid} on {status.host}, started {status.started}, "
                f"{status.chunks_done}/{status.chunks_total} chunks written, {status.state}"
            )
        return LoadInProgress(
            f"a load is in progress on Neo4j at {self._where} ({what}); nothing was written, try again when it is "
            "done (a load whose process is gone is rolled back by `gongzhi load --recover`)"
        )

    def recover(self, only: str | None = None) -> list[Recovery]:
        """Roll back stale loads (finish committed ones); report live ones. ``only``: that load."""
        done: list[Recovery] = []
        for status in self.records():
            if only is not None and status.id != only:
                continue
            if not status.stale:
                done.append(Recovery(status, "running"))
                continue
            claimed: LoadStatus | None = self._run_write("take a stale load over", self._take_if_stale(status.id))
            if claimed is None:
                continue  # gone meanwhile: another recovery got there first
            if not claimed.stale:
                done.append(Recovery(claimed, "running"))
                continue
            _ACTIVE.add(status.id)
            try:
                if claimed.state == "done":
                    self._finish(status.id)
                    done.append(Recovery(claimed, "finished"))
                else:
                    done.append(Recovery(claimed, "rolled_back", self._roll_back(status.id)))
            finally:
                _ACTIVE.discard(status.id)
            LOG.info("load %s recovered: %s", status.id, done[-1].action)
        return done

    def _take_if_stale(self, load_id: str) -> Work[LoadStatus | None]:
        """Under the record's lock: still stale? Then it is ours (to roll back or finish)."""

        def work(tx: ManagedTransaction) -> LoadStatus | None:
            row = tx.run(INSPECT, id=load_id).single()
            if row is None:
                return None
            status = self._status(dict(row["load"]), row["now"])
            if status.stale:
                tx.run(TAKE_OVER, id=load_id, pid=os.getpid(), host=HOST).consume()
            return status

        return work

    def _status(self, record: dict[str, Any], now: int) -> LoadStatus:
        age = max(0.0, (now - int(record.get("heartbeat") or 0)) / 1000)
        started = dt.datetime.fromtimestamp(int(record.get("started") or 0) / 1000, dt.UTC)
        return LoadStatus(
            id=str(record["id"]),
            state=str(record.get("state")),
            pid=int(record.get("pid") or 0),
            host=str(record.get("host")),
            started=started.isoformat(timespec="seconds"),
            heartbeat_age=age,
            chunks_done=int(record.get("chunks_done") or 0),
            chunks_total=int(record.get("chunks_total") or 0),
            items=int(record.get("items") or 0),
            stale=_is_stale(record, age, self._stale),
        )


def _is_stale(record: dict[str, Any], age: float, limit: float) -> bool:
    """Its process is gone (same host; this process: not one of its live loads), or its
    heartbeat is older than ``limit`` seconds."""
    if record.get("host") == HOST:
        pid = int(record.get("pid") or 0)
        if pid == os.getpid():
            return record["id"] not in _ACTIVE
        if not _alive(pid):
            return True
    return age > limit


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process its parent has not reaped yet is gone all the same
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0] != "Z"
    except (OSError, IndexError):
        return True


def _consume(cypher: str, **params: Any) -> Work[None]:
    def work(tx: ManagedTransaction) -> None:
        tx.run(cypher, params).consume()

    return work



"""Recording a request's store calls, and replaying its Cypher with the bare driver.

``RecordingStore`` wraps the API's store while a request is sent once in-process; the
``Statement`` list it keeps (Cypher, parameters, rows) is what ``RawReplay`` runs again on
the ``neo4j`` driver alone: "the same Cypher with the same result" of figure 4, and the
store calls per request of figure 5.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.query import Query, Row
from graph.records import Degrees, Stats, StoredNode, StoredRel, WriteBatch
from graph.select import Scope, Select, SelectResult
from graph.store import Store

if TYPE_CHECKING:
    from neo4j import Driver



# ---------------------------------------------------------------- recording the store's calls


@dataclass
class Statement:
    """One ``Store.run`` of a request: its Cypher, parameters and the rows it returned."""

    query: str  # the registered query's name
    cypher: str
    params: dict[str, Any]
    rows: list[Row] | None = None  # None: the call failed


@dataclass
class Capture:
    statements: list[Statement] = field(default_factory=list)
    #: calls of other store methods (each a round trip the raw replay does not repeat)
    other_calls: list[str] = field(default_factory=list)

    @property
    def store_calls(self) -> int:
        return len(self.statements) + len(self.other_calls)


class RecordingStore(Store):
    """A store that records every call made through it, for the request being captured.

    The API runs store calls in threads, several at once (``ScopedData._in_wave``), so the
    record is kept under a lock, in the order the calls started.
    """

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.kind = inner.kind
        # the raw side replays the statements one at a time, and the timed server runs them so
        # too (bench.server); the recorded request does the same
        self.read_concurrency = 1
        self._lock = threading.Lock()
        self.capture = Capture()

    def start(self) -> Capture:
        """A fresh record for the next request."""
        with self._lock:
            self.capture = Capture()
            return self.capture

    def _other(self, name: str) -> None:
        with self._lock:
            self.capture.other_calls.append(name)

    def run(self, query: Query, params: Mapping[str, Any] | None = None) -> list[Row]:
        statement = Statement(query.name, query.cypher, dict(params or {}))
        with self._lock:
            self.capture.statements.append(statement)
        rows = self.inner.run(query, params)
        statement.rows = rows
        return rows

    def ping(self) -> None:
        self._other("ping")
        self.inner.ping()

    def close(self) -> None:
        self.inner.close()

    def apply_schema(self) -> list[str]:
        self._other("apply_schema")
        return self.inner.apply_schema()

    def find_ids(self, label: str, ids: Sequence[str]) -> set[str]:
        self._other("find_ids")
        return self.inner.find_ids(label, ids)

    def fetch_nodes(self, label: str, ids: Sequence[str]) -> dict[str, StoredNode]:
        self._other("fetch_nodes")
        return self.inner.fetch_nodes(label, ids)

    def fetch_rels(self, rel_type: str, from_label: str, from_ids: Sequence[str]) -> dict[str, StoredRel]:
        self._other("fetch_rels")
        return self.inner.fetch_rels(rel_type, from_label, from_ids)

    def source_items(self, source: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        self._other("source_items")
        return self.inner.source_items(source)

    def fetch_meta(self, label: str, ids: Sequence[str], rel_type: str | None = None) -> dict[str, dict[str, Any]]:
        self._other("fetch_meta")
        return self.inner.fetch_meta(label, ids, rel_type)

    def fetch_rels_by_key(self, rel_type: str, keys: Sequence[str]) -> dict[str, StoredRel]:
        self._other("fetch_rels_by_key")
        return self.inner.fetch_rels_by_key(rel_type, keys)

    def attached_rels(self, label: str, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        self._other("attached_rels")
        return self.inner.attached_rels(label, ids)

    def select(self, plan: Select, scope: Scope) -> SelectResult:
        self._other("select")
        return self.inner.select(plan, scope)

    def version(self) -> int:
        self._other("version")
        return self.inner.version()

    def write(self, batch: WriteBatch, *, expect_version: int | None = None) -> int:
        self._other("write")
        return self.inner.write(batch, expect_version=expect_version)

    def stats(self) -> Stats:
        self._other("stats")
        return self.inner.stats()

    def degrees(self) -> Degrees:
        # not a request's call: the cost limit's counts, read once per process and refreshed
        # in the background (api/graphql/fanout.py), so no request's replay repeats it
        return self.inner.degrees()

    def is_empty(self) -> bool:
        self._other("is_empty")
        return bool(self.inner.is_empty())

    def clear(self) -> None:
        raise RuntimeError("the API bench never clears the database")


# ---------------------------------------------------------------- the raw driver


class RawReplay:
    """The statements of one request run by the bare driver: one session, one read
    transaction per statement (as the store does), every record materialised."""

    def __init__(self, driver: Driver, database: str, statements: Sequence[Statement]) -> None:
        from graph.neo4j_cypher import to_param

        self.driver, self.database = driver, database
        # converted once, outside the timed calls: the minimum the driver itself needs
        self.steps = [(s.cypher, to_param(dict(s.params))) for s in statements]

    def rows(self) -> list[list[Any]]:
        """Every statement's records (``neo4j.Record``), in order."""
        out: list[list[Any]] = []
        with self.driver.session(database=self.database) as session:
            for cypher, params in self.steps:

                def work(tx: Any, cypher: str = cypher, params: dict[str, Any] = params) -> list[Any]:
                    return list(tx.run(cypher, params))

                out.append(session.execute_read(work))
        return out

    def timed(self) -> float:
        started = time.perf_counter()
        self.rows()
        return time.perf_counter() - started

    def same_as(self, statements: Sequence[Statement]) -> str | None:
        """None when the raw rows equal what the store returned; else where they differ."""
        from graph.neo4j_store import to_plain

        for i, (records, s) in enumerate(zip(self.rows(), statements, strict=True)):
            plain = [{k: to_plain(v) for k, v in zip(r.keys(), r, strict=True)} for r in records]
            if plain != s.rows:
                n = -1 if s.rows is None else len(s.rows)
                return f"statement {i + 1} ({s.query}): raw driver {len(plain)} rows, the store's {n} rows, not equal"
        return None

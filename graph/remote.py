"""The embedded store read through a running ``gongzhi serve``: the CLI's fast path.

Opening the embedded store means reading the whole graph into memory (a district: 2-10 s),
which a CLI command would do again on every run. A server on the same data directory holds
it already, so it also listens on a Unix socket there (``<data_dir>/serve.sock``, mode 0600,
``api/cli_socket.py``), and the CLI's read commands open the store through ``open_reader``:
a ``RemoteStore`` when that socket answers, the embedded store itself otherwise (no server,
or a server killed without removing its socket: connecting is refused and the CLI reads the
files as before).

A ``RemoteStore`` sends each read of the ``Store`` interface as one message
(``graph/wire.py``): the method, and for ``run`` the query's registered name with a
fingerprint of its Cypher text, never code. The server runs it on its open store, which
catches up with what other processes wrote before it reads (``EmbeddedStore._reader``), so a
load from the CLI is seen by the next remote read. Every reply carries the store version it
was read at (``last_version``). Writes are refused: writers open the store themselves, under
its writer lock. If the server goes away mid-command, or does not know a query (a server
started from other code), the read is made on the embedded store directly, opened then.

The path is embedded only: on Neo4j the CLI already talks to the database server.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from graph import errors
from graph.errors import StoreError
from graph.query import Query, Row
from graph.records import Degrees, Stats, StoredNode, StoredRel, WriteBatch
from graph.select import Scope, Select, SelectResult
from graph.settings import Settings
from graph.store import Store, open_store
from graph.wire import REPLY_TIMEOUT_SECONDS, WireError, connect, exchange, hello, socket_path

#: the reads a server answers; everything else of ``Store`` is refused by both sides
READ_METHODS = frozenset(
    {
        "ping", "version", "stats", "degrees", "run", "find_ids", "fetch_nodes", "fetch_rels",
        "fetch_meta", "fetch_rels_by_key", "source_items", "attached_rels", "is_empty",
    }
)

T = TypeVar("T")



def fingerprint(query: Query) -> str:
    """What the two sides compare besides the name: a server started from code whose query of
    that name is another text answers another question, and is not asked it."""
    return hashlib.sha256(f"{query.name}\0{query.cypher}".encode()).hexdigest()[:16]


class _Fallback(Exception):
    """The server cannot answer this read: make it on the store directly."""


class RemoteStore(Store):
    """The ``Store`` read interface over the socket of a server holding the embedded store."""

    kind = "embedded"

    def __init__(self, data_dir: Path, sock: socket.socket, greeting: Mapping[str, Any]) -> None:
        self.data_dir = Path(data_dir)
        self._sock: socket.socket | None = sock
        self._sock.settimeout(REPLY_TIMEOUT_SECONDS)
        self._mutex = threading.Lock()  # one exchange at a time (a roll-up reads from threads)
        self._direct: Store | None = None
        #: the store version the last reply was read at
        self.last_version: int = int(greeting.get("version", 0))
        #: how many reads went through the socket (tests and ``GONGZHI_DEBUG`` look)
        self.remote_calls = 0

    @classmethod
    def connect(cls, data_dir: Path) -> RemoteStore | None:
        sock = connect(socket_path(data_dir))
        if sock is None:
            return None
        greeting = hello(sock)
        if greeting is None:
            sock.close()
            return None
        return cls(data_dir, sock, greeting)

    @property
    def remote(self) -> bool:
        """Whether reads still go through the socket (False once fallen back)."""
        return self._sock is not None

    def _call(self, method: str, args: Sequence[Any], direct: Callable[[Store], T]) -> T:
        with self._mutex:
            if self._sock is not None:
                try:
                    value: T = self._ask(method, args)
                    self.remote_calls += 1
                    return value
                except (OSError, WireError):
                    self._sock.close()
                    self._sock = None  # the server went away: every later read is direct
                except _Fallback:
                    pass
            if self._direct is None:
                from graph.embedded import EmbeddedStore  # networkx: only when it is needed

                self._direct = EmbeddedStore(self.data_dir, read_only=True)
            return direct(self._direct)

    def _ask(self, method: str, args: Sequence[Any]) -> Any:
        assert self._sock is not None
        reply = exchange(self._sock, {"method": method, "args": list(args)})
        if "error" in reply:
            raise _error(reply["error"])
        if "ok" not in reply:
            raise WireError("malformed reply: neither ok nor error")
        version = reply.get("version")
        if isinstance(version, int):
            self.last_version = version
        return reply["ok"]

    # ------------------------------------------------------------ reads

    def ping(self) -> None:
        self._call("ping", [], lambda s: s.ping())

    def close(self) -> None:
        with self._mutex:
            if self._sock is not None:
                self._sock.close()
                self._sock = None
            if self._direct is not None:
                self._direct.close()

    def version(self) -> int:
        return int(self._call("version", [], lambda s: s.version()))

    def run(self, query: Query, params: Mapping[str, Any] | None = None) -> list[Row]:
        plain = dict(params or {})
        rows: list[Row] = self._call("run", [query.name, fingerprint(query), plain], lambda s: s.run(query, plain))
        return rows

    def stats(self) -> Stats:
        got: Stats = self._call("stats", [], lambda s: s.stats())
        return got

    def degrees(self) -> Degrees:
        got: Degrees = self._call("degrees", [], lambda s: s.degrees())
        return got

    def select(self, plan: Select, scope: Scope) -> SelectResult:
        """A compiled plan (``graph/select.py``) is read from the files directly: the socket
        carries registered queries only, and the CLI asks nothing else."""
        with self._mutex:
            if self._direct is None:
                from graph.embedded import EmbeddedStore

                self._direct = EmbeddedStore(self.data_dir, read_only=True)
            return self._direct.select(plan, scope)

    def is_empty(self) -> bool:
        return bool(self._call("is_empty", [], lambda s: s.is_empty()))

    def find_ids(self, label: str, ids: Sequence[str]) -> set[str]:
        got: set[str] = self._call("find_ids", [label, list(ids)], lambda s: s.find_ids(label, ids))
        return got

    def fetch_nodes(self, label: str, ids: Sequence[str]) -> dict[str, StoredNode]:
        got: dict[str, StoredNode] = self._call("fetch_nodes", [label, list(ids)], lambda s: s.fetch_nodes(label, ids))
        return got

    def fetch_rels(self, rel_type: str, from_label: str, from_ids: Sequence[str]) -> dict[str, StoredRel]:
        got: dict[str, StoredRel] = self._call(
            "fetch_rels", [rel_type, from_label, list(from_ids)], lambda s: s.fetch_rels(rel_type, from_label, from_ids)
        )
        return got

    def fetch_meta(self, label: str, ids: Sequence[str], rel_type: str | None = None) -> dict[str, dict[str, Any]]:
        got: dict[str, dict[str, Any]] = self._call(
            "fetch_meta", [label, list(ids), rel_type], lambda s: s.fetch_meta(label, ids, rel_type)
        )
        return got

    def fetch_rels_by_key(self, rel_type: str, keys: Sequence[str]) -> dict[str, StoredRel]:
        got: dict[str, StoredRel] = self._call(
            "fetch_rels_by_key", [rel_type, list(keys)], lambda s: s.fetch_rels_by_key(rel_type, keys)
        )
        return got

    def source_items(self, source: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        got: tuple[dict[str, set[str]], dict[str, set[str]]] = self._call(
            "source_items", [source], lambda s: s.source_items(source)
        )
        return got

    def attached_rels(self, label: str, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        got: list[tuple[str, str, str]] = self._call(
            "attached_rels", [label, list(ids)], lambda s: s.attached_rels(label, ids)
        )
        return got

    # ------------------------------------------------------------ writes: refused

    def _refuse(self) -> StoreError:
        return StoreError(
            f"the store at {self.data_dir} was opened for reading through the running server; "
            "writes open the store themselves",
            message_zh="通过运行中的服务打开的存储只能读取；写入须直接打开存储",
        )

    def apply_schema(self) -> list[str]:
        raise self._refuse()

    def write(self, batch: WriteBatch, *, expect_version: int | None = None) -> int:
        raise self._refuse()

    def clear(self) -> None:
        raise self._refuse()


def _error(detail: Any) -> Exception:
    """The exception a server's error reply stands for: the project's own (the message the
    direct read would have given), or ``_Fallback`` for what only a direct read can answer."""
    if not isinstance(detail, dict):
        return WireError("malformed error reply")
    if detail.get("fallback"):
        return _Fallback()
    cls = getattr(errors, str(detail.get("type")), None)
    message, message_zh = str(detail.get("message", "")), detail.get("message_zh")
    if isinstance(cls, type) and issubclass(cls, errors.GongzhiError) and not issubclass(cls, errors.ValidationFailed):
        return cls(message, message_zh=message_zh if isinstance(message_zh, str) else None)
    return StoreError(message or "the server could not answer", message_zh="本地服务无法回答")


def open_reader(settings: Settings) -> Store:
    """The store for a read-only command: through a running server's socket when the store is
    embedded and one answers, else the store opened read-only (``open_store``)."""
    if settings.store == "embedded":
        remote = RemoteStore.connect(settings.data_dir)
        if remote is not None:
            return remote
    return open_store(settings, read_only=True)

"""The server's side of the CLI's fast path: a Unix socket in the embedded store's directory.

``gongzhi serve`` on the embedded store holds the whole graph in memory; the CLI's read
commands ask it over ``<data_dir>/serve.sock`` instead of reading the graph again
(``graph/remote.py`` is the client, ``graph/wire.py`` the format). Each request names a
``Store`` read (``graph.remote.READ_METHODS``); a query travels as its registered name
(``queries.registry``, ``api.graphql.reads``) with a fingerprint of its Cypher, never as
code. One more request, ``cli``, is a whole ``member`` or ``coverage`` command for the CLI's
front door (``api/cli_fast.py``): the server prints it as the CLI would (``api/cli_views.py``)
and sends the text, or declines (``fallback``) and the CLI runs the command itself. Reads run
in the server's store threads, taking their turn with the API's users
(``api/graphql/fair.py``, as one user ``cli``), never on the event loop. Recent answers are
kept with the store version they were read at and given again while the store is still at
it (``CACHE_ENTRIES``): a read is a function of the graph and its arguments.

Who may connect: the socket is created with mode 0600 (bound in a private 0700 directory,
then linked into place, so it is never reachable with other permissions), and a connecting
process of another user is dropped (``SO_PEERCRED``). Whoever can connect can read the data
directory's files anyway, so the socket exposes nothing new (docs/security.md).

One socket per data directory: a server finding a live one leaves it alone (and does not
listen); one finding a stale one (its server killed) replaces it. Starting is serialised by
a lock file, so two servers starting at once do not both take it. On shutdown the socket is
removed if it is still this server's.
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import json
import logging
import os
import shutil
import socket
import struct
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from api.cli_views import NotForTheServer
from graph.errors import GongzhiError, NotFound
from graph.query import Query
from graph.remote import READ_METHODS, fingerprint
from graph.store import Store
from graph.wire import (
    MAX_REQUEST_BYTES,
    PROTOCOL,
    WireError,
    bindable,
    connect,
    encode,
    hello,
    length,
    pack,
    socket_path,
    unpack,
)

log = logging.getLogger("gongzhi.api")

Runner = Callable[..., Awaitable[Any]]
START_LOCK = "serve.sock.lock"
#: the API's fair turns know callers by user; the CLI's reads queue as one
CLI_USER = "cli"
#: Recent answers kept, reused while the store is at the version they were read at: a read is
#: a function of the graph and its arguments, and an organizer runs the same command again (or
#: ``coverage`` then ``gaps``, which share their counts); a large list is not kept.
CACHE_ENTRIES = 256
CACHE_MAX_ROWS = 2000


class CliSocket:
    """Listens on ``<data_dir>/serve.sock`` and answers reads on ``store``.

    ``runner(fn, *args)`` runs a blocking call off the event loop (the app passes its fair
    scheduler); ``queries`` is every registered query by name."""

    def __init__(self, data_dir: Path, store: Callable[[], Store], runner: Runner, queries: Mapping[str, Query]) -> None:
        self.path = socket_path(data_dir)
        self._store, self._runner, self._queries = store, runner, queries
        self._server: asyncio.AbstractServer | None = None
        self._ino: int | None = None
        #: reads answered (the hello excluded), and the store version of the latest
        self.served = 0
        self.version = 0
        #: answers by (method, arguments), with the store version they were read at
        self._cache: OrderedDict[tuple[str, str], tuple[int, Any]] = OrderedDict()
        self._cache_lock = threading.Lock()

    async def start(self) -> bool:
        """Listen, unless another live server holds the socket; whether this one listens."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.path.parent / START_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if _live(self.path):
                log.info("CLI socket %s belongs to another running server; not listening on it", self.path)
                return False
            for leftover in self.path.parent.glob(".serve.*.tmp"):  # a start killed midway
                shutil.rmtree(leftover, ignore_errors=True)
            self.path.unlink(missing_ok=True)  # stale: its server is gone
            self.version = await self._runner(self._store().version)
            self._server, self._ino = await self._bind()
        finally:
            os.close(lock)  # releases the flock
        log.info("CLI socket: %s", self.path)
        return True

    async def _bind(self) -> tuple[asyncio.AbstractServer, int]:
        """Bind in a private directory, set 0600, then link into place: the socket is never
        reachable at the shared path with looser permissions than 0600."""
        private = Path(tempfile.mkdtemp(prefix=".serve.", suffix=".tmp", dir=self.path.parent))  # 0700
        try:
            tmp = private / "s"
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            name, fd = bindable(tmp)
            try:
                sock.bind(name)
            finally:
                if fd is not None:
                    os.close(fd)
            os.chmod(tmp, 0o600)
            os.link(tmp, self.path)
            extra = {"cleanup_socket": False} if sys.version_info >= (3, 13) else {}
            server = await asyncio.start_unix_server(self._handle, sock=sock, limit=1 << 16, **extra)
            return server, os.stat(self.path).st_ino
        finally:
            shutil.rmtree(private, ignore_errors=True)

    async def close(self) -> None:
        if self._server is None:
            return
        self._server.close()
        try:
            if os.stat(self.path).st_ino == self._ino:
                self.path.unlink()
        except FileNotFoundError:
            pass
        self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if not _same_user(writer):
                return
            while True:
                try:
                    header = await reader.readexactly(4)
                    body = await reader.readexactly(length(header, MAX_REQUEST_BYTES))
                    message = unpack(body)
                except WireError as exc:
                    writer.write(pack({"error": {"type": "WireError", "message": exc.message}}))
                    await writer.drain()
                    return  # the stream cannot be trusted to be in step any more
                writer.write(pack(await self._answer(message)))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    async def _answer(self, message: Mapping[str, Any]) -> dict[str, Any]:
        method, args = message.get("method"), message.get("args")
        store = self._store()
        if method == "hello":  # on the loop, at once: a CLI waits only briefly for it
            info = {"protocol": PROTOCOL, "version": self.version, "served": self.served, "pid": os.getpid()}
            return {"ok": info}
        if method == "cli" and isinstance(args, list) and len(args) == 3:
            call: Callable[[], Any] | dict[str, Any] = functools.partial(_command, store, *args)
        elif method not in READ_METHODS or not isinstance(args, list):
            return _refusal("StoreError", f"not a read the CLI socket answers: {str(method)[:40]!r}")
        elif method == "run":
            call = self._query_call(store, args)
        else:
            call = functools.partial(getattr(store, str(method)), *args)
        if isinstance(call, dict):
            return call

        key = (str(method), json.dumps(encode(args), sort_keys=True, ensure_ascii=False))

        def read() -> tuple[Any, int]:
            version = store.version()  # catches up with other writers first
            with self._cache_lock:
                cached = self._cache.get(key)
                if cached is not None and cached[0] == version:
                    self._cache.move_to_end(key)
                    return cached[1], version
            value = call()
            if not isinstance(value, list | dict | set) or len(value) <= CACHE_MAX_ROWS:
                with self._cache_lock:
                    self._cache[key] = (version, value)
                    while len(self._cache) > CACHE_ENTRIES:
                        self._cache.popitem(last=False)
            return value, version

        try:
            value, version = await self._runner(read)
        except NotForTheServer:
            return _refusal("StoreError", "the CLI answers this command itself", fallback=True)
        except GongzhiError as exc:
            return {"error": {"type": type(exc).__name__, "message": exc.message, "message_zh": exc.message_zh}}
        except Exception as exc:  # a bad argument, a bug: its type only, never its values
            log.warning("CLI socket: %s failed: %s", method, type(exc).__name__)
            return _refusal("StoreError", f"the server could not answer {method} ({type(exc).__name__})")
        self.served += 1
        self.version = max(self.version, version)
        return {"ok": value, "version": version}

    def _query_call(self, store: Store, args: list[Any]) -> Callable[[], Any] | dict[str, Any]:
        """The registered query a ``run`` names, or the refusal: the client then reads directly."""
        if len(args) != 3 or not isinstance(args[2], dict):
            return _refusal("StoreError", "run takes a query name, its fingerprint and parameters")
        name, print_, params = args
        query = self._queries.get(name) if isinstance(name, str) else None
        if query is None:
            shown = str(name)[:80]
            return _refusal(
                NotFound.__name__, f"no query registered as {shown!r}", f"没有名为 {shown} 的已注册查询", fallback=True
            )
        if print_ != fingerprint(query):
            return _refusal("StoreError", f"query {name!r} differs from the server's", fallback=True)
        return functools.partial(store.run, query, params)


def _command(store: Store, command: Any, params: Any, console: Any) -> str:
    """What ``gongzhi <command>`` prints (``api/cli_views.py``), in the CLI's console and
    language: one request for the whole command instead of a store read per question."""
    from api.cli_views import answer, buffer_console

    return answer(store, command, params, *buffer_console(console))


def _refusal(kind: str, message: str, message_zh: str | None = None, *, fallback: bool = False) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "message": message}
    if message_zh:
        error["message_zh"] = message_zh
    if fallback:
        error["fallback"] = True
    return {"error": error}


def _live(path: Path) -> bool:
    """Whether a server answers on ``path`` (a stale socket refuses the connection)."""
    sock = connect(path)
    if sock is None:
        return False
    try:
        return hello(sock) is not None
    finally:
        sock.close()


def _same_user(writer: asyncio.StreamWriter) -> bool:
    """Whether the connecting process runs as this server's user (Linux ``SO_PEERCRED``;
    elsewhere the socket's 0600 mode alone decides)."""
    sock = writer.get_extra_info("socket")
    option = getattr(socket, "SO_PEERCRED", None)
    if sock is None or option is None:
        return True
    creds = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == os.getuid())


def registered_queries() -> dict[str, Query]:
    """Every query a CLI read may name: the domain's and the API's."""
    from api.graphql.reads import READS
    from queries.registry import QUERIES

    return {**READS, **QUERIES}

"""The CLI socket's wire format: length-prefixed JSON with explicit tags, never pickle.

A message is a 4-byte big-endian length and that many bytes of UTF-8 JSON. JSON alone
would lose what the rows carry (a ``datetime.date`` becomes a string, a tuple a list, a dict
keyed by tuples cannot be written), and the CLI must print exactly what it prints when it
reads the store itself; so every value that is not a plain JSON scalar, list or string-keyed
dict travels as a one-key object naming its type::

    {"$date": "2021-06-30"}   {"$datetime": "..."}   {"$tuple": [...]}   {"$set": [...]}
    {"$dict": [[key, value], ...]}            (keys not all strings, or one starting with "$")
    {"$rec": "StoredNode", "fields": {...}}   (the store's record types, by an allow-list)

Anything else is refused (``WireError``) on both sides: decoding builds only these types, so
a message can never make the reader run code, and an unknown tag is an error, not a guess.

The connection's plumbing is here too (``connect``, ``exchange``, ``hello``): the CLI's front
door (``api/cli_fast.py``) speaks to the server with this module alone, without the store.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import stat
import struct
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from graph.errors import StoreError
from graph.records import Degrees, LoadStatus, Stats, StoredNode, StoredRel

#: bumped whenever a message's meaning changes: a CLI and a server that differ do not talk
PROTOCOL = 1
HEADER = struct.Struct(">I")
#: a request is a method name and a few ids; a reply may hold a large area's rows
MAX_REQUEST_BYTES = 16 << 20
MAX_REPLY_BYTES = 1 << 30

_RECORDS: dict[str, type] = {cls.__name__: cls for cls in (StoredNode, StoredRel, Stats, Degrees, LoadStatus)}
_SCALARS = (str, int, float, bool, type(None))

SOCKET = "serve.sock"
#: a live server answers its hello at once; one that does not within this is treated as absent
HELLO_TIMEOUT_SECONDS = 2.0
#: a read at city scale takes seconds; this only bounds a server that stopped answering
REPLY_TIMEOUT_SECONDS = 600.0
#: the longest path ``bind``/``connect`` take (``sun_path`` is 108 bytes on Linux)
MAX_SOCKET_PATH = 100


class WireError(StoreError):
    """A message that is not in the wire format (or too large): the connection is dropped."""

    message_zh = "本地服务通信出错"


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data with the tags above."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, datetime):  # before date: a datetime is a date
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, set | frozenset):
        return {"$set": [encode(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if _RECORDS.get(type(value).__name__) is type(value) and dataclasses.is_dataclass(value):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$rec": type(value).__name__, "fields": fields}
    raise WireError(f"cannot send a value of type {type(value).__name__} over the CLI socket")


def _tuple(v: Any) -> tuple[Any, ...]:
    return tuple(decode(x) for x in _list(v))


def _list(v: Any) -> list[Any]:
    if not isinstance(v, list):
        raise WireError("malformed message: a tagged sequence is not a list")
    return v


def _set(v: Any) -> set[Any]:
    return {decode(x) for x in _list(v)}


def _dict(v: Any) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for pair in _list(v):
        if not isinstance(pair, list) or len(pair) != 2:
            raise WireError("malformed message: a $dict entry is not a [key, value] pair")
        out[decode(pair[0])] = decode(pair[1])
    return out


_TAGS: dict[str, Callable[[Any], Any]] = {
    "$tuple": _tuple,
    "$set": _set,
    "$dict": _dict,
    "$date": lambda v: date.fromisoformat(_str(v)),
    "$datetime": lambda v: datetime.fromisoformat(_str(v)),
}


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise WireError("malformed message: a tagged date is not a string")
    return v


def decode(value: Any) -> Any:
    """The value ``encode`` was given."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        raise WireError(f"malformed message: a {type(value).__name__}")
    tagged = [k for k in value if k.startswith("$")]
    if not tagged:
        return {k: decode(v) for k, v in value.items()}
    if tagged == ["$rec"] and set(value) == {"$rec", "fields"}:
        cls = _RECORDS.get(value["$rec"])
        fields = value["fields"]
        if cls is None or not isinstance(fields, dict):
            raise WireError(f"malformed message: unknown record {value['$rec']!r}")
        try:
            return cls(**{k: decode(v) for k, v in fields.items()})
        except TypeError as exc:
            raise WireError(f"malformed message: bad fields for {value['$rec']}") from exc
    if len(value) != 1 or tagged[0] not in _TAGS:
        raise WireError(f"malformed message: unknown tag {tagged[0]!r}")
    try:
        return _TAGS[tagged[0]](value[tagged[0]])
    except (ValueError, TypeError) as exc:
        raise WireError(f"malformed message: bad {tagged[0]} value") from exc


def pack(message: dict[str, Any]) -> bytes:
    """One message: its length, then its JSON (values tagged by ``encode``)."""
    body = json.dumps(encode(message), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HEADER.pack(len(body)) + body


def unpack(body: bytes) -> dict[str, Any]:
    """The message whose JSON is ``body`` (the length already read)."""
    try:
        message = decode(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WireError("malformed message: not UTF-8 JSON") from exc
    if not isinstance(message, dict):
        raise WireError("malformed message: not an object")
    return message


def length(header: bytes, limit: int) -> int:
    """The length a header announces, refused over ``limit``."""
    (n,) = HEADER.unpack(header)
    if n > limit:
        raise WireError(f"message of {n:,} bytes is over the limit of {limit:,}")
    return int(n)


def socket_path(data_dir: Path) -> Path:
    return Path(data_dir) / SOCKET


def bindable(path: Path) -> tuple[str, int | None]:
    """A name ``bind``/``connect`` accept for ``path``, and a directory descriptor to close
    after: a long data directory (tests' temporary ones) is reached through its descriptor
    (``/proc/self/fd/N/serve.sock``, Linux), since ``sun_path`` holds only 108 bytes."""
    if len(os.fsencode(str(path))) <= MAX_SOCKET_PATH:
        return str(path), None
    if not sys.platform.startswith("linux"):
        raise OSError(f"socket path too long: {path}")
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    return f"/proc/self/fd/{fd}/{path.name}", fd


def connect(path: Path, timeout: float = HELLO_TIMEOUT_SECONDS) -> socket.socket | None:
    """A connection to the server's socket at ``path``, or None: no socket, not a socket, not
    this user's (someone else's socket is never trusted with the CLI's reads), or nobody
    listening (a server killed with ``kill -9`` leaves its socket behind)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISSOCK(st.st_mode) or st.st_uid != os.getuid():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    fd: int | None = None
    try:
        name, fd = bindable(path)
        sock.connect(name)
    except OSError:
        sock.close()
        return None
    finally:
        if fd is not None:
            os.close(fd)
    return sock


def exchange(sock: socket.socket, message: dict[str, Any]) -> dict[str, Any]:
    """Send one message and read its reply; ``OSError`` if the connection fails."""
    sock.sendall(pack(message))
    header = _read(sock, 4)
    return unpack(_read(sock, length(header, MAX_REPLY_BYTES)))


def _read(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def hello(sock: socket.socket) -> dict[str, Any] | None:
    """The server's greeting (protocol, the store version of its latest answer, reads
    served), or None if it does not answer in time or speaks another protocol."""
    try:
        reply = exchange(sock, {"method": "hello", "args": [], "protocol": PROTOCOL})
    except (OSError, WireError):
        return None
    info = reply.get("ok")
    if not isinstance(info, dict) or info.get("protocol") != PROTOCOL:
        return None
    return info

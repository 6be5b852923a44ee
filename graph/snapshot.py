"""The embedded store's snapshot: the whole graph in one checked file, replaced atomically.

``graph.snapshot`` is ``MAGIC``, the SHA-256 of the payload, then the payload: a pickle of
``{"nodes": {id: attributes}, "adj": {u: {v: {key: attributes}}}, "version": n}`` (networkx's
own successor dicts, so decoding makes the very dicts the graph keeps: nothing is copied
and no garbage is left behind, and the dicts the graph shares are pickled once and decoded
shared; keys and attributes as ``graph/compact.py`` keeps them) read back through the journal's restricted unpickler (plain containers and ``datetime.date`` only), so
a tampered file cannot run code and a damaged one is reported (``StoreCorrupt``), never
half-read. It is written only by a compaction (``graph.embedded``): a temporary file in the
same directory, flushed and fsynced, renamed over the old one (the commit point), the
directory fsynced. A save killed before the rename leaves the old file and a temporary
``.graph.snapshot.<pid>.tmp``, which the next writer removes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from graph.errors import StoreCorrupt, StoreError
from graph.journal import fsync_dir, safe_loads

SNAPSHOT = "graph.snapshot"
MAGIC = b"GONGZHI-EMBEDDED-4\n"
#: The formats before, read still (``graph.compact.build(..., legacy=True)``): 3 keyed each
#: relationship ``(type, _key)`` and kept ``_key`` and ``_type`` among its attributes; 2 had
#: ``"edges": [(u, v, key, attributes)]`` instead of ``"adj"``.
MAGIC_3 = b"GONGZHI-EMBEDDED-3\n"
MAGIC_2 = b"GONGZHI-EMBEDDED-2\n"

Edge = tuple[str, str, tuple[str, str], dict[str, Any]]
Nodes = dict[str, dict[str, Any]]
#: u -> v -> networkx key (``graph.compact.NxKey``) -> attributes
Adjacency = dict[str, dict[str, dict[tuple[str, str], dict[str, Any]]]]
#: (inode, mtime in ns, size) of the file read: how a reader tells that it was replaced
Stamp = tuple[int, int, int]


def stamp(path: Path) -> Stamp | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def read(path: Path) -> tuple[Nodes, Adjacency, int, Stamp, bool] | None:
    """(nodes, adjacency, version, stamp, legacy: of format 3 or before) of the snapshot at
    ``path``; None if there is none."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            blob = f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read the embedded store at {path.parent}: {exc.strerror}") from None
    head = len(MAGIC)
    if not blob.startswith((MAGIC, MAGIC_3, MAGIC_2)) or len(blob) < head + 32:
        raise StoreCorrupt(f"{path} is not a Gongzhi snapshot")
    digest, payload = blob[head : head + 32], blob[head + 32 :]
    if hashlib.sha256(payload).digest() != digest:
        raise StoreCorrupt(f"{path} fails its checksum; restore it from a backup")
    try:
        legacy = not blob.startswith(MAGIC)
        data = safe_loads(payload)
        del payload, blob  # the decoded graph is what stays
        version = data.get("version", 0)
        if not isinstance(version, int):
            raise ValueError("version is not a number")
        adj = data["adj"] if "adj" in data else _adjacency(data["edges"])
        return data["nodes"], adj, version, (st.st_ino, st.st_mtime_ns, st.st_size), legacy
    except (pickle.UnpicklingError, KeyError, EOFError, TypeError, ValueError, AttributeError) as exc:
        raise StoreCorrupt(f"{path} cannot be decoded: {exc}") from None


def _adjacency(edges: list[Edge]) -> Adjacency:
    """A format-2 snapshot's edge list as the adjacency format 3 stores."""
    adj: Adjacency = {}
    for u, v, key, attrs in edges:
        adj.setdefault(u, {}).setdefault(v, {})[key] = attrs
    return adj


def write(path: Path, nodes: Nodes, adj: Adjacency, version: int) -> Stamp | None:
    """Replace the snapshot atomically; raises only before the rename (the commit point).
    ``nodes`` and ``adj`` may be the live graph's own dicts (the caller keeps writers and
    readers out meanwhile): they are only read. Returns the new file's stamp."""
    payload = pickle.dumps({"nodes": nodes, "adj": adj, "version": version}, protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(MAGIC)
            f.write(hashlib.sha256(payload).digest())
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot save the embedded store at {path.parent}: {exc.strerror}") from None
    with contextlib.suppress(OSError):  # the rename is done: committed for every reader
        fsync_dir(path.parent)
    return stamp(path)

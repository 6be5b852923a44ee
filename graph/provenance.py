"""Where an item's value came from: the meta properties every node and relationship carries.

A reload must tell apart four cases per item (the three-way merge of ``loaders.merge``):
the file unchanged and the item unchanged; the file changed; the item changed in the app
since the file was last loaded; both. For that each item remembers, besides its value:

``_source``  the owner: the file source that loads it (a folder's name, a file's stem or
             ``--source``), or ``app:<user>`` for an item the app created. Prune works by it.
``_hash``    a content hash of the item's value as last written (labels, declared
             properties but not derived ones and, for a node, the targets of its REF columns).
``_base``    present only after the app changed a file-owned item: the hash of what the
             owner source last loaded. Absent means "the same as ``_hash``", so items that
             only files write carry one extra property.
``_by``      present only when the last writer is not the owner (``app:<user>``).

The hash is computed in Python from the records (never by a store), so both stores hold the
same meta for the same history.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from graph.declare import KEY_PROPERTY, SOURCE_PROPERTY
from graph.derived import DERIVED_NAMES

HASH_PROPERTY = "_hash"
BASE_PROPERTY = "_base"
BY_PROPERTY = "_by"
STORED_META = (SOURCE_PROPERTY, HASH_PROPERTY, BASE_PROPERTY, BY_PROPERTY)
"""What ``Store.fetch_meta`` reads of an item: all the three-way merge needs to tell an item
this source loaded and nobody changed since from one whose value must be read."""
META_PROPERTIES = frozenset({SOURCE_PROPERTY, KEY_PROPERTY, HASH_PROPERTY, BASE_PROPERTY, BY_PROPERTY})

APP_PREFIX = "app:"
"""Sources of this form name a user of the app (mutations); a file source may not use it."""


def app_source(user: str) -> str:
    return f"{APP_PREFIX}{user}"


def is_app_source(source: object) -> bool:
    return isinstance(source, str) and source.startswith(APP_PREFIX)


_NOT_CONTENT = META_PROPERTIES | DERIVED_NAMES


def content(props: Mapping[str, Any]) -> dict[str, Any]:
    """The declared properties of an item, without its meta properties and without its derived
    ones (``graph/derived.py``): those follow from the rest, so a store that lacks them (written
    before they were declared) holds the same content, and an unchanged reload writes nothing."""
    return {k: v for k, v in props.items() if k not in _NOT_CONTENT and v is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, check_circular=False, sort_keys=True, default=_plain, separators=(",", ":")
)
# ``JSONEncoder.encode`` builds the C encoder anew on every call, most of the time of hashing a
# large input's records: the same C encoder (what ``encode`` uses), made once, where it exists.
_C_ENCODE: Callable[[object, int], Sequence[str]] | None = (
    None
    if json.encoder.c_make_encoder is None  # type: ignore[attr-defined]
    else json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _plain, json.encoder.encode_basestring, None, ":", ",", True, False, True
    )
)


def _json(payload: object) -> str:
    """``json.dumps(payload, ensure_ascii=False, sort_keys=True, default=_plain, separators=(",", ":"))``."""
    if _C_ENCODE is None:
        return _ENCODER.encode(payload)
    return "".join(_C_ENCODE(payload, 0))


def _digest(payload: object) -> str:
    return hashlib.blake2b(_json(payload).encode(), digest_size=12).hexdigest()


def node_hash(labels: Iterable[str], props: Mapping[str, Any], refs: Mapping[str, str]) -> str:
    """The content hash of a node: its labels, declared properties and REF targets by type."""
    return _digest(["n", sorted(labels), content(props), dict(refs)])


def rel_hash(from_id: str, to_id: str, props: Mapping[str, Any]) -> str:
    """The content hash of a relationship: its ends and declared properties."""
    return _digest(["r", from_id, to_id, content(props)])


def base_of(props: Mapping[str, Any]) -> str | None:
    """What the owner source last loaded, as a hash (None when unknown: written before hashes)."""
    base = props.get(BASE_PROPERTY)
    if isinstance(base, str):
        return base
    current = props.get(HASH_PROPERTY)
    return current if isinstance(current, str) else None


def changed_in_app(props: Mapping[str, Any]) -> bool:
    """Whether the app changed this file-owned item since its source last loaded it."""
    base = props.get(BASE_PROPERTY)
    return isinstance(base, str) and base != props.get(HASH_PROPERTY)

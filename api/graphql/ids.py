"""Relay global ids: ``base64url("<GraphQL type>:<ledger id>")``, and ledger ids accepted too.

Clients may pass either a global id (what ``id`` fields return) or the ledger id itself
(``key`` fields: ``CM-0001``, ``B-0001``) wherever an argument is an ``ID``: a value that
does not decode to ``<known type>:<id>`` is taken as a ledger id.
"""

from __future__ import annotations

import base64
import binascii
import re

_GLOBAL = re.compile(r"^([A-Za-z]+):(.+)$")

#: GraphQL type names that global ids may carry (filled by ``types.base.register``).
TYPE_NAMES: set[str] = set()


def to_global(type_name: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def from_global(value: str) -> tuple[str | None, str]:
    """(type name, ledger id) of a global id; (None, value) for a ledger id."""
    text = value.strip()
    try:
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None, text
    m = _GLOBAL.match(decoded)
    if m is None or m.group(1) not in TYPE_NAMES:
        return None, text
    return m.group(1), m.group(2)


def key_of(value: str) -> str:
    return from_global(value)[1]

"""Redacting what the domain functions return: ids of objects outside the jurisdiction.

The domain functions of ``queries/`` answer for an area the user may see, but their evidence
may name things elsewhere (the community a member reported to instead, a branch of another
district). Such ids are removed from data and replaced in texts by ``（辖区外）/(outside your
area)``, so an object outside the jurisdiction does not even show up by its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

OUTSIDE = "（辖区外 / outside your area）"

#: Fact keys never shown (personal values are never facts; this is a second lock).
PERSONAL_KEYS = {"name", "phone", "id_number"}


def strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from strings(v)


def clean(value: Any, hidden: set[str]) -> Any:
    if isinstance(value, str):
        return None if value in hidden else value
    if isinstance(value, Mapping):
        return {str(k): clean(v, hidden) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, list | tuple | set | frozenset):
        return [clean(v, hidden) for v in value if not (isinstance(v, str) and v in hidden)]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def text(value: str, hidden: set[str]) -> str:
    for h in sorted(hidden, key=len, reverse=True):
        value = value.replace(h, OUTSIDE)
    return value

"""Relay cursor connections: ``edges { cursor node }``, ``pageInfo``, ``totalCount``.

Cursors are opaque offsets into the (scoped, filtered, sorted) list. Page sizes are checked
against ``Limits.max_page`` before anything is read.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Generic, TypeVar

import strawberry

from api.graphql.errors import ClientError
from api.graphql.limits import Limits

T = TypeVar("T")
S = TypeVar("S")

_PREFIX = "cursor:"


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="One item of a connection, with the relationship's facts when it is one.")
class Edge(Generic[T]):
    cursor: str
    node: T
    since: date | None = strawberry.field(default=None, description="relationship start (起始日期)")
    until: date | None = strawberry.field(default=None, description="relationship end (终止日期)")
    role: str | None = strawberry.field(default=None, description="seat or appointment role (职务/岗位)")
    mode: str | None = strawberry.field(default=None, description="property service mode (管理方式)")
    contract_no: str | None = strawberry.field(default=None, description="property contract number (合同编号)")


@strawberry.type(description="A page of items, with the total count of all items.")
class Connection(Generic[T]):
    total_count: int
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of this page, without edges.")
    def nodes(self) -> list[T]:
        return [e.node for e in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith(_PREFIX):
            value = int(text[len(_PREFIX) :])
            if value >= 0:
                return value
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ClientError("invalid cursor (无效的游标)")


def page_size(first: int | None, limits: Limits) -> int:
    """``first`` checked against the limits (refused before any store call), or the default."""
    if first is None:
        return limits.default_page
    if first < 0 or first > limits.max_page:
        raise ClientError(f"first must be between 0 and {limits.max_page} (每页最多 {limits.max_page} 条)")
    return first


def check_page(first: int | None, after: str | None, limits: Limits) -> tuple[int, int]:
    """(offset, size) of the page asked for; raises ``ClientError`` before any read."""
    size = page_size(first, limits)
    start = decode_cursor(after) + 1 if after is not None else 0
    return start, size


def connection(
    items: Sequence[S],
    start: int,
    size: int,
    wrap: Callable[[S], Any],
    facts: Callable[[S], dict[str, Any]] | None = None,
) -> Connection[Any]:
    page = items[start : start + size]
    edges = [
        Edge(cursor=encode_cursor(start + i), node=wrap(item), **(facts(item) if facts else {}))
        for i, item in enumerate(page)
    ]
    return Connection(
        total_count=len(items),
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + size < len(items),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


def window(page: Sequence[S], start: int, size: int, total: int, wrap: Callable[[S], Any]) -> Connection[Any]:
    """A connection over one page already cut from a list of ``total`` items at ``start``."""
    edges = [Edge(cursor=encode_cursor(start + i), node=wrap(item)) for i, item in enumerate(page)]
    return Connection(
        total_count=total,
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + size < total,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )

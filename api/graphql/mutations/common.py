"""What every mutation does around its rows: role check, scoped lookups, writing, failures."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from api.graphql.context import ctx
from api.graphql.ids import key_of
from api.graphql.mutations.results import Refused, invalid, not_allowed, not_found, unavailable
from api.graphql.mutations.write import Row, Written, apply_rows
from api.graphql.scope import Obj
from graph.errors import StoreError, ValidationFailed

P = TypeVar("P")

WHAT = {
    "Person": ("person", "人员"),
    "PartyMember": ("party member", "党员"),
    "PartyOrg": ("party org", "党组织"),
    "Building": ("building", "楼栋"),
    "Entrance": ("entrance", "单元"),
    "Compound": ("compound", "小区"),
    "Community": ("community", "社区"),
    "Place": ("place", "地点"),
    "PropertyFirm": ("property firm", "物业服务企业"),
    "Committee": ("committee", "委员会"),
}


async def run(info: Any, work: Callable[[], Awaitable[P]]) -> Any:
    """The payload of ``work``, or the typed failure it ended with."""
    try:
        if not ctx(info).principal.role.may_write:
            raise not_allowed()
        return await work()
    except Refused as refused:
        return refused.failure


async def find(info: Any, value: str, *labels: str) -> Obj:
    """The visible node ``value`` (global or ledger id) carrying one of ``labels``; else NotFound."""
    key = key_of(value)
    obj = await ctx(info).data.node(key)
    if obj is None or (labels and not any(obj.has(label) for label in labels)):
        what, what_zh = WHAT.get(labels[0], ("object", "对象")) if labels else ("object", "对象")
        raise not_found(key, what, what_zh)
    return obj


async def usable_id(info: Any, key: str, label: str) -> Obj | None:
    """The existing node ``key`` when the user may change it; None when the id is free.

    An id held by a node outside the jurisdiction, or by a node of another kind, cannot be used
    (the answer does not say which)."""
    data = ctx(info).data
    raw = await data.node_loader.load(key)
    if raw is None:
        return None
    if await data.visible(raw) is None or not raw.has(label):
        raise invalid(f"the id {key} cannot be used", f"编号 {key} 不可使用", field="id")
    return raw


async def write(info: Any, rows: Sequence[Row]) -> Written:
    data = ctx(info).data
    try:
        written = await data.call(apply_rows, rows, ctx(info).principal.user)
    except ValidationFailed as exc:
        raise invalid(
            f"{len(exc.issues)} problem(s) in the input; nothing was written",
            f"输入有 {len(exc.issues)} 处错误，未写入任何数据",
            exc.issues,
        ) from None
    except StoreError as exc:
        raise unavailable(exc.message_zh) from None
    data.forget()
    return written


def new_id(prefix: str, *parts: object) -> str:
    """A deterministic id from what identifies the new item, so a retried mutation is idempotent."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:10].upper()
    return f"{prefix}-API-{digest}"


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()

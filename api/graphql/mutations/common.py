"""What every mutation does around its rows: role check, scoped lookups, writing, failures."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, TypeVar

from api.graphql import redact
from api.graphql.context import ctx
from api.graphql.ids import key_of
from api.graphql.mutations.results import Refused, invalid, not_allowed, not_found, unavailable
from api.graphql.mutations.write import Row, Written, apply_rows
from api.graphql.scope import Obj
from graph.errors import Issue, LoadInProgress, StoreError, ValidationFailed

P = TypeVar("P")

#: What an id looks like inside a text (ledger ids: ``B-000001``, ``O-API-1A2B…``).
ID_TOKEN = re.compile(r"[A-Za-z]{1,3}-[A-Za-z0-9-]{2,40}")

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


async def existing(info: Any, value: str | None, label: str) -> Obj | None:
    """The record a mutation is asked to re-register (``id`` given): a visible node of ``label``.

    A client never chooses the id of a new record: an id that exists nowhere, one held outside
    the jurisdiction and one held by another kind of node all answer the same ``NotFound``
    (see docs/security.md, "Outside is absent"), so the answer does not tell which ids exist."""
    if value is None:
        return None
    return await find(info, value, label)


async def fresh_id(info: Any, key: str, label: str) -> Obj | None:
    """The node of a server-made id (``new_id``): None when free, the node when the user may
    change it. Such an id is derived from what the user named (visible objects, their own
    request key), so it is held outside only by a record the same request made before and
    that has since moved away; it answers ``NotFound`` like any id the user may not see."""
    data = ctx(info).data
    raw = await data.node_loader.load(key)
    if raw is None:
        return None
    obj = await data.visible(raw)
    if obj is None or not obj.has(label):
        what, what_zh = WHAT.get(label, ("object", "对象"))
        raise not_found(key, what, what_zh)
    return obj


def request_id(info: Any, prefix: str, request_key: str | None) -> str:
    """The id of a new record: derived from the user, their area and ``request_key`` (so the
    same request retried is idempotent and no other user can aim at it), random without one."""
    if request_key is None:
        return new_id(prefix, uuid.uuid4().hex)
    p = ctx(info).principal
    return new_id(prefix, "request", p.user, p.area, request_key)


#: What a client is told of a write refused during a chunked load (the store's own message
#: names the loader's process and host, which are the operators' business).
LOAD_IN_PROGRESS = "a load is in progress (being written in chunks); nothing was written, try again when it is done"


async def write(info: Any, rows: Sequence[Row]) -> Written:
    data = ctx(info).data
    try:
        written = await data.call(apply_rows, rows, ctx(info).principal.user)
    except ValidationFailed as exc:
        raise invalid(
            f"{len(exc.issues)} problem(s) in the input; nothing was written",
            f"输入有 {len(exc.issues)} 处错误，未写入任何数据",
            await visible_issues(info, exc.issues),
        ) from None
    except LoadInProgress as exc:
        raise unavailable(exc.message_zh, LOAD_IN_PROGRESS) from None
    except StoreError as exc:
        raise unavailable(exc.message_zh) from None
    data.forget()
    return written


async def visible_issues(info: Any, issues: Sequence[Issue]) -> list[Issue]:
    """The loaders' issues with every id of an object the user may not see replaced, in the
    value and in both reasons (a rule of the model may name a membership's org elsewhere)."""
    texts = [t for i in issues for t in (i.value, i.reason, i.reason_zh) if isinstance(t, str)]
    hidden = await ctx(info).data.hidden_ids(t for text in texts for t in ID_TOKEN.findall(text))
    if not hidden:
        return list(issues)
    return [
        replace(
            i,
            value=redact.text(i.value, hidden) if isinstance(i.value, str) else i.value,
            reason=redact.text(i.reason, hidden),
            reason_zh=redact.text(i.reason_zh, hidden) if i.reason_zh else i.reason_zh,
        )
        for i in issues
    ]


def new_id(prefix: str, *parts: object) -> str:
    """A deterministic id from what identifies the new item, so a retried mutation is idempotent."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:10].upper()
    return f"{prefix}-API-{digest}"


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()

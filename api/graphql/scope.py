"""Jurisdiction: the one place where what a user may see is decided, for both stores.

Every read of the API goes through ``ScopedData`` (created per request in the context
getter, with its DataLoaders): nodes by id, navigation along links, the lists of an area and
the ids the domain functions of ``queries/`` return. It asks the store once per request for
the places under the user's area (``api.subtree``) and keeps an object only when one of its
anchors (``api/graphql/reads/anchors.py``) is among them; an object with no anchor is kept
only for users bound to a root area. Everything else does not exist for that user: a node
comes back as ``None`` (GraphQL ``null``, "not found"), a link or list simply lacks it and
``totalCount`` does not count it. Resolvers never check scope themselves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from api.auth import Principal
from api.graphql.errors import ClientError
from api.graphql.fair import FairScheduler
from api.graphql.loop_turns import loop_turns
from api.graphql.reads import READS
from api.graphql.reads.links import QUERIES as LINK_QUERIES
from api.graphql.reads.links import Link
from graph.errors import Unsupported
from graph.model import NODE_KINDS
from graph.query import Query, Row
from graph.select import Scope, Select, SelectResult
from graph.store import Store
from graph.turns import Presence

T = TypeVar("T")

#: The node kinds' base labels, most specific first (a node carries one of them).
BASE_LABELS = tuple(k.label for k in NODE_KINDS)


@dataclass(frozen=True)
class Obj:
    """One node as the API sees it: id, labels, properties (no ``_`` keys) and anchors."""

    id: str
    labels: tuple[str, ...]
    props: Mapping[str, Any] = field(hash=False, compare=False)
    anchors: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        for label in BASE_LABELS:
            if label in self.labels:
                return label
        return self.labels[0] if self.labels else ""

    def has(self, label: str) -> bool:
        return label in self.labels

    def get(self, name: str) -> Any:
        return self.props.get(name)


@dataclass(frozen=True)
class Edge:
    """A relationship from a node to ``node``, with the relationship's properties."""

    source: str
    rel: Mapping[str, Any] = field(hash=False, compare=False)
    node: Obj = field(hash=False, compare=False)

    def current(self, day: date) -> bool:
        since, until = self.rel.get("since"), self.rel.get("until")
        return (since is None or since <= day) and (until is None or until >= day)


def _select_all(store: Store, plans: tuple[Select, ...], scope: Scope) -> list[SelectResult]:
    try:
        return [store.select(p, scope) for p in plans]
    except Unsupported as e:  # a federation: the deployment's limit, told to the client as such
        raise ClientError(f"{e.message_zh} / {e.message}") from e


def to_obj(row: Row) -> Obj:
    props = {k: v for k, v in row["props"].items() if not k.startswith("_")}
    return Obj(row["id"], tuple(row["labels"]), props, tuple(row["anchors"]))


@dataclass(frozen=True)
class Jurisdiction:
    area: str
    root: bool
    places: frozenset[str]

    def contains(self, obj: Obj) -> bool:
        if not obj.anchors:
            return self.root
        return any(a in self.places for a in obj.anchors)


class DeadlineExceeded(ClientError):
    """The request ran past ``Limits.deadline_seconds``: no further store call is started."""

    def __init__(self) -> None:
        super().__init__("the request ran past its deadline; ask for less at once / 请求超时，请减少一次查询的内容")


class ScopedData:
    """The scoped data access of one request."""

    def __init__(self, store: Store, principal: Principal, scheduler: FairScheduler | None = None) -> None:
        self.store = store
        self.principal = principal
        self.scheduler = scheduler  # the server's turns at the store; None: a plain thread
        self.presence = Presence()  # this request's time outside the store (graph/turns.py)
        self._jurisdiction: asyncio.Future[Jurisdiction] | None = None
        self._inflight = 0
        self._wave = asyncio.Event()
        self.node_loader: DataLoader[str, Obj | None] = DataLoader(self._load_nodes)
        self._link_loaders: dict[Link, DataLoader[str, list[Edge]]] = {}
        self._lists: dict[tuple[str, str, date], asyncio.Future[list[tuple[Obj, Row]]]] = {}
        self.deadline: float | None = None  # time.monotonic() after which no store call starts

    # ------------------------------------------------------------ store access

    async def _in_wave(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking store call in a thread (in the user's turn, api/graphql/fair.py), and hand its result back only when every call
        of the request in flight with it is done: the next level of the query then starts from
        all of their results at once, so the DataLoaders batch each level into one round trip
        whatever the order in which threads finish (the round trips depend on the query's shape).
        """
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise DeadlineExceeded()
        wave = self._wave
        if not self._inflight:
            self.presence.away()
        self._inflight += 1
        try:
            if self.scheduler is None:
                result = await asyncio.to_thread(fn, *args, **kwargs)
            else:
                result = await self.scheduler.run(self.principal.user, fn, *args, **kwargs)
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self.presence.back()
                wave.set()
                self._wave = asyncio.Event()
        await wave.wait()
        return result

    async def run(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        return await self._in_wave(self.store.run, query, params)

    async def select(self, *plans: Select) -> list[SelectResult]:
        """Run compiled read plans (``graph/select.py``) in one store call, in the user's
        turn; the jurisdiction (the user's area) is part of each plan (``Scope``)."""
        scope = Scope(self.principal.area)
        return await self._in_wave(_select_all, self.store, plans, scope)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A blocking domain function (``queries/``) on this request's store, in a thread."""
        return await self._in_wave(fn, self.store, *args, **kwargs)

    async def heavy(self) -> None:
        """Wait for this request's turn to run a heavy stretch on the event loop (building and
        completing a long domain answer): light requests first (``api/graphql/loop_turns.py``)."""
        await loop_turns().turn(self.presence)

    # ------------------------------------------------------------ the jurisdiction

    async def jurisdiction(self) -> Jurisdiction:
        if self._jurisdiction is None:
            self._jurisdiction = asyncio.ensure_future(self._load_jurisdiction())
        return await self._jurisdiction

    async def _load_jurisdiction(self) -> Jurisdiction:
        rows = await self.run(READS["api.subtree"], {"area": self.principal.area})
        if not rows:
            return Jurisdiction(self.principal.area, False, frozenset())
        return Jurisdiction(rows[0]["area"], bool(rows[0]["root"]), frozenset(rows[0]["ids"]))

    async def visible(self, obj: Obj | None) -> Obj | None:
        if obj is None:
            return None
        return obj if (await self.jurisdiction()).contains(obj) else None

    # ------------------------------------------------------------ nodes

    async def _load_nodes(self, ids: Sequence[str]) -> list[Obj | None]:
        rows = await self.run(READS["api.nodes"], {"ids": list(ids)})
        found = {r["id"]: to_obj(r) for r in rows}
        return [found.get(i) for i in ids]

    def _prime(self, obj: Obj) -> None:
        self.node_loader.prime(obj.id, obj)

    async def node(self, node_id: str, label: str | None = None) -> Obj | None:
        """The node ``node_id`` (carrying ``label``, when given) if the user may see it."""
        obj = await self.visible(await self.node_loader.load(node_id))
        if obj is None or (label is not None and not obj.has(label)):
            return None
        return obj

    async def nodes(self, ids: Iterable[str], label: str | None = None) -> list[Obj | None]:
        ids = list(ids)
        objs = await self.node_loader.load_many(ids)
        scope = await self.jurisdiction()
        return [
            o if o is not None and scope.contains(o) and (label is None or o.has(label)) else None for o in objs
        ]

    async def visible_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = sorted(set(ids))
        return {o.id for o in await self.nodes(wanted) if o is not None}

    # ------------------------------------------------------------ links

    def _link_loader(self, link: Link) -> DataLoader[str, list[Edge]]:
        loader = self._link_loaders.get(link)
        if loader is None:

            async def load(ids: Sequence[str], link: Link = link) -> list[list[Edge]]:
                rows = await self.run(LINK_QUERIES[link], {"ids": list(ids)})
                out: dict[str, list[Edge]] = {i: [] for i in ids}
                for r in rows:
                    obj = to_obj(r)
                    self._prime(obj)
                    rel = {k: v for k, v in r["rel"].items() if not k.startswith("_")}
                    out[r["source"]].append(Edge(r["source"], rel, obj))
                return [out[i] for i in ids]

            loader = self._link_loaders[link] = DataLoader(load)
        return loader

    async def links(self, link: Link, source: str) -> list[Edge]:
        """The edges of ``link`` from ``source`` whose other end the user may see."""
        edges = await self._link_loader(link).load(source)
        scope = await self.jurisdiction()
        return [e for e in edges if scope.contains(e.node)]

    async def own_links(self, link: Link, source: str) -> list[Edge]:
        """Every edge of ``link`` from ``source``, outside the jurisdiction too. Only for
        rewriting a visible node's own rows in a mutation (a person's employer elsewhere must
        survive an update of their phone); never handed to a client."""
        return await self._link_loader(link).load(source)

    # ------------------------------------------------------------ lists of an area

    async def listing(self, name: str, area: str, day: date) -> list[tuple[Obj, Row]]:
        """The visible items of the list ``name`` in ``area`` with their count columns."""
        key = (name, area, day)
        if key not in self._lists:
            self._lists[key] = asyncio.ensure_future(self._load_listing(name, area, day))
        return await self._lists[key]

    async def _load_listing(self, name: str, area: str, day: date) -> list[tuple[Obj, Row]]:
        scope = await self.jurisdiction()
        if area not in scope.places:
            return []  # an area outside the jurisdiction does not exist for this user
        rows = await self.run(READS[name], {"area": area, "date": day})
        out = []
        for r in rows:
            obj = to_obj(r)
            self._prime(obj)
            if scope.contains(obj):
                out.append((obj, r))
        return out

    async def hidden_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that are nodes the user may not see (for redacting ids in texts)."""
        wanted = sorted({i for i in ids if isinstance(i, str)})
        if not wanted:
            return set()
        objs = await self.node_loader.load_many(wanted)
        scope = await self.jurisdiction()
        return {o.id for o in objs if o is not None and not scope.contains(o)}

    def forget(self) -> None:
        """Drop every cached answer (after a write, so the payload reads what was written)."""
        self._jurisdiction = None
        self.node_loader.clear_all()
        self._link_loaders.clear()
        self._lists.clear()

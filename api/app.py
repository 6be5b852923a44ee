"""The web application served by ``gongzhi serve``: the GraphQL API and health checks.

* ``/graphql``: the GraphQL API (POST, or GET for queries), every request with
  ``Authorization: Bearer <token>`` (tokens: ``gongzhi token issue``); 401 without a valid one.
  GraphiQL and introspection only in development mode (``create_app(..., dev=True)``,
  ``gongzhi serve --dev``). Query batching is off. See docs/api.md.
* ``/healthz``: the process is up. ``/readyz``: the store answers (503 otherwise).
* ``/``: the dashboard page (api/dashboard.py), which reads only ``/graphql`` with the user's token.
* ``/stats``: counts by label, for development mode only (not scoped).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.fastapi import GraphQLRouter

from api.audit import AuditLog, audit_file
from api.auth import TokenFile, auth_file, bearer
from api.cli_socket import CLI_USER, CliSocket, registered_queries
from api.dashboard import GRAPHIQL_HEADERS, GRAPHIQL_PAGE, mount_dashboard
from api.graphql.context import Context
from api.graphql.fair import FairScheduler
from api.graphql.fanout import DegreeCache
from api.graphql.limits import DEFAULT_LIMITS, Limits
from api.graphql.media import GraphQLResponseMedia
from api.graphql.schema import build_schema
from api.graphql.scope import ScopedData
from api.guard import RequestGuard
from api.throttle import Throttle
from graph.derived import backfill
from graph.errors import StoreError
from graph.settings import Settings
from graph.store import Store, open_store

GRAPHQL_PATH = "/graphql"


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, before anything reads them whole."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = b'{"errors":[{"message":"request body too large"}]}'
    await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


class NoQueryString(logging.Filter):
    """Drops the query string from uvicorn's access lines: a GET to /graphql carries the
    document and its variables there (names, phones), and the log must hold neither."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?…", *args[3:])
        return True


def quiet_logs() -> None:
    """The log hygiene of the server: uvicorn's access lines without query strings, and the
    app's own lines (``gongzhi.api``: refused requests by shape, disconnects, internal errors
    by type) through uvicorn's handler when it has one, so they appear in ``gongzhi serve``."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryString) for f in access.filters):
        access.addFilter(NoQueryString())
    ours, server = logging.getLogger("gongzhi.api"), logging.getLogger("uvicorn")  # uvicorn.error's handler
    if server.handlers and not ours.handlers:
        for handler in server.handlers:
            ours.addHandler(handler)
        ours.setLevel(logging.INFO)
        ours.propagate = False


#: How long a thread holding the interpreter lock keeps it when another wants it. Python's
#: default, 5 ms, suits throughput; a server whose users share one process wants a short one:
#: a small request hands the lock back and forth a few dozen times (event loop, store thread)
#: and would wait up to 5 ms at each hand-over while another user's heavy call computes.
SWITCH_INTERVAL = float(os.environ.get("GONGZHI_SWITCH_INTERVAL", "0.0005"))


#: The collector's thresholds once the graph is frozen: the default (700, 10, 10) runs a full
#: collection every hundred young ones, and under heavy requests (each holding thousands of
#: rows while it computes) that was a 40-60 ms pause of every thread about once a second, the
#: largest part of a small request's p99 under load (bench/abuse.py). Full collections are
#: ten times rarer with 100; what they would free is almost all freed by reference counts.
GC_THRESHOLDS = (700, 10, 100)


def _settle_heap(the_store: Callable[[], Store]) -> None:
    """Open the store at start and move what it holds out of the garbage collector's sight.

    The embedded store keeps the whole graph as Python objects; a full collection walks all of
    them (about 35 ms at subdistrict scale, ten times that for a district) while every thread
    waits, and a heavy request allocating as it goes sets one off every so often: another
    user's small request then waits for it. The graph lives as long as the process, so it is
    frozen (``gc.freeze``) once loaded; what later writes add is small. Full collections are made
    rarer then (``GC_THRESHOLDS``). A store that cannot be opened yet (Neo4j still starting) is
    opened on the first request, as before."""
    try:
        the_store().stats()
    except StoreError:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def _cli_socket(
    settings: Settings, the_store: Callable[[], Store], the_scheduler: Callable[[Store], FairScheduler]
) -> CliSocket | None:
    """On the embedded store, the socket the CLI's reads ask instead of reading the whole
    graph again (api/cli_socket.py); None on Neo4j, where the CLI asks the database itself."""
    if settings.store != "embedded":
        return None

    async def runner(fn: Callable[..., Any], *args: Any) -> Any:
        s = the_store()
        return await the_scheduler(s).run(CLI_USER, fn, *args)

    cli = CliSocket(settings.data_dir, the_store, runner, registered_queries())
    try:
        listening = await cli.start()
    except OSError as exc:  # the server still serves HTTP; the CLI reads the files itself
        logging.getLogger("gongzhi.api").warning("CLI socket not available: %s", type(exc).__name__)
        return None
    return cli if listening else None


def app_from_env() -> FastAPI:
    """The app as each process of ``gongzhi serve --workers N`` builds it: the settings from
    the environment the command exported (``Settings.as_env``), development mode from
    ``GONGZHI_SERVE_DEV``."""
    return create_app(Settings(), dev=bool(os.environ.get("GONGZHI_SERVE_DEV")), own_process=True)


class _Router(GraphQLRouter):  # type: ignore[type-arg]
    """strawberry's router with our GraphiQL page (``api/static/graphiql.html``): the vendored
    React and GraphiQL under ``/static/vendor/``, not strawberry's page that loads them from a
    CDN and stays on "Loading..." with no internet."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(GRAPHIQL_PAGE.read_text(encoding="utf-8"), headers=GRAPHIQL_HEADERS)


def create_app(
    settings: Settings,
    *,
    dev: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    store: Store | None = None,
    auth_path: Path | None = None,
    audit_path: Path | None = None,
    own_process: bool = False,
) -> FastAPI:
    """The app for ``settings``. ``store`` (tests) replaces the one the settings open;
    ``auth_path``/``audit_path`` replace GONGZHI_AUTH_FILE / GONGZHI_AUDIT_FILE.
    ``own_process`` (``gongzhi serve``): the app is all its process runs, so at start it tunes
    the process for many users (``SWITCH_INTERVAL``, ``_settle_heap``)."""
    state: dict[str, Store] = {} if store is None else {"store": store}
    turns: dict[str, FairScheduler] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        quiet_logs()  # again: the server configured its logging after the app was built
        if own_process:
            sys.setswitchinterval(SWITCH_INTERVAL)
            _settle_heap(the_store)
            degrees.warm()  # the first request need not count them
        cli = await _cli_socket(settings, the_store, the_scheduler) if own_process else None
        yield
        if cli is not None:
            await cli.close()
        if "scheduler" in turns:
            turns.pop("scheduler").close()
        if store is None and "store" in state:
            state.pop("store").close()

    quiet_logs()
    app = FastAPI(title="Gongzhi 共治", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    tokens = TokenFile(auth_path or auth_file(settings))
    audit = AuditLog(audit_path or audit_file(settings))

    def the_store() -> Store:
        if "store" not in state:
            opened = open_store(settings)
            # a store written before its derived properties were declared gets them at start
            # (graph/derived.py: one small read when it is up to date). A store that cannot take
            # the write now (a load holds it, the server is down) still serves: the next start
            # or load brings it up to date
            try:
                backfill(opened)
            except StoreError as exc:
                logging.getLogger("gongzhi.api").warning("derived values not brought up to date: %s", type(exc).__name__)
            state["store"] = opened
        return state["store"]

    def the_scheduler(s: Store) -> FairScheduler:
        """The process's store-call turns (api/graphql/fair.py), sized for the store."""
        if "scheduler" not in turns:
            per_user = limits.store_calls_per_user or s.read_concurrency
            turns["scheduler"] = FairScheduler(workers=limits.store_workers, per_user=per_user)
        return turns["scheduler"]

    degrees = DegreeCache(the_store)  # the cost limit's fan-outs (api/graphql/fanout.py)

    async def context(request: Request) -> Context | None:
        if dev and request.method == "GET" and "query" not in request.query_params:
            return None  # the GraphiQL page itself; everything it sends carries the token
        principal = None
        token = bearer(request.headers.get("authorization"))
        if token is not None:
            principal = tokens.verify(token)
        if principal is None:
            raise HTTPException(401, "a valid API token is required", headers={"WWW-Authenticate": "Bearer"})
        s = the_store()
        data = ScopedData(s, principal, the_scheduler(s))
        if limits.deadline_seconds:
            data.deadline = time.monotonic() + limits.deadline_seconds
        return Context(principal=principal, data=data, store=s, limits=limits, audit_log=audit, degrees=degrees)

    router = _Router(
        build_schema(limits, dev=dev, degrees=degrees),
        path=GRAPHQL_PATH,
        graphql_ide="graphiql" if dev else None,
        context_getter=context,
    )
    app.include_router(router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        try:
            the_store().ping()
        except StoreError as exc:
            return JSONResponse({"status": "unavailable", "reason": exc.message_zh}, status_code=503)
        return JSONResponse({"status": "ready", "store": settings.store})

    if dev:

        @app.get("/stats")
        def stats() -> dict[str, object]:
            counts = the_store().stats()
            return {"store": settings.store, "labels": counts.labels, "relationships": counts.rel_types}

    mount_dashboard(app)  # the dashboard page at / (api/dashboard.py)
    app.add_middleware(Throttle, path=GRAPHQL_PATH, limits=limits)  # per token: 429 (api/throttle.py)
    app.add_middleware(RequestGuard, path=GRAPHQL_PATH)  # malformed requests: 400 (api/guard.py)
    app.add_middleware(GraphQLResponseMedia, path=GRAPHQL_PATH)
    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)
    return app

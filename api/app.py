"""The web application served by ``gongzhi serve``.

Until the GraphQL API lands (issue 4), it serves health checks and an overview of the
store: ``/healthz`` (the process is up), ``/readyz`` (the store answers), ``/stats`` (counts
by label and relationship type, JSON) and ``/`` (the same as a page, in Chinese).
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from graph.errors import StoreError
from graph.settings import Settings
from graph.store import Store, open_store


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="Gongzhi 共治", docs_url=None, redoc_url=None, openapi_url=None)
    state: dict[str, Store] = {}

    def store() -> Store:
        if "store" not in state:
            state["store"] = open_store(settings, read_only=True)
        return state["store"]

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        try:
            store().ping()
        except StoreError as exc:
            return JSONResponse({"status": "unavailable", "reason": exc.message_zh}, status_code=503)
        return JSONResponse({"status": "ready", "store": settings.store})

    @app.get("/stats")
    def stats() -> dict[str, object]:
        counts = store().stats()
        return {"store": settings.store, "labels": counts.labels, "relationships": counts.rel_types}

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        counts = store().stats()
        rows = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>" for k, v in sorted(counts.labels.items()))
        rels = "".join(
            f"<tr><td>{escape(k)}</td><td>{v}</td></tr>" for k, v in sorted(counts.rel_types.items())
        )
        return (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>共治 Gongzhi</title></head>'
            "<body><h1>共治：党建引领社区治理组织图谱</h1>"
            f"<p>存储 / store: {escape(settings.store)}</p>"
            f"<h2>节点 / nodes</h2><table>{rows}</table>"
            f"<h2>关系 / relationships</h2><table>{rels}</table></body></html>"
        )

    @app.on_event("shutdown")
    def close() -> None:
        if "store" in state:
            state["store"].close()

    return app

"""The coverage dashboard (覆盖率看板): a static page at ``/`` and its files under ``/static/``.

The page holds no data of its own and reads nothing from the store: in the browser it asks
the GraphQL API (``/graphql``) with the user's token, so it sees exactly what the token's
area and role allow, masked fields masked. ``mount_dashboard(app)`` serves it:

* ``/``: ``api/static/index.html`` (never cached, with a Content-Security-Policy that allows
  scripts, styles and requests to this origin only: the page works with no internet);
* ``/static/...``: the page's script and style sheet, and the front-end libraries vendored
  from npm as built files with their licences (``api/static/vendor/``, rebuilt by
  ``api/static/vendor-src/vendor.sh`` from the exact versions in its ``package-lock.json``);
* in development mode, GraphiQL's page (``graphiql.html``, served by api/app.py at
  ``GET /graphql``) from the same vendored files: it works with no internet too.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
INDEX = STATIC_DIR / "index.html"

#: Same-origin only: the vendored libraries, the page's own script, ``/graphql``. Inline
#: styles are allowed because ECharts and cytoscape.js set element styles.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

#: GraphiQL (``gongzhi serve --dev``, at ``GET /graphql``): the same policy, and fonts GraphiQL's
#: style sheet inlines as data URLs.
GRAPHIQL_PAGE = STATIC_DIR / "graphiql.html"
GRAPHIQL_CSP = CSP.replace("img-src 'self' data: blob:", "img-src 'self' data: blob:; font-src 'self' data:")

PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


GRAPHIQL_HEADERS = {**PAGE_HEADERS, "Content-Security-Policy": GRAPHIQL_CSP}


def dashboard_router() -> APIRouter:
    """The route of the page itself (``/``)."""
    router = APIRouter()

    @router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(INDEX, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    return router


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard at ``/`` and its files at ``/static`` (routers cannot carry mounts)."""
    app.include_router(dashboard_router())
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=True), name="static")

"""GraphiQL of ``gongzhi serve --dev`` in headless Chromium with no network but this machine
(conftest's host rules): the page is built from the vendored React and GraphiQL, renders its
editor and runs a query with the token given in its headers."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from api.app import create_app
from api.auth import Role, TokenFile
from api.dashboard import GRAPHIQL_CSP, GRAPHIQL_PAGE, STATIC_DIR
from graph.settings import Settings
from graph.store import open_store
from loaders.load import load
from tests.dashboard.conftest import community_id


@pytest.fixture(scope="module")
def dev_server(community_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("graphiql")
    store = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp / "store"))  # type: ignore[call-arg]
    load(store, community_dir)
    tokens = TokenFile(tmp / "auth.json")
    _, token = tokens.issue("graphiql-test", community_id(community_dir), Role.VIEWER)
    app = create_app(Settings(GONGZHI_DATA_DIR=tmp), dev=True, store=store, auth_path=tokens.path, audit_path=tmp / "a.jsonl")  # type: ignore[call-arg]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the dev app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", token
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
        store.close()


def test_the_page_loads_only_vendored_files() -> None:
    html = GRAPHIQL_PAGE.read_text(encoding="utf-8")
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "static/vendor/graphiql/graphiql.min.js" in sources and "static/vendor/react/react.production.min.js" in sources
    for src in sources:
        assert src.startswith("data:") or (STATIC_DIR / src.removeprefix("static/")).is_file(), src
    for name in ("graphiql.html", "graphiql.js", "graphiql.css"):
        assert not re.search(r"https?://", (STATIC_DIR / name).read_text(encoding="utf-8")), name
    assert "default-src 'self'" in GRAPHIQL_CSP and "connect-src 'self'" in GRAPHIQL_CSP


def test_graphiql_works_offline(browser: Any, dev_server: tuple[str, str]) -> None:
    url, token = dev_server
    browser.get_log("browser")  # the session's browser: drop what earlier tests left in its log
    browser.get(url + "/graphql")
    wait = WebDriverWait(browser, 60)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".graphiql-container .graphiql-editors"))
    assert "Loading" not in browser.find_element(By.ID, "graphiql").text
    # the request GraphiQL's fetcher makes, with the token as the headers editor would send it
    answer = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "GraphiQL.createFetcher({url: location.origin + '/graphql'})"
        "({query: '{ me { user role } }'}, {headers: {Authorization: 'Bearer ' + arguments[0]}})"
        ".then(async (r) => { if (r && r[Symbol.asyncIterator]) { for await (const x of r) { done(JSON.stringify(x)); return; } }"
        "  done(JSON.stringify(r)); }, (e) => done('error: ' + e));",
        token,
    )
    assert json.loads(answer) == {"data": {"me": {"user": "graphiql-test", "role": "viewer"}}}
    # nothing refused by the page's policy, no file missing (the schema's introspection with the
    # placeholder token is refused with 401, as it should be)
    logs = [e["message"] for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    refused = [
        m
        for m in logs
        if "Content Security Policy" in m or "ERR_NAME_NOT_RESOLVED" in m or ("Failed to load resource" in m and "/static/" in m)
    ]
    assert not refused, logs

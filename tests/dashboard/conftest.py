"""The dashboard in a real browser: the real app served by uvicorn on a free 127.0.0.1 port over
a generated community, a token for that community, and headless Chromium driven by selenium.

Chromium and its driver are Debian's packages (``apt-get install -y chromium chromium-driver``,
which ``.ci/run`` does): without them these tests fail, they are never skipped.
"""

from __future__ import annotations

import csv
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.auth import Role, TokenFile
from graph.settings import Settings
from graph.store import Store, open_store
from loaders.generate import NOW, generate
from loaders.load import load
from tests.conftest import STORE_KINDS

#: The generator's seed: a community with covered and uncovered items of every indicator.
SEED = 3
WINDOW = (1400, 1000)
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
    # no network but this machine: every page must work from the vendored files alone
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
)


@dataclass(frozen=True)
class Served:
    """The app serving one store at ``url``, and a viewer token bound to ``community``."""

    url: str
    store_kind: str
    community: str
    token: str

    def ask(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a GraphQL request made the way the page makes it (HTTP, Bearer token)."""
        r = httpx.post(
            f"{self.url}/graphql",
            json={"query": document, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=60,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


def chromium_paths() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail(
            "headless Chromium is needed for the dashboard tests: `apt-get install -y chromium chromium-driver` "
            f"(found chromium={chromium}, chromedriver={driver}); .ci/run installs them",
            pytrace=False,
        )
    return chromium, driver


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the session (each test loads the page afresh)."""
    chromium, driver_path = chromium_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def community_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dashboard-community")
    generate("community", SEED, path)
    return path


def community_id(path: Path) -> str:
    with open(path / "communities.csv", encoding="utf-8-sig", newline="") as f:
        (community,) = [row[0] for row in list(csv.reader(f))[1:]]
    return community


@pytest.fixture(scope="module", params=STORE_KINDS)
def served(
    request: pytest.FixtureRequest, community_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The real app (``api.app.create_app``) on uvicorn, in a thread, over the community loaded
    into a store of each kind; a viewer token for the community (names and phones masked)."""
    tmp = tmp_path_factory.mktemp(f"dashboard-{request.param}")
    store: Store
    if request.param == "neo4j":
        store = request.getfixturevalue("_neo4j_store")
        store.clear()
    else:
        store = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp / "store"))  # type: ignore[call-arg]
    load(store, community_dir)
    community = community_id(community_dir)
    tokens = TokenFile(tmp / "auth.json")
    _, token = tokens.issue("dashboard-test", community, Role.VIEWER)
    app = create_app(
        Settings(GONGZHI_DATA_DIR=tmp),  # type: ignore[call-arg]
        store=store,
        auth_path=tokens.path,
        audit_path=tmp / "audit.jsonl",
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port, held from here on: no race with other processes
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))  # no signal handlers off the main thread
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the app did not start under uvicorn")
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", request.param, community, token)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
        if store.kind == "embedded":
            store.close()


__all__ = ["NOW", "Served"]

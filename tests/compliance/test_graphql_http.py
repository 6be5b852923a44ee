"""GraphQL over HTTP compliance, checked by a suite this project did not write: the server
audits of the npm package ``graphql-http``, run by ``audit.mjs`` against the real server
(``gongzhi serve``) on a free loopback port. docs/api.md records which audits pass.

Needs Node.js and npm; ``graphql-http`` is installed once into ``~/.cache/gongzhi/graphql-http``
(or use ``GRAPHQL_HTTP_MODULES`` to point at a ``node_modules`` holding it). Without Node or
without the package (no network) the test is skipped, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.auth import Role, TokenFile
from graph.settings import Settings
from graph.store import open_store
from loaders.load import load

HERE = Path(__file__).parent
VERSION = "1.23.1"
#: Audits whose document asks ``__type`` (introspection), which production mode turns off on purpose.
NEEDS_INTROSPECTION = {"28B9", "2EA1", "D6D5", "6A70"}


def graphql_http() -> Path:
    given = os.environ.get("GRAPHQL_HTTP_MODULES")
    if given:
        return Path(given)
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are needed for the graphql-http audits")
    prefix = Path.home() / ".cache" / "gongzhi" / "graphql-http"
    modules = prefix / "node_modules"
    if not (modules / "graphql-http" / "package.json").exists():
        prefix.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", f"graphql-http@{VERSION}", "graphql@16"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            pytest.skip(f"npm could not install graphql-http: {done.stderr.strip()[-300:]}")
    return modules


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def data_dir(street_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("data")
    load(open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=data)), street_dir)  # type: ignore[call-arg]
    return data


@pytest.fixture(scope="module")
def street_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.api.datasets import small_street

    return small_street(tmp_path_factory.mktemp("street") / "input")


def serve(data: Path, dev: bool) -> Iterator[tuple[str, str]]:
    auth = data / f"auth-{dev}.json"
    token = TokenFile(auth).issue("audit", "C-0001", Role.VIEWER)[1]
    port = free_port()
    env = {**os.environ, "GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(data), "GONGZHI_AUTH_FILE": str(auth)}
    args = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen([*args, *(["--dev"] if dev else [])], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/graphql", token
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def audit(url: str, token: str, modules: Path) -> list[dict[str, str]]:
    run = subprocess.run(
        ["node", str(HERE / "audit.mjs"), url, token, str(modules)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines() if line.strip()]


def report(results: list[dict[str, str]]) -> dict[str, list[str]]:
    by: dict[str, list[str]] = {}
    for r in results:
        by.setdefault(r["status"], []).append(f"{r['id']} {r['name']}")
    print(json.dumps({k: len(v) for k, v in by.items()}))
    for r in results:
        if r["status"] != "ok":
            print(r["status"], r["id"], r["name"], "|", (r["reason"] or "")[:160])
    return by


@pytest.mark.parametrize("dev", [False, True], ids=["production", "development"])
def test_graphql_http_server_audits(data_dir: Path, dev: bool) -> None:
    modules = graphql_http()
    for url, token in serve(data_dir, dev):
        results = audit(url, token, modules)
    report(results)
    assert len(results) > 50
    not_ok = {r["id"] for r in results if r["status"] != "ok"}
    assert not_ok == (set() if dev else NEEDS_INTROSPECTION)

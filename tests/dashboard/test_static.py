"""The dashboard's files without a browser: how the app serves them, the vendored libraries
(versions, checksums, licences), no outside host named, and a built wheel that carries them."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

from api.app import create_app
from api.dashboard import CSP, STATIC_DIR
from graph.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
VENDOR = STATIC_DIR / "vendor"
VENDOR_SRC = STATIC_DIR / "vendor-src"
PAGE_FILES = ("index.html", "dashboard.js", "dashboard.css")
LIBRARIES = {
    "echarts": ("echarts/echarts.common.min.js", ("LICENSE", "NOTICE", "LICENSE-zrender", "LICENSE-tslib", "LICENSE-d3")),
    "cytoscape": ("cytoscape/cytoscape.min.js", ("LICENSE",)),
    "graphiql": ("graphiql/graphiql.min.js", ("LICENSE", "THIRD-PARTY-LICENSES")),
    "react": ("react/react.production.min.js", ("LICENSE",)),
    "react-dom": ("react/react-dom.production.min.js", ("LICENSE",)),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The production app (no --dev); the page needs no store and no token to be served."""
    tmp = tmp_path_factory.mktemp("static")
    settings = Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp / "store")  # type: ignore[call-arg]
    return TestClient(create_app(settings, auth_path=tmp / "auth.json", audit_path=tmp / "audit.jsonl"))


def test_the_page_is_served_at_the_root_with_a_same_origin_policy(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == CSP
    assert "connect-src 'self'" in CSP and "script-src 'self'" in CSP
    assert r.headers["cache-control"] == "no-cache"
    assert "共治" in r.text and 'src="static/dashboard.js"' in r.text
    assert client.head("/").status_code == 200
    for src in re.findall(r'(?:src|href)="([^"]+)"', r.text):
        if src.startswith("data:"):
            continue
        served = client.get("/" + src)
        assert served.status_code == 200, src
        assert len(served.content) > 100, src


def test_static_files_and_nothing_else(client: TestClient) -> None:
    assert client.get("/static/vendor/echarts/LICENSE").status_code == 200
    assert client.get("/static/vendor/cytoscape/LICENSE").status_code == 200
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404
    # the page holds no data: what it shows comes from /graphql, which wants a token
    assert client.post("/graphql", json={"query": "{ me { user } }"}).status_code == 401


def test_the_page_names_no_outside_host() -> None:
    """No CDN, no web font, no analytics: deployments often have no internet."""
    for name in PAGE_FILES:
        text = (STATIC_DIR / name).read_text(encoding="utf-8")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE), name
        assert "@import" not in text and "fonts.g" not in text, name
    js = (STATIC_DIR / "dashboard.js").read_text(encoding="utf-8")
    assert 'const ENDPOINT = "graphql";' in js, "the page reads only the project's GraphQL API"
    assert "innerHTML" not in js, "data is written as text, never parsed as HTML"
    assert "localStorage.setItem(TOKEN_KEY" not in js and 'sessionStorage.setItem(TOKEN_KEY' in js


def test_vendored_files_are_the_locked_versions_with_their_licences() -> None:
    package = json.loads((VENDOR_SRC / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((VENDOR_SRC / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}: an exact version, not a range ({version})"
        assert lock[f"node_modules/{name}"]["version"] == version
        assert lock[f"node_modules/{name}"]["integrity"].startswith("sha512-")
    versions = json.loads((VENDOR / "VERSIONS.json").read_text(encoding="utf-8"))
    assert versions == {name: lock[f"node_modules/{name}"]["version"] for name in versions}
    assert set(LIBRARIES) <= set(versions)

    for name, (built, licences) in LIBRARIES.items():
        head = (VENDOR / built).read_text(encoding="utf-8")[:2000]
        if name == "echarts":
            assert "Apache License" in head, built
        elif name == "cytoscape":
            assert "Permission is hereby granted" in head, built
        else:  # GraphiQL's bundle and React name their licence in their LICENSE file (MIT)
            assert "@license React" in head if name.startswith("react") else "webpack" in head, built
            assert "Permission is hereby granted" in (VENDOR / Path(built).parent / "LICENSE").read_text(encoding="utf-8")
        for licence in licences:
            path = VENDOR / Path(built).parent / licence
            assert path.stat().st_size > 100, path
    assert "Apache License" in (VENDOR / "echarts" / "LICENSE").read_text(encoding="utf-8")
    assert "MIT" in (VENDOR / "cytoscape" / "LICENSE").read_text(encoding="utf-8") or "Permission is hereby granted" in (
        VENDOR / "cytoscape" / "LICENSE"
    ).read_text(encoding="utf-8")

    sums = {}
    for line in (VENDOR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.removeprefix("./")] = digest
    present = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file() and p.name != "SHA256SUMS"}
    assert set(sums) == present, "SHA256SUMS lists every vendored file (vendor.sh writes it)"
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, f"{name} differs from what vendor.sh copied"
    assert not (VENDOR_SRC / "node_modules").exists(), "vendor.sh runs npm ci in a scratch directory"


def test_a_built_wheel_carries_the_page_and_the_libraries(tmp_path: Path) -> None:
    """``pip install .`` must ship api/static/** (pyproject's package-data)."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "pyproject.toml", src)
    shutil.copy(ROOT / "README.md", src)
    for package in ("api", "graph", "loaders", "queries"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = out.glob("gongzhi-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {f"api/static/{name}" for name in PAGE_FILES} | {"api/dashboard.py"}
    for built, licences in LIBRARIES.values():
        wanted.add(f"api/static/vendor/{built}")
        wanted |= {f"api/static/vendor/{Path(built).parent}/{licence}" for licence in licences}
    assert wanted <= names, sorted(wanted - names)

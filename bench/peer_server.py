"""The peer's server: ``@neo4j/graphql`` in a Node process (``bench/peer/server.mjs``).

The Node project under ``bench/peer/`` pins exact versions (``package.json``,
``package-lock.json``); ``install()`` runs ``npm ci`` into ``bench/peer/node_modules`` (git
ignored) when it is missing or older than the lock file, so that ``make bench`` needs
nothing installed by hand but Node and npm. The server reads the type definitions
generated from the model (``bench.peer_typedefs``) and counts the Cypher statements each
request runs (the ``x-statements`` response header).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.machine import ROOT, neo4j_settings
from bench.server import START_SECONDS, free_port
from bench.worker import describe

if TYPE_CHECKING:
    import httpx

PEER_DIR = ROOT / "bench" / "peer"
LOCK = PEER_DIR / "package-lock.json"
INSTALLED = PEER_DIR / "node_modules" / ".package-lock.json"
#: npm ci of the pinned packages (about 50 MiB), from the registry
NPM_SECONDS = 600


class PeerError(RuntimeError):
    """The peer could not be installed or started (the figure says why, the others stand)."""


def install() -> str:
    """``npm ci`` when ``node_modules`` is missing or older than the lock; the versions used."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise PeerError(f"{tool} is not installed: the peer figure needs Node.js 20+ and npm")
    if not INSTALLED.exists() or INSTALLED.stat().st_mtime < LOCK.stat().st_mtime:
        done = subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PEER_DIR, capture_output=True, text=True, timeout=NPM_SECONDS, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise PeerError(f"npm ci in {PEER_DIR} failed: {done.stderr.strip()[-500:]}")
    return versions()


def versions() -> str:
    """``@neo4j/graphql 7.6.3, neo4j-driver 6.3.0, graphql 16.15.0, node v20...``."""
    parts = []
    for name in ("@neo4j/graphql", "neo4j-driver", "graphql"):
        pkg = PEER_DIR / "node_modules" / name / "package.json"
        version = json.loads(pkg.read_text())["version"] if pkg.exists() else "?"
        parts.append(f"{name} {version}")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return ", ".join(parts) + f", node {node}"


class PeerServer:
    """``node server.mjs`` on 127.0.0.1 with the model's type definitions; always stopped."""

    def __init__(self, type_defs: str, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.type_defs_path = tmp / "peer-typedefs.graphql"
        self.type_defs_path.write_text(type_defs, encoding="utf-8")
        self.log = tmp / "peer.log"
        s = neo4j_settings()
        self.env = {
            **os.environ,
            "NEO4J_URI": s.neo4j_uri,
            "NEO4J_USER": s.neo4j_user,
            "NEO4J_PASSWORD": s.neo4j_password.get_secret_value(),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PeerServer:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                ["node", "server.mjs", str(self.type_defs_path), str(self.port)],
                cwd=PEER_DIR, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + START_SECONDS
        last = "no answer"
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise PeerError(f"the peer exited with {self.proc.returncode}: {self.tail()}")
            try:
                if httpx.get(self.url + "/ready", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError as exc:
                last = describe(exc)
            time.sleep(0.2)
        raise PeerError(f"the peer did not become ready in {START_SECONDS:.0f}s ({last}): {self.tail()}")

    def tail(self, lines: int = 8) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self) -> httpx.Client:
        import httpx

        from bench.server import HTTP_TIMEOUT

        return httpx.Client(base_url=self.url, timeout=HTTP_TIMEOUT)

    def last_statements(self, client: httpx.Client) -> list[str]:
        """The Cypher the last request ran (``GET /last``)."""
        return list(client.get("/last").json())

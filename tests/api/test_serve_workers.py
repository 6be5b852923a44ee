"""``gongzhi serve --workers N``: several real server processes on the Neo4j store answer
alike; the embedded store refuses (each process would hold the whole graph)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.auth import Role, TokenFile
from graph.settings import Settings
from graph.store import Store
from tests.api.conftest import loaded_store

COVERAGE = 'query { coverage(area: "C-0001", asOf: "2026-06-30") { asOf meanRate indicators { total covered } } }'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.neo4j
def test_two_worker_processes_serve_the_same_answers(
    street_dir: Path, neo4j_settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store: Store = loaded_store("neo4j", street_dir, tmp_path / "data", request)
    auth = tmp_path / "auth.json"
    token = TokenFile(auth).issue("workers", "C-0001", Role.VIEWER)[1]
    env = {
        **os.environ,
        **neo4j_settings.as_env(),
        "GONGZHI_STORE": "neo4j",
        "GONGZHI_AUTH_FILE": str(auth),
        "GONGZHI_AUDIT_FILE": str(tmp_path / "audit.jsonl"),
    }
    port = free_port()
    proc = serve(env, "--port", str(port), "--workers", "2")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(proc.stderr.read().decode() if proc.stderr else "did not start")
            time.sleep(0.3)
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(children) >= 2, "two worker processes under the supervisor"
        answers = set()
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            for _ in range(6):
                reply = client.post(f"http://127.0.0.1:{port}/graphql", json={"query": COVERAGE}).json()
                assert "errors" not in reply, reply
                answers.add(repr(reply["data"]["coverage"]))
        assert len(answers) == 1 and "2026-06-30" in answers.pop()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert store.stats().labels  # the server only read


def test_several_workers_on_the_embedded_store_are_refused(tmp_path: Path) -> None:
    env = {**os.environ, "GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(tmp_path)}
    proc = serve(env, "--port", str(free_port()), "--workers", "2")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "--workers" in err.decode() and "Neo4j" in err.decode()

"""The benchmarked API server: ``uvicorn`` in a subprocess serving ``create_app`` as
``gongzhi serve --workers N`` builds it, with limits that admit a page of 1,000."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.nodelay import HTTP
from bench.machine import ROOT
from bench.worker import describe

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI

    from api.graphql.limits import Limits


# ---------------------------------------------------------------- the app and the server

#: Limits of the benchmarked server: the defaults but for the page size and the cost, which
#: a page of 1,000 gaps with their suggestions exceeds. They only decide what is refused
#: before execution, so they change nothing of what an accepted request costs.
BENCH_PAGE = 1000
BENCH_COST = 2_000_000

#: How long the server may take to answer ``/readyz`` after it was started.
START_SECONDS = 60.0
#: Per-request timeout of the HTTP clients (a page of 1,000 on a busy machine is slow).
HTTP_TIMEOUT = 300.0


@dataclass(frozen=True)
class Request:
    name: str
    document: str
    variables: dict[str, Any]

    @property
    def body(self) -> dict[str, Any]:
        return {"query": self.document, "variables": self.variables}


def bench_limits() -> Limits:
    from api.graphql.limits import DEFAULT_LIMITS

    # the bench replays many requests with one token: the per-token throttle and the request
    # deadline are what it would otherwise measure, so they are off (0) or generous here
    return DEFAULT_LIMITS.with_(
        max_page=BENCH_PAGE, max_cost=BENCH_COST, max_concurrent_per_token=0, rate_per_token=0, deadline_seconds=3600
    )


def server_app() -> FastAPI:
    """The benchmarked server's app (``uvicorn --factory bench.server:server_app``): settings
    from the environment, as ``gongzhi serve`` reads them, and ``bench_limits()``."""
    from api.app import create_app
    from graph.settings import Settings

    return create_app(Settings(), limits=bench_limits())  # type: ignore[call-arg]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``uvicorn`` serving ``server_app`` in a subprocess; a context manager that always stops it."""

    def __init__(self, tmp: Path, workers: int = 1) -> None:
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "server.log"
        self.command = [
            sys.executable, "-m", "uvicorn", "--factory", "bench.server:server_app",
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers), "--log-level", "info",
            "--http", HTTP,  # as gongzhi serve --workers N: TCP_NODELAY (api/nodelay.py)
        ]  # fmt: skip
        self.env = {
            **os.environ,
            "GONGZHI_STORE": "neo4j",
            "GONGZHI_DATA_DIR": str(tmp),
            "GONGZHI_AUTH_FILE": str(tmp / "auth.json"),
            "GONGZHI_AUDIT_FILE": str(tmp / "audit.jsonl"),
            # figure 4 sets the request against the raw driver replaying its statements one at
            # a time, so the server runs them one at a time too: like for like (the default, 2,
            # would let a roll-up ask for two child areas at once and look faster than Cypher)
            "GONGZHI_READ_CONCURRENCY": "1",
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def description(self) -> str:
        shown = ["python", *self.command[1:]]
        return (
            " ".join(shown) + f" (uvicorn, {self.workers} worker process{'es' if self.workers > 1 else ''}, "
            "access log on; api.app.create_app with "
            f"max_page {BENCH_PAGE} and max_cost {BENCH_COST}; GONGZHI_STORE=neo4j, "
            "GONGZHI_READ_CONCURRENCY=1 like the raw replay)"
        )

    def __enter__(self) -> Server:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
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
                raise RuntimeError(f"the server exited with {self.proc.returncode}: {self.tail()}")
            try:
                r = httpx.get(self.url + "/readyz", timeout=5)
                if r.status_code == 200:
                    return
                last = f"/readyz answered {r.status_code}: {r.text[:200]}"
            except httpx.HTTPError as exc:
                last = describe(exc)
            time.sleep(0.2)
        raise RuntimeError(f"the server did not become ready in {START_SECONDS:.0f}s ({last}): {self.tail()}")

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

    def client(self, token: str) -> httpx.Client:
        """A keep-alive client of its own (httpx clients are not shared between threads here)."""
        import httpx

        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT
        )


def http_call(client: httpx.Client, request: Request) -> float:
    """One request over HTTP, its body read whole; seconds. Raises unless it succeeded."""
    started = time.perf_counter()
    answer = client.post("/graphql", json=request.body)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"HTTP {answer.status_code}: {answer.text[:200]}")
    return elapsed

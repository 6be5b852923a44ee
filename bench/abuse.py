"""One user cannot starve another: p99 of a small request with four abusive requests running,
against its p99 alone (issue 11, "bounded work per request and per user"; goal <= 2).

``python -m bench.abuse [--scale subdistrict] [--store embedded|neo4j]`` generates and loads a
world, starts ``gongzhi serve`` with the default limits (what a deployment runs), and issues two
viewer tokens. The abusive request is the heaviest one the server still accepts: as many
aliases of ``areaOnePlusOne(first: 100)`` on different dates as the cost rule admits (the
outside campaign sent 30; the rule prices them now). Four threads send it over and over with
the abuser's token while the other token's small request (``{ me { user } }``, a store-backed
``node`` read) is timed. It prints both p99s and their ratio; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench.server import free_port

SAMPLES = int(os.environ.get("GONGZHI_ABUSE_SAMPLES", "100"))
ABUSERS = 4
PACE = 0.1
ROUNDS = 5


def _gongzhi(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _abusive(n: int) -> str:
    day = date(2024, 1, 1)
    fields = " ".join(
        f'a{i}: areaOnePlusOne(area: $area, first: 100, asOf: "{(day + timedelta(days=i)).isoformat()}") '
        "{ inconsistent { nodes { member { key } explanationZh } } }"
        for i in range(n)
    )
    return f"query($area: ID!) {{ {fields} }}"


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="subdistrict")
    parser.add_argument("--store", default="embedded", choices=("embedded", "neo4j"))
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="gz-abuse-"))
    env = {**os.environ, "GONGZHI_STORE": args.store, "GONGZHI_DATA_DIR": str(tmp / "data"), "GONGZHI_LANG": "en"}
    _gongzhi(env, "generate", str(tmp / "input"), "--scale", args.scale, "--seed", "1")
    if args.store == "neo4j":
        from graph.settings import Settings
        from graph.store import open_store

        with open_store(Settings(GONGZHI_STORE="neo4j")) as store:  # type: ignore[call-arg]
            store.clear()
    _gongzhi(env, "load", str(tmp / "input"), "--json")
    area = "S-0001"
    abuser = _gongzhi(env, "token", "issue", "--user", "abuser", "--area", area, "--role", "viewer").split()[-1]
    victim = _gongzhi(env, "token", "issue", "--user", "victim", "--area", area, "--role", "viewer").split()[-1]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        env={**env, "GONGZHI_PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        small = {"query": "query($a: ID!) { me { user } node(id: $a) { __typename } }", "variables": {"a": area}}

        def timed(client: httpx.Client) -> float:
            """One small request, paced at 10 a second (within the victim's own rate limit)."""
            time.sleep(PACE)
            started = time.perf_counter()
            response = client.post("/graphql", json=small)
            response.raise_for_status()
            return time.perf_counter() - started

        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {victim}"}, timeout=300) as client:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {abuser}"}, timeout=300) as bad:
                n = 30
                while n > 1:
                    body = bad.post("/graphql", json={"query": _abusive(n), "variables": {"area": area}}).json()
                    if not body.get("errors"):
                        break
                    n -= 1
            go, stop = threading.Event(), threading.Event()
            sent, busy = [0], [0]
            lock = threading.Lock()

            def abuse() -> None:
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {abuser}"}, timeout=300) as bad:
                    while not stop.is_set():
                        if not go.wait(0.1):
                            continue
                        with lock:
                            busy[0] += 1
                        try:
                            bad.post("/graphql", json={"query": _abusive(n), "variables": {"area": area}})
                            sent[0] += 1
                        finally:
                            with lock:
                                busy[0] -= 1

            threads = [threading.Thread(target=abuse, daemon=True) for _ in range(ABUSERS)]
            for t in threads:
                t.start()
            # Alone and under abuse in alternating blocks, so that whatever else the machine
            # does in the meantime weighs on both sides alike.
            alone: list[float] = []
            under: list[float] = []
            block = max(1, SAMPLES // ROUNDS)
            for _ in range(ROUNDS):
                while busy[0]:  # the last abusive requests end before "alone" is timed
                    time.sleep(0.05)
                alone += [timed(client) for _ in range(block)]
                go.set()
                time.sleep(1)
                under += [timed(client) for _ in range(block)]
                go.clear()
            stop.set()
            for t in threads:
                t.join(600)
        print(f"store {args.store}, scale {args.scale}: abusive request = {n} aliases of areaOnePlusOne(first: 100)")
        print(f"small request p99 alone {_p99(alone) * 1000:.1f} ms, under {ABUSERS} abusers {_p99(under) * 1000:.1f} ms")
        p50 = statistics.median
        print(f"small request p50 alone {p50(alone) * 1000:.1f} ms, under {ABUSERS} abusers {p50(under) * 1000:.1f} ms")
        if os.environ.get("GONGZHI_ABUSE_SHOW"):
            print("under, slowest:", [round(x * 1000) for x in sorted(under)[-10:]])
        print(f"ratio {_p99(under) / _p99(alone):.2f} (goal <= 2.0); abusive requests sent: {sent[0]}")
    finally:
        server.terminate()
        server.wait(60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

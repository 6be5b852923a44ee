"""CLI reads: ``gongzhi member`` and ``gongzhi coverage`` as a user runs them, side by side.

Each command is a real process started as the ``gongzhi`` script starts (its front door,
api/cli_fast.py), timed wall-clock from start to exit, on three paths in one run: the embedded
store read directly (the full CLI reads the whole graph), the embedded store through a running
``gongzhi serve`` (the front door sends the command in one request over the server's socket
and prints the answer, api/cli_socket.py), and Neo4j (the full CLI asks the database). Through
the server, the first call of a command is shown apart: it computes what later calls find kept.
``gongzhi --help`` is the full CLI's floor: starting Python and importing the CLI, what the
direct and Neo4j paths cannot go below (the front door starts without most of it). Every
command must print the same through the server and on Neo4j as directly (a difference is a
problem).

Run alone: ``python -m bench.cli_reads --scale district`` (Neo4j too if NEO4J_URI is set; that
database is CLEARED and loaded with the scale). ``make bench`` runs it for every scale.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.spans import Span
from bench.worker import AS_OF_ISO, Targets

PATHS = ("embedded direct", "embedded via server", "neo4j")
GONGZHI = [sys.executable, "-m", "api.cli_fast"]  # the front door, as the `gongzhi` script


@dataclass
class CliReads:
    scale: str
    #: command -> path -> median seconds of the warm calls
    seconds: dict[str, dict[str, float]] = field(default_factory=dict)
    #: command -> seconds of its first call through a freshly started server
    first_via_server: dict[str, float] = field(default_factory=dict)
    #: ``gongzhi --help``: Python's start and the CLI's imports
    floor: float | None = None
    calls: int = 0
    problems: list[str] = field(default_factory=list)


def commands(t: Targets) -> dict[str, list[str]]:
    return {
        f"member {t.member}": ["member", t.member, "--as-of", AS_OF_ISO],
        f"coverage community {t.community}": ["coverage", t.community, "--as-of", AS_OF_ISO],
        f"coverage {t.top_kind} {t.top_area}": ["coverage", t.top_area, "--as-of", AS_OF_ISO],
    }


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([*GONGZHI, *args], env=env, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"gongzhi {' '.join(args)}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return seconds, proc.stdout


def _median(args: list[str], env: dict[str, str], calls: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(calls):
        seconds, out = _timed(args, env)
        times.append(seconds)
    return statistics.median(times), out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_socket(data_dir: Path, proc: subprocess.Popen[bytes], timeout: float = 1800) -> None:
    from graph.wire import connect, hello, socket_path

    deadline = time.monotonic() + timeout
    while True:
        sock = connect(socket_path(data_dir))
        if sock is not None:
            try:
                if hello(sock) is not None:
                    return
            finally:
                sock.close()
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("gongzhi serve did not open its CLI socket")
        time.sleep(0.5)


def measure_cli(scale: str, input_dir: Path, t: Targets, calls: int, neo4j_env: dict[str, str] | None) -> CliReads:
    """The figure for one scale. ``neo4j_env``: the settings of a Neo4j database that holds
    this scale's graph now (None: not measured)."""
    result = CliReads(scale, calls=calls)
    cmds = commands(t)
    tmp = Path(tempfile.mkdtemp(prefix=f"gz-bench-cli-{scale}-"))
    base = {**os.environ, "GONGZHI_LANG": "zh", "GONGZHI_AUTH_FILE": str(tmp / "auth.json")}
    emb = {**base, "GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(tmp / "store")}
    try:
        print(f"  [{scale}] CLI reads: loading the embedded store", file=sys.stderr, flush=True)
        _timed(["load", str(input_dir)], emb)
        result.floor, _ = _median(["--help"], emb, calls)
        direct: dict[str, str] = {}
        for name, args in cmds.items():
            seconds, direct[name] = _median(args, emb, calls)
            result.seconds.setdefault(name, {})["embedded direct"] = seconds
        serve = subprocess.Popen(
            [*GONGZHI, "serve", "--host", "127.0.0.1", "--port", str(_free_port())],
            env=emb, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_socket(tmp / "store", serve)
            for name, args in cmds.items():
                first, out = _timed(args, emb)
                result.first_via_server[name] = first
                seconds, out2 = _median(args, emb, calls)
                result.seconds[name]["embedded via server"] = seconds
                if out != direct[name] or out2 != direct[name]:
                    result.problems.append(f"{name}: the server's answer differs from the direct read")
        finally:
            serve.terminate()
            serve.wait(timeout=60)
        if neo4j_env is not None:
            neo = {**base, **neo4j_env, "GONGZHI_STORE": "neo4j"}
            for name, args in cmds.items():
                seconds, out = _median(args, neo, calls)
                result.seconds[name]["neo4j"] = seconds
                if out != direct[name]:
                    result.problems.append(f"{name}: Neo4j prints another answer than the embedded store")
    except Exception as exc:  # reported in the figure, never a crashed run
        result.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _secs(x: float | None) -> str:
    from bench.report import secs

    return secs(x)


BEGIN = "<!-- CLI reads: written by python -m bench (bench/cli_reads.py); do not edit by hand -->"
END = "<!-- /CLI reads -->"
SPAN = Span(BEGIN, END)


def previous(path: Path) -> list[str]:
    """The figure as the report at ``path`` has it (a run that did not measure it keeps it)."""
    return SPAN.previous(path) or []


def update(path: Path, lines: list[str]) -> None:
    """Write the figure into the report at ``path``: in place of the previous one, else
    before the notes (``--only cli``)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    at = text.find("\n## Notes")
    text = SPAN.put(text, lines, at + 1 if at >= 0 else len(text))
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def section(results: list[CliReads], command: str | None = None, when: str | None = None) -> list[str]:
    """The figure as Markdown, markers included: one row per command and scale, the three
    paths side by side. ``command``/``when``: how it was measured, when not with the others."""
    if not results:
        return []
    out = [BEGIN, "## CLI reads", ""]
    if command:
        out += [f"`{command}`{f' on {when}' if when else ''} (this figure alone; the others were measured earlier).", ""]
    out.append(
        "Wall-clock time of a `gongzhi` command from start to exit (a real process; median of "
        f"{results[0].calls} calls), on each path in the same run: the embedded store read directly, "
        "the embedded store through a running `gongzhi serve` (the `gongzhi` script's front door, "
        "api/cli_fast.py, sends the command in one request over the server's socket), and Neo4j. "
        "*first* is the first call through a freshly started server (what later calls find kept is "
        "computed then); *floor* is `gongzhi --help`, starting Python and importing the full CLI, "
        "which the direct and Neo4j paths cannot go below and the front door skips."
    )
    out.append("")
    out.append("| scale | command | embedded direct | embedded via server | (first) | neo4j | direct / via server | floor |")
    out.append("|---|---|--:|--:|--:|--:|--:|--:|")
    for r in results:
        for name, by_path in r.seconds.items():
            d, v = by_path.get("embedded direct"), by_path.get("embedded via server")
            speedup = f"{d / v:.1f}×" if d and v else "–"
            out.append(
                f"| {r.scale} | `{name}` | {_secs(d)} | {_secs(v)} | {_secs(r.first_via_server.get(name))} "
                f"| {_secs(by_path.get('neo4j'))} | {speedup} | {_secs(r.floor)} |"
            )
    for r in results:
        out.extend(f"* {r.scale}: {p}" for p in r.problems)
    out.append("")
    out.append(
        "Reproduce this figure alone with `make bench BENCH_ARGS='--only cli'` (district and city: it clears "
        "the Neo4j database, loads each scale and rewrites only this section)."
    )
    out.append(END)
    return out


def as_dict(r: CliReads) -> dict[str, Any]:
    return {
        "scale": r.scale, "seconds": r.seconds, "first_via_server": r.first_via_server,
        "floor": r.floor, "calls": r.calls, "problems": r.problems,
    }


def from_dict(d: dict[str, Any]) -> CliReads:
    return CliReads(**d)


def load_neo4j(input_dir: Path) -> dict[str, str]:
    """Clear the NEO4J_URI database and load ``input_dir`` into it; its settings as env."""
    from bench.machine import neo4j_settings
    from loaders.load import load

    settings = neo4j_settings()
    from graph.store import open_store

    store = open_store(settings)
    try:
        store.clear()
        store.apply_schema()
        load(store, input_dir, source=input_dir.name)
    finally:
        store.close()
    return settings.as_env()


def main(argv: list[str] | None = None) -> int:
    from bench.cli import SCALES, ensure_input, targets
    from bench.machine import ROOT

    p = argparse.ArgumentParser(prog="python -m bench.cli_reads", description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", default="district", choices=SCALES)
    p.add_argument("--calls", type=int, default=3, help="calls per command and path (median)")
    p.add_argument("--cache-dir", type=Path, default=ROOT / ".cache" / "bench")
    args = p.parse_args(argv)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    input_dir, _ = ensure_input(args.scale, args.cache_dir)
    neo = None
    if os.environ.get("NEO4J_URI"):
        print(f"  [{args.scale}] loading Neo4j at {os.environ['NEO4J_URI']} (cleared first)", file=sys.stderr, flush=True)
        neo = load_neo4j(input_dir)
    r = measure_cli(args.scale, input_dir, targets(input_dir), args.calls, neo)
    print("\n".join(section([r])))
    return 1 if r.problems else 0


if __name__ == "__main__":
    sys.exit(main())

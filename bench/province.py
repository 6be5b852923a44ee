"""``python -m bench --province``: a province on this machine's Neo4j, then split over servers.

What issue 12 asks of a province, measured in one run:

1. Generate the province (``--cities`` cities of ``--city-scale``, default ten cities), one
   input directory per city (``generate(..., per_city=True)``), cached like the other inputs.
2. Load it city by city into the Neo4j server of NEO4J_URI (CLEARED first), each load a
   ``gongzhi load`` process of its own: one city's validation in memory at a time, the
   server's transactions bounded by GONGZHI_WRITE_CHUNK. Then reload every city unchanged.
   Recorded: the time of each load, the loaders' peak resident memory, the server's.
3. Ask the province's roll-up, its coverage, and the gaps of two indicators (one whose counts
   the roll-up sums from the cities, one it asks again: firms), warm medians; the same of the
   first city, for the ratios province / city.
4. Split the province over ``--parts`` servers (the first is the same server, cleared and
   loaded with its share; the others are started here by scripts/neo4j.sh on free ports) and
   ask the same questions of the federation (graph/federated.py). The answers must equal the
   single server's; the times are reported side by side.

The figure goes into BENCHMARKS.md between its own markers; the other figures are left alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.machine import ROOT, machine, neo4j_settings
from bench.province_span import BEGIN, END, SPAN
from bench.report import machine_line, secs
from bench.worker import median_time
from graph.settings import Settings
from graph.store import Store, open_store

SEED = 1
#: one indicator the roll-up sums from the cities, one it asks of the province itself
GAP_INDICATORS = ("COMMUNITY_RED_STATION", "FIRM_PARTY_COVERAGE")


@dataclass
class ProvinceRun:
    cities: int
    city_scale: str
    parts: int
    items: int = 0
    generate_seconds: float | None = None
    loads: list[float] = field(default_factory=list)
    reloads: list[float] = field(default_factory=list)
    loader_peak_kib: int = 0
    server_peak_kib: int | None = None
    #: question -> seconds, on the single server: province and first city
    province: dict[str, float] = field(default_factory=dict)
    city: dict[str, float] = field(default_factory=dict)
    #: question -> seconds over the parts
    federated: dict[str, float] = field(default_factory=dict)
    federated_equal: bool | None = None
    part_cities: list[list[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench --province", description=__doc__.split("\n\n")[0])
    p.add_argument("--province", action="store_true")
    p.add_argument("--cities", type=int, default=10, help="cities in the province (default 10)")
    p.add_argument("--city-scale", default="city", help="the scale of each city (default city)")
    p.add_argument("--parts", type=int, default=2, help="servers the province is split over (default 2)")
    p.add_argument("--repeat", type=int, default=3, help="warm repetitions of each question (median)")
    p.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    p.add_argument("--cache-dir", type=Path, default=ROOT / ".cache" / "bench")
    args = p.parse_args(argv)
    if args.cities < 2 or args.parts < 2 or args.parts > args.cities:
        p.error("--cities must be at least 2 and --parts between 2 and --cities")
    return args


def log(message: str) -> None:
    print(f"  [province] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- input


def ensure_province(cities: int, city_scale: str, cache_dir: Path) -> tuple[list[Path], dict[str, Any]]:
    """The province's per-city input directories, generated once (seed 1) and reused."""
    from bench.cli import generator_fingerprint
    from loaders.generate import generate

    out = cache_dir / f"province-{cities}x{city_scale}-seed{SEED}-{generator_fingerprint()}"
    marker = out / ".generated.json"
    if not marker.exists():
        tmp = out.with_name(out.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        log(f"generating {cities} cities of scale {city_scale} into {out} ...")
        summary = generate(city_scale, SEED, tmp, cities=cities, per_city=True)
        info = {"total": summary.total, "seconds": summary.seconds}
        (tmp / ".generated.json").write_text(json.dumps(info))
        tmp.rename(out)
    info = json.loads(marker.read_text())
    return sorted(p for p in out.iterdir() if p.is_dir()), info


def province_id(city_dir: Path) -> str:
    from bench.cli import _first_cell

    return _first_cell(city_dir / "provinces.csv")


def city_id(city_dir: Path) -> str:
    from bench.cli import _first_cell

    return _first_cell(city_dir / "cities.csv")


# ---------------------------------------------------------------- loads


def gongzhi_load(settings: Settings, city_dir: Path) -> float:
    """One ``gongzhi load`` process into the server of ``settings``; its wall-clock seconds."""
    env = {**os.environ, **settings.as_env()}
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "gongzhi"), "load", str(city_dir), "--source", city_dir.name],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"gongzhi load {city_dir.name} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def children_peak_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def server_peak_kib(home: Path) -> int | None:
    """The Neo4j server's peak resident memory (VmHWM), from its pid file."""
    try:
        pid = (home / "run/neo4j.pid").read_text().strip()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# ---------------------------------------------------------------- questions


def questions(pv: str, area: str) -> dict[str, Callable[[Store], object]]:
    from queries.coverage import coverage, gaps
    from queries.rollup import rollup

    out: dict[str, Callable[[Store], object]] = {
        "roll-up": lambda s: rollup(s, area),
        "coverage": lambda s: coverage(s, area),
    }
    for ind in GAP_INDICATORS:
        out[f"gaps {ind}"] = lambda s, ind=ind: gaps(s, area, ind)  # type: ignore[misc]
    return out


def timed(store: Store, asks: dict[str, Callable[[Store], object]], repeat: int) -> tuple[dict[str, float], dict[str, object]]:
    """Each question once untimed (its answer kept), then its warm median."""
    answers = {name: ask(store) for name, ask in asks.items()}
    return {name: median_time(lambda ask=ask: ask(store), repeat) for name, ask in asks.items()}, answers  # type: ignore[misc]


# ---------------------------------------------------------------- servers of the parts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def extra_servers(n: int, base: Settings, work: Path) -> Iterator[list[Settings]]:
    """``n`` more Neo4j servers (scripts/neo4j.sh, free ports, homes under ``work``), with the
    main server's password; stopped on the way out."""
    started: list[dict[str, str]] = []
    settings: list[Settings] = []
    try:
        for k in range(n):
            home = work / f"part-{k + 2}"
            shutil.rmtree(home, ignore_errors=True)
            bolt, http = _free_port(), _free_port()
            env = {
                **os.environ,
                "GONGZHI_NEO4J_HOME": str(home),
                "NEO4J_BOLT_PORT": str(bolt),
                "NEO4J_HTTP_PORT": str(http),
                "NEO4J_PASSWORD": base.neo4j_password.get_secret_value(),
                "NEO4J_HEAP": os.environ.get("GONGZHI_PART_HEAP", "1g"),
            }
            log(f"starting the server of part {k + 2} on bolt port {bolt} ...")
            subprocess.run(["bash", str(ROOT / "scripts/neo4j.sh"), "start"], env=env, check=True)
            started.append(env)
            settings.append(base.with_(neo4j_uri=f"bolt://127.0.0.1:{bolt}"))
        yield settings
    finally:
        for env in started:
            subprocess.run(["bash", str(ROOT / "scripts/neo4j.sh"), "stop"], env=env, check=False)


def split(dirs: list[Path], parts: int) -> list[list[Path]]:
    """Cities dealt to the parts in turn, so each part holds about as many."""
    return [dirs[k::parts] for k in range(parts)]


# ---------------------------------------------------------------- the run


def run(args: argparse.Namespace) -> ProvinceRun:
    from graph.federated import FederatedStore

    result = ProvinceRun(args.cities, args.city_scale, args.parts)
    dirs, info = ensure_province(args.cities, args.city_scale, args.cache_dir)
    result.items, result.generate_seconds = int(info["total"]), float(info["seconds"])
    pv, first_city = province_id(dirs[0]), city_id(dirs[0])
    base = neo4j_settings()
    main = open_store(base)
    try:
        main.clear()
        main.apply_schema()
        for d in dirs:
            result.loads.append(gongzhi_load(base, d))
            log(f"loaded {d.name} in {result.loads[-1]:.1f} s")
        for d in dirs:
            result.reloads.append(gongzhi_load(base, d))
            log(f"reloaded {d.name} (unchanged) in {result.reloads[-1]:.1f} s")
        result.loader_peak_kib = children_peak_kib()
        result.server_peak_kib = server_peak_kib(base.neo4j_home)
        result.province, single = timed(main, questions(pv, pv), args.repeat)
        result.city, _ = timed(main, questions(pv, first_city), args.repeat)
        log(f"single server: {result.province}")
        shares = split(dirs, args.parts)
        result.part_cities = [[city_id(d) for d in share] for share in shares]
        with extra_servers(args.parts - 1, base, args.cache_dir / "province-servers") as others:
            main.clear()
            for settings, share in zip([base, *others], shares, strict=True):
                if settings is not base:
                    with open_store(settings) as s:
                        s.apply_schema()
                for d in share:
                    gongzhi_load(settings, d)
            stores = [main, *(open_store(s) for s in others)]
            fed = FederatedStore(stores)
            try:
                result.federated, answers = timed(fed, questions(pv, pv), args.repeat)
                result.federated_equal = answers == single
                if not result.federated_equal:
                    result.problems.append("the federated answers differ from the single server's")
            finally:
                for s in stores[1:]:
                    s.close()
        log(f"federated over {args.parts} servers: {result.federated}")
    finally:
        main.close()
    return result


# ---------------------------------------------------------------- report


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "–"


def section(r: ProvinceRun, command: str, when: str, machine_text: str) -> list[str]:
    load, reload = sum(r.loads), sum(r.reloads)
    out = [BEGIN, "## Province", "", f"`{command}` on {when}. {machine_text}", ""]
    out.append(
        f"A province of {r.cities} generated cities of scale `{r.city_scale}` ({r.items:,} input rows, "
        f"generated in {secs(r.generate_seconds)}), loaded city by city into one Neo4j server "
        "(`gongzhi load` per city, one city validated in memory at a time, chunked transactions), "
        f"then split over {r.parts} servers on this machine, cities dealt in turn "
        f"({'; '.join(', '.join(p) for p in r.part_cities)}), and asked again through a federation "
        "(graph/federated.py)."
    )
    out += ["", "| figure | province | first city | province / city |", "|---|--:|--:|--:|"]
    out.append(f"| first load (all cities) | {secs(load)} | {secs(r.loads[0] if r.loads else None)} | {_ratio(load, r.loads[0] if r.loads else None)} |")
    out.append(f"| reload, unchanged | {secs(reload)} | {secs(r.reloads[0] if r.reloads else None)} | {_ratio(reload, r.reloads[0] if r.reloads else None)} |")
    for name, value in r.province.items():
        out.append(f"| {name} (warm median) | {secs(value)} | {secs(r.city.get(name))} | {_ratio(value, r.city.get(name))} |")
    peak = f"{r.loader_peak_kib / 2**20:.2f} GiB" if r.loader_peak_kib else "–"
    server = f"{r.server_peak_kib / 2**20:.2f} GiB" if r.server_peak_kib else "–"
    out += ["", f"Peak resident memory: the loader {peak} (the largest of the per-city `gongzhi load` processes), the Neo4j server {server}.", ""]
    out += [f"| over {r.parts} servers | single server | federated | federated / single |", "|---|--:|--:|--:|"]
    for name, value in r.federated.items():
        out.append(f"| {name} of the province | {secs(r.province.get(name))} | {secs(value)} | {_ratio(value, r.province.get(name))} |")
    same = {True: "equal to the single server's", False: "**different** from the single server's", None: "not compared"}
    out += ["", f"The federated answers (every figure, every item and suggestion): {same[r.federated_equal]}."]
    out += [f"Problem: {p}" for p in r.problems]
    out.append(END)
    return out


def update(path: Path, lines: list[str]) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    at = text.find("\n## Notes")
    path.write_text(SPAN.put(text, lines, at + 1 if at >= 0 else len(text)).rstrip() + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not os.environ.get("NEO4J_URI"):
        print("bench: --province needs NEO4J_URI (make bench starts scripts/neo4j.sh)", file=sys.stderr)
        return 2
    # a part's server that lacks a property key warns about every query naming it (as the CLI does)
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    m = machine(with_neo4j=True)
    r = run(args)
    raw = args.cache_dir / "province-last-run.json"
    raw.write_text(json.dumps(asdict(r), indent=1))
    update(args.out, section(r, "python -m bench " + " ".join(argv), when, machine_line(m)))
    print(f"wrote the province figure into {args.out} (raw: {raw})", file=sys.stderr)
    return 0 if r.federated_equal and not r.problems else 1

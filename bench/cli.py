"""``python -m bench``: generate (cached), measure each store in a child process, report."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import json
import multiprocessing
import os
import shlex
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import figures, raw
from bench.admin_import import AdminImportResult, BulkResult, admin_import, bulk_vs_import
from bench.api import ApiResult
from bench.cli_reads import CliReads, measure_cli, section
from bench.machine import ROOT, machine
from bench.peer import PeerResult
from bench.report import ScaleRun, console_table, machine_line, notes_text, write_report
from bench.worker import StoreResult, Targets, describe, measure
from graph.settings import Settings

SCALES = ("community", "subdistrict", "district", "city")
#: the main scale last; figure 8 divides it by the one before
DEFAULT_SCALES = ("district", "city")
QUICK_SCALES = ("subdistrict", "district")
STORES = ("embedded", "neo4j")
GENERATOR_SOURCES = ("loaders/generate.py", "loaders/generator", "graph/model.py", "graph/declare.py")
SEED = 1
#: untimed loads into Neo4j before the first measured scale: they compile the statements and
#: give the server's JIT something to warm up on, which a freshly started server otherwise
#: charges to the first scale measured
WARMUP_SCALES = ("community", "subdistrict")
#: transaction memory the city's one-transaction load was seen to need (8.3 GiB sampled), with a margin
CITY_TX_BYTES = 9 * 2**30
#: the city's items (a first load), to scale that to the items of one transaction
CITY_ITEMS = 2_405_000
#: the scale of the bulk-load figure (``gongzhi load --bulk`` / the import tool alone)
BULK_SCALE = "district"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the embedded and the Neo4j store side by side. "
        "The Neo4j database NEO4J_URI points at is CLEARED.",
    )
    p.add_argument(
        "--scales",
        default=None,
        help="comma-separated, of: " + ", ".join(SCALES) + "; the largest is the main scale of the eight "
        "figures and the one before it the smaller side of figure 8 (default: " + ",".join(DEFAULT_SCALES) + ")",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="for development: the figures at the district scale (" + ",".join(QUICK_SCALES) + ")",
    )
    p.add_argument(
        "--samples",
        type=int,
        default=10,
        help="timed requests per API figure (p50/p99; below 100 samples p99 is the slowest), and per client for figure 7",
    )
    p.add_argument(
        "--only",
        choices=("peer", "cli"),
        default=None,
        help="measure one figure alone and write it into the existing --out: 'peer' (figure 10, "
        "Gongzhi / @neo4j/graphql / raw Cypher) loads the last of --scales (default district) into Neo4j; "
        "'cli' (CLI reads) loads each of --scales (default district,city) into Neo4j and the embedded store",
    )
    p.add_argument(
        "--peer-samples",
        type=int,
        default=60,
        help="samples per request and side for figure 10 (fewer when a request's time budget runs out)",
    )
    p.add_argument(
        "--province",
        action="store_true",
        help="measure a province apart (bench/province.py: its own options, "
        "python -m bench --province --help) and write only its section",
    )
    p.add_argument("--stores", default=",".join(STORES), help="comma-separated, of: " + ", ".join(STORES))
    p.add_argument("--repeat", type=int, default=5, help="warm repetitions of stats and queries (median)")
    p.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="the Markdown report")
    p.add_argument("--cache-dir", type=Path, default=ROOT / ".cache" / "bench", help="generated inputs")
    p.add_argument(
        "--profile",
        default="",
        help="comma-separated scales whose first and second loads run once more under cProfile (top functions in the report)",
    )
    p.add_argument(
        "--no-warmup",
        action="store_true",
        help="skip the untimed community and subdistrict loads into Neo4j that warm the server up first",
    )
    p.add_argument(
        "--report-only",
        type=Path,
        metavar="RAW_JSON",
        help="measure nothing: write --out again from a run's raw results (.cache/bench/last-run.json)",
    )
    args = p.parse_args(argv)
    if args.only == "peer" and args.scales is None:
        args.scales = "district"
    if args.only == "cli" and args.scales is None:
        args.scales = "district,city"
    if args.scales is None:
        args.scales = ",".join(QUICK_SCALES if args.quick else DEFAULT_SCALES)
    elif args.quick:
        p.error("--quick chooses the scales; do not pass --scales with it")
    args.scale_list = _pick(args.scales, SCALES, "scale", p)
    args.store_list = _pick(args.stores, STORES, "store", p)
    args.profile_list = _pick(args.profile, SCALES, "scale", p) if args.profile else []
    if args.repeat < 1 or args.samples < 1 or args.peer_samples < 1:
        p.error("--repeat, --samples and --peer-samples must be at least 1")
    return args


def parse_size(text: str) -> int | None:
    """``9.10GiB`` / ``512.00MiB`` / ``0B`` (as SHOW SETTINGS prints them) in bytes."""
    units = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            try:
                return int(float(text[: -len(unit)]) * units[unit])
            except ValueError:
                return None
    return None


def _pick(value: str, allowed: tuple[str, ...], what: str, p: argparse.ArgumentParser) -> list[str]:
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in allowed]
    if unknown or not chosen:
        p.error(f"unknown {what} {', '.join(unknown) or '(none)'}; choose from {', '.join(allowed)}")
    return [v for v in allowed if v in chosen]  # in the canonical order, small to large


# ---------------------------------------------------------------- inputs


def generator_fingerprint() -> str:
    """A hash of the generator's source: a changed generator gets a new cache directory."""
    h = hashlib.sha256()
    for rel in GENERATOR_SOURCES:
        path = ROOT / rel
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:10]


def ensure_input(scale: str, cache_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The generated input of ``scale`` (seed 1), generated once and then reused."""
    from loaders.generate import generate

    out = cache_dir / f"{scale}-seed{SEED}-{generator_fingerprint()}"
    marker = out / ".generated.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        info["cached"] = True
        return out, info
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        for f in tmp.iterdir():
            f.unlink()
    print(f"  [{scale}] generating into {out} ...", file=sys.stderr, flush=True)
    summary = generate(scale, SEED, tmp)
    info = {"rows": summary.rows, "total": summary.total, "seconds": summary.seconds}
    (tmp / ".generated.json").write_text(json.dumps(info, indent=1))
    tmp.rename(out)
    info["cached"] = False
    return out, info


def _first_cell(path: Path, column: int = 0, where: tuple[int, set[str]] | None = None) -> str:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f)
        next(rows)
        for row in rows:
            if where is None or row[where[0]] in where[1]:
                return row[column]
    raise ValueError(f"{path}: no matching row")


def targets(input_dir: Path) -> Targets:
    """The city (the top area at every scale), the first community, the first member with a membership."""
    return Targets(
        top_area=_first_cell(input_dir / "cities.csv"),
        top_kind="city",
        community=_first_cell(input_dir / "communities.csv"),
        member=_first_cell(input_dir / "memberships.csv"),
    )


# ---------------------------------------------------------------- running


def run_store(kind: str, scale: str, input_dir: Path, t: Targets, repeat: int, profile: bool) -> StoreResult:
    """``bench.worker.measure`` in a spawned child; a child that dies is reported, not raised."""
    ctx = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            return pool.submit(measure, kind, scale, str(input_dir), t, repeat, profile).result()
    except BrokenProcessPool:
        r = StoreResult(kind, scale)
        r.errors.append(
            f"the child process measuring {kind} died after {time.perf_counter() - started:.0f}s "
            "(killed: out of memory?)"
        )
        return r
    except Exception as exc:
        r = StoreResult(kind, scale)
        r.errors.append(describe(exc))
        return r


def run_api(t: Targets, samples: int) -> ApiResult:
    """Figures 4, 5 and 7 on the graph the Neo4j database holds now (see ``bench.api``)."""
    from bench.api import measure_api, page_indicator
    from bench.worker import AS_OF_ISO, open_store

    print("[api] GraphQL over HTTP and the raw driver, side by side", file=sys.stderr, flush=True)
    try:
        store = open_store("neo4j", Path("."))
        try:
            indicator = page_indicator(store, t.top_area, AS_OF_ISO)
        finally:
            store.close()
        # as many server processes as cores (gongzhi serve --workers): one interpreter would
        # serialise the requests' Python work and make figure 7 measure the GIL
        return measure_api(t.top_area, indicator, AS_OF_ISO, samples, workers=os.cpu_count() or 1)
    except Exception as exc:
        return ApiResult(
            requests=[], round_trips_page_10=None, round_trips_page_1000=None, one_client=None,
            concurrent=None, clients=0, one_client_rps=None, concurrent_rps=None, server="",
            errors=[describe(exc)],
        )


def run_cli(scale: str, input_dir: Path, t: Targets, run: ScaleRun, args: argparse.Namespace) -> CliReads:
    """The CLI reads figure (bench/cli_reads.py), with Neo4j while it holds this scale's graph."""
    from bench.machine import neo4j_settings

    neo = run.results.get("neo4j")
    neo4j_env = neo4j_settings().as_env() if neo is not None and not neo.load1.error and not neo.errors else None
    print(f"[cli] {scale}: gongzhi member / coverage, direct, via a server, on Neo4j", file=sys.stderr, flush=True)
    return measure_cli(scale, input_dir, t, min(args.repeat, 3), neo4j_env)


def run_peer(input_dir: Path, t: Targets, scale: str, samples: int) -> PeerResult:
    """Figure 10 on the graph the Neo4j database holds now (see ``bench.peer``)."""
    from bench.peer import measure_peer

    print("[peer] Gongzhi / @neo4j/graphql / raw Cypher, side by side", file=sys.stderr, flush=True)
    return measure_peer(input_dir, t.top_area, scale, samples, workers=os.cpu_count() or 1)


def only_peer(args: argparse.Namespace) -> int:
    """``--only peer``: load the scale into Neo4j, measure figure 10, write it into ``--out``."""
    from bench import peer_report
    from bench.worker import open_store, timed_load

    command = "python -m bench" + ("" if not sys.argv[1:] else " " + shlex.join(sys.argv[1:]))
    started_at = datetime.now().astimezone()
    m = machine(with_neo4j=True)
    if m.neo4j_error:
        print(f"bench: cannot reach Neo4j at {m.neo4j_uri}: {m.neo4j_error}", file=sys.stderr)
        return 2
    scale = args.scale_list[-1]
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    input_dir, _ = ensure_input(scale, args.cache_dir)
    t = targets(input_dir)
    print(f"[{scale}] clearing Neo4j and loading {input_dir.name}", file=sys.stderr, flush=True)
    store = open_store("neo4j", Path("."))
    try:
        store.clear()
        store.apply_schema()
        loaded = timed_load(store, input_dir)
    finally:
        store.close()
    if loaded.error:
        print(f"bench: the {scale} load failed: {loaded.error}", file=sys.stderr)
        return 1
    result = run_peer(input_dir, t, scale, args.peer_samples)
    lines = peer_report.section(result, command, started_at, m.commit, machine_line(m))
    peer_report.update(args.out, lines, notes_text())
    print(peer_report.console(result), flush=True)
    raw_path = args.cache_dir / "last-peer.json"
    raw_path.write_text(json.dumps(dataclasses.asdict(result), indent=1, default=str), encoding="utf-8")
    print(f"wrote figure 10 into {args.out} (raw numbers in {raw_path})", file=sys.stderr)
    return 1 if result.errors or not result.requests else 0


def only_cli(args: argparse.Namespace) -> int:
    """``--only cli``: per scale, load Neo4j, measure the CLI reads, write the figure into ``--out``."""
    from bench import cli_reads

    command = "python -m bench" + ("" if not sys.argv[1:] else " " + shlex.join(sys.argv[1:]))
    started_at = datetime.now().astimezone()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    results: list[CliReads] = []
    for scale in args.scale_list:
        input_dir, _ = ensure_input(scale, args.cache_dir)
        print(f"[{scale}] clearing Neo4j and loading {input_dir.name}", file=sys.stderr, flush=True)
        neo4j_env = cli_reads.load_neo4j(input_dir)
        results.append(measure_cli(scale, input_dir, targets(input_dir), min(args.repeat, 3), neo4j_env))
    m = machine(with_neo4j=True)
    lines = section(results, command, f"{started_at:%Y-%m-%d %H:%M %Z}, commit `{m.commit}`, {machine_line(m)}")
    cli_reads.update(args.out, lines)
    print("\n".join(lines), flush=True)
    return 1 if any(r.problems for r in results) else 0


def compare(run: ScaleRun) -> None:
    """Both stores must hold the same graph and give the same answers."""
    emb, neo = run.results.get("embedded"), run.results.get("neo4j")
    if emb is None or neo is None:
        return
    if emb.stats is not None and neo.stats is not None:
        run.stats_identical = emb.stats == neo.stats
        if not run.stats_identical:
            run.problems.append(f"stats differ: embedded {emb.stats} / neo4j {neo.stats}")
    for name in emb.answers.keys() & neo.answers.keys():
        if emb.answers[name] != neo.answers[name]:
            run.problems.append(f"{name}: the two stores answer differently")
            run.answers_identical = False
    if run.answers_identical is None and emb.answers and neo.answers:
        run.answers_identical = True


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if "--province" in given:  # its own run and figure (bench/province.py)
        from bench.province import main as province

        return province(given)
    args = parse_args(argv)
    if args.only == "peer":
        if not os.environ.get("NEO4J_URI"):
            print("bench: --only peer needs NEO4J_URI (make bench starts scripts/neo4j.sh)", file=sys.stderr)
            return 2
        return only_peer(args)
    if args.only == "cli":
        if not os.environ.get("NEO4J_URI"):
            print("bench: --only cli needs NEO4J_URI (make bench starts scripts/neo4j.sh)", file=sys.stderr)
            return 2
        return only_cli(args)
    if args.report_only is not None:
        write_report(args.out, raw.load(args.report_only))
        print(f"wrote {args.out} from {args.report_only}", file=sys.stderr)
        return 0
    if "neo4j" in args.store_list and not os.environ.get("NEO4J_URI"):
        print(
            "bench: NEO4J_URI is not set. Run `make bench` (it starts scripts/neo4j.sh), or "
            'eval "$(bash scripts/neo4j.sh env)" first, or pass --stores embedded. '
            "The database it points at is cleared.",
            file=sys.stderr,
        )
        return 2
    command = "python -m bench" + ("" if not sys.argv[1:] else " " + shlex.join(sys.argv[1:]))
    started_at = datetime.now().astimezone()
    m = machine(with_neo4j="neo4j" in args.store_list)
    if m.neo4j_error:
        print(f"bench: cannot reach Neo4j at {m.neo4j_uri}: {m.neo4j_error}", file=sys.stderr)
        return 2
    if "city" in args.scale_list and "neo4j" in args.store_list:
        limit = parse_size(m.neo4j_settings.get("dbms.memory.transaction.total.max", ""))
        chunk = min(Settings().write_chunk, CITY_ITEMS)  # items per transaction (GONGZHI_WRITE_CHUNK)
        needed = CITY_TX_BYTES * chunk // CITY_ITEMS
        if limit is not None and 0 < limit < needed:
            print(
                f"bench: warning: Neo4j lets all transactions use {limit / 2**30:.1f} GiB; a city load "
                f"in transactions of {chunk:,} items (GONGZHI_WRITE_CHUNK) needs about {needed / 2**30:.1f} GiB "
                "and will most likely fail. Lower GONGZHI_WRITE_CHUNK or raise NEO4J_HEAP "
                "(the limit is 70% of the heap).",
                file=sys.stderr,
            )
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    m.load_before = os.getloadavg()
    if "neo4j" in args.store_list and not args.no_warmup:
        done = []
        for scale in WARMUP_SCALES:
            warm_dir, _ = ensure_input(scale, args.cache_dir)
            print(f"[warm-up] an untimed {scale} load into Neo4j", file=sys.stderr, flush=True)
            warm = run_store("neo4j", f"warm-up {scale}", warm_dir, targets(warm_dir), 1, False)
            done.append(f"{scale}: " + (warm.errors[0].splitlines()[0] if warm.errors else "done"))
        m.warmup = ", ".join(done)
    runs: list[ScaleRun] = []
    main_scale = args.scale_list[-1]
    base_scale = args.scale_list[-2] if len(args.scale_list) > 1 else None
    admin: AdminImportResult | None = None
    bulk: BulkResult | None = None
    api: ApiResult | None = None
    cli_runs: list[CliReads] = []
    peer: PeerResult | None = None
    for scale in args.scale_list:
        print(f"[{scale}]", file=sys.stderr, flush=True)
        input_dir, info = ensure_input(scale, args.cache_dir)
        t = targets(input_dir)
        run = ScaleRun(scale=scale, input_dir=str(input_dir), generated=info, targets=t, repeat=args.repeat)
        if scale == main_scale and "neo4j" in args.store_list:
            admin = admin_import(input_dir, args.cache_dir / "admin-import")
            if admin.error:
                run.problems.append(f"neo4j-admin import: {admin.error}")
        if scale == BULK_SCALE and "neo4j" in args.store_list:
            bulk = bulk_vs_import(input_dir, args.cache_dir / "bulk", scale)
            if bulk.error:
                run.problems.append(f"load --bulk: {bulk.error}")
        for kind in args.store_list:
            run.results[kind] = run_store(kind, scale, input_dir, t, args.repeat, scale in args.profile_list)
            for e in run.results[kind].errors:
                run.problems.append(f"{kind}: {e.splitlines()[0]}")
            for q, e in run.results[kind].query_errors.items():
                run.problems.append(f"{kind}: {q}: {e}")
        if "embedded" in args.store_list:
            cli_runs.append(run_cli(scale, input_dir, t, run, args))
            run.problems.extend(f"cli: {p}" for p in cli_runs[-1].problems)
        if scale == main_scale and "neo4j" in args.store_list and not run.results["neo4j"].load1.error:
            api = run_api(t, args.samples)  # the database still holds this scale's graph
            run.problems.extend(f"api: {e}" for e in api.errors)
            peer = run_peer(input_dir, t, scale, args.peer_samples)
            run.problems.extend(f"peer: {e.splitlines()[0]}" for e in peer.errors)
        compare(run)
        runs.append(run)
        print(console_table(run), flush=True)
    finished_at = datetime.now().astimezone()
    m.load_after = os.getloadavg()
    result = raw.Run(
        m, command, args.repeat, started_at, finished_at, runs, main_scale, base_scale, admin, api, cli_runs,
        peer=peer, bulk=bulk,
    )
    write_report(args.out, result)
    print(figures.console(result), flush=True)
    print("\n".join(section(cli_runs)), flush=True)
    if peer is not None:
        from bench import peer_report

        print(peer_report.console(peer), flush=True)
    raw.save(args.cache_dir / f"run-{started_at:%Y%m%d-%H%M%S}.json", result)
    raw.save(args.cache_dir / "last-run.json", result)
    print(f"wrote {args.out} (raw numbers in {args.cache_dir / 'last-run.json'})", file=sys.stderr)
    failed = [p for r in runs for p in r.problems]
    return 1 if failed else 0

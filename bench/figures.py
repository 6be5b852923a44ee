"""The eight figures of the benchmark issue, each a ratio measured side by side in one run.

Every figure divides two timings (or sizes) taken in the same run on the same machine, so
that a busy machine moves both sides alike. ``figures(...)`` derives them from the raw
results (``bench.raw.Run``) and ``section(...)`` renders them as the first part of
BENCHMARKS.md: what was measured, the ratio, the goal, whether it holds, and how to
reproduce it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.worker import FLOOR_NAME, ROLLUP, StoreResult
from graph.settings import Settings


@dataclass
class Figure:
    number: int
    title: str
    measured: str
    value: str
    goal: str
    #: True / False, or None when it could not be measured in this run (``value`` says why)
    holds: bool | None


def _r(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def _s(x: float | None) -> str:
    from bench.report import secs

    return secs(x)


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def _all(checks: list[bool | None]) -> bool | None:
    if not checks or any(c is None for c in checks):
        return None
    return all(bool(c) for c in checks)


def _query(r: StoreResult | None, prefix: str) -> float | None:
    if r is None:
        return None
    for name, seconds in r.queries.items():
        if name.startswith(prefix):
            return seconds
    return None


def figures(run: Any) -> list[Figure]:
    """The eight figures from a ``bench.raw.Run`` (missing parts give a figure saying so)."""
    by_scale = {r.scale: r for r in run.runs}
    main = by_scale.get(run.main_scale)
    base = by_scale.get(run.base_scale) if run.base_scale else None
    emb = main.results.get("embedded") if main else None
    neo = main.results.get("neo4j") if main else None
    scale = run.main_scale
    out: list[Figure] = []

    # 1 ---------------------------------------------------------------- load vs admin import
    adm = run.admin
    if neo is not None and adm is not None and adm.seconds and not adm.error and neo.load1.seconds and not neo.load1.error:
        ours = neo.load1.rows / neo.load1.seconds
        theirs = adm.rows / adm.seconds
        v = ours / theirs
        out.append(Figure(
            1, "Neo4j load throughput: our loader / `neo4j-admin database import`",
            f"{scale}: {neo.load1.rows:,} input rows into an empty database; our loader (read, validate, diff, "
            f"write in transactions of at most {Settings().write_chunk:,} items) {_s(neo.load1.seconds)} = {ours:,.0f} rows/s; the import tool on the same "
            f"records ({adm.nodes:,} nodes, {adm.rels:,} relationships, written in its CSV format beforehand in "
            f"{_s(adm.convert_seconds)}, not counted) {_s(adm.seconds)} including JVM start = {theirs:,.0f} rows/s",
            _r(v), ">= 0.25", v >= 0.25,
        ))
    else:
        why = (adm.error if adm and adm.error else None) or (neo.load1.error if neo else None) or "not measured"
        out.append(Figure(1, "Neo4j load throughput: our loader / `neo4j-admin database import`", why, "–", ">= 0.25", None))

    # 2 ---------------------------------------------------------------- reload / first load
    parts, checks = [], []
    for kind, r in ((k, main.results.get(k)) for k in ("embedded", "neo4j")) if main else ():
        if r is None:
            continue
        v = _div(r.load2.seconds, r.load1.seconds) if not (r.load1.error or r.load2.error) else None
        parts.append(f"{kind} {_s(r.load2.seconds)} / {_s(r.load1.seconds)} = {_r(v)}")
        checks.append(None if v is None else v <= 1.0)
    out.append(Figure(
        2, "re-loading unchanged data / first load",
        f"{scale}: the same input again (every item unchanged, nothing written) / the first load into an empty store",
        "; ".join(parts) or "–", "<= 1.0", _all(checks),
    ))

    # 3 ---------------------------------------------------------------- roll-up vs floor
    parts, checks = [], []
    for kind, r in (("embedded", emb), ("neo4j", neo)):
        if r is None:
            continue
        roll, floor = _query(r, ROLLUP), _query(r, FLOOR_NAME)
        v = _div(roll, floor)
        parts.append(f"{kind} {_s(roll)} / {_s(floor)} = {_r(v)}")
        checks.append(None if v is None else v <= 2.0)
    out.append(Figure(
        3, "whole-city coverage roll-up / the floor",
        f"{scale}: `queries.rollup.rollup` of the city (all 14 indicators for the city and each child area, "
        "warm median) / `bench.floor` (one pass down the place tree counting the items the indicators count, "
        "by label, per child)",
        "; ".join(parts) or "–", "<= 2.0", _all(checks),
    ))

    # 4, 5, 7 ---------------------------------------------------------------- the API
    api = run.api
    goals = {"city roll-up": 1.3, "gaps page of 100": 1.3, "gaps page of 1000": 2.0}
    if api is not None and api.requests:
        parts, checks = [], []
        for req in api.requests:
            goal = goals.get(req.name, 2.0)
            p50, p99 = _div(req.http.p50, req.raw.p50), _div(req.http.p99, req.raw.p99)
            parts.append(
                f"{req.name}: p50 {_s(req.http.p50)} / {_s(req.raw.p50)} = **{_r(p50)}**, "
                f"p99 {_s(req.http.p99)} / {_s(req.raw.p99)} = **{_r(p99)}** (goal <= {goal}; "
                f"{req.statements} statements{'' if req.same_result else ', RESULTS DIFFER'})"
            )
            checks.append(None if p50 is None or p99 is None or not req.same_result else max(p50, p99) <= goal)
        out.append(Figure(
            4, "GraphQL over HTTP / the raw driver, same Cypher, same result",
            f"{scale}, Neo4j, {len(api.requests[0].http.samples)} samples each, HTTP and raw interleaved; "
            f"server: {api.server}; the raw side replays the exact statements and parameters the request "
            "sent (recorded in-process) and is checked to return the same rows",
            "<br>".join(parts), "<= 1.3 (roll-up, page 100), <= 2.0 (page 1,000)", _all(checks),
        ))
        v5 = _div(api.round_trips_page_1000, api.round_trips_page_10)
        out.append(Figure(
            5, "store round trips per GraphQL request: page of 1,000 / page of 10",
            f"{scale}: store calls made while serving one gaps page ({api.round_trips_page_1000} for 1,000 items, "
            f"{api.round_trips_page_10} for 10)",
            _r(v5), "= 1", None if v5 is None else v5 == 1,
        ))
    else:
        why = "; ".join(api.errors) if api is not None and api.errors else "not measured"
        out.append(Figure(4, "GraphQL over HTTP / the raw driver", why, "–", "<= 1.3 / <= 2.0", None))
        out.append(Figure(5, "store round trips: page of 1,000 / page of 10", why, "–", "= 1", None))

    # 6 ---------------------------------------------------------------- embedded memory, speed
    mem = emb.memory if emb is not None else None
    qparts = []
    if emb is not None and neo is not None:
        for name, e in emb.queries.items():
            n = neo.queries.get(name)
            if n:
                qparts.append(f"{name}: {_r(e / n)}")
    if mem:
        per = mem["bytes_per_item"]
        out.append(Figure(
            6, "embedded store: resident memory per node + relationship; its query times / Neo4j's",
            f"{scale}: {(mem['rss_after'] - mem['rss_before']) / 2**20:,.0f} MiB resident growth on opening the "
            f"store in a fresh process / ({mem['nodes']:,} nodes + {mem['rels']:,} relationships) "
            f"(peak while unpickling {mem['peak_rss'] / 2**20:,.0f} MiB); query times embedded / Neo4j: "
            + ("; ".join(qparts) or "–"),
            f"{per:,.0f} bytes", "<= 600 bytes; times: report", per <= 600,
        ))
    else:
        out.append(Figure(6, "embedded store: memory per node + relationship", "not measured", "–", "<= 600 bytes", None))

    # 7 ---------------------------------------------------------------- concurrency
    if api is not None and api.one_client and api.concurrent and api.one_client.p99 and api.concurrent.p99:
        v = api.concurrent.p99 / api.one_client.p99
        out.append(Figure(
            7, f"API p99 with {api.clients} concurrent clients / p99 with 1 client",
            f"{scale}, Neo4j, gaps page of 100: p99 {_s(api.concurrent.p99)} over {len(api.concurrent.samples)} "
            f"requests from {api.clients} clients at once ({_r(api.concurrent_rps)} requests/s) / p99 "
            f"{_s(api.one_client.p99)} over {len(api.one_client.samples)} from one client "
            f"({_r(api.one_client_rps)} requests/s)",
            _r(v), "<= 4", v <= 4,
        ))
    else:
        out.append(Figure(7, "API p99, concurrent / one client", "not measured", "–", "<= 4", None))

    # 8 ---------------------------------------------------------------- scaling
    out.append(_scaling(run, base, main))

    # 9 ---------------------------------------------------------------- bulk load vs the tool alone
    out.append(_bulk(getattr(run, "bulk", None)))
    return out


def _bulk(b: Any) -> Figure:
    title = "`gongzhi load --bulk` / `neo4j-admin database import` alone"
    if b is None or b.error or not b.seconds or not b.tool_alone_seconds:
        return Figure(9, title, (b.error if b is not None else None) or "not measured", "–", ">= 0.8", None)
    v = b.tool_alone_seconds / b.seconds
    return Figure(
        9, title,
        f"{b.scale}: {b.rows:,} input rows into a new database; the bulk load (read, validate and plan as "
        f"`gongzhi load` does {_s(b.plan_seconds)}, CSV files {_s(b.csv_seconds)}, the import tool "
        f"{_s(b.tool_in_bulk_seconds)}, moved into place) {_s(b.seconds)}; the same import command alone on the "
        f"same files ({b.nodes:,} nodes, {b.rels:,} relationships) {_s(b.tool_alone_seconds)}, JVM start included "
        "in both; throughput ratio = tool alone / bulk load",
        _r(v), ">= 0.8", v >= 0.8,
    )


def _scaling(run: Any, base: Any, main: Any) -> Figure:
    title = "time at the larger scale / time at the smaller one"
    if base is None or main is None:
        return Figure(8, title, "needs two scales in the run", "–", "<= 12 at 10× the data", None)
    data = _div(main.generated.get("total"), base.generated.get("total")) or 0.0
    limit = 1.2 * data  # 12 at ten times the data: at most 20% worse than linear
    steps: list[tuple[str, Callable[[StoreResult], float | None]]] = [
        ("first load", lambda r: None if r.load1.error else r.load1.seconds),
        ("second load", lambda r: None if r.load2.error else r.load2.seconds),
        ("roll-up", lambda r: _query(r, ROLLUP)),
        ("coverage of the city", lambda r: _query(r, "coverage city")),
    ]
    parts, checks = [], []
    for kind in ("embedded", "neo4j"):
        small, large = base.results.get(kind), main.results.get(kind)
        if small is None or large is None:
            continue
        cells = []
        for name, get in steps:
            v = _div(get(large), get(small))
            cells.append(f"{name} {_r(v)}")
            checks.append(None if v is None else v <= limit)
        parts.append(f"{kind}: " + ", ".join(cells))
    return Figure(
        8, title,
        f"{run.main_scale} / {run.base_scale}: {data:.1f}× the input rows "
        f"({main.generated.get('total', 0):,} / {base.generated.get('total', 0):,}); the goal scales with it "
        f"(12 at 10×, so here <= {_r(limit)})",
        "<br>".join(parts) or "–", f"<= 12 at 10× (here <= {_r(limit)})", _all(checks),
    )


def _verdict(holds: bool | None) -> str:
    return "holds" if holds else "not measured" if holds is None else "**missed**"


def section(run: Any, command: str) -> list[str]:
    """The figures as a Markdown table plus their detail, for the top of BENCHMARKS.md."""
    m = run.machine
    figs = figures(run)
    out = ["## The figures", ""]
    out.append(
        f"One run of `{command}` on {m.cpus} cores, {m.memory_gib:.0f} GiB ({m.cpu_model}); "
        f"main scale **{run.main_scale}**" + (f", compared with **{run.base_scale}** for figure 8" if run.base_scale else "")
        + ". Reproduce with `make bench` (city, the default) or `make bench BENCH_ARGS=--quick` (district)."
    )
    out.append("")
    out.append("| # | figure | ratio | goal | verdict |")
    out.append("|--:|---|---|---|---|")
    for f in figs:
        out.append(f"| {f.number} | {f.title} | {f.value} | {f.goal} | {_verdict(f.holds)} |")
    out.append("")
    for f in figs:
        out.append(f"* **{f.number}. {f.title}.** {f.measured}.")
    out.append("")
    return out


def console(run: Any) -> str:
    lines = ["== figures"]
    for f in figures(run):
        value = f.value.replace("<br>", " | ").replace("**", "")
        lines.append(f"{f.number}. {f.title}: {value} (goal {f.goal}: {_verdict(f.holds).strip('*')})")
    return "\n".join(lines) + "\n"

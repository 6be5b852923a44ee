"""The console table and BENCHMARKS.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.machine import Machine
from bench.province_span import SPAN
from bench.worker import LoadResult, StoreResult, Targets
from graph.model import base_labels
from graph.settings import Settings

STAGES = ("read", "validate", "diff", "write")


@dataclass
class ScaleRun:
    scale: str
    input_dir: str
    generated: dict[str, Any]
    targets: Targets
    results: dict[str, StoreResult] = field(default_factory=dict)
    stats_identical: bool | None = None
    answers_identical: bool | None = None
    problems: list[str] = field(default_factory=list)
    repeat: int = 0


# ---------------------------------------------------------------- formatting


def secs(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f} s"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.001:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1e6:.0f} µs"


def mib(kib: int | None) -> str:
    return "–" if not kib else f"{kib / 1024:,.0f} MiB"


def size(n: int | None) -> str:
    if n is None:
        return "–"
    return f"{n / 1024 / 1024:,.1f} MiB" if n >= 1024 * 1024 else f"{n / 1024:,.1f} KiB"


def ratio(neo: float | None, emb: float | None) -> str:
    if neo is None or emb is None or emb <= 0:
        return "–"
    r = neo / emb
    return f"{r:,.0f}×" if r >= 100 else f"{r:.1f}×" if r >= 10 else f"{r:.2f}×"


# ---------------------------------------------------------------- rows


def _load_rows(label: str, emb: LoadResult | None, neo: LoadResult | None) -> list[tuple[str, str, str, str]]:
    def cell(r: LoadResult | None, stage: str | None = None) -> tuple[str, float | None]:
        if r is None:
            return "–", None
        if stage is None:
            if r.error:
                return f"FAILED after {secs(r.seconds)}", None
            return secs(r.seconds), r.seconds
        if r.error or stage not in r.stages:
            return "–", None
        return secs(r.stages[stage]), r.stages[stage]

    rows = []
    (e_text, e_val), (n_text, n_val) = cell(emb), cell(neo)
    rows.append((label, e_text, n_text, ratio(n_val, e_val)))
    for stage in STAGES:
        (e_text, e_val), (n_text, n_val) = cell(emb, stage), cell(neo, stage)
        if e_val is None and n_val is None:
            continue
        rows.append((f"  {stage}", e_text, n_text, ratio(n_val, e_val)))
    return rows


def table_rows(run: ScaleRun) -> list[tuple[str, str, str, str]]:
    emb, neo = run.results.get("embedded"), run.results.get("neo4j")

    def val(r: StoreResult | None, get: Any) -> float | None:
        return None if r is None else get(r)

    def line(label: str, get: Any, fmt: Any = secs, with_ratio: bool = True) -> tuple[str, str, str, str]:
        e, n = val(emb, get), val(neo, get)
        return (label, fmt(e) if emb else "–", fmt(n) if neo else "–", ratio(n, e) if with_ratio else "")

    rows = _load_rows("first load (empty store)", emb.load1 if emb else None, neo.load1 if neo else None)
    rows += _load_rows(
        "second load (identical, all unchanged)", emb.load2 if emb else None, neo.load2 if neo else None
    )
    if neo is not None and neo.load1.tx_peak_bytes:
        rows.append(
            ("Neo4j transaction heap, first load (sampled peak)", "", size(neo.load1.tx_peak_bytes), "")
        )
    rows.append(line(f"stats() (median of {run.repeat})", lambda r: r.stats_seconds))
    names: list[str] = []
    for r in (emb, neo):
        if r is not None:
            names += [
                q
                for q in (*r.queries, *r.query_errors)
                if q not in names and not q.startswith("(") and not q.endswith("(fresh plans)")
            ]
    for q in names:

        def get(r: StoreResult, q: str = q) -> float | None:
            return r.queries.get(q)

        e, n = val(emb, get), val(neo, get)
        e_text = secs(e) if e is not None else _qerr(emb, q)
        n_text = secs(n) if n is not None else _qerr(neo, q)
        rows.append((f"{q} (warm, median)", e_text, n_text, ratio(n, e)))
    rows.append(line("peak RSS of the Python process", lambda r: r.peak_rss_kib or None, mib, False))
    if emb is not None:
        rows.append(("embedded snapshot on disk", size(emb.snapshot_bytes), "", ""))
        rows.append(("reopen the embedded store (+ stats)", secs(emb.reopen_seconds), "", ""))
        writes = emb.small_writes or {}
        if writes:
            n = int(writes["writes"])
            rows.append(
                (f"embedded: one small write, 1 node (median of {n})", secs(writes["write_seconds"]), "", "")
            )
            rows.append(
                ("embedded: another handle catching up with it", secs(writes["catch_up_seconds"]), "", "")
            )
            rows.append(
                (f"embedded: reopen after the {n} writes (+ stats)", secs(writes["reopen_seconds"]), "", "")
            )
    if neo is not None and neo.clear_seconds is not None:
        rows.append(("clear() before the run (Neo4j)", "", secs(neo.clear_seconds), ""))
    return rows


def _qerr(r: StoreResult | None, q: str) -> str:
    if r is None:
        return "–"
    return "FAILED" if q in r.query_errors else "–"


def console_table(run: ScaleRun) -> str:
    rows = [("", "embedded", "neo4j", "neo4j/emb"), *table_rows(run)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    head = f"== {run.scale}: {run.generated.get('total', 0):,} input rows"
    lines = [head]
    for r in rows:
        lines.append(
            "  ".join([r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))])
        )
    if run.stats_identical is not None:
        lines.append(f"stats identical on both stores: {'yes' if run.stats_identical else 'NO'}")
    for p in run.problems:
        lines.append(f"PROBLEM: {p}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- BENCHMARKS.md


def _dominant(load: LoadResult) -> str:
    if load.error or not load.seconds or not load.stages:
        return "–"
    stage, t = max(load.stages.items(), key=lambda kv: kv[1])
    return f"{stage} ({t / load.seconds:.0%})"


def _scale_section(run: ScaleRun) -> list[str]:
    g = run.generated
    emb, neo = run.results.get("embedded"), run.results.get("neo4j")
    any_r = emb or neo
    out = [f"## {run.scale}", ""]
    items = ""
    if any_r and any_r.stats is not None:
        nodes = sum(v for k, v in any_r.stats.labels.items() if k in base_labels())
        rels = sum(any_r.stats.rel_types.values())
        items = f"; graph: {nodes:,} nodes, {rels:,} relationships"
    gen = f"generated in {g.get('seconds', 0):.1f} s" + (
        " (cached from an earlier run)" if g.get("cached") else ""
    )
    out.append(f"Input: {g.get('total', 0):,} rows in {len(g.get('rows', {}))} tables ({gen}){items}.")
    if any_r and any_r.load1.created:
        out.append(f"First load: {any_r.load1.created:,} items created.")
    out.append("")
    out.append("| step | embedded | neo4j | neo4j / embedded |")
    out.append("|---|--:|--:|--:|")
    for row in table_rows(run):
        label = row[0].replace("  ", "&nbsp;&nbsp;· ", 1) if row[0].startswith("  ") else row[0]
        out.append(f"| {label} | {row[1]} | {row[2]} | {row[3]} |")
    out.append("")
    checks = []
    for kind, r in run.results.items():
        if r.second_load_unchanged is not None:
            checks.append(
                f"{kind}: second load {'all unchanged' if r.second_load_unchanged else 'NOT all unchanged'} "
                f"({r.load2.unchanged:,} unchanged, {r.load2.written} written)"
            )
    if run.stats_identical is not None:
        checks.append(f"stats identical on both stores: {'yes' if run.stats_identical else '**NO**'}")
    if run.answers_identical is not None:
        checks.append(
            f"query answers identical on both stores: {'yes' if run.answers_identical else '**NO**'}"
        )
    if checks:
        out.append("Checks: " + "; ".join(checks) + ".")
        out.append("")
    dom = [
        f"{k}: first load {_dominant(r.load1)}, second load {_dominant(r.load2)}"
        for k, r in run.results.items()
    ]
    if dom:
        out.append("Largest stage: " + "; ".join(dom) + ".")
        out.append("")
    if run.problems:
        out.append("**Problems in this run:**")
        out.append("")
        for p in run.problems:
            out.append(f"* `{p}`")
        for kind, r in run.results.items():
            for w in r.driver_warnings:
                out.append(f"* {kind}, the driver logged: `{w}`")
        out.append("")
    for kind, r in run.results.items():
        for which, (seconds, text) in r.profiles.items():
            out.append(
                f"<details><summary>cProfile, {kind}, {which} again ({secs(seconds)} under the profiler)</summary>"
            )
            out.append("")
            out.append("```")
            out.append(_trim_profile(text))
            out.append("```")
            out.append("</details>")
            out.append("")
    return out


def _trim_profile(text: str) -> str:
    lines = [ln.rstrip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln.strip())


def machine_line(m: Machine) -> str:
    return f"{m.cpus} cores ({m.cpu_model}), {m.memory_gib:.1f} GiB memory, {m.system}"


def write_report(path: Path, run: Any, notes: str | None = None) -> None:
    """BENCHMARKS.md from a ``bench.raw.Run``: the eight figures first, then each scale's detail."""
    from bench import cli_reads, figures, peer_report

    m: Machine = run.machine
    command, repeat, started, finished = run.command, run.repeat, run.started, run.finished
    out = ["# Benchmarks", ""]
    out.append(
        "Written by `python -m bench` (`make bench`); do not edit by hand, rerun it. Both stores are "
        "measured side by side in the same run; compare them by the ratio, not by absolute numbers, "
        "which depend on the machine and on what else it was doing."
    )
    out.append("")
    out.append("| | |")
    out.append("|---|---|")
    out.append(
        f"| date | {started:%Y-%m-%d %H:%M %Z} (run took {(finished - started).total_seconds() / 60:.1f} min) |"
    )
    out.append(f"| command | `{command}` |")
    out.append(f"| commit | `{m.commit}` |")
    out.append(f"| machine | {machine_line(m)} |")
    if m.load_before and m.load_after:
        before = " / ".join(f"{x:.1f}" for x in m.load_before)
        after = " / ".join(f"{x:.1f}" for x in m.load_after)
        busy = max(m.load_before) > m.cpus
        out.append(
            f"| load average (1/5/15 min) | {before} at the start"
            + (f" (above {m.cpus}: other work was competing for the cores)" if busy else "")
            + f", {after} at the end (the run's last phase is its own 8-client API test) |"
        )
    out.append(f"| python | {m.python} |")
    if m.neo4j_version:
        s = m.neo4j_settings
        out.append(f"| Neo4j | {m.neo4j_edition} {m.neo4j_version} at `{m.neo4j_uri}` |")
        out.append(
            f"| Neo4j memory | heap {s.get('server.memory.heap.max_size', '?')}, "
            f"page cache {s.get('server.memory.pagecache.size', '?')}, "
            f"all transactions at most {s.get('dbms.memory.transaction.total.max', '?')} "
            "(`dbms.memory.transaction.total.max`, by default 70% of the heap: what bounds one transaction) |"
        )
        chunk = Settings().write_chunk
        out.append(
            f"| Neo4j writes | at most {chunk:,} items per transaction (`GONGZHI_WRITE_CHUNK`): a larger load is "
            "written in chunks of that many under a load record, all or nothing (docs/architecture.md, "
            "\"The write path\", step 5) |"
        )
    if m.neo4j_version:
        out.append(
            f"| Neo4j warm-up | {m.warmup or 'skipped (--no-warmup)'} (untimed loads first, so that the "
            "first scale measured does not pay for compiling statements and warming the JIT) |"
        )
    out.append(f"| repetitions | loads once each; stats and queries: median of {repeat} warm calls |")
    out.append("")
    out.extend(figures.section(run, command))
    out.extend(cli_reads.section(getattr(run, "cli", [])) or cli_reads.previous(path))
    out.append(METHOD)
    out.append("")
    peer = getattr(run, "peer", None)
    figure9 = peer_report.section(peer, command, started, m.commit, machine_line(m)) if peer else peer_report.previous(path)
    if figure9:
        out.extend(figure9)
        out.append("")
    for scale_run in run.runs:
        out.extend(_scale_section(scale_run))
    province = SPAN.previous(path)  # measured apart (``--province``), kept as it was
    if province:
        out.extend(province)
        out.append("")
    out.append(notes_text() if notes is None else notes)
    path.write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")


METHOD = """\
What is measured, per scale (input: `loaders.generate.generate(scale, seed=1)`, generated once
and cached in `.cache/bench`): each store runs in a fresh child process. The embedded store
starts from an empty temporary directory; the Neo4j database is emptied with `store.clear()`
and the schema applied first. *First load* is `loaders.load.load` into the empty store, split
into its stages (`read` the CSVs; `validate` every cell and reference, with the store look-ups
that needs; `diff` against what the store holds; `write` the one batch: on Neo4j one
transaction, or chunks of `GONGZHI_WRITE_CHUNK` items a transaction each under a load record
when it is larger; apply + pickled snapshot + fsync on the embedded store). *Second load* is the same
input again: it must report every item unchanged and write nothing. Queries run with
`as_of` = 2026-06-30 (the generator's "now"); the top area is the city at every scale.
Peak RSS is the child process's `ru_maxrss` (for Neo4j that is the client side only; the
server's memory is its fixed heap + page cache above)."""


#: Hand-written findings, appended to the report as they are (edit that file, not the report).
NOTES_FILE = Path(__file__).with_name("NOTES.md")


def notes_text() -> str:
    return NOTES_FILE.read_text(encoding="utf-8") if NOTES_FILE.exists() else ""

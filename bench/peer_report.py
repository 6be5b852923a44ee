"""Figure 10 in BENCHMARKS.md: Gongzhi / ``@neo4j/graphql`` / raw Cypher, request by request.

The figure is a section of its own between two markers, so that ``python -m bench --only
peer`` can measure it alone and write it into the existing report without touching the
other figures (``update``); a full run writes it with the rest (``section``) and keeps the
previous one when it did not measure it.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.api import ratio
from bench.peer import PeerRequestFigures, PeerResult
from bench.spans import Span

BEGIN = "<!-- figure 10: written by python -m bench (bench/peer_report.py); do not edit by hand -->"
END = "<!-- /figure 10 -->"
TITLE = "## 9. Gongzhi's GraphQL API / @neo4j/graphql / one raw Cypher statement"

#: issue 13's goals: against the peer at p50 and p99, against the raw statement (both)
GOAL_PEER_P50 = 1.0
GOAL_PEER_P99 = 1.3
GOAL_RAW = 2.0


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    ms = seconds * 1000
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}"


def _x(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def ratios(f: PeerRequestFigures) -> dict[str, float | None]:
    return {
        "peer_p50": ratio(f.gongzhi.p50, f.peer.p50),
        "peer_p99": ratio(f.gongzhi.p99, f.peer.p99),
        "raw_p50": ratio(f.gongzhi.p50, f.raw.p50),
        "raw_p99": ratio(f.gongzhi.p99, f.raw.p99),
    }


def verdict(f: PeerRequestFigures) -> str:
    """Which of the goals hold for one request (``holds`` only when all of them do)."""
    r = ratios(f)
    if not f.same_answer or any(v is None for v in r.values()):
        return "not measured" if f.same_answer is not False else "**answers differ**"
    missed = []
    if r["peer_p50"] > GOAL_PEER_P50 or r["peer_p99"] > GOAL_PEER_P99:  # type: ignore[operator]
        missed.append("peer")
    if r["raw_p50"] > GOAL_RAW or r["raw_p99"] > GOAL_RAW:  # type: ignore[operator]
        missed.append("raw")
    if f.gongzhi_statements is None or f.gongzhi_statements > f.root_fields:
        missed.append("statements")
    return "holds" if not missed else "**missed** (" + ", ".join(missed) + ")"


def section(peer: PeerResult, command: str, started: datetime, commit: str, machine: str) -> list[str]:
    """The figure's Markdown, markers included."""
    out = [BEGIN, TITLE, ""]
    variants = sorted({f.variant for f in peer.requests})
    api = " and ".join(variants) or "–"
    out.append(
        f"`{command}` at **{peer.scale}** on {started:%Y-%m-%d %H:%M %Z}, commit `{commit}`, {machine}. "
        f"Gongzhi's side: its **{api}** API"
        + (
            " (the served schema has no generated `graph` root yet: the hand-written fields of "
            "`schema.graphql` answer)"
            if not peer.has_generated_api
            else " (`graph { ... }` where the request's generated document validates)"
        )
        + f", served as in figure 4 ({peer.gongzhi_server or '–'}), by an organizer whose area is the whole "
        f"city. The peer: {peer.versions or '–'}, over `node:http`, type definitions generated from "
        "`graph/model.py` (`bench/peer_typedefs.py`), full access, no authorization. Raw: the request as "
        "one hand-written Cypher statement, the bare driver, one read transaction (`bench/peer_requests.py`)."
    )
    if peer.load_before and peer.load_after:
        out[-1] += (
            " Load average (1/5/15 min): "
            + " / ".join(f"{x:.1f}" for x in peer.load_before)
            + " before, "
            + " / ".join(f"{x:.1f}" for x in peer.load_after)
            + " after"
            + (" (above the cores: other work competed for them)." if max(peer.load_before) > (os.cpu_count() or 1) else ".")
        )
    out.append("")
    out.append(
        "Before timing, each request's three answers are normalised (ledger ids, lists sorted) and "
        "compared. Then the three sides are sampled in turn, request by request, up to "
        f"{peer.samples} samples each or until the request's sides have taken 45 s together (at least 5): "
        "p50 and p99 by nearest rank (below 100 samples p99 is the slowest). Statements: Gongzhi's "
        "recorded in-process over a recording store (each `run` and each compiled `select` one), the "
        "peer's counted by wrapping its driver's "
        "transactions; the raw side is one statement by construction. Goals (issue 13): Gongzhi / peer "
        f"<= {GOAL_PEER_P50} at p50 and <= {GOAL_PEER_P99} at p99; Gongzhi / raw <= {GOAL_RAW}; at most one "
        "statement per root field, none for jurisdiction."
    )
    out.append("")
    out.append(
        "| request | API | samples | Gongzhi p50 / p99 ms | peer p50 / p99 ms | raw p50 / p99 ms "
        "| Gongzhi / peer p50, p99 | Gongzhi / raw p50, p99 | statements Gongzhi / peer / root fields "
        "| same answer | verdict |"
    )
    out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|")
    for f in peer.requests:
        r = ratios(f)
        out.append(
            f"| {f.name} | {f.variant} | {len(f.gongzhi.samples)} "
            f"| {_ms(f.gongzhi.p50)} / {_ms(f.gongzhi.p99)} | {_ms(f.peer.p50)} / {_ms(f.peer.p99)} "
            f"| {_ms(f.raw.p50)} / {_ms(f.raw.p99)} "
            f"| **{_x(r['peer_p50'])}**, {_x(r['peer_p99'])} | **{_x(r['raw_p50'])}**, {_x(r['raw_p99'])} "
            f"| {f.gongzhi_statements if f.gongzhi_statements is not None else '–'} / "
            f"{f.peer_statements if f.peer_statements is not None else '–'} / {f.root_fields} "
            f"| {'yes' if f.same_answer else 'NO' if f.same_answer is False else '–'} | {verdict(f)} |"
        )
    out.append("")
    if peer.errors:
        out.append("**Problems in this figure:**")
        out.append("")
        out += [f"* `{e.splitlines()[0][:400]}`" for e in peer.errors]
        out.append("")
    out.append(
        "Reproduce this figure alone with `make bench BENCH_ARGS='--only peer'` (district scale: it clears "
        "the Neo4j database, loads the district and rewrites only this section and the notes); "
        "`make bench` measures it at the main scale with the others."
    )
    out.append(END)
    return out


SPAN = Span(BEGIN, END)


def previous(path: Path) -> list[str] | None:
    """The figure as the report at ``path`` has it, if it has one."""
    return SPAN.previous(path)


def update(path: Path, lines: list[str], notes: str) -> None:
    """Write the figure into the report at ``path``: in place of the previous one, else before
    the first scale's section; the notes at its end rewritten from ``bench/NOTES.md``."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    m = re.search(r"^## (?!The eight figures)", text, re.M)
    text = SPAN.put(text, lines, m.start() if m else len(text))
    if notes:
        at = text.find("\n## Notes")
        text = (text[:at] if at >= 0 else text.rstrip()) + "\n" + notes
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def console(peer: PeerResult) -> str:
    lines = ["== figure 10: Gongzhi / @neo4j/graphql / raw Cypher"]
    for f in peer.requests:
        r = ratios(f)
        lines.append(
            f"{f.name} [{f.variant}]: Gongzhi {_ms(f.gongzhi.p50)}/{_ms(f.gongzhi.p99)} ms, peer "
            f"{_ms(f.peer.p50)}/{_ms(f.peer.p99)} ms, raw {_ms(f.raw.p50)}/{_ms(f.raw.p99)} ms; "
            f"/peer {_x(r['peer_p50'])} {_x(r['peer_p99'])}, /raw {_x(r['raw_p50'])} {_x(r['raw_p99'])}; "
            f"statements {f.gongzhi_statements}/{f.peer_statements}/{f.root_fields}; same {f.same_answer}; "
            + verdict(f).replace("**", "")
        )
    lines += [f"problem: {e.splitlines()[0][:300]}" for e in peer.errors]
    return "\n".join(lines) + "\n"


def from_dict(d: dict[str, Any]) -> PeerResult:
    """A ``PeerResult`` back from its JSON (``bench.raw``)."""
    from bench.api import Latency

    d = dict(d)
    d["requests"] = [
        PeerRequestFigures(**{**r, **{k: Latency(**r[k]) for k in ("gongzhi", "peer", "raw")}})
        for r in d["requests"]
    ]
    return PeerResult(**d)

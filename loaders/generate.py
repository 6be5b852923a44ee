"""Generate a deterministic synthetic city in the loaders' input format (one CSV per table).

    >>> from pathlib import Path
    >>> summary = generate("community", 7, Path("/tmp/gz-community"))  # doctest: +SKIP
    >>> summary.rows["persons"]  # doctest: +SKIP

The same scale and seed always give byte-identical files: every random draw comes from one
``random.Random(seed)``, nothing is read from the clock ("now" is ``NOW``, 2026-06-30), and
nothing is iterated in hash order. Coverage is deliberately incomplete at the rates of
``GapRates`` so that every indicator of DOMAIN.md has both covered items and gaps, and
relationships carry dates from 2008 on so that "as of" questions in 2020-2026 differ.

Scales: ``community`` (one community, 6-10 compounds), ``subdistrict`` (one street, 8
communities), ``district`` (6 streets, ~50 communities, ~400 compounds), ``city`` (a whole
Xiangyang-like city: 8 districts, 50 streets, ~400 communities, ~3,000 compounds).
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from loaders.generator.community import build_community
from loaders.generator.context import NOW, Ctx, add_years
from loaders.generator.output import Output
from loaders.generator.people import EmployerPicker
from loaders.generator.rates import GapRates
from loaders.generator.world import SCALES, build_world

__all__ = ["NOW", "SCALES", "GapRates", "GenerateSummary", "generate"]


@dataclass(frozen=True)
class GenerateSummary:
    scale: str
    seed: int
    out: Path
    #: rows written per table (every table of graph.model.TABLES, in that order)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def generate(
    scale: str, seed: int, out: Path, *, gaps: GapRates | None = None, headers: str = "zh"
) -> GenerateSummary:
    """Write ``<table>.csv`` for every table of the model into ``out`` and count the rows."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
    started = time.perf_counter()
    out = Path(out)
    output = Output(out, headers)
    try:
        ctx = Ctx(random.Random(seed), output, gaps or GapRates())
        plans = build_world(ctx, SCALES[scale])
        picker = EmployerPicker(ctx)
        for plan in plans:
            build_community(ctx, SCALES[scale], plan, picker)
        _instructors(ctx)
    finally:
        output.close()
    return GenerateSummary(scale, seed, out, output.counts(), round(time.perf_counter() - started, 3))


def _instructors(ctx: Ctx) -> None:
    """Firms without a party org of their own get a party-building instructor (some lapsed)."""
    rng = ctx.rng
    for district, firms in sorted(ctx.firms_by_district.items()):
        local = [pid for pid, d in ctx.instructor_pool if d == district] or [
            pid for pid, _ in ctx.instructor_pool
        ]
        for f in firms:
            if f.category not in ("instructor", "instructor_ended") or not local:
                continue
            since = ctx.day(
                date(2019, 1, 1), date(2025, 12, 31) if f.category == "instructor" else date(2023, 12, 31)
            )
            until = None
            if f.category == "instructor_ended":
                until = ctx.day(
                    since + timedelta(days=180), min(add_years(since, 3), NOW - timedelta(days=30))
                )
            ctx.appoint(rng.choice(local), f.id, "instructor", since, until)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate a synthetic Gongzhi dataset (one CSV per table).")
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", default="community", choices=list(SCALES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--headers", default="zh", choices=["zh", "en"])
    args = parser.parse_args(argv)
    s = generate(args.scale, args.seed, args.out, headers=args.headers)
    for table, n in s.rows.items():
        print(f"{table:28s} {n:>9,d}")
    print(f"{'total':28s} {s.total:>9,d}   {s.seconds:.1f}s")


if __name__ == "__main__":
    main()

"""Generate a deterministic synthetic city, or province of cities, in the loaders' input
format (one CSV per table).

    >>> from pathlib import Path
    >>> summary = generate("community", 7, Path("/tmp/gz-community"))  # doctest: +SKIP
    >>> summary.rows["persons"]  # doctest: +SKIP
    >>> generate("community", 7, Path("/tmp/gz-three"), cities=3)  # doctest: +SKIP

The same scale, seed and number of cities always give byte-identical files: every random
draw comes from one ``random.Random(seed)``, nothing is read from the clock ("now" is
``NOW``, 2026-06-30), and nothing is iterated in hash order. Coverage is deliberately
incomplete at the rates of ``GapRates`` so that every indicator of DOMAIN.md has both
covered items and gaps, and relationships carry dates from 2008 on so that "as of"
questions in 2020-2026 differ.

Scales: ``community`` (one community, 6-10 compounds), ``subdistrict`` (one street, 8
communities), ``district`` (6 streets, ~50 communities, ~400 compounds), ``city`` (a whole
Xiangyang-like city: 8 districts, 50 streets, ~400 communities, ~3,000 compounds) and
``province`` (湖北省: ten cities, each like the city scale).

Each scale but ``province`` is one city; ``cities`` gives any scale that many cities
instead (``generate("community", 7, out, cities=3)``: three cities of one community each,
the small dataset of several cities for tests and demos). City 0 is Xiangyang, the others
Hubei's other prefecture-level cities (``loaders.generator.cities``), each with its own
districts, names and ID-card areas. With more than one city the dataset has one province
row and every city is in it; with one city there is no province row, and the files are
those a dataset of one city always had. Cities are independent worlds: no row of one city
refers to a place, employer, firm, org or person of another (their communities, employers
and firms are generated per city, and dropped once the city is written), while ids,
ID-card and mobile numbers, credit codes and employers' and firms' names stay unique
across the whole dataset. ``per_city`` writes each city into a directory of its own (for
loading cities one by one, or onto servers of their own): the same rows, split by city, with
the province row in every directory so that each is a complete input.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from graph import model
from loaders.generator.cities import CITIES, PROVINCE
from loaders.generator.community import build_community
from loaders.generator.context import NOW, City, Ctx, add_years
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
    #: rows written per table (every table of graph.model.TABLES, in that order); with
    #: ``per_city``, summed over the directories (the province row once in each)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: the number of cities (more than one: in one province)
    cities: int = 1

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def generate(
    scale: str,
    seed: int,
    out: Path,
    *,
    gaps: GapRates | None = None,
    headers: str = "zh",
    cities: int | None = None,
    per_city: bool = False,
) -> GenerateSummary:
    """Write ``<table>.csv`` for every table of the model into ``out`` and count the rows.

    ``cities`` (default: the scale's) is the number of cities, each of the scale's size. With
    ``per_city``, city k goes into ``out/<k+1, two digits>-<its code>/`` (``01-420600``, ...),
    in the order of the cities."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
    size = SCALES[scale]
    n_cities = size.cities if cities is None else cities
    if not 1 <= n_cities <= len(CITIES):
        raise ValueError(
            f"cities must be between 1 and {len(CITIES)} (the cities of {PROVINCE[0]}), not {n_cities}"
        )
    started = time.perf_counter()
    out = Path(out)
    rows: Counter[str] = Counter()
    output = Output(out / _city_dir(0) if per_city else out, headers)
    try:
        ctx = Ctx(random.Random(seed), output, gaps or GapRates())
        province_id = ctx.ids.new("PV") if n_cities > 1 else None
        for k, city in enumerate(CITIES[:n_cities]):
            if per_city and k:
                rows.update(output.counts())
                output.close()
                output = ctx.out = Output(out / _city_dir(k), headers)
            if province_id is not None and (k == 0 or per_city):
                output.provinces.row(id=province_id, name=PROVINCE[0], code=PROVINCE[1])
            # a fresh City: nothing of the city before is reachable from it
            ctx.city = City(city)
            plans = build_world(ctx, size, province_id)
            picker = EmployerPicker(ctx)
            for plan in plans:
                build_community(ctx, size, plan, picker)
            _instructors(ctx)
            # the plans hold the city's orgs and employers: let them go before the next city
            del plans, picker
    finally:
        output.close()
    rows.update(output.counts())
    counts = {kind.table: rows[kind.table] for kind in model.TABLES}
    seconds = round(time.perf_counter() - started, 3)
    return GenerateSummary(scale, seed, out, counts, seconds, cities=n_cities)


def _city_dir(k: int) -> str:
    """The directory of city ``k`` with ``per_city``: sorted by name, the cities in order."""
    return f"{k + 1:02d}-{CITIES[k].code}"


def _instructors(ctx: Ctx) -> None:
    """Firms of the city without a party org of their own get a party-building instructor
    from the city (some lapsed)."""
    rng, pool = ctx.rng, ctx.city.instructor_pool
    for district, firms in sorted(ctx.city.firms_by_district.items()):
        local = [pid for pid, d in pool if d == district] or [pid for pid, _ in pool]
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
    parser.add_argument(
        "--cities",
        type=int,
        default=None,
        help="number of cities, each of the scale's size (default: the scale's)",
    )
    parser.add_argument(
        "--per-city", action="store_true", help="one directory per city (01-420600, ...) under OUT"
    )
    args = parser.parse_args(argv)
    try:
        s = generate(
            args.scale, args.seed, args.out, headers=args.headers, cities=args.cities, per_city=args.per_city
        )
    except ValueError as exc:
        parser.error(str(exc))
    for table, n in s.rows.items():
        print(f"{table:28s} {n:>9,d}")
    print(f"{'total':28s} {s.total:>9,d}   {s.seconds:.1f}s")


if __name__ == "__main__":
    main()

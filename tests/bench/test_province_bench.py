"""The province figure (bench/province.py): its parts without the servers (the run itself
takes an hour or more and is ``make bench BENCH_ARGS=--province``): the province generated one
directory per city and cached, cities dealt to the parts, the figure rendered from a run,
written into the report in its own span, and kept by a full report's rewrite."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bench import raw
from bench.machine import machine
from bench.province import ProvinceRun, city_id, ensure_province, province_id, section, split, update
from bench.province_span import SPAN
from bench.report import write_report


def test_the_province_is_generated_once_one_directory_per_city(tmp_path: Path) -> None:
    dirs, info = ensure_province(3, "community", tmp_path)
    assert len(dirs) == 3 and info["total"] > 0
    assert {province_id(d) for d in dirs} == {province_id(dirs[0])}  # one province row in each
    assert len({city_id(d) for d in dirs}) == 3
    stamp = (dirs[0] / "cities.csv").stat().st_mtime_ns
    again, _ = ensure_province(3, "community", tmp_path)
    assert again == dirs and (dirs[0] / "cities.csv").stat().st_mtime_ns == stamp  # cached


def test_cities_are_dealt_to_the_parts_in_turn() -> None:
    dirs = [Path(f"{k:02d}") for k in range(1, 8)]
    parts = split(dirs, 3)
    assert [len(p) for p in parts] == [3, 2, 2]
    assert sorted(d for p in parts for d in p) == dirs


def _run() -> ProvinceRun:
    r = ProvinceRun(cities=3, city_scale="district", parts=2, items=1000, generate_seconds=1.5)
    r.loads, r.reloads = [10.0, 12.0, 11.0], [5.0, 6.0, 4.0]
    r.loader_peak_kib, r.server_peak_kib = 2**20, 2 * 2**20
    r.province = {"roll-up": 3.0, "coverage": 4.0}
    r.city = {"roll-up": 1.0, "coverage": 2.0}
    r.federated = {"roll-up": 1.5, "coverage": 8.0}
    r.federated_equal = True
    r.part_cities = [["C-0001", "C-0003"], ["C-0002"]]
    return r


def test_the_figure_shows_ratios_to_the_city_and_to_the_single_server() -> None:
    lines = section(_run(), "python -m bench --province", "today", "machine")
    text = "\n".join(lines)
    assert lines[0] == SPAN.begin and lines[-1] == SPAN.end
    assert "| first load (all cities) | 33.00 s | 10.00 s | 3.30 |" in text
    assert "| roll-up (warm median) | 3.00 s | 1.00 s | 3.00 |" in text
    assert "| roll-up of the province | 3.00 s | 1.50 s | 0.50 |" in text
    assert "| coverage of the province | 4.00 s | 8.00 s | 2.00 |" in text
    assert "the loader 1.00 GiB" in text and "the Neo4j server 2.00 GiB" in text
    assert "equal to the single server's" in text
    different = _run()
    different.federated_equal = False
    assert "**different**" in "\n".join(section(different, "c", "w", "m"))


def test_the_figure_has_its_own_span_and_a_full_report_keeps_it(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\n## city\n\nfigures\n\n## Notes\n\nnotes\n", encoding="utf-8")
    update(report, section(_run(), "python -m bench --province", "today", "machine"))
    text = report.read_text()
    assert text.index("## Province") < text.index("## Notes") and "figures" in text
    update(report, section(_run(), "python -m bench --province --cities 3", "later", "machine"))
    assert report.read_text().count("## Province") == 1 and "--cities 3" in report.read_text()
    run = raw.Run(machine(with_neo4j=False), "test", 1, datetime.now(), datetime.now(), [], "district")
    write_report(report, run, notes="")
    assert "--cities 3" in report.read_text()  # kept from the file

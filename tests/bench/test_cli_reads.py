"""The CLI reads figure (bench/cli_reads.py) on a generated community: every command timed on
the three paths, the same answer printed on each (through the server, and on Neo4j), and the
figure survives the raw results' round trip into the report."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bench import raw
from bench.cli import targets
from bench.cli_reads import PATHS, load_neo4j, measure_cli, section
from bench.machine import machine
from bench.report import write_report
from loaders.generate import generate


@pytest.mark.neo4j
def test_cli_reads_on_three_paths(tmp_path: Path, _neo4j_store: object) -> None:
    world = tmp_path / "input"
    generate("community", 1, world)
    t = targets(world)
    result = measure_cli("community", world, t, 1, load_neo4j(world))
    assert result.problems == []
    assert len(result.seconds) == 3 and all(set(by_path) == set(PATHS) for by_path in result.seconds.values())
    assert all(s > 0 for by_path in result.seconds.values() for s in by_path.values())
    assert result.floor is not None and set(result.first_via_server) == set(result.seconds)
    lines = section([result])
    assert any(t.member in line for line in lines)

    run = raw.Run(machine(with_neo4j=False), "test", 1, datetime.now(), datetime.now(), [], "community", cli=[result])
    raw.save(tmp_path / "raw.json", run)
    again = raw.load(tmp_path / "raw.json")
    assert again.cli == [result]
    assert json.loads((tmp_path / "raw.json").read_text())["cli"][0]["scale"] == "community"
    write_report(tmp_path / "BENCHMARKS.md", again, notes="")
    assert "## CLI reads" in (tmp_path / "BENCHMARKS.md").read_text()


def test_the_figure_alone_replaces_its_section_and_a_full_run_without_it_keeps_it(tmp_path: Path) -> None:
    """``--only cli`` rewrites only its own span; a report written without CLI results keeps
    the span the file had."""
    from bench.cli_reads import CliReads, previous, update

    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\n## district\n\nfigures\n\n## Notes\n\nnotes\n", encoding="utf-8")
    first = CliReads("district", seconds={"member M": {"embedded direct": 2.0, "embedded via server": 0.3}}, calls=1)
    update(report, section([first], "python -m bench --only cli"))
    text = report.read_text()
    assert text.index("## CLI reads") < text.index("## Notes") and "figures" in text and "notes" in text
    second = CliReads("city", seconds={"member M": {"embedded direct": 9.0}}, calls=1)
    update(report, section([second]))
    text = report.read_text()
    assert text.count("## CLI reads") == 1 and "| city |" in text and "| district |" not in text
    assert previous(report) == section([second])

    run = raw.Run(machine(with_neo4j=False), "test", 1, datetime.now(), datetime.now(), [], "district")
    write_report(report, run, notes="")
    assert "| city |" in report.read_text()  # kept from the file

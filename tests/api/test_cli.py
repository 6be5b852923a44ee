"""The ``gongzhi`` command line, run as a user runs it: a real process, real files, both stores."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.settings import Settings
from queries.indicators import INDICATORS

GONGZHI = [sys.executable, "-m", "api.cli_fast"]  # the front door, as the `gongzhi` script


def run(*args: str | Path, env: dict[str, str] | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "GONGZHI_LANG": "en", **(env or {})}
    proc = subprocess.run([*GONGZHI, *map(str, args)], capture_output=True, text=True, env=full_env, timeout=600)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


#: One process running several commands of the full CLI (``api.cli.main``) in turn, each with
#: its own stdout and exit code: the same code and environment as one process per command,
#: without a second or two of start-up each.
_EACH = """
import contextlib, io, json, sys
from api.cli import main
out = []
for argv in json.load(sys.stdin):
    sys.argv, buf, code = ["gongzhi", *argv], io.StringIO(), 0
    try:
        with contextlib.redirect_stdout(buf):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out.append([code, buf.getvalue()])
json.dump(out, sys.__stdout__)
"""


def run_each(commands: list[list[str | Path]], env: dict[str, str]) -> list[str]:
    """The stdout of each command, run by the full CLI in one process; each must succeed."""
    full_env = {**os.environ, "GONGZHI_LANG": "en", **env}
    argvs = json.dumps([[str(a) for a in c] for c in commands])
    proc = subprocess.run(
        [sys.executable, "-c", _EACH], input=argvs, capture_output=True, text=True, env=full_env, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    failed = [(c, code) for c, (code, _) in zip(commands, results, strict=True) if code]
    assert not failed, (failed, proc.stderr)
    return [text for _, text in results]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "street"
    run("generate", out, "--scale", "community", "--seed", "5")
    return out


def store_env(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    if kind == "neo4j":
        request.getfixturevalue("_neo4j_store").clear()
        return {"GONGZHI_STORE": "neo4j"}
    return {"GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(tmp_path / "data")}


def stats(env: dict[str, str]) -> dict[str, object]:
    out = json.loads(run("stats", "--json", env=env).stdout)
    return {"labels": out["labels"], "relationships": out["relationships"]}


@pytest.mark.neo4j
def test_both_stores_count_the_same_and_a_second_load_changes_nothing(
    dataset: Path, tmp_path: Path, request: pytest.FixtureRequest, neo4j_settings: Settings
) -> None:
    counts = {}
    for kind in ("embedded", "neo4j"):
        env = store_env(kind, tmp_path, request)
        first = json.loads(run("load", dataset, "--json", env=env).stdout)
        assert first["total"]["created"] > 0
        counts[kind] = stats(env)
        second = json.loads(run("load", dataset, "--json", env=env).stdout)
        assert second["total"]["created"] == second["total"]["updated"] == 0
        assert second["total"]["unchanged"] == first["total"]["created"]
        assert stats(env) == counts[kind]
    assert counts["embedded"] == counts["neo4j"]
    assert counts["embedded"]["labels"]["PartyMember"] > 0  # type: ignore[index]


@pytest.mark.parametrize("kind", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_one_bad_row_fails_names_file_row_column_and_writes_nothing(
    kind: str, dataset: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = store_env(kind, tmp_path, request)
    run("load", dataset, env=env)
    before = stats(env)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "buildings.csv").write_bytes((dataset / "buildings.csv").read_bytes())
    with open(dataset / "persons.csv", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    id_col = rows[0].index("身份证号")
    rows[3][id_col] = rows[3][id_col][:-1] + ("0" if rows[3][id_col][-1] != "0" else "1")  # break the check digit
    rows[2][0] = ""  # and a missing id
    with open(bad / "persons.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    proc = run("load", bad, env=env, ok=False)
    assert proc.returncode == 1
    assert "persons.csv" in proc.stderr
    assert "身份证号" in proc.stderr or "id_number" in proc.stderr
    assert "check digit" in proc.stderr
    assert rows[3][id_col] not in proc.stderr  # masked
    report = json.loads(run("load", bad, "--json", env=env, ok=False).stdout)
    issues = report["issues"]
    assert {(i["file"].endswith("persons.csv"), i["row"]) for i in issues} >= {(True, 3), (True, 4)}
    assert stats(env) == before


def test_errors_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    proc = run("load", tmp_path / "missing", env={"GONGZHI_DATA_DIR": str(tmp_path / "d")}, ok=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    unreachable = run(
        "stats", env={"GONGZHI_STORE": "neo4j", "NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "x"}, ok=False
    )
    assert unreachable.returncode == 1
    assert "Traceback" not in unreachable.stderr
    assert len(unreachable.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["generate", "template", "load", "schema", "stats", "serve"])
def test_every_command_has_help(command: str) -> None:
    assert "Usage" in run(command, "--help").stdout


def test_template_and_generate_write_files(tmp_path: Path) -> None:
    run("template", tmp_path / "t.xlsx")
    assert (tmp_path / "t.xlsx").stat().st_size > 0
    run("generate", tmp_path / "a", "--scale", "community", "--seed", "9")
    run("generate", tmp_path / "b", "--scale", "community", "--seed", "9")
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes()


@pytest.mark.neo4j
def test_coverage_gaps_and_member_agree_on_both_stores(
    dataset: Path, tmp_path: Path, request: pytest.FixtureRequest, neo4j_settings: Settings
) -> None:
    with open(dataset / "communities.csv", encoding="utf-8-sig") as f:
        community = next(csv.DictReader(f))["社区编号"]
    with open(dataset / "memberships.csv", encoding="utf-8-sig") as f:
        member_id = next(csv.DictReader(f))["党员编号"]
    answers = {}
    for kind in ("embedded", "neo4j"):
        env = store_env(kind, tmp_path, request)
        run("load", dataset, env=env)
        cov = json.loads(run("coverage", community, "--as-of", "2026-06-30", "--json", env=env).stdout)
        gaps = json.loads(
            run("gaps", community, "-i", "BUILDING_GROUP", "--as-of", "2026-06-30", "--json", env=env).stdout
        )
        card = json.loads(run("member", member_id, "--as-of", "2026-06-30", "--json", env=env).stdout)
        answers[kind] = (cov, gaps, card)
    assert answers["embedded"] == answers["neo4j"]
    cov, gaps, card = answers["embedded"]
    assert len(cov["area"]["indicators"]) == 14
    assert cov["children"]  # the community's grids
    assert gaps["total"] > gaps["covered"]
    assert card["id"] == member_id
    assert "*" in card["name"]  # masked by default


def test_gaps_xlsx_has_chinese_headers_and_masked_names(dataset: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    env = {"GONGZHI_DATA_DIR": str(tmp_path / "data")}
    run("load", dataset, env=env)
    with open(dataset / "communities.csv", encoding="utf-8-sig") as f:
        community = next(csv.DictReader(f))["社区编号"]
    with open(dataset / "persons.csv", encoding="utf-8-sig") as f:
        names = {row["姓名"] for row in csv.DictReader(f)}
    out = tmp_path / "gaps.xlsx"
    run("gaps", community, "-i", "MEMBER_ONE_PLUS_ONE", "--xlsx", out, env=env)
    book = load_workbook(out, read_only=True)
    sheet = book[INDICATORS["MEMBER_ONE_PLUS_ONE"].title_zh]  # the indicator's sheet, by name
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert "对象编号" in rows[2]  # under the title and the line of area and date
    cells = {str(c) for row in rows for c in row}
    assert not cells & names  # no full name anywhere
    assert any("*" in c for c in cells)

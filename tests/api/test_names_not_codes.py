"""Names, not codes: what an organizer reads in Chinese (CLI lines, XLSX exports) names every
status, evidence key, indicator and reason by its label; the codes stay in ``--json``.

The codes are collected from their declarations (``queries.labels.codes``: the indicators,
the statuses, the evidence keys, the suggestion reasons, the model's enum codes), so a code
added later without a label fails here. The dashboard's page is checked the same way in
tests/dashboard/test_names.py.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.messages import t
from graph.settings import Settings
from graph.store import open_store
from loaders.generate import NOW, generate
from queries.coverage import gaps as find_gaps
from queries.indicators import INDICATOR_IDS
from queries.labels import FACTS, STATUSES, codes, count_en, fact_text
from tests.api.test_cli import run, run_each, store_env

#: The dashboard tests' community: covered and uncovered items of every indicator.
SEED = 3
WIDE = {"COLUMNS": "400", "GONGZHI_LANG": "zh"}  # no wrapping: a code cut by a line break would hide

CODE = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, codes()), key=len, reverse=True)) + r")(?![A-Za-z0-9_])")


def raw_codes(texts: Iterable[str]) -> set[str]:
    return {m.group(1) for text in texts for m in CODE.finditer(text)}


def rows_of(path: Path, name: str) -> list[list[str]]:
    with open(path / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("names") / "input"
    generate("community", SEED, path)
    return path


def test_the_pattern_finds_the_codes_of_the_json() -> None:
    """The check can fail: the codes a JSON answer holds are found, a label is not a code."""
    assert raw_codes(['{"status": "residence_mismatch", "indicator": "BUILDING_GROUP"}']) == {
        "status",
        "residence_mismatch",
        "BUILDING_GROUP",
    }
    assert raw_codes([STATUSES["residence_mismatch"][0], "B-000001", "R-000123", "长虹嘉园 3栋"]) == set()


@pytest.mark.parametrize("kind", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_chinese_cli_and_xlsx_name_every_code(
    kind: str, community: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = {**store_env(kind, tmp_path, request), **WIDE}
    run("load", community, env=env)
    area = rows_of(community, "communities")[1][0]
    day = ("--as-of", NOW.isoformat())
    shown: dict[str, str] = {"coverage": run("coverage", area, *day, env=env).stdout}
    cells: dict[str, list[str]] = {}
    # what `gaps --json` prints, computed in this process (one CLI process less per indicator):
    # the codes the Chinese lines and cells must show as labels
    settings = Settings(GONGZHI_STORE=kind, GONGZHI_DATA_DIR=env.get("GONGZHI_DATA_DIR", str(tmp_path)))  # type: ignore[call-arg]
    with open_store(settings, read_only=True) as store:
        gap_json: dict[str, dict[str, object]] = {
            indicator: json.loads(json.dumps(find_gaps(store, area, indicator, NOW).as_dict(), default=str))
            for indicator in INDICATOR_IDS
        }
    books = {indicator: tmp_path / f"{indicator}.xlsx" for indicator in INDICATOR_IDS}
    printed = run_each(
        [["gaps", area, "-i", i, *day] for i in INDICATOR_IDS]
        + [["gaps", area, "-i", i, *day, "--xlsx", books[i]] for i in INDICATOR_IDS],
        env=env,
    )
    for indicator, text in zip(INDICATOR_IDS, printed[: len(INDICATOR_IDS)], strict=True):
        shown[indicator] = text
        wb = load_workbook(books[indicator])
        cells[indicator] = [wb.sheetnames[1]] + [
            str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
        ]
    members = gap_json["MEMBER_ONE_PLUS_ONE"]["gaps"]
    assert isinstance(members, list)
    by_status = {g["status"]: g["item_id"] for g in members}
    assert {"missing_residence", "residence_mismatch"} <= set(by_status), "the community needs 1+1 gaps of several kinds"
    cards = run_each([["member", member, *day] for member in by_status.values()], env=env)
    for (status, member), card in zip(by_status.items(), cards, strict=True):
        shown[f"member {member}"] = card
        assert STATUSES[status][0] in card

    # every code the JSON holds is a label on screen: the statuses, evidence keys and indicators
    seen_statuses = {g["status"] for j in gap_json.values() for g in j["gaps"]}  # type: ignore[attr-defined]
    seen_facts = {k for j in gap_json.values() for g in j["gaps"] for k in g["facts"]}  # type: ignore[attr-defined]
    assert seen_statuses <= set(STATUSES) and seen_facts <= set(FACTS)
    assert len(seen_statuses) >= 5 and len(seen_facts) >= 20, "the community shows too few kinds of gap"
    leaks = {name: found for name, text in shown.items() if (found := raw_codes([text]))}
    assert not leaks, f"raw codes in the Chinese CLI output: {leaks}"
    leaks = {name: found for name, texts in cells.items() if (found := raw_codes(texts))}
    assert not leaks, f"raw codes in the XLSX exports: {leaks}"
    for indicator, texts in cells.items():
        for g in gap_json[indicator]["gaps"]:  # type: ignore[attr-defined]
            assert STATUSES[g["status"]][0] in texts
            for key, value in g["facts"].items():
                assert any(f"{FACTS[key][0]}：{fact_text(key, value)}" in c for c in texts), (indicator, key)

    # buildings are named with their compound, not by id alone
    compounds = {r[0]: r[1] for r in rows_of(community, "compounds")[1:]}
    buildings = {r[0]: r[1] for r in rows_of(community, "buildings")[1:]}
    named = 0
    for g in gap_json["BUILDING_GROUP"]["gaps"]:  # type: ignore[attr-defined]
        compound, building = compounds[g["facts"]["compound"]], buildings[g["item_id"]]
        assert f"{compound} {building} ({g['item_id']})" in shown["BUILDING_GROUP"]
        named += 1
    assert named, "the community needs buildings without a party group"
    assert "最落后的指标" in shown["coverage"] and "COMPOUND_" not in shown["coverage"]


def test_english_counts_its_nouns() -> None:
    assert count_en(1, "member") == "1 member" and count_en(2, "member") == "2 members"
    assert count_en(1, "index", "indexes") == "1 index" and count_en(3_000, "index", "indexes") == "3,000 indexes"
    assert t("xlsx_written", "en", out="g.xlsx", n=1) == "wrote g.xlsx (1 uncovered item)"
    assert t("xlsx_written", "en", out="g.xlsx", n=2) == "wrote g.xlsx (2 uncovered items)"
    assert t("invalid", "en", n="1,234").startswith("1,234 problems")
    assert t("invalid", "en", n=1).startswith("1 problem ")
    assert t("xlsx_written", "zh", out="g.xlsx", n=1) == "已写出报表 g.xlsx（1 项未覆盖）"
    for key in ("invalid", "prune_confirm", "prune_unconfirmed", "xlsx_written", "generated", "schema"):
        assert "(s)" not in t(key, "en", n=1, rows=1, out="x", scale="community", seed=1)

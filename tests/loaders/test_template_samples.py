"""The template's sample rows are not data (loaders/template.py): a load refuses them, naming
sheet and row; ``skip_samples`` leaves them out; a real row may not refer to one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from graph.declare import NodeKind
from graph.errors import ValidationFailed
from graph.model import BUILDING, COMPOUND, PARTY_ORG, PERSON, TABLES
from graph.store import Store
from loaders.load import load
from loaders.names import columns_of
from loaders.read import read_input
from loaders.template import DEFAULT_NAME, SAMPLE_PREFIX, is_sample_id, sample_column, write_templates
from loaders.validate import validate
from tests.loaders.loader_samples import sample, write_dir


def marking_column(kind: NodeKind | object) -> str:
    """The header the sample issue of a sheet is at: the id, or a relationship's from-end."""
    if isinstance(kind, NodeKind):
        return kind.id_column.zh
    return kind.from_column.zh  # type: ignore[attr-defined]


def test_every_sample_row_carries_the_prefix_on_its_ids_and_references(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_templates(tmp_path))
    for kind in TABLES:
        sheet = book[kind.zh]
        values = {c.name: sheet.cell(4, p).value for p, c in enumerate(columns_of(kind), start=1)}
        assert sample_column(kind, values) is not None, kind.table
        for column in columns_of(kind):
            if column.type.value == "ref" and values[column.name] is not None:
                assert str(values[column.name]).startswith(SAMPLE_PREFIX), (kind.table, column.name)


def test_a_template_as_written_is_refused_one_issue_per_sheet(store: Store, tmp_path: Path) -> None:
    path = write_templates(tmp_path)
    with pytest.raises(ValidationFailed) as caught:
        load(store, path)
    issues = caught.value.issues
    assert len(issues) == len(TABLES)  # the sample rows, and nothing about their references
    by_sheet = {i.file: i for i in issues}
    for kind in TABLES:
        issue = by_sheet[f"{DEFAULT_NAME}[{kind.zh}]"]
        assert (issue.row, issue.column) == (4, marking_column(kind))
        assert "第4行是模板示例行，请删除或改写" in issue.reason_zh
        assert "row 4 is a template sample row" in issue.reason and "--skip-samples" in issue.reason
    assert store.is_empty()


def test_skip_samples_leaves_them_out_with_a_note(store: Store, tmp_path: Path) -> None:
    path = write_templates(tmp_path)
    summary = load(store, path, skip_samples=True)
    assert summary.issues == [] and summary.written == 0 and store.is_empty()
    assert len(summary.skipped) == len(TABLES)
    assert all(s.row == 4 and "已跳过" in s.reason_zh and "skipped" in s.reason for s in summary.skipped)
    assert {s.file for s in summary.skipped} == {f"{DEFAULT_NAME}[{k.zh}]" for k in TABLES}


def test_a_sample_row_is_recognised_wherever_it_ends_up(store: Store, tmp_path: Path) -> None:
    """A user adds rows above the sample (or sorts the sheet): the marker travels with the row."""
    load(store, write_dir(tmp_path / "base", sample()))
    path = write_templates(tmp_path)
    book = openpyxl.load_workbook(path)
    for name in book.sheetnames:
        if name != BUILDING.zh:
            del book[name]
    sheet = book[BUILDING.zh]
    sheet.insert_rows(4, 2)  # the sample row moves to row 6
    for row, values in ((4, ["B-10", "十号楼", "P-1"]), (5, ["B-11", "十一号楼", "P-1"])):
        for position, value in enumerate(values, start=1):
            sheet.cell(row, position, value)
    book.save(path)
    with pytest.raises(ValidationFailed) as caught:
        load(store, path)
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == (f"{DEFAULT_NAME}[楼栋]", 6, BUILDING.id_column.zh)
    assert "第6行是模板示例行" in issue.reason_zh
    summary = load(store, path, skip_samples=True)
    assert summary.tables["buildings"].created == 2 and len(summary.skipped) == 1
    assert set(store.fetch_nodes(BUILDING.label, ["B-10", "B-11", f"{SAMPLE_PREFIX}B-0001"])) == {"B-10", "B-11"}


@pytest.mark.parametrize("skip", [False, True])
def test_a_real_row_may_not_refer_to_a_sample(store: Store, tmp_path: Path, skip: bool) -> None:
    tables = sample()
    tables["buildings"].append({"id": "B-9", "name": "9栋", "compound_id": f"{SAMPLE_PREFIX}P-0001"})
    with pytest.raises(ValidationFailed) as caught:
        load(store, write_dir(tmp_path / "in", tables), skip_samples=skip)
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == ("buildings.csv", 5, BUILDING.column("compound_id").zh)
    assert f"{SAMPLE_PREFIX}P-0001" in issue.reason and "模板示例行" in issue.reason_zh
    assert "sample" in issue.reason


@pytest.mark.parametrize(
    "value", [f"{SAMPLE_PREFIX}B-1", "示例－B-1", "SAMPLE-B-1", "sample-b-1", "ＳＡＭＰＬＥ-B-1", " 示例-B-1 "]
)
def test_the_sample_marks(value: str) -> None:
    assert is_sample_id(value)


@pytest.mark.parametrize("value", ["B-1", "示例小区", "样例-B-1", "B-示例-1", None, 12])
def test_ids_that_are_not_samples(value: object) -> None:
    assert not is_sample_id(value)  # type: ignore[arg-type]


def test_a_relationship_row_is_a_sample_only_when_both_ends_are(tmp_path: Path) -> None:
    tables = sample()
    tables["persons"].append(
        {"id": "示例-R-1", "name": "张伟", "building_id": "示例-B-1", "political_status": "中共党员"}
    )
    tables["memberships"].append({"person_id": "示例-R-1", "org_id": "示例-O-1", "since": "2021-03-01"})
    tables["memberships"].append({"person_id": "R-3", "org_id": "示例-O-1", "since": "2023-01-01"})
    read = read_input(write_dir(tmp_path / "in", tables))
    issues = validate(read.tables, source="t").issues
    rows = sorted((i.file, i.row, "示例行" in i.reason_zh, "引用" in i.reason_zh) for i in issues)
    assert rows == [
        ("memberships.csv", 4, True, False),  # both ends samples: a sample row
        ("memberships.csv", 5, True, True),  # a real person's membership in a sample org: a bad reference
        ("persons.csv", 5, True, False),
    ]


def test_the_sample_party_org_is_a_branch_like_its_name(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_templates(tmp_path))
    sheet = book[PARTY_ORG.zh]
    columns = columns_of(PARTY_ORG)
    values = {c.name: sheet.cell(4, p).value for p, c in enumerate(columns, start=1)}
    assert values["level"] == "党支部" and str(values["name"]).endswith("党支部")
    assert COMPOUND.zh in book.sheetnames and PERSON.zh in book.sheetnames


@pytest.mark.parametrize("flag", [[], ["--skip-samples"]])
def test_the_command_line_refuses_or_skips_the_samples(tmp_path: Path, flag: list[str]) -> None:
    path = write_templates(tmp_path / "t")
    env = {**os.environ, "GONGZHI_LANG": "en", "GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(tmp_path / "d")}
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "load", str(path), "--json", *flag],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    out = json.loads(proc.stdout)
    if flag:
        assert proc.returncode == 0, proc.stderr
        assert out["written"] == 0 and len(out["skipped"]) == len(TABLES)
    else:
        assert proc.returncode == 1 and out["ok"] is False
        assert len(out["issues"]) == len(TABLES)
        assert all("模板示例行" in i["reason_zh"] for i in out["issues"])

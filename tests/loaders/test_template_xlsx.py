"""The XLSX template (loaders/template.py): its layout, and that it loads as written and filled in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from graph.declare import FieldType
from graph.errors import ValidationFailed
from graph.model import BUILDING, PARTY_ORG, PERSON, TABLES
from graph.store import Store
from loaders.load import load
from loaders.names import columns_of
from loaders.read import read_input
from loaders.template import DEFAULT_NAME, NOTES_PREFIX, SAMPLE_PREFIX, write_templates
from tests.loaders.loader_samples import sample, write_dir


def test_one_sheet_per_table_with_headers_names_notes_and_a_sample(tmp_path: Path) -> None:
    path = write_templates(tmp_path)
    assert path == tmp_path / DEFAULT_NAME
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [kind.zh for kind in TABLES]
    for kind in TABLES:
        sheet = book[kind.zh]
        columns = columns_of(kind)
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=1, max_row=4)]
        assert rows[0] == [c.zh for c in columns]
        assert rows[1] == [c.name for c in columns]
        assert str(rows[2][0]).startswith(NOTES_PREFIX)
        for column, text in zip(columns, rows[2], strict=True):
            assert ("必填" in str(text)) == column.required and ("required" in str(text)) == column.required
            if column.type is FieldType.ENUM:
                assert all(choice.zh in str(text) for choice in column.choices)
        assert sheet.max_row == 4
    people = book[PERSON.zh]
    joined = columns_of(PERSON).index(PERSON.column("joined_on")) + 1
    assert people.cell(4, joined).value is None  # no example given
    committees = book["业委会"]
    assert isinstance(committees.cell(4, 4).value, datetime)  # a real date cell
    assert "楼栋" in str(people.cell(3, columns_of(PERSON).index(PERSON.column("building_id")) + 1).value)


def test_the_template_path_may_be_a_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "模板.xlsx"
    assert write_templates(target) == target and target.exists()


def test_the_template_as_written_is_a_valid_input(tmp_path: Path) -> None:
    result = read_input(write_templates(tmp_path))
    assert result.issues == []
    assert all([r.number for r in t.rows] == [4] for t in result.tables)


def _unmark_samples(path: Path) -> None:
    """Rewrite every sample id and reference without the sample prefix: the sample rows as real data."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for cell in sheet[4]:
            if isinstance(cell.value, str) and cell.value.startswith(SAMPLE_PREFIX):
                cell.value = cell.value.removeprefix(SAMPLE_PREFIX)
    book.save(path)


def test_the_sample_rows_are_consistent_data_once_unmarked(store: Store, tmp_path: Path) -> None:
    # the sample member's membership and residence-side branch are the same branch (O-0001)
    path = write_templates(tmp_path)
    _unmark_samples(path)
    summary = load(store, path)
    assert summary.issues == []
    for kind in TABLES:
        assert summary.tables[kind.table].created == 1, kind.table
    assert load(store, path).written == 0
    org = store.fetch_nodes(PARTY_ORG.label, ["O-0001"])["O-0001"]
    assert org.props["level"] == "branch" and org.props["name"].endswith("党支部")  # name and level agree


def test_a_filled_template_loads_and_reports_by_sheet_and_row(store: Store, tmp_path: Path) -> None:
    load(store, write_dir(tmp_path / "places", sample()))  # compound P-1 is in the store
    path = write_templates(tmp_path)
    book = openpyxl.load_workbook(path)
    buildings = book[BUILDING.zh]
    for position, value in enumerate(["B-0001", "一号楼", "P-1", 96], start=1):
        buildings.cell(4, position, value)
    buildings.append(["B-0002", "二号楼", "P-1", "很多"])
    book.save(path)
    with pytest.raises(ValidationFailed) as caught:
        load(store, path, skip_samples=True)  # the other sheets' samples are left out, not issues
    (only,) = caught.value.issues
    assert (only.file, only.row, only.column) == (f"{DEFAULT_NAME}[楼栋]", 5, "常住人口")
    buildings.cell(5, 4, 12.0)
    book.save(path)
    summary = load(store, path, skip_samples=True)
    assert summary.tables["buildings"].created == 2
    assert len(summary.skipped) == len(TABLES) - 1  # every sample row but the overwritten one
    stored = store.fetch_nodes(BUILDING.label, ["B-0001", "B-0002"])
    assert stored["B-0001"].props["name"] == "一号楼" and stored["B-0002"].props["residents"] == 12

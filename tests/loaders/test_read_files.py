"""Reading input files into raw tables (loaders/read.py): encodings, names, headers, rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from graph.errors import InputError, Issue
from graph.model import BUILDING, COMPOUND, PERSON
from loaders.read import RawTable, read_input
from tests.loaders.loader_samples import sample, write_csv, write_xlsx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "libreoffice"

BUILDINGS_ZH = "楼栋编号,楼栋名称,所属小区,常住人口\nB-1,一号楼,P-1,96\nB-2,二号楼,P-1,\n"


def only_table(result_tables: list[RawTable]) -> RawTable:
    assert len(result_tables) == 1
    return result_tables[0]


def issue_at(issues: list[Issue], column: str | None) -> Issue:
    found = [i for i in issues if i.column == column]
    assert found, f"no issue at column {column!r} in {issues}"
    return found[0]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-8"])
def test_csv_encodings_with_chinese_headers(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "buildings.csv").write_bytes(BUILDINGS_ZH.encode(encoding))
    result = read_input(tmp_path)
    assert result.issues == []
    table = only_table(result.tables)
    assert table.kind is BUILDING
    assert table.file == "buildings.csv"
    assert table.headers == {
        "id": "楼栋编号",
        "name": "楼栋名称",
        "compound_id": "所属小区",
        "residents": "常住人口",
    }
    assert [r.number for r in table.rows] == [2, 3]
    assert table.rows[0].cells == {"id": "B-1", "name": "一号楼", "compound_id": "P-1", "residents": "96"}


def test_gb18030_is_really_not_utf8(tmp_path: Path) -> None:
    """The GB18030 bytes of the test are not valid UTF-8, so detection is what reads them."""
    data = BUILDINGS_ZH.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data[:3] != b"\xef\xbb\xbf"
    assert BUILDINGS_ZH.encode("utf-8-sig").startswith(b"\xef\xbb\xbf")


def test_files_named_in_chinese_and_headers_in_any_order_and_language(tmp_path: Path) -> None:
    (tmp_path / "楼栋.csv").write_text(
        "常住人口,COMPOUND_ID,name,楼栋编号\n96,P-1,一号楼,B-1\n", encoding="utf-8"
    )
    table = only_table(read_input(tmp_path).tables)
    assert table.kind is BUILDING
    assert table.rows[0].cells == {"residents": "96", "compound_id": "P-1", "name": "一号楼", "id": "B-1"}


def test_full_width_parentheses_in_names(tmp_path: Path) -> None:
    (tmp_path / "县（市、区）.csv").write_text(
        "县（市、区）编号,县(市、区)名称,所属市\nD-1,襄城区,C-1\n", encoding="utf-8"
    )
    result = read_input(tmp_path)
    assert result.issues == []
    assert only_table(result.tables).kind.table == "districts"


def test_a_single_file_can_be_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "buildings.csv", BUILDING, sample()["buildings"])
    (tmp_path / "other.csv").write_text("x\n1\n", encoding="utf-8")
    result = read_input(path)
    assert result.issues == [] and len(only_table(result.tables).rows) == 3


def test_empty_rows_are_skipped_and_row_numbers_kept(tmp_path: Path) -> None:
    text = "楼栋编号,楼栋名称,所属小区\nB-1,一号楼,P-1\n,,\n\n  ,\u3000,\nB-2,二号楼,P-1\n"
    (tmp_path / "buildings.csv").write_text(text, encoding="utf-8")
    table = only_table(read_input(tmp_path).tables)
    assert [(r.number, r.cells["id"]) for r in table.rows] == [(2, "B-1"), (6, "B-2")]


def test_unknown_and_missing_columns_are_issues_at_the_header_row(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_text(
        "楼栋编号,楼层数,所属小区,楼栋编号\nB-1,6,P-1,B-1\n", encoding="utf-8"
    )
    result = read_input(tmp_path)
    table = only_table(result.tables)
    assert table.broken  # the required name column is missing
    unknown = issue_at(result.issues, "楼层数")
    assert (unknown.file, unknown.row) == ("buildings.csv", 1)
    assert "unknown column" in unknown.reason and "未知列" in unknown.reason_zh
    missing = issue_at(result.issues, "楼栋名称")  # named in the file's language
    assert missing.row == 1 and "required column missing" in missing.reason and "name" in missing.reason
    assert "缺少必填列" in missing.reason_zh
    twice = [i for i in result.issues if "twice" in i.reason]
    assert len(twice) == 1 and twice[0].column == "楼栋编号"
    assert len(result.issues) == 3


def test_missing_column_named_in_english_for_an_english_file(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_text("id,compound_id\nB-1,P-1\n", encoding="utf-8")
    (only,) = read_input(tmp_path).issues
    assert only.column == "name"


def test_values_under_no_header_are_an_issue(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_text("id,name,compound_id\nB-1,一号楼,P-1,,extra\n", encoding="utf-8")
    (only,) = read_input(tmp_path).issues
    assert (only.row, only.column) == (2, None)
    assert "column 5" in only.reason and "第5列" in only.reason_zh


def test_unknown_files_are_issues_and_hidden_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "楼房.csv").write_text("id\nB-1\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / ".~lock.buildings.csv#").write_text("lock", encoding="utf-8")
    (tmp_path / "~$book.xlsx").write_bytes(b"lock")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    result = read_input(tmp_path)
    assert result.tables == []
    by_file = {i.file: i for i in result.issues}
    assert set(by_file) == {"楼房.csv", "notes.txt", "old.xls"}
    assert "not a table" in by_file["楼房.csv"].reason and "buildings (楼栋)" in by_file["楼房.csv"].reason
    assert "not a CSV or XLSX" in by_file["old.xls"].reason
    assert all(i.row is None and i.column is None for i in result.issues)


def test_a_file_in_no_known_encoding_is_an_input_error_naming_every_such_file(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "compounds.csv").write_bytes(b"\x00\xff\x00\xfe" * 100)
    with pytest.raises(InputError) as caught:
        read_input(tmp_path)
    assert "buildings.csv" in caught.value.message and "compounds.csv" in caught.value.message
    assert "UTF-8" in caught.value.message and "GB18030" in caught.value.message_zh


def test_utf16_is_read_by_the_fallback_detector(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_bytes(BUILDINGS_ZH.encode("utf-16"))
    table = only_table(read_input(tmp_path).tables)
    assert table.rows[0].cells["name"] == "一号楼"


def test_missing_path_and_broken_workbook_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_input(tmp_path / "nope")
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match=r"book\.xlsx"):
        read_input(tmp_path)


def test_xlsx_sheets_by_english_or_chinese_name_with_typed_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    default = book.active
    assert default is not None
    default.title = "Sheet1"  # left empty: ignored
    compounds = book.create_sheet("compounds")
    compounds.append(["id", "name", "grid_id", "eligible_for_owners_committee", "households"])
    compounds.append(["P-1", "檀溪小区", "G-1", True, 320.0])
    persons = book.create_sheet("人员")
    persons.append(["人员编号", "姓名", "身份证号", "居住楼栋", "政治面貌", "入党日期"])
    persons.append(["R-1", "张伟", "420602198001011239", "B-1", "中共党员", datetime(2001, 7, 1)])
    stray = book.create_sheet("草稿")
    stray["B3"] = "scratch"
    book.save(tmp_path / "book.xlsx")
    result = read_input(tmp_path)
    assert [t.kind for t in result.tables] == [COMPOUND, PERSON]
    assert [t.file for t in result.tables] == ["book.xlsx[compounds]", "book.xlsx[人员]"]
    assert result.tables[0].rows[0].cells["households"] == 320.0
    assert result.tables[0].rows[0].cells["eligible_for_owners_committee"] is True
    assert result.tables[1].rows[0].cells["joined_on"] == datetime(2001, 7, 1)
    (only,) = result.issues
    assert only.file == "book.xlsx[草稿]" and "sheet name is not a table" in only.reason


def test_tables_come_back_in_model_order(tmp_path: Path) -> None:
    write_xlsx(
        tmp_path / "all.xlsx", {k: v for k, v in sample().items() if k in ("persons", "buildings", "cities")}
    )
    assert [t.kind.table for t in read_input(tmp_path).tables] == ["cities", "buildings", "persons"]


def test_template_rows_under_the_header_are_skipped(tmp_path: Path) -> None:
    text = "楼栋编号,楼栋名称,所属小区\nid,name,compound_id\n说明/notes: 必填,必填,必填\nB-1,一号楼,P-1\n"
    (tmp_path / "buildings.csv").write_text(text, encoding="utf-8")
    result = read_input(tmp_path)
    assert result.issues == []
    table = only_table(result.tables)
    assert [(r.number, r.cells["id"]) for r in table.rows] == [(4, "B-1")]


def test_a_row_that_only_partly_repeats_the_headers_is_data(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_text("id,name,compound_id\nid,一号楼,P-1\n", encoding="utf-8")
    assert only_table(read_input(tmp_path).tables).rows[0].cells["name"] == "一号楼"


def test_libreoffice_workbooks(tmp_path: Path) -> None:
    """XLSX written by LibreOffice Calc (see tests/fixtures/make_libreoffice_fixture.sh)."""
    result = read_input(FIXTURES)
    assert result.issues == []
    compounds, persons = result.tables
    assert (compounds.kind, persons.kind) == (COMPOUND, PERSON)
    assert persons.file == "persons.xlsx[人员]"
    assert [r.number for r in persons.rows] == [2, 3, 5]  # row 4 is empty in the sheet
    first = persons.rows[0].cells
    assert isinstance(first["joined_on"], datetime)  # a real date cell
    assert isinstance(first["phone"], int)  # a number cell
    assert first["id_number"] == "420602198001011239"  # a text cell
    assert persons.rows[2].cells["joined_on"] == "2021/3/5"  # left as text by LibreOffice
    assert compounds.rows[0].cells["households"] == 320

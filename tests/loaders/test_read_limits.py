"""The reader's bounds (loaders/read.py): limits, links and special files, CR in quoted cells,
BOMs, safe XLSX opening, big numbers, and the cap on issues (loaders/issues.py)."""

from __future__ import annotations

import codecs
import os
import socket
import stat
from pathlib import Path

import openpyxl
import pytest

from graph.errors import InputError, Issue, ValidationFailed, problem_count
from graph.model import BUILDING
from graph.store import Store
from graph.wire import bindable
from loaders.issues import ISSUES_PER_KIND, IssueCap
from loaders.load import load
from loaders.read import InputLimits, read_input
from loaders.validate import validate
from tests.loaders.loader_samples import sample, write_csv, write_dir, write_xlsx
from tests.loaders.xlsx_parts import HEADER_ROW, LAUGHS, minimal_xlsx, sheet

HEADER = "楼栋编号,楼栋名称,所属小区\r\n"
SECRET = "TOP-SECRET-LINE-7f3a"


def names_of(tmp_path: Path) -> list[str]:
    (table,) = read_input(tmp_path).tables
    return [str(r.cells.get("name")) for r in table.rows]


# ---------------------------------------------------------------- line endings inside quoted cells


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
def test_cr_crlf_lf_inside_a_quoted_cell_stay_in_the_cell(tmp_path: Path, encoding: str, ending: str) -> None:
    body = HEADER.replace("\r\n", ending) + ending.join(
        ['B-1,"一\r号",P-1', 'B-2,"二\r\n号",P-1', 'B-3,"三\n号",P-1', 'B-4,"四\r\r\n\n号",P-1']
    )
    (tmp_path / "buildings.csv").write_bytes((body + ending).encode(encoding))
    (table,) = read_input(tmp_path).tables
    assert [(r.number, r.cells["name"]) for r in table.rows] == [
        (2, "一\r号"),
        (3, "二\r\n号"),
        (4, "三\n号"),
        (5, "四\r\r\n\n号"),
    ]


def test_line_endings_across_the_reader_s_buffers(tmp_path: Path) -> None:
    """Thousands of rows, CR LF endings and CRs in cells falling on every buffer boundary."""
    rows = [f'B-{i},"{"x" * (i % 97)}\r{i}",P-1' for i in range(5000)]
    (tmp_path / "buildings.csv").write_bytes((HEADER + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    (table,) = read_input(tmp_path).tables
    assert len(table.rows) == 5000
    assert all(r.cells["name"] == f"{'x' * (i % 97)}\r{i}" for i, r in enumerate(table.rows))
    assert table.rows[-1].number == 5001


# ---------------------------------------------------------------- BOMs and encodings


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_a_bom(tmp_path: Path, encoding: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(
        encoding, codecs.BOM_UTF32_LE if encoding == "utf-32-le" else codecs.BOM_UTF32_BE
    )
    (tmp_path / "buildings.csv").write_bytes(bom + (HEADER + "B-1,一号楼,P-1\r\n").encode(encoding))
    assert names_of(tmp_path) == ["一号楼"]


def test_a_doubled_bom_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_bytes(codecs.BOM_UTF8 * 2 + (HEADER + "B-1,一号楼,P-1\n").encode())
    result = read_input(tmp_path)
    assert result.issues == [] and names_of(tmp_path) == ["一号楼"]


def test_a_nul_or_a_bad_byte_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_bytes((HEADER + "B-1,一\x00号楼,P-1\n").encode())
    with pytest.raises(InputError) as nul:
        read_input(tmp_path)
    assert (
        "buildings.csv" in nul.value.message and "line 2" in nul.value.message and "NUL" in nul.value.message
    )
    assert "第2行" in nul.value.message_zh


# ---------------------------------------------------------------- links and files that are not regular


def outside_secret(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET},b\n1,2\n", encoding="utf-8")
    return secret


def assert_refused_naming(path: Path, name: str, what: str) -> InputError:
    with pytest.raises(InputError) as caught:
        read_input(path)
    error = caught.value
    assert name in error.message and what in error.message, error.message
    assert SECRET not in error.message and SECRET not in error.message_zh
    assert "不予读取" in error.message_zh
    return error


def test_a_symlink_named_like_a_table_is_refused_not_followed(tmp_path: Path) -> None:
    secret = outside_secret(tmp_path)
    data = tmp_path / "in"
    data.mkdir()
    (data / "buildings.csv").symlink_to(secret)
    assert_refused_naming(data, "buildings.csv", "symbolic link")


def test_a_symlink_to_a_valid_file_or_a_dangling_one_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "in"
    write_dir(data, {"buildings": sample()["buildings"]})
    (data / "buildings.csv").rename(tmp_path / "real.csv")
    (data / "buildings.csv").symlink_to(tmp_path / "real.csv")
    (data / "楼栋.xlsx").symlink_to(tmp_path / "missing.xlsx")
    error = assert_refused_naming(data, "buildings.csv", "symbolic link")
    assert "楼栋.xlsx" in error.message  # every refused file is named at once


def test_a_symlink_given_as_the_input_is_refused(tmp_path: Path) -> None:
    secret = outside_secret(tmp_path)
    (tmp_path / "buildings.csv").symlink_to(secret)
    assert_refused_naming(tmp_path / "buildings.csv", "buildings.csv", "symbolic link")
    (tmp_path / "linked_dir").symlink_to(secret.parent, target_is_directory=True)
    assert_refused_naming(tmp_path / "linked_dir", "linked_dir", "symbolic link")


def test_a_directory_fifo_socket_or_device_named_like_a_table_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "in"
    data.mkdir()
    (data / "buildings.csv").mkdir()
    os.mkfifo(data / "persons.csv")  # never opened: a FIFO without a writer would block a reader
    server = socket.socket(socket.AF_UNIX)
    where, fd = bindable(data / "grids.csv")  # a long temporary path through its folder's descriptor
    server.bind(where)
    if fd is not None:
        os.close(fd)
    try:
        os.mknod(data / "楼栋.xlsx", 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # /dev/null's numbers
        device = "楼栋.xlsx"
    except PermissionError:  # without CAP_MKNOD: a device given as the input is the same check
        device = ""
    try:
        error = assert_refused_naming(data, "buildings.csv", "a directory")
    finally:
        server.close()
    assert "persons.csv" in error.message and "FIFO" in error.message
    assert "grids.csv" in error.message and "socket" in error.message
    if device:
        assert device in error.message and "character device" in error.message
    assert_refused_naming(Path("/dev/null"), "/dev/null", "character device")


def test_a_refused_file_leaves_the_store_unchanged(store: Store, tmp_path: Path) -> None:
    load(store, write_dir(tmp_path / "base", sample()))
    before = store.stats()
    data = write_dir(tmp_path / "again", {"buildings": sample()["buildings"]})
    os.mkfifo(data / "persons.csv")
    with pytest.raises(InputError):
        load(store, data)
    assert store.stats() == before


# ---------------------------------------------------------------- size limits


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_bytes((HEADER + "B-1,一号楼,P-1\n" * 200_000).encode())
    with pytest.raises(InputError) as caught:
        read_input(tmp_path, limits=InputLimits(file_bytes=1024 * 1024))
    assert "buildings.csv" in caught.value.message and "GONGZHI_MAX_FILE_MB" in caught.value.message


def test_rows_over_the_limit_are_refused_with_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "buildings.csv").write_text(HEADER + "".join(f"B-{i},楼,P-1\n" for i in range(120)))
    monkeypatch.setenv("GONGZHI_MAX_ROWS", "100")  # read through the one Settings object
    with pytest.raises(InputError) as caught:
        read_input(tmp_path)
    assert "buildings.csv" in caught.value.message and "100 rows" in caught.value.message
    assert "GONGZHI_MAX_ROWS" in caught.value.message_zh
    monkeypatch.setenv("GONGZHI_MAX_ROWS", "121")  # the header is row 1: 121 rows in all
    assert len(names_of(tmp_path)) == 120


def test_a_cell_over_the_limit_is_an_issue_of_that_cell_and_its_value_is_not_kept(tmp_path: Path) -> None:
    long_name = "楼" * 5_001
    (tmp_path / "buildings.csv").write_text(
        f"{HEADER}B-1,{long_name},P-1\nB-2,二号楼,P-1\n", encoding="utf-8"
    )
    read = read_input(tmp_path, limits=InputLimits(cell_chars=5_000))
    (table,) = read.tables
    assert "name" not in table.rows[0].cells and table.rows[1].cells["name"] == "二号楼"
    issues = [i for i in validate(read.tables, source="t").issues if i.column == "楼栋名称"]
    assert [(i.row, i.value) for i in issues] == [(2, None)]
    assert "5,001 characters" in issues[0].reason and "GONGZHI_MAX_CELL_CHARS" in issues[0].reason_zh


def test_a_line_longer_than_any_row_and_a_value_beyond_the_columns_are_refused(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_text(HEADER + "B-1," + "x" * 40_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError) as long_line:
        read_input(tmp_path, limits=InputLimits(cell_chars=1_000))
    assert "buildings.csv" in long_line.value.message and "line 2" in long_line.value.message
    (tmp_path / "buildings.csv").write_text(HEADER + "B-1,楼,P-1" + "," * 400 + "x\n", encoding="utf-8")
    with pytest.raises(InputError) as wide:
        read_input(tmp_path)
    assert "row 2" in wide.value.message and "column 403" in wide.value.message


def test_trailing_empty_cells_beyond_the_columns_are_harmless(tmp_path: Path) -> None:
    (tmp_path / "buildings.csv").write_text(HEADER + "B-1,楼,P-1" + "," * 5000 + "\n", encoding="utf-8")
    assert names_of(tmp_path) == ["楼"]


# ---------------------------------------------------------------- XLSX opened safely


def test_the_hand_made_workbook_reads(tmp_path: Path) -> None:
    row = '<row r="2"><c r="A2" t="inlineStr"><is><t>B-1</t></is></c><c r="B2" t="inlineStr"><is><t>楼</t></is></c><c r="C2" t="inlineStr"><is><t>P-1</t></is></c></row>'
    minimal_xlsx(tmp_path / "book.xlsx", sheet(HEADER_ROW + row))
    assert names_of(tmp_path) == ["楼"]


def test_defusedxml_is_what_openpyxl_parses_with() -> None:
    assert openpyxl.DEFUSEDXML, "defusedxml is a dependency: openpyxl must be using it"


@pytest.mark.parametrize("scan", [False, True], ids=["defusedxml", "own-scan"])
@pytest.mark.parametrize("part", ["sheet", "strings"])
def test_billion_laughs_is_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scan: bool, part: str
) -> None:
    if scan:  # as without defusedxml: the reader scans every part for a DTD itself
        monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    bomb_row = (
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    )
    if part == "sheet":
        minimal_xlsx(tmp_path / "book.xlsx", sheet(HEADER_ROW + bomb_row, LAUGHS))
    else:
        strings = f'<?xml version="1.0"?>{LAUGHS}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
        minimal_xlsx(tmp_path / "book.xlsx", sheet(HEADER_ROW), strings=strings.encode())
    with pytest.raises(InputError) as caught:
        read_input(tmp_path)
    assert "book.xlsx" in caught.value.message and "entities" in caught.value.message
    assert "实体" in caught.value.message_zh


def test_an_external_entity_is_never_resolved(tmp_path: Path) -> None:
    secret = outside_secret(tmp_path)
    data = tmp_path / "in"
    data.mkdir()
    xxe = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    row = '<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    minimal_xlsx(data / "book.xlsx", sheet(HEADER_ROW + row, xxe))
    with pytest.raises(InputError) as caught:
        read_input(data)
    assert SECRET not in caught.value.message and "book.xlsx" in caught.value.message


def test_a_zip_bomb_is_refused_before_openpyxl(tmp_path: Path) -> None:
    zeros = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + b" " * (30 * 1024 * 1024)
    )
    minimal_xlsx(tmp_path / "book.xlsx", zeros + b"</sheetData></worksheet>", level=9)
    assert (tmp_path / "book.xlsx").stat().st_size < 200_000
    with pytest.raises(InputError) as caught:
        read_input(tmp_path)
    assert "book.xlsx" in caught.value.message and "zip bomb" in caught.value.message
    with pytest.raises(InputError) as unpacked:
        read_input(tmp_path, limits=InputLimits(unzipped_bytes=10 * 1024 * 1024))
    assert "GONGZHI_MAX_UNZIPPED_MB" in unpacked.value.message


def test_a_truncated_workbook_is_refused_naming_it(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "book.xlsx", sample())
    data = book.read_bytes()
    for cut_at in (10, len(data) // 3, len(data) - 30):
        book.write_bytes(data[:cut_at])
        with pytest.raises(InputError) as caught:
            read_input(tmp_path)
        assert "book.xlsx" in caught.value.message and "XLSX" in caught.value.message


def test_big_numbers_in_a_workbook_are_located_issues(store: Store, tmp_path: Path) -> None:
    def cells(n: int, name: str, residents: str) -> str:
        return (
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>B-{n}</t></is></c>{name}'
            f'<c r="C{n}" t="inlineStr"><is><t>P-1</t></is></c>{residents}</row>'
        )

    rows = cells(
        2,
        '<c r="B2" t="inlineStr"><is><t>楼</t></is></c>',
        '<c r="D2"><v>123456789012345678901234567890</v></c>',
    )
    rows += cells(3, '<c r="B3"><v>1.2345678901234568E+29</v></c>', "")  # what Excel keeps of 30 digits
    (tmp_path / "in").mkdir()
    minimal_xlsx(tmp_path / "in" / "book.xlsx", sheet(HEADER_ROW + rows))
    with pytest.raises(ValidationFailed) as caught:
        load(store, tmp_path / "in")
    found = {(i.file, i.row, i.column): i for i in caught.value.issues}
    too_large = found[("book.xlsx[buildings]", 2, "residents")]
    assert "too large" in too_large.reason and "过大" in too_large.reason_zh
    lost = found[("book.xlsx[buildings]", 3, "name")]
    assert "lost its last digits" in lost.reason and "文本" in lost.reason_zh
    assert store.is_empty()


def test_a_float_that_lost_digits_written_by_openpyxl_is_an_issue(tmp_path: Path) -> None:
    tables = sample()
    tables["buildings"][0]["residents"] = 123456789012345678901234567890  # written as a float
    write_xlsx(tmp_path / "book.xlsx", tables)
    issues = validate(read_input(tmp_path).tables, source="t").issues
    (issue,) = [i for i in issues if i.column == "常住人口"]
    assert (issue.file, issue.row) == ("book.xlsx[楼栋]", 2) and "lost" in issue.reason


def test_a_30_digit_whole_number_in_a_csv_is_an_issue_on_both_stores(store: Store, tmp_path: Path) -> None:
    tables = sample()
    tables["buildings"][0]["residents"] = "1" * 30
    with pytest.raises(ValidationFailed) as caught:
        load(store, write_dir(tmp_path / "in", tables))
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == ("buildings.csv", 2, "常住人口")
    assert "too large" in issue.reason


# ---------------------------------------------------------------- issues capped per column and kind


def bad_persons(path: Path, rows: int) -> Path:
    header = "id,name,gender,building_id,political_status\n"
    body = "".join(f"R-{i},名{i},x,B-{i},zz\n" for i in range(rows))
    path.mkdir(parents=True, exist_ok=True)
    (path / "persons.csv").write_text(header + body, encoding="utf-8")
    return path


def test_issues_are_capped_per_column_and_kind_and_the_rest_counted(tmp_path: Path) -> None:
    rows = 3000
    read = read_input(bad_persons(tmp_path / "in", rows))
    issues = validate(read.tables, source="t").issues
    # three bad columns: gender and political status (not allowed), building (refers to nothing)
    assert problem_count(issues) == 3 * rows
    assert len(issues) == 3 * (ISSUES_PER_KIND + 1)
    counts = [i for i in issues if i.more]
    assert sorted(i.column or "" for i in counts) == ["building_id", "gender", "political_status"]
    assert all(i.more == rows - ISSUES_PER_KIND and i.file == "persons.csv" for i in counts)
    assert "and 2,980 more like this" in counts[0].reason and "另有 2,980 处同类问题" in counts[0].reason_zh
    gender = [i for i in issues if i.column == "gender"]
    assert [i.row for i in gender[:-1]] == list(range(2, 2 + ISSUES_PER_KIND)) and gender[-1].more


def test_the_cap_holds_for_reasons_that_quote_a_different_id_each_row() -> None:
    cap = IssueCap(per_kind=3, kinds_per_column=2)
    kept = [
        Issue("f.csv", row, "c", None, reason)
        for row, reason in enumerate([f"refers to {'X' * n}" for n in range(1, 50)], start=2)
        if cap.admit("c", reason)
    ]
    listed = cap.listed("f.csv", kept)
    assert len(kept) == 2 + 3  # two kinds told apart, then one kind for all the others, 3 kept of it
    assert problem_count(listed) == 49
    assert any("other kinds" in i.reason and i.more == 44 for i in listed)


def test_a_load_of_many_bad_rows_reports_the_true_count(store: Store, tmp_path: Path) -> None:
    rows = 2000
    with pytest.raises(ValidationFailed) as caught:
        load(store, bad_persons(tmp_path / "in", rows))
    assert problem_count(caught.value.issues) == 3 * rows
    assert len(caught.value.issues) <= 3 * (ISSUES_PER_KIND + 1)
    assert f"{3 * rows:,} problem(s)" in caught.value.message
    assert store.is_empty()


def test_a_table_csv_written_by_the_samples_still_reads(tmp_path: Path) -> None:
    write_csv(tmp_path / "buildings.csv", BUILDING, sample()["buildings"], encoding="gb18030")
    assert len(names_of(tmp_path)) == 3


def test_a_file_with_no_column_of_its_table_is_not_kept_row_by_row(tmp_path: Path) -> None:
    """Junk under a junk header: the header's issues, and no row held in memory."""
    (tmp_path / "buildings.csv").write_text("qq,zz\n" + "junk,line\n" * 50_000, encoding="utf-8")
    result = read_input(tmp_path)
    (table,) = result.tables
    assert table.broken and table.rows == []
    assert {"qq", "zz"} <= {i.column for i in result.issues}
    assert any("required column missing" in i.reason for i in result.issues)

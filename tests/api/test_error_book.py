"""The error workbook of ``gongzhi load ... --errors-out FILE.xlsx``, opened with openpyxl as the
person who keeps the ledger would open it: every issue listed on the first sheet, each bad cell
of the copy highlighted with a comment giving its reason; a CSV input gives an XLSX; a title row
above the headers is skipped with a notice, other rows above them are one message."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from api.error_book import BAD, ISSUES_SHEET
from loaders.generate import generate
from tests.api.test_cli import run

SEED = 4


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("errors") / "input"
    generate("community", SEED, path)
    return path


def csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def spoiled(dataset: Path, out: Path) -> dict[tuple[int, str], str]:
    """The dataset with three bad cells in persons.csv; their (row, header) -> value."""
    shutil.copytree(dataset, out)
    rows = csv_rows(out / "persons.csv")
    header = rows[0]
    bad = {(3, "身份证号"): "42068219721129921X", (4, "手机号"): "1319886", (5, "政治面貌"): "党外人士"}
    for (row, column), value in bad.items():
        rows[row - 1][header.index(column)] = value
    write_csv(out / "persons.csv", rows)
    return bad


def marked(ws: openpyxl.worksheet.worksheet.Worksheet, header_row: int = 1) -> dict[tuple[int, str], str]:
    headers = {cell.column: cell.value for cell in ws[header_row]}
    return {
        (cell.row, headers.get(cell.column) or ""): cell.comment.text
        for row in ws.iter_rows()
        for cell in row
        if cell.fill.start_color.rgb == BAD.start_color.rgb and cell.comment is not None
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_directory_of_csv_gives_a_workbook_with_the_bad_cells_commented(
    lang: str, dataset: Path, tmp_path: Path
) -> None:
    bad = spoiled(dataset, tmp_path / "input")
    env = {"GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(tmp_path / "data"), "GONGZHI_LANG": lang}
    issues = json.loads(run("load", tmp_path / "input", "--json", env=env, ok=False).stdout)["issues"]
    book = tmp_path / "errors.xlsx"
    proc = run("load", tmp_path / "input", "--errors-out", book, env=env, ok=False)
    assert proc.returncode == 1 and str(book) in proc.stderr
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == ISSUES_SHEET[1 if lang == "en" else 0] and "persons" in wb.sheetnames
    listed = [list(r) for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert len(listed) == len(issues) >= len(bad)
    reason = "reason" if lang == "en" else "reason_zh"
    assert sorted((r[0], r[2], r[3], r[5]) for r in listed) == sorted(
        (i["file"], i["row"], i["column"], i[reason]) for i in issues
    )
    comments = marked(wb["persons"])
    for key in bad:
        assert key in comments, key
        expected = [i[reason] for i in issues if (i["row"], i["column"]) == key]
        assert expected and all(e in comments[key] for e in expected)
    # the copy holds the input's values; the list quotes them as the issues do (masked)
    persons = csv_rows(tmp_path / "input" / "persons.csv")
    assert [c.value or "" for c in wb["persons"][3]][: len(persons[2])] == persons[2]
    assert "42068219721129921X" not in {str(r[4]) for r in listed}


def test_one_workbook_is_copied_with_its_title_row_and_the_title_is_skipped(dataset: Path, tmp_path: Path) -> None:
    rows = csv_rows(dataset / "persons.csv")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "人员"
    ws.append(["檀溪社区党员台账（2024年）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows[:4]:
        ws.append(row)
    ws.cell(row=4, column=rows[0].index("手机号") + 1).value = "12345"
    ws.column_dimensions["B"].width = 33
    source = tmp_path / "台账.xlsx"
    wb.save(source)
    env = {"GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(tmp_path / "data"), "GONGZHI_LANG": "zh"}
    book = tmp_path / "errors.xlsx"
    proc = run("load", source, "--errors-out", book, env=env, ok=False)
    assert "已跳过表头上方的标题行（檀溪社区党员台账（2024年）），表头在第2行" in proc.stderr
    assert "有数据但没有表头" not in proc.stderr and "未知列" not in proc.stderr
    out = openpyxl.load_workbook(book)
    assert out.sheetnames == ["问题清单", "人员"]
    copy = out["人员"]
    assert copy["A1"].value == "檀溪社区党员台账（2024年）" and copy.merged_cells.ranges  # the workbook itself
    assert copy.column_dimensions["B"].width == 33
    comments = marked(copy, header_row=2)
    assert (4, "手机号") in comments and "手机号" in comments[(4, "手机号")]


def test_rows_above_the_header_are_one_message(dataset: Path, tmp_path: Path) -> None:
    rows = csv_rows(dataset / "buildings.csv")
    path = tmp_path / "buildings.csv"
    write_csv(path, [["制表单位", "檀溪社区", "制表日期", "2024-06-30"], [], *rows])
    env = {"GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(tmp_path / "data")}
    issues = json.loads(run("load", path, "--json", env=env, ok=False).stdout)["issues"]
    assert [(i["row"], i["reason_zh"]) for i in issues] == [(3, "表头在第3行：请删除表头上方的行（第1行应为表头）")]
    proc = run("load", path, "--lang", "en", env={**env, "COLUMNS": "300"}, ok=False)
    assert "the header is on row 3: delete the rows above it" in proc.stderr


def test_a_title_row_alone_is_a_notice_and_the_load_goes_on(dataset: Path, tmp_path: Path) -> None:
    shutil.copytree(dataset, tmp_path / "input")
    rows = csv_rows(tmp_path / "input" / "buildings.csv")
    write_csv(tmp_path / "input" / "buildings.csv", [["檀溪社区楼栋台账"], *rows])
    env = {"GONGZHI_STORE": "embedded", "GONGZHI_DATA_DIR": str(tmp_path / "data")}
    summary = json.loads(run("load", tmp_path / "input", "--json", env=env).stdout)
    assert [w["reason_zh"] for w in summary["warnings"] if w["file"] == "buildings.csv"] == [
        "已跳过表头上方的标题行（檀溪社区楼栋台账），表头在第2行"
    ]
    counts = json.loads(run("stats", "--json", env=env).stdout)["labels"]
    assert counts["Building"] == len(rows) - 1

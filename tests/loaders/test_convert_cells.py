"""Every FieldType conversion, one cell at a time (loaders/convert.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from graph.declare import Column, FieldType
from graph.model import PERSON, POLITICAL_STATUS
from loaders.convert import CellProblem, convert
from tests.loaders.loader_samples import ID_1, ID_X, credit

TEXT = Column("t", "文本")
INT = Column("n", "整数", FieldType.INT)
BOOL = Column("b", "布尔", FieldType.BOOL)
DATE = Column("d", "日期", FieldType.DATE)
ENUM = Column("e", "政治面貌", FieldType.ENUM, choices=POLITICAL_STATUS)
ID = PERSON.column("id_number")
PHONE = PERSON.column("phone")
CREDIT = Column("c", "统一社会信用代码", FieldType.CREDIT_CODE)
REF = Column("r", "引用", FieldType.REF, ref=("Building",))


def problem(column: Column, raw: object) -> CellProblem:
    with pytest.raises(CellProblem) as caught:
        convert(column, raw)  # type: ignore[arg-type]
    assert caught.value.reason and caught.value.reason_zh
    return caught.value


@pytest.mark.parametrize("column", [TEXT, INT, BOOL, DATE, ENUM, ID, PHONE, CREDIT, REF])
@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_empty_cells_are_none_for_every_type(column: Column, raw: object) -> None:
    assert convert(column, raw) is None  # type: ignore[arg-type]


def test_text_is_trimmed_and_spreadsheet_values_become_text() -> None:
    assert convert(TEXT, "  檀溪路1号 ") == "檀溪路1号"
    assert convert(TEXT, 420600.0) == "420600"
    assert convert(TEXT, 420600) == "420600"
    assert convert(TEXT, 3.5) == "3.5"
    assert convert(TEXT, datetime(2021, 3, 1)) == "2021-03-01"


@pytest.mark.parametrize(
    ("raw", "value"),
    [("320", 320), (" 320 ", 320), ("320.0", 320), ("1,234", 1234), ("-3", -3), (320, 320), (320.0, 320)],
)
def test_int(raw: object, value: int) -> None:
    assert convert(INT, raw) == value  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["3.5", 3.5, "三百", "12a", True])
def test_int_refuses_non_whole_numbers(raw: object) -> None:
    assert problem(INT, raw).reason_zh == "不是整数"


@pytest.mark.parametrize("raw", ["是", "Y", "y", "yes", "YES", "true", "True", "1", 1, 1.0, True])
def test_bool_true(raw: object) -> None:
    assert convert(BOOL, raw) is True  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["否", "N", "no", "False", "0", 0, 0.0, False])
def test_bool_false(raw: object) -> None:
    assert convert(BOOL, raw) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["有", "2", "maybe", 2])
def test_bool_refuses_other_words(raw: object) -> None:
    assert "是/否" in problem(BOOL, raw).reason


@pytest.mark.parametrize(
    "raw",
    [
        "2021-03-01",
        "2021-3-1",
        "2021/03/01",
        "2021/3/1",
        "2021.03.01",
        "2021.3.1",
        "2021年3月1日",
        "2021年03月01日",
        "2021 年 3 月 1 日",
        "2021-03-01 00:00:00",
        " 2021-03-01 ",
        datetime(2021, 3, 1, 0, 0),
        datetime(2021, 3, 1, 14, 30),
        date(2021, 3, 1),
        44256,  # an XLSX date serial number (cell formatted as a number)
        44256.0,
    ],
)
def test_date(raw: object) -> None:
    assert convert(DATE, raw) == date(2021, 3, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["2021-02-30", "2021/13/01", "2021年2月30日"])
def test_date_refuses_impossible_days(raw: str) -> None:
    assert problem(DATE, raw).reason == "not a real date"


@pytest.mark.parametrize("raw", ["03/01/2021", "2021-03", "昨天", "2021-03/01", "20210301x"])
def test_date_refuses_other_formats(raw: str) -> None:
    found = problem(DATE, raw)
    assert "YYYY-MM-DD" in found.reason and "YYYY年M月D日" in found.reason_zh


@pytest.mark.parametrize("raw", ["中共党员", "member", "Party Member", "party member", " 中共党员 "])
def test_enum_any_spelling_gives_the_code(raw: str) -> None:
    assert convert(ENUM, raw) == "member"


def test_enum_refuses_unknown_values_and_lists_the_allowed_ones() -> None:
    found = problem(ENUM, "团员")  # a league member: not an accepted spelling
    assert "中共党员" in found.reason_zh and "中共预备党员" in found.reason_zh
    assert "member" in found.reason


def test_id_number_valid_and_normalized() -> None:
    good = ID_1
    assert convert(ID, f" {good} ") == good
    assert convert(ID, ID_X.lower()) == ID_X
    assert convert(ID, int(good)) == good  # a number cell that kept every digit


def test_id_number_wrong_check_digit_names_gb_11643() -> None:
    good = ID_1
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    found = problem(ID, bad)
    assert "check digit (GB 11643)" in found.reason
    assert "校验码" in found.reason_zh and "GB 11643" in found.reason_zh


@pytest.mark.parametrize("raw", ["4206021980010112", "42060219801301123X", "ABCDEFGHIJKLMNOPQR"])
def test_id_number_shape_and_birth_date(raw: str) -> None:
    assert "GB 11643" in problem(ID, raw).reason


def test_id_number_that_a_spreadsheet_stored_as_a_float_is_refused() -> None:
    found = problem(ID, 4.20602198001011e17)
    assert "as a number" in found.reason and "文本" in found.reason_zh


@pytest.mark.parametrize(
    "raw", ["13800001234", "138 0000 1234", "138-0000-1234", "+86 13800001234", "8613800001234", 13800001234]
)
def test_phone_is_normalized(raw: object) -> None:
    assert convert(PHONE, raw) == "13800001234"  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["12800001234", "1380000123", "010-12345678", "abc"])
def test_phone_refuses_non_mobile_numbers(raw: str) -> None:
    assert "mobile" in problem(PHONE, raw).reason


def test_credit_code() -> None:
    good = credit("91420600MA4ABCDE1")
    assert convert(CREDIT, good.lower()) == good
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert "GB 32100" in problem(CREDIT, bad).reason
    assert "GB 32100" in problem(CREDIT, "12345").reason_zh


def test_ref_is_trimmed_text() -> None:
    assert convert(REF, " B-1 ") == "B-1"
    assert convert(REF, 1001.0) == "1001"

"""Normalization at the border (loaders/convert.py, Choice.aliases): full-width input, the
spellings organizers use, invisible characters, times after dates, numbers in scientific
notation. Unit tests per cell, then a load on both stores checking what is stored."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from graph.declare import Column, FieldType
from graph.errors import ValidationFailed
from graph.model import BUILDING, GENDER, ORG_LEVEL, PERSON, POLITICAL_STATUS, TABLES
from graph.store import Store
from loaders.convert import DATE_EXAMPLES, FALSE_WORDS, TRUE_WORDS, CellProblem, convert
from loaders.docs import render_data_format
from loaders.load import load
from loaders.names import columns_of
from tests.loaders.loader_samples import ID_1, ID_X, credit, sample, write_dir

BOOL = Column("b", "布尔", FieldType.BOOL)
DATE = Column("d", "日期", FieldType.DATE)
INT = Column("n", "整数", FieldType.INT)
ID = PERSON.column("id_number")
PHONE = PERSON.column("phone")
CREDIT = Column("c", "统一社会信用代码", FieldType.CREDIT_CODE)
REF = PERSON.column("building_id")
STATUS = PERSON.column("political_status")
GENDER_COLUMN = PERSON.column("gender")
NODE_ID = BUILDING.id_column


def full_width(text: str) -> str:
    """``text`` with every ASCII character from ``!`` to ``~`` typed in its full-width form."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def problem(column: Column, raw: object, *, identifier: bool = False) -> CellProblem:
    with pytest.raises(CellProblem) as caught:
        convert(column, raw, identifier=identifier)  # type: ignore[arg-type]
    assert caught.value.reason and caught.value.reason_zh
    return caught.value


# ---------------------------------------------------------------- full-width (NFKC)


def test_full_width_id_numbers_are_stored_in_ascii() -> None:
    assert full_width(ID_1) != ID_1
    assert convert(ID, full_width(ID_1)) == ID_1
    assert convert(ID, full_width(ID_X)) == ID_X  # a full-width Ｘ
    assert convert(ID, full_width(ID_X.lower())) == ID_X  # a full-width ｘ
    assert convert(ID, "\u3000" + ID_1 + "\u3000") == ID_1  # ideographic spaces around it


def test_full_width_mobiles_credit_codes_ints_and_dates() -> None:
    assert convert(PHONE, full_width("+86 138-0000-1234")) == "13800001234"
    code = credit("91420600MA4ABCDE1")
    assert convert(CREDIT, full_width(code.lower())) == code
    assert convert(INT, full_width("1,234")) == 1234
    assert convert(INT, "1，234") == 1234
    assert convert(DATE, full_width("2021-03-05")) == date(2021, 3, 5)
    assert convert(DATE, "２０２１年３月５日") == date(2021, 3, 5)


def test_full_width_ids_and_references_are_stored_in_ascii() -> None:
    assert convert(NODE_ID, full_width("B-0001"), identifier=True) == "B-0001"
    assert convert(REF, full_width(" B-0001 ")) == "B-0001"
    assert convert(REF, "B－0001") == "B-0001"  # only the dash typed full-width


def test_free_text_is_left_as_typed() -> None:
    name = PERSON.column("name")
    assert convert(name, "Ａ栋住户") == "Ａ栋住户"


def test_a_full_width_bar_is_still_refused_in_an_id() -> None:
    assert "|" in problem(REF, "B｜1").reason


# ---------------------------------------------------------------- accepted spellings


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("中共党员", "member"),
        ("党员", "member"),
        ("正式党员", "member"),
        ("中共正式党员", "member"),
        ("member", "member"),
        ("Party Member", "member"),
        ("预备党员", "probationary"),
        ("中共预备党员", "probationary"),
        ("PROBATIONARY", "probationary"),
        ("群众", "masses"),
    ],
)
def test_political_status_spellings(raw: str, code: str) -> None:
    assert convert(STATUS, raw) == code
    assert convert(STATUS, full_width(raw)) == code


@pytest.mark.parametrize(
    ("raw", "code"), [("男", "M"), ("男性", "M"), ("M", "M"), ("m", "M"), ("male", "M"), ("女", "F"), ("女性", "F"), ("f", "F")]
)
def test_gender_spellings(raw: str, code: str) -> None:
    assert convert(GENDER_COLUMN, raw) == code


def test_every_declared_spelling_of_every_choice_gives_its_code_and_names_one_choice_only() -> None:
    seen = 0
    for kind in TABLES:
        for column in columns_of(kind):
            owners: dict[str, str] = {}
            for choice in column.choices:
                for spelling in choice.spellings:
                    assert owners.setdefault(spelling.casefold(), choice.code) == choice.code, (
                        f"{kind.table}.{column.name}: {spelling!r} names two choices"
                    )
                    assert convert(column, f" {spelling} ") == choice.code
                    seen += 1
    assert seen > 3 * sum(len(c) for c in (POLITICAL_STATUS, GENDER, ORG_LEVEL))


@pytest.mark.parametrize("raw", [*TRUE_WORDS, "Y", "YES", "True", "TRUE", "Ｙ", "ｔｒｕｅ", 1, True])
def test_bool_true_spellings(raw: object) -> None:
    assert convert(BOOL, raw) is True  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", [*FALSE_WORDS, "N", "NO", "False", "FALSE", "Ｎ", 0, False])
def test_bool_false_spellings(raw: object) -> None:
    assert convert(BOOL, raw) is False  # type: ignore[arg-type]


def test_the_organizers_boolean_marks_are_accepted() -> None:
    assert [convert(BOOL, m) for m in ("√", "✓", "×", "✗")] == [True, True, False, False]
    assert "√/×" in problem(BOOL, "有").reason


@pytest.mark.parametrize("raw", [*DATE_EXAMPLES, "2021-3-5 00:00:00", "20210305", 20210305, "2021.03.05 08:30"])
def test_date_spellings(raw: object) -> None:
    assert convert(DATE, raw) == date(2021, 3, 5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw", ["2021-03-01 25:00:00", "2021-03-01 24:00", "2021-03-01 23:60:00", "2021/3/1 12:00:61", "20210301 30:00"]
)
def test_a_date_with_an_impossible_time_is_refused(raw: str) -> None:
    found = problem(DATE, raw)
    assert "not a real time of day" in found.reason and "不是有效的时间" in found.reason_zh


@pytest.mark.parametrize("raw", ["20210230", "20211301", "2021.2.30"])
def test_compact_and_dotted_dates_are_checked_for_real_days(raw: str) -> None:
    assert problem(DATE, raw).reason == "not a real date"


@pytest.mark.parametrize("raw", ["2021030", "202103051", "2021-03-05T"])
def test_near_dates_are_refused(raw: str) -> None:
    assert "YYYYMMDD" in problem(DATE, raw).reason


# ---------------------------------------------------------------- numbers a spreadsheet mangled


@pytest.mark.parametrize("raw", ["4.20602E+17", "4.20602198001011e17", "4.20602E17", "４.２０６０２Ｅ＋１７"])
def test_a_csv_id_number_in_scientific_notation_gets_the_xlsx_message(raw: str) -> None:
    from_xlsx = problem(ID, 4.20602198001011e17)
    from_csv = problem(ID, raw)
    assert (from_csv.reason, from_csv.reason_zh) == (from_xlsx.reason, from_xlsx.reason_zh)
    assert "as a number" in from_csv.reason and "文本格式" in from_csv.reason_zh


def test_a_csv_mobile_in_scientific_notation_says_so() -> None:
    found = problem(PHONE, "1.38E+10")
    assert "scientific notation" in found.reason and "科学计数法" in found.reason_zh


# ---------------------------------------------------------------- invisible characters

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\x07", "\x01"]


@pytest.mark.parametrize("char", INVISIBLE)
@pytest.mark.parametrize("where", ["end", "middle", "start"])
def test_ids_and_references_with_an_invisible_character_are_refused_by_code_point(char: str, where: str) -> None:
    value = {"end": "B-000001" + char, "middle": "B-00" + char + "0001", "start": char + "B-000001"}[where]
    code = f"U+{ord(char):04X}"
    for found in (problem(NODE_ID, value, identifier=True), problem(REF, value)):
        assert f"invisible character {code}" in found.reason
        assert f"不可见字符 {code}" in found.reason_zh


@pytest.mark.parametrize("column", [ID, PHONE, CREDIT, DATE, BOOL, STATUS, INT])
def test_other_typed_values_name_the_invisible_character_too(column: Column) -> None:
    found = problem(column, "1\u200b")
    assert "U+200B" in found.reason and "U+200B" in found.reason_zh


def test_the_names_of_the_characters_are_given() -> None:
    assert "ZERO WIDTH SPACE" in problem(REF, "B-1\u200b").reason
    assert "零宽空格" in problem(REF, "B-1\u200b").reason_zh
    assert unicodedata.category("\ufeff") == "Cf" and "BOM" in problem(REF, "B-1\ufeff").reason_zh


def test_ordinary_spaces_around_an_id_are_trimmed_as_before() -> None:
    assert convert(REF, "  B-000001 \u3000") == "B-000001"
    assert convert(REF, "\tB-000001\n") == "B-000001"
    assert "U+0009" in problem(REF, "B-00\t0001").reason  # a tab inside is not
    assert convert(NODE_ID, "\u00a0B-1\u00a0", identifier=True) == "B-1"  # no-break spaces


# ---------------------------------------------------------------- the docs list every spelling


def test_the_data_format_lists_every_accepted_spelling() -> None:
    text = render_data_format()
    for word in (*TRUE_WORDS, *FALSE_WORDS):
        assert word in text
    for example in DATE_EXAMPLES:
        assert f"`{example}`" in text
    for kind in TABLES:
        for column in columns_of(kind):
            for choice in column.choices:
                for alias in choice.aliases:
                    assert alias in text, alias
    assert "4.20602E+17" in text and "U+200B" in text and "NFKC" in text


# ---------------------------------------------------------------- a load stores the normalized values


def test_a_load_stores_normalized_values(store: Store, tmp_path: Path) -> None:
    tables = sample()
    person = tables["persons"][0]
    person["id"] = full_width(str(person["id"]))
    person["id_number"] = full_width(ID_1)
    person["phone"] = full_width("138 0000 1234")
    person["political_status"] = "正式党员"
    person["gender"] = "男性"
    person["is_owner"] = "√"
    person["joined_on"] = "20210305"
    person["building_id"] = full_width(str(person["building_id"]))
    second = tables["persons"][1]
    second["political_status"] = "预备党员"
    second["in_service"] = "×"
    for row in tables["memberships"]:
        row["person_id"] = full_width(str(row["person_id"]))  # the membership rule sees the same ids
    load(store, write_dir(tmp_path / "in", tables))
    r1 = tables["persons"][0]["id"]
    ascii_id = unicodedata.normalize("NFKC", str(r1))
    stored = store.fetch_nodes(PERSON.label, [ascii_id, str(second["id"])])
    assert set(stored) == {ascii_id, str(second["id"])}
    props = stored[ascii_id].props
    assert props["id_number"] == ID_1 and props["phone"] == "13800001234"
    assert props["political_status"] == "member" and props["gender"] == "M" and props["is_owner"] is True
    assert str(props["joined_on"]).startswith("2021-03-05")
    assert "PartyMember" in stored[ascii_id].labels
    assert stored[str(second["id"])].props["political_status"] == "probationary"
    assert stored[str(second["id"])].props["in_service"] is False
    assert store.fetch_nodes(PERSON.label, [str(r1)]) == {}  # nothing under the full-width id


def test_a_load_refuses_an_invisible_character_with_file_row_and_column(store: Store, tmp_path: Path) -> None:
    load(store, write_dir(tmp_path / "first", sample()))
    tables = {"buildings": [{"id": "B-1\u200b", "name": "1栋", "compound_id": "P-1"}]}
    before = store.stats()
    with pytest.raises(ValidationFailed) as caught:
        load(store, write_dir(tmp_path / "second", tables))
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == ("buildings.csv", 2, BUILDING.id_column.zh)
    assert "U+200B" in issue.reason and "U+200B" in issue.reason_zh
    assert store.stats() == before


def test_a_load_refuses_a_csv_id_number_in_scientific_notation(store: Store, tmp_path: Path) -> None:
    tables = sample()
    tables["persons"][2]["id_number"] = "4.20602E+17"
    with pytest.raises(ValidationFailed) as caught:
        load(store, write_dir(tmp_path / "in", tables))
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == ("persons.csv", 4, ID.zh)
    assert "stored as a number" in issue.reason and "文本格式" in issue.reason_zh


def test_a_load_refuses_an_impossible_time_after_a_date(store: Store, tmp_path: Path) -> None:
    tables = sample()
    tables["persons"][0]["joined_on"] = "2021-03-01 25:00:00"
    tables["persons"][1]["joined_on"] = "2021-03-01 23:59:59"  # a real time: dropped, the date kept
    tables["persons"][1]["political_status"] = "中共党员"
    with pytest.raises(ValidationFailed) as caught:
        load(store, write_dir(tmp_path / "in", tables))
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == ("persons.csv", 2, PERSON.column("joined_on").zh)
    assert "25:00:00" in issue.reason and "不是有效的时间" in issue.reason_zh
    assert store.is_empty()

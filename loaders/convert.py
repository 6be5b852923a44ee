"""Converting one raw cell to its typed value, by the column's declared ``FieldType``.

``convert(column, raw)`` returns the value (``None`` for an empty cell) or raises
``CellProblem`` with an English and a Chinese reason. Required-ness and cross-row rules are
checked elsewhere (``loaders.validate``); this module knows only one cell at a time.

Normalization happens here, at the border, so that what is stored is one spelling: every
cell but free text is NFKC-normalized first (full-width digits, letters, ``Ｘ``, ``－`` and
``＋`` become ASCII: an ID number typed ``４２０６…`` is stored with ASCII digits), and ids
and references (``identifier``) are refused when they hold an invisible character (a
zero-width space copied from a chat message would otherwise load ``B-0001`` as a new
building). Booleans, dates and choices accept the spellings organizers use
(``TRUE_WORDS``, ``DATE_FORMATS``, ``Choice.aliases``), all listed in ``docs/data-format.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

from graph.declare import Column, FieldType
from graph.identifiers import (
    credit_code_problem,
    id_number_problem,
    is_valid_mobile,
    normalize_id_number,
    normalize_mobile,
)
from loaders.issues import Cell, is_blank, shown

TRUE_WORDS = ("是", "y", "yes", "true", "1", "√", "✓", "✔")
FALSE_WORDS = ("否", "n", "no", "false", "0", "×", "✗", "✘")
DATE_FORMATS = "YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD, YYYY年M月D日"
DATE_EXAMPLES = ("2021-03-05", "2021-3-5", "2021/3/5", "2021.3.5", "20210305", "2021年3月5日")
"""One spelling of 5 March 2021 per accepted form (the docs list them; a test converts each)."""
ID_FORBIDDEN = "|"
"""The separator of relationship keys (``graph.declare.rel_key``), so never part of an id."""

_TIME = r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
_DATE_RE = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME + "$")
_DATE_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})" + _TIME + "$")
_DATE_ZH_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_INT_RE = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_SCIENTIFIC_RE = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
"""How a spreadsheet shows a long number it stored as a number: ``4.20602E+17``."""
_EXCEL_SERIAL_MAX = 2958466  # 9999-12-31
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})
"""Control, format (zero-width, BOM, direction marks), private-use, surrogate and line/paragraph separators."""
_INVISIBLE_ZH = {
    0x200B: "零宽空格",
    0x200C: "零宽非连接符",
    0x200D: "零宽连接符",
    0x2060: "零宽不换行符",
    0xFEFF: "零宽不换行空格（BOM）",
    0x00AD: "软连字符",
    0x200E: "从左至右标记",
    0x200F: "从右至左标记",
}

#: Chinese for the reasons ``graph.identifiers`` gives in English.
_IDENTIFIER_ZH = {
    "not 18 characters of digits (the last may be X)": "不是18位（前17位为数字，末位为数字或X）",
    "the birth date in positions 7-14 is not a real date": "第7-14位的出生日期不是真实日期",
    "the birth date in positions 7-14 is out of range": "第7-14位的出生日期超出范围",
    "the check digit (GB 11643) does not match": "校验码不符（GB 11643）",
    "not an 18-character unified social credit code": "不是18位统一社会信用代码",
    "the check character (GB 32100) does not match": "校验码不符（GB 32100）",
}
_ID_AS_NUMBER = (
    "the ID number was stored as a number and lost digits; format the column as text",
    "身份证号被存成了数字并丢失了位数，请将该列设置为文本格式",
)
_PHONE_AS_NUMBER = (
    "the mobile number was stored as a number in scientific notation and lost digits; format the column as text",
    "手机号被存成了科学计数法的数字并丢失了位数，请将该列设置为文本格式",
)


class CellProblem(Exception):
    """Why a cell cannot be converted, in English and Chinese."""

    def __init__(self, reason: str, reason_zh: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_zh = reason_zh


def convert(column: Column, raw: Cell, *, identifier: bool = False) -> object | None:
    """The typed value of ``raw`` in ``column``; ``None`` when the cell is empty.

    ``identifier``: the column holds an id (a node table's id column; a REF column always
    does), so the value is normalized, and refused with an invisible character or ``|``.
    """
    if is_blank(raw):
        return None
    if identifier or column.type is FieldType.REF:
        return identifier_value(raw)
    return _CONVERTERS[column.type](column, raw)


def _text(raw: Cell) -> str:
    return shown(raw) or ""


def normalized(raw: Cell) -> str:
    """The cell's text in NFKC (full-width ``４２０``, ``Ｘ``, ``－`` as ASCII), trimmed, refused
    when it holds an invisible character (``invisible_character``)."""
    text = _text(raw)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).strip()
        invisible_character(text)
    elif not text.isprintable():
        invisible_character(text)
    return text


def invisible_character(text: str) -> None:
    """Refuse ``text`` when it holds a character that cannot be seen (named by its code point:
    ``U+200B``), since two values that look the same would otherwise be two different ids."""
    for ch in text:
        if unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
            code = f"U+{ord(ch):04X}"
            name = unicodedata.name(ch, "control character")
            zh = _INVISIBLE_ZH.get(ord(ch), "控制字符" if unicodedata.category(ch) == "Cc" else "格式字符")
            raise CellProblem(
                f"contains an invisible character {code} ({name}); delete it or retype the value",
                f"含有不可见字符 {code}（{zh}），请删除该字符或重新输入",
            )


def identifier_value(raw: Cell) -> str:
    """An id or reference as stored: normalized (``normalized``), never holding ``|``."""
    value = normalized(raw)
    if ID_FORBIDDEN in value:
        raise CellProblem(f"an id must not contain {ID_FORBIDDEN!r}", f"编号中不能含有“{ID_FORBIDDEN}”")
    return value


def _is_number(raw: Cell) -> bool:
    return isinstance(raw, int | float) and not isinstance(raw, bool)


def _str(column: Column, raw: Cell) -> str:
    return _text(raw)


def _int(column: Column, raw: Cell) -> int:
    if isinstance(raw, bool):
        raise CellProblem("not a whole number", "不是整数")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise CellProblem("not a whole number", "不是整数")
    text = normalized(raw).replace(",", "")
    if not _INT_RE.match(text):
        raise CellProblem("not a whole number", "不是整数")
    return int(text.split(".")[0])


def _bool(column: Column, raw: Cell) -> bool:
    if isinstance(raw, bool):
        return raw
    if _is_number(raw) and raw in (0, 1):
        return bool(raw)
    text = normalized(raw).casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellProblem(
        "not a yes/no value (write 是/否, Y/N, yes/no, true/false, 1/0 or √/×)",
        "不是“是/否”值（请填写 是/否、Y/N、yes/no、true/false、1/0 或 √/×）",
    )


def _date(column: Column, raw: Cell) -> date:
    return parse_date(raw)


def parse_date(raw: Cell) -> date:
    """A date as the loader reads it (``DATE_FORMATS``, a date cell, an Excel serial number);
    also what the CLI's date options accept. Raises ``CellProblem`` saying why not."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < _EXCEL_SERIAL_MAX:
        # openpyxl only for an Excel serial: a CLI's --as-of needs none of it
        from openpyxl.utils.datetime import from_excel

        value = from_excel(raw)
        if isinstance(value, datetime):
            return value.date()
    text = normalized(raw)
    parts: tuple[str, ...] | None = None
    if match := _DATE_RE.match(text):
        parts = (match.group(1), match.group(3), match.group(4))
        _check_time(match.group(5), match.group(6), match.group(7))
    elif match := _DATE_COMPACT_RE.match(text):
        parts = match.group(1, 2, 3)
        _check_time(match.group(4), match.group(5), match.group(6))
    elif match := _DATE_ZH_RE.match(text):
        parts = match.group(1, 2, 3)
    if parts is None:
        raise CellProblem(f"not a date (write {DATE_FORMATS})", f"不是日期（请按 {DATE_FORMATS} 填写）")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as exc:
        raise CellProblem("not a real date", "不是真实存在的日期") from exc


def _check_time(hour: str | None, minute: str | None, second: str | None) -> None:
    """A trailing time of day is dropped, but only a real one: ``25:00:00`` is a typo, not a date."""
    if hour is None or minute is None:
        return
    if int(hour) > 23 or int(minute) > 59 or (second is not None and int(second) > 59):
        shown_time = f"{hour}:{minute}" + (f":{second}" if second is not None else "")
        raise CellProblem(
            f"the time {shown_time} after the date is not a real time of day",
            f"日期后的时间 {shown_time} 不是有效的时间",
        )


def _enum(column: Column, raw: Cell) -> str:
    choice = column.choice(normalized(raw))
    if choice is None:
        allowed = "、".join(c.zh for c in column.choices)
        codes = ", ".join(c.code for c in column.choices)
        raise CellProblem(
            f"not an allowed value; allowed: {allowed} (codes {codes})", f"不是允许的值；可选：{allowed}"
        )
    return choice.code


def _id_number(column: Column, raw: Cell) -> str:
    if isinstance(raw, float):
        raise CellProblem(*_ID_AS_NUMBER)
    text = normalized(raw)
    if _SCIENTIFIC_RE.match(text):  # a CSV saved by a spreadsheet that had stored it as a number
        raise CellProblem(*_ID_AS_NUMBER)
    value = normalize_id_number(text)
    problem = id_number_problem(value)
    if problem is not None:
        raise CellProblem(
            _with_standard(f"invalid resident ID number: {problem}", "GB 11643"),
            _with_standard(f"身份证号无效：{_IDENTIFIER_ZH.get(problem, problem)}", "GB 11643", zh=True),
        )
    return value


def _phone(column: Column, raw: Cell) -> str:
    text = normalized(raw)
    if _SCIENTIFIC_RE.match(text):
        raise CellProblem(*_PHONE_AS_NUMBER)
    value = normalize_mobile(text)
    if not is_valid_mobile(value):
        raise CellProblem(
            "not a mainland mobile number (11 digits starting 13-19, +86 allowed)",
            "不是大陆手机号（11位，以13-19开头，可带+86）",
        )
    return value


def _credit_code(column: Column, raw: Cell) -> str:
    value = normalized(raw).upper()
    problem = credit_code_problem(value)
    if problem is not None:
        raise CellProblem(
            _with_standard(f"invalid unified social credit code: {problem}", "GB 32100"),
            _with_standard(
                f"统一社会信用代码无效：{_IDENTIFIER_ZH.get(problem, problem)}", "GB 32100", zh=True
            ),
        )
    return value


def _with_standard(reason: str, standard: str, *, zh: bool = False) -> str:
    if standard in reason:
        return reason
    return f"{reason}（{standard}）" if zh else f"{reason} ({standard})"


def _ref(column: Column, raw: Cell) -> str:
    return identifier_value(raw)


_CONVERTERS: dict[FieldType, Callable[[Column, Cell], object]] = {
    FieldType.STR: _str,
    FieldType.INT: _int,
    FieldType.BOOL: _bool,
    FieldType.DATE: _date,
    FieldType.ENUM: _enum,
    FieldType.ID_NUMBER: _id_number,
    FieldType.PHONE: _phone,
    FieldType.CREDIT_CODE: _credit_code,
    FieldType.REF: _ref,
}

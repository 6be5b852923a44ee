"""Converting one raw cell to its typed value, by the column's declared ``FieldType``.

``convert(column, raw)`` returns the value (``None`` for an empty cell) or raises
``CellProblem`` with an English and a Chinese reason. Required-ness and cross-row rules are
checked elsewhere (``loaders.validate``); this module knows only one cell at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from openpyxl.utils.datetime import from_excel

from graph.declare import Column, FieldType
from graph.identifiers import (
    credit_code_problem,
    id_number_problem,
    is_valid_mobile,
    normalize_id_number,
    normalize_mobile,
)
from loaders.issues import Cell, is_blank, shown

TRUE_WORDS = ("是", "y", "yes", "true", "1")
FALSE_WORDS = ("否", "n", "no", "false", "0")
DATE_FORMATS = "YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日"

_DATE_RE = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_ZH_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_INT_RE = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_EXCEL_SERIAL_MAX = 2958466  # 9999-12-31

#: Chinese for the reasons ``graph.identifiers`` gives in English.
_IDENTIFIER_ZH = {
    "not 18 characters of digits (the last may be X)": "不是18位（前17位为数字，末位为数字或X）",
    "the birth date in positions 7-14 is not a real date": "第7-14位的出生日期不是真实日期",
    "the birth date in positions 7-14 is out of range": "第7-14位的出生日期超出范围",
    "the check digit (GB 11643) does not match": "校验码不符（GB 11643）",
    "not an 18-character unified social credit code": "不是18位统一社会信用代码",
    "the check character (GB 32100) does not match": "校验码不符（GB 32100）",
}


class CellProblem(Exception):
    """Why a cell cannot be converted, in English and Chinese."""

    def __init__(self, reason: str, reason_zh: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_zh = reason_zh


def convert(column: Column, raw: Cell) -> object | None:
    """The typed value of ``raw`` in ``column``; ``None`` when the cell is empty."""
    if is_blank(raw):
        return None
    return _CONVERTERS[column.type](column, raw)


def _text(raw: Cell) -> str:
    return shown(raw) or ""


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
    text = _text(raw).replace(",", "").replace("，", "")
    if not _INT_RE.match(text):
        raise CellProblem("not a whole number", "不是整数")
    return int(text.split(".")[0])


def _bool(column: Column, raw: Cell) -> bool:
    if isinstance(raw, bool):
        return raw
    if _is_number(raw) and raw in (0, 1):
        return bool(raw)
    text = _text(raw).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellProblem(
        "not a yes/no value (write 是/否, Y/N, yes/no, true/false or 1/0)",
        "不是“是/否”值（请填写 是/否、Y/N、yes/no、true/false 或 1/0）",
    )


def _date(column: Column, raw: Cell) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < _EXCEL_SERIAL_MAX:
        value = from_excel(raw)
        if isinstance(value, datetime):
            return value.date()
    text = _text(raw)
    match = _DATE_RE.match(text)
    parts = (match.group(1), match.group(3), match.group(4)) if match else None
    if parts is None and (zh := _DATE_ZH_RE.match(text)):
        parts = (zh.group(1), zh.group(2), zh.group(3))
    if parts is None:
        raise CellProblem(f"not a date (write {DATE_FORMATS})", f"不是日期（请按 {DATE_FORMATS} 填写）")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as exc:
        raise CellProblem("not a real date", "不是真实存在的日期") from exc


def _enum(column: Column, raw: Cell) -> str:
    choice = column.choice(_text(raw))
    if choice is None:
        allowed = "、".join(c.zh for c in column.choices)
        codes = ", ".join(c.code for c in column.choices)
        raise CellProblem(
            f"not an allowed value; allowed: {allowed} (codes {codes})", f"不是允许的值；可选：{allowed}"
        )
    return choice.code


def _id_number(column: Column, raw: Cell) -> str:
    if isinstance(raw, float):
        raise CellProblem(
            "the ID number was stored as a number and lost digits; format the column as text",
            "身份证号被存成了数字并丢失了位数，请将该列设置为文本格式",
        )
    value = normalize_id_number(_text(raw))
    problem = id_number_problem(value)
    if problem is not None:
        raise CellProblem(
            _with_standard(f"invalid resident ID number: {problem}", "GB 11643"),
            _with_standard(f"身份证号无效：{_IDENTIFIER_ZH.get(problem, problem)}", "GB 11643", zh=True),
        )
    return value


def _phone(column: Column, raw: Cell) -> str:
    value = normalize_mobile(_text(raw))
    if not is_valid_mobile(value):
        raise CellProblem(
            "not a mainland mobile number (11 digits starting 13-19, +86 allowed)",
            "不是大陆手机号（11位，以13-19开头，可带+86）",
        )
    return value


def _credit_code(column: Column, raw: Cell) -> str:
    value = _text(raw).upper()
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
    return _text(raw)


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

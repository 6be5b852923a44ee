"""How a column is explained to people, in the template's notes row and in ``docs/data-format.md``."""

from __future__ import annotations

from graph.declare import Column, FieldType
from graph.model import node_kind
from loaders.convert import DATE_FORMATS, FALSE_WORDS, TRUE_WORDS
from loaders.names import any_of

#: (Chinese, English) name of each field type.
TYPE_NAMES: dict[FieldType, tuple[str, str]] = {
    FieldType.STR: ("文本", "text"),
    FieldType.INT: ("整数", "whole number"),
    FieldType.BOOL: ("是/否", "yes/no"),
    FieldType.DATE: ("日期", "date"),
    FieldType.ENUM: ("选项", "choice"),
    FieldType.ID_NUMBER: ("18位身份证号", "18-digit resident ID number"),
    FieldType.PHONE: ("手机号", "mobile number"),
    FieldType.CREDIT_CODE: ("统一社会信用代码", "unified social credit code"),
    FieldType.REF: ("引用编号", "id reference"),
}

#: (Chinese, English) of what a cell of each type may hold.
TYPE_FORMATS: dict[FieldType, tuple[str, str]] = {
    FieldType.STR: ("任意文字，首尾空格会去掉", "any text; surrounding spaces are trimmed"),
    FieldType.INT: ("如 320（也接受 320.0 和 1,234）", "e.g. 320 (320.0 and 1,234 are accepted)"),
    FieldType.BOOL: (
        "/".join(TRUE_WORDS) + " 或 " + "/".join(FALSE_WORDS),
        "/".join(TRUE_WORDS) + " or " + "/".join(FALSE_WORDS),
    ),
    FieldType.DATE: (DATE_FORMATS + "，或表格中的日期单元格", DATE_FORMATS + ", or a spreadsheet date cell"),
    FieldType.ENUM: (
        "中文、代码、英文或所列的其他写法均可",
        "the Chinese, the code, the English or a listed other spelling",
    ),
    FieldType.ID_NUMBER: (
        "按 GB 11643 校验末位校验码；请设为文本格式",
        "check digit verified (GB 11643); keep the cell as text",
    ),
    FieldType.PHONE: (
        "11位，以13-19开头，可带+86、空格或短横线",
        "11 digits starting 13-19; +86, spaces and dashes allowed",
    ),
    FieldType.CREDIT_CODE: (
        "18位，按 GB 32100 校验末位",
        "18 characters, check character verified (GB 32100)",
    ),
    FieldType.REF: ("本次导入或库中已有的编号", "an id in this input or already in the store"),
}


def choices_zh(column: Column) -> str:
    return "/".join(c.zh for c in column.choices)


def choices_en(column: Column) -> str:
    return ", ".join(f"{c.code} ({c.en})" for c in column.choices)


def ref_zh(column: Column) -> str:
    return "或".join(node_kind(label).zh for label in column.ref)


def ref_en(column: Column) -> str:
    """``a Compound or Grid``, ``an Entrance``."""
    return any_of(column.ref)


def note(column: Column) -> str:
    """The template's one-cell explanation of a column, Chinese then English."""
    zh_type, en_type = TYPE_NAMES[column.type]
    zh = ["必填" if column.required else "选填"]
    en = ["required" if column.required else "optional"]
    if column.type is FieldType.ENUM:
        zh.append(f"可选：{choices_zh(column)}")
        en.append(f"one of {choices_en(column)}")
    elif column.type is FieldType.REF:
        zh.append(f"填{ref_zh(column)}的编号")
        en.append(f"id of {ref_en(column)}")
    elif column.type is FieldType.DATE:
        zh.append(f"日期，如 {DATE_FORMATS}")
        en.append("date")
    else:
        zh.append(zh_type)
        en.append(en_type)
    if column.personal:
        zh.append("个人信息")
        en.append("personal")
    return "；".join(zh) + " / " + "; ".join(en)

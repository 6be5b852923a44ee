"""Masking of personal data, used by every error message, log line and default export.

>>> mask_phone("13812341234")
'138****1234'
>>> mask_id_number("420602198001011234")
'420602********1234'
>>> mask_name("欧阳娜娜")
'欧***'
"""

from __future__ import annotations

from graph.declare import Column, FieldType


def mask_phone(value: str) -> str:
    v = value.strip()
    if len(v) < 8:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_id_number(value: str) -> str:
    v = value.strip()
    if len(v) < 11:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_name(value: str) -> str:
    v = value.strip()
    if len(v) <= 1:
        return "*"
    return v[0] + "*" * (len(v) - 1)


def mask_text(value: str) -> str:
    """Generic personal text (an address, say): keep a hint of its length only."""
    v = value.strip()
    return (v[:2] + "*" * max(len(v) - 2, 1)) if len(v) > 2 else "*" * len(v)


def mask(column: Column, value: object) -> object:
    """``value`` masked when ``column`` is personal, unchanged otherwise."""
    if value is None or not column.personal:
        return value
    s = str(value)
    if column.type is FieldType.PHONE:
        return mask_phone(s)
    if column.type is FieldType.ID_NUMBER:
        return mask_id_number(s)
    if column.name == "name":
        return mask_name(s)
    return mask_text(s)

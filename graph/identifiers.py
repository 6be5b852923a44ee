"""Check digits and formats of Chinese identifiers, shared by loaders (validation) and the generator.

* Resident identity card numbers (居民身份证号码), GB 11643-1999: 17 digits (6-digit area
  code, 8-digit birth date, 3-digit sequence whose parity is the sex) and an ISO 7064
  MOD 11-2 check character (0-9 or X).
* Unified social credit codes (统一社会信用代码), GB 32100-2015: 18 characters from a
  31-character alphabet, the last an ISO 7064 MOD 31-3 check character.
* Mainland mobile numbers: 11 digits starting 13-19, optionally written with +86 or 86.

>>> id_number_check_char("11010519491231002")  # the standard's own example
'X'
>>> is_valid_id_number("110105194912310021")
False
>>> is_valid_id_number("42060219800101123" + id_number_check_char("42060219800101123"))
True
"""

from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_number_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 18-digit ID number, or None when it is."""
    v = value.strip().upper()
    if not _ID_RE.match(v):
        return "not 18 characters of digits (the last may be X)"
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return "the birth date in positions 7-14 is not a real date"
    if born.year < 1900 or born > date.today():
        return "the birth date in positions 7-14 is out of range"
    if id_number_check_char(v[:17]) != v[17]:
        return "the check digit (GB 11643) does not match"
    return None


def is_valid_id_number(value: str) -> bool:
    return id_number_problem(value) is None


def normalize_id_number(value: str) -> str:
    return value.strip().upper()


_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value: str) -> str:
    """Strip spaces, dashes and a +86/86 prefix: ``+86 138-0000-1234`` -> ``13800001234``."""
    v = re.sub(r"[\s\-]", "", value.strip())
    if v.startswith("+86"):
        v = v[3:]
    elif v.startswith("86") and len(v) == 13:
        v = v[2:]
    return v


def is_valid_mobile(value: str) -> bool:
    return bool(_MOBILE_RE.match(normalize_mobile(value)))


_CC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17: str) -> str:
    total = sum(_CC_ALPHABET.index(c) * w for c, w in zip(first17, _CC_WEIGHTS, strict=True))
    return _CC_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    v = value.strip().upper()
    if not _CC_RE.match(v):
        return "not an 18-character unified social credit code"
    if credit_code_check_char(v[:17]) != v[17]:
        return "the check character (GB 32100) does not match"
    return None


def is_valid_credit_code(value: str) -> bool:
    return credit_code_problem(value) is None

"""Pinyin initials of a person's name, for search (``Person.name_initials``, ``api/graphql/search.py``).

An organizer types ``zsf`` on a phone keyboard for 张三丰. The initials come from pypinyin, a
well-kept library with its own dictionary (no data is downloaded). Its default reading of a
name is its most common reading in context (phrases first, then each character's most
frequent reading), which is right for most given names but often wrong for surnames, whose
readings differ from the everyday ones: 单 (Shàn, not dān), 曾 (Zēng, not céng), 解 (Xiè, not
jiě). So the value holds the default initials first and then, separated by spaces, the
initials with each *other* reading of the first character (at most ``MAX_READINGS`` of them):
单雄信 is ``dxx sxx cxx``. A search matches the start of any of them. Only the first character
varies: every combination of every character's readings would multiply (a three-character
name of polyphonic characters has dozens) and match names nobody meant.

Letters in a name (a name written in Latin letters, or partly) count by the first letter of
each word, lower case; digits and punctuation (the ``·`` of transcribed names) count for
nothing. A name with no letter and no Chinese character has no initials (``None``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.metadata import version

from pypinyin import Style, lazy_pinyin, pinyin

#: At most this many other readings of the first character are kept (a bound on the value's length).
MAX_READINGS = 3
#: What a search text must be to be read as initials (``api/graphql/search.py``).
INITIALS_TEXT = re.compile(r"[A-Za-z]{1,20}")
_WORD = re.compile(r"[A-Za-z]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

#: Part of ``Person.name_initials``'s revision: another pypinyin may read some names otherwise.
PYPINYIN_VERSION = version("pypinyin")


def _latin(run: str) -> str:
    """What pypinyin hands back for a run that is not Chinese: first letters of its words."""
    return "".join(w[0].lower() for w in _WORD.findall(run))


@lru_cache(maxsize=65_536)
def name_initials(name: str | None) -> str | None:
    """The initials of ``name``, the default reading first, then the surname's other readings.

    >>> name_initials("张三丰")
    'zsf'
    >>> name_initials("单雄信")
    'dxx cxx sxx'
    >>> name_initials("Tom Li")
    'tl'
    """
    text = (name or "").strip()
    default = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors=_latin)).lower()
    if not default:
        return None
    readings: list[str] = [default]
    rest = default[1:]
    for first in _surname_readings(text[0]):
        other = first + rest
        if other not in readings and len(readings) <= MAX_READINGS:
            readings.append(other)
    return " ".join(readings)


@lru_cache(maxsize=8_192)
def _surname_readings(char: str) -> tuple[str, ...]:
    """Every initial pypinyin knows for a Chinese ``char`` (none for another character, or one
    pypinyin cannot read: the default initials then do not start with it)."""
    if not _HAN.match(char) or len("".join(lazy_pinyin(char, style=Style.FIRST_LETTER, errors=_latin))) != 1:
        return ()
    return tuple(r.lower() for r in pinyin(char, style=Style.FIRST_LETTER, heteronym=True)[0])

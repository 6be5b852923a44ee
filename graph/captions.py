"""Short captions for the Neo4j Browser kit (``browser/style.grass`` shows ``{caption}``).

The Browser writes a node's caption inside its bubble at the style's font size (10px); a long
Chinese name spills over the edge and across its neighbours. Each node kind therefore
declares how wide its caption may be (``graph/model.py``), in *units*: half a Chinese
character, about one letter or digit, ``UNIT_PX`` pixels at 10px (a Chinese glyph is 10px
wide, a digit about 5.6px: a unit of 6px leaves a margin). A bubble of diameter ``d`` holds
``fits(d)`` units on its middle line (the border and a little padding taken off); the kit's
test holds every diameter to its kind's width.

How a caption is made short:

* the name as it is, when it fits;
* else its numbered end, when it has one and that fits: 长虹嘉园3栋 is ``3栋``, 檀溪社区第三网格
  is ``第三网格`` (the bubble's colour says it is a building; its compound is the bubble it
  hangs on);
* else as much of its start as fits, with ``…``;
* a person by the number of their id (``R-000123`` is ``123``), never by name: the kit shows
  no personal data.
"""

from __future__ import annotations

import re
import unicodedata

#: The font size of ``browser/style.grass``'s node captions, which the units are measured at.
FONT_PX = 10
UNIT_PX = 6
#: The bubble's border (2px each side) and padding, taken off its diameter.
MARGIN_PX = 10
ELLIPSIS = "…"
_NUMBERED_END = re.compile(r"第?[0-9一二三四五六七八九十百零〇]+(?:号楼|栋|幢|座|单元|网格)$")
_NUMBERED_ID = re.compile(r"^[A-Za-z]{1,3}-0*(\d+)$")


def units(text: str) -> int:
    """The width of ``text`` in units: 2 for a wide (Chinese) character and for ``…``, else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" or ch == ELLIPSIS else 1 for ch in text)


def fits(diameter_px: int) -> int:
    """How many units a bubble of ``diameter_px`` holds on one line."""
    return max((diameter_px - MARGIN_PX) // UNIT_PX, 0)


def cut(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` units, else its start and ``…`` (within ``width``)."""
    if units(text) <= width:
        return text
    out = ""
    for ch in text:
        if units(out + ch) + units(ELLIPSIS) > width:
            break
        out += ch
    return out + ELLIPSIS


def name_caption(width: int, name: str | None) -> str | None:
    """The caption of a named node (see the module's docstring for the order of the rules)."""
    if not name:
        return None
    text = name.strip()
    if units(text) <= width:
        return text
    end = _NUMBERED_END.search(text)
    if end and units(end.group(0)) <= width:
        return end.group(0)
    return cut(text, width)


def id_caption(width: int, node_id: str | None) -> str | None:
    """The caption of a person: the number of the id (``R-000123``: ``123``), or the id."""
    if not node_id:
        return None
    m = _NUMBERED_ID.match(node_id)
    text = m.group(1) if m else node_id
    if units(text) <= width:
        return text
    return ELLIPSIS + text[-(width - units(ELLIPSIS)):] if width > units(ELLIPSIS) else ELLIPSIS

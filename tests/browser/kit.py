"""Readers for the Neo4j Browser kit in ``browser/`` (and the writer of its favorites).

``browser/queries.cypher`` is the source of the kit's queries: each one starts with a comment
line ``// NN name`` and ends with ``;``. ``favorites.json`` and ``favorites.zip`` are made from it
by ``python -m tests.browser.kit`` (run it after editing the queries); ``guide.html`` is written by
hand and must run the same queries (``tests/browser/test_kit.py`` checks all of them agree).

The favorites zip is what Neo4j Browser itself exports and imports (drag it onto the Browser
window): one ``<folder>/<file>.cypher`` per favorite, its first line ``// name``.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

KIT = Path(__file__).resolve().parents[2] / "browser"
QUERIES = KIT / "queries.cypher"
GUIDE = KIT / "guide.html"
FAVORITES_JSON = KIT / "favorites.json"
FAVORITES_ZIP = KIT / "favorites.zip"
STYLE = KIT / "style.grass"

#: The folder the favorites appear in, in the Browser's sidebar.
FOLDER = "共治 Gongzhi"

_NAME = re.compile(r"^// (\d\d .+)$")


@dataclass(frozen=True)
class KitQuery:
    name: str  # "01 未建党小组的楼栋及居住党员 · Buildings without a party group, ..."
    cypher: str  # the statement, without comments and without the closing ';'

    @property
    def number(self) -> str:
        return self.name[:2]

    @property
    def file_name(self) -> str:
        """The favorite's file name inside the zip: number and the English half of the name."""
        english = self.name.split("·", 1)[-1]
        slug = re.sub(r"[^a-z0-9]+", "-", english.lower()).strip("-")
        return f"{self.number}-{slug}.cypher"


def normalize(cypher: str) -> str:
    """A statement with its whitespace collapsed, for comparing copies of one query."""
    return " ".join(cypher.split())


def read_queries(path: Path = QUERIES) -> list[KitQuery]:
    """The named statements of a ``.cypher`` file (``// NN name`` first, ``;`` last)."""
    queries = []
    for chunk in path.read_text(encoding="utf-8").split(";"):
        lines = chunk.strip().splitlines()
        names = [m.group(1) for m in map(_NAME.match, lines) if m]
        body = "\n".join(line for line in lines if not line.lstrip().startswith("//")).strip()
        if not body:
            continue
        if len(names) != 1:
            raise ValueError(
                f"{path}: a statement needs exactly one '// NN name' line, found {names}: {body[:80]}"
            )
        queries.append(KitQuery(names[0], body))
    return queries


def favorite_contents(q: KitQuery) -> str:
    return f"// {q.name}\n{q.cypher}\n"


def favorites_of(queries: list[KitQuery]) -> list[dict[str, str]]:
    return [{"name": q.name, "folder": FOLDER, "contents": favorite_contents(q)} for q in queries]


def strip_comments(contents: str) -> str:
    return "\n".join(line for line in contents.splitlines() if not line.lstrip().startswith("//")).strip()


def read_favorites_json(path: Path = FAVORITES_JSON) -> list[dict[str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: a list of favorites expected")
    return data


def read_favorites_zip(path: Path = FAVORITES_ZIP) -> dict[str, str]:
    """Path inside the zip -> contents, for its ``.cypher`` entries (as the Browser reads them)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".cypher")}


def write_favorites(queries: list[KitQuery]) -> None:
    """Write ``favorites.json`` and ``favorites.zip`` from the queries (fixed timestamps: same bytes each time)."""
    FAVORITES_JSON.write_text(
        json.dumps(favorites_of(queries), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    with zipfile.ZipFile(FAVORITES_ZIP, "w", zipfile.ZIP_DEFLATED) as z:
        for q in queries:
            info = zipfile.ZipInfo(f"{FOLDER}/{q.file_name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # UTF-8 names
            z.writestr(info, favorite_contents(q))


class _RunnableBlocks(HTMLParser):
    """The text of every ``<pre class="... runnable">`` of a guide, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[dict[str, str]] = []
        self._current: dict[str, str] | None = None
        self.slides = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "slide":
            self.slides += 1
        if tag == "pre" and "runnable" in a.get("class", "").split():
            self._current = {"mode": a.get("mode", ""), "text": ""}
        elif self._current is not None:
            raise ValueError(f"a runnable block may hold text only, found <{tag}>")

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._current is not None:
            self.blocks.append(self._current)
            self._current = None


def read_guide(path: Path = GUIDE) -> tuple[int, list[dict[str, str]]]:
    """(number of slides, runnable blocks) of a Browser guide."""
    parser = _RunnableBlocks()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.slides, parser.blocks


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """Selector -> properties, read the way Neo4j Browser reads a ``.grass`` file
    (``parseGrass`` in its ``grassUtils``): quotes are dropped, ``{`` inside quotes kept, each
    property is ``key: value`` split on ``;`` and ``:``, and one with a second ``:`` is ignored."""
    rules: dict[str, str] = {}
    keyword, props = "", ""
    inside_string = inside_props = inside_binding = False
    for c in text:
        skip = True
        if c == "{":
            if inside_string:
                skip = False
            elif inside_props:
                inside_binding = True
            else:
                inside_props = True
        elif c == "}":
            if inside_string:
                skip = False
            elif inside_binding:
                inside_binding = False
            else:
                inside_props = False
                rules[keyword] = props
                keyword, props = "", ""
        elif c in "'\"":
            inside_string = not inside_string
        else:
            skip = False
        if skip:
            continue
        if inside_props:
            props += c
        elif not c.isspace():
            keyword += c
    out: dict[str, dict[str, str]] = {}
    for selector, body in rules.items():
        out[selector] = {}
        for prop in body.split(";"):
            parts = prop.split(":")
            if len(parts) == 2:
                out[selector][parts[0].strip()] = parts[1].strip()
    return out


if __name__ == "__main__":
    found = read_queries()
    write_favorites(found)
    print(f"wrote {FAVORITES_JSON.name} and {FAVORITES_ZIP.name}: {len(found)} favorites")

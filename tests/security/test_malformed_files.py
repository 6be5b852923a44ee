"""Malformed and hostile input files: at least 500, generated deterministically, each loaded.

Every file goes into the embedded store holding a loaded sample, every tenth into Neo4j too.
Whatever the file is (a truncated or corrupt zip, a zip bomb, XML entities, a wrong
encoding, NULs, huge cells, rows or columns, junk, binary garbage, a link, a FIFO, a
directory, a device, a socket, CRs in cells, scientific-notation ids, 30-digit numbers,
duplicate headers, an empty file, BOMs, random mutations...), what must hold:

* the load succeeds or raises a project error (``InputError`` / ``ValidationFailed``), never
  any other exception (what the command line would print as "internal error");
* a refusal is located: an ``InputError`` names the file, both languages; every Issue has a
  file of the input and a reason in both languages;
* the store is unchanged after a refused load;
* no file outside the input is read (an audit hook records every file opened), and nothing
  of such a file shows in a message.

The limits are lowered through the settings (``GONGZHI_MAX_*``) so that "too big" is cheap.
"""

from __future__ import annotations

import codecs
import io
import os
import random
import socket
import stat
import sys
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graph.errors import InputError, ValidationFailed
from graph.model import TABLES
from graph.store import Store
from graph.wire import bindable
from loaders.load import load
from loaders.names import columns_of
from tests.loaders.loader_samples import sample, write_dir, write_xlsx
from tests.loaders.xlsx_parts import HEADER_ROW, LAUGHS, minimal_xlsx, sheet

SECRET = "OUTSIDE-SECRET-91c2"
LIMITS = {
    "GONGZHI_MAX_FILE_MB": "2",
    "GONGZHI_MAX_UNZIPPED_MB": "16",
    "GONGZHI_MAX_CELL_CHARS": "2000",
    "GONGZHI_MAX_ROWS": "3000",
}
SYSTEM_TARGETS = ("/etc/passwd", "/etc/hostname", "/dev/zero", "/dev/urandom", "/dev/null")
NEO4J_EVERY = 10

Build = Callable[[Path, Path, random.Random], str]
"""Writes the case into the input directory (given a directory outside it): the name a refusal must give."""


@dataclass(frozen=True)
class Case:
    name: str
    build: Build


# ---------------------------------------------------------------- the valid material the cases break

_TABLES = sample()
_CSV: dict[str, bytes] = {}


def valid_csv(table: str) -> bytes:
    """The sample's table as the CSV bytes an organizer would save (Chinese headers, UTF-8)."""
    if table not in _CSV:
        buffer = io.StringIO()
        kind = next(k for k in TABLES if k.table == table)
        rows = _TABLES[table]
        used = [c for c in columns_of(kind) if c.required or any(c.name in r for r in rows)]
        buffer.write(",".join(c.zh for c in used) + "\r\n")
        for row in rows:
            buffer.write(",".join(_quoted(row.get(c.name, "")) for c in used) + "\r\n")
        _CSV[table] = buffer.getvalue().encode("utf-8")
    return _CSV[table]


def _quoted(value: object) -> str:
    text = str(value)
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(ch in text for ch in ',"\r\n') else text


_XLSX: list[bytes] = []


def valid_xlsx(tmp: Path) -> bytes:
    if not _XLSX:
        _XLSX.append(write_xlsx(tmp / "sample.xlsx", _TABLES).read_bytes())
        (tmp / "sample.xlsx").unlink()
    return _XLSX[0]


def table_names(rng: random.Random) -> tuple[str, str]:
    """A table of the sample: its English name and its Chinese one."""
    kind = rng.choice([k for k in TABLES if k.table in _TABLES])
    return kind.table, kind.zh


# ---------------------------------------------------------------- the kinds of malformed file


def truncated_xlsx(d: Path, out: Path, rng: random.Random) -> str:
    data = valid_xlsx(out)
    (d / "book.xlsx").write_bytes(data[: rng.randrange(0, len(data) - 1)])
    return "book.xlsx"


def corrupt_xlsx(d: Path, out: Path, rng: random.Random) -> str:
    data = bytearray(valid_xlsx(out))
    for _ in range(rng.randint(1, 20)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    (d / "book.xlsx").write_bytes(bytes(data))
    return "book.xlsx"


_BOMBS: dict[int, bytes] = {}


def zip_bomb(d: Path, out: Path, rng: random.Random) -> str:
    """A part of blanks: 12 MB (within the unpacked limit, refused for its ratio) or 24 MB (over it)."""
    size = rng.choice([12, 24]) * 1024 * 1024
    if size not in _BOMBS:
        _BOMBS[size] = sheet("").replace(b"<sheetData>", b"<sheetData>" + b" " * size)
    part = rng.choice(["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml", "xl/styles.xml"])
    minimal_xlsx(d / "bomb.xlsx", sheet(HEADER_ROW), level=9, replace={part: _BOMBS[size]})
    return "bomb.xlsx"


def lying_zip_sizes(d: Path, out: Path, rng: random.Random) -> str:
    """A member whose central directory declares fewer bytes than it unpacks to."""
    path = minimal_xlsx(d / "liar.xlsx", sheet(HEADER_ROW + _rows_xml(40)))
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02", data.find(b"xl/worksheets/sheet1.xml") - 200)
    while at != -1:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            data[at + 24 : at + 28] = rng.randint(10, 400).to_bytes(4, "little")
            break
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return "liar.xlsx"


def _rows_xml(n: int) -> str:
    return "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>B-{i}</t></is></c>'
        f'<c r="B{i}" t="inlineStr"><is><t>楼{i}</t></is></c><c r="C{i}" t="inlineStr"><is><t>P-1</t></is></c></row>'
        for i in range(2, n + 2)
    )


def entities(d: Path, out: Path, rng: random.Random) -> str:
    secret = out / "secret.txt"
    dtd = rng.choice(
        [
            LAUGHS,
            f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>',
            f'<!DOCTYPE x [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>',
            '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">]>',
        ]
    )
    use = "&lol9;" if dtd is LAUGHS else ("&xxe;" if "xxe" in dtd else "&a;")
    row = f'<row r="2"><c r="A2" t="inlineStr"><is><t>B-1</t></is></c><c r="B2" t="inlineStr"><is><t>{use}</t></is></c></row>'
    where = rng.choice(["sheet", "strings", "workbook", "types"])
    name = "ent.xlsx"
    if where == "sheet":
        minimal_xlsx(d / name, sheet(HEADER_ROW + row, dtd))
    elif where == "strings":
        strings = f'<?xml version="1.0"?>{dtd}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{use}</t></si></sst>'
        minimal_xlsx(d / name, sheet(HEADER_ROW), strings=strings.encode())
    else:
        path = minimal_xlsx(d / name, sheet(HEADER_ROW))
        part = "xl/workbook.xml" if where == "workbook" else "[Content_Types].xml"
        with zipfile.ZipFile(path) as archive:
            original = archive.read(part)
        hostile = original.replace(b"?>", b"?>" + dtd.encode(), 1)
        minimal_xlsx(d / name, sheet(HEADER_ROW), replace={part: hostile})
    return name


def wrong_encoding(d: Path, out: Path, rng: random.Random) -> str:
    table, _ = table_names(rng)
    text = valid_csv(table).decode("utf-8")
    encoding = rng.choice(
        [
            "utf-16-le",
            "utf-16-be",
            "utf-32-le",
            "big5",
            "shift_jis",
            "euc-kr",
            "cp1252",
            "cp500",
            "koi8-r",
            "latin-1",
            "mixed",
            "random",
        ]
    )
    if encoding == "mixed":
        half = len(text) // 2
        data = text[:half].encode("utf-8") + text[half:].encode("gbk")
    elif encoding == "random":
        raw = bytearray(text.encode("utf-8"))
        for _ in range(rng.randint(1, 8)):
            raw.insert(rng.randrange(len(raw)), rng.choice([0x80, 0xC0, 0xFF, 0xFE, 0xED]))
        data = bytes(raw)
    else:
        data = text.encode(encoding, errors="replace")
    (d / f"{table}.csv").write_bytes(data)
    return f"{table}.csv"


def nuls(d: Path, out: Path, rng: random.Random) -> str:
    table, _ = table_names(rng)
    data = bytearray(valid_csv(table))
    for _ in range(rng.randint(1, 5)):
        data.insert(rng.randrange(len(data) + 1), 0)
    (d / f"{table}.csv").write_bytes(bytes(data))
    return f"{table}.csv"


def huge_cell(d: Path, out: Path, rng: random.Random) -> str:
    size = rng.choice([2001, 5000, 60_000, 70_000, 140_000, 300_000])
    fill = rng.choice(["楼", "x", "a\nb", "a\rb"])
    cell = (fill * (size // len(fill) + 1))[:size]
    quoted = '"' + cell + '"' if ("\n" in cell or "\r" in cell or rng.random() < 0.5) else cell
    (d / "buildings.csv").write_text(f"楼栋编号,楼栋名称,所属小区\nB-1,{quoted},P-1\n", encoding="utf-8")
    return "buildings.csv"


def huge_rows(d: Path, out: Path, rng: random.Random) -> str:
    n = rng.choice([3000, 3001, 5000, 20_000])
    lines = "".join(f"B-{i},楼{i},P-1\n" for i in range(n))
    (d / "buildings.csv").write_text("楼栋编号,楼栋名称,所属小区\n" + lines, encoding="utf-8")
    return "buildings.csv"


def many_columns(d: Path, out: Path, rng: random.Random) -> str:
    shape = rng.choice(["header", "value", "trailing", "xlsx"])
    if shape == "xlsx":
        row = '<row r="2"><c r="A2" t="inlineStr"><is><t>B-1</t></is></c><c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>'
        minimal_xlsx(d / "wide.xlsx", sheet(HEADER_ROW + row))
        return "wide.xlsx"
    n = rng.randint(257, 5000)
    if shape == "header":
        text = ",".join(f"列{i}" for i in range(n)) + "\n" + ",".join("v" for _ in range(n)) + "\n"
    elif shape == "value":
        text = "楼栋编号,楼栋名称,所属小区\nB-1,楼,P-1" + "," * n + "x\n"
    else:
        text = "楼栋编号,楼栋名称,所属小区\nB-1,楼,P-1" + "," * n + "\n"
    (d / "buildings.csv").write_text(text, encoding="utf-8")
    return "buildings.csv"


def junk_lines(d: Path, out: Path, rng: random.Random) -> str:
    table, zh = table_names(rng)
    name = rng.choice([f"{table}.csv", f"{zh}.csv"])
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 ,;\t\"'#楼栋党员-_=+|\\/"
    n = rng.choice([1, 10, 500, 20_000])
    width = rng.randint(1, 80)
    lines = ("".join(rng.choice(alphabet) for _ in range(width)) for _ in range(min(n, 200)))
    block = "\n".join(lines) + "\n"
    (d / name).write_text(block * max(1, n // 200), encoding="utf-8")
    return name


def binary_garbage(d: Path, out: Path, rng: random.Random) -> str:
    table, _ = table_names(rng)
    suffix = rng.choice([".csv", ".xlsx", ".xlsm"])
    head = rng.choice(
        [b"", b"\x89PNG\r\n\x1a\n", b"%PDF-1.7\n", b"\x1f\x8b\x08", b"PK\x03\x04", b"\xd0\xcf\x11\xe0"]
    )
    data = head + rng.randbytes(rng.choice([1, 100, 4096, 65536]))
    if rng.random() < 0.2:  # a real zip that is not a workbook
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "not a workbook")
        data = buffer.getvalue()
    (d / f"{table}{suffix}").write_bytes(data)
    return f"{table}{suffix}"


def symlink(d: Path, out: Path, rng: random.Random) -> str:
    table, zh = table_names(rng)
    name = rng.choice([f"{table}.csv", f"{zh}.csv", f"{table}.xlsx", "notes.txt"])
    target = rng.choice(["secret", "system", "dangling", "loop", "sibling", "directory"])
    link = d / name
    if target == "secret":
        link.symlink_to(out / "secret.csv")
    elif target == "system":
        link.symlink_to(rng.choice(SYSTEM_TARGETS))
    elif target == "dangling":
        link.symlink_to(d / "nowhere.csv")
    elif target == "loop":
        link.symlink_to(d / "loop.csv")
        (d / "loop.csv").symlink_to(link)
    elif target == "sibling":  # even a link to a good file of the input is refused
        (out / f"{table}.csv").write_bytes(valid_csv(table))
        link.symlink_to(out / f"{table}.csv")
    else:
        link.symlink_to(out, target_is_directory=True)
    return name


def special_file(d: Path, out: Path, rng: random.Random) -> str:
    table, zh = table_names(rng)
    name = rng.choice([f"{table}.csv", f"{zh}.csv", f"{table}.xlsx"])
    what = rng.choice(["fifo", "directory", "socket", "device"])
    if what == "fifo":
        os.mkfifo(d / name)
    elif what == "directory":
        (d / name).mkdir()
        (d / name / "buildings.csv").write_bytes(valid_csv("buildings"))
    elif what == "socket":
        server = socket.socket(socket.AF_UNIX)
        where, fd = bindable(d / name)  # a long temporary path through its folder's descriptor
        try:
            server.bind(where)
        finally:
            if fd is not None:
                os.close(fd)
        server.close()  # the socket file stays
    else:
        try:
            os.mknod(d / name, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero's numbers
        except PermissionError:  # no CAP_MKNOD: a link to the device, refused the same way
            (d / name).symlink_to("/dev/zero")
    return name


def cr_in_cells(d: Path, out: Path, rng: random.Random) -> str:
    tables = sample()
    for row in tables["buildings"]:
        row["name"] = rng.choice(["一\r号", "二\r\n号", "三\n号", "\r", "a\r\rb\n\n"]) + str(row["name"])
    encoding = rng.choice(["utf-8", "utf-8-sig", "gb18030", "utf-16"])
    write_dir(d, {"buildings": tables["buildings"], "compounds": tables["compounds"]}, encoding=encoding)
    if rng.random() < 0.3:  # old Mac line endings between rows (and in the cells)
        for path in d.iterdir():
            path.write_bytes(path.read_bytes().decode(encoding).replace("\r\n", "\r").encode(encoding))
    return "buildings.csv"


def scientific_ids(d: Path, out: Path, rng: random.Random) -> str:
    tables = sample()
    value = rng.choice(["1.2E+5", "4.2060219800101E+17", "1e3", "-1E-2", "1.5e308", "9.99E+999"])
    column = rng.choice(["id", "compound_id", "residents", "name"])
    tables["buildings"][0][column] = value
    if rng.random() < 0.5:
        write_dir(d, tables)
        return "buildings.csv"
    tables["buildings"][0][column] = float(value) if column != "name" else value
    write_xlsx(d / "book.xlsx", tables)
    return "book.xlsx"


def thirty_digits(d: Path, out: Path, rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(30)).lstrip("0") or "1"
    tables = sample()
    table, column = rng.choice(
        [
            ("buildings", "residents"),
            ("compounds", "households"),
            ("persons", "id_number"),
            ("persons", "phone"),
            ("buildings", "id"),
        ]
    )
    tables[table][0][column] = digits
    if rng.random() < 0.5:
        write_dir(d, tables)
        return f"{table}.csv"
    tables[table][0][column] = int(digits) if rng.random() < 0.5 else float(digits)
    write_xlsx(d / "book.xlsx", tables)
    return "book.xlsx"


def duplicate_headers(d: Path, out: Path, rng: random.Random) -> str:
    header = rng.choice(
        [
            "楼栋编号,id,楼栋名称,所属小区",
            "楼栋编号,楼栋名称,楼栋名称,所属小区",
            "id,id,id,name,compound_id",
            "﻿楼栋编号,﻿楼栋编号,楼栋名称,所属小区",
        ]
    )
    width = header.count(",") + 1
    rows = "".join(",".join(f"v{i}{j}" for j in range(width)) + "\n" for i in range(3))
    (d / "buildings.csv").write_text(header + "\n" + rows, encoding="utf-8")
    return "buildings.csv"


def empty_file(d: Path, out: Path, rng: random.Random) -> str:
    shape = rng.choice(
        ["zero", "bom", "newlines", "header", "header+blank", "spaces", "zip", "xlsx-no-sheet"]
    )
    if shape == "zip":
        with zipfile.ZipFile(d / "empty.xlsx", "w"):
            pass
        return "empty.xlsx"
    if shape == "xlsx-no-sheet":
        minimal_xlsx(d / "empty.xlsx", sheet(""))
        return "empty.xlsx"
    data = {
        "zero": b"",
        "bom": codecs.BOM_UTF8,
        "newlines": b"\r\n\n\r" * 10,
        "header": "楼栋编号,楼栋名称,所属小区".encode(),
        "header+blank": "楼栋编号,楼栋名称,所属小区\n,,\n\n".encode(),
        "spaces": b"   \t  \n  ",
    }[shape]
    (d / "buildings.csv").write_bytes(data)
    return "buildings.csv"


def bom_variants(d: Path, out: Path, rng: random.Random) -> str:
    text = valid_csv("buildings").decode("utf-8")
    shape = rng.choice(
        ["utf8x2", "utf8x3", "mid", "utf16-bom-utf8-body", "utf32le", "utf32be", "utf16be", "bom-gbk"]
    )
    data = {
        "utf8x2": codecs.BOM_UTF8 * 2 + text.encode(),
        "utf8x3": codecs.BOM_UTF8 * 3 + text.encode(),
        "mid": text.replace("B-2", "\ufeffB-2").encode("utf-8-sig"),
        "utf16-bom-utf8-body": codecs.BOM_UTF16_LE + text.encode(),
        "utf32le": codecs.BOM_UTF32_LE + text.encode("utf-32-le"),
        "utf32be": codecs.BOM_UTF32_BE + text.encode("utf-32-be"),
        "utf16be": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "bom-gbk": codecs.BOM_UTF8 + text.encode("gbk"),
    }[shape]
    (d / "buildings.csv").write_bytes(data)
    return "buildings.csv"


def quote_chaos(d: Path, out: Path, rng: random.Random) -> str:
    cell = rng.choice(
        ['"unterminated', 'a"b', '"a""b"', '""', '"a"b', '"' + "line\n" * 500, '"x"' * 30, '"\r']
    )
    (d / "buildings.csv").write_text(
        f"楼栋编号,楼栋名称,所属小区\nB-1,{cell},P-1\nB-2,二,P-1\n", encoding="utf-8"
    )
    return "buildings.csv"


def mutated_csv(d: Path, out: Path, rng: random.Random) -> str:
    table, _ = table_names(rng)
    data = bytearray(valid_csv(table))
    for _ in range(rng.randint(1, 5)):
        op = rng.choice(["delete", "insert", "duplicate", "delimiter", "cr", "truncate", "flip"])
        at = rng.randrange(len(data) + 1) if data else 0
        if op == "delete":
            del data[at : at + rng.randint(1, 40)]
        elif op == "insert":
            data[at:at] = rng.randbytes(rng.randint(1, 20))
        elif op == "duplicate":
            lines = bytes(data).split(b"\n")
            lines.insert(rng.randrange(len(lines)), rng.choice(lines))
            data = bytearray(b"\n".join(lines))
        elif op == "delimiter":
            data = bytearray(bytes(data).replace(b",", rng.choice([b";", b"\t", b"|", b",,"])))
        elif op == "cr":
            data[at:at] = b"\r"
        elif op == "truncate":
            del data[at:]
        elif data:
            data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
    (d / f"{table}.csv").write_bytes(bytes(data))
    return f"{table}.csv"


def hostile_cells(d: Path, out: Path, rng: random.Random) -> str:
    cell = rng.choice(
        [
            '<c r="B2"><v>abc</v></c>',
            '<c r="B2"><v>inf</v></c>',
            '<c r="B2"><v>nan</v></c>',
            '<c r="B2"><v>1e400</v></c>',
            '<c r="B2" t="d"><v>not-a-date</v></c>',
            '<c r="B2" t="b"><v>2</v></c>',
            '<c r="B2" t="e"><v>#REF!</v></c>',
            '<c r="B2" t="s"><v>99</v></c>',
            '<c r="ZZZZ2"><v>1</v></c>',
            '<c r="B2"><v>123456789012345678901234567890</v></c>',
            '<c r="B2"><v>-0.0000000000000000001</v></c>',
            '<c r="B2" t="inlineStr"><is><t>' + "深" * 3000 + "</t></is></c>",
            '<c r="B2" t="str"><f>1+1</f><v>2</v></c>',
        ]
    )
    row_number = rng.choice(["2", "2", "999999999", "0", "-1", "x"])
    rows = f'<row r="{row_number}"><c r="A2" t="inlineStr"><is><t>B-1</t></is></c>{cell}</row>'
    if rng.random() < 0.2:
        rows += "<row/>" * 10_000
    name = rng.choice(["buildings", "楼栋", "x" * 31])
    minimal_xlsx(d / "cells.xlsx", sheet(HEADER_ROW + rows), sheet_name=name)
    return "cells.xlsx"


KINDS: list[tuple[Build, int]] = [
    (truncated_xlsx, 30),
    (corrupt_xlsx, 30),
    (zip_bomb, 6),
    (lying_zip_sizes, 4),
    (entities, 16),
    (wrong_encoding, 40),
    (nuls, 20),
    (huge_cell, 15),
    (huge_rows, 5),
    (many_columns, 14),
    (junk_lines, 30),
    (binary_garbage, 30),
    (symlink, 20),
    (special_file, 16),
    (cr_in_cells, 30),
    (scientific_ids, 20),
    (thirty_digits, 20),
    (duplicate_headers, 15),
    (empty_file, 16),
    (bom_variants, 20),
    (quote_chaos, 20),
    (mutated_csv, 100),
    (hostile_cells, 30),
]
CASES = [Case(f"{build.__name__}-{i}", build) for build, count in KINDS for i in range(count)]


def test_there_are_at_least_500_cases_of_every_kind_named() -> None:
    assert len(CASES) >= 500
    assert len({c.name for c in CASES}) == len(CASES)


# ---------------------------------------------------------------- watching what is opened

_OPENED: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _OPENED is not None and event in ("open", "os.listdir", "os.scandir") and args:
        path = args[0]
        if isinstance(path, str | bytes | os.PathLike):
            _OPENED.append(os.fsdecode(path))


sys.addaudithook(_audit)  # audit hooks cannot be removed: this one records only while watching


@contextmanager
def watching() -> Iterator[list[str]]:
    global _OPENED
    _OPENED = []
    try:
        yield _OPENED
    finally:
        _OPENED = None


def fingerprint(store: Store) -> tuple[object, ...]:
    """What the store holds: counts, and every node and relationship of the sample's source."""
    nodes, rels = store.source_items("base")
    return (
        store.stats(),
        {label: sorted(ids) for label, ids in nodes.items()},
        {rel: sorted(keys) for rel, keys in rels.items()},
        {
            label: {k: v.props for k, v in store.fetch_nodes(label, sorted(ids)).items()}
            for label, ids in nodes.items()
        },
    )


def reset(store: Store, root: Path) -> tuple[object, ...]:
    store.clear()
    load(store, write_dir(root / "base", sample()))
    return fingerprint(store)


def check_case(
    store: Store, case: Case, index: int, root: Path, outside: Path, before: tuple[object, ...]
) -> tuple[list[str], bool]:
    """What is wrong with loading ``case`` (nothing: an empty list), and whether the store changed."""
    rng = random.Random(f"{case.name}/11")
    case_dir = root / f"case-{index:03d}" / "in"
    case_dir.mkdir(parents=True)
    named = case.build(case_dir, outside, rng)
    problems: list[str] = []
    refused = True
    with watching() as opened:
        try:
            summary = load(store, case_dir, source="malformed")
            refused = False
            if summary.issues:
                problems.append(f"loaded, yet with issues: {summary.issues[:3]}")
        except InputError as error:
            if named not in error.message or named not in error.message_zh:
                problems.append(f"refusal does not name {named!r}: {error.message!r}")
            if not error.message_zh or error.message_zh == InputError.message_zh:
                problems.append(f"no Chinese message: {error.message!r}")
            if SECRET in error.message or SECRET in error.message_zh:
                problems.append("an outside file's content in the message")
        except ValidationFailed as failed:
            files = {p.name for p in case_dir.iterdir()}
            for issue in failed.issues:
                if (
                    not issue.file
                    or issue.file.split("[")[0] not in files
                    or not issue.reason
                    or not issue.reason_zh
                ):
                    problems.append(f"issue without a file of the input or a reason: {issue}")
                if SECRET in str(issue) or SECRET in issue.reason_zh:
                    problems.append("an outside file's content in an issue")
        except Exception as error:  # what the command line would call an internal error
            problems.append(f"raised {type(error).__name__}: {error}")
    inside = os.path.realpath(case_dir)
    for path in opened:
        real = os.path.realpath(path)
        if real.startswith(os.path.realpath(outside)) or real in SYSTEM_TARGETS:
            problems.append(f"opened a file outside the input: {path} -> {real}")
        elif os.path.abspath(path).startswith(str(case_dir)) and not real.startswith(inside):
            problems.append(f"followed a link out of the input: {path} -> {real}")
    if refused and fingerprint(store) != before:
        problems.append("the store changed after a refused load")
    return [f"{case.name}: {p}" for p in problems], not refused


def run_cases(store: Store, cases: list[Case], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in LIMITS.items():
        monkeypatch.setenv(name, value)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(f"{SECRET},x\n1,2\n", encoding="utf-8")
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    before = reset(store, tmp_path)
    failures: list[str] = []
    for index, case in enumerate(cases):
        found, changed = check_case(store, case, index, tmp_path, outside, before)
        failures.extend(found)
        if changed:
            before = reset(store, tmp_path)
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures[:40])


def test_every_malformed_file_fails_cleanly_or_loads(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All the cases on the embedded store; every tenth on Neo4j (the same checks)."""
    cases = CASES if store.kind == "embedded" else CASES[::NEO4J_EVERY]
    assert len(cases) >= 50
    run_cases(store, cases, tmp_path, monkeypatch)

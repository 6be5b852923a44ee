"""Step 1 of a load (get): read an input directory or file into raw tables, within bounds.

Each CSV file is one table, named ``<table>.csv`` or ``<中文表名>.csv``; each sheet of an
XLSX workbook is one table, named the same way. CSV text may be UTF-8 (with or without a
BOM), UTF-16/32 with a BOM, or GB18030/GBK; anything else is tried with charset-normalizer
and otherwise refused. Row 1 holds the headers (English names or Chinese headers, any
order). Directly below it a filled template may keep a second header row (the English names)
and a notes row whose first cell starts with ``说明`` or ``notes``; both are skipped. Fully
empty rows are skipped; every row keeps its spreadsheet number (the header is row 1).

Input may be hostile or broken, so reading is bounded (``InputLimits``, from the settings):
a file is opened only when it is a regular file and not a symbolic link (never followed),
its size is checked before it is read, a CSV is read row by row from the decoded stream
(lines and cells of bounded length), an XLSX's zip directory is checked (unpacked size,
compression ratio, members) before openpyxl sees it and its XML may not declare entities
(defusedxml), and a table has at most ``rows`` rows of ``columns`` columns. Whatever goes
wrong is located: the file, and the row and column where known.

A file that cannot be read at all raises ``InputError`` (naming every such file); a cell the
reader cannot take as it is (too long, a number that lost digits) is recorded on its row
(``RawRow.problems``) and becomes an Issue of that cell; anything else wrong (unknown file,
sheet or column, missing required column) is an ``Issue``.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import os
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any, BinaryIO

import charset_normalizer
import openpyxl

from graph.declare import Column
from graph.errors import InputError, Issue
from graph.model import TABLES
from graph.settings import Settings
from loaders.issues import Cell, IssueCap, file_issue, is_blank, shown
from loaders.names import TableKind, column_named, columns_of, table_named, table_names

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
NOTES_MARKS = ("说明", "notes")
"""A row directly under the headers whose first cell starts with one of these is a notes row."""
IGNORED_PREFIXES = (".", "~$")
"""Hidden files and the lock files of LibreOffice (``.~lock.*#``) and Excel (``~$*``)."""

MB = 1024 * 1024
MAX_COLUMNS = 256
"""Columns read per row: a table has at most 13, a template a few more; beyond this a filled cell is refused."""
MAX_ZIP_RATIO = 200
"""An XLSX part that unpacks to more than this many times its packed size (and past 1 MB) is a zip bomb."""
ZIP_RATIO_FLOOR = MB
MAX_ZIP_MEMBERS = 10_000
LINE_CHARS_PER_CELL = 32
"""A CSV line may hold this many cells of the longest allowed length (a bound on one line read at a time)."""
ENCODING_SAMPLE = 64 * 1024
"""Bytes charset-normalizer is given to guess an encoding that is neither UTF-8 nor GB18030."""
CHUNK = MB
SHOWN_CHARS = 60
"""A header or sheet name quoted in a message is cut to this many characters."""
EXCEL_MAX_ROW = 1_048_576
FLOAT_EXACT = 2**53
"""A number cell at or beyond this (a float, as Excel stores every number) has lost digits."""
INT64 = 2**63

Progress = Callable[[str, int, int], None]
Problem = tuple[str, str]
"""Why a cell could not be taken as it is: English and Chinese."""


@dataclass(frozen=True)
class InputLimits:
    """How much one input file may hold (``GONGZHI_MAX_*``); beyond it the file or cell is refused."""

    file_bytes: int = 200 * MB
    """A file's size on disk (CSV or XLSX)."""
    unzipped_bytes: int = 1000 * MB
    """An XLSX workbook's size once unpacked."""
    cell_chars: int = 10_000
    rows: int = EXCEL_MAX_ROW
    """Rows of one file or sheet, counted as a spreadsheet numbers them (the header is row 1)."""
    columns: int = MAX_COLUMNS
    zip_ratio: int = MAX_ZIP_RATIO
    zip_members: int = MAX_ZIP_MEMBERS

    @classmethod
    def from_settings(cls, settings: Settings) -> InputLimits:
        return cls(
            file_bytes=settings.max_file_mb * MB,
            unzipped_bytes=settings.max_unzipped_mb * MB,
            cell_chars=settings.max_cell_chars,
            rows=settings.max_rows,
        )


@dataclass(frozen=True)
class RawRow:
    number: int
    """The spreadsheet row number (header = 1, first data row = 2)."""
    cells: dict[str, Cell]
    """Raw values by column name, for the columns the file has."""
    problems: Mapping[str, Problem] | None = None
    """Cells (by column name) the reader could not take as they are, and why; their value is not kept."""


@dataclass
class RawTable:
    kind: TableKind
    file: str
    """The file as named in messages: ``buildings.csv`` or ``book.xlsx[楼栋]``."""
    headers: dict[str, str]
    """The header as written in the file, by column name."""
    rows: list[RawRow] = field(default_factory=list)
    broken: bool = False
    """A required column is missing: no row of this table can be loaded."""
    cap: IssueCap = field(default_factory=IssueCap)
    """Keeps a few Issues of each column and kind of problem of this table, counting the rest."""

    def header(self, column: Column) -> str:
        """How ``column`` is named in messages: as written in the file, else in the file's language."""
        if column.name in self.headers:
            return self.headers[column.name]
        chinese = any(h != name for name, h in self.headers.items())
        return column.zh if chinese else column.name


@dataclass
class ReadResult:
    tables: list[RawTable] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    notices: list[Issue] = field(default_factory=list)
    """What was read differently from what is written, worth telling (a title row skipped)."""


def refused(where: str, reason: str, reason_zh: str) -> InputError:
    """The InputError of a file (or row, or cell) that is not read: ``where: reason``."""
    return InputError(f"{where}: {reason}", message_zh=f"{where}：{reason_zh}")


def cut(text: str) -> str:
    """``text`` as quoted in a message: at most ``SHOWN_CHARS`` characters."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


# ---------------------------------------------------------------- get: files


_KINDS = (
    (stat.S_ISLNK, "a symbolic link", "符号链接"),
    (stat.S_ISDIR, "a directory", "目录"),
    (stat.S_ISFIFO, "a named pipe (FIFO)", "命名管道"),
    (stat.S_ISCHR, "a character device", "字符设备"),
    (stat.S_ISBLK, "a block device", "块设备"),
    (stat.S_ISSOCK, "a socket", "套接字"),
)


def _not_regular(where: str, mode: int) -> InputError:
    what, what_zh = next(
        ((en, zh) for test, en, zh in _KINDS if test(mode)), ("not a regular file", "特殊文件")
    )
    return refused(
        where,
        f"is {what}, not a regular file; it is not read (links are never followed): "
        "put the file itself in the input directory",
        f"是{what_zh}而不是普通文件，不予读取（不跟随链接）；请把文件本身放入输入目录",
    )


def _lstat(path: Path, where: str) -> os.stat_result:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        raise refused(where, "no such file or directory", "文件或目录不存在") from None
    except OSError as exc:
        raise refused(where, f"cannot be read ({exc.strerror})", "无法读取") from None


def input_files(path: Path) -> list[Path]:
    """The entries of an input: the file itself, or a directory's entries (not recursive), sorted.

    The input itself must be a regular file or a directory, not a link; a directory's entries
    are checked when read (``open_regular``), so one that is not a regular file is refused.
    """
    mode = _lstat(path, str(path)).st_mode
    if stat.S_ISREG(mode):
        return [path]
    if not stat.S_ISDIR(mode):
        raise _not_regular(str(path), mode)
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        raise refused(str(path), f"cannot be read ({exc.strerror})", "无法读取") from None
    return [path / name for name in names if not name.startswith(IGNORED_PREFIXES)]


def open_regular(file: Path, limits: InputLimits) -> BinaryIO:
    """``file`` opened for reading, if it is a regular file (not a link) within the size limit.

    The kind is checked before opening (a FIFO or a device is never opened) and again on the
    open descriptor (``O_NOFOLLOW``: a file swapped for a link in between is not followed).
    """
    mode = _lstat(file, file.name).st_mode
    if not stat.S_ISREG(mode):
        raise _not_regular(file.name, mode)
    flags = (
        os.O_RDONLY
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    try:
        fd = os.open(file, flags)
    except OSError as exc:
        raise refused(file.name, f"cannot be opened ({exc.strerror})", "无法打开") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(file.name, info.st_mode)
        if info.st_size > limits.file_bytes:
            raise refused(
                file.name,
                f"{info.st_size / MB:,.1f} MB, more than the limit of {limits.file_bytes // MB:,} MB "
                "(GONGZHI_MAX_FILE_MB); split it or raise the limit",
                f"文件大小 {info.st_size / MB:,.1f} MB，超过上限 {limits.file_bytes // MB:,} MB"
                "（GONGZHI_MAX_FILE_MB），请拆分文件或调高上限",
            )
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_input(
    path: Path, progress: Progress | None = None, *, limits: InputLimits | None = None
) -> ReadResult:
    """Read every table of ``path`` (a directory or one file), within ``limits`` (default: the settings')."""
    limits = limits or InputLimits.from_settings(Settings())
    files = input_files(path)
    result = ReadResult()
    unreadable: list[InputError] = []
    for done, file in enumerate(files, start=1):
        try:
            _read_file(file, result, limits)
        except InputError as exc:
            unreadable.append(exc)
        except MemoryError:
            unreadable.append(
                refused(
                    file.name,
                    "too large to read in the memory available; lower the GONGZHI_MAX_* limits or split it",
                    "过大，内存不足以读取；请调低 GONGZHI_MAX_* 上限或拆分文件",
                )
            )
        if progress is not None:
            progress("read", done, len(files))
    order = {kind.table: position for position, kind in enumerate(TABLES)}
    result.tables.sort(key=lambda t: order[t.kind.table])
    if unreadable:
        raise InputError(
            "; ".join(e.message for e in unreadable),
            message_zh="；".join(e.message_zh for e in unreadable),
        )
    return result


def _read_file(file: Path, result: ReadResult, limits: InputLimits) -> None:
    suffix = file.suffix.lower()
    if suffix in CSV_SUFFIXES:
        with open_regular(file, limits) as stream:
            kind = table_named(file.stem)
            if kind is None:
                result.issues.append(_unknown_table(file.name, "file"))
                return
            _add_table(kind, file.name, read_csv(stream, file.name, limits), result, limits)
    elif suffix in XLSX_SUFFIXES:
        with open_regular(file, limits) as stream, closing(read_xlsx(stream, file.name, limits)) as sheets:
            for sheet, rows in sheets:
                where = f"{file.name}[{cut(sheet)}]"
                kind = table_named(sheet)
                if kind is None:
                    if any(not is_blank(v) for _, row in rows for v in row):
                        result.issues.append(_unknown_table(where, "sheet"))
                    continue
                _add_table(kind, where, rows, result, limits)
    else:
        mode = _lstat(file, file.name).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(file.name, mode)
        result.issues.append(
            file_issue(
                file.name,
                "not a CSV or XLSX file (save it as .csv or .xlsx, or move it out of the input directory)",
                "不是 CSV 或 XLSX 文件（请另存为 .csv 或 .xlsx，或移出输入目录）",
            )
        )


def _unknown_table(where: str, what: str) -> Issue:
    zh_what = "文件" if what == "file" else "工作表"
    return file_issue(
        where,
        f"the {what} name is not a table; name it after one of: {table_names()}",
        f"{zh_what}名不是任何一张表，请按以下表名命名：{table_names()}",
    )


# ---------------------------------------------------------------- get: CSV

NumberedRows = Iterable[tuple[int, Sequence[Cell]]]
"""Rows of a file or sheet with their spreadsheet numbers (1 = the header), blank rows included or not."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _not_text(where: str, detail: str = "", detail_zh: str = "") -> InputError:
    return refused(
        where,
        f"not a text file in UTF-8 or GB18030/GBK{detail}; save it as CSV UTF-8",
        f"不是 UTF-8 或 GB18030/GBK 编码的文本文件{detail_zh}，请另存为“CSV UTF-8”",
    )


def _first_bad_line(stream: BinaryIO, encoding: str) -> int | None:
    """The line (1-based) of the first byte ``encoding`` cannot decode, or None: one streaming pass."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    line = 1
    while True:
        chunk = stream.read(CHUNK)
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            return line + chunk.count(b"\n", 0, max(exc.start, 0))
        if not chunk:
            return None
        line += chunk.count(b"\n")


def detect_encoding(stream: BinaryIO, where: str) -> str:
    """The encoding of a CSV: by its BOM, else UTF-8, else GB18030, else charset-normalizer's guess."""
    stream.seek(0)
    head = stream.read(4)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            bad = _first_bad_line(stream, encoding)
            if bad is not None:
                raise _not_text(
                    where, f" (line {bad} is not valid {encoding})", f"（第{bad}行不是有效的 {encoding}）"
                )
            return encoding
    first_bad = _first_bad_line(stream, "utf-8")
    if first_bad is None:
        return "utf-8"
    if _first_bad_line(stream, "gb18030") is None:
        return "gb18030"
    stream.seek(0)
    best = charset_normalizer.from_bytes(stream.read(ENCODING_SAMPLE)).best()
    if best is None or best.encoding in ("utf_8", "gb18030"):
        raise _not_text(where, f" (line {first_bad} is not UTF-8)", f"（第{first_bad}行不是 UTF-8）")
    return best.encoding


def _lines(text: io.TextIOWrapper, where: str, limit: int, counter: list[int]) -> Iterator[str]:
    """The physical lines of ``text``, each at most ``limit`` characters, none holding a NUL."""
    while True:
        try:
            line = text.readline(limit)
        except UnicodeDecodeError:
            raise _not_text(where, f" (line {counter[0] + 1})", f"（第{counter[0] + 1}行）") from None
        if not line:
            return
        counter[0] += 1
        if len(line) >= limit and not line.endswith(("\n", "\r")):
            raise refused(
                where,
                f"line {counter[0]} is longer than {limit:,} characters (GONGZHI_MAX_CELL_CHARS × {LINE_CHARS_PER_CELL})",
                f"第{counter[0]}行超过 {limit:,} 个字符（GONGZHI_MAX_CELL_CHARS × {LINE_CHARS_PER_CELL}）",
            )
        if "\x00" in line:
            raise refused(
                where,
                f"line {counter[0]} holds a NUL character: binary data, not CSV text",
                f"第{counter[0]}行含有 NUL 字符：是二进制数据而不是 CSV 文本",
            )
        yield line


def read_csv(stream: BinaryIO, where: str, limits: InputLimits) -> Iterator[tuple[int, Sequence[Cell]]]:
    """The rows of a CSV with their numbers, parsed as they are read from the decoded stream.

    ``newline=""`` hands the csv module every line ending as written, so a CR, CRLF or LF
    inside a quoted cell stays in the cell. Tab-separated text (what Excel calls "Unicode
    text") is recognised by a first line with tabs and no commas.
    """
    if (
        csv.field_size_limit() <= limits.cell_chars
    ):  # process-wide, only ever raised: longer cells are ours to report
        csv.field_size_limit(limits.cell_chars + 1)
    encoding = detect_encoding(stream, where)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    counter = [0]
    lines = _lines(text, where, limits.cell_chars * LINE_CHARS_PER_CELL, counter)
    first = next(lines, None)
    if first is None:
        return
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" in str(exc):  # one quoted cell running on for many lines
                raise refused(
                    where,
                    f"row {number + 1} has a cell longer than {csv.field_size_limit():,} characters "
                    "(an unclosed quote?)",
                    f"第{number + 1}行有超过 {csv.field_size_limit():,} 个字符的单元格（引号未闭合？）",
                ) from None
            raise refused(
                where,
                f"row {number + 1} (line {counter[0]}) is not readable CSV ({exc})",
                f"第{number + 1}行（文件第{counter[0]}行）CSV 格式无法解析",
            ) from None
        number += 1
        yield number, row


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


# ---------------------------------------------------------------- get: XLSX


def _entities_refused(where: str) -> InputError:
    return refused(
        where,
        "refused: its XML declares a DTD or entities, which no workbook needs (an entity-expansion attack?)",
        "拒绝读取：其 XML 声明了 DTD 或实体，正常工作簿不会这样（疑似实体扩展攻击）",
    )


def check_zip(stream: BinaryIO, where: str, limits: InputLimits) -> None:
    """Refuse a workbook whose zip directory is broken, too big unpacked, encrypted or a zip bomb.

    The sizes are those the zip's central directory declares; Python's zipfile never unpacks
    more than a member declares, so they bound what openpyxl can read.
    """
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
    ) as exc:
        raise refused(
            where,
            f"not a readable XLSX workbook (a broken or truncated zip: {_error_name(exc)})",
            "不是可读取的 XLSX 工作簿（zip 文件损坏或不完整）",
        ) from None
    if len(members) > limits.zip_members:
        raise refused(
            where,
            f"not an XLSX workbook: its zip holds {len(members):,} parts (at most {limits.zip_members:,})",
            f"不是 XLSX 工作簿：zip 中有 {len(members):,} 个部件（上限 {limits.zip_members:,}）",
        )
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.unzipped_bytes:
        raise refused(
            where,
            f"unpacks to {unpacked / MB:,.1f} MB, more than the limit of {limits.unzipped_bytes // MB:,} MB "
            "(GONGZHI_MAX_UNZIPPED_MB)",
            f"解压后 {unpacked / MB:,.1f} MB，超过上限 {limits.unzipped_bytes // MB:,} MB（GONGZHI_MAX_UNZIPPED_MB）",
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise refused(
                where,
                "the workbook is encrypted; save it without a password",
                "工作簿已加密，请去掉密码后另存",
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_FLOOR and ratio > limits.zip_ratio:
            raise refused(
                where,
                f"refused: part {cut(member.filename)!r} unpacks to {ratio:,.0f} times its size "
                f"(at most {limits.zip_ratio}): a zip bomb?",
                f"拒绝读取：部件“{cut(member.filename)}”解压后是压缩大小的 {ratio:,.0f} 倍（上限 {limits.zip_ratio}），疑似 zip 炸弹",
            )


_DTD_MARKS = tuple(
    mark.encode(encoding)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


def scan_for_dtd(stream: BinaryIO, where: str) -> None:
    """Refuse a workbook any of whose parts declares a DTD (used when defusedxml is not in effect)."""
    stream.seek(0)
    overlap = max(len(mark) for mark in _DTD_MARKS) - 1
    with zipfile.ZipFile(stream) as archive:
        for member in archive.infolist():
            tail = b""
            with archive.open(member) as part:
                while chunk := part.read(CHUNK):
                    window = tail + chunk
                    if any(mark in window for mark in _DTD_MARKS):
                        raise _entities_refused(where)
                    tail = window[-overlap:]


def read_xlsx(stream: BinaryIO, where: str, limits: InputLimits) -> Iterator[tuple[str, NumberedRows]]:
    """Every worksheet of a workbook as (sheet name, its rows), each sheet's rows streamed.

    The zip is checked first (``check_zip``); openpyxl then reads in read-only mode, which
    parses a sheet as its rows are asked for. With defusedxml installed (a dependency) openpyxl
    refuses XML entities itself; without it every part is scanned for a DTD first.
    """
    check_zip(stream, where, limits)
    try:
        if not openpyxl.DEFUSEDXML:
            scan_for_dtd(stream, where)
        stream.seek(0)
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises whatever its parser meets in a broken file
        raise _xlsx_error(where, exc, None) from None
    try:
        for sheet in book.worksheets:
            title = str(sheet.title)
            yield title, _sheet_rows(sheet, f"{where}[{cut(title)}]")
    finally:
        book.close()


_DEFUSED = ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError")


def _xlsx_error(where: str, exc: Exception, row: int | None) -> InputError:
    cause: BaseException | None = exc
    for _ in range(10):  # openpyxl wraps what its parser raised: look down the chain
        if cause is None:
            break
        if type(cause).__name__ in _DEFUSED and type(cause).__module__.startswith("defusedxml"):
            return _entities_refused(where)
        cause = cause.__cause__ or cause.__context__
    at, at_zh = ("", "") if row is None else (f" near row {row}", f"（约第{row}行）")
    return refused(
        where,
        f"not a readable XLSX workbook{at} ({_error_name(exc)})",
        f"不是可读取的 XLSX 工作簿{at_zh}",
    )


def _error_name(exc: BaseException) -> str:
    """``KeyError``, ``zlib.error``: the kind of a parser's error, never its text (it may quote the file)."""
    kind = type(exc)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _sheet_rows(sheet: Any, where: str) -> Iterator[tuple[int, Sequence[Cell]]]:
    number = 0
    try:
        sheet.reset_dimensions()  # some writers record wrong dimensions: read every row
        for row in sheet.iter_rows(values_only=True):
            number += 1
            if number > EXCEL_MAX_ROW:
                raise refused(
                    where,
                    f"more than {EXCEL_MAX_ROW:,} rows, the most a sheet can have",
                    f"超过 {EXCEL_MAX_ROW:,} 行，超出工作表的最大行数",
                )
            yield number, tuple(_xlsx_value(v) for v in row)
    except InputError:
        raise
    except Exception as exc:  # a sheet's XML broken part-way, or entities met while parsing it
        raise _xlsx_error(where, exc, number + 1) from None


def _xlsx_value(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- transform: headers and rows


def _add_table(
    kind: TableKind, where: str, rows: NumberedRows, result: ReadResult, limits: InputLimits
) -> None:
    table, issues = table_from_rows(kind, where, rows, limits, result.notices)
    result.issues.extend(issues)
    result.tables.append(table)


def cell_problem(raw: Cell, limits: InputLimits) -> Problem | None:
    """Why a cell cannot be taken as it is, or None: too long, or a number that lost or exceeds digits."""
    if isinstance(raw, str):
        if len(raw) > limits.cell_chars:
            return (
                f"a cell of {len(raw):,} characters, more than the limit of {limits.cell_chars:,} (GONGZHI_MAX_CELL_CHARS)",
                f"单元格有 {len(raw):,} 个字符，超过上限 {limits.cell_chars:,}（GONGZHI_MAX_CELL_CHARS）",
            )
        return None
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return ("not a finite number", "不是有效的数字")
        if abs(raw) >= FLOAT_EXACT:
            return (
                "a number of more than 15 digits was stored as a number and lost its last digits; "
                "format the column as text and type it again",
                "超过15位的数字被存成了数值，末尾几位已丢失；请将该列设置为文本格式后重新录入",
            )
    elif isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) >= INT64:
        return ("a number too large to store (more than 18 digits)", "数字过大，无法存储（超过18位）")
    return None


def _trimmed(values: Sequence[Cell]) -> Sequence[Cell]:
    end = len(values)
    while end and is_blank(values[end - 1]):
        end -= 1
    return values if end == len(values) else values[:end]


def table_from_rows(
    kind: TableKind,
    where: str,
    rows: NumberedRows,
    limits: InputLimits | None = None,
    notices: list[Issue] | None = None,
) -> tuple[RawTable, list[Issue]]:
    """The raw table of one file or sheet, and the problems with its headers, reading ``rows`` once.

    A title row (or a few) above the header, as organizers put on their ledgers, is skipped
    with a notice in ``notices``; other rows above the header are one problem saying where
    the header is, not one per column."""
    limits = limits or InputLimits()
    notices = [] if notices is None else notices
    issues: list[Issue] = []
    numbered = iter(rows)
    header_row: Sequence[Cell] = ()
    for number, values in numbered:
        if number == 1:
            header_row = _trimmed(values)
        else:  # row 1 is blank: the header may be further down
            numbered = itertools.chain([(number, values)], numbered)
        break
    header_number = 1
    if _known_headers(kind, header_row) == 0:
        header_row, numbered, message = _header_below(kind, where, header_row, numbered)
        header_number = message.row or 1 if message is not None else 1
        if message is not None and message.reason.startswith("the header is on row"):
            issues.append(message)
            return RawTable(kind, where, {}, broken=True), issues
        if message is not None:
            notices.append(message)
    if not header_row:
        issues.append(file_issue(where, "no header row (row 1 is empty)", "缺少表头（第1行为空）", row=1))
        return RawTable(kind, where, {}, broken=True), issues
    if len(header_row) > limits.columns:
        raise _too_wide(where, 1, len(header_row), limits)
    positions, headers = _map_headers(kind, where, header_row, issues, header_number)
    table = RawTable(kind, where, headers)
    for column in columns_of(kind):
        if column.required and column.name not in headers:
            table.broken = True
            issues.append(
                file_issue(
                    where,
                    f"required column missing: {column.zh} ({column.name})",
                    f"缺少必填列：{column.zh}（{column.name}）",
                    row=header_number,
                    header=table.header(column),
                )
            )
    if not positions:  # no column of the table at all (junk, or another file): no row can hold a value
        return table, issues
    headed = {p for p, v in enumerate(header_row) if not is_blank(v)}
    stray: set[int] = set()
    cell_chars = limits.cell_chars
    preamble = True  # directly under the header: a second header row and a notes row are skipped
    for number, raw_values in numbered:
        if number > limits.rows:
            raise refused(
                where,
                f"more than {limits.rows:,} rows (GONGZHI_MAX_ROWS); split the file or raise the limit",
                f"超过 {limits.rows:,} 行（GONGZHI_MAX_ROWS），请拆分文件或调高上限",
            )
        values = _trimmed(raw_values)
        if preamble:
            if values and (_is_header_echo(kind, header_row, values) or _is_notes(values)):
                continue
            preamble = False
        if not values or all(is_blank(v) for v in values):
            continue
        if len(values) > limits.columns:
            raise _too_wide(where, number, len(values), limits)
        cells: dict[str, Cell] = {}
        problems: dict[str, Problem] | None = None
        for position, raw in enumerate(values):
            name = positions.get(position)
            if name is not None:
                # the common case inline (this runs for every cell): text within the limit
                short_text = type(raw) is str and len(raw) <= cell_chars
                problem = None if short_text else cell_problem(raw, limits)
                if problem is None:
                    cells[name] = raw
                else:
                    problems = problems or {}
                    problems[name] = problem
                    if not isinstance(raw, str):
                        cells[name] = raw  # a number is short: quoted (masked) in the message
            elif not is_blank(raw) and position not in headed and position not in stray:
                stray.add(position)
                issues.append(
                    file_issue(
                        where,
                        f"column {position + 1} has values but no header",
                        f"第{position + 1}列有数据但没有表头",
                        row=number,
                    )
                )
        table.rows.append(RawRow(number, cells, problems))
    return table, issues


def table_from_grid(
    kind: TableKind, where: str, grid: Sequence[Sequence[Cell]]
) -> tuple[RawTable, list[Issue]]:
    """``table_from_rows`` of rows held in a list (row 1 first)."""
    return table_from_rows(kind, where, enumerate(grid, start=1))


def _too_wide(where: str, number: int, width: int, limits: InputLimits) -> InputError:
    return refused(
        where,
        f"row {number} has a value in column {width:,}; a table is read up to column {limits.columns}",
        f"第{number}行第{width:,}列有数据；每张表最多读取 {limits.columns} 列",
    )


def _map_headers(
    kind: TableKind, where: str, header_row: Sequence[Cell], issues: list[Issue], header_number: int = 1
) -> tuple[dict[int, str], dict[str, str]]:
    positions: dict[int, str] = {}  # column position -> column name
    headers: dict[str, str] = {}  # column name -> header as written
    for position, raw in enumerate(header_row):
        text = shown(raw)
        if text is None:
            continue
        text = text.lstrip("\ufeff")
        column = column_named(kind, text)
        if column is None:
            issues.append(
                file_issue(
                    where,
                    f"unknown column {cut(text)!r}; {kind.table} has: {_column_list(kind)}",
                    f"未知列“{cut(text)}”；{kind.zh}表的列为：{_column_list(kind)}",
                    row=header_number,
                    header=cut(text),
                )
            )
        elif column.name in headers:
            issues.append(
                file_issue(
                    where,
                    f"column {column.name} appears twice (also as {headers[column.name]!r})",
                    f"列“{column.zh}”重复出现（另见“{headers[column.name]}”）",
                    row=header_number,
                    header=text,
                )
            )
        else:
            positions[position] = column.name
            headers[column.name] = text
    return positions, headers


#: How far down a header is looked for when row 1 names no column.
HEADER_SEARCH_ROWS = 10


def _known_headers(kind: TableKind, row: Sequence[Cell]) -> int:
    """How many cells of ``row`` name a column of ``kind``."""
    return sum(1 for raw in row if (text := shown(raw)) is not None and column_named(kind, text.lstrip("\ufeff")))


def _header_below(
    kind: TableKind, where: str, first: Sequence[Cell], numbered: Iterator[tuple[int, Sequence[Cell]]]
) -> tuple[Sequence[Cell], Iterator[tuple[int, Sequence[Cell]]], Issue | None]:
    """When row 1 names no column: the header row further down (within ``HEADER_SEARCH_ROWS``),
    the rows after it, and what to tell the user: a notice when the rows above are titles (one
    filled cell each, as a merged title is) or blank, else a problem naming the header's row.
    With no header below, ``first`` and every row as they were (the row-1 checks then say what
    is wrong), and no message."""
    above: list[Sequence[Cell]] = [first]
    seen: list[tuple[int, Sequence[Cell]]] = []
    for number, raw_values in numbered:
        seen.append((number, raw_values))
        values = _trimmed(raw_values)
        filled = sum(1 for v in values if not is_blank(v))
        known = _known_headers(kind, values)
        if known and known * 2 >= filled:
            if all(sum(1 for v in row if not is_blank(v)) <= 1 for row in above):
                titles = "、".join(cut(shown(v) or "") for row in above for v in row if not is_blank(v)) or "—"
                return values, numbered, file_issue(
                    where,
                    f"the title row above the header was skipped ({titles}); the header is row {number}",
                    f"已跳过表头上方的标题行（{titles}），表头在第{number}行",
                    row=number,
                )
            return values, numbered, file_issue(
                where,
                f"the header is on row {number}: delete the rows above it (row 1 must be the header)",
                f"表头在第{number}行：请删除表头上方的行（第1行应为表头）",
                row=number,
            )
        above.append(values)
        if number >= HEADER_SEARCH_ROWS:
            break
    return first, itertools.chain(seen, numbered), None


def _column_list(kind: TableKind) -> str:
    return ", ".join(f"{c.zh} ({c.name})" for c in columns_of(kind))


def _is_header_echo(kind: TableKind, header_row: Sequence[Cell], row: Sequence[Cell]) -> bool:
    """A row naming, in every filled cell, the same column as the header above it."""
    filled = [(p, shown(v)) for p, v in enumerate(row) if not is_blank(v)]
    if not filled:
        return False
    for position, text in filled:
        above = shown(header_row[position]) if position < len(header_row) else None
        mine = column_named(kind, text or "")
        if above is None or mine is None or mine is not column_named(kind, above):
            return False
    return True


def _is_notes(row: Sequence[Cell]) -> bool:
    for raw in row:
        if is_blank(raw):
            continue
        text = (shown(raw) or "").lower()
        return text.startswith(NOTES_MARKS)
    return False

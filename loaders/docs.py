"""``docs/data-format.md``, rendered from the model so that it cannot go stale.

Regenerate with ``python -m loaders.docs`` (a test compares the committed file with
``render_data_format()``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from graph.declare import Column, FieldType, NodeKind, RelKind
from graph.model import (
    MEMBER_CODES,
    NODE_KINDS,
    ORG_LEVEL,
    PARTY_ORG,
    PERSON,
    PLACE_LABELS,
    REL_KINDS,
    ROLE,
    ROLE_TARGETS,
    node_kind,
)
from loaders.convert import DATE_EXAMPLES, DATE_FORMATS, FALSE_WORDS, ID_FORBIDDEN, TRUE_WORDS
from loaders.describe import TYPE_FORMATS, TYPE_NAMES, choices_en, choices_zh, ref_en, ref_zh
from loaders.read import HEADER_SEARCH_ROWS, NOTES_MARKS
from loaders.rules import (
    COMPOUND_COMMUNITY,
    COMPOUND_GRID,
    ENTRANCE_BUILDING,
    MEMBER_LABEL,
    ORG_LEVEL_COLUMN,
    ORG_PARENT,
    ORG_PARENT_LEVELS,
    PERSON_BUILDING,
    PERSON_ENTRANCE,
)
from loaders.template import DEFAULT_NAME, NOTES_PREFIX, SAMPLE_OPTION, SAMPLE_PREFIXES

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "data-format.md"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _column_row(column: Column) -> str:
    zh_type, en_type = TYPE_NAMES[column.type]
    notes: list[str] = []
    if column.type is FieldType.ENUM:
        notes.append(f"{choices_en(column)} ({choices_zh(column)})")
        aliases = [f"{'/'.join(c.aliases)} → `{c.code}`" for c in column.choices if c.aliases]
        if aliases:
            notes.append("also accepted (也可填写): " + ", ".join(aliases))
    if column.type is FieldType.REF:
        notes.append(f"id of {ref_en(column)} ({ref_zh(column)}编号)")
    if column.en_doc and column.type is not FieldType.REF:
        notes.append(column.en_doc + (f" ({column.zh_doc})" if column.zh_doc else ""))
    if column.personal:
        notes.append("personal: masked in messages (个人信息，提示中脱敏)")
    if column.example:
        notes.append(f"e.g. `{column.example}`")
    required = "yes (必填)" if column.required else "no (选填)"
    cells = [f"`{column.name}`", column.zh, f"{en_type} ({zh_type})", required, "; ".join(notes)]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _columns_table(columns: tuple[Column, ...]) -> list[str]:
    return [
        "| column | 中文表头 | type (类型) | required (必填) | notes (说明) |",
        "|---|---|---|---|---|",
        *(_column_row(c) for c in columns),
    ]


def _node_section(kind: NodeKind) -> list[str]:
    labels = ", ".join(f"`{label}`" for label in kind.all_labels)
    lines = [
        f"### `{kind.table}` ({kind.zh})",
        "",
        f"{_sentence(kind.en_doc)} Files: `{kind.table}.csv` or `{kind.zh}.csv`, or a sheet named `{kind.table}` "
        f"or `{kind.zh}`. Each row is one node ({labels}).",
        "",
        *_columns_table(kind.columns),
        "",
    ]
    for inline in kind.inline_rels:
        column = kind.column(inline.column)
        targets = "|".join(column.ref)
        lines.append(
            f"- `{column.name}` ({column.zh}) makes `(:{kind.label})-[:{inline.type}]->(:{targets})`."
        )
    for conditional in kind.conditional_labels:
        codes = ", ".join(f"`{c}`" for c in conditional.codes)
        lines.append(
            f"- A row whose `{conditional.column}` is {codes} also gets the label `{conditional.label}`."
        )
    for d in kind.derived:
        sources = ", ".join(f"`{name}`" for name in d.sources)
        notes = "; indexed" if d.indexed else ""
        notes += "; personal like its source (个人信息)" if d.personal else ""
        lines.append(
            f"- Derived, not a column (派生属性，无需填写): `{d.name}` ({d.zh_doc}) from {sources}: {d.en_doc}{notes}."
        )
    if kind.inline_rels or kind.conditional_labels or kind.derived:
        lines.append("")
    return lines


def _rel_section(kind: RelKind) -> list[str]:
    ends = f"(:{'|'.join(kind.from_column.ref)})-[:{kind.type}]->(:{'|'.join(kind.to_column.ref)})"
    key = ", ".join(f"`{k}`" for k in kind.key)
    lines = [
        f"### `{kind.table}` ({kind.zh})",
        "",
        f"{_sentence(kind.en_doc)} Files: `{kind.table}.csv` or `{kind.zh}.csv`. Each row is one relationship "
        f"`{ends}`, identified by both ends and {key or 'nothing else'}.",
        "",
        *_columns_table(kind.all_columns),
        "",
    ]
    if kind.rules:
        lines += [*(f"- Rule (规则): {rule}." for rule in kind.rules), ""]
    return lines


def _value_rows() -> list[str]:
    return [
        f"| {en} ({zh}) | {_cell(TYPE_FORMATS[t][1])} ({_cell(TYPE_FORMATS[t][0])}) |"
        for t, (zh, en) in TYPE_NAMES.items()
    ]


def _role_targets() -> list[str]:
    lines = ["| role (岗位) | may be appointed to (任职对象) |", "|---|---|"]
    for choice in ROLE:
        targets = ROLE_TARGETS[choice.code]
        zh = "、".join(node_kind(t).zh for t in targets)
        lines.append(f"| `{choice.code}` {choice.zh} ({choice.en}) | {', '.join(targets)} ({zh}) |")
    return lines


def _org_levels() -> list[str]:
    lines = ["| level (层级) | may sit under (上级党组织层级) |", "|---|---|"]
    names = {c.code: c for c in ORG_LEVEL}
    for choice in ORG_LEVEL:
        above = [names[code] for code in ORG_PARENT_LEVELS[choice.code]]
        en = ", ".join(f"`{c.code}`" for c in above)
        zh = "、".join(c.zh for c in above)
        lines.append(f"| `{choice.code}` {choice.zh} ({choice.en}) | {en} ({zh}) |")
    return lines


def render_data_format() -> str:
    """The whole of ``docs/data-format.md``."""
    member_zh = "、".join(c.zh for c in PERSON.column(MEMBER_LABEL.column).choices if c.code in MEMBER_CODES)
    marks = " or ".join(f"`{m}`" for m in NOTES_MARKS)
    parts: list[str] = [
        "# Input data format (导入数据格式)",
        "",
        "<!-- Generated from graph/model.py by loaders/docs.py (`python -m loaders.docs`); do not edit. -->",
        "<!-- 本文件由 loaders/docs.py 根据 graph/model.py 生成，请勿手工修改。 -->",
        "",
        "`gongzhi load <path>` reads a directory of CSV and XLSX files, or one such file. Every file",
        "(or sheet) is one table; this page lists every table and column.",
        "(`gongzhi load` 读取一个目录中的 CSV/XLSX 文件或单个文件；每个文件或工作表是一张表。)",
        "",
        "## Files (文件)",
        "",
        "- A CSV file is named after its table: `buildings.csv` or, in Chinese, `楼栋.csv` "
        "(英文表名或中文表名均可).",
        "- An XLSX workbook may hold several tables, one per sheet, each sheet named after its table "
        "in English or Chinese (工作表按表名命名). Empty sheets with other names are ignored.",
        "- A file or sheet whose name is not a table is reported as an issue, never silently skipped "
        "(无法识别的文件或工作表会报告为问题). Hidden files and the lock files of Excel (`~$…`) and "
        "LibreOffice (`.~lock…`) are ignored.",
        f"- `gongzhi template` writes `{DEFAULT_NAME}`: one sheet per table with the Chinese headers "
        "(row 1), the English names (row 2), a notes row (row 3) and a sample row (row 4). "
        "Overwrite or delete the sample row; a filled template loads as it is "
        "(填写模板后可直接导入；第4行为示例，请覆盖或删除).",
        f"- The sample rows are not data: their ids and references start with `{SAMPLE_PREFIXES[0]}` "
        f"(`{SAMPLE_PREFIXES[0]}B-0001`; `{SAMPLE_PREFIXES[1].upper()}` is reserved too, in any case). "
        "A node row whose id starts so, or a relationship row whose two ends do, is a sample row "
        "wherever it is in the sheet: a load refuses it (\"第4行是模板示例行，请删除或改写\"), and "
        f"refuses a real row that refers to a sample id. `gongzhi load {SAMPLE_OPTION}` leaves the "
        "sample rows out instead and lists them as rows left out (示例行不是数据：默认拒绝导入，"
        f"加 `{SAMPLE_OPTION}` 则跳过). Overwriting a sample row's id makes it a real row.",
        "",
        "## Encodings (编码)",
        "",
        "CSV files may be UTF-8, UTF-8 with a BOM (Excel's \"CSV UTF-8\") or GB18030/GBK (Excel's "
        'plain "CSV" on Chinese Windows); the encoding is detected: UTF-8 is tried first, then '
        "GB18030, and only then a statistical guess. A file that is not text in any of them stops the "
        "load with an error naming the file (无法识别编码的文件会报错并指出文件名). Fields are "
        "separated by commas (a tab-separated file is recognised by its header line).",
        "",
        "## Headers and rows (表头与行)",
        "",
        "- Row 1 holds the headers: the English column name or the Chinese header, in any order "
        "(表头可用英文列名或中文表头，顺序不限). English names ignore case; full-width parentheses "
        "are accepted.",
        "- An unknown header, a column given twice and a missing required column are issues "
        "(reported at the header's row). Optional columns may be left out.",
        f"- A title row above the headers (one filled cell per row, as a merged title is), or blank "
        f"rows, are skipped with a notice naming the header's row (已跳过表头上方的标题行，表头在第N行); "
        f"when other rows sit above a header found within the first {HEADER_SEARCH_ROWS} rows, the "
        f"issue is one: the header's row and \"delete the rows above it\" (表头在第N行：请删除表头上方的行).",
        f"- Directly below the headers, a second header row (the same columns named again, e.g. the "
        f"English names) and a notes row whose first cell starts with {marks} are skipped, so a "
        f"filled template loads (the template's notes start with `{NOTES_PREFIX.strip()}`).",
        "- Fully empty rows are skipped. Messages give the spreadsheet row number: the header is row "
        "1, the first data row row 2 (行号与表格软件一致).",
        "",
        "## Values (取值)",
        "",
        "| type (类型) | accepted (可填写) |",
        "|---|---|",
        *_value_rows(),
        "",
        "- Full-width characters (全角字符): every value but free text (names, addresses) is read "
        "in Unicode NFKC form, so full-width digits, letters and signs (`４２０６０２…`, `Ｘ`, `－`, "
        "`＋８６`, `，`) count as their ASCII forms, and are stored so (全角数字、字母和符号按半角"
        "处理并以半角存储).",
        f"- Dates: {DATE_FORMATS}, the month and day with one or two digits: "
        f"{', '.join(f'`{d}`' for d in DATE_EXAMPLES)} are all 5 March 2021. A trailing time "
        "(`2021-03-01 00:00:00`, `2021-03-01 08:30`) is dropped when it is a real time of day and "
        "refused when it is not (`2021-03-01 25:00:00`) (日期后的时间须为有效时间，导入时舍去). "
        "XLSX date cells and date serial numbers are read as dates.",
        f"- Booleans: {'/'.join(TRUE_WORDS)} mean yes and {'/'.join(FALSE_WORDS)} mean no "
        "(case-insensitive).",
        "- Choices (enums): the Chinese label, the code, the English label or one of the declared "
        "other spellings (listed under each column below, e.g. 党员/正式党员 for `member`, 男性 for "
        "`M`), ignoring case; the code is stored (中文、代码、英文或所列的其他写法均可，存储代码).",
        "- Whole numbers may come from a spreadsheet as `320.0`. An ID number stored by a spreadsheet "
        "as a number has lost its last digits and is refused, whether it comes as a number cell of "
        "an XLSX or as the text `4.20602E+17` of a CSV saved from one (a mobile number too): format "
        "ID-number columns as text (身份证号列请设为文本格式).",
        "- Personal values (names, ID numbers, phone numbers) are masked in every message "
        "(个人信息在所有提示中脱敏).",
        "",
        "## Ids and references (编号与引用)",
        "",
        "- Every node row has an `id`, unique across all tables (编号在所有表中唯一), e.g. `B-0001` "
        f"for a building. An id may not contain `{ID_FORBIDDEN}`. An id already used in the store by a "
        "node of another kind is an issue.",
        "- An id or reference (or any other value but free text) holding an invisible character (a "
        "zero-width space U+200B, U+200C, U+200D, U+2060, a BOM U+FEFF, or any other format or "
        "control character) is refused, the "
        "message naming the character by its code point, so that `B-0001` followed by a zero-width "
        "space never loads as a second building (编号或引用中含不可见字符时拒绝导入，并指出字符编码). "
        "Surrounding ordinary spaces are trimmed.",
        "- A reference column (REF, 引用编号) holds the id of a node of one of the kinds it names, "
        "either in this input or already in the store (可引用本次导入或库中已有的编号). A reference "
        "to a missing id, or to a node of another kind, is an issue.",
        "- A REF column of a node table becomes a relationship from that node; a relationship table's "
        "row becomes a relationship with properties, identified by both ends and its key columns, so "
        "loading the same file twice changes nothing.",
        "",
        "## Validation rules (校验规则)",
        "",
        "The whole input is validated before anything is written, and every problem is reported at "
        "once, each with its file, row, column and reason in English and Chinese "
        "(全部校验后一次性报告所有问题，说明文件、行、列与原因).",
        "",
        "- Required cells are filled; each value has its column's type (above).",
        "- Ids are unique across all node files; relationship-table rows are not repeated (same ends "
        "and key columns) (编号与关系不得重复).",
        "- `since` is not after `until` (起始日期不晚于终止日期).",
        f"- A person's `{PERSON_ENTRANCE.name}` ({PERSON_ENTRANCE.zh}) belongs to their "
        f"`{PERSON_BUILDING.name}` ({PERSON_BUILDING.zh}) (the entrance's `{ENTRANCE_BUILDING.name}`), "
        "and is given only with it. A person with no building lives outside every loaded area (a cadre "
        "sent down from the street): they count in no area's residents or members and enter an area "
        "through the roles they hold (居住楼栋留空表示居住在本辖区外，不计入任何区域的居民和党员).",
        f"- A compound gives exactly one of `{COMPOUND_GRID.name}` ({COMPOUND_GRID.zh}) and "
        f"`{COMPOUND_COMMUNITY.name}` ({COMPOUND_COMMUNITY.zh}): its grid, or, for a compound with no grid, "
        "the community it lies in directly; both make the same `PART_OF` (小区所属网格与直属社区二选一).",
        *(f"- `{k.table}` ({k.zh}): {rule}." for k in REL_KINDS for rule in k.rules),
        f"- A party member (党员) is a person whose `{MEMBER_LABEL.column}` is {', '.join(MEMBER_CODES)} "
        f"({member_zh}), in this input or in the store.",
        f"- `{PARTY_ORG.table}`: the `{ORG_PARENT.name}` ({ORG_PARENT.zh}) chain never comes back to a "
        "party org, whatever its length; the message names the cycle in order (`O-1 → O-2 → O-3 → "
        "O-1`). The chain is followed through this input and, above it, through the store "
        "(上级党组织不得形成循环，含库中已有的上级).",
        f"- `{PARTY_ORG.table}`: a party org's `{ORG_LEVEL_COLUMN.name}` ({ORG_LEVEL_COLUMN.zh}) fits "
        "its parent's, as below: a party group sits under a branch; a branch under a general branch "
        "or a committee; a general branch under a committee; committees (党委, 党工委) may sit under "
        "committees. A party org without a parent is allowed at any level (上下级党组织层级须相符). "
        "Each row of the input is checked against its parent, in the input or the store; a party "
        "org whose level the input changes does not re-check its children that only the store "
        "holds.",
        "",
        *_org_levels(),
        "",
        "- The place tree (" + " ← ".join(PLACE_LABELS) + ") cannot have a cycle: each place's "
        "parent column refers to the next level up only (地点层级由上级列的类型保证，不会形成循环).",
        "",
        *_role_targets(),
        "",
        "## Loading (导入)",
        "",
        "- All or nothing (全部成功或全部不写入): with any issue nothing is written and every issue is "
        "listed. The changes of a load are written in one transaction; on Neo4j, a load of more "
        "than `GONGZHI_WRITE_CHUNK` items in chunks that are undone if any fails or the load is killed.",
        "- Each item is created, updated or unchanged; only created and updated ones are written, so "
        "a second identical load reports everything unchanged (重复导入不产生变化). A node row and the "
        "relationships its REF columns make are one item: when a REF now points elsewhere, its old "
        "relationship is removed.",
        "- Every item records its source (`_source`, 数据来源): `--source NAME`, by default the input "
        "directory's name, or a single file's own name without its suffix (so two files of one folder "
        "loaded one by one are two sources). Names starting with `app:` are the app's own.",
        "- File and app edits are merged, never overwritten silently (文件与应用内修改合并): every item "
        "remembers what its source last loaded (a content hash). On a reload, an item the app changed "
        "since (a mutation) whose row the file did not change keeps the app's value (reported as "
        "*kept*, 保留); a row the file changed whose item the app did not change is written; an item "
        "changed on both sides is a *conflict* (冲突), named with file, row, column and both values, "
        "and nothing is written unless `--prefer file` or `--prefer app` picks a side (`--prefer app` "
        "also makes the file's new row the base, so the next load of it keeps the app's value without "
        "asking).",
        "- `--prune` (清理): items of this source that the input no longer has are deleted, for the "
        "tables the input has rows for (tables without rows are left alone), with every relationship "
        "that goes because its node goes. The command lists all of it first and deletes only with "
        "`--yes` (or after a confirmation typed at a terminal); otherwise it writes nothing and exits "
        "with 1. An item the app changed since the last load is a conflict instead of a deletion "
        "(`--prefer file` deletes it, `--prefer app` keeps it and hands it to the app user). Prune runs "
        "only on a fully valid input, never after a failed load, and refuses to delete a node that a "
        "row of the input still refers to.",
        "- Derived properties (派生属性: `caption`, `Person.name_initials`, listed under each table) are "
        "stored with every node but never read from a file: they are computed from the node's own "
        "columns whenever it is written (load, `--bulk`, app edits), are no part of its content hash "
        "(so they never make a reload write or conflict), and a store written before one was declared, "
        "or under an older rule, gets them on the next `gongzhi load`, `gongzhi schema` or server start "
        "(docs/architecture.md, \"Derived properties\").",
        "- `--check` (检查): validate and compare, print the same summary (created, updated, "
        "unchanged, would delete, kept, conflicts), write nothing; exit 1 if a load would be refused.",
        "- `--accept-valid` (只导入有效行): the valid rows are loaded and the issues reported; rows that "
        "refer to an invalid row are left out too (and reported). Prune never runs on such a load.",
        f"- `{SAMPLE_OPTION}` (跳过示例行): the template's sample rows are left out and listed, "
        "instead of refused (see Files above).",
        "- `--bulk` (批量导入): a first load into an empty Neo4j database through `neo4j-admin database "
        "import full`, several times faster than an online load. The input is validated exactly as "
        "above (the same issues; nothing is written if there is any), then written as the import "
        "tool's CSV files with the same properties, meta and keys an online load stores. The "
        "database must be stopped (停止数据库) and empty (空库): a running or non-empty database is "
        "refused and left as it is. Where the database and the tool are: `GONGZHI_NEO4J_HOME` "
        "(default `var/neo4j`, the home `scripts/neo4j.sh` runs) and `GONGZHI_NEO4J_ADMIN`. After it, "
        "start Neo4j and run `gongzhi schema` (约束和索引在启动后建立); reloads are ordinary "
        "`gongzhi load`s. With docker compose: the one-shot service `bulk-load` (profile `bulk`).",
        "",
        "## Node tables (节点表)",
        "",
    ]
    for node in NODE_KINDS:
        parts += _node_section(node)
    parts += ["## Relationship tables (关系表)", ""]
    for rel in REL_KINDS:
        parts += _rel_section(rel)
    return "\n".join(parts).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DOC_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_data_format(), encoding="utf-8")
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

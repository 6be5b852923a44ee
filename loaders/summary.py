"""What a load did: counts per table, the issues, and a Chinese + English text of it.

Counts are kept per node table (``buildings``), per relationship table (``memberships``)
and per REF column of a node table that makes a relationship (``buildings.compound_id``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from graph.declare import NodeKind
from graph.errors import Issue
from graph.model import TABLES
from loaders.names import table_named


@dataclass
class Counts:
    """What a load does to one table. ``updated``: the file's value written; ``kept``: the
    app's value kept (changed in the app since the last load, not in the file);
    ``conflicts``: changed on both sides (with ``--prefer`` also counted where it went)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    kept: int = 0
    conflicts: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.kept += other.kept
        self.conflicts += other.conflicts

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "kept": self.kept,
            "conflicts": self.conflicts,
        }


def inline_key(kind: NodeKind, rel_type: str) -> str:
    """The summary row of the relationship a node table's REF column makes: ``buildings.compound_id``.

    Where two columns make the same relationship (a compound's ``grid_id`` and ``community_id``,
    both PART_OF), the row is the first column's and counts both."""
    column = next(r.column for r in kind.inline_rels if r.type == rel_type)
    return f"{kind.table}.{column}"


@dataclass
class LoadSummary:
    source: str
    path: str
    tables: dict[str, Counts] = field(default_factory=dict)
    """Counts by table (``buildings``) and by REF column (``buildings.compound_id``)."""
    issues: list[Issue] = field(default_factory=list)
    """Problems found; with ``accept_valid`` these rows were left out, otherwise nothing was written."""
    skipped: list[Issue] = field(default_factory=list)
    """Rows left out (``accept_valid``) because a row they depend on was invalid."""
    warnings: list[Issue] = field(default_factory=list)
    """Rows loaded as they are but worth a look (``loaders.warnings``), e.g. two current memberships."""
    rows: int = 0
    pruned: bool = False
    """Whether items of the source missing from the input were deleted."""
    prune_skipped: bool = False
    """Prune was asked for but not done, because the input had problems."""
    written: int = 0
    """Items in the batch written (0 when everything was unchanged)."""
    kept: list[Issue] = field(default_factory=list)
    """Rows whose item keeps the app's value (changed in the app since the last load)."""
    conflicts: list[Issue] = field(default_factory=list)
    """Items changed in the file and in the app since the last load: file, row, column and
    both values (masked). A plan with conflicts is not written (``--prefer`` resolves them)."""
    deletions: dict[str, list[str]] = field(default_factory=dict)
    """What the load deletes, by table (and REF column): node ids, relationship keys,
    including the relationships that go because their node goes."""
    checked: bool = False
    """A ``--check`` run: planned, nothing written (the counts say what a load would do)."""

    def note_deleted(self, key: str, item: str) -> None:
        self.counts(key).deleted += 1
        self.deletions.setdefault(key, []).append(item)

    @property
    def deletes(self) -> int:
        return sum(len(v) for v in self.deletions.values())

    def counts(self, key: str) -> Counts:
        return self.tables.setdefault(key, Counts())

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.tables.values():
            total.add(counts)
        return total

    def _ordered_keys(self) -> list[str]:
        """Node tables in declaration order, each followed by its REF columns, then the rest."""
        order: list[str] = []
        for kind in TABLES:
            order.append(kind.table)
            if isinstance(kind, NodeKind):
                order.extend(f"{kind.table}.{inline.column}" for inline in kind.inline_rels)
        known = [key for key in order if key in self.tables]
        return known + sorted(self.tables.keys() - set(known))

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "path": self.path,
            "rows": self.rows,
            "tables": {k: v.as_dict() for k, v in self.tables.items()},
            "total": self.total.as_dict(),
            "issues": [i.as_dict() for i in self.issues],
            "skipped": [i.as_dict() for i in self.skipped],
            "warnings": [i.as_dict() for i in self.warnings],
            "pruned": self.pruned,
            "prune_skipped": self.prune_skipped,
            "written": self.written,
            "checked": self.checked,
            "kept": [i.as_dict() for i in self.kept],
            "conflicts": [i.as_dict() for i in self.conflicts],
            "deletions": self.deletions,
        }

    def text(self) -> str:
        return self.render()

    def render_deletions(self) -> list[str]:
        """What the load deletes (or would), per table and REF column, with the first ids."""
        verb = "将删除 would delete" if self.checked or not self.written else "已删除 deleted"
        lines = [f"{verb}: {self.deletes}"]
        for key in self._ordered_keys():
            items = self.deletions.get(key)
            if not items:
                continue
            shown = ", ".join(items[:SHOWN]) + (f" … (+{len(items) - SHOWN})" if len(items) > SHOWN else "")
            lines.append(f"  {_row_title(key).strip()}: {len(items)}  [{shown}]")
        return lines

    def render(self) -> str:
        """The summary as a table, Chinese with English."""
        lines = [f"导入来源 source: {self.source}    路径 path: {self.path}    行数 rows: {self.rows}"]
        if self.checked:
            lines.append("检查模式：以下是导入将做的变更，未写入任何数据 (--check: what a load would do; nothing written)")
        header = (
            "表 table", "新增 created", "更新 updated", "未变 unchanged", "删除 deleted", "保留 kept", "冲突 conflicts"
        )
        body = [
            (_row_title(key), *map(str, self.tables[key].as_dict().values())) for key in self._ordered_keys()
        ]
        total = self.total
        body.append(("合计 total", *map(str, total.as_dict().values())))
        widths = [max(_width(r[i]) for r in (header, *body)) for i in range(len(header))]
        for row in (header, *body):
            cells = [_pad(row[0], widths[0], left=True)]
            cells += [_pad(cell, width, left=False) for cell, width in zip(row[1:], widths[1:], strict=True)]
            lines.append("  ".join(cells))
        if self.pruned and not self.checked:
            lines.append(
                "已删除本来源中输入里没有的数据 (pruned: items of this source missing from the input)"
            )
        if self.prune_skipped:
            lines.append("输入有问题，未执行删除 (prune skipped: the input has problems)")
        if self.deletions:
            lines.extend(self.render_deletions())
        if self.kept:
            lines.append(f"保留应用内修改 kept (changed in the app since the last load): {len(self.kept)}")
            lines.extend(f"  - {issue}  /  {issue.reason_zh}" for issue in self.kept[:SHOWN])
            if len(self.kept) > SHOWN:
                lines.append(f"  … 另有 {len(self.kept) - SHOWN} 项 ({len(self.kept) - SHOWN} more)")
        if self.conflicts:
            lines.append(f"冲突 conflicts: {len(self.conflicts)}")
            lines.extend(f"  - {issue}  /  {issue.reason_zh}" for issue in self.conflicts)
        if self.written == 0 and not self.checked:
            lines.append("没有任何变化，未写入 (nothing changed, nothing written)")
        if self.issues or self.skipped:
            lines.append(
                f"问题 issues: {len(self.issues)}    因依赖未导入的行 rows left out as dependents: "
                f"{len(self.skipped)}"
            )
            for issue in [*self.issues, *self.skipped]:
                lines.append(f"  - {issue}  /  {issue.reason_zh}")
        if self.warnings:
            lines.append(f"提示 warnings: {len(self.warnings)} (已照常导入 loaded anyway)")
            for issue in self.warnings:
                lines.append(f"  - {issue}  /  {issue.reason_zh}")
        return "\n".join(lines)


SHOWN = 20
"""Items listed per table in the text summary (the JSON summary lists all)."""


def _row_title(key: str) -> str:
    table, _, column = key.partition(".")
    kind = table_named(table)
    if kind is None:
        return key
    if not column:
        return f"{kind.zh} {kind.table}"
    assert isinstance(kind, NodeKind)
    rel = next(r.type for r in kind.inline_rels if r.column == column)
    same = [r.column for r in kind.inline_rels if r.type == rel]
    return f"  └ {'/'.join(kind.column(c).zh for c in same)} {'/'.join(same)} ({rel})"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, left: bool) -> str:
    fill = " " * (width - _width(text))
    return text + fill if left else fill + text

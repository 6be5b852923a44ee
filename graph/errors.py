"""The one exception tree of Gongzhi.

Every error the project raises on purpose is a subclass of ``GongzhiError``; driver,
file-system and parser errors are translated into one of these at the boundary where
they occur and never leak upward::

    GongzhiError
    ├── ConfigError            settings are missing or contradictory
    ├── InputError             an input file cannot be read at all (encoding, format, header)
    ├── ValidationFailed       rows were read but some are invalid; carries every Issue
    ├── NotFound               an id, area or query name that does not exist (or is out of scope)
    └── StoreError             anything that goes wrong inside a store
        ├── StoreUnavailable   the server cannot be reached, or credentials are refused
        ├── StoreCorrupt       the embedded store's file fails its checksum or format check
        ├── StoreBusy          another writer holds the embedded store's lock
        │   └── LoadInProgress a chunked Neo4j load holds the store until it commits or is rolled back
        ├── StoreConflict      the store changed since a writer read it (its version moved on)
        └── BulkRefused        ``load --bulk``: the database runs, is not empty, or the tool failed

Messages are meant for people: one line, Chinese first where it is shown to organizers
(see ``message_zh``), never a stack trace, never Cypher text, never an unmasked personal value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class GongzhiError(Exception):
    """Base of every error the project raises on purpose."""

    message_zh: str = "操作失败"

    def __init__(self, message: str, *, message_zh: str | None = None) -> None:
        super().__init__(message)
        if message_zh is not None:
            self.message_zh = message_zh

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class ConfigError(GongzhiError):
    message_zh = "配置错误"


class InputError(GongzhiError):
    """A file that cannot be read as a table at all (as opposed to bad rows)."""

    message_zh = "输入文件无法读取"


class NotFound(GongzhiError):
    message_zh = "未找到"


class Forbidden(GongzhiError):
    """What the user's role or area does not allow (an unmasked export for a viewer, ...)."""

    message_zh = "无权操作"


class StoreError(GongzhiError):
    message_zh = "存储出错"


class StoreUnavailable(StoreError):
    message_zh = "无法连接存储"


class StoreCorrupt(StoreError):
    message_zh = "存储文件已损坏"


class StoreBusy(StoreError):
    message_zh = "存储正被另一个写入进程占用"


class LoadInProgress(StoreBusy):
    """A Neo4j load writing in chunks (graph/neo4j_chunks.py) holds the store: other writers
    are refused, nothing they asked for was written. It ends by committing or rolling back;
    a load whose process is gone is rolled back by the next write, ``gongzhi load --recover``
    or ``gongzhi serve``. The message names the load (its id, process and host), never data."""

    message_zh = "另一个导入正在进行（分批写入尚未完成），未写入任何数据；请在其完成后重试"


class BulkRefused(StoreError):
    """``gongzhi load --bulk`` did not import: the target database is running or not empty,
    or the import tool failed; the database is as it was."""

    message_zh = "批量导入未执行，数据库保持原样"


class Unsupported(StoreError):
    """What this kind of store does not do at all (a federation's writes and compiled reads):
    a limit of the deployment, said as such, not an internal error."""

    message_zh = "当前存储不支持此操作"


class StoreConflict(StoreError):
    """A write planned on one version of the store found another at commit: nothing was
    written. The writer re-plans on the new state (loads and mutations do) or reports this."""

    message_zh = "存储在本次写入规划之后已被其他写入者修改，未写入任何数据"


@dataclass(frozen=True)
class Issue:
    """One problem with one cell (or row) of one input file.

    ``value`` is already masked when the column holds personal data, so an Issue can be
    printed, logged or serialised as it is.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    reason_zh: str = ""
    more: int = 0
    """When > 0 this entry is not one problem: it counts ``more`` further problems like the ones
    listed just before it (same file, column and kind), which were counted but not kept, so a
    file of 200,000 bad rows costs a few hundred Issues, not millions."""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.reason}{shown}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
            "more": self.more,
        }


def problem_count(issues: Sequence[Issue]) -> int:
    """How many problems ``issues`` stand for: one each, a count of ``more`` ones counting those."""
    return sum(issue.more or 1 for issue in issues)


class ValidationFailed(GongzhiError):
    """The input has invalid rows; nothing was written. ``issues`` lists all of them."""

    message_zh = "输入数据校验未通过，未写入任何数据"

    def __init__(self, issues: Sequence[Issue], notices: Sequence[Issue] = ()) -> None:
        self.issues = list(issues)
        #: what was read differently from what is written (a title row skipped): told too
        self.notices = list(notices)
        super().__init__(f"{problem_count(self.issues):,} problem(s) in the input; nothing was written")


class MergeConflicts(ValidationFailed):
    """Items changed both in the file and in the app since the file was last loaded (or
    deleted from the file and changed in the app); nothing was written. ``issues`` names
    each: file, row, column, the file's value and the app's value (masked)."""

    message_zh = "文件与应用内修改冲突，未写入任何数据；请用 --prefer file 或 --prefer app 选择"

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(issues)
        self.args = (
            f"{len(self.issues)} conflict(s) between the file and changes made in the app since its last "
            "load; nothing was written (choose --prefer file or --prefer app)",
        )


class PlanError(InputError):
    """A compiled read (``graph/select.py``) naming a label, relationship type, property or
    operator the model does not declare, or shaped wrongly: refused before any statement is
    built, so that no name from input ever reaches Cypher text."""

    message_zh = "查询计划无效"

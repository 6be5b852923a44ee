"""``load``: read, validate, compare and write one input, all or nothing.

The steps, each a function of its own module::

    read_input      (loaders.read)      files -> raw tables
    validate        (loaders.validate)  raw tables -> records + every Issue
    plan_changes    (loaders.diff)      records vs. the store -> one WriteBatch (three-way merge)
    store.write                         the batch, atomically, if the store is still as planned

With any Issue nothing is written and ``ValidationFailed`` carries all of them, unless
``accept_valid``: then the valid rows (and only those not depending on an invalid row) are
loaded and the issues are reported in the summary; prune never runs on such a load. With a
conflict between the file and an edit made in the app since the last load nothing is written
(``MergeConflicts``) unless ``prefer`` picks a side.

Writers are serialised on the truth: the plan is made on the store's version read before
anything else, and the write is refused if another writer committed since
(``StoreConflict``); the load then plans again on the new state, a few times at most. A load
whose deletions a user confirmed is not re-planned: the user confirmed what they saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graph.derived import backfill
from graph.errors import ConfigError, GongzhiError, Issue, MergeConflicts, StoreConflict, ValidationFailed
from graph.provenance import is_app_source
from graph.records import WriteBatch
from graph.store import Store
from loaders.diff import plan_changes
from loaders.merge import Prefer
from loaders.read import read_input
from loaders.summary import LoadSummary
from loaders.template import drop_samples
from loaders.validate import validate
from loaders.warnings import membership_warnings

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages: ``read``, ``validate``, ``diff``, ``write``."""
Confirm = Callable[[LoadSummary], bool]
"""Asked before a plan that deletes anything is written; False writes nothing."""

ATTEMPTS = 3
"""How often a load plans again after another writer committed first."""


class PruneNotConfirmed(GongzhiError):
    """A prune that would delete items was not confirmed; nothing was written."""

    message_zh = "删除未经确认，未写入任何数据（确认无误后加 --yes 重新执行）"

    def __init__(self, summary: LoadSummary) -> None:
        super().__init__(
            f"the load would delete {summary.deletes} item(s); nothing was written (run again with --yes to delete them)"
        )
        self.summary = summary


@dataclass
class Plan:
    """What a load would write, and the store version it was planned on."""

    batch: WriteBatch
    summary: LoadSummary
    version: int


def default_source(path: Path) -> str:
    """A directory's name, or a single file's own name without its suffix (its stem): two
    files of one folder loaded one by one are two sources, and pruning one never touches
    what the other loaded."""
    resolved = path.resolve()
    return resolved.name if resolved.is_dir() else resolved.stem


def check_source(source: str) -> str:
    if not source.strip() or is_app_source(source):
        raise ConfigError(
            f"{source!r} cannot name a source (names starting with 'app:' are the app's own)",
            message_zh=f"“{source}”不能作为数据来源名称（以 app: 开头的名称为应用内修改保留）",
        )
    return source


def plan_load(
    store: Store,
    path: Path | str,
    *,
    source: str | None = None,
    prune: bool = False,
    accept_valid: bool = False,
    prefer: Prefer | None = None,
    skip_samples: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Read, validate and diff ``path`` against ``store``; nothing is written.

    ``skip_samples``: leave the template's sample rows out (noted in ``skipped``) instead of
    refusing them (``loaders.template``).
    """
    path = Path(path)
    source = check_source(source or default_source(path))
    version = store.version()  # before any read the plan depends on
    read = read_input(path, progress)
    samples: list[Issue] = []
    if skip_samples:
        read.tables, samples = drop_samples(read.tables)
    # an empty store has nothing to clash with, refer to, compare with or prune: no look-ups
    empty = store.is_empty()
    validated = validate(read.tables, source=source, store=None if empty else store, progress=progress)
    issues = [*read.issues, *validated.issues]
    if issues and not accept_valid:
        raise ValidationFailed(issues, notices=read.notices)
    summary = LoadSummary(
        source=source,
        path=str(path),
        issues=issues,
        skipped=[*samples, *validated.skipped],
        rows=validated.rows,
        pruned=prune and not issues,
        prune_skipped=prune and bool(issues),
    )
    summary.warnings = [*read.notices, *membership_warnings(validated, None if empty else store)]
    batch = plan_changes(
        None if empty else store,
        validated,
        summary,
        source=source,
        prune=summary.pruned,
        prefer=prefer,
        progress=progress,
    )
    return Plan(batch, summary, version)


def apply_plan(store: Store, plan: Plan, progress: Progress | None = None) -> LoadSummary:
    """Write a plan if it has no conflict and the store is still at its version."""
    if plan.summary.conflicts:
        raise MergeConflicts(plan.summary.conflicts)
    if progress is not None:
        progress("write", 0, 1)
    store.write(plan.batch, expect_version=plan.version)
    plan.summary.written = len(plan.batch)
    if progress is not None:
        progress("write", 1, 1)
    return plan.summary


def load(
    store: Store,
    path: Path | str,
    *,
    source: str | None = None,
    prune: bool = False,
    accept_valid: bool = False,
    prefer: Prefer | None = None,
    check: bool = False,
    confirm: Confirm | None = None,
    skip_samples: bool = False,
    progress: Progress | None = None,
) -> LoadSummary:
    """Load the tables of ``path`` (a directory or one CSV/XLSX file) into ``store``.

    ``check``: plan only and return the summary (``checked``), writing nothing.
    ``confirm``: asked with the summary before deleting anything; None deletes without asking
    (the CLI always passes one).

    First a store written before its derived properties were declared (or under older ones)
    gets them (``graph.derived.backfill``; one small read when it is up to date): the diff
    leaves unchanged items alone, so this is what gives an old store its values on a reload.
    """
    if not check:
        backfill(store)
    for attempt in range(ATTEMPTS):
        plan = plan_load(
            store,
            path,
            source=source,
            prune=prune,
            accept_valid=accept_valid,
            prefer=prefer,
            skip_samples=skip_samples,
            progress=progress,
        )
        if check:
            plan.summary.checked = True
            return plan.summary
        if plan.summary.conflicts:
            raise MergeConflicts(plan.summary.conflicts)
        confirmed = False
        if plan.summary.deletes and confirm is not None:
            if not confirm(plan.summary):
                raise PruneNotConfirmed(plan.summary)
            confirmed = True
        try:
            return apply_plan(store, plan, progress)
        except StoreConflict:
            if confirmed or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")

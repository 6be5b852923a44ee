"""``load``: read, validate, compare and write one input, all or nothing.

The steps, each a function of its own module::

    read_input      (loaders.read)      files -> raw tables
    validate        (loaders.validate)  raw tables -> records + every Issue
    plan_changes    (loaders.diff)      records vs. the store -> one WriteBatch
    store.write                         the batch, atomically

With any Issue nothing is written and ``ValidationFailed`` carries all of them, unless
``accept_valid``: then the valid rows (and only those not depending on an invalid row) are
loaded and the issues are reported in the summary; prune never runs on such a load.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graph.errors import ValidationFailed
from graph.store import Store
from loaders.diff import plan_changes
from loaders.read import read_input
from loaders.summary import LoadSummary
from loaders.validate import validate
from loaders.warnings import membership_warnings

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages: ``read``, ``validate``, ``diff``, ``write``."""


def default_source(path: Path) -> str:
    """The input directory's name (for a single file, the name of the directory it is in)."""
    resolved = path.resolve()
    return resolved.name if resolved.is_dir() else resolved.parent.name


def load(
    store: Store,
    path: Path | str,
    *,
    source: str | None = None,
    prune: bool = False,
    accept_valid: bool = False,
    progress: Progress | None = None,
) -> LoadSummary:
    """Load the tables of ``path`` (a directory or one CSV/XLSX file) into ``store``."""
    path = Path(path)
    source = source or default_source(path)
    read = read_input(path, progress)
    # an empty store has nothing to clash with, refer to, compare with or prune: no look-ups
    empty = store.is_empty()
    validated = validate(read.tables, source=source, store=None if empty else store, progress=progress)
    issues = [*read.issues, *validated.issues]
    if issues and not accept_valid:
        raise ValidationFailed(issues)
    summary = LoadSummary(
        source=source,
        path=str(path),
        issues=issues,
        skipped=validated.skipped,
        rows=validated.rows,
        pruned=prune and not issues,
        prune_skipped=prune and bool(issues),
    )
    summary.warnings = membership_warnings(validated, None if empty else store)
    batch = plan_changes(
        None if empty else store, validated, summary, source=source, prune=summary.pruned, progress=progress
    )
    if progress is not None:
        progress("write", 0, 1)
    store.write(batch)
    summary.written = len(batch)
    if progress is not None:
        progress("write", 1, 1)
    return summary

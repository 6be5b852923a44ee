"""The three-way merge of one item: what its source last loaded, the file now, the store now.

``decide`` is the whole rule, a pure function of three hashes and two sources, so that the
property-based test (tests/loaders/test_merge_model.py) can hold it against a model:

====================  ====================  =========================================
file since last load  store since last load outcome
====================  ====================  =========================================
unchanged             unchanged             unchanged: nothing written
changed               unchanged             the file's value is written
unchanged             changed in the app    the app's value stays ("kept")
changed               changed in the app    a conflict, unless ``prefer`` picks a side
====================  ====================  =========================================

"Last load" is the item's ``_base`` (``graph.provenance``). A file and an app that arrive at
the same value agree: nothing to merge. An item the app created that a file now also lists
differently is a conflict too (both changed from nothing), and so is an item of another file
source that the app changed since that source loaded it. An item another file source loaded
and nobody changed is taken over by this source (the newer file wins), as it always was.

Mutations (``app:<user>`` sources) always write: the user acts on what they see now; the
item keeps its owner and its ``_base``, so the next load of the owner's file knows the app
changed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.declare import SOURCE_PROPERTY
from graph.provenance import BASE_PROPERTY, BY_PROPERTY, HASH_PROPERTY, base_of, changed_in_app, is_app_source


class Prefer(StrEnum):
    """Which side wins a conflict, when the user says so (``--prefer``)."""

    FILE = "file"
    APP = "app"


class Outcome(StrEnum):
    UNCHANGED = "unchanged"
    WRITE = "write"
    KEEP = "keep"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    meta: dict[str, Any] | None = None
    """Meta properties to write: with the file's value on WRITE, else with the stored value
    (a metadata-only write: ownership taken over, ``_base`` moved on); None: write nothing."""
    resolved: bool = False
    """A conflict that ``prefer`` resolved (counted as a conflict in the summary, not refused)."""


def _owned_meta(source: str, current: str) -> dict[str, Any]:
    """Meta of an item whose value is what ``source`` last loaded."""
    return {SOURCE_PROPERTY: source, HASH_PROPERTY: current, BASE_PROPERTY: None, BY_PROPERTY: None}


def decide(source: str, new: str, current: str, stored: Mapping[str, Any], prefer: Prefer | None) -> Decision:
    """The outcome for an item that exists: ``new`` is the incoming value's hash, ``current``
    the stored value's, ``stored`` the stored properties (for their meta)."""
    owner = stored.get(SOURCE_PROPERTY)
    if is_app_source(source):
        if new == current:
            return Decision(Outcome.UNCHANGED)
        if is_app_source(owner) or not isinstance(owner, str):
            return Decision(Outcome.WRITE, {SOURCE_PROPERTY: owner if isinstance(owner, str) else source,
                                            HASH_PROPERTY: new, BASE_PROPERTY: None, BY_PROPERTY: None})
        base = base_of(stored) or current
        return Decision(Outcome.WRITE, {SOURCE_PROPERTY: owner, HASH_PROPERTY: new, BASE_PROPERTY: base,
                                        BY_PROPERTY: source})
    if new == current:
        tidy = owner == source and stored.get(HASH_PROPERTY) == new and BASE_PROPERTY not in stored
        return Decision(Outcome.UNCHANGED, None if tidy else _owned_meta(source, new))
    if owner == source:
        base = base_of(stored)
        if base is None or base == current:
            return Decision(Outcome.WRITE, _owned_meta(source, new))
        if base == new:
            return Decision(Outcome.KEEP)
    elif not is_app_source(owner) and not changed_in_app(stored):
        return Decision(Outcome.WRITE, _owned_meta(source, new))
    return _conflict(source, new, current, stored, prefer)


def settled(source: str, new: str, meta: Mapping[str, Any]) -> bool:
    """Whether an existing item is, by its meta alone, one ``decide`` leaves alone: ``source``
    (a file) loaded it with the value ``new`` and nobody wrote it since (no ``_base``, no
    ``_by``). Its stored value is then not read at all: the stored ``_hash`` stands for it.

    That is the one place the merge trusts ``_hash`` instead of hashing the stored item, and
    it is safe: every Gongzhi writer keeps ``_hash`` and ``_base`` true, and an edit made
    outside Gongzhi (Neo4j Browser) to such an item is not overwritten either, since nothing
    is written; the first load whose file changes the item reads and hashes its value, sees
    the edit and reports a conflict, as before (docs/architecture.md, "The write path")."""
    return (
        not is_app_source(source)
        and meta.get(SOURCE_PROPERTY) == source
        and meta.get(HASH_PROPERTY) == new
        and BASE_PROPERTY not in meta
        and BY_PROPERTY not in meta
    )


def _conflict(source: str, new: str, current: str, stored: Mapping[str, Any], prefer: Prefer | None) -> Decision:
    if prefer is Prefer.FILE:
        return Decision(Outcome.WRITE, _owned_meta(source, new), resolved=True)
    if prefer is Prefer.APP:
        # the app's value stays; this file's value becomes the base, so the next load of the
        # same file finds "file unchanged, app changed" and keeps it without asking again
        by = stored.get(BY_PROPERTY) or stored.get(SOURCE_PROPERTY)
        return Decision(
            Outcome.KEEP,
            {SOURCE_PROPERTY: source, HASH_PROPERTY: current, BASE_PROPERTY: new, BY_PROPERTY: by},
            resolved=True,
        )
    return Decision(Outcome.CONFLICT)


def decide_prune(stored: Mapping[str, Any], prefer: Prefer | None) -> Decision:
    """An item of the source that the file no longer has: deleted, unless the app changed it
    since the last load (a conflict; ``prefer app`` keeps it and hands it to the app user)."""
    if not changed_in_app(stored) or prefer is Prefer.FILE:
        return Decision(Outcome.WRITE, resolved=changed_in_app(stored))
    if prefer is Prefer.APP:
        by = stored.get(BY_PROPERTY)
        return Decision(
            Outcome.KEEP,
            {SOURCE_PROPERTY: by, HASH_PROPERTY: stored.get(HASH_PROPERTY), BASE_PROPERTY: None, BY_PROPERTY: None},
            resolved=True,
        )
    return Decision(Outcome.CONFLICT)


def with_meta(props: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` with ``meta`` applied (a None value removes that meta property)."""
    out = {k: v for k, v in props.items() if k not in meta}
    out.update({k: v for k, v in meta.items() if v is not None})
    return out

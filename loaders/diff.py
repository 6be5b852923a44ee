"""Step 3 of a load: compare the records with the store and plan one batch of changes.

Each record is *created* (not in the store), *unchanged*, *updated* (the file's value is
written), *kept* (the app changed the item since this source last loaded it, and the file
did not: the app's value stays) or a *conflict* (both changed; nothing is written unless
``prefer`` picks a side): the three-way merge of ``loaders.merge``. A node and the
relationships its REF columns make are one item (its hash covers the REF targets): when the
file's value of a node is written, a REF relationship the input no longer gives (the building
now belongs to another compound) is deleted; when the app's value is kept, they stay too.

The store is asked first for each item's meta only (``Store.fetch_meta``): an item this
source loaded with the file's value and nobody changed since (``merge.settled``) is unchanged
without its value being read; only the others are read whole and hashed (docs/architecture.md,
"The write path", says why an edit made outside Gongzhi is still never overwritten).

With ``prune``, the items of the source that the input no longer has are deleted too, for the
tables the input has rows for (an input of one file never empties the other tables, nor does
a template sheet left empty), with every relationship that goes with a deleted node; one the
app changed since the last load is a conflict instead. The summary lists what is deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from graph.declare import SOURCE_PROPERTY, Column, FieldType, NodeKind
from graph.errors import Issue, ValidationFailed
from graph.model import REL_KINDS, node_kind
from graph.privacy import mask
from graph.provenance import BY_PROPERTY, HASH_PROPERTY, node_hash, rel_hash
from graph.records import NodeRecord, RelRecord, StoredNode, StoredRel, WriteBatch
from graph.store import Store
from loaders.build import RecordKey, node_item_key
from loaders.collector import collector_paused
from loaders.lookup import CHUNK, chunks
from loaders.merge import Decision, Outcome, Prefer, decide, decide_prune, settled, with_meta
from loaders.names import any_of
from loaders.summary import Counts, LoadSummary, inline_key
from loaders.validate import Validated

Progress = Callable[[str, int, int], None]
_TABLE_OF_TYPE = {k.type: k.table for k in REL_KINDS}
_REL_KIND = {k.type: k for k in REL_KINDS}


class _Tick:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress("diff", self.done, self.total)


class _Planner:
    """One plan: the batch, the summary it counts into, and the merge settings."""

    def __init__(
        self, store: Store | None, validated: Validated, summary: LoadSummary, source: str, prefer: Prefer | None
    ) -> None:
        self.store, self.validated, self.summary = store, validated, summary
        self.source, self.prefer = source, prefer
        self.batch = WriteBatch()

    # ------------------------------------------------------------ outcomes

    def _count(self, counts: Counts, decision: Decision) -> None:
        if decision.resolved:
            counts.conflicts += 1
        if decision.outcome is Outcome.UNCHANGED:
            counts.unchanged += 1
        elif decision.outcome is Outcome.WRITE:
            counts.updated += 1
        elif decision.outcome is Outcome.KEEP:
            counts.kept += 1
        else:
            counts.conflicts += 1

    def _kept(self, key: RecordKey, stored: Mapping[str, Any]) -> None:
        item = self.validated.row_of.get(key)
        if item is None:
            return
        by = stored.get(BY_PROPERTY) or stored.get(SOURCE_PROPERTY) or "app"
        self.summary.kept.append(
            item.issue(
                None,
                f"kept: changed in the app ({by}) since the last load of this file; the file's row is unchanged",
                f"保留应用内的修改（{by}）：上次导入后在应用中修改过，文件中该行未变",
            )
        )

    def _conflict(self, key: RecordKey, columns: list[tuple[Column, object, object]], by: object) -> None:
        item = self.validated.row_of.get(key)
        if item is None:
            return
        for column, file_value, app_value in columns or [(None, None, None)]:
            header = None if column is None else item.table.header(column)
            value = None if column is None else f"文件 file: {_shown(column, file_value)} | 应用 app: {_shown(column, app_value)}"
            self.summary.conflicts.append(
                Issue(
                    item.table.file,
                    item.row.number,
                    header,
                    value,
                    f"changed both in the file and in the app ({by}) since the last load; "
                    "choose --prefer file or --prefer app",
                    f"上次导入后，文件和应用（{by}）都修改了此项；请用 --prefer file 或 --prefer app 选择",
                )
            )

    # ------------------------------------------------------------ nodes and their REF relationships

    def nodes(self, tick: _Tick) -> None:
        by_label: dict[str, list[NodeRecord]] = defaultdict(list)
        for record in self.validated.nodes:
            by_label[record.label].append(record)
        inline_wanted: dict[str, dict[str, RelRecord]] = defaultdict(dict)
        for rel in self.validated.rels:
            if rel.type not in _TABLE_OF_TYPE:
                inline_wanted[rel.from_id][rel.type] = rel
        for label, records in by_label.items():
            kind = node_kind(label)
            for start in range(0, len(records), CHUNK):
                part = records[start : start + CHUNK]
                meta = {} if self.store is None else self.store.fetch_meta(label, [r.id for r in part])
                quiet = {r.id for r in part if r.id in meta and settled(self.source, r.props[HASH_PROPERTY], meta[r.id])}
                # only what may change (or conflict) is read whole, with its REF relationships
                unsettled = [r.id for r in part if r.id in meta and r.id not in quiet]
                stored = self.store.fetch_nodes(label, unsettled) if self.store is not None and unsettled else {}
                stored_inline = self._stored_inline(kind, [i for i in unsettled if i in stored])
                for record in part:
                    wanted = inline_wanted.get(record.id, {})
                    if record.id in quiet:
                        self._count(self.summary.counts(kind.table), Decision(Outcome.UNCHANGED))
                        self._unchanged_inline(kind, wanted)
                    else:
                        self._node(kind, record, stored.get(record.id), stored_inline.get(record.id, {}), wanted)
                tick(len(part))

    def _unchanged_inline(self, kind: NodeKind, wanted: dict[str, RelRecord]) -> None:
        for rel in wanted.values():
            self.summary.counts(inline_key(kind, rel.type)).unchanged += 1

    def _stored_inline(self, kind: NodeKind, ids: Sequence[str]) -> dict[str, dict[str, StoredRel]]:
        out: dict[str, dict[str, StoredRel]] = defaultdict(dict)
        # once per type: two REF columns may make the same one (a compound's grid_id, community_id)
        for rel_type in dict.fromkeys(inline.type for inline in kind.inline_rels):
            for key, rel in _stored_rels(self.store, rel_type, kind.label, ids).items():
                out[rel.from_id][f"{rel_type}\x00{key}"] = rel
        return out

    def _node(
        self,
        kind: NodeKind,
        record: NodeRecord,
        old: StoredNode | None,
        old_inline: dict[str, StoredRel],
        wanted: dict[str, RelRecord],
    ) -> None:
        counts = self.summary.counts(kind.table)
        if old is None:
            counts.created += 1
            self.batch.new_nodes.append(record)
            for rel in wanted.values():
                self.summary.counts(inline_key(kind, rel.type)).created += 1
                self.batch.new_rels.append(rel)
            return
        old_refs = {k.split("\x00", 1)[0]: r.to_id for k, r in sorted(old_inline.items())}
        current = node_hash(old.labels, old.props, old_refs)
        decision = decide(self.source, record.props[HASH_PROPERTY], current, old.props, self.prefer)
        self._count(counts, decision)
        outcome = decision.outcome
        if outcome is Outcome.UNCHANGED:
            self._unchanged_inline(kind, wanted)
            if decision.meta is not None:
                self.batch.nodes.append(replace(record, props=with_meta(record.props, decision.meta)))
        elif outcome is Outcome.WRITE:
            assert decision.meta is not None
            self.batch.nodes.append(replace(record, props=with_meta(record.props, decision.meta)))
            self._write_inline(kind, wanted, old_inline, decision.meta[SOURCE_PROPERTY])
        elif outcome is Outcome.KEEP:
            self._kept(node_item_key(record.id), old.props)
            if decision.meta is not None:
                self.batch.nodes.append(
                    NodeRecord(record.label, old.labels, record.id, with_meta(old.props, decision.meta))
                )
        else:
            self._conflict(node_item_key(record.id), _node_differences(kind, record, wanted, old, old_refs),
                           old.props.get(BY_PROPERTY) or old.props.get(SOURCE_PROPERTY))

    def _write_inline(
        self, kind: NodeKind, wanted: dict[str, RelRecord], old_inline: dict[str, StoredRel], owner: str
    ) -> None:
        """The node's REF relationships as the written value has them (owned like the node)."""
        keep: set[str] = set()
        for rel in wanted.values():
            counts = self.summary.counts(inline_key(kind, rel.type))
            rel = replace(rel, props={**rel.props, SOURCE_PROPERTY: owner})
            index = f"{rel.type}\x00{rel.key}"
            keep.add(index)
            stored = old_inline.get(index)
            if stored is None:
                counts.created += 1
                self.batch.new_rels.append(rel)
            elif (stored.from_id, stored.to_id, stored.props) == (rel.from_id, rel.to_id, rel.props):
                counts.unchanged += 1
            else:
                counts.updated += 1
                self.batch.rels.append(rel)
        for index in sorted(old_inline.keys() - keep):
            rel_type, key = index.split("\x00", 1)
            self.batch.delete_rels.append((rel_type, key))
            self.summary.counts(inline_key(kind, rel_type)).deleted += 1

    # ------------------------------------------------------------ relationship tables

    def tabled(self, tick: _Tick) -> None:
        groups: dict[tuple[str, str], list[RelRecord]] = defaultdict(list)
        for record in self.validated.rels:
            if record.type in _TABLE_OF_TYPE:
                groups[(record.type, record.from_label)].append(record)
        for (rel_type, from_label), records in groups.items():
            counts = self.summary.counts(_TABLE_OF_TYPE[rel_type])
            meta = _stored_meta(self.store, from_label, sorted({r.from_id for r in records}), rel_type)
            quiet = {r.key for r in records if r.key in meta and settled(self.source, r.props[HASH_PROPERTY], meta[r.key])}
            stored = _stored_by_key(
                self.store, rel_type, sorted({r.key for r in records if r.key in meta and r.key not in quiet})
            )
            for record in records:
                if record.key in quiet:
                    self._count(counts, Decision(Outcome.UNCHANGED))
                else:
                    self._rel(counts, record, stored.get(record.key))
            tick(len(records))

    def _rel(self, counts: Counts, record: RelRecord, old: StoredRel | None) -> None:
        if old is None:
            counts.created += 1
            self.batch.new_rels.append(record)
            return
        current = rel_hash(old.from_id, old.to_id, old.props)
        decision = decide(self.source, record.props[HASH_PROPERTY], current, old.props, self.prefer)
        self._count(counts, decision)
        if decision.outcome in (Outcome.UNCHANGED, Outcome.WRITE):
            if decision.meta is not None:
                self.batch.rels.append(replace(record, props=with_meta(record.props, decision.meta)))
        elif decision.outcome is Outcome.KEEP:
            self._kept((record.type, record.key), old.props)
            if decision.meta is not None:
                self.batch.rels.append(
                    replace(record, from_id=old.from_id, to_id=old.to_id, props=with_meta(old.props, decision.meta))
                )
        else:
            kind = _REL_KIND[record.type]
            differences = [
                (c, record.props.get(c.name), old.props.get(c.name))
                for c in kind.columns
                if record.props.get(c.name) != old.props.get(c.name)
            ]
            self._conflict((record.type, record.key), differences,
                           old.props.get(BY_PROPERTY) or old.props.get(SOURCE_PROPERTY))

    # ------------------------------------------------------------ prune

    def prune(self) -> None:
        assert self.store is not None
        store, validated, summary = self.store, self.validated, self.summary
        stored_nodes, stored_rels = store.source_items(self.source)
        input_ids: dict[str, set[str]] = defaultdict(set)
        for node in validated.nodes:
            input_ids[node.label].add(node.id)
        input_keys: dict[str, set[str]] = defaultdict(set)
        for rel in validated.rels:
            input_keys[rel.type].add(rel.key)
        gone: dict[str, NodeKind] = {}
        deleting: set[tuple[str, str]] = set(self.batch.delete_rels)
        for label, ids in stored_nodes.items():
            kind = node_kind(label)
            if kind.table not in validated.tables:
                continue
            candidates = sorted(ids - input_ids[label])
            stored = store.fetch_nodes(label, candidates)
            for node_id in candidates:
                old = stored.get(node_id)
                if old is None:
                    continue
                decision = decide_prune(old.props, self.prefer)
                if decision.outcome is Outcome.WRITE:
                    gone[node_id] = kind
                    self.batch.delete_nodes.append((label, node_id))
                    summary.note_deleted(kind.table, node_id)
                    if decision.resolved:
                        summary.counts(kind.table).conflicts += 1
                else:
                    self._pruned_kept(kind.table, node_id, old.props, decision)
                    if decision.meta is not None:
                        self.batch.nodes.append(
                            NodeRecord(label, old.labels, node_id, with_meta(old.props, decision.meta))
                        )
            self._detached(label, [i for i in candidates if i in gone], deleting)
        _refuse_pruning_referenced(gone, validated)
        for rel_type, keys in stored_rels.items():
            table = _TABLE_OF_TYPE.get(rel_type)
            if table is None or table not in validated.tables:
                continue  # REF relationships go with their node (detached above, or rewritten)
            candidates = sorted(k for k in keys - input_keys[rel_type] if (rel_type, k) not in deleting)
            stored = store.fetch_rels_by_key(rel_type, candidates)
            for key in candidates:
                old = stored.get(key)
                if old is None:
                    continue
                decision = decide_prune(old.props, self.prefer)
                if decision.outcome is Outcome.WRITE:
                    deleting.add((rel_type, key))
                    self.batch.delete_rels.append((rel_type, key))
                    summary.note_deleted(table, key)
                    if decision.resolved:
                        summary.counts(table).conflicts += 1
                else:
                    self._pruned_kept(table, key, old.props, decision)
                    if decision.meta is not None:
                        kind = _REL_KIND[rel_type]
                        self.batch.rels.append(
                            RelRecord(
                                rel_type, key, _label_of(kind.from_column, old.from_id, store), old.from_id,
                                _label_of(kind.to_column, old.to_id, store), old.to_id,
                                with_meta(old.props, decision.meta),
                            )
                        )

    def _detached(self, label: str, ids: Sequence[str], deleting: set[tuple[str, str]]) -> None:
        """Count and list the relationships that go because their node goes."""
        assert self.store is not None
        for rel_type, from_label, key in self.store.attached_rels(label, ids):
            if (rel_type, key) in deleting:
                continue
            deleting.add((rel_type, key))
            table = _TABLE_OF_TYPE.get(rel_type) or inline_key(node_kind(from_label), rel_type)
            self.summary.note_deleted(table, key)

    def _pruned_kept(self, table: str, item: str, stored: Mapping[str, Any], decision: Decision) -> None:
        by = stored.get(BY_PROPERTY) or "app"
        counts = self.summary.counts(table)
        if decision.outcome is Outcome.KEEP:
            counts.kept += 1
            counts.conflicts += 1
            return
        counts.conflicts += 1
        self.summary.conflicts.append(
            Issue(
                self.source,
                None,
                table,
                item,
                f"no longer in the input, but changed in the app ({by}) since the last load: "
                "choose --prefer file (delete it) or --prefer app (keep it)",
                f"输入中已没有此项，但上次导入后在应用（{by}）中修改过：请用 --prefer file（删除）或 --prefer app（保留）选择",
            )
        )


def plan_changes(
    store: Store | None,
    validated: Validated,
    summary: LoadSummary,
    *,
    source: str,
    prune: bool,
    prefer: Prefer | None = None,
    progress: Progress | None = None,
) -> WriteBatch:
    """The batch that merges ``validated`` into the store; counts, kept items, conflicts and
    deletions go into ``summary``. A caller must not write a batch whose summary has
    conflicts (``loaders.load`` refuses it).

    ``store=None`` means an empty store: every record is new and nothing is asked.
    """
    planner = _Planner(store, validated, summary, source, prefer)
    tick = _Tick(progress, len(validated.nodes) + len(validated.rels))
    with collector_paused():  # the plan is as many small objects as validation makes
        planner.nodes(tick)
        planner.tabled(tick)
        tick(sum(1 for r in validated.rels if r.type not in _TABLE_OF_TYPE))
        if prune and store is not None:
            planner.prune()
    return planner.batch


def _stored_meta(store: Store | None, label: str, ids: Sequence[str], rel_type: str | None = None) -> dict[str, dict[str, Any]]:
    """``Store.fetch_meta`` in chunks (nothing in an empty store)."""
    meta: dict[str, dict[str, Any]] = {}
    if store is not None:
        for part in chunks(ids):
            meta.update(store.fetch_meta(label, part, rel_type))
    return meta


def _stored_by_key(store: Store | None, rel_type: str, keys: Sequence[str]) -> dict[str, StoredRel]:
    """``Store.fetch_rels_by_key`` in chunks (nothing in an empty store)."""
    stored: dict[str, StoredRel] = {}
    if store is not None:
        for part in chunks(keys):
            stored.update(store.fetch_rels_by_key(rel_type, part))
    return stored


def _stored_rels(store: Store | None, rel_type: str, from_label: str, from_ids: Sequence[str]) -> dict[str, StoredRel]:
    """The stored ``rel_type`` relationships leaving ``from_ids``, by key (none in an empty store)."""
    stored: dict[str, StoredRel] = {}
    if store is not None:
        for part in chunks(from_ids):
            stored.update(store.fetch_rels(rel_type, from_label, part))
    return stored


def _node_differences(
    kind: NodeKind, record: NodeRecord, wanted: dict[str, RelRecord], old: StoredNode, old_refs: dict[str, str]
) -> list[tuple[Column, object, object]]:
    """The columns whose file value differs from the stored (app) value."""
    refs = {inline.column: inline.type for inline in kind.inline_rels}
    out: list[tuple[Column, object, object]] = []
    for column in kind.columns:
        if column.type is FieldType.REF:
            rel_type = refs.get(column.name)
            mine = wanted[rel_type].to_id if rel_type in wanted else None
            theirs = old_refs.get(rel_type or "")
        else:
            mine, theirs = record.props.get(column.name), old.props.get(column.name)
        if mine != theirs:
            out.append((column, mine, theirs))
    return out


def _shown(column: Column, value: object) -> str:
    if value is None:
        return "（空 empty）"
    return str(mask(column, value))


def _label_of(column: Column, node_id: str, store: Store) -> str:
    """The base label of an existing node among a REF column's targets."""
    for label in column.ref:
        if store.find_ids(label, [node_id]):
            return label
    return column.ref[0]


def _refuse_pruning_referenced(gone: dict[str, NodeKind], validated: Validated) -> None:
    """A row may not refer to a node that the prune would delete."""
    issues = [
        Issue(
            file,
            row,
            header,
            node_id,
            f"refers to {node_id}, {any_of([kind.label])} of this source that the input no longer has "
            "and prune would delete",
            f"引用的 {node_id} 是本来源中的{kind.zh}，输入中已没有它，删除后将无法引用",
        )
        for node_id, kind in gone.items()
        for file, row, header in validated.store_refs.get(node_id, ())
    ]
    if issues:
        raise ValidationFailed(issues)


__all__ = ["Prefer", "plan_changes"]

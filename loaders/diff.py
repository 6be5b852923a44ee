"""Step 3 of a load: compare the records with the store and plan one batch of changes.

Each record is *created* (not in the store), *updated* (there, but with other labels,
properties or ends) or *unchanged*; only created and updated ones go into the batch, so
loading the same input twice writes nothing. A node of the input owns the relationships
its REF columns make: one it has in the store that the input no longer gives (the
building now belongs to another compound) is deleted.

With ``prune``, the items of the source that the input no longer has are deleted too, for
the tables the input has rows for: an input of one file never empties the other tables, nor
does a template sheet left empty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from graph.declare import NodeKind
from graph.errors import Issue, ValidationFailed
from graph.model import REL_KINDS, node_kind
from graph.records import NodeRecord, RelRecord, StoredNode, StoredRel, WriteBatch
from graph.store import Store
from loaders.lookup import CHUNK, chunks
from loaders.names import any_of
from loaders.summary import Counts, LoadSummary, inline_key
from loaders.validate import Validated

Progress = Callable[[str, int, int], None]
_TABLE_OF_TYPE = {k.type: k.table for k in REL_KINDS}


class _Tick:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress("diff", self.done, self.total)


def plan_changes(
    store: Store | None,
    validated: Validated,
    summary: LoadSummary,
    *,
    source: str,
    prune: bool,
    progress: Progress | None = None,
) -> WriteBatch:
    """The batch that makes the store hold ``validated``; counts go into ``summary``.

    ``store=None`` means an empty store: every record is new and nothing is asked.
    """
    batch = WriteBatch()
    tick = _Tick(progress, len(validated.nodes) + len(validated.rels))
    _diff_nodes(store, validated.nodes, summary, batch, tick)
    inline = [r for r in validated.rels if r.type not in _TABLE_OF_TYPE]
    tabled = [r for r in validated.rels if r.type in _TABLE_OF_TYPE]
    _diff_inline(store, validated.nodes, inline, summary, batch, tick)
    _diff_tabled(store, tabled, summary, batch, tick)
    if prune and store is not None:
        _prune(store, validated, summary, batch, source)
    return batch


def _same_node(record: NodeRecord, stored: StoredNode) -> bool:
    return set(record.labels) == set(stored.labels) and record.props == stored.props


def _same_rel(record: RelRecord, stored: StoredRel) -> bool:
    return (record.from_id, record.to_id) == (stored.from_id, stored.to_id) and record.props == stored.props


def _diff_nodes(
    store: Store | None, nodes: Sequence[NodeRecord], summary: LoadSummary, batch: WriteBatch, tick: _Tick
) -> None:
    by_label: dict[str, list[NodeRecord]] = defaultdict(list)
    for record in nodes:
        by_label[record.label].append(record)
    for label, records in by_label.items():
        counts = summary.counts(node_kind(label).table)
        for start in range(0, len(records), CHUNK):
            part = records[start : start + CHUNK]
            stored = {} if store is None else store.fetch_nodes(label, [r.id for r in part])
            for record in part:
                old = stored.get(record.id)
                if old is None:
                    counts.created += 1
                    batch.new_nodes.append(record)
                    continue
                if _same_node(record, old):
                    counts.unchanged += 1
                    continue
                counts.updated += 1
                batch.nodes.append(record)
            tick(len(part))


def _diff_inline(
    store: Store | None,
    nodes: Sequence[NodeRecord],
    rels: Sequence[RelRecord],
    summary: LoadSummary,
    batch: WriteBatch,
    tick: _Tick,
) -> None:
    """Relationships made by REF columns, including the stale ones of the input's nodes."""
    wanted: dict[tuple[str, str], dict[str, RelRecord]] = defaultdict(dict)
    for record in rels:
        wanted[(record.type, record.from_label)][record.key] = record
    ids_by_label: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        ids_by_label[node.label].append(node.id)
    for label, ids in ids_by_label.items():
        kind = node_kind(label)
        # once per type: two REF columns may make the same one (a compound's grid_id, community_id)
        for rel_type in dict.fromkeys(inline.type for inline in kind.inline_rels):
            new = wanted.get((rel_type, label), {})
            counts = summary.counts(inline_key(kind, rel_type))
            stored = _stored_rels(store, rel_type, label, ids)
            for key in stored.keys() - new.keys():
                batch.delete_rels.append((rel_type, key))
                counts.deleted += 1
            _classify_rels(new.values(), stored, counts, batch)
            tick(len(new))


def _diff_tabled(
    store: Store | None, rels: Sequence[RelRecord], summary: LoadSummary, batch: WriteBatch, tick: _Tick
) -> None:
    groups: dict[tuple[str, str], list[RelRecord]] = defaultdict(list)
    for record in rels:
        groups[(record.type, record.from_label)].append(record)
    for (rel_type, from_label), records in groups.items():
        counts = summary.counts(_TABLE_OF_TYPE[rel_type])
        stored = _stored_rels(store, rel_type, from_label, sorted({r.from_id for r in records}))
        _classify_rels(records, stored, counts, batch)
        tick(len(records))


def _stored_rels(store: Store | None, rel_type: str, from_label: str, from_ids: Sequence[str]) -> dict[str, StoredRel]:
    """The stored ``rel_type`` relationships leaving ``from_ids``, by key (none in an empty store)."""
    stored: dict[str, StoredRel] = {}
    if store is not None:
        for part in chunks(from_ids):
            stored.update(store.fetch_rels(rel_type, from_label, part))
    return stored


def _classify_rels(
    records: Iterable[RelRecord], stored: dict[str, StoredRel], counts: Counts, batch: WriteBatch
) -> None:
    for record in records:
        old = stored.get(record.key)
        if old is None:
            counts.created += 1
            batch.new_rels.append(record)
            continue
        if _same_rel(record, old):
            counts.unchanged += 1
            continue
        counts.updated += 1
        batch.rels.append(record)


def _prune(store: Store, validated: Validated, summary: LoadSummary, batch: WriteBatch, source: str) -> None:
    stored_nodes, stored_rels = store.source_items(source)
    input_ids: dict[str, set[str]] = defaultdict(set)
    for node in validated.nodes:
        input_ids[node.label].add(node.id)
    input_keys: dict[str, set[str]] = defaultdict(set)
    for rel in validated.rels:
        input_keys[rel.type].add(rel.key)
    gone: dict[str, NodeKind] = {}
    for label, ids in stored_nodes.items():
        kind = node_kind(label)
        if kind.table not in validated.tables:
            continue
        for node_id in sorted(ids - input_ids[label]):
            gone[node_id] = kind
            batch.delete_nodes.append((label, node_id))
            summary.counts(kind.table).deleted += 1
    _refuse_pruning_referenced(gone, validated)
    already = set(batch.delete_rels)
    for rel_type, keys in stored_rels.items():
        table = _TABLE_OF_TYPE.get(rel_type)
        for key in sorted(keys - input_keys[rel_type]):
            if (rel_type, key) in already:
                continue
            if table is not None:
                if table in validated.tables:
                    batch.delete_rels.append((rel_type, key))
                    summary.counts(table).deleted += 1
                continue
            owner = gone.get(key.split("|", 1)[0])
            if owner is not None:
                batch.delete_rels.append((rel_type, key))
                summary.counts(inline_key(owner, rel_type)).deleted += 1


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

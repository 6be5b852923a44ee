"""From valid rows to records: which rows are kept, and the NodeRecords and RelRecords they make.

A row is kept when it has no Issue, its table has all required columns, its id is not
defined twice, and nothing it refers to is left out (transitively: a building left out
leaves out its entrances, their residents, those residents' memberships...).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from graph.declare import KEY_PROPERTY, SOURCE_PROPERTY, NodeKind, RelKind, rel_key
from graph.derived import with_derived
from graph.errors import Issue
from graph.model import table as model_table
from graph.provenance import HASH_PROPERTY, node_hash, rel_hash
from graph.records import NodeRecord, RelRecord
from loaders.refs import IdIndex
from loaders.rows import RowItem
from loaders.rules import relationship_key


@dataclass
class Kept:
    rows: list[RowItem] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    """One Issue per valid row left out because of another row, saying which."""


def keep_valid(items: Sequence[RowItem], index: IdIndex) -> Kept:
    kept = Kept()
    dropped: set[int] = set()
    lost: deque[str] = deque()
    for position, item in enumerate(items):
        if item.issues or item.table.broken:
            dropped.add(position)
            if item.node_id is not None and index.first.get(item.node_id) is item:
                lost.append(item.node_id)
    position_of = {id(item): position for position, item in enumerate(items)}
    for node_id, repeats in index.repeats.items():
        first = index.first[node_id]
        position = position_of[id(first)]
        if position in dropped:
            continue
        dropped.add(position)
        kind = first.kind
        assert isinstance(kind, NodeKind)
        kept.skipped.append(
            first.issue(
                kind.id_column,
                f"row left out: its id is defined again at {repeats[0].where}",
                f"该行未导入：编号在 {repeats[0].where_zh} 重复",
            )
        )
        lost.append(node_id)
    referrers: dict[str, list[int]] = defaultdict(list)
    for position, item in enumerate(items):
        for _, target in item.refs():
            referrers[target].append(position)
    while lost:
        node_id = lost.popleft()
        for position in referrers.get(node_id, ()):
            if position in dropped:
                continue
            dropped.add(position)
            item = items[position]
            column = next(c for c, target in item.refs() if target == node_id)
            kept.skipped.append(
                item.issue(
                    column,
                    f"row left out: it refers to {node_id}, which is not loaded because of another problem",
                    f"该行未导入：引用的 {node_id} 因其他问题未导入",
                )
            )
            if item.node_id is not None:
                lost.append(item.node_id)
    kept.rows = [item for position, item in enumerate(items) if position not in dropped]
    return kept


@cache
def _property_names(table: str) -> tuple[str, ...]:
    """``NodeKind.property_columns`` by name (a property that builds its tuple on every call)."""
    kind = model_table(table)
    assert isinstance(kind, NodeKind)
    return tuple(c.name for c in kind.property_columns)


def node_record(item: RowItem, source: str) -> NodeRecord:
    kind = item.kind
    assert isinstance(kind, NodeKind) and item.node_id is not None
    values = item.values
    props: dict[str, object] = {
        name: value for name in _property_names(kind.table) if (value := values.get(name)) is not None
    }
    labels = kind.labels_for(props)
    refs = {
        inline.type: str(item.values[inline.column])
        for inline in kind.inline_rels
        if item.values.get(inline.column) is not None
    }
    props[SOURCE_PROPERTY] = source
    props[HASH_PROPERTY] = node_hash(labels, props, refs)
    # the one place every writer's node properties are assembled (loads, bulk loads, mutations):
    # derived values (graph/derived.py) are computed here, outside the hash
    return NodeRecord(kind.label, labels, item.node_id, with_derived(kind, props))


def inline_records(item: RowItem, source: str) -> list[RelRecord]:
    kind = item.kind
    assert isinstance(kind, NodeKind) and item.node_id is not None
    records = []
    for inline in kind.inline_rels:
        target = item.values.get(inline.column)
        if target is None:
            continue
        key = rel_key(item.node_id, str(target))
        records.append(
            RelRecord(
                inline.type,
                key,
                kind.label,
                item.node_id,
                item.targets[inline.column],
                str(target),
                {KEY_PROPERTY: key, SOURCE_PROPERTY: source},
            )
        )
    return records


def table_record(item: RowItem, source: str) -> RelRecord:
    kind = item.kind
    assert isinstance(kind, RelKind)
    key = item.key or relationship_key(item)
    assert key is not None
    props: dict[str, object] = {
        c.name: item.values[c.name] for c in kind.columns if item.values.get(c.name) is not None
    }
    from_id, to_id = str(item.values[kind.from_column.name]), str(item.values[kind.to_column.name])
    props[KEY_PROPERTY] = key
    props[SOURCE_PROPERTY] = source
    props[HASH_PROPERTY] = rel_hash(from_id, to_id, props)
    return RelRecord(
        kind.type,
        key,
        item.targets[kind.from_column.name],
        from_id,
        item.targets[kind.to_column.name],
        to_id,
        props,
    )


RecordKey = tuple[str, str]
"""``("node", id)`` for a node, ``(type, _key)`` for a relationship: what ``Built.rows`` is keyed by."""


def node_item_key(node_id: str) -> RecordKey:
    return ("node", node_id)


@dataclass
class Built:
    nodes: list[NodeRecord] = field(default_factory=list)
    rels: list[RelRecord] = field(default_factory=list)
    rows: dict[RecordKey, RowItem] = field(default_factory=dict)
    """The row each record was built from, so that a conflict can name file, row and column."""


def build_records(rows: Sequence[RowItem], source: str) -> Built:
    built = Built()
    for item in rows:
        if isinstance(item.kind, NodeKind):
            node = node_record(item, source)
            built.nodes.append(node)
            built.rows[node_item_key(node.id)] = item
            built.rels.extend(inline_records(item, source))
        else:
            rel = table_record(item, source)
            built.rels.append(rel)
            built.rows[(rel.type, rel.key)] = item
    return built

"""Ids across rows: duplicates, clashes with the store, and REF resolution.

Ids are unique across the whole graph, so one index holds the ids of every node table of
the input. A REF cell resolves to a node of the input or, failing that, of the store, and
the node's base label must be one the column allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from graph.declare import NodeKind
from graph.model import node_kind
from loaders.lookup import StoreLookup
from loaders.names import any_of
from loaders.rows import RowItem


@dataclass
class IdIndex:
    """The node rows of the input by id: the first row defining each id, and the ids defined twice."""

    first: dict[str, RowItem] = field(default_factory=dict)
    repeats: dict[str, list[RowItem]] = field(default_factory=dict)

    def label(self, node_id: str) -> str | None:
        item = self.first.get(node_id)
        return item.kind.label if item is not None and isinstance(item.kind, NodeKind) else None

    def label_among(self, node_id: str, allowed: Sequence[str]) -> str | None:
        """The label of the input node ``node_id``, preferring an allowed one when it is defined twice."""
        for item in self.repeats.get(node_id, ()):
            if isinstance(item.kind, NodeKind) and item.kind.label in allowed:
                return item.kind.label
        return self.label(node_id)


def labels_zh(labels: Sequence[str]) -> str:
    return "或".join(node_kind(label).zh for label in labels)


def labels_en(labels: Sequence[str]) -> str:
    """``a Compound or Grid``, ``an Entrance``."""
    return any_of(list(labels))


def index_ids(items: Sequence[RowItem]) -> IdIndex:
    """Index node rows by id; a repeated id is an Issue on every later row that defines it."""
    index = IdIndex()
    for item in items:
        node_id = item.node_id
        if node_id is None:
            continue
        first = index.first.get(node_id)
        if first is None:
            index.first[node_id] = item
            continue
        index.repeats.setdefault(node_id, []).append(item)
        kind = item.kind
        assert isinstance(kind, NodeKind)
        item.add_issue(
            kind.id_column,
            f"duplicate id: already used at {first.where} (ids are unique across all tables)",
            f"编号重复：已在 {first.where_zh} 使用（编号在所有表中唯一）",
        )
    return index


def check_store_clashes(index: IdIndex, lookup: StoreLookup) -> None:
    """An input id that the store already holds as a node of another kind is an Issue."""
    for node_id, stored in lookup.labels_of(index.first).items():
        label = index.label(node_id)
        if stored != label:
            item = index.first[node_id]
            kind = item.kind
            assert isinstance(kind, NodeKind)
            item.add_issue(
                kind.id_column,
                f"id already used by {labels_en([stored])} in the store (ids are unique across all kinds)",
                f"编号已被库中的{node_kind(stored).zh}使用（编号在所有类型中唯一）",
            )


def resolve_refs(items: Sequence[RowItem], index: IdIndex, lookup: StoreLookup) -> None:
    """Resolve every REF cell to the base label of its node, or record why it cannot be."""
    unresolved = {target for item in items for _, target in item.refs() if target not in index.first}
    in_store = lookup.labels_of(unresolved)
    where_en = "the input files or the store" if lookup.store is not None else "the input files"
    where_zh = "输入文件和库中" if lookup.store is not None else "输入文件中"
    for item in items:
        for column, target in item.refs():
            label = index.label_among(target, column.ref) or in_store.get(target)
            if label is None:
                item.add_issue(
                    column,
                    f"refers to {target}, but no {' or '.join(column.ref)} has that id in {where_en}",
                    f"引用的编号 {target} 不存在：{where_zh}没有此编号的{labels_zh(column.ref)}",
                )
            elif label not in column.ref:
                item.add_issue(
                    column,
                    f"refers to {target}, which is {labels_en([label])}; this column refers to {labels_en(column.ref)}",
                    f"引用的 {target} 是{node_kind(label).zh}，此列应引用{labels_zh(column.ref)}",
                )
            elif target == item.node_id:
                item.add_issue(column, "refers to its own row", "引用了本行自身")
            else:
                item.targets[column.name] = label

"""What validation asks the store, in chunks: which label an id has, a person's political
status, the building an entrance belongs to. Without a store every answer is "unknown"."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from graph.model import NODE_KINDS
from graph.records import StoredNode
from graph.store import Store

CHUNK = 5000


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class StoreLookup:
    """Cached, chunked questions to a store (or to none)."""

    def __init__(self, store: Store | None, chunk: int = CHUNK) -> None:
        self.store = store
        self.chunk = chunk
        self._labels: dict[str, str | None] = {}

    def labels_of(self, ids: Iterable[str]) -> dict[str, str]:
        """The base label of each of ``ids`` that exists in the store (of any kind).

        One question per base label (and chunk) for all the ids not yet known, however many
        there are; answers are cached.
        """
        ids = list(ids)
        wanted = sorted({i for i in ids if i not in self._labels})
        if self.store is not None and wanted:
            remaining = set(wanted)
            for kind in NODE_KINDS:
                if not remaining:
                    break
                # ``wanted`` is sorted: filtering it keeps the order without sorting again per kind
                for part in chunks([i for i in wanted if i in remaining], self.chunk):
                    for found in self.store.find_ids(kind.label, part):
                        self._labels[found] = kind.label
                        remaining.discard(found)
        for i in wanted:
            self._labels.setdefault(i, None)
        return {i: label for i in ids if (label := self._labels.get(i)) is not None}

    def nodes(self, label: str, ids: Iterable[str]) -> dict[str, StoredNode]:
        if self.store is None:
            return {}
        out: dict[str, StoredNode] = {}
        for part in chunks(sorted(set(ids)), self.chunk):
            out.update(self.store.fetch_nodes(label, part))
        return out

    def targets(self, rel_type: str, from_label: str, ids: Iterable[str]) -> dict[str, str]:
        """The node each of ``ids`` points at through ``rel_type`` (one target per node)."""
        if self.store is None:
            return {}
        out: dict[str, str] = {}
        for part in chunks(sorted(set(ids)), self.chunk):
            for rel in self.store.fetch_rels(rel_type, from_label, part).values():
                out[rel.from_id] = rel.to_id
        return out

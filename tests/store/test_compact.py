"""The embedded store's compact in-memory graph (graph/compact.py): the relationship index
derived from keys, interning, the snapshot's adjacency format and the format before it."""

from __future__ import annotations

import hashlib
import pickle
from datetime import date
from pathlib import Path

import pytest

from graph import embedded, snapshot
from graph.compact import full_key
from graph.embedded import EmbeddedStore
from graph.errors import StoreCorrupt
from graph.records import RelRecord, WriteBatch
from tests.store.test_conformance import place, rel, small_batch
from tests.store.test_journal import dump


def _odd(key: str, a: str, b: str, **props: object) -> RelRecord:
    """A relationship whose key does not start with its ends (the index keeps it explicitly)."""
    return RelRecord("PART_OF", key, "Building", a, "Compound", b, {"_key": key, "_source": "t", **props})


def _reopened(path: Path) -> EmbeddedStore:
    return EmbeddedStore(path, read_only=True)


@pytest.mark.parametrize("key", ["odd", "P1|B1", "B1|P2|x", "B1"])
def test_a_key_not_naming_its_ends_is_found_moved_and_removed(tmp_path: Path, key: str) -> None:
    store = EmbeddedStore(tmp_path)
    store.write(small_batch())
    store.write(WriteBatch(nodes=[place("Compound", "P2")], rels=[_odd(key, "B1", "P1", note=1)]))
    got = store.fetch_rels_by_key("PART_OF", [key])
    assert (got[key].from_id, got[key].to_id, got[key].props["note"]) == ("B1", "P1", 1)
    assert _reopened(tmp_path).fetch_rels_by_key("PART_OF", [key]) == got

    store.write(WriteBatch(rels=[_odd(key, "B2", "P2", note=2)]))  # same key, other ends: moved
    moved = store.fetch_rels_by_key("PART_OF", [key])[key]
    assert (moved.from_id, moved.to_id, moved.props["note"]) == ("B2", "P2", 2)
    assert not [r for r in store.fetch_rels("PART_OF", "Building", ["B1"]).values() if r.props.get("note")]
    assert dump(_reopened(tmp_path)) == dump(store)

    store.write(WriteBatch(delete_rels=[("PART_OF", key)]))
    assert store.fetch_rels_by_key("PART_OF", [key]) == {}
    assert store.stats().rel_types["PART_OF"] == 2
    assert dump(_reopened(tmp_path)) == dump(store)


def test_a_failed_batch_leaves_the_index_as_it_was(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    store.write(small_batch())
    keys = [r.key for r in small_batch().rels]
    before = {k: v for t in ("PART_OF", "LIVES_IN") for k, v in store.fetch_rels_by_key(t, keys).items()}
    bad = WriteBatch(
        delete_rels=[("PART_OF", keys[0])],
        rels=[_odd("odd", "B1", "P1"), rel("PART_OF", ("Building", "B1"), ("Compound", "NOPE"))],
    )
    with pytest.raises(Exception, match="NOPE"):
        store.write(bad)
    after = {k: v for t in ("PART_OF", "LIVES_IN") for k, v in store.fetch_rels_by_key(t, keys).items()}
    assert after == before
    assert store.fetch_rels_by_key("PART_OF", ["odd"]) == {}
    assert len(store._rel_index) == sum(store.stats().rel_types.values())


def test_equal_values_are_one_object_after_opening(tmp_path: Path) -> None:
    batch = small_batch()  # the first write is a snapshot; its two dates are two objects
    batch.rels.append(rel("MEMBER_OF", ("Person", "R2"), ("PartyOrg", "O1"), "x", since=date(2010, 1, 1)))
    EmbeddedStore(tmp_path).write(batch)
    with _reopened(tmp_path)._reader() as g:
        dates = [a["since"] for _, a in g.into("O1", "MEMBER_OF")]
        labels = [g.node(p)["_labels"] for p in ("B1", "B2")]
    assert len(dates) == 2 and dates[0] is dates[1]
    assert labels[0] is labels[1]


def _write_raw(path: Path, magic: bytes, data: object) -> None:
    payload = pickle.dumps(data)
    (path / embedded.SNAPSHOT).write_bytes(magic + hashlib.sha256(payload).digest() + payload)


@pytest.mark.parametrize("magic", [snapshot.MAGIC_2, snapshot.MAGIC_3], ids=["format-2", "format-3"])
def test_a_snapshot_in_a_format_before_opens_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, magic: bytes) -> None:
    """Formats 2 and 3 keyed a relationship ``(type, _key)`` and kept ``_key`` and ``_type``
    among its attributes (2 as an edge list): opened, they answer as today's format does."""
    current = tmp_path / "current"
    store = EmbeddedStore(current)
    store.write(small_batch())
    with store._reader() as g:
        nodes = {n: dict(a) for n, a in g.nx.nodes(data=True)}
        edges = [
            (u, v, (k[0], key), {**a, "_key": key, "_type": k[0]})
            for u, v, k, a in g.nx.edges(keys=True, data=True)
            for key in (full_key(u, v, k),)
        ]
    before = tmp_path / "before"
    before.mkdir()
    if magic == snapshot.MAGIC_2:
        data: dict[str, object] = {"nodes": nodes, "edges": edges, "version": store.version()}
    else:
        adj: dict[str, dict[str, dict[object, object]]] = {}
        for u, v, k, a in edges:
            adj.setdefault(u, {}).setdefault(v, {})[k] = a
        data = {"nodes": nodes, "adj": adj, "version": store.version()}
    _write_raw(before, magic, data)
    old = EmbeddedStore(before)
    assert dump(old) == dump(store)
    assert old.fetch_rels("PART_OF", "Building", ["B1"]) == store.fetch_rels("PART_OF", "Building", ["B1"])
    old.write(WriteBatch(nodes=[place("Building", "B8")]))  # a journal frame after the old snapshot
    assert dump(_reopened(before)) == dump(old)
    monkeypatch.setattr(embedded, "COMPACT_MIN_BYTES", 0)
    monkeypatch.setattr(embedded, "COMPACT_RATIO", 0.0)
    old.write(WriteBatch(nodes=[place("Building", "B9")]))  # a compaction: the current format
    assert (before / embedded.SNAPSHOT).read_bytes().startswith(snapshot.MAGIC)
    assert dump(_reopened(before)) == dump(old)
    assert old.stats().labels["Building"] == 4


@pytest.mark.parametrize(
    "adj",
    [{"X": {}}, {"B1": {"X": {("PART_OF", ""): {"_source": "t"}}}}],
    ids=["from", "to"],
)
def test_relationships_at_a_missing_node_are_reported(tmp_path: Path, adj: object) -> None:
    nodes = {"B1": {"id": "B1", "_labels": ("Building", "Place")}}
    _write_raw(tmp_path, snapshot.MAGIC, {"nodes": nodes, "adj": adj, "version": 1})
    with pytest.raises(StoreCorrupt, match="X, a node the snapshot lacks"):
        EmbeddedStore(tmp_path)

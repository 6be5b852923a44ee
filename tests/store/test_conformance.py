"""Store conformance: every test here runs on both stores (the ``store`` fixture) and holds
them to the same behaviour, the Neo4j one against the real server."""

from __future__ import annotations

from datetime import date

import pytest

from graph.declare import rel_key
from graph.errors import StoreError
from graph.query import Query
from graph.records import NodeRecord, RelRecord, WriteBatch
from graph.store import Store


def person(pid: str, status: str = "member", **extra: object) -> NodeRecord:
    labels = ("Person", "PartyMember") if status in ("member", "probationary") else ("Person",)
    props = {"id": pid, "name": "张三", "political_status": status, "_source": "t", **extra}
    return NodeRecord("Person", labels, pid, props)


def place(label: str, pid: str, **extra: object) -> NodeRecord:
    return NodeRecord(label, (label, "Place"), pid, {"id": pid, "name": pid, "_source": "t", **extra})


def rel(rtype: str, a: tuple[str, str], b: tuple[str, str], *key: object, **props: object) -> RelRecord:
    k = rel_key(a[1], b[1], key)
    return RelRecord(rtype, k, a[0], a[1], b[0], b[1], {"_key": k, "_source": "t", **props})


def small_batch() -> WriteBatch:
    return WriteBatch(
        nodes=[
            place("Compound", "P1", eligible_for_owners_committee=True),
            place("Building", "B1", residents=40),
            place("Building", "B2", residents=12),
            person("R1", joined_on=date(2001, 7, 1), in_service=True),
            person("R2", "masses"),
            NodeRecord(
                "PartyOrg",
                ("PartyOrg",),
                "O1",
                {"id": "O1", "name": "支部", "level": "branch", "_source": "t"},
            ),
        ],
        rels=[
            rel("PART_OF", ("Building", "B1"), ("Compound", "P1")),
            rel("PART_OF", ("Building", "B2"), ("Compound", "P1")),
            rel("LIVES_IN", ("Person", "R1"), ("Building", "B1")),
            rel("LIVES_IN", ("Person", "R2"), ("Building", "B2")),
            rel("MEMBER_OF", ("Person", "R1"), ("PartyOrg", "O1"), date(2010, 1, 1), since=date(2010, 1, 1)),
            rel("COVERS", ("PartyOrg", "O1"), ("Compound", "P1"), None),
        ],
    )


def test_empty_store_has_no_counts(store: Store) -> None:
    stats = store.stats()
    assert stats.labels == {}
    assert stats.rel_types == {}


def test_is_empty_until_a_node_is_written_and_again_after_clear(store: Store) -> None:
    assert store.is_empty()
    store.write(small_batch())
    assert not store.is_empty()
    store.clear()
    assert store.is_empty()


def test_new_items_are_created_like_upserts(store: Store) -> None:
    batch = small_batch()
    store.write(WriteBatch(new_nodes=batch.nodes, new_rels=batch.rels))
    created = store.stats()
    store.clear()
    store.write(batch)
    assert store.stats() == created


def test_write_then_read_back(store: Store) -> None:
    store.write(small_batch())
    stats = store.stats()
    assert stats.labels == {
        "Place": 3,
        "Compound": 1,
        "Building": 2,
        "Person": 2,
        "PartyMember": 1,
        "PartyOrg": 1,
    }
    assert stats.rel_types == {"PART_OF": 2, "LIVES_IN": 2, "MEMBER_OF": 1, "COVERS": 1}
    nodes = store.fetch_nodes("Person", ["R1", "R2", "R9"])
    assert set(nodes) == {"R1", "R2"}
    assert set(nodes["R1"].labels) == {"Person", "PartyMember"}
    assert nodes["R1"].props["joined_on"] == date(2001, 7, 1)
    assert nodes["R1"].props["in_service"] is True
    assert store.fetch_nodes("Building", ["B1"])["B1"].props["residents"] == 40
    assert store.find_ids("Building", ["B1", "B2", "P1", "nope"]) == {"B1", "B2"}
    rels = store.fetch_rels("MEMBER_OF", "Person", ["R1", "R2"])
    ((key, r),) = rels.items()
    assert (r.from_id, r.to_id) == ("R1", "O1")
    assert r.props["since"] == date(2010, 1, 1)
    assert r.props["_key"] == key


def test_upsert_is_idempotent(store: Store) -> None:
    store.write(small_batch())
    before = store.stats()
    store.write(small_batch())
    assert store.stats() == before


def test_update_replaces_properties_and_conditional_labels(store: Store) -> None:
    store.write(small_batch())
    store.write(WriteBatch(nodes=[person("R1", "masses")]))
    node = store.fetch_nodes("Person", ["R1"])["R1"]
    assert set(node.labels) == {"Person"}
    assert "joined_on" not in node.props  # replaced as a whole, not merged
    assert store.stats().labels.get("PartyMember", 0) == 0


def test_relationship_update_and_delete(store: Store) -> None:
    store.write(small_batch())
    r = rel(
        "MEMBER_OF",
        ("Person", "R1"),
        ("PartyOrg", "O1"),
        date(2010, 1, 1),
        since=date(2010, 1, 1),
        until=date(2020, 1, 1),
    )
    store.write(WriteBatch(rels=[r]))
    (stored,) = store.fetch_rels("MEMBER_OF", "Person", ["R1"]).values()
    assert stored.props["until"] == date(2020, 1, 1)
    store.write(WriteBatch(delete_rels=[("MEMBER_OF", r.key)]))
    assert store.fetch_rels("MEMBER_OF", "Person", ["R1"]) == {}
    assert store.stats().rel_types.get("MEMBER_OF", 0) == 0


def test_delete_node_detaches_it(store: Store) -> None:
    store.write(small_batch())
    store.write(WriteBatch(delete_nodes=[("Building", "B1")]))
    stats = store.stats()
    assert stats.labels["Building"] == 1
    assert stats.rel_types["PART_OF"] == 1
    assert stats.rel_types["LIVES_IN"] == 1


def test_failed_batch_writes_nothing(store: Store) -> None:
    store.write(small_batch())
    before = store.stats()
    bad = WriteBatch(
        nodes=[place("Building", "B3"), person("R1", "masses")],
        rels=[
            rel("PART_OF", ("Building", "B3"), ("Compound", "P1")),
            rel("LIVES_IN", ("Person", "R3"), ("Building", "B3")),  # R3 does not exist
        ],
        delete_nodes=[("Building", "B2")],
    )
    with pytest.raises(StoreError):
        store.write(bad)
    assert store.stats() == before
    assert set(store.fetch_nodes("Person", ["R1"])["R1"].labels) == {"Person", "PartyMember"}


def test_source_items(store: Store) -> None:
    batch = small_batch()
    batch.nodes.append(
        NodeRecord("Building", ("Building", "Place"), "B9", {"id": "B9", "name": "x", "_source": "other"})
    )
    store.write(batch)
    nodes, rels = store.source_items("t")
    assert nodes["Building"] == {"B1", "B2"}
    assert nodes["Person"] == {"R1", "R2"}
    assert rels["PART_OF"] == {rel_key("B1", "P1"), rel_key("B2", "P1")}
    other_nodes, other_rels = store.source_items("other")
    assert other_nodes == {"Building": {"B9"}}
    assert other_rels == {}


def test_clear(store: Store) -> None:
    store.write(small_batch())
    store.clear()
    assert store.stats().labels == {}


MEMBERS_OF_COMPOUND = Query(
    name="test_members_of_compound",
    cypher=(
        "MATCH (c:Compound {id: $compound})<-[:PART_OF]-(b:Building)<-[:LIVES_IN]-(p:PartyMember) "
        "RETURN p.id AS id, b.id AS building, p.joined_on AS joined ORDER BY id"
    ),
    networkx=lambda g, p: sorted(
        (
            {"id": person_id, "building": b, "joined": g.node(person_id).get("joined_on")}
            for b, _ in g.into(p["compound"], "PART_OF")
            if g.has_label(b, "Building")
            for person_id, _ in g.into(b, "LIVES_IN")
            if g.has_label(person_id, "PartyMember")
        ),
        key=lambda r: r["id"],
    ),
)


def test_run_query_returns_plain_values(store: Store) -> None:
    store.write(small_batch())
    assert store.run(MEMBERS_OF_COMPOUND, {"compound": "P1"}) == [
        {"id": "R1", "building": "B1", "joined": date(2001, 7, 1)}
    ]


def test_relationships_of_different_types_may_share_ends_and_key(store: Store) -> None:
    """A member's membership branch may also be their residence-side branch, from the same day."""
    store.write(small_batch())
    same_day = date(2010, 1, 1)
    store.write(
        WriteBatch(
            rels=[
                rel("REGISTERED_AT_RESIDENCE", ("Person", "R1"), ("PartyOrg", "O1"), same_day, since=same_day)
            ]
        )
    )
    assert store.stats().rel_types["MEMBER_OF"] == 1
    assert store.stats().rel_types["REGISTERED_AT_RESIDENCE"] == 1
    (membership,) = store.fetch_rels("MEMBER_OF", "Person", ["R1"]).values()
    (registration,) = store.fetch_rels("REGISTERED_AT_RESIDENCE", "Person", ["R1"]).values()
    assert membership.props["_key"] == registration.props["_key"]

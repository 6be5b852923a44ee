"""Behaviour of the Neo4j store beyond the conformance suite: atomic batches across UNWIND
chunks, URI schemes, error translation that never leaks secrets, Cypher text or values,
and driver values coming back as plain Python. All against the real server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from graph.declare import rel_key
from graph.errors import ConfigError, GongzhiError, StoreError, StoreUnavailable
from graph.neo4j_store import Neo4jStore
from graph.query import Query
from graph.records import NodeRecord, RelRecord, WriteBatch
from graph.settings import Settings
from graph.store import Store

pytestmark = pytest.mark.neo4j

ID_NUMBER = "420602198001011234"


def person(pid: str, status: str = "member") -> NodeRecord:
    labels = ("Person", "PartyMember") if status in ("member", "probationary") else ("Person",)
    props = {"id": pid, "name": "李四", "id_number": ID_NUMBER, "political_status": status, "_source": "t"}
    return NodeRecord("Person", labels, pid, props)


def org(oid: str) -> NodeRecord:
    return NodeRecord(
        "PartyOrg", ("PartyOrg",), oid, {"id": oid, "name": oid, "level": "branch", "_source": "t"}
    )


def member_of(pid: str, oid: str, since: dt.date = dt.date(2020, 1, 1)) -> RelRecord:
    key = rel_key(pid, oid, (since,))
    return RelRecord("MEMBER_OF", key, "Person", pid, "PartyOrg", oid, {"since": since, "_source": "t"})


def _neo4j_only(*_: object) -> list[dict[str, object]]:
    raise AssertionError("a Neo4j-only query")


def query(cypher: str) -> Query:
    return Query(name="test_neo4j_values", cypher=cypher, networkx=_neo4j_only)


@pytest.fixture
def neo(_neo4j_store: Store) -> Store:
    _neo4j_store.clear()
    return _neo4j_store


@pytest.fixture
def small_batches(neo: Store, neo4j_settings: Settings) -> Iterator[Store]:
    """A second store on the same server that sends two rows per UNWIND statement."""
    store = Neo4jStore(neo4j_settings.with_(batch_size=2))
    yield store
    store.close()


def test_batch_failing_in_a_late_chunk_rolls_back_earlier_chunks(small_batches: Store) -> None:
    store = small_batches
    store.write(WriteBatch(nodes=[person(f"R{i}") for i in range(5)] + [org("O1")]))
    before = store.stats()
    bad = WriteBatch(
        nodes=[person(f"R{i}", "masses") for i in range(5, 10)],
        rels=[member_of(f"R{i}", "O1") for i in range(10)] + [member_of("R404", "O1")],
        delete_nodes=[("Person", "R0")],
    )
    with pytest.raises(StoreError) as caught:
        store.write(bad)
    assert "MEMBER_OF (Person -> PartyOrg)" in caught.value.message
    assert store.stats() == before
    assert store.find_ids("Person", ["R0", "R5"]) == {"R0"}
    assert store.fetch_rels("MEMBER_OF", "Person", [f"R{i}" for i in range(10)]) == {}


def test_many_chunks_write_everything(small_batches: Store) -> None:
    store = small_batches
    store.write(WriteBatch(nodes=[person(f"R{i}") for i in range(7)] + [org("O1")]))
    store.write(WriteBatch(rels=[member_of(f"R{i}", "O1") for i in range(7)]))
    stats = store.stats()
    assert stats.labels["Person"] == 7 and stats.labels["PartyMember"] == 7
    assert stats.rel_types == {"MEMBER_OF": 7}
    assert len(store.find_ids("Person", [f"R{i}" for i in range(9)])) == 7


def test_new_items_are_created_and_a_new_node_that_exists_fails_the_whole_batch(small_batches: Store) -> None:
    store = small_batches
    store.write(WriteBatch(new_nodes=[person(f"R{i}") for i in range(5)] + [org("O1")]))
    store.write(WriteBatch(new_rels=[member_of(f"R{i}", "O1") for i in range(5)]))
    assert store.stats().rel_types == {"MEMBER_OF": 5}
    before = store.stats()
    # R3 is not new after all: the id's uniqueness constraint refuses the second copy
    clash = WriteBatch(new_nodes=[person("R9"), person("R3")], new_rels=[member_of("R9", "O1")])
    with pytest.raises(StoreError):
        store.write(clash)
    assert store.stats() == before
    assert store.find_ids("Person", ["R9"]) == set()


def test_a_new_relationship_to_a_missing_node_fails_the_whole_batch(small_batches: Store) -> None:
    store = small_batches
    store.write(WriteBatch(new_nodes=[person("R1"), org("O1")]))
    with pytest.raises(StoreError) as caught:
        store.write(WriteBatch(new_nodes=[person("R2")], new_rels=[member_of("R1", "O1"), member_of("R404", "O1")]))
    assert "MEMBER_OF (Person -> PartyOrg)" in caught.value.message
    assert store.find_ids("Person", ["R2"]) == set()
    assert store.fetch_rels("MEMBER_OF", "Person", ["R1"]) == {}


def test_a_batch_too_big_for_transaction_memory_fails_once_without_retry(
    neo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neo4j calls running out of transaction memory transient, so the driver would run the
    whole batch again. Community cannot lower the memory limit at run time, so the server's
    failure is injected at the driver's ``run``, with the code the server sends; the
    transaction around it is real and is rolled back."""
    from neo4j import ManagedTransaction
    from neo4j.exceptions import Neo4jError

    code = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
    assert Neo4jError._hydrate_neo4j(code=code, message="m").is_retryable()
    real_run = ManagedTransaction.run
    calls = {"n": 0}

    def run(self: ManagedTransaction, query: str, parameters: object = None, **kw: object) -> object:
        if "CREATE" in query and "Person" in query:
            calls["n"] += 1
            raise Neo4jError._hydrate_neo4j(code=code, message="the transaction pool is full")
        return real_run(self, query, parameters, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(ManagedTransaction, "run", run)
    with pytest.raises(StoreError) as caught:
        neo.write(WriteBatch(new_nodes=[org("O1"), person("R1")]))
    monkeypatch.undo()
    assert calls["n"] == 1
    assert "NEO4J_HEAP" in caught.value.message and "MemoryPoolOutOfMemoryError" in caught.value.message
    assert neo.find_ids("PartyOrg", ["O1"]) == set()


def test_large_writes_drop_cached_plans_and_small_ones_keep_them(
    neo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plans compiled on a small graph, and index samples taken on it, can outlive a large load
    (BENCHMARKS.md), so a write of ``REPLAN_AFTER_ITEMS`` or more resamples and replans."""
    from graph import neo4j_store

    store: Neo4jStore = neo  # type: ignore[assignment]
    # the procedure exists on the real server and this user may call it
    assert store._replan() == neo4j_store.PREPARE_FOR_REPLANNING
    calls: list[int] = []
    monkeypatch.setattr(store, "_replan", lambda: calls.append(1))
    monkeypatch.setattr(neo4j_store, "REPLAN_AFTER_ITEMS", 5)
    store.write(WriteBatch(new_nodes=[person(f"R{i}") for i in range(4)]))
    assert calls == []
    store.write(WriteBatch(new_nodes=[person(f"R{i}") for i in range(4, 9)]))
    assert calls == [1]


def test_a_user_who_may_not_resample_still_drops_plans(neo: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph import neo4j_store

    store: Neo4jStore = neo  # type: ignore[assignment]
    monkeypatch.setattr(neo4j_store, "PREPARE_FOR_REPLANNING", "CALL db.noSuchProcedure()")
    assert store._replan() == neo4j_store.CLEAR_QUERY_CACHES
    monkeypatch.setattr(neo4j_store, "CLEAR_QUERY_CACHES", "CALL db.noSuchProcedureEither()")
    assert store._replan() is None  # best effort: the write itself has succeeded


def test_a_key_moved_to_other_ends_leaves_one_relationship(neo: Store) -> None:
    neo.write(WriteBatch(nodes=[person("R1"), org("O1"), org("O2")], rels=[member_of("R1", "O1")]))
    moved = member_of("R1", "O2")
    moved = RelRecord(moved.type, member_of("R1", "O1").key, "Person", "R1", "PartyOrg", "O2", moved.props)
    neo.write(WriteBatch(rels=[moved]))
    ((key, stored),) = neo.fetch_rels("MEMBER_OF", "Person", ["R1"]).items()
    assert (key, stored.to_id) == (moved.key, "O2")


def test_undeclared_labels_are_refused_before_reaching_cypher(neo: Store) -> None:
    with pytest.raises(StoreError):
        neo.fetch_nodes("Person) DETACH DELETE n //", ["R1"])
    with pytest.raises(StoreError):
        neo.write(WriteBatch(nodes=[NodeRecord("Person", ("Person", "Admin"), "R1", {"id": "R1"})]))
    with pytest.raises(StoreError):
        neo.write(WriteBatch(delete_rels=[("KNOWS", "a|b")]))
    assert neo.stats().labels == {}


def test_values_come_back_as_plain_python(neo: Store) -> None:
    rows = neo.run(
        query(
            "RETURN date($d) AS d, [date('2021-02-03'), 1] AS l, "
            "{inner: {when: date('2022-03-04')}, n: 2} AS m, "
            "datetime('2021-01-01T08:00:00Z') AS t, duration({days: 2}) AS span, $nothing AS nothing"
        ),
        {"d": "2020-01-02", "nothing": None},
    )
    assert rows == [
        {
            "d": dt.date(2020, 1, 2),
            "l": [dt.date(2021, 2, 3), 1],
            "m": {"inner": {"when": dt.date(2022, 3, 4)}, "n": 2},
            "t": dt.datetime(2021, 1, 1, 8, tzinfo=dt.UTC),
            "span": dt.timedelta(days=2),
            "nothing": None,
        }
    ]
    assert type(rows[0]["d"]) is dt.date


def test_dates_and_sets_go_in_as_parameters(neo: Store) -> None:
    rows = neo.run(
        query("RETURN $d < date('2020-01-01') AS before, size($ids) AS n"),
        {"d": dt.date(2019, 12, 31), "ids": {"a", "b"}},
    )
    assert rows == [{"before": True, "n": 2}]


def _assert_clean(error: GongzhiError, *secrets: str) -> None:
    text = str(error)
    assert "\n" not in text
    for secret in secrets:
        assert secret not in text
    assert error.__cause__ is None and error.__suppress_context__


def test_query_errors_name_the_query_but_not_its_text_or_values(neo: Store) -> None:
    with pytest.raises(StoreError) as caught:
        neo.run(query("RETURN date($v) AS d"), {"v": ID_NUMBER})
    _assert_clean(caught.value, ID_NUMBER, "RETURN", "date(")
    assert "test_neo4j_values" in str(caught.value)
    assert "Neo.ClientError" in str(caught.value)
    with pytest.raises(StoreError) as caught:
        neo.run(query("RETURN $v +"), {"v": ID_NUMBER})
    _assert_clean(caught.value, ID_NUMBER, "RETURN")


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_plain_and_routing_schemes_connect(neo4j_settings: Settings, scheme: str) -> None:
    _, rest = neo4j_settings.neo4j_uri.split("://", 1)
    with Neo4jStore(neo4j_settings.with_(neo4j_uri=f"{scheme}://{rest}")) as store:
        store.ping()
        assert store.run(query("RETURN 1 AS one")) == [{"one": 1}]


def test_tls_scheme_is_accepted_and_a_plain_server_is_unavailable(neo4j_settings: Settings) -> None:
    _, rest = neo4j_settings.neo4j_uri.split("://", 1)
    with (
        Neo4jStore(neo4j_settings.with_(neo4j_uri=f"neo4j+s://{rest}")) as store,
        pytest.raises(StoreUnavailable),
    ):
        store.ping()


def test_unknown_scheme_is_a_config_error(neo4j_settings: Settings) -> None:
    with pytest.raises(ConfigError) as caught:
        Neo4jStore(neo4j_settings.with_(neo4j_uri="http://127.0.0.1:7474"))
    assert "'http'" in str(caught.value)
    with pytest.raises(ConfigError):
        Neo4jStore(neo4j_settings.with_(neo4j_uri="bolt://127.0.0.1:port"))


def test_wrong_password_is_unavailable_and_not_echoed(neo4j_settings: Settings) -> None:
    wrong = "not-the-Password-42"
    store = Neo4jStore(neo4j_settings.with_(neo4j_password=SecretStr(wrong)))
    with store, pytest.raises(StoreUnavailable) as caught:
        store.ping()
    real = neo4j_settings.neo4j_password.get_secret_value()
    _assert_clean(caught.value, wrong, real)
    assert "credentials" in str(caught.value)


def test_unreachable_server_is_unavailable(neo4j_settings: Settings) -> None:
    store = Neo4jStore(neo4j_settings.with_(neo4j_uri="bolt://127.0.0.1:1"))
    with store, pytest.raises(StoreUnavailable) as caught:
        store.ping()
    _assert_clean(caught.value, neo4j_settings.neo4j_password.get_secret_value())


def test_a_read_past_the_query_timeout_is_ended_by_the_server(neo: Store, neo4j_settings: Settings) -> None:
    """GONGZHI_QUERY_TIMEOUT: the server ends a read that runs too long (a request's deadline
    only stops new store calls), and the error says so without Cypher or values."""
    slow = query("UNWIND range(1, 100000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n")
    store = Neo4jStore(neo4j_settings.with_(query_timeout=0.2))
    try:
        with pytest.raises(StoreError) as caught:
            store.run(slow)
        assert "GONGZHI_QUERY_TIMEOUT" in caught.value.message and "UNWIND" not in caught.value.message
        assert store.run(query("RETURN 1 AS n")) == [{"n": 1}]  # the store still answers
    finally:
        store.close()

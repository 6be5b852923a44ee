"""Hostile documents are refused before execution: not one store call is made for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.store import Store
from tests.api.client import Api
from tests.api.test_graphql_types import Counting


@pytest.fixture
def api(street_store: Store, tmp_path: Path) -> tuple[Api, Counting]:
    counting = Counting(street_store)
    return Api(counting, tmp_path), counting


def refused(api: Api, counting: Counting, document: str, *, status: int = 200) -> str:
    token = api.token("C-0001")
    counting.calls = 0
    r = api.post(document, token=token)
    assert r.status_code == status, r.text
    assert counting.calls == 0, "the store was asked"
    if status != 200:
        return r.text
    body = r.json()
    assert body.get("data") is None, body
    return " ".join(e["message"] for e in body["errors"])


def test_deep_nesting(api: tuple[Api, Counting]) -> None:
    deep = "parent { " * 15 + "key" + " }" * 15
    message = refused(*api, '{ node(id: "B-000001") { ... on Building { ' + deep + " } } }")
    assert "depth" in message


def test_alias_flood(api: tuple[Api, Counting]) -> None:
    flood = " ".join(f"a{i}: me {{ user }}" for i in range(200))
    assert "aliases" in refused(*api, "{ " + flood + " }")


def test_circular_fragments(api: tuple[Api, Counting]) -> None:
    doc = """query { ...A }
    fragment A on Query { me { user } ...B }
    fragment B on Query { buildings { totalCount } ...A }"""
    assert "within itself" in refused(*api, doc)


def test_huge_token_counts(api: tuple[Api, Counting]) -> None:
    doc = "{ me { " + " ".join(["user"] * 5000) + " } }"
    assert "tokens" in refused(*api, doc)


def test_huge_bodies(api: tuple[Api, Counting]) -> None:
    doc = "{ me { user } }" + " " * (128 * 1024)
    refused(*api, doc, status=413)


def test_batching(api: tuple[Api, Counting]) -> None:
    a, counting = api
    counting.calls = 0
    batch = [{"query": "{ buildings { totalCount } }"}] * 50
    r = a.client.post("/graphql", json=batch, headers={"Authorization": f"Bearer {a.token('C-0001')}"})
    assert r.status_code == 400 and counting.calls == 0


def test_page_size_over_the_cap(api: tuple[Api, Counting]) -> None:
    assert "between 0 and 100" in refused(*api, "{ buildings(first: 500) { totalCount } }")
    assert "too expensive" in refused(*api, "{ buildings(first: 100000) { totalCount } }")


def test_nested_pages_that_multiply(api: tuple[Api, Counting]) -> None:
    """Members, their orgs, the orgs' members, their orgs, their members: each step priced by
    the data's fan-out (tests/api/test_cost_from_data.py), the product still far over."""
    chain = "memberships(first: N) { nodes { members(first: N) { nodes { key } } } }"
    doc = "{ members(first: 100) { nodes { " + chain.replace("key", chain).replace("N", "100") + " } } }"
    assert "too expensive" in refused(*api, doc)
    doc = "query($n: Int) { members(first: $n) { nodes { " + chain.replace("key", chain).replace("N", "$n") + " } } }"
    assert "too expensive" in refused(*api, doc)


def test_introspection_in_production(api: tuple[Api, Counting]) -> None:
    assert "introspection" in refused(*api, "{ __schema { types { name } } }").lower()


def test_an_ordinary_query_does_reach_the_store(api: tuple[Api, Counting]) -> None:
    a, counting = api
    counting.calls = 0
    assert a.ask("{ buildings(first: 5) { totalCount } }")["buildings"]["totalCount"] > 0
    assert counting.calls > 0


def test_lists_of_ids_count_in_the_cost(api: tuple[Api, Counting]) -> None:
    ids = ", ".join(f'"R-{i:06d}"' for i in range(100))
    doc = "{ nodes(ids: [" + ids + """]) { ... on Person { memberships(first: 100) { nodes {
      members(first: 100) { nodes { memberships(first: 100) { nodes {
      members(first: 100) { nodes { key } } } } } } } } } } }"""
    assert "too expensive" in refused(*api, doc)

"""The HTTP app: health checks, tokens (401), GraphiQL and introspection only in development,
no batching, and errors that never show stack traces, Cypher or personal data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.query import Query
from graph.store import Store
from tests.api.client import Api

INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.fixture
def api(street_store: Store, tmp_path: Path) -> Api:
    return Api(street_store, tmp_path)


def test_health_and_readiness(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    r = api.client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"


def test_every_request_needs_a_valid_token(api: Api) -> None:
    assert api.post("{ me { user } }").status_code == 401
    assert api.post("{ me { user } }", token="gz_nope_nope").status_code == 401
    r = api.client.post("/graphql", json={"query": "{ me { user } }"}, headers={"Authorization": "Basic abc"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    token = api.token("CM-0001", "viewer")
    assert api.post("{ me { user role } }", token=token).json()["data"]["me"]["role"] == "viewer"
    token_id = token.split("_")[1]
    api.tokens.revoke(token_id)
    assert api.post("{ me { user } }", token=token).status_code == 401


def test_production_mode_has_no_graphiql_and_no_introspection(api: Api) -> None:
    page = api.client.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    body = api.post(INTROSPECTION, token=api.token("C-0001")).json()
    assert body.get("data") is None and "introspection" in body["errors"][0]["message"].lower()
    assert api.client.get("/stats").status_code == 404


def test_development_mode_serves_graphiql_and_introspection(street_store: Store, tmp_path: Path) -> None:
    api = Api(street_store, tmp_path, dev=True)
    page = api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert api.ask(INTROSPECTION)["__schema"]["queryType"]["name"] == "Query"
    assert api.client.get("/stats").status_code == 200


def test_batching_is_refused(api: Api) -> None:
    batch = [{"query": "{ me { user } }"}, {"query": "{ me { role } }"}]
    r = api.client.post("/graphql", json=batch, headers={"Authorization": f"Bearer {api.token('C-0001')}"})
    assert r.status_code == 400


def test_mutations_are_refused_over_get(api: Api) -> None:
    r = api.client.get(
        "/graphql",
        params={"query": "mutation { endDualReport(reporter: \"x\", community: \"y\", on: \"2024-01-01\") { __typename } }"},
        headers={"Authorization": f"Bearer {api.token('C-0001')}"},
    )
    assert r.status_code in (400, 405)


class Exploding(Store):
    """A store whose reads fail the way a bug would, with Cypher and a phone in the message."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.kind = inner.kind

    def run(self, query: Query, params: Any = None) -> Any:
        if query.name == "api.list.buildings":
            raise RuntimeError("MATCH (p:Person {phone: '13800001234'}) RETURN p -- Traceback line 1")
        return self.inner.run(query, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    ping = close = apply_schema = find_ids = fetch_nodes = fetch_rels = fetch_meta = fetch_rels_by_key = source_items = (
        attached_rels
    ) = version = write = select = stats = degrees = is_empty = clear = (
        lambda self, *a, **k: None
    )


def test_errors_are_masked(street_store: Store, tmp_path: Path) -> None:
    api = Api(Exploding(street_store), tmp_path)
    body = api.post("{ buildings { totalCount } }", token=api.token("C-0001")).json()
    text = str(body)
    assert body["errors"][0]["message"] == "内部错误 / internal error"
    for leak in ("MATCH", "13800001234", "Traceback", "RuntimeError"):
        assert leak not in text


def test_client_errors_are_shown(api: Api) -> None:
    body = api.post('{ buildings(after: "bm9wZQ") { totalCount } }', token=api.token("C-0001")).json()
    assert "invalid cursor" in body["errors"][0]["message"]
    body = api.post("{ buildings { totalCount nope } }", token=api.token("C-0001")).json()
    assert "nope" in body["errors"][0]["message"]


def test_graphql_response_media_type(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.token('C-0001')}", "Accept": "application/graphql-response+json"}
    ok = api.client.post("/graphql", json={"query": "{ me { role } }"}, headers=headers)
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("application/graphql-response+json")
    assert ok.json()["data"]["me"]["role"] == "organizer"
    bad = api.client.post("/graphql", json={"query": "{ me { "}, headers=headers)
    assert bad.status_code == 400 and "data" not in bad.json() and bad.json()["errors"]
    plain = api.client.post("/graphql", json={"query": "{ me { "}, headers={**headers, "Accept": "application/json"})
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("application/json")


def test_several_operations_need_a_name_and_own_refusals_keep_both_languages(api: Api) -> None:
    """Two operations and no ``operationName``: refused (GraphQL's GetOperation), not the first
    run; with the name, that one runs. Gongzhi's own refusals (this one, the cost limit) keep
    their Chinese half; a name typed bare into a document is not echoed as its code point."""
    token = api.token("S-0001", "organizer")
    doc = "query A { me { user } } query B { me { role } }"
    body = api.post(doc, {}, token).json()
    assert body["data"] is None and body["errors"][0]["message"].startswith("请求含多个操作"), body
    named = api.client.post(
        "/graphql", json={"query": doc, "operationName": "B"}, headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert named == {"data": {"me": {"role": "organizer"}}}
    costly = api.post("{ buildings(first: 1000) { nodes { residents { nodes { key } } } } }", {}, token).json()
    assert "too expensive" in costly["errors"][0]["message"] and "查询开销估计为" in costly["errors"][0]["message"]
    bare = api.post("{ 欧阳娜娜 }", {}, token).json()["errors"][0]["message"]
    assert "6B27" not in bare and "欧" not in bare and bare.startswith("Syntax Error")

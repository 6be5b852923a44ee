"""Hostile GraphQL shapes and malformed requests, generated (well over 100), on both stores.

Each shape is sent as it is and must end cleanly, before the store is asked anything:

* a 4xx status, or 200 with ``errors`` and no ``data`` (refused before execution), never a
  500, never ``internal error`` (a refusal is the client's mistake and says so);
* a GraphQL error body: ``{"errors": [{"message": <text>}, ...]}``;
* no value the request carried is echoed back (the personal values planted in it: a name, a
  phone, an ID number);
* the store's counts unchanged (nothing executed, nothing written).

Shapes: depth, alias floods, fragment cycles and fan-outs, directives, huge lists, wrong
types (with personal values in them), introspection in production, unknown operations, and
malformed bodies (invalid UTF-8 in the body or inside the query, lone surrogates, bare
``null``/numbers/strings, a 10,000-deep array, batches, wrong field types).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from graph.settings import Settings
from graph.store import Store, open_store
from tests.api.client import Api
from tests.api.test_graphql_types import Counting
from tests.conftest import STORE_KINDS

NAME, PHONE, ID_NUMBER = "欧阳铭远", "13987654321", "420602199203154417"
PERSONAL = (NAME, PHONE, ID_NUMBER)
PERSON = f'name: "{NAME}", phone: "{PHONE}", idNumber: "{ID_NUMBER}", politicalStatus: MASSES, building: "B-000001"'
REGISTER = "mutation($p: PersonInput!) { registerPerson(person: $p) { __typename } }"


@dataclass(frozen=True)
class Shape:
    name: str
    document: str | None = None  # sent as {"query": document, "variables": variables}
    variables: dict[str, Any] | None = None
    body: bytes | None = None  # sent raw instead
    method: str = "POST"
    query_string: str = ""


def shapes() -> Iterator[Shape]:
    for depth in range(13, 43, 2):  # 15
        deep = "parent { " * depth + "key" + " }" * depth
        yield Shape(f"depth-{depth}", '{ node(id: "B-000001") { ... on Building { ' + deep + " } } }")
    for n in range(31, 331, 20):  # 15
        yield Shape(f"aliases-{n}", "{ " + " ".join(f"a{i}: me {{ user }}" for i in range(n)) + " }")
    for n in range(2, 12):  # 10: fragment cycles of length n
        frags = " ".join(f"fragment F{i} on Query {{ me {{ user }} ...F{(i + 1) % n} }}" for i in range(n))
        yield Shape(f"fragment-cycle-{n}", "query { ...F0 } " + frags)
    for width in (3, 4, 5, 6, 8):  # 5: fragments fanning out (each spreads the next one `width` times)
        frags = " ".join(
            f"fragment G{i} on Place {{ parent {{ " + " ".join(f"...G{i + 1}" for _ in range(width)) + " } }"
            for i in range(12)
        )
        yield Shape(f"fragment-fanout-{width}", '{ node(id: "C-0001") { ...G0 } } ' + frags + " fragment G12 on Place { key }")
    for n in (50, 200, 1000):  # 3: directives piled on one field
        yield Shape(f"directives-{n}", "{ me " + "@include(if: true) " * n + "{ user } }")
    for n in (1, 20):  # 2: unknown directives
        yield Shape(f"unknown-directive-{n}", "{ me " + "@gongzhi(x: 1) " * n + "{ user } }")
    ids = ", ".join(f'"R-{i:06d}"' for i in range(101))
    yield Shape("nodes-over-100", "{ nodes(ids: [" + ids + "]) { id } }")
    yield Shape("nodes-from-variable", "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [f"R-{i:06d}" for i in range(500)]})
    for n in (101, 500, 100000):  # 3
        yield Shape(f"page-{n}", f"{{ buildings(first: {n}) {{ totalCount }} }}")
    yield Shape("page-negative", "{ buildings(first: -1) { totalCount } }")
    yield Shape("cursor-garbage", '{ buildings(after: "' + "%" * 50 + '") { totalCount } }')
    # members, their orgs, the orgs' members, their orgs, their members: over the limit at the
    # data's own fan-out (the cost rule prices each step by it: tests/api/test_cost_from_data.py)
    chain = "memberships(first: 100) { nodes { members(first: 100) { nodes { key } } } }"
    nested = "{ members(first: 100) { nodes { " + chain.replace("key", chain) + " } } }"
    yield Shape("nested-pages", nested)
    # wrong types, literal and in variables, carrying personal values
    wrong_literals = {
        "first-string": '{ buildings(first: "x") { totalCount } }',
        "id-float": "{ node(id: 4206021992.03154417) { id } }",
        "date-garbage": f'{{ coverage(asOf: "{ID_NUMBER}") {{ meanRate }} }}',
        "enum-personal": f"{{ gaps(indicator: {NAME}) {{ gaps {{ totalCount }} }} }}",
        "enum-unknown": "{ gaps(indicator: NOPE) { gaps { totalCount } } }",
        "bool-string": '{ buildings(descending: "yes") { totalCount } }',
        "filter-unknown": "{ buildings(filter: { hasEverything: true }) { totalCount } }",
        "phone-number-literal": f'mutation {{ registerPerson(person: {{ name: "{NAME}", phone: {PHONE}, politicalStatus: MASSES, building: "B-000001" }}) {{ __typename }} }}',
        "unknown-input-field": f"mutation {{ registerPerson(person: {{ {PERSON}, bogus: 1 }}) {{ __typename }} }}",
        "missing-required": f'mutation {{ registerPerson(person: {{ phone: "{PHONE}" }}) {{ __typename }} }}',
        "unknown-field": f'{{ me {{ user {NAME}: user }} }}',
        "selection-on-scalar": "{ me { user { id } } }",
        "missing-selection": "{ me }",
        "unknown-type-fragment": "{ ... on Nope { id } }",
        "syntax-unclosed": f'{{ node(id: "{ID_NUMBER}" {{ id }}',
        "syntax-garbage": f"{NAME} {PHONE} {ID_NUMBER}",
        "syntax-empty": "",
        "syntax-only-comment": f"# {NAME} {PHONE}",
        "string-escape": '{ node(id: "\\x41") { id } }',
        "subscription": "subscription { me { user } }",
        "two-anonymous": "{ me { user } } { me { role } }",
        "duplicate-operation": "query A { me { user } } query A { me { role } }",
        "undefined-variable": "{ node(id: $nope) { id } }",
        "unused-fragment": "{ me { user } } fragment U on Query { me { user } }",
        "introspection-schema": "{ __schema { types { name } } }",
        "introspection-type": '{ __type(name: "Person") { fields { name } } }',
        "introspection-in-fragment": "{ ...I } fragment I on Query { __schema { queryType { name } } }",
        "introspection-nested": "{ me { user } a: __schema { directives { name } } }",
    }
    for name, document in wrong_literals.items():  # 28
        yield Shape(name, document)
    wrong_variables: dict[str, dict[str, Any]] = {
        "phone-as-number": {"name": NAME, "phone": int(PHONE), "politicalStatus": "MASSES", "building": "B-000001"},
        "id-number-as-number": {"name": NAME, "idNumber": int(ID_NUMBER), "politicalStatus": "MASSES", "building": "B-000001"},
        "name-as-list": {"name": [NAME, PHONE], "politicalStatus": "MASSES", "building": "B-000001"},
        "name-as-object": {"name": {"full": NAME, "id": ID_NUMBER}, "politicalStatus": "MASSES", "building": "B-000001"},
        "unknown-field-with-values": {"name": NAME, "phone": PHONE, "idNumber": ID_NUMBER, "politicalStatus": "MASSES",
                                      "building": "B-000001", "bogus": 1},
        "enum-as-name": {"name": NAME, "politicalStatus": NAME, "building": "B-000001"},
        "date-as-id-number": {"name": NAME, "politicalStatus": "MEMBER", "building": "B-000001", "joinedOn": ID_NUMBER},
        "bool-as-phone": {"name": NAME, "politicalStatus": "MASSES", "building": "B-000001", "isOwner": PHONE},
        "missing-building": {"name": NAME, "phone": PHONE, "politicalStatus": "MASSES"},
        "null-name": {"name": None, "phone": PHONE, "politicalStatus": "MASSES", "building": "B-000001"},
    }
    for name, person in wrong_variables.items():  # 10
        yield Shape(f"var-{name}", REGISTER, {"p": person})
    yield Shape("var-not-object", REGISTER, {"p": f"{NAME} {PHONE}"})
    yield Shape("var-missing", REGISTER, {})
    yield Shape("var-huge-string", REGISTER, {"p": {"name": NAME * 8000, "politicalStatus": "MASSES", "building": "B-000001"}})
    # malformed bodies
    raw = {
        "utf8-invalid-body": b'\xff\xfe{"query": "{ me { user } }"}',
        "utf8-invalid-in-query": b'{"query": "{ me { user \xff } }"}',
        "utf8-invalid-in-variables": b'{"query": "{ me { user } }", "variables": {"p": "\xc3\x28"}}',
        "utf8-overlong": b'{"query": "{ me { user } }\xc0\xaf"}',
        "lone-surrogate": b'{"query": "{ me { user } }", "variables": {"p": "\\ud800"}}',
        "lone-surrogate-in-query": b'{"query": "{ me { user \\udfff } }"}',
        "bare-null": b"null",
        "bare-number": b"3",
        "bare-float": b"1e999",
        "bare-string": json.dumps(f"{NAME} {PHONE}").encode(),
        "bare-true": b"true",
        "deep-array": b"[" * 10000 + b"]" * 10000,
        "deep-object": b'{"query": "{ me { user } }", "variables": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
        "deep-variables-list": b'{"query": "{ me { user } }", "variables": {"p": ' + b"[" * 500 + b"]" * 500 + b"}}",
        "batch": json.dumps([{"query": "{ me { user } }"}] * 20).encode(),
        "empty-array": b"[]",
        "empty-body": b"",
        "not-json": f"query={NAME}".encode(),
        "truncated-json": b'{"query": "{ me { us',
        "query-number": b'{"query": 5}',
        "query-object": b'{"query": {"a": 1}}',
        "variables-list": json.dumps({"query": REGISTER, "variables": [NAME, PHONE]}).encode(),
        "variables-string": json.dumps({"query": REGISTER, "variables": f"{NAME}"}).encode(),
        "operation-name-number": b'{"query": "{ me { user } }", "operationName": 7}',
        "operation-name-unknown": json.dumps({"query": "query A { me { user } }", "operationName": "B"}).encode(),
        "extensions-list": b'{"query": "{ me { user } }", "extensions": [1]}',
        "nul-bytes": b'{"query": "{ me { user } }\x00\x00"}',
        "no-query": json.dumps({"variables": {"p": PHONE}}).encode(),
    }
    for name, body in raw.items():  # 28
        yield Shape(f"body-{name}", body=body)
    yield Shape("get-mutation", method="GET", query_string="query=" + "mutation%20%7B%20registerPerson%7D")
    yield Shape("get-invalid-utf8", method="GET", query_string="query=%7B%20me%20%7B%20user%20%FF%7D%7D")
    yield Shape("get-deep-variables", method="GET", query_string="query=%7Bme%7Buser%7D%7D&variables=" + "%5B" * 5000)
    yield Shape("get-variables-not-object", method="GET", query_string="query=%7Bme%7Buser%7D%7D&variables=%5B1%5D")
    yield Shape("get-personal-variables", method="GET",
                query_string=f"query=%7Bme%7Buser%7D%7D&variables=%7B%22p%22%3A%20{PHONE}%7D%20{ID_NUMBER}")


SHAPES = list(shapes())


def test_there_are_enough_shapes() -> None:
    assert len(SHAPES) >= 100 and len({s.name for s in SHAPES}) == len(SHAPES)


@pytest.fixture(scope="module", params=STORE_KINDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Counting]]:
    """The app on a store of each kind. Nothing may execute, so the data does not matter: the
    Neo4j store is the test server as it is (not cleared), the embedded one is empty."""
    tmp = tmp_path_factory.mktemp("hostile")
    if request.param == "neo4j":
        store: Store = request.getfixturevalue("_neo4j_store")
    else:
        store = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp / "store"))  # type: ignore[call-arg]
    counting = Counting(store)
    yield Api(counting, tmp), counting


def send(api: Api, shape: Shape, role: str = "organizer") -> Any:
    headers = {"Authorization": f"Bearer {api.token('C-0001', role)}"}
    if shape.method == "GET":
        return api.client.get(f"/graphql?{shape.query_string}", headers=headers)
    if shape.body is not None:
        return api.client.post("/graphql", content=shape.body, headers={**headers, "content-type": "application/json"})
    return api.client.post("/graphql", json={"query": shape.document, "variables": shape.variables or {}}, headers=headers)


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_a_hostile_shape_is_refused_cleanly(api: tuple[Api, Counting], shape: Shape) -> None:
    client, counting = api
    counting.calls = 0
    r = send(client, shape)
    assert r.status_code in (200, 400, 405, 413, 415), (r.status_code, r.text[:300])
    assert counting.calls == 0, f"the store was asked {counting.calls} times"
    body = r.json()
    assert isinstance(body, dict) and body.get("data") is None, body
    errors = body.get("errors")
    if errors is None:  # strawberry's own refusals of a method carry {"detail": ...}
        assert r.status_code in (400, 405) and isinstance(body.get("detail"), str), body
    else:
        assert errors and all(isinstance(e.get("message"), str) and e["message"] for e in errors), body
        assert not any("internal error" in e["message"] for e in errors), body
    for value in PERSONAL:
        assert value not in r.text, f"{value} echoed back"

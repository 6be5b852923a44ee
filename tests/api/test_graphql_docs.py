"""The example operations of docs/api.md validate against the schema, and its queries run
without errors on the generated street (as an organizer of the street)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, OperationType, parse, validate

from api.graphql.schema import build_schema
from graph.settings import Settings
from graph.store import open_store
from loaders.load import load
from tests.api.client import TEST_LIMITS, Api

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)


def blocks() -> list[str]:
    found = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(found) >= 10
    return found


@pytest.mark.parametrize("text", blocks())
def test_example_validates(text: str) -> None:
    schema = build_schema(dev=True)._schema
    assert validate(schema, parse(text)) == []


def test_example_queries_run(street_dir: Path, tmp_path: Path) -> None:
    store = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=tmp_path / "data"))  # type: ignore[call-arg]
    load(store, street_dir, source="street")
    api = Api(store, tmp_path, limits=TEST_LIMITS, area="S-0001")
    ran = 0
    for text in blocks():
        for op in parse(text).definitions:
            if isinstance(op, OperationDefinitionNode) and op.operation is OperationType.QUERY:
                token = api.token("S-0001", "officer")
                body = api.client.post(
                    "/graphql",
                    json={"query": text, "operationName": op.name.value if op.name else None},
                    headers={"Authorization": f"Bearer {token}"},
                ).json()
                assert "errors" not in body, (op.name, body["errors"])
                assert any(v is not None for v in body["data"].values()), op.name
                ran += 1
    assert ran >= 10

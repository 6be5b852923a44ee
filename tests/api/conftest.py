"""Fixtures of the API tests: a small generated street loaded into a store of each kind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.settings import Settings
from graph.store import Store, open_store
from loaders.load import load
from tests.api.datasets import small_street
from tests.conftest import STORE_KINDS


@pytest.fixture(scope="session")
def street_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_street(tmp_path_factory.mktemp("street") / "input")


def loaded_store(kind: str, street: Path, data_dir: Path, request: pytest.FixtureRequest) -> Store:
    if kind == "neo4j":
        store: Store = request.getfixturevalue("_neo4j_store")
        store.clear()
    else:
        store = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=data_dir))  # type: ignore[call-arg]
    load(store, street, source="street")
    return store


@pytest.fixture(scope="module", params=STORE_KINDS)
def street_store(
    request: pytest.FixtureRequest, street_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The small street loaded once per module and store kind (read-only tests only)."""
    yield loaded_store(request.param, street_dir, tmp_path_factory.mktemp("data"), request)

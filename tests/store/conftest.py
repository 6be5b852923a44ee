"""Fixtures of the store tests: the small generated street of the compiled-read tests, loaded
once per module and store kind, and the same tables read by the oracle (``select_oracle``);
the community and its changed copy that the Neo4j load tests (chunks, kills) write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.settings import Settings
from graph.store import Store, open_store
from loaders.generate import generate
from loaders.load import load
from tests.api.datasets import small_street
from tests.conftest import STORE_KINDS
from tests.store.neo4j_loads import changed_copy
from tests.store.select_oracle import World, read_world


@pytest.fixture(scope="session")
def community(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated community (seed 11): dozens of chunks when written in tiny ones."""
    out = tmp_path_factory.mktemp("loads") / "community"
    generate("community", 11, out)
    return out


@pytest.fixture(scope="session")
def changed(community: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The community with updates, and deletions for ``--prune`` (``changed_copy``)."""
    return changed_copy(community, tmp_path_factory.mktemp("loads") / "community")


@pytest.fixture(scope="session")
def select_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_street(tmp_path_factory.mktemp("select_street") / "input")


@pytest.fixture(scope="session")
def world(select_input: Path) -> World:
    return read_world(select_input)


@pytest.fixture(scope="module", params=STORE_KINDS)
def world_store(
    request: pytest.FixtureRequest, select_input: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The street in a store of each kind (read-only tests only)."""
    if request.param == "neo4j":
        store: Store = request.getfixturevalue("_neo4j_store")
        store.clear()
    else:
        data = tmp_path_factory.mktemp("select_data")
        store = open_store(Settings(GONGZHI_STORE="embedded", GONGZHI_DATA_DIR=data))  # type: ignore[call-arg]
    load(store, select_input, source="street")
    yield store
    if store.kind == "embedded":
        store.close()

"""A generated community in the real Neo4j, for the Browser kit's tests.

The Neo4j database is shared by the whole suite (``tests/conftest.py`` holds a lock per server,
so no other pytest run uses it meanwhile): each test module that needs the community loads it
afresh into the cleared database.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.store import Store
from loaders.generate import NOW, generate
from loaders.load import load

#: A seed whose community has covered and uncovered items of every kind the kit shows.
SEED = 3


@dataclass(frozen=True)
class KitWorld:
    store: Store
    path: Path  # the generated input files
    community: str

    def personal_values(self) -> set[str]:
        """Every person's name, phone and id-card number: none may come out of a kit query."""
        values: set[str] = set()
        with open(self.path / "persons.csv", encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                values.update(v for v in (row[1], row[3], row[4]) if v)
        return values - {"姓名", "手机号", "身份证号"}


@pytest.fixture(scope="module")
def kit_world(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[KitWorld]:
    path = tmp_path_factory.mktemp("kit-community")
    generate("community", SEED, path)
    store: Store = request.getfixturevalue("_neo4j_store")
    store.clear()
    load(store, path)
    with open(path / "communities.csv", encoding="utf-8-sig", newline="") as f:
        (community,) = [row[0] for row in list(csv.reader(f))[1:]]
    yield KitWorld(store, path, community)


__all__ = ["NOW", "KitWorld"]

"""Writers serialised on the truth: loads and mutations racing each other, on both stores.

Each writer has a store of its own (its own driver, or its own handle on the embedded
directory with its own lock), as separate processes would; threads start them together.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from api.graphql.mutations.write import apply_rows
from graph.embedded import EmbeddedStore
from graph.store import Store, open_store
from loaders.load import load
from tests.loaders.loader_samples import sample, write_dir

ROUNDS = 4


@pytest.fixture
def second(store: Store, request: pytest.FixtureRequest) -> Iterator[Store]:
    """Another handle on the same store, as another process would have."""
    if store.kind == "neo4j":
        other = open_store(request.getfixturevalue("neo4j_settings"))
    else:
        assert isinstance(store, EmbeddedStore)
        other = EmbeddedStore(store.data_dir)
    yield other
    other.close()


def race(*work: Callable[[], object]) -> list[BaseException]:
    """Run the callables at once; the exceptions they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(work))

    def run(fn: Callable[[], object]) -> None:
        barrier.wait()
        try:
            fn()
        except BaseException as exc:  # the test inspects them
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def _dir(tmp_path: Path, name: str, tables: dict[str, list[dict[str, object]]]) -> Path:
    target = tmp_path / name
    shutil.rmtree(target, ignore_errors=True)
    return write_dir(target, tables)


def test_two_loads_at_once_never_leave_a_building_in_two_compounds(
    store: Store, second: Store, tmp_path: Path
) -> None:
    """The reproduction: the same building under P-1 in one copy and under P-2 in the other."""
    load(store, _dir(tmp_path, "base", sample()), source="street")
    for round_ in range(ROUNDS):
        one, two = sample(), sample()
        one["buildings"][0]["compound_id"] = "P-1"
        two["buildings"][0]["compound_id"] = "P-2"
        two["buildings"][0]["name"] = f"楼{round_}"
        a, b = _dir(tmp_path, f"a{round_}", one), _dir(tmp_path, f"b{round_}", two)
        errors = race(partial(load, store, a, source="street"), partial(load, second, b, source="street"))
        assert errors == []
        parents = store.fetch_rels("PART_OF", "Building", ["B-1"])
        assert len(parents) == 1, parents
        # the winner's whole row, never half of each
        (rel,) = parents.values()
        name = store.fetch_nodes("Building", ["B-1"])["B-1"].props["name"]
        assert (rel.to_id == "P-2") == (name == f"楼{round_}")


def test_two_identical_loads_at_once_never_duplicate_relationships(
    store: Store, second: Store, tmp_path: Path
) -> None:
    tables = sample()
    without = {k: v for k, v in tables.items() if k != "memberships"}
    load(store, _dir(tmp_path, "base", without), source="street")
    for round_ in range(ROUNDS):
        path = _dir(tmp_path, f"full{round_}", tables)
        errors = race(partial(load, store, path, source="street"), partial(load, second, path, source="street"))
        assert errors == []
        assert store.stats().rel_types["MEMBER_OF"] == len(tables["memberships"])
        assert second.stats() == store.stats()


def test_a_mutation_racing_a_load_is_never_lost(store: Store, second: Store, tmp_path: Path) -> None:
    load(store, _dir(tmp_path, "base", sample()), source="street")
    row = dict(next(r for r in sample()["persons"] if r["id"] == "R-2"))
    for round_ in range(ROUNDS):
        changed = sample()
        changed["cities"][0]["name"] = f"襄阳{round_}"
        path = _dir(tmp_path, f"c{round_}", changed)
        skills = f"特长{round_}"
        errors = race(
            partial(load, store, path, source="street"),
            partial(apply_rows, second, [("persons", {**row, "skills": skills})], "organizer-1"),
        )
        assert errors == []
        assert store.fetch_nodes("Person", ["R-2"])["R-2"].props.get("skills") == skills
        assert store.fetch_nodes("City", ["C-1"])["C-1"].props["name"] == f"襄阳{round_}"


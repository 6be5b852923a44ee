"""The diff reads one meta per item (``Store.fetch_meta``) and whole items only where they may
change, on both stores: the same plans as reading every item whole, and none read on a reload
of unchanged data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.graphql.mutations.write import apply_rows
from graph.errors import MergeConflicts
from graph.model import node_kind
from graph.provenance import BASE_PROPERTY, BY_PROPERTY, HASH_PROPERTY
from graph.records import NodeRecord, WriteBatch
from graph.store import Store
from loaders.generate import generate
from loaders.load import load, plan_load
from loaders.merge import Prefer
from tests.loaders.loader_samples import Rows, sample, write_dir
from tests.loaders.store_wrappers import HashBlind, ItemCounting


def write(tmp_path: Path, tables: dict[str, Rows], name: str = "ledger") -> Path:
    target = tmp_path / name
    shutil.rmtree(target, ignore_errors=True)
    return write_dir(target, tables)


def test_fetch_meta_gives_the_meta_of_nodes_and_relationships(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path, sample()))
    nodes = store.fetch_nodes("Person", ["R-1", "R-2"])
    meta = store.fetch_meta("Person", ["R-1", "R-2", "R-404", "B-1"])
    assert meta == {p: {"_source": "ledger", HASH_PROPERTY: nodes[p].props[HASH_PROPERTY]} for p in ("R-1", "R-2")}
    rels = store.fetch_rels("MEMBER_OF", "Person", ["R-1", "R-3"])
    assert rels and store.fetch_meta("Person", ["R-1", "R-3"], "MEMBER_OF") == {
        key: {"_source": "ledger", HASH_PROPERTY: rel.props[HASH_PROPERTY]} for key, rel in rels.items()
    }
    row = dict(next(r for r in sample()["persons"] if r["id"] == "R-1"), skills="理发")
    apply_rows(store, [("persons", row)], "organizer-1")
    edited = store.fetch_meta("Person", ["R-1"])["R-1"]
    assert edited[BASE_PROPERTY] == meta["R-1"][HASH_PROPERTY] != edited[HASH_PROPERTY]
    assert edited[BY_PROPERTY] == "app:organizer-1" and edited["_source"] == "ledger"


def test_an_unchanged_reload_reads_no_whole_item(store: Store, tmp_path: Path) -> None:
    generate("community", 3, tmp_path / "world")
    first = load(store, tmp_path / "world")
    counting = ItemCounting(store)
    again = load(counting, tmp_path / "world")
    assert again.written == 0 and again.total.unchanged == first.total.created > 0
    assert (counting.nodes, counting.rels) == (0, 0)
    assert counting.metas == first.total.created - _inline_rels(again)  # one meta per node and tabled rel


def _inline_rels(summary: object) -> int:
    """The REF relationships of a summary (their meta is their node's: never asked alone)."""
    tables = summary.tables  # type: ignore[attr-defined]
    return sum(counts.unchanged for name, counts in tables.items() if "." in name)


def test_a_changed_row_reads_only_its_own_item(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path, sample()))
    tables = sample()
    tables["persons"][0]["phone"] = "13900001111"
    tables["property_services"][0]["contract_no"] = "HT-2024-7"
    counting = ItemCounting(store)
    summary = load(counting, write(tmp_path, tables))
    assert summary.total.updated == 2
    refs = sum(len(store.fetch_rels(i.type, "Person", ["R-1"])) for i in node_kind("Person").inline_rels)
    assert (counting.nodes, counting.rels) == (1, refs + 1)


def test_an_outside_edit_is_never_overwritten(store: Store, tmp_path: Path) -> None:
    """An edit that bypasses Gongzhi (Neo4j Browser) and leaves ``_hash`` as it was: a reload
    that does not change the item writes nothing over it; one that does reports a conflict."""
    load(store, write(tmp_path, sample()))
    old = store.fetch_nodes("Person", ["R-1"])["R-1"]
    store.write(WriteBatch(nodes=[NodeRecord("Person", old.labels, "R-1", {**old.props, "skills": "外部修改"})]))
    again = load(store, write(tmp_path, sample()))
    assert again.written == 0
    assert store.fetch_nodes("Person", ["R-1"])["R-1"].props["skills"] == "外部修改"
    changed = sample()
    changed["persons"][0]["phone"] = "13900001111"
    with pytest.raises(MergeConflicts):
        load(store, write(tmp_path, changed))
    assert store.fetch_nodes("Person", ["R-1"])["R-1"].props["skills"] == "外部修改"


# ---------------------------------------------------------------- the same plans as whole items

SKILLS = st.sampled_from([None, "法律咨询", "理发"])
FILE_STEP = st.tuples(
    st.just("file"),
    st.fixed_dictionaries(
        {
            "R-1": SKILLS,
            "R-2": SKILLS,
            "R-3 building": st.sampled_from(["B-3", "B-2"]),
            "contract": st.sampled_from(["HT-2020-1", "HT-2024-7"]),
        }
    ),
    st.sampled_from([None, Prefer.FILE, Prefer.APP]),
)
APP_STEP = st.tuples(st.just("app"), st.sampled_from(["R-1", "R-2", "R-3"]), SKILLS)
STEPS = st.lists(st.one_of(FILE_STEP, APP_STEP), min_size=1, max_size=5)


def _tables(values: dict[str, str | None]) -> dict[str, Rows]:
    tables = sample()
    for row in tables["persons"]:
        row.pop("skills", None)
        if values.get(str(row["id"])) is not None:
            row["skills"] = values[str(row["id"])]
        if row["id"] == "R-3":
            row["building_id"] = values["R-3 building"]
    tables["property_services"][0]["contract_no"] = values["contract"]
    return tables


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_the_hash_path_plans_as_reading_whole_items(store: Store, tmp_path: Path, steps: list[tuple[object, ...]]) -> None:
    store.clear()
    values: dict[str, str | None] = {"R-1": "法律咨询", "R-2": None, "R-3 building": "B-3", "contract": "HT-2020-1"}
    load(store, write(tmp_path, _tables(values)))
    blind = HashBlind(store)
    for step in steps:
        if step[0] == "app":
            _, person, skills = step
            row = dict(next(r for r in _tables(values)["persons"] if r["id"] == person))
            row.pop("skills", None)
            if skills is not None:
                row["skills"] = skills
            apply_rows(store, [("persons", row)], "organizer-1")
            continue
        _, new_values, prefer = step
        path = write(tmp_path, _tables(new_values))  # type: ignore[arg-type]
        fast = plan_load(store, path, prefer=prefer)  # type: ignore[arg-type]
        whole = plan_load(blind, path, prefer=prefer)  # type: ignore[arg-type]
        assert fast.batch == whole.batch
        assert fast.summary == whole.summary
        if not fast.summary.conflicts:
            load(store, path, prefer=prefer)  # type: ignore[arg-type]
            values = dict(new_values)  # type: ignore[arg-type]

"""File and app edits merged, never overwritten silently (the three-way merge), on both stores.

The app's side is written exactly as mutations write it (``api.graphql.mutations.write``):
rows through validation and the diff, with the source ``app:<user>``.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from api.graphql.mutations.write import apply_rows
from graph.errors import MergeConflicts, StoreConflict
from graph.privacy import mask_phone
from graph.store import Store
from loaders.load import load, plan_load
from loaders.merge import Prefer
from tests.loaders.loader_samples import Rows, Tables, sample, write_dir, write_xlsx


def write(tmp_path: Path, tables: Tables, name: str = "ledger") -> Path:
    target = tmp_path / name
    shutil.rmtree(target, ignore_errors=True)
    return write_dir(target, tables)


def person_row(tables: dict[str, Rows], pid: str) -> dict[str, object]:
    return dict(next(r for r in tables["persons"] if r["id"] == pid))


def phone(store: Store, pid: str) -> object:
    return store.fetch_nodes("Person", [pid])[pid].props.get("phone")


def app_edit(store: Store, tables: dict[str, Rows], pid: str, **changes: object) -> None:
    """What ``updatePerson`` does: the whole row as stored, with the changes, as the app."""
    apply_rows(store, [("persons", {**person_row(tables, pid), **changes})], "organizer-1")


def test_file_unchanged_and_app_unchanged_writes_nothing(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path, sample()))
    again = load(store, write(tmp_path, sample()))
    assert again.written == 0 and again.total.updated == 0 and again.total.kept == 0


def test_file_changed_and_app_unchanged_writes_the_file(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path, sample()))
    changed = sample()
    person_row(changed, "R-1")  # unchanged row objects are shared; edit in the list
    changed["persons"][0]["phone"] = "13900001111"
    summary = load(store, write(tmp_path, changed))
    assert summary.tables["persons"].updated == 1 and not summary.kept and not summary.conflicts
    assert phone(store, "R-1") == "13900001111"


def test_file_unchanged_and_app_changed_keeps_the_app(store: Store, tmp_path: Path) -> None:
    tables = sample()
    load(store, write(tmp_path, tables))
    app_edit(store, tables, "R-1", phone="13700002222")
    summary = load(store, write(tmp_path, sample()))
    assert phone(store, "R-1") == "13700002222"
    assert summary.tables["persons"].kept == 1 and summary.written == 0
    (kept,) = summary.kept
    assert (kept.file, kept.row) == ("persons.csv", 2)
    assert "changed in the app (app:organizer-1)" in kept.reason and "应用" in kept.reason_zh
    # the same file again: still the app's value, still reported, never a conflict
    assert load(store, write(tmp_path, sample())).tables["persons"].kept == 1


def test_both_changed_is_a_conflict_that_writes_nothing(store: Store, tmp_path: Path) -> None:
    tables = sample()
    load(store, write(tmp_path, tables))
    app_edit(store, tables, "R-1", phone="13700002222")
    changed = sample()
    changed["persons"][0]["phone"] = "13900001111"
    changed["cities"][0]["name"] = "襄阳"  # another change in the same load is not written either
    before = store.fetch_nodes("City", ["C-1"])
    with pytest.raises(MergeConflicts) as caught:
        load(store, write(tmp_path, changed))
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == ("persons.csv", 2, "手机号")
    # both values named, masked like every personal value
    assert issue.value == f"文件 file: {mask_phone('13900001111')} | 应用 app: {mask_phone('13700002222')}"
    assert "13900001111" not in str(caught.value.issues) and "13700002222" not in str(caught.value.issues)
    assert "--prefer" in issue.reason
    assert phone(store, "R-1") == "13700002222" and store.fetch_nodes("City", ["C-1"]) == before


def test_prefer_file_and_prefer_app_resolve_a_conflict(store: Store, tmp_path: Path) -> None:
    tables = sample()
    load(store, write(tmp_path, tables))
    app_edit(store, tables, "R-1", phone="13700002222")
    changed = sample()
    changed["persons"][0]["phone"] = "13900001111"
    kept = load(store, write(tmp_path, changed), prefer=Prefer.APP)
    assert phone(store, "R-1") == "13700002222" and kept.tables["persons"].conflicts == 1
    # the app won against this file: loading it again keeps the app's value without asking
    again = load(store, write(tmp_path, changed))
    assert again.tables["persons"].kept == 1 and not again.conflicts
    # a later change in the file conflicts again; prefer file writes it
    changed["persons"][0]["phone"] = "13600003333"
    with pytest.raises(MergeConflicts):
        load(store, write(tmp_path, changed))
    taken = load(store, write(tmp_path, changed), prefer=Prefer.FILE)
    assert phone(store, "R-1") == "13600003333" and taken.tables["persons"].updated == 1
    # the file owns it again: the next change in the file is simply written
    changed["persons"][0]["phone"] = "13500004444"
    load(store, write(tmp_path, changed))
    assert phone(store, "R-1") == "13500004444"


def test_a_transferred_membership_is_not_put_back_by_a_reload(store: Store, tmp_path: Path) -> None:
    """The reproduction: transferMembership, then a reload of the spreadsheet with the old row."""
    tables = sample()
    load(store, write(tmp_path, tables))
    on = date(2024, 3, 1)
    apply_rows(
        store,
        [
            ("memberships", {"person_id": "R-1", "org_id": "O-4", "since": "2010-01-01", "until": "2024-02-29"}),
            ("memberships", {"person_id": "R-1", "org_id": "O-2", "since": on.isoformat()}),
        ],
        "organizer-1",
    )
    summary = load(store, write(tmp_path, sample()))
    assert summary.tables["memberships"].kept == 1 and summary.tables["memberships"].updated == 0
    memberships = store.fetch_rels("MEMBER_OF", "Person", ["R-1"])
    current = [r.to_id for r in memberships.values() if r.props.get("until") is None]
    assert current == ["O-2"]


def test_an_item_the_app_created_and_a_file_lists_differently_is_a_conflict(store: Store, tmp_path: Path) -> None:
    tables = sample()
    load(store, write(tmp_path, {k: v for k, v in tables.items() if k not in ("persons", "memberships",
                                                                               "residence_registrations",
                                                                               "dual_reports", "committee_seats",
                                                                               "appointments")}))
    apply_rows(store, [("persons", {**person_row(tables, "R-2"), "phone": "13700002222"})], "organizer-1")
    only_persons = {"persons": [person_row(tables, "R-2")]}
    with pytest.raises(MergeConflicts):
        load(store, write(tmp_path, only_persons, "people"))
    # the same value in the file: no conflict, and the file owns it from now on
    load(store, write(tmp_path, {"persons": [{**person_row(tables, "R-2"), "phone": "13700002222"}]}, "people"))
    props = store.fetch_nodes("Person", ["R-2"])["R-2"].props
    assert props["_source"] == "people" and "_base" not in props and "_by" not in props


def test_prune_of_an_item_the_app_changed_is_a_conflict(store: Store, tmp_path: Path) -> None:
    tables = sample()
    load(store, write(tmp_path, tables))
    apply_rows(
        store,
        [("memberships", {"person_id": "R-3", "org_id": "O-2", "since": "2022-01-01", "until": "2023-12-31"})],
        "organizer-1",
    )
    smaller = sample()
    del smaller["memberships"][1]  # the row the app changed
    with pytest.raises(MergeConflicts) as caught:
        load(store, write(tmp_path, smaller), prune=True)
    (issue,) = caught.value.issues
    assert issue.column == "memberships" and issue.value == "R-3|O-2|2022-01-01"
    assert store.fetch_rels("MEMBER_OF", "Person", ["R-3"])
    kept = load(store, write(tmp_path, smaller), prune=True, prefer=Prefer.APP)
    assert kept.tables["memberships"].kept == 1 and not kept.deletions
    # handed to the app user: later prunes of this source leave it alone
    again = load(store, write(tmp_path, smaller), prune=True)
    assert not again.deletions and store.fetch_rels("MEMBER_OF", "Person", ["R-3"])
    (rel,) = store.fetch_rels("MEMBER_OF", "Person", ["R-3"]).values()
    assert rel.props["_source"] == "app:organizer-1"


def test_prune_one_file_of_a_folder_never_touches_the_other(store: Store, tmp_path: Path) -> None:
    """The reproduction: org/v1.xlsx and org/extra.xlsx loaded one by one, then extra pruned."""
    folder = tmp_path / "org"
    folder.mkdir()
    tables = sample()
    load(store, write_xlsx(folder / "v1.xlsx", tables))
    extra: dict[str, Rows] = {"cities": [{"id": "C-9", "name": "另一个市", "code": "420700"}]}
    load(store, write_xlsx(folder / "extra.xlsx", extra))
    extra["cities"][0]["name"] = "另一个市（改）"
    summary = load(store, write_xlsx(folder / "extra.xlsx", extra), prune=True)
    assert summary.source == "extra" and summary.total.deleted == 0
    assert store.find_ids("Person", ["R-1", "R-2", "R-3"]) == {"R-1", "R-2", "R-3"}
    assert store.find_ids("City", ["C-1", "C-9"]) == {"C-1", "C-9"}


def test_prune_lists_the_relationships_that_go_with_a_node(store: Store, tmp_path: Path) -> None:
    tables = sample()
    load(store, write(tmp_path, tables))
    # another source's resident lives in B-2: deleting B-2 takes that relationship with it
    apply_rows(store, [("persons", {"id": "R-9", "name": "王五", "political_status": "群众",
                                    "building_id": "B-2"})], "organizer-1")
    smaller = sample()
    del smaller["buildings"][1]  # B-2
    summary = load(store, write(tmp_path, smaller), prune=True, check=True)
    assert summary.checked and summary.written == 0
    assert summary.deletions["buildings"] == ["B-2"]
    assert summary.deletions["buildings.compound_id"] == ["B-2|P-1"]
    assert summary.deletions["persons.building_id"] == ["R-9|B-2"]
    assert store.find_ids("Building", ["B-2"]) == {"B-2"}  # --check wrote nothing
    text = summary.render()
    assert "would delete" in text and "R-9|B-2" in text


def test_a_plan_made_before_another_write_is_refused(store: Store, tmp_path: Path) -> None:
    """Writers serialised on the truth: the second of two plans made on one version fails."""
    tables = sample()
    first = plan_load(store, write(tmp_path, tables, "a"), source="s")
    second = plan_load(store, write(tmp_path, tables, "b"), source="s")
    assert first.version == second.version
    store.write(first.batch, expect_version=first.version)
    with pytest.raises(StoreConflict):
        store.write(second.batch, expect_version=second.version)
    # load() plans again on the new state: everything is unchanged, nothing duplicated
    summary = load(store, write(tmp_path, tables, "b"), source="s")
    assert summary.written == 0
    assert store.stats().rel_types["MEMBER_OF"] == 2


def test_the_version_moves_on_with_every_write_and_clear(store: Store, tmp_path: Path) -> None:
    v0 = store.version()
    load(store, write(tmp_path, sample()))
    v1 = store.version()
    assert v1 == v0 + 1
    load(store, write(tmp_path, sample()))  # nothing to write: the version stays
    assert store.version() == v1
    store.clear()
    assert store.version() > v1 and store.is_empty()

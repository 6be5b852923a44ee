"""``load`` end to end on both stores (the ``store`` fixture): counts, idempotency, all-or-nothing,
prune, accept_valid, references into the store."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from graph.errors import InputError, Issue, ValidationFailed
from graph.model import COMPOUND, PERSON
from graph.store import Store
from loaders.load import default_source, load
from tests.loaders.loader_samples import (
    BAD_ID,
    Tables,
    sample,
    write_dir,
    write_xlsx,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "libreoffice"
SAMPLE_ITEMS = 68  # nodes, REF relationships and relationship-table rows of the sample


def write(tmp_path: Path, tables: Tables, name: str = "demo") -> Path:
    target = tmp_path / name
    shutil.rmtree(target, ignore_errors=True)
    return write_dir(target, tables)


def issue_at(issues: list[Issue], file: str, row: int | None, column: str | None) -> Issue:
    found = [i for i in issues if (i.file, i.row, i.column) == (file, row, column)]
    assert len(found) == 1, f"no single issue at {file}/{row}/{column} in {issues}"
    return found[0]


def test_load_creates_everything_then_nothing_changes(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, sample())
    first = load(store, path)
    assert first.source == "demo"
    assert first.total.created == SAMPLE_ITEMS and first.written == SAMPLE_ITEMS
    assert first.tables["buildings"].created == 3
    assert first.tables["buildings.compound_id"].created == 3
    assert first.tables["memberships"].created == 2
    stats = store.stats()
    assert sum(stats.labels[k] for k in ("City", "District", "Person", "PartyOrg")) == 1 + 1 + 3 + 4
    assert stats.labels["PartyMember"] == 2 and stats.labels["Place"] == 12
    assert stats.rel_types["PART_OF"] == 11 and stats.rel_types["HOLDS_ROLE"] == 3
    person = store.fetch_nodes(PERSON.label, ["R-1"])["R-1"]
    assert person.props["_source"] == "demo" and person.props["phone"] == "13800001234"

    second = load(store, path)
    assert second.total.unchanged == SAMPLE_ITEMS
    assert (second.total.created, second.total.updated, second.total.deleted) == (0, 0, 0)
    assert second.written == 0
    assert store.stats() == stats
    assert "没有任何变化" in second.render() and "nothing changed" in second.render()


def test_a_load_into_an_empty_store_looks_nothing_up_and_counts_the_same(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The empty-store path (no look-ups, everything created) against the looking path."""
    path = write(tmp_path, sample())
    asked: list[str] = []
    for name in ("find_ids", "fetch_nodes", "fetch_rels", "source_items"):
        real = getattr(store, name)

        def spy(*args: object, _name: str = name, _real: object = real) -> object:
            asked.append(_name)
            return _real(*args)  # type: ignore[operator]

        monkeypatch.setattr(store, name, spy)
    first = load(store, path)
    assert asked == []
    stats = store.stats()
    # the same input again into an emptied store that claims not to be empty: the looking path
    monkeypatch.setattr(store, "is_empty", lambda: False)
    store.clear()
    looked = load(store, path)
    assert asked  # it did look this time
    assert looked.total == first.total and looked.tables == first.tables
    assert store.stats() == stats


def test_an_invalid_input_writes_nothing_on_an_empty_or_a_loaded_store(store: Store, tmp_path: Path) -> None:
    bad = sample()
    bad["persons"][0]["id_number"] = BAD_ID
    bad["buildings"][2]["compound_id"] = "P-404"
    bad["appointments"][0]["role"] = "单元长"  # to a building
    with pytest.raises(ValidationFailed) as caught:
        load(store, write(tmp_path, bad))
    assert store.stats().labels == {} and store.stats().rel_types == {}
    issues = caught.value.issues
    assert len(issues) == 3
    id_issue = issue_at(issues, "persons.csv", 2, "身份证号")
    assert "GB 11643" in id_issue.reason and BAD_ID not in str(id_issue)
    issue_at(issues, "buildings.csv", 4, "所属小区")
    issue_at(issues, "appointments.csv", 2, "任职对象编号")

    load(store, write(tmp_path, sample()))
    before = store.stats()
    bad["buildings"][0]["name"] = "改名后"  # a valid change in the same failed input
    with pytest.raises(ValidationFailed):
        load(store, write(tmp_path, bad))
    assert store.stats() == before
    assert store.fetch_nodes("Building", ["B-1"])["B-1"].props["name"] == "1栋"


def test_changes_are_updates_and_a_moved_reference_drops_the_old_relationship(
    store: Store, tmp_path: Path
) -> None:
    load(store, write(tmp_path, sample()))
    changed = sample()
    changed["buildings"][0]["name"] = "一号楼"
    changed["buildings"][1]["compound_id"] = "P-2"  # B-2 moves to another compound
    del changed["persons"][0]["entrance_id"]  # R-1's entrance is no longer known
    changed["memberships"][0]["until"] = "2024-12-31"
    summary = load(store, write(tmp_path, changed))
    # a row is one item with its REF columns: the renamed B-1 and the moved B-2 are updated
    assert summary.tables["buildings"].updated == 2 and summary.tables["buildings"].unchanged == 1
    moved = summary.tables["buildings.compound_id"]
    assert (moved.created, moved.deleted, moved.unchanged) == (1, 1, 2)
    assert summary.tables["persons.entrance_id"].deleted == 1
    assert summary.tables["memberships"].updated == 1
    rels = store.fetch_rels("PART_OF", "Building", ["B-2"])
    assert [(r.from_id, r.to_id) for r in rels.values()] == [("B-2", "P-2")]
    assert store.fetch_rels("LIVES_IN_ENTRANCE", "Person", ["R-1"]) == {}
    assert store.stats().rel_types["PART_OF"] == 11


def test_prune_deletes_what_the_source_no_longer_has(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path, sample()))
    smaller = sample()
    del smaller["buildings"][1]  # B-2: nothing refers to it
    del smaller["memberships"][1]
    kept = load(store, write(tmp_path, smaller))
    assert kept.total.deleted == 0 and store.find_ids("Building", ["B-2"]) == {"B-2"}
    assert not kept.pruned

    pruned = load(store, write(tmp_path, smaller), prune=True)
    assert pruned.pruned
    assert pruned.tables["buildings"].deleted == 1
    assert pruned.tables["buildings.compound_id"].deleted == 1
    assert pruned.tables["memberships"].deleted == 1
    assert pruned.total.deleted == 3
    assert store.find_ids("Building", ["B-1", "B-2"]) == {"B-1"}
    assert store.stats().rel_types["MEMBER_OF"] == 1
    again = load(store, write(tmp_path, smaller), prune=True)
    assert again.total.deleted == 0 and again.written == 0


def test_prune_touches_only_its_source_and_the_tables_given(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path, sample()))
    other = {"cities": [{"id": "C-2", "name": "宜昌市"}]}
    load(store, write(tmp_path, other, "other"))
    only_buildings = {"buildings": [row for row in sample()["buildings"] if row["id"] != "B-2"]}
    summary = load(store, write(tmp_path, only_buildings), prune=True)
    assert summary.total.deleted == 2  # B-2 and its PART_OF; no other table of "demo" is touched
    assert store.find_ids("City", ["C-1", "C-2"]) == {"C-1", "C-2"}
    assert store.stats().labels["Person"] == 3


def test_prune_never_runs_after_a_failed_load(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path, sample()))
    before = store.stats()
    broken = sample()
    del broken["buildings"][1]
    broken["persons"][2]["phone"] = "123"
    with pytest.raises(ValidationFailed):
        load(store, write(tmp_path, broken), prune=True)
    assert store.stats() == before
    summary = load(store, write(tmp_path, broken), prune=True, accept_valid=True)
    assert summary.prune_skipped and not summary.pruned and summary.total.deleted == 0
    assert store.find_ids("Building", ["B-2"]) == {"B-2"}
    assert "未执行删除" in summary.render()


def test_prune_refuses_to_delete_a_node_the_input_still_refers_to(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path, sample()))
    before = store.stats()
    without_b3 = sample()
    del without_b3["buildings"][2]  # R-3 still lives in B-3
    with pytest.raises(ValidationFailed) as caught:
        load(store, write(tmp_path, without_b3), prune=True)
    (only,) = caught.value.issues
    assert (only.file, only.row, only.column, only.value) == ("persons.csv", 4, "居住楼栋", "B-3")
    assert "prune would delete" in only.reason
    assert store.stats() == before


def test_accept_valid_loads_only_the_valid_rows(store: Store, tmp_path: Path) -> None:
    tables = sample()
    tables["buildings"][0]["residents"] = "很多"  # B-1 and all that hangs on it
    tables["persons"][2]["political_status"] = "未知"  # R-3, and so its membership and appointment
    with pytest.raises(ValidationFailed):
        load(store, write(tmp_path, tables))
    summary = load(store, write(tmp_path, tables), accept_valid=True)
    assert len(summary.issues) == 2
    skipped = {(i.file, i.row) for i in summary.skipped}
    assert {("entrances.csv", 2), ("entrances.csv", 3), ("persons.csv", 2), ("persons.csv", 3)} <= skipped
    assert ("memberships.csv", 3) in skipped and ("appointments.csv", 4) in skipped
    assert store.find_ids("Building", ["B-1", "B-2", "B-3"]) == {"B-2", "B-3"}
    assert store.find_ids("Person", ["R-1", "R-2", "R-3"]) == set()
    assert summary.tables["buildings"].created == 2
    assert "问题 issues: 2" in summary.render()
    # the fixed input then loads the rest, and what was loaded is unchanged
    fixed = load(store, write(tmp_path, sample()))
    assert fixed.tables["buildings"].created == 1 and fixed.tables["buildings"].unchanged == 2
    assert fixed.total.created + fixed.total.unchanged == SAMPLE_ITEMS


def test_references_to_the_store_and_facts_from_it(store: Store, tmp_path: Path) -> None:
    tables = sample()
    places = {
        k: tables[k] for k in ("cities", "districts", "subdistricts", "communities", "grids", "compounds")
    }
    places |= {k: tables[k] for k in ("buildings", "entrances", "employers", "property_firms", "party_orgs")}
    load(store, write(tmp_path, places, "places"))
    people = {"persons": tables["persons"]}
    assert load(store, write(tmp_path, people, "people")).tables["persons.building_id"].created == 3

    later = {
        "memberships": [{"person_id": "R-2", "org_id": "O-2"}],  # R-2 is not a member (per store)
        "persons": [
            {
                "id": "R-4",
                "name": "赵六",
                "building_id": "B-2",
                "entrance_id": "E-1",
                "political_status": "群众",
            },
            {"id": "P-1", "name": "撞号", "building_id": "B-1", "political_status": "群众"},
            {"id": "R-5", "name": "钱七", "building_id": "B-9", "political_status": "群众"},
        ],
    }
    before = store.stats()
    with pytest.raises(ValidationFailed) as caught:
        load(store, write(tmp_path, later, "later"))
    issues = caught.value.issues
    assert "not a party member" in issue_at(issues, "memberships.csv", 2, "党员编号").reason
    entrance = issue_at(issues, "persons.csv", 2, "居住单元")
    assert entrance.reason == "entrance E-1 belongs to building B-1, not to building B-2"
    clash = issue_at(issues, "persons.csv", 3, "人员编号")
    assert "already used by a Compound in the store" in clash.reason
    missing = issue_at(issues, "persons.csv", 4, "居住楼栋")
    assert "in the input files or the store" in missing.reason
    assert len(issues) == 4
    assert store.stats() == before


def test_source_defaults_to_the_directory_or_the_file_and_a_new_source_takes_over(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, {"cities": sample()["cities"]}, "第一批")
    assert default_source(path) == "第一批"
    # a single file is a source of its own: pruning it never touches what its folder loaded
    assert default_source(path / "cities.csv") == "cities"
    assert load(store, path / "cities.csv").source == "cities"
    summary = load(store, path, source="ledger-2024")
    # the same value from another file source: unchanged, and that source owns it now
    assert summary.tables["cities"].unchanged == 1 and summary.written == 1
    assert store.fetch_nodes("City", ["C-1"])["C-1"].props["_source"] == "ledger-2024"
    assert store.fetch_nodes(COMPOUND.label, ["C-1"]) == {}
    assert store.fetch_nodes("City", ["C-1"])["C-1"].props["_source"] == "ledger-2024"


def test_progress_reports_every_stage(store: Store, tmp_path: Path) -> None:
    seen: dict[str, tuple[int, int]] = {}
    load(
        store,
        write(tmp_path, sample()),
        progress=lambda stage, done, total: seen.__setitem__(stage, (done, total)),
    )
    assert list(seen) == ["read", "validate", "diff", "write"]
    assert all(done == total for done, total in seen.values())
    assert seen["read"] == (25, 25) and seen["write"] == (1, 1)


def test_an_xlsx_workbook_loads_like_the_csv_files(store: Store, tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    book = write_xlsx(tmp_path / "book" / "all.xlsx", sample())
    summary = load(store, book, source="demo")
    assert summary.total.created == SAMPLE_ITEMS
    assert load(store, write(tmp_path, sample())).total.unchanged == SAMPLE_ITEMS


def test_libreoffice_workbooks_load(store: Store, tmp_path: Path) -> None:
    tables = sample()
    for name in ("persons", "compounds"):
        del tables[name]
    directory = write(tmp_path, tables)
    for fixture in FIXTURES.glob("*.xlsx"):
        shutil.copy(fixture, directory / fixture.name)
    summary = load(store, directory)
    assert summary.tables["persons"].created == 3 and summary.tables["compounds"].created == 2
    people = store.fetch_nodes(PERSON.label, ["R-1", "R-3"])
    assert people["R-1"].props["joined_on"] == date(2001, 7, 1)
    assert people["R-1"].props["phone"] == "13800001234"
    assert people["R-3"].props["joined_on"] == date(2021, 3, 5)
    assert people["R-3"].props["id_number"] == "11010519491231002X"
    assert store.fetch_nodes(COMPOUND.label, ["P-1"])["P-1"].props["households"] == 320


def test_the_membership_branch_may_also_be_the_residence_side_branch(
    store: Store, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """DOMAIN.md: for a retired member the two sides of 1+1 may coincide, even on the same day."""
    tables = sample()
    tables["residence_registrations"].append({"person_id": "R-1", "org_id": "O-4", "since": "2010-01-01"})
    load(store, write(tmp_path, tables))
    assert store.stats().rel_types["MEMBER_OF"] == 2
    assert store.stats().rel_types["REGISTERED_AT_RESIDENCE"] == 2
    assert load(store, write(tmp_path, tables)).written == 0


def test_labels_follow_the_political_status(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path, sample()))
    tables = sample()
    tables["persons"][1]["political_status"] = "中共预备党员"
    summary = load(store, write(tmp_path, tables))
    assert summary.tables["persons"].updated == 1
    assert store.stats().labels["PartyMember"] == 3
    assert set(store.fetch_nodes(PERSON.label, ["R-2"])["R-2"].labels) == {"Person", "PartyMember"}
    load(store, write(tmp_path, sample()))
    assert store.stats().labels["PartyMember"] == 2
    assert store.fetch_nodes(PERSON.label, ["R-2"])["R-2"].labels == ("Person",)


def test_an_unreadable_file_stops_the_load_before_anything_is_written(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path, sample()))
    before = store.stats()
    path = write(tmp_path, sample())
    (path / "buildings.csv").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"buildings\.csv"):
        load(store, path, accept_valid=True)
    assert store.stats() == before


def test_a_compound_moved_from_its_grid_directly_under_its_community(store: Store, tmp_path: Path) -> None:
    """Two REF columns make the compound's PART_OF: moving from one to the other replaces it,
    counted on the compounds' PART_OF row; loading it again changes nothing."""
    load(store, write(tmp_path, sample()))
    moved = sample()
    del moved["compounds"][1]["grid_id"]
    moved["compounds"][1]["community_id"] = "CM-1"
    summary = load(store, write(tmp_path, moved))
    parts = summary.tables["compounds.grid_id"]
    assert (parts.created, parts.deleted, parts.unchanged, parts.updated) == (1, 1, 1, 0)
    rels = store.fetch_rels("PART_OF", "Compound", ["P-1", "P-2"])
    assert sorted((r.from_id, r.to_id) for r in rels.values()) == [("P-1", "G-1"), ("P-2", "CM-1")]
    again = load(store, write(tmp_path, moved))
    assert again.total.created == again.total.updated == again.total.deleted == 0
    assert "所属网格/直属社区 grid_id/community_id (PART_OF)" in again.render()

"""The model's trees (loaders/rules.py): party-org parent cycles of any length, in the input and
through the store; the party-org level tree; the place tree, well-formed by its declaration."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import Issue, ValidationFailed
from graph.model import NODE_KINDS, ORG_LEVEL, PARTY_ORG, PLACE_LABELS, node_kind
from graph.store import Store
from loaders.load import load
from loaders.read import read_input
from loaders.rules import CYCLE_ARROW, ORG_PARENT, ORG_PARENT_LEVELS
from loaders.validate import Validated, validate
from tests.loaders.loader_samples import Rows, sample, write_dir

FILE = "party_orgs.csv"
PARENT = ORG_PARENT.zh
LEVEL_ZH = {c.code: c.zh for c in ORG_LEVEL}


def org(org_id: str, level: str, parent: str | None = None) -> dict[str, object]:
    row: dict[str, object] = {"id": org_id, "name": f"{org_id}党组织", "level": LEVEL_ZH[level], "kind": "区域"}
    if parent is not None:
        row["parent_id"] = parent
    return row


def run(tmp_path: Path, rows: Rows) -> Validated:
    read = read_input(write_dir(tmp_path / "in", {"party_orgs": rows}))
    assert read.issues == []
    return validate(read.tables, source="t")


def cycle_issues(issues: list[Issue]) -> dict[int | None, Issue]:
    found = {i.row: i for i in issues if "循环" in i.reason_zh}
    assert all("cycle" not in i.reason or i.row in found for i in issues)
    return found


def ring(ids: list[str], start: int) -> str:
    return CYCLE_ARROW.join([*ids[start:], *ids[:start], ids[start]])


# ---------------------------------------------------------------- cycles


@pytest.mark.parametrize("length", [2, 3, 10])
def test_a_parent_cycle_of_any_length_is_named_on_every_row_of_it(tmp_path: Path, length: int) -> None:
    ids = [f"O-{i}" for i in range(length)]
    # committees may sit under committees, so only the cycle is wrong here
    rows = [org(ids[i], "committee", ids[(i + 1) % length]) for i in range(length)]
    rows.append(org("O-top", "committee"))
    rows.append(org("O-under", "branch", "O-0"))  # hangs under the cycle, is not on it
    result = run(tmp_path, rows)
    found = cycle_issues(result.issues)
    assert sorted(r for r in found if r is not None) == list(range(2, 2 + length))
    for i in range(length):
        issue = found[i + 2]
        assert (issue.file, issue.column) == (FILE, PARENT)
        assert ring(ids, i) in issue.reason and ring(ids, i) in issue.reason_zh
    assert len(result.issues) == length
    assert {n.id for n in result.nodes} == {"O-top"}  # the ring and what hangs under it are left out


def test_the_cycle_is_read_in_parent_order(tmp_path: Path) -> None:
    rows = [org("O-a", "committee", "O-c"), org("O-b", "committee", "O-a"), org("O-c", "committee", "O-b")]
    found = cycle_issues(run(tmp_path, rows).issues)
    assert f"O-a{CYCLE_ARROW}O-c{CYCLE_ARROW}O-b{CYCLE_ARROW}O-a" in found[2].reason
    assert f"O-b{CYCLE_ARROW}O-a{CYCLE_ARROW}O-c{CYCLE_ARROW}O-b" in found[3].reason_zh


def test_a_tree_without_cycles_passes(tmp_path: Path) -> None:
    rows = [
        org("O-1", "working_committee"),
        org("O-2", "committee", "O-1"),
        org("O-3", "general_branch", "O-2"),
        org("O-4", "branch", "O-3"),
        org("O-5", "group", "O-4"),
        org("O-6", "branch", "O-2"),
        org("O-7", "branch", "O-1"),
    ]
    result = run(tmp_path, rows)
    assert result.issues == [] and len(result.nodes) == 7


def store_chain(store: Store, tmp_path: Path, length: int) -> list[str]:
    """``length`` committees in the store, each under the next: O-0 -> O-1 -> ... -> O-(length-1)."""
    ids = [f"O-{i}" for i in range(length)]
    rows = [org(ids[i], "committee", ids[i + 1] if i + 1 < length else None) for i in range(length)]
    load(store, write_dir(tmp_path / "stored", {"party_orgs": rows}))
    return ids


@pytest.mark.parametrize("length", [2, 3, 10])
def test_a_cycle_closed_through_parents_in_the_store_is_refused(
    store: Store, tmp_path: Path, length: int
) -> None:
    ids = store_chain(store, tmp_path, length)
    before = store.stats()
    # the top of the stored chain now names the bottom as its parent: the ring is ids in order
    with pytest.raises(ValidationFailed) as caught:
        load(store, write_dir(tmp_path / "new", {"party_orgs": [org(ids[-1], "committee", ids[0])]}))
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == (FILE, 2, PARENT)
    expected = CYCLE_ARROW.join([ids[-1], *ids])
    assert expected in issue.reason and expected in issue.reason_zh
    assert store.stats() == before


def test_an_input_row_overrides_the_stored_parent_so_a_moved_org_makes_no_cycle(
    store: Store, tmp_path: Path
) -> None:
    ids = store_chain(store, tmp_path, 3)  # O-0 -> O-1 -> O-2
    # O-1 moves out from under O-2, and O-2 moves under O-0: no cycle once O-1's new parent counts
    rows = [org("O-1", "committee", "O-new"), org("O-new", "committee"), org(ids[2], "committee", ids[0])]
    summary = load(store, write_dir(tmp_path / "new", {"party_orgs": rows}))
    assert summary.issues == []
    # but the same move of O-2 without moving O-1 closes the ring O-2 -> O-0 -> O-1 -> O-2
    with pytest.raises(ValidationFailed) as caught:
        load(store, write_dir(tmp_path / "again", {"party_orgs": [org("O-1", "committee", "O-2")]}))
    assert CYCLE_ARROW.join(["O-1", "O-2", "O-0", "O-1"]) in caught.value.issues[0].reason


# ---------------------------------------------------------------- levels


ALLOWED = [(child, parent) for child, parents in ORG_PARENT_LEVELS.items() for parent in parents]
REFUSED = [
    (child.code, parent.code)
    for child in ORG_LEVEL
    for parent in ORG_LEVEL
    if parent.code not in ORG_PARENT_LEVELS[child.code]
]


def test_the_level_tree_is_the_one_documented() -> None:
    assert set(ORG_PARENT_LEVELS) == {c.code for c in ORG_LEVEL}
    assert ORG_PARENT_LEVELS["group"] == ("branch",)
    assert set(ORG_PARENT_LEVELS["branch"]) == {"committee", "working_committee", "general_branch"}
    assert set(ORG_PARENT_LEVELS["general_branch"]) == {"committee", "working_committee"}
    # nothing sits under a group; a branch holds groups only
    assert all("group" not in parents for parents in ORG_PARENT_LEVELS.values())
    assert [c for c, parents in ORG_PARENT_LEVELS.items() if "branch" in parents] == ["group"]


@pytest.mark.parametrize(("child", "parent"), ALLOWED)
def test_allowed_levels_pass(tmp_path: Path, child: str, parent: str) -> None:
    assert run(tmp_path, [org("O-p", parent), org("O-c", child, "O-p")]).issues == []


@pytest.mark.parametrize(("child", "parent"), REFUSED)
def test_a_child_at_a_level_its_parent_cannot_hold_is_refused(tmp_path: Path, child: str, parent: str) -> None:
    (issue,) = run(tmp_path, [org("O-p", parent), org("O-c", child, "O-p")]).issues
    assert (issue.file, issue.row, issue.column, issue.value) == (FILE, 3, PARENT, "O-p")
    assert f"{LEVEL_ZH[child]}的上级应为" in issue.reason_zh and LEVEL_ZH[parent] in issue.reason_zh
    assert "sits under" in issue.reason and "O-p" in issue.reason


def test_a_level_is_checked_against_a_parent_in_the_store(store: Store, tmp_path: Path) -> None:
    load(store, write_dir(tmp_path / "stored", {"party_orgs": [org("O-gb", "general_branch")]}))
    with pytest.raises(ValidationFailed) as caught:
        load(store, write_dir(tmp_path / "group", {"party_orgs": [org("O-g", "group", "O-gb")]}))
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == (FILE, 2, PARENT)
    assert "党小组的上级应为党支部" in issue.reason_zh and "党总支" in issue.reason_zh
    summary = load(store, write_dir(tmp_path / "branch", {"party_orgs": [org("O-b", "branch", "O-gb")]}))
    assert summary.tables["party_orgs"].created == 1


def test_an_invalid_parent_level_is_not_held_against_the_child(tmp_path: Path) -> None:
    rows = [org("O-p", "committee"), org("O-c", "group", "O-p")]
    rows[0]["level"] = "大队"  # not a level: reported on its own row only
    (issue,) = run(tmp_path, rows).issues
    assert issue.row == 2 and issue.column == PARTY_ORG.column("level").zh


def test_the_sample_input_and_its_levels_pass(tmp_path: Path) -> None:
    read = read_input(write_dir(tmp_path / "in", sample()))
    assert validate(read.tables, source="t").issues == []


# ---------------------------------------------------------------- the place tree


def test_every_place_refers_up_to_the_next_level_only_so_the_place_tree_has_no_cycle() -> None:
    """The declaration makes the tree: each PART_OF column may only name strictly higher
    places, so following PART_OF strictly climbs PLACE_LABELS and cannot come back."""
    rank = {label: position for position, label in enumerate(PLACE_LABELS)}
    for kind in NODE_KINDS:
        for inline in kind.inline_rels:
            if inline.type != "PART_OF":
                continue
            assert kind.label in rank, f"{kind.label} is not a place but has PART_OF"
            targets = kind.column(inline.column).ref
            assert targets and all(rank[t] < rank[kind.label] for t in targets), kind.label
    parents = [k for k in NODE_KINDS if any(r.type == "PART_OF" for r in k.inline_rels)]
    assert [k.label for k in parents] == list(PLACE_LABELS[1:])
    assert node_kind(PLACE_LABELS[0]).inline_rels == ()  # the city has no parent


def test_a_place_refering_to_a_place_of_its_own_level_is_refused(tmp_path: Path) -> None:
    tables = sample()
    tables["buildings"][1]["compound_id"] = "B-1"  # a building "part of" a building
    read = read_input(write_dir(tmp_path / "in", tables))
    issues = validate(read.tables, source="t").issues
    (issue,) = [i for i in issues if i.file == "buildings.csv"]
    assert issue.row == 3 and "refers to a Compound" in issue.reason

"""Validation of whole inputs without a store (loaders/validate.py, rows, refs, rules, build)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph.declare import rel_key
from graph.errors import Issue
from graph.model import PERSON, REL_KINDS, TABLES
from graph.privacy import mask_id_number, mask_name, mask_phone
from graph.provenance import node_hash, rel_hash
from loaders.issues import cell_issue
from loaders.names import column_named, columns_of, table_named
from loaders.read import read_input
from loaders.rules import RULES
from loaders.validate import Validated, validate
from tests.loaders.loader_samples import BAD_ID, ID_1, SAMPLE_NODES, Rows, sample, write_dir


def run(tmp_path: Path, tables: dict[str, Rows], headers: str = "zh") -> Validated:
    directory = write_dir(tmp_path / "input", tables, headers=headers)
    read = read_input(directory)
    assert read.issues == []
    return validate(read.tables, source="t")


def at(issues: list[Issue], file: str, row: int, column: str) -> Issue:
    found = [i for i in issues if (i.file, i.row, i.column) == (file, row, column)]
    assert len(found) == 1, f"expected one issue at {file} row {row} column {column}, got {issues}"
    return found[0]


# ---------------------------------------------------------------- the valid sample


def test_the_sample_is_valid_and_becomes_typed_records(tmp_path: Path) -> None:
    result = run(tmp_path, sample())
    assert result.issues == [] and result.skipped == []
    assert len(result.nodes) == SAMPLE_NODES
    nodes = {n.id: n for n in result.nodes}
    r1 = nodes["R-1"]
    assert r1.labels == ("Person", "PartyMember")
    assert r1.props == {
        "id": "R-1",
        "name": "张伟",
        "gender": "M",
        "id_number": ID_1,
        "phone": "13800001234",
        "is_owner": True,
        "political_status": "member",
        "in_service": True,
        "joined_on": date(2001, 7, 1),
        "skills": "法律咨询",
        "name_initials": "zw",  # derived (graph/pinyin.py), not an input column
        "caption": "1",  # derived: the Browser kit's caption, a person's id number
        "_source": "t",
        # the content hash covers the labels, the properties and the REF targets (home, entrance)
        "_hash": node_hash(r1.labels, r1.props, {"LIVES_IN": "B-1", "LIVES_IN_ENTRANCE": "E-1", "WORKS_AT": "U-1"}),
    }
    assert nodes["R-2"].labels == ("Person",)
    assert nodes["R-3"].labels == ("Person", "PartyMember")
    assert nodes["P-2"].props == {
        "id": "P-2",
        "name": "新华小区",
        "eligible_for_owners_committee": False,
        "caption": "新华小区",  # derived: short enough to be the whole name
        "_source": "t",
        "_hash": nodes["P-2"].props["_hash"],
    }
    moved = {**nodes["P-2"].props, "name": "别的小区"}
    assert node_hash(nodes["P-2"].labels, moved, {"PART_OF": "G-1"}) != nodes["P-2"].props["_hash"]
    assert nodes["OC-1"].labels == ("OwnersCommittee", "Committee")
    assert nodes["B-1"].labels == ("Building", "Place")


def test_relationship_records(tmp_path: Path) -> None:
    rels = {(r.type, r.key): r for r in run(tmp_path, sample()).rels}
    part_of = rels[("PART_OF", rel_key("B-1", "P-1"))]
    assert (part_of.from_label, part_of.to_label) == ("Building", "Compound")
    assert part_of.props == {"_key": "B-1|P-1", "_source": "t"}  # part of its node's item (and hash)
    head = rels[("HOLDS_ROLE", rel_key("R-2", "E-2", ("entrance_head", date(2021, 1, 1))))]
    assert (head.from_label, head.to_label) == ("Person", "Entrance")
    assert head.props == {
        "role": "entrance_head",
        "since": date(2021, 1, 1),
        "_key": head.key,
        "_source": "t",
        "_hash": rel_hash("R-2", "E-2", {"role": "entrance_head", "since": date(2021, 1, 1)}),
    }
    served = rels[("SERVES", "SM-1|P-2|2021-01-01")]
    assert served.from_label == "SelfManagementCommittee"
    reported = rels[("REPORTED_TO", "O-4|CM-1|2021-02-01")]
    assert reported.from_label == "PartyOrg"
    covers = rels[("COVERS", "O-1|CM-1|")]  # no since: an empty key part
    assert covers.props == {"_key": "O-1|CM-1|", "_source": "t", "_hash": rel_hash("O-1", "CM-1", {})}
    assert ("LIVES_IN_ENTRANCE", "R-3|") not in {(r.type, r.key[:4]) for r in rels.values()}


def test_english_headers_give_the_same_records(tmp_path: Path) -> None:
    zh = run(tmp_path / "zh", sample(), headers="zh")
    en = run(tmp_path / "en", sample(), headers="en")
    assert zh.nodes == en.nodes and zh.rels == en.rels


# ---------------------------------------------------------------- cell problems, all at once, masked


def test_every_cell_problem_is_reported_at_once_and_personal_values_are_masked(tmp_path: Path) -> None:
    tables = sample()
    r1, r2, r3 = tables["persons"]
    r1["id_number"] = BAD_ID
    r1["phone"] = "12345"
    r2["name"] = ""
    r2["political_status"] = "团员"
    r3["joined_on"] = "2021-02-30"
    tables["buildings"][0]["residents"] = "很多"
    tables["compounds"][1]["eligible_for_owners_committee"] = "也许"
    result = run(tmp_path, tables)
    assert len(result.issues) == 7
    bad_id = at(result.issues, "persons.csv", 2, "身份证号")
    assert "check digit (GB 11643)" in bad_id.reason and "GB 11643" in bad_id.reason_zh
    assert bad_id.value == mask_id_number(BAD_ID) and bad_id.value != BAD_ID
    phone = at(result.issues, "persons.csv", 2, "手机号")
    assert phone.value == mask_phone("12345") and "mobile" in phone.reason
    assert at(result.issues, "persons.csv", 3, "姓名").reason == "required value missing"
    assert "中共党员" in at(result.issues, "persons.csv", 3, "政治面貌").reason_zh
    assert at(result.issues, "persons.csv", 4, "入党日期").reason == "not a real date"
    assert at(result.issues, "buildings.csv", 2, "常住人口").reason == "not a whole number"
    assert "是/否" in at(result.issues, "compounds.csv", 3, "具备成立业委会条件").reason_zh
    for issue in result.issues:
        assert BAD_ID not in str(issue) and BAD_ID not in str(issue.as_dict())


def test_issues_mask_every_personal_column() -> None:
    name = cell_issue("persons.csv", 2, "姓名", PERSON.column("name"), " 欧阳娜娜 ", "r", "r")
    assert name.value == mask_name("欧阳娜娜") == "欧***"
    phone = cell_issue("persons.csv", 2, "手机号", PERSON.column("phone"), 13800001234, "r", "r")
    assert phone.value == "138****1234"
    plain = cell_issue("persons.csv", 2, "居住楼栋", PERSON.column("building_id"), "B-1", "r", "r")
    assert plain.value == "B-1"


# ---------------------------------------------------------------- ids and references


def test_duplicate_ids_within_and_across_files(tmp_path: Path) -> None:
    tables = sample()
    tables["buildings"].append({"id": "B-1", "name": "重复", "compound_id": "P-1"})
    tables["grids"].append({"id": "P-2", "name": "网格也叫P-2", "community_id": "CM-1"})
    result = run(tmp_path, tables)
    within = at(result.issues, "buildings.csv", 5, "楼栋编号")
    assert "duplicate id" in within.reason and "buildings.csv row 2" in within.reason
    assert "buildings.csv 第2行" in within.reason_zh
    across = at(result.issues, "compounds.csv", 3, "小区编号")  # compounds come after grids
    assert "grids.csv row 3" in across.reason
    assert len(result.issues) == 2


def test_references_must_exist_and_have_an_allowed_label(tmp_path: Path) -> None:
    tables = sample()
    tables["buildings"][1]["compound_id"] = "P-404"
    tables["buildings"][2]["compound_id"] = "G-1"
    tables["party_orgs"][0]["parent_id"] = "O-1"
    tables["persons"][0]["employer_id"] = "F-1"  # a property firm is allowed as a work unit
    result = run(tmp_path, tables)
    missing = at(result.issues, "buildings.csv", 3, "所属小区")
    assert "no Compound has that id in the input files" in missing.reason
    assert missing.value == "P-404" and "小区" in missing.reason_zh
    wrong = at(result.issues, "buildings.csv", 4, "所属小区")
    assert "which is a Grid" in wrong.reason and "网格" in wrong.reason_zh
    itself = at(result.issues, "party_orgs.csv", 2, "上级党组织")
    assert itself.reason == "refers to its own row"
    assert len(result.issues) == 3


def test_ids_may_not_contain_the_key_separator(tmp_path: Path) -> None:
    tables = sample()
    tables["cities"].append({"id": "C|2", "name": "坏编号"})
    (only,) = run(tmp_path, tables).issues
    assert (only.row, only.column) == (3, "市编号") and "|" in only.reason


# ---------------------------------------------------------------- declared rules


def test_relationship_rules(tmp_path: Path) -> None:
    tables = sample()
    tables["appointments"].append({"person_id": "R-2", "target_id": "P-1", "role": "楼栋长"})
    tables["appointments"].append({"person_id": "R-2", "target_id": "G-1", "role": "liaison"})  # fine
    tables["property_services"].append({"provider_id": "SM-1", "compound_id": "P-1", "mode": "firm"})
    tables["property_services"].append(
        {"provider_id": "F-1", "compound_id": "P-2", "mode": "保障性管理", "since": "2023-01-01"}
    )
    tables["memberships"].append({"person_id": "R-2", "org_id": "O-2"})
    tables["residence_registrations"].append({"person_id": "R-2", "org_id": "O-2"})
    tables["dual_reports"].append({"reporter_id": "R-2", "community_id": "CM-1"})
    result = run(tmp_path, tables)
    role = at(result.issues, "appointments.csv", 5, "任职对象编号")
    assert "building head is appointed to a Building, not to a Compound" in role.reason
    assert "楼栋长应任职于楼栋" in role.reason_zh
    firm_mode = at(result.issues, "property_services.csv", 4, "管理方式")
    assert "needs a PropertyFirm provider" in firm_mode.reason
    firm_provider = at(result.issues, "property_services.csv", 5, "管理方式")
    assert "provider needs mode firm" in firm_provider.reason
    for file in ("memberships.csv", "residence_registrations.csv"):
        member = at(result.issues, file, 4 if file == "memberships.csv" else 3, "党员编号")
        assert "R-2 is not a party member" in member.reason and "不是党员" in member.reason_zh
    at(result.issues, "dual_reports.csv", 4, "报到党员或党组织编号")
    assert len(result.issues) == 6


def test_a_persons_entrance_must_be_in_their_building(tmp_path: Path) -> None:
    tables = sample()
    tables["persons"][1]["building_id"] = "B-2"  # E-2 is an entrance of B-1
    (only,) = run(tmp_path, tables).issues
    assert (only.file, only.row, only.column) == ("persons.csv", 3, "居住单元")
    assert only.reason == "entrance E-2 belongs to building B-1, not to building B-2"


def test_membership_of_a_person_whose_own_row_is_invalid_is_not_held_against_it(tmp_path: Path) -> None:
    tables = sample()
    tables["persons"][2]["political_status"] = "未知"
    (only,) = run(tmp_path, tables).issues
    assert only.column == "政治面貌"


def test_since_after_until(tmp_path: Path) -> None:
    tables = sample()
    tables["memberships"][0]["until"] = "2009-12-31"
    tables["owners_committees"][0]["until"] = "2020-01-01"
    result = run(tmp_path, tables)
    assert "ends before it starts" in at(result.issues, "memberships.csv", 2, "终止日期").reason
    assert at(result.issues, "owners_committees.csv", 2, "任期届满日期").reason_zh.startswith("终止日期早于")


def test_duplicate_relationship_rows(tmp_path: Path) -> None:
    tables = sample()
    tables["memberships"].append({"person_id": "R-1", "org_id": "O-4", "since": "2010/1/1"})  # same key
    tables["memberships"].append({"person_id": "R-1", "org_id": "O-4", "since": "2015-01-01"})  # restarted
    tables["org_coverage"].append({"org_id": "O-1", "target_id": "CM-1"})
    result = run(tmp_path, tables)
    repeated = at(result.issues, "memberships.csv", 4, "党组织编号")
    assert "same relationship as memberships.csv row 2" in repeated.reason
    at(result.issues, "org_coverage.csv", 5, "覆盖对象编号")
    assert len(result.issues) == 2


def test_every_declared_rule_has_a_check() -> None:
    for kind in REL_KINDS:
        if kind.rules:
            assert kind.table in RULES, (
                f"{kind.table} declares {kind.rules} but loaders/rules.py checks nothing"
            )


def test_every_header_resolves_to_exactly_its_column() -> None:
    zh_names = [t.zh for t in TABLES]
    assert len(set(zh_names)) == len(zh_names)
    for kind in TABLES:
        assert table_named(kind.table) is kind and table_named(kind.zh) is kind
        for column in columns_of(kind):
            assert column_named(kind, column.name) is column
            assert column_named(kind, column.zh) is column


# ---------------------------------------------------------------- what accept_valid keeps


def test_rows_depending_on_an_invalid_row_are_left_out(tmp_path: Path) -> None:
    tables = sample()
    tables["buildings"][0]["residents"] = "x"  # B-1 invalid
    result = run(tmp_path, tables)
    assert len(result.issues) == 1
    kept = {n.id for n in result.nodes}
    assert {"B-1", "E-1", "E-2", "R-1", "R-2"}.isdisjoint(kept)
    assert {"B-2", "B-3", "R-3", "P-1"} <= kept
    left_out = {(i.file, i.row) for i in result.skipped}
    assert ("entrances.csv", 2) in left_out and ("persons.csv", 2) in left_out
    assert ("memberships.csv", 2) in left_out  # R-1's membership, two steps away
    assert ("memberships.csv", 3) not in left_out  # R-3's
    assert ("dual_reports.csv", 3) not in left_out  # O-4's
    assert all("row left out" in i.reason for i in result.skipped)
    assert not any(r.from_id in ("B-1", "R-1", "R-2") or r.to_id == "B-1" for r in result.rels)


def test_both_rows_of_a_duplicate_id_are_left_out(tmp_path: Path) -> None:
    tables = sample()
    tables["cities"].append({"id": "C-1", "name": "另一个市"})
    result = run(tmp_path, tables)
    assert len(result.issues) == 1
    first = [i for i in result.skipped if (i.file, i.row) == ("cities.csv", 2)]
    assert first and "defined again at cities.csv row 3" in first[0].reason
    assert {n.label for n in result.nodes} == {"PropertyFirm", "PartyOrg"}  # all else hangs on C-1


@pytest.mark.parametrize("table", ["buildings", "persons"])
def test_a_table_missing_a_required_column_loads_none_of_its_rows(tmp_path: Path, table: str) -> None:
    tables = sample()
    directory = write_dir(tmp_path / "input", tables)
    path = directory / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(line.split(",")[1:]) for line in lines) + "\n", encoding="utf-8")
    read = read_input(directory)
    assert len(read.issues) == 1 and read.issues[0].row == 1
    result = validate(read.tables, source="t")
    assert not any(n.label == table_named(table).label for n in result.nodes)  # type: ignore[union-attr]


# ---------------------------------------------------------------- homes and parents that may be absent


def test_a_person_may_live_outside_the_loaded_area_but_an_entrance_needs_its_building(tmp_path: Path) -> None:
    tables = sample()
    del tables["persons"][2]["building_id"]  # a cadre living outside every loaded area
    result = run(tmp_path, tables)
    assert result.issues == []
    assert not any(r.type == "LIVES_IN" and r.from_id == "R-3" for r in result.rels)
    tables = sample()
    del tables["persons"][1]["building_id"]  # R-2 keeps entrance E-2 but gives no building
    (only,) = run(tmp_path, tables).issues
    assert (only.file, only.row, only.column) == ("persons.csv", 3, "居住单元")
    assert "without a building" in only.reason and "居住楼栋" in only.reason_zh


def test_a_compound_lies_in_a_grid_or_directly_in_a_community(tmp_path: Path) -> None:
    tables = sample()
    p2 = tables["compounds"][1]
    del p2["grid_id"]
    p2["community_id"] = "CM-1"  # no grid: directly under the community
    result = run(tmp_path, tables)
    assert result.issues == []
    parts = {(r.from_id, r.to_id, r.to_label) for r in result.rels if r.type == "PART_OF" and r.from_label == "Compound"}
    assert parts == {("P-1", "G-1", "Grid"), ("P-2", "CM-1", "Community")}
    p2["grid_id"] = "G-1"  # both: refused
    (both,) = run(tmp_path, tables).issues
    assert (both.file, both.row, both.column) == ("compounds.csv", 3, "直属社区")
    assert "not both" in both.reason and "只能填一个" in both.reason_zh
    del p2["grid_id"], p2["community_id"]  # neither: refused
    (neither,) = run(tmp_path, tables).issues
    assert (neither.file, neither.row, neither.column) == ("compounds.csv", 3, "所属网格")
    assert "needs its grid" in neither.reason
    p2["community_id"] = "G-1"  # a grid's id in the community column: a reference of the wrong kind
    (wrong,) = run(tmp_path, tables).issues
    assert wrong.column == "直属社区"

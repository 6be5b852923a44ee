"""A small, fully valid input covering every table, and writers for it (CSV in any encoding, XLSX).

Rows are given by English column name, with values as an organizer would type them.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl

from graph.identifiers import credit_code_check_char, id_number_check_char
from graph.model import TABLES, table
from loaders.names import TableKind, columns_of

Rows = list[dict[str, object]]
Tables = Mapping[str, Sequence[Mapping[str, object]]]


def idn(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def credit(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


ID_1 = idn("42060219800101123")
ID_2 = idn("42060619900215234")
ID_3 = idn("42060719751130345")
ID_X = "11010519491231002X"  # GB 11643's own example, check character X
BAD_ID = ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1")  # right shape, wrong check digit


def sample() -> dict[str, Rows]:
    """A fresh copy of the sample input, by table name."""
    return {
        "cities": [{"id": "C-1", "name": "襄阳市", "code": "420600"}],
        "districts": [{"id": "D-1", "name": "襄城区", "city_id": "C-1", "code": "420602"}],
        "subdistricts": [{"id": "S-1", "name": "檀溪街道", "district_id": "D-1"}],
        "communities": [{"id": "CM-1", "name": "檀溪社区", "subdistrict_id": "S-1"}],
        "grids": [{"id": "G-1", "name": "第一网格", "community_id": "CM-1"}],
        "compounds": [
            {
                "id": "P-1",
                "name": "檀溪小区",
                "grid_id": "G-1",
                "address": "檀溪路1号",
                "eligible_for_owners_committee": "是",
                "households": "320",
            },
            {"id": "P-2", "name": "新华小区", "grid_id": "G-1", "eligible_for_owners_committee": "否"},
        ],
        "buildings": [
            {"id": "B-1", "name": "1栋", "compound_id": "P-1", "residents": "96"},
            {"id": "B-2", "name": "2栋", "compound_id": "P-1"},
            {"id": "B-3", "name": "1栋", "compound_id": "P-2"},
        ],
        "entrances": [
            {"id": "E-1", "name": "1单元", "building_id": "B-1"},
            {"id": "E-2", "name": "2单元", "building_id": "B-1"},
        ],
        "employers": [
            {
                "id": "U-1",
                "name": "襄阳市某局",
                "kind": "机关",
                "credit_code": credit("11420600MB1234567"),
                "community_id": "CM-1",
            }
        ],
        "property_firms": [
            {"id": "F-1", "name": "襄阳某物业服务有限公司", "credit_code": credit("91420600MA4ABCDE1")}
        ],
        "party_orgs": [
            {"id": "O-1", "name": "檀溪社区党委", "level": "党委", "kind": "区域"},
            {"id": "O-2", "name": "第一网格党支部", "level": "党支部", "kind": "区域", "parent_id": "O-1"},
            {"id": "O-3", "name": "1栋党小组", "level": "党小组", "kind": "区域", "parent_id": "O-2"},
            {"id": "O-4", "name": "某局机关党支部", "level": "branch", "kind": "employer"},
        ],
        "persons": [
            {
                "id": "R-1",
                "name": "张伟",
                "gender": "男",
                "id_number": ID_1,
                "phone": "138-0000-1234",
                "building_id": "B-1",
                "entrance_id": "E-1",
                "is_owner": "是",
                "political_status": "中共党员",
                "in_service": "是",
                "employer_id": "U-1",
                "joined_on": "2001年7月1日",
                "skills": "法律咨询",
            },
            {
                "id": "R-2",
                "name": "李娜",
                "gender": "女",
                "id_number": ID_2,
                "building_id": "B-1",
                "entrance_id": "E-2",
                "is_owner": "Y",
                "political_status": "群众",
            },
            {
                "id": "R-3",
                "name": "王强",
                "id_number": ID_3,
                "phone": "+86 13900001234",
                "building_id": "B-3",
                "political_status": "probationary",
                "in_service": "否",
            },
        ],
        "residents_committees": [
            {"id": "RC-1", "name": "檀溪社区居委会", "community_id": "CM-1", "since": "2021/01/01"}
        ],
        "env_property_committees": [
            {"id": "EP-1", "name": "环境和物业管理委员会", "residents_committee_id": "RC-1"}
        ],
        "owners_committees": [
            {
                "id": "OC-1",
                "name": "檀溪小区业委会",
                "compound_id": "P-1",
                "since": "2021-06-01",
                "until": "2026-05-31",
            }
        ],
        "self_management_committees": [{"id": "SM-1", "name": "新华小区自管委", "compound_id": "P-2"}],
        "service_centres": [{"id": "SC-1", "name": "檀溪社区党群服务中心", "place_id": "CM-1"}],
        "red_stations": [
            {"id": "RS-1", "name": "檀溪小区红色驿站", "place_id": "P-1", "since": "2021.05.01"}
        ],
        "memberships": [
            {"person_id": "R-1", "org_id": "O-4", "since": "2010-01-01"},
            {"person_id": "R-3", "org_id": "O-2", "since": "2022-01-01"},
        ],
        "residence_registrations": [{"person_id": "R-1", "org_id": "O-2", "since": "2021-03-01"}],
        "org_coverage": [
            {"org_id": "O-1", "target_id": "CM-1"},
            {"org_id": "O-2", "target_id": "P-1", "since": "2021-01-01"},
            {"org_id": "O-3", "target_id": "B-1"},
        ],
        "dual_reports": [
            {"reporter_id": "R-1", "community_id": "CM-1", "since": "2021-03-01"},
            {"reporter_id": "O-4", "community_id": "CM-1", "since": "2021-02-01"},
        ],
        "committee_seats": [
            {"person_id": "R-1", "committee_id": "OC-1", "role": "主任", "since": "2021-06-01"},
            {"person_id": "R-2", "committee_id": "OC-1", "role": "委员", "since": "2021-06-01"},
        ],
        "property_services": [
            {
                "provider_id": "F-1",
                "compound_id": "P-1",
                "mode": "物业服务企业",
                "contract_no": "HT-2020-1",
                "since": "2020-01-01",
            },
            {"provider_id": "SM-1", "compound_id": "P-2", "mode": "党建引领自管", "since": "2021-01-01"},
        ],
        "appointments": [
            {"person_id": "R-1", "target_id": "B-1", "role": "楼栋长", "since": "2021-01-01"},
            {"person_id": "R-2", "target_id": "E-2", "role": "单元长", "since": "2021-01-01"},
            {"person_id": "R-3", "target_id": "P-1", "role": "quality_supervisor", "since": "2022-01-01"},
        ],
    }


SAMPLE_NODES = sum(len(rows) for name, rows in sample().items() if hasattr(table(name), "label"))


def header_row(
    kind: TableKind, rows: Sequence[Mapping[str, object]], headers: str
) -> tuple[list[str], list[str]]:
    """The headers to write (required columns and those any row fills) and their column names."""
    used = [c for c in columns_of(kind) if c.required or any(c.name in r for r in rows)]
    return [c.zh if headers == "zh" else c.name for c in used], [c.name for c in used]


def grid(kind: TableKind, rows: Sequence[Mapping[str, object]], headers: str = "zh") -> list[list[object]]:
    """The rows of one table as a spreadsheet grid, header first."""
    titles, names = header_row(kind, rows, headers)
    return [list(titles), *([r.get(n, "") for n in names] for r in rows)]


def write_csv(
    path: Path,
    kind: TableKind,
    rows: Sequence[Mapping[str, object]],
    *,
    headers: str = "zh",
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(grid(kind, rows, headers))
    return path


def write_dir(directory: Path, tables: Tables, *, headers: str = "zh", encoding: str = "utf-8") -> Path:
    """One CSV per table, named by the English table name."""
    directory.mkdir(parents=True, exist_ok=True)
    for kind in TABLES:
        if kind.table in tables:
            write_csv(
                directory / f"{kind.table}.csv", kind, tables[kind.table], headers=headers, encoding=encoding
            )
    return directory


def write_xlsx(path: Path, tables: Tables, *, headers: str = "zh", sheet_names: str = "zh") -> Path:
    book = openpyxl.Workbook()
    if book.active is not None:
        book.remove(book.active)
    for kind in TABLES:
        if kind.table in tables:
            sheet = book.create_sheet(kind.zh if sheet_names == "zh" else kind.table)
            for row in grid(kind, tables[kind.table], headers):
                sheet.append(row)
    book.save(path)
    return path


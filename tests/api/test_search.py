"""Search (api/graphql/search.py) on both stores, against an oracle over the input tables.

The oracle reads the street's CSV files as plain rows: where each place lies (its parent
column), where each person lives, and which rows match a text. Search answers only what the
user may see, masked as everywhere, and every search of people leaves an audit entry with an
HMAC of the text, never the text.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from pypinyin import Style, lazy_pinyin

from api.graphql.search import read_text
from graph.pinyin import name_initials
from graph.store import Store
from tests.api.client import Api

PARENTS = {
    "districts": "city_id",
    "subdistricts": "district_id",
    "communities": "subdistrict_id",
    "grids": "community_id",
    "buildings": "compound_id",
}
SEARCH = """query($text: String!, $reason: String) { search(text: $text, reason: $reason, first: 100) {
  by persons { key name phone } buildings { key name } compounds { key name } } }"""


class Tables:
    def __init__(self, street: Path) -> None:
        self.rows = {p.stem: list(csv.DictReader(p.open(encoding="utf-8"))) for p in street.glob("*.csv")}
        self.parent: dict[str, str] = {}
        for table, column in PARENTS.items():
            for r in self.rows[table]:
                self.parent[r["id"]] = r[column]
        for r in self.rows["compounds"]:
            self.parent[r["id"]] = r["grid_id"] or r["community_id"]
        self.persons = self.rows["persons"]

    def up(self, place: str) -> Iterator[str]:
        while place:
            yield place
            place = self.parent.get(place, "")

    def lives_in(self, person: dict[str, str], area: str) -> bool:
        return bool(person["building_id"]) and area in self.up(person["building_id"])

    def places_named(self, table: str, part: str, area: str) -> list[str]:
        return sorted(r["id"] for r in self.rows[table] if part in r["name"] and area in self.up(r["id"]))


@pytest.fixture(scope="module")
def tables(street_dir: Path) -> Tables:
    return Tables(street_dir)


@pytest.fixture
def api(street_store: Store, tmp_path: Path) -> Api:
    return Api(street_store, tmp_path)


def _search(api: Api, area: str, role: str, text: str, reason: str | None = None) -> dict[str, Any]:
    body = api.post(SEARCH, {"text": text, "reason": reason}, api.token(area, role)).json()
    assert "errors" not in body, body
    return body["data"]["search"]


def _residents(tables: Tables, area: str) -> list[dict[str, str]]:
    return [p for p in tables.persons if tables.lives_in(p, area)]


def test_texts_are_read_as_organizers_type_them() -> None:
    assert read_text("+86 138-0000-1234")[0].value == "phone"
    assert read_text("42060219900101123x") == (read_text("42060219900101123X")[0], "42060219900101123X")
    assert read_text("1234")[0].value == "part_number"
    assert read_text("张")[0].value == "name" and read_text("3号楼")[0].value == "name"


def test_a_full_phone_finds_the_person_masked_for_a_viewer(api: Api, tables: Tables) -> None:
    person = next(p for p in _residents(tables, "CM-0001") if p["phone"])
    found = _search(api, "CM-0001", "viewer", person["phone"])
    assert found["by"] == "PHONE"
    assert [p["key"] for p in found["persons"]] == sorted(p["id"] for p in tables.persons if p["phone"] == person["phone"])
    shown = found["persons"][0]
    assert shown["phone"] != person["phone"] and "*" in shown["phone"] and "*" in shown["name"]


def test_a_full_id_number_finds_the_person(api: Api, tables: Tables) -> None:
    person = next(p for p in _residents(tables, "CM-0001") if p["id_number"])
    found = _search(api, "CM-0001", "organizer", person["id_number"])
    assert found["by"] == "ID_NUMBER" and [p["key"] for p in found["persons"]] == [person["id"]]
    assert found["persons"][0]["name"] == person["name"]  # an organizer sees names


def test_names_by_their_start_within_the_area(api: Api, tables: Tables) -> None:
    for area in ("CM-0001", "C-0001"):
        residents = _residents(tables, area)
        surname = residents[len(residents) // 2]["name"][0]
        found = _search(api, area, "organizer", surname)
        expected = sorted(p["id"] for p in residents if p["name"].startswith(surname))
        keys = [p["key"] for p in found["persons"]]
        # residents of the area always; a person living nowhere may lie in it through a role
        assert set(expected[:100]) <= set(keys) or len(keys) == 100
        for key in keys:
            person = next(p for p in tables.persons if p["id"] == key)
            assert person["name"].startswith(surname)
            assert not person["building_id"] or tables.lives_in(person, area)


def test_places_by_part_of_their_name(api: Api, tables: Tables) -> None:
    found = _search(api, "CM-0001", "viewer", "号楼")
    assert [b["key"] for b in found["buildings"]] != []
    assert sorted(b["key"] for b in found["buildings"]) == tables.places_named("buildings", "号楼", "CM-0001")[:100]
    compound = tables.rows["compounds"][0]
    found = _search(api, "C-0001", "viewer", compound["name"][:2])
    assert sorted(c["key"] for c in found["compounds"]) == tables.places_named("compounds", compound["name"][:2], "C-0001")
    assert found["persons"] == []  # a viewer does not search people by name


def test_outside_the_area_is_absent(api: Api, tables: Tables) -> None:
    outside = next(p for p in tables.persons if p["phone"] and p["building_id"] and not tables.lives_in(p, "CM-0001"))
    found = _search(api, "CM-0001", "officer", outside["phone"])
    nobody = _search(api, "CM-0001", "officer", "13999999999" if outside["phone"] != "13999999999" else "13888888888")
    assert found == nobody == {"by": "PHONE", "persons": [], "buildings": [], "compounds": []}
    # and found from the city
    assert [p["key"] for p in _search(api, "C-0001", "officer", outside["phone"])["persons"]] == [outside["id"]]


def test_part_of_a_number_only_for_roles_that_see_numbers(api: Api, tables: Tables) -> None:
    person = next(p for p in _residents(tables, "CM-0001") if p["phone"])
    part = person["phone"][3:8]
    for role, reason in (("viewer", "走访"), ("organizer", "走访"), ("officer", None)):
        body = api.post(SEARCH, {"text": part, "reason": reason}, api.token("CM-0001", role)).json()
        assert body["data"] is None and "号码片段" in body["errors"][0]["message"], (role, body)
    found = _search(api, "CM-0001", "officer", part, reason="走访核实")
    expected = sorted(
        p["id"] for p in _residents(tables, "CM-0001") if part in p["phone"] or part in p["id_number"]
    )
    assert set(expected[:100]) <= {p["key"] for p in found["persons"]}


def test_searches_of_people_are_audited_without_the_text(api: Api, tables: Tables) -> None:
    person = next(p for p in _residents(tables, "CM-0001") if p["phone"])
    _search(api, "CM-0001", "viewer", person["phone"])
    _search(api, "CM-0001", "viewer", person["phone"])
    _search(api, "CM-0001", "organizer", person["name"][:1])
    entries = [e for e in api.audit.read() if e.record == "search"]
    assert [e.field for e in entries] == ["phone", "phone", "name"]
    assert entries[0].reason == entries[1].reason and entries[0].reason.startswith("hmac:")
    log = api.audit.path.read_text(encoding="utf-8")
    assert person["phone"] not in log and person["phone"][-4:] not in log
    key = api.audit.path.parent / "search.key"
    assert key.stat().st_mode & 0o777 == 0o600


def _initials_match(name: str, text: str) -> bool:
    """The oracle of a search by initials: the name starts with the text, or one of its readings
    does (``graph.pinyin.name_initials``, itself held to pypinyin in tests/store/test_derived.py)."""
    readings = (name_initials(name) or "").split(" ")
    return name.startswith(text) or any(r.startswith(text.lower()) for r in readings)


def test_pinyin_initials_find_people_within_the_area(api: Api, tables: Tables) -> None:
    assert read_text("zsf")[0].value == "initials" and read_text("ZSF") == (read_text("zsf")[0], "ZSF")
    residents = _residents(tables, "CM-0001")
    person = residents[len(residents) // 3]
    initials = "".join(lazy_pinyin(person["name"], style=Style.FIRST_LETTER))  # pypinyin itself
    for text in (initials, initials[:2].upper()):
        found = _search(api, "CM-0001", "organizer", text)
        assert found["by"] == "INITIALS"
        keys = [p["key"] for p in found["persons"]]
        expected = sorted(p["id"] for p in residents if _initials_match(p["name"], text))
        assert person["id"] in keys or len(keys) == 100
        assert set(expected[:100]) <= set(keys) or len(keys) == 100
        for key in keys:
            p = next(p for p in tables.persons if p["id"] == key)
            assert _initials_match(p["name"], text)
            assert not p["building_id"] or tables.lives_in(p, "CM-0001")
        assert all(p["name"] == next(r["name"] for r in tables.persons if r["id"] == p["key"]) for p in found["persons"])


def test_initials_outside_the_area_find_nothing_and_a_viewer_no_people(api: Api, tables: Tables) -> None:
    inside = {p["id"] for p in _residents(tables, "CM-0001")}
    outside = next(p for p in tables.persons if p["building_id"] and p["id"] not in inside)
    initials = "".join(lazy_pinyin(outside["name"], style=Style.FIRST_LETTER))
    assert outside["id"] not in {p["key"] for p in _search(api, "CM-0001", "officer", initials)["persons"]}
    assert outside["id"] in {p["key"] for p in _search(api, "C-0001", "officer", initials)["persons"]}
    assert _search(api, "C-0001", "viewer", initials)["persons"] == []  # as by the start of a name


def text_digest_of(api: Api, text: str) -> str:
    """The HMAC the audit entry should hold, by the installation's key (``search.key``)."""
    key = (api.audit.path.parent / "search.key").read_bytes()
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def test_a_search_by_initials_is_audited_without_the_text(api: Api, tables: Tables) -> None:
    person = _residents(tables, "CM-0001")[0]
    initials = "".join(lazy_pinyin(person["name"], style=Style.FIRST_LETTER))
    _search(api, "CM-0001", "organizer", initials)
    (entry,) = [e for e in api.audit.read() if e.record == "search"]
    assert entry.field == "initials" and entry.reason == f"hmac:{text_digest_of(api, initials)}"
    values = {v for e in api.audit.read() for v in asdict(e).values()}
    assert initials not in values and person["name"] not in values

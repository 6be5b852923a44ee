"""Personal data: masked unless the role allows it; every full value read is audited, and the
audit log never holds a value. Through the HTTP app, on both stores."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest

from graph.store import Store
from tests.api.client import Api

PERSON = """query($id: ID!, $why: String) { node(id: $id) { ... on Person { key name
  phone plainPhone: phone(reason: $why) idNumber plainId: idNumber(reason: $why) } } }"""
MASKED_NAME = re.compile(r"^.\*+$")


@pytest.fixture(scope="module")
def person(street_dir: Path) -> dict[str, str]:
    """A person of CM-0001 (building B-000001) with a phone and an ID number."""
    with open(street_dir / "persons.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["building_id"] == "B-000001" and row["phone"] and row["id_number"]:
                return row
    raise AssertionError("no such person")


@pytest.fixture
def api(street_store: Store, tmp_path: Path) -> Api:
    return Api(street_store, tmp_path)


def ask(api: Api, role: str, person: dict[str, str], why: str | None = "回访核实") -> dict[str, Any]:
    node: dict[str, Any] = api.ask(PERSON, {"id": person["id"], "why": why}, area="CM-0001", role=role)["node"]
    return node


def test_viewer_sees_every_personal_field_masked(api: Api, person: dict[str, str]) -> None:
    node = ask(api, "viewer", person)
    assert node["key"] == person["id"]
    assert MASKED_NAME.match(node["name"]) and node["name"] != person["name"] and node["name"][0] == person["name"][0]
    for field in ("phone", "plainPhone"):
        assert node[field] == person["phone"][:3] + "****" + person["phone"][-4:]
    for field in ("idNumber", "plainId"):
        assert node[field] == person["id_number"][:6] + "********" + person["id_number"][-4:]
    assert api.audit.read() == []


def test_organizer_sees_names_audited_but_never_phone_or_id(api: Api, person: dict[str, str]) -> None:
    node = ask(api, "organizer", person)
    assert node["name"] == person["name"]
    assert person["phone"] not in str(node) and person["id_number"] not in str(node)
    entries = api.audit.read()
    assert [(e.record, e.field, e.reason, e.user) for e in entries] == [
        (person["id"], "name", "role:organizer", "tester-organizer")
    ]


def test_officer_sees_phone_and_id_only_with_a_reason_and_each_is_audited(api: Api, person: dict[str, str]) -> None:
    node = ask(api, "officer", person)
    assert node["phone"] != person["phone"] and node["idNumber"] != person["id_number"]
    assert node["plainPhone"] == person["phone"] and node["plainId"] == person["id_number"]
    assert ask(api, "officer", person, why="   ")["plainPhone"] != person["phone"]
    entries = {(e.record, e.field, e.reason) for e in api.audit.read()}
    assert {(person["id"], "phone", "回访核实"), (person["id"], "id_number", "回访核实")} <= entries
    log = api.audit.path.read_text(encoding="utf-8")
    for value in (person["phone"], person["id_number"], person["name"]):
        assert value not in log
    assert all(e.at and e.token_id for e in api.audit.read())


def test_names_of_suggested_people_follow_the_role(api: Api) -> None:
    doc = """{ gaps(area: "CM-0001", indicator: BUILDING_GROUP) { gaps { nodes { suggestions {
      candidate { ... on Person { key name phone(reason: "联系") } } } } } } }"""
    def names(role: str) -> list[tuple[str, str, str]]:
        data = api.ask(doc, area="CM-0001", role=role)["gaps"]["gaps"]["nodes"]
        return [(c["key"], c["name"], c["phone"]) for g in data for s in g["suggestions"] if (c := s["candidate"])]
    viewer, organizer = names("viewer"), names("organizer")
    assert viewer and len(viewer) == len(organizer)
    assert all(MASKED_NAME.match(n) for _, n, _ in viewer)
    assert not any(MASKED_NAME.match(n) for _, n, _ in organizer)
    assert all("****" in p for _, _, p in viewer + organizer if p)

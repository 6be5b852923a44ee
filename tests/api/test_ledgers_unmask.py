"""``--unmask`` on the CLI's exports: names (and phones) in full only for a token whose role and
area allow it, refused for viewers in Chinese and English, each unmasked export one audit line
with its row count and no personal value; without it every export stays masked. Real
processes, real files, both stores."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from tests.api.test_cli import run, store_env
from tests.conftest import STORE_KINDS

DAY = ("--as-of", "2024-06-30")


def _rows(street: Path, table: str) -> list[dict[str, str]]:
    with open(street / f"{table}.csv", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


class World:
    """The small street loaded through the CLI, with a token of each role for one community."""

    def __init__(self, env: dict[str, str], street: Path, data: Path) -> None:
        self.env = env
        self.data = data
        self.community, self.other = (r["id"] for r in _rows(street, "communities")[:2])
        persons = _rows(street, "persons")
        self.names = {r["name"] for r in persons if r["name"]}
        self.phones = {r["phone"] for r in persons if r["phone"]}
        self.personal = self.names | self.phones | {r["id_number"] for r in persons if r.get("id_number")}
        self.tokens = {
            role: run("token", "issue", "--user", f"u-{role}", "--area", self.community, "--role", role,
                      env=env).stdout.strip()
            for role in ("viewer", "organizer", "officer")
        }
        self.tokens["neighbour"] = run("token", "issue", "--user", "u-neighbour", "--area", self.other, "--role",
                                       "organizer", env=env).stdout.strip()

    @property
    def audit(self) -> list[dict[str, object]]:
        path = self.data / "audit.jsonl"
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []

    def audit_text(self) -> str:
        path = self.data / "audit.jsonl"
        return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.fixture(scope="module", params=STORE_KINDS)
def world(request: pytest.FixtureRequest, street_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    data = tmp_path_factory.mktemp("unmask")
    env = {**store_env(request.param, data, request), "GONGZHI_DATA_DIR": str(data / "data")}
    run("load", street_dir, env=env)
    return World(env, street_dir, data / "data")


def _xlsx_cells(path: Path) -> list[list[str]]:
    wb = load_workbook(path)
    return [[str(v) for v in row if v is not None] for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]


def _pdf_text(path: Path) -> str:
    doc = pdfium.PdfDocument(str(path))
    try:
        return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def _full(values: set[str], text: str) -> set[str]:
    return {v for v in values if re.search(rf"(?<![\w*]){re.escape(v)}(?![\w*])", text)}


def test_default_export_stays_masked(world: World, tmp_path: Path) -> None:
    before = world.audit_text()
    xlsx, pdf = tmp_path / "g.xlsx", tmp_path / "g.pdf"
    run("gaps", world.community, "-i", "MEMBER_ONE_PLUS_ONE", *DAY, "--xlsx", xlsx, "--pdf", pdf, env=world.env)
    cells = "\n".join(c for row in _xlsx_cells(xlsx) for c in row)
    assert "*" in cells
    assert not _full(world.personal, cells), "a full name or phone in a masked XLSX"
    assert not _full(world.personal, _pdf_text(pdf)), "a full name or phone in a masked PDF"
    assert world.audit_text() == before, "a masked export is not an unmasked read"


@pytest.mark.parametrize("who", ["viewer", "none", "bad", "neighbour"])
def test_refused_without_a_role_and_area_that_allow_it(world: World, who: str, tmp_path: Path) -> None:
    before = world.audit_text()
    xlsx = tmp_path / "g.xlsx"
    token = {"none": [], "bad": ["--token", "gz_00000000_nope"]}.get(who, ["--token", world.tokens.get(who, "")])
    proc = run("gaps", world.community, "-i", "MEMBER_ONE_PLUS_ONE", *DAY, "--xlsx", xlsx, "--unmask", *token,
               env={**world.env, "GONGZHI_LANG": "zh"}, ok=False)
    assert proc.returncode == 1
    message = {
        "viewer": ("查看者（viewer）角色无权导出未脱敏的姓名和电话", "the viewer role may not see names and phones unmasked"),
        "none": ("--unmask 需要您的 API 令牌", "--unmask needs your API token"),
        "bad": ("令牌无效或已吊销", "the token is not valid or was revoked"),
        "neighbour": ("不在您的辖区", "outside your area"),
    }[who]
    assert message[0] in proc.stderr and message[1] in proc.stderr, proc.stderr  # both languages
    assert "Traceback" not in proc.stderr
    assert not xlsx.exists(), "a refused export wrote its file"
    assert world.audit_text() == before


def test_organizer_gets_names_and_the_audit_line_counts_rows(world: World, tmp_path: Path) -> None:
    before = len(world.audit)
    xlsx, pdf = tmp_path / "g.xlsx", tmp_path / "g.pdf"
    proc = run("gaps", world.community, "-i", "MEMBER_ONE_PLUS_ONE", *DAY, "--xlsx", xlsx, "--pdf", pdf,
               "--unmask", "--token", world.tokens["organizer"], env=world.env)
    rows = [r for r in _xlsx_cells(xlsx)]
    named = [r for r in rows if _full(world.names, "\n".join(r))]
    assert named, "no name in full in the organizer's export"
    assert not _full(world.phones, "\n".join(c for r in rows for c in r)), "phones are for officers with a reason"
    assert _full(world.names, _pdf_text(pdf)), "the PDF from the same layout shows the names too"
    new = world.audit[before:]
    assert len(new) == 1, new
    entry = new[0]
    assert entry["user"] == "u-organizer" and entry["record"] == world.community
    assert entry["field"] == "name" and entry["reason"] == "role:organizer"
    assert "gaps" in str(entry["operation"]) and "--unmask" in str(entry["operation"])
    assert entry["rows"] == len(named), f"the audit line counts {entry['rows']} rows, the export shows {len(named)}"
    assert not _full(world.personal, world.audit_text()), "a personal value in the audit log"
    assert "audit" in proc.stderr or "审计" in proc.stderr


def test_officer_with_a_reason_gets_phones_too(world: World, tmp_path: Path) -> None:
    before = len(world.audit)
    xlsx = tmp_path / "g.xlsx"
    run("gaps", world.community, "-i", "BUILDING_GROUP", *DAY, "--xlsx", xlsx, "--unmask", "--token",
        world.tokens["officer"], "--reason", "入户走访 home visits", env=world.env)
    text = "\n".join(c for r in _xlsx_cells(xlsx) for c in r)
    assert _full(world.phones, text) and _full(world.names, text)
    (entry,) = world.audit[before:]
    assert entry["field"] == "name,phone" and entry["reason"] == "入户走访 home visits"
    assert isinstance(entry["rows"], int) and entry["rows"] > 0
    assert not _full(world.personal, world.audit_text())


def test_member_card_and_branch_unmasked_for_the_organizer(world: World, street_dir: Path, tmp_path: Path) -> None:
    gaps = json.loads(run("gaps", world.community, "-i", "MEMBER_ONE_PLUS_ONE", *DAY, "--json", env=world.env).stdout)
    member = gaps["gaps"][0]["item_id"]
    token = ["--unmask", "--token", world.tokens["organizer"]]
    card = tmp_path / "card.pdf"
    run("member", member, *DAY, "--pdf", card, *token, env=world.env)
    assert _full(world.names, _pdf_text(card))
    masked = tmp_path / "masked.pdf"
    run("member", member, *DAY, "--pdf", masked, env=world.env)
    assert not _full(world.personal, _pdf_text(masked))
    listing = tmp_path / "opo.xlsx"
    run("one-plus-one", world.community, *DAY, "--xlsx", listing, *token, env=world.env)
    assert _full(world.names, "\n".join(c for r in _xlsx_cells(listing) for c in r))
    proc = run("member", member, *DAY, "--unmask", *token[1:], env=world.env, ok=False)
    assert proc.returncode == 2 and "--xlsx" in proc.stderr  # --unmask is for the files only

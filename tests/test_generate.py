"""The synthetic city generator: format, determinism, validity, proportions and deliberate gaps.

Every check reads the generated CSV files directly (not the generator's internals), so the
tests hold the files to what DOMAIN.md and graph/model.py say, whatever the code does.
"""

from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from graph import model
from graph.declare import FieldType, NodeKind, RelKind
from graph.identifiers import is_valid_credit_code, is_valid_id_number, is_valid_mobile
from loaders.generate import NOW, SCALES, GapRates, generate

ISO_NOW = NOW.isoformat()
PREFIX = {
    "provinces": "PV",
    "cities": "C",
    "districts": "D",
    "subdistricts": "S",
    "communities": "CM",
    "grids": "G",
    "compounds": "P",
    "buildings": "B",
    "entrances": "E",
    "persons": "R",
    "party_orgs": "O",
    "employers": "U",
    "property_firms": "F",
    "owners_committees": "OC",
    "self_management_committees": "SM",
    "residents_committees": "RC",
    "env_property_committees": "EP",
    "service_centres": "SC",
    "red_stations": "RS",
}


def _columns(kind: NodeKind | RelKind):  # type: ignore[no-untyped-def]
    return kind.columns if isinstance(kind, NodeKind) else kind.all_columns


@dataclass
class Data:
    """The generated tables as lists of {english column name: raw cell}, enums decoded to codes."""

    rows: dict[str, list[dict[str, str]]]
    label: dict[str, str] = field(default_factory=dict)  # node id -> base label
    node: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind in model.NODE_KINDS:
            for r in self.rows[kind.table]:
                self.label[r["id"]] = kind.label
                self.node[r["id"]] = r

    def __getitem__(self, table: str) -> list[dict[str, str]]:
        return self.rows[table]


def read(out: Path) -> Data:
    rows: dict[str, list[dict[str, str]]] = {}
    for kind in model.TABLES:
        cols = _columns(kind)
        decode = {c.name: {ch.zh: ch.code for ch in c.choices} for c in cols if c.type is FieldType.ENUM}
        with (out / f"{kind.table}.csv").open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            assert header == [c.zh for c in cols], kind.table
            table = []
            for cells in reader:
                r = dict(zip((c.name for c in cols), cells, strict=True))
                for name, mapping in decode.items():
                    if r[name]:
                        r[name] = mapping[r[name]]
                table.append(r)
        rows[kind.table] = table
    return Data(rows)


def current(r: dict[str, str], day: str = ISO_NOW) -> bool:
    return (not r.get("since") or r["since"] <= day) and (not r.get("until") or r["until"] >= day)


@pytest.fixture(scope="module")
def sub(tmp_path_factory: pytest.TempPathFactory) -> Data:
    out = tmp_path_factory.mktemp("subdistrict")
    summary = generate("subdistrict", int(os.environ.get("GZ_TEST_SEED", "11")), out)
    data = read(out)
    assert summary.rows == {k: len(v) for k, v in data.rows.items()}
    assert all(n for t, n in summary.rows.items() if t != "provinces"), summary.rows
    return data


@pytest.fixture(scope="module")
def sub_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("subdistrict-2")
    generate("subdistrict", 5, out)
    return out


# ---------------------------------------------------------------- format and determinism


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_one_file_per_table_with_chinese_headers(tmp_path: Path) -> None:
    summary = generate("community", 1, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{k.table}.csv" for k in model.TABLES)
    assert list(summary.rows) == [k.table for k in model.TABLES]
    maybe_missing = {
        "env_property_committees",
        "service_centres",
        "red_stations",
    }  # one community may lack them
    assert summary.rows["provinces"] == 0 and summary.cities == 1  # one city: no province
    assert all(n > 0 for t, n in summary.rows.items() if t not in {*maybe_missing, "provinces"}), summary.rows
    data = read(tmp_path)  # checks the headers
    assert len(data["communities"]) == 1
    assert 6 <= len(data["compounds"]) <= 10
    text = (tmp_path / "persons.csv").read_text(encoding="utf-8")
    assert "中共党员" in text and ",是," in text and ",否," in text


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate("community", 3, a)
    generate("community", 3, b)
    generate("community", 4, c)
    assert _files(a) == _files(b)
    assert _files(a)["persons.csv"] != _files(c)["persons.csv"]


def test_english_headers_same_rows(tmp_path: Path) -> None:
    generate("community", 2, tmp_path / "zh")
    generate("community", 2, tmp_path / "en", headers="en")
    for kind in model.TABLES:
        zh = (tmp_path / "zh" / f"{kind.table}.csv").read_text(encoding="utf-8").split("\n")
        en = (tmp_path / "en" / f"{kind.table}.csv").read_text(encoding="utf-8").split("\n")
        assert en[0] == ",".join(c.name for c in _columns(kind))
        assert zh[1:] == en[1:]


def test_rejects_unknown_scale_and_bad_rates(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate("county", 1, tmp_path)
    with pytest.raises(ValueError):
        GapRates(compound_no_branch=1.5)


def test_zero_gap_rates_close_the_gaps_they_govern(tmp_path: Path) -> None:
    zero = GapRates(compound_no_branch=0, community_no_service_centre=0, member_no_membership=0)
    generate("community", 8, tmp_path, gaps=zero)
    data = read(tmp_path)
    assert data["service_centres"]
    members = {p["id"] for p in data["persons"] if p["political_status"] in model.MEMBER_CODES}
    assert members == {m["person_id"] for m in data["memberships"]}


# ---------------------------------------------------------------- validity


def test_ids_unique_with_kind_prefixes(sub: Data) -> None:
    seen: Counter[str] = Counter()
    for kind in model.NODE_KINDS:
        for r in sub[kind.table]:
            assert r["id"].startswith(PREFIX[kind.table] + "-"), (kind.table, r["id"])
            seen[r["id"]] += 1
    assert [i for i, n in seen.items() if n > 1] == []


def test_every_ref_resolves_to_an_allowed_label(sub: Data) -> None:
    for kind in model.TABLES:
        for col in _columns(kind):
            if col.type is not FieldType.REF:
                continue
            for r in sub[kind.table]:
                value = r[col.name]
                if not value:
                    assert not col.required, (kind.table, col.name)
                    continue
                assert sub.label.get(value) in col.ref, (kind.table, col.name, value)


def test_cells_convert(sub: Data) -> None:
    for kind in model.TABLES:
        for col in _columns(kind):
            for r in sub[kind.table]:
                v = r[col.name]
                if not v:
                    assert not col.required or col.type is FieldType.REF, (kind.table, col.name)
                elif col.type is FieldType.DATE:
                    date.fromisoformat(v)
                elif col.type is FieldType.INT:
                    assert int(v) >= 0
                elif col.type is FieldType.BOOL:
                    assert v in ("是", "否")
                elif col.type is FieldType.ENUM:
                    assert v in {c.code for c in col.choices}
        if isinstance(kind, RelKind) or "since" in {c.name for c in kind.columns}:
            for r in sub[kind.table]:
                assert not (r.get("since") and r.get("until")) or r["since"] <= r["until"], (kind.table, r)


def test_identifiers_valid_unique_and_consistent(sub: Data) -> None:
    ids = [p["id_number"] for p in sub["persons"] if p["id_number"]]
    phones = [p["phone"] for p in sub["persons"] if p["phone"]]
    codes = [r["credit_code"] for t in ("employers", "property_firms") for r in sub[t]]
    assert ids and phones and codes
    assert all(is_valid_id_number(v) and v.startswith("4206") for v in ids)
    assert all(is_valid_mobile(v) for v in phones)
    assert all(is_valid_credit_code(v) for v in codes)
    assert len(set(ids)) == len(ids) and len(set(phones)) == len(phones) and len(set(codes)) == len(codes)
    for p in sub["persons"]:
        v = p["id_number"]
        if not v:
            continue
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
        assert (int(v[16]) % 2 == 1) == (p["gender"] == "M")
        assert 18 <= (NOW - born).days / 365.25 < 100
        if p["joined_on"]:
            assert (date.fromisoformat(p["joined_on"]) - born).days >= 18 * 365


def test_model_rules_hold(sub: Data) -> None:
    members = {p["id"] for p in sub["persons"] if p["political_status"] in model.MEMBER_CODES}
    orgs = {o["id"]: o for o in sub["party_orgs"]}
    for t in ("memberships", "residence_registrations"):
        for r in sub[t]:
            assert r["person_id"] in members
            assert orgs[r["org_id"]]["level"] in ("branch", "group", "general_branch"), (t, r)
    for r in sub["dual_reports"]:
        who = r["reporter_id"]
        assert who in members or orgs[who]["kind"] == "employer"
    for r in sub["property_services"]:
        assert (r["mode"] == "firm") == (sub.label[r["provider_id"]] == "PropertyFirm")
    for r in sub["appointments"]:
        assert sub.label[r["target_id"]] in model.ROLE_TARGETS[r["role"]]
    entrance_building = {e["id"]: e["building_id"] for e in sub["entrances"]}
    for p in sub["persons"]:
        assert not p["entrance_id"] or entrance_building[p["entrance_id"]] == p["building_id"]
        if p["political_status"] in model.MEMBER_CODES:
            assert p["joined_on"] and p["in_service"]
        else:
            assert not p["joined_on"]
    for t in model.REL_KINDS:  # no two rows with the same key
        keys = Counter(
            (r[t.from_column.name], r[t.to_column.name], *(r[k] for k in t.key)) for r in sub[t.table]
        )
        assert [k for k, n in keys.items() if n > 1] == [], t.table


def test_party_org_levels(sub: Data) -> None:
    orgs = {o["id"]: o for o in sub["party_orgs"]}
    covers = defaultdict(list)
    for r in sub["org_coverage"]:
        covers[r["org_id"]].append(sub.label[r["target_id"]])
    for o in orgs.values():
        parent = orgs.get(o["parent_id"]) if o["parent_id"] else None
        targets = set(covers[o["id"]])
        if o["level"] == "group":
            assert parent is not None and parent["level"] == "branch" and parent["kind"] == "area"
            assert targets <= {"Building", "Entrance"} and targets
        if o["kind"] == "area" and o["level"] == "committee":
            assert targets == {"Community"} and parent is not None and parent["level"] == "working_committee"
        if o["kind"] == "area" and o["level"] in ("branch", "general_branch"):
            assert targets <= {"Grid", "Compound"}
            assert parent is not None and parent["level"] in ("committee", "general_branch")
        if o["kind"] in ("firm", "joint"):
            assert targets == {"PropertyFirm"}
        if o["kind"] == "employer" and parent is None:
            assert targets == {"Employer"}
    # full members per branch holding memberships: a branch needs three
    status = {p["id"]: p["political_status"] for p in sub["persons"]}
    full = Counter(
        m["org_id"] for m in sub["memberships"] if current(m) and status[m["person_id"]] == "member"
    )
    held = [o for o in orgs if full[o]]
    assert sum(1 for o in held if full[o] >= 3) / len(held) > 0.9


# ---------------------------------------------------------------- proportions


def test_member_shares(sub: Data) -> None:
    residents = sum(int(b["residents"]) for b in sub["buildings"])
    members = [p for p in sub["persons"] if p["political_status"] in model.MEMBER_CODES]
    assert 0.05 <= len(members) / residents <= 0.09
    in_service = [p for p in members if p["in_service"] == "是"]
    assert 0.35 <= len(in_service) / len(members) <= 0.65
    assert all(p["employer_id"] for p in in_service)
    assert 0 < sum(p["political_status"] == "probationary" for p in members) < 0.08 * len(members)
    assert len(sub["communities"]) == 8 and 40 <= len(sub["compounds"]) <= 90


@pytest.mark.slow
def test_district_scale(tmp_path: Path) -> None:
    s = generate("district", 1, tmp_path)
    assert s.rows["subdistricts"] == 6
    assert 40 <= s.rows["communities"] <= 60
    assert 300 <= s.rows["compounds"] <= 500
    assert 3_500 <= s.rows["buildings"] <= 6_500
    assert 30_000 <= s.rows["memberships"] <= 60_000
    assert s.seconds < 20


def test_scales_declared() -> None:
    assert list(SCALES) == ["community", "subdistrict", "district", "city", "province"]
    assert [s.cities for s in SCALES.values()] == [1, 1, 1, 1, 10]
    city, province = SCALES["city"], SCALES["province"]
    assert (province.districts, province.communities_per_street, province.compounds_per_community) == (
        city.districts,
        city.communities_per_street,
        city.compounds_per_community,
    )


def test_one_city_has_no_province(sub: Data) -> None:
    """A dataset of one city is what it always was: no province row, no province on the city."""
    assert sub["provinces"] == []
    assert [(c["name"], c["code"], c["province_id"]) for c in sub["cities"]] == [("襄阳市", "420600", "")]


# ---------------------------------------------------------------- every gap occurs, and so does coverage


class Graph:
    """The few joins the gap checks need, computed from the CSV rows."""

    def __init__(self, d: Data) -> None:
        self.d = d
        self.compound_of = {b["id"]: b["compound_id"] for b in d["buildings"]}
        self.grid_of = {c["id"]: c["grid_id"] for c in d["compounds"]}
        self.community_of_grid = {g["id"]: g["community_id"] for g in d["grids"]}
        # a compound lies in a grid or, with no grid, directly in its community
        self.community_of = {c["id"]: c["community_id"] or self.community_of_grid[c["grid_id"]] for c in d["compounds"]}
        self.orgs = {o["id"]: o for o in d["party_orgs"]}
        self.covers: dict[str, set[str]] = defaultdict(set)  # target -> current covering orgs
        self.org_targets: dict[str, set[str]] = defaultdict(set)
        for r in d["org_coverage"]:
            if current(r):
                self.covers[r["target_id"]].add(r["org_id"])
                self.org_targets[r["org_id"]].add(r["target_id"])
        self.entrances: dict[str, list[str]] = defaultdict(list)
        for e in d["entrances"]:
            self.entrances[e["building_id"]].append(e["id"])
        self.roles: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
        for a in d["appointments"]:
            self.roles[(a["target_id"], a["role"])].append(a)
        self.people = {p["id"]: p for p in d["persons"]}
        # members living in the generated area; a cadre living outside it counts in no area
        self.members = [
            p for p in d["persons"] if p["political_status"] in model.MEMBER_CODES and p["building_id"]
        ]

    def level(self, org: str) -> str:
        return self.orgs[org]["level"]

    def compound_has_branch(self, c: str) -> bool:
        return any(
            self.level(o) in ("branch", "general_branch")
            for t in (c, self.grid_of[c])
            for o in self.covers[t]
        )

    def building_has_group(self, b: str) -> bool:
        if any(self.level(o) == "group" for o in self.covers[b]):
            return True
        es = self.entrances[b]
        return bool(es) and all(any(self.level(o) == "group" for o in self.covers[e]) for e in es)

    def org_covers_home(self, org: str, p: dict[str, str]) -> bool:
        b = p["building_id"]
        c = self.compound_of[b]
        return bool(self.org_targets[org] & {c, self.grid_of[c], b, p["entrance_id"]} - {""})

    def home_community(self, p: dict[str, str]) -> str:
        return self.community_of[self.compound_of[p["building_id"]]]

    def has_role(self, target: str, role: str, day: str = ISO_NOW) -> bool:
        return any(current(a, day) for a in self.roles[(target, role)])


@pytest.fixture(scope="module")
def graph(sub: Data) -> Graph:
    return Graph(sub)


def test_gaps_compound_branch_and_building_group(sub: Data, graph: Graph) -> None:
    compounds = Counter(graph.compound_has_branch(c["id"]) for c in sub["compounds"])
    assert compounds[True] and compounds[False]
    full_in: Counter[str] = Counter(
        p["building_id"] for p in graph.members if p["political_status"] == "member"
    )
    kinds = Counter()
    for b in sub["buildings"]:
        if graph.building_has_group(b["id"]):
            kinds["group"] += 1
            shared = [o for o in graph.covers[b["id"]] if len(graph.org_targets[o]) > 1]
            kinds["shared group"] += bool(shared)
            kinds["entrance groups"] += not any(graph.level(o) == "group" for o in graph.covers[b["id"]])
        else:
            n = full_in[b["id"]]
            kinds["none, 3+ full" if n >= 3 else "none, 1-2 full" if n else "none, no full"] += 1
            partial = any(
                graph.level(o) == "group" for e in graph.entrances[b["id"]] for o in graph.covers[e]
            )
            kinds["partial entrances"] += partial
            in_covered = graph.compound_has_branch(graph.compound_of[b["id"]])
            kinds["none in covered compound, 3+ full"] += in_covered and n >= 3
    for k in (
        "group",
        "shared group",
        "entrance groups",
        "none, 3+ full",
        "none, 1-2 full",
        "partial entrances",
        "none in covered compound, 3+ full",
    ):
        assert kinds[k] > 0, (k, kinds)


def test_gaps_one_plus_one(sub: Data, graph: Graph) -> None:
    membership = {m["person_id"] for m in sub["memberships"] if current(m)}
    regs: dict[str, list[str]] = defaultdict(list)
    for r in sub["residence_registrations"]:
        if current(r):
            regs[r["person_id"]].append(r["org_id"])
    kinds = Counter()
    for p in graph.members:
        orgs = regs[p["id"]]
        covering = [o for o in orgs if graph.org_covers_home(o, p)]
        if p["id"] not in membership:
            kinds["no membership"] += 1
        if not orgs:
            kinds["no residence side"] += 1
        elif not covering:
            kinds["registered elsewhere"] += 1
        elif p["id"] in membership:
            kinds["covered"] += 1
        if len(orgs) >= 2:
            kinds["two registrations"] += 1
        if any(o in membership_orgs for o in orgs for membership_orgs in [_held(sub, p["id"])]):
            kinds["membership is the residence side"] += 1
    ended = {r["person_id"] for r in sub["residence_registrations"] if r["until"]}
    kinds["moved, registered again"] = len(ended)
    for k in (
        "no membership",
        "no residence side",
        "registered elsewhere",
        "covered",
        "two registrations",
        "membership is the residence side",
        "moved, registered again",
    ):
        assert kinds[k] > 0, (k, kinds)
    assert kinds["no membership"] < 0.02 * len(graph.members)


def _held(sub: Data, person: str) -> set[str]:
    cache = sub.__dict__.setdefault("_held", {})
    if not cache:
        for m in sub["memberships"]:
            if current(m):
                cache.setdefault(m["person_id"], set()).add(m["org_id"])
    return cache.get(person, set())


def test_gaps_dual_reporting(sub: Data, graph: Graph) -> None:
    reports: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in sub["dual_reports"]:
        reports[r["reporter_id"]].append(r)
    kinds = Counter()
    for p in graph.members:
        if p["in_service"] != "是":
            assert not reports[p["id"]]
            continue
        now = [r["community_id"] for r in reports[p["id"]] if current(r)]
        home = graph.home_community(p)
        kinds[
            "reported" if home in now else "elsewhere" if now else "lapsed" if reports[p["id"]] else "never"
        ] += 1
    for k in ("reported", "elsewhere", "lapsed", "never"):
        assert kinds[k] > 0, (k, kinds)
    located = {u["id"]: u["community_id"] for u in sub["employers"]}
    org_kinds = Counter()
    for o in sub["party_orgs"]:
        if o["kind"] != "employer" or (o["parent_id"] and graph.orgs[o["parent_id"]]["kind"] == "employer"):
            continue
        (employer,) = graph.org_targets[o["id"]]
        now = [r["community_id"] for r in reports[o["id"]] if current(r)]
        org_kinds["reported" if located[employer] in now else "elsewhere" if now else "not"] += 1
    for k in ("reported", "elsewhere", "not"):
        assert org_kinds[k] > 0, (k, org_kinds)
    assert any(not graph.covers[u["id"]] for u in sub["employers"])  # an employer with no party org


def test_gaps_firms(sub: Data, graph: Graph) -> None:
    kinds = Counter()
    staff = Counter(p["employer_id"] for p in graph.members if p["employer_id"].startswith("F-"))
    for f in sub["property_firms"]:
        orgs = [graph.orgs[o]["kind"] for o in graph.covers[f["id"]]]
        if "firm" in orgs:
            kinds["own org"] += 1
        elif "joint" in orgs:
            kinds["joint org"] += 1
        elif graph.has_role(f["id"], "instructor"):
            kinds["instructor"] += 1
        elif f["mass_organization"]:
            kinds["mass organization"] += 1
        else:
            kinds["nothing"] += 1
            kinds["instructor lapsed"] += bool(graph.roles[(f["id"], "instructor")])
    for k in ("own org", "joint org", "instructor", "mass organization", "nothing", "instructor lapsed"):
        assert kinds[k] > 0, (k, kinds)
    assert staff and any(not graph.covers[f] for f in staff)  # members working at a firm with no org


def test_gaps_committees(sub: Data, graph: Graph) -> None:
    by_compound: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for t in ("owners_committees", "self_management_committees"):
        for r in sub[t]:
            by_compound[r["compound_id"]].append((t, r))
    kinds = Counter()
    for c in sub["compounds"]:
        now = {t for t, r in by_compound[c["id"]] if current(r)}
        ended = any(r["until"] and r["until"] < ISO_NOW for _, r in by_compound[c["id"]])
        eligible = c["eligible_for_owners_committee"] == "是"
        if eligible:
            kinds["eligible, owners' committee" if "owners_committees" in now else "eligible, none"] += 1
            kinds["eligible, self-management only"] += now == {"self_management_committees"}
        else:
            kinds["ineligible, self-management" if now else "ineligible, none"] += 1
        kinds["term ended, no successor"] += ended and not now
    for k in (
        "eligible, owners' committee",
        "eligible, none",
        "eligible, self-management only",
        "ineligible, self-management",
        "ineligible, none",
        "term ended, no successor",
    ):
        assert kinds[k] > 0, (k, kinds)
    # as of 2020 fewer compounds had an owners' committee than now: the dates matter
    then = {r["compound_id"] for r in sub["owners_committees"] if current(r, "2020-01-01")}
    now_ = {r["compound_id"] for r in sub["owners_committees"] if current(r)}
    assert then != now_
    seats: dict[str, list[dict[str, str]]] = defaultdict(list)
    for s in sub["committee_seats"]:
        seats[s["committee_id"]].append(s)
    shares = Counter()
    for r in sub["owners_committees"]:
        if not current(r):
            continue
        people = [graph.people[s["person_id"]] for s in seats[r["id"]]]
        assert people and all(graph.compound_of[p["building_id"]] == r["compound_id"] for p in people)
        assert all(p["is_owner"] == "是" for p in people)
        share = sum(p["political_status"] in model.MEMBER_CODES for p in people) / len(people)
        shares["share >= 50%" if share >= 0.5 else "share < 50%"] += 1
        (chair,) = [graph.people[s["person_id"]] for s in seats[r["id"]] if s["role"] == "chair"]
        shares["chair member" if chair["political_status"] in model.MEMBER_CODES else "chair not member"] += 1
    for k in ("share >= 50%", "share < 50%", "chair member", "chair not member"):
        assert shares[k] > 0, (k, shares)


def test_gaps_heads(sub: Data, graph: Graph) -> None:
    kinds = Counter()
    for b in sub["buildings"]:
        es = graph.entrances[b["id"]]
        all_entrances = bool(es) and all(graph.has_role(e, "entrance_head") for e in es)
        if graph.has_role(b["id"], "building_head"):
            kinds["head"] += 1
        elif all_entrances:
            kinds["no head, every entrance has one"] += 1
        else:
            kinds["no head"] += 1
            kinds["head lapsed"] += bool(graph.roles[(b["id"], "building_head")])
            kinds["some entrances only"] += any(graph.has_role(e, "entrance_head") for e in es)
    for k in ("head", "no head, every entrance has one", "no head", "head lapsed", "some entrances only"):
        assert kinds[k] > 0, (k, kinds)
    assert any(a["role"] == "central_household" for a in sub["appointments"])


def test_gaps_property_service(sub: Data) -> None:
    services: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in sub["property_services"]:
        services[r["compound_id"]].append(r)
    kinds = Counter()
    for c in sub["compounds"]:
        rows = services[c["id"]]
        now = {r["mode"] for r in rows if current(r)}
        if now:
            kinds.update(now)
        elif any(r["mode"] == "firm" for r in rows):
            kinds["firm contract ended"] += 1
        else:
            kinds["never any"] += 1
    for k in ("firm", "self_managed", "guaranteed", "firm contract ended", "never any"):
        assert kinds[k] > 0, (k, kinds)


def test_gaps_supervisors_and_liaisons(sub: Data, graph: Graph) -> None:
    kinds = Counter()
    for c in sub["compounds"]:
        for role, places in (("quality_supervisor", [c["id"]]), ("liaison", [c["id"], c["grid_id"]])):
            if any(graph.has_role(t, role) for t in places):
                kinds[f"{role} present"] += 1
            elif any(graph.roles[(t, role)] for t in places):
                kinds[f"{role} ended"] += 1
            else:
                kinds[f"{role} missing"] += 1
    assert any(a["role"] == "liaison" and sub.label[a["target_id"]] == "Grid" for a in sub["appointments"])
    for role in ("quality_supervisor", "liaison"):
        for state in ("present", "ended", "missing"):
            assert kinds[f"{role} {state}"] > 0, (role, state, kinds)


def test_gaps_communities(sub: Data, graph: Graph) -> None:
    rc_of = {r["community_id"]: r["id"] for r in sub["residents_committees"]}
    assert len(rc_of) == len(sub["communities"])
    with_ep = {r["residents_committee_id"] for r in sub["env_property_committees"]}
    with_sc = {r["place_id"] for r in sub["service_centres"]}
    where = dict(graph.community_of)
    where.update({g: cm for g, cm in graph.community_of_grid.items()})
    with_rs = {where.get(r["place_id"], r["place_id"]) for r in sub["red_stations"]}
    kinds = Counter()
    for cm in sub["communities"]:
        kinds["env committee" if rc_of[cm["id"]] in with_ep else "no env committee"] += 1
        kinds["centre" if cm["id"] in with_sc else "no centre"] += 1
        kinds["stations" if cm["id"] in with_rs else "no stations"] += 1
    for k in ("env committee", "no env committee", "centre", "no centre", "stations", "no stations"):
        assert kinds[k] > 0, (k, kinds)


def test_loader_accepts_the_dataset(sub_dir: Path) -> None:
    """The loaders' own validation finds nothing wrong with a generated subdistrict."""
    from loaders.read import read_input
    from loaders.validate import validate

    read_result = read_input(sub_dir)
    validated = validate(read_result.tables, source="generated")
    assert read_result.issues == []
    assert validated.issues == []
    assert validated.rows == sum(1 for p in sub_dir.iterdir() for _ in p.open(encoding="utf-8")) - len(
        model.TABLES
    )


def test_some_compounds_have_no_grid_and_some_cadres_live_outside(sub: Data) -> None:
    """DOMAIN.md: a compound may lie directly under a community; people may live outside every
    loaded area and enter it through their roles."""
    direct = [c for c in sub["compounds"] if c["community_id"]]
    assert direct and all(not c["grid_id"] for c in direct)
    assert all(bool(c["grid_id"]) != bool(c["community_id"]) for c in sub["compounds"])
    outside = {p["id"] for p in sub["persons"] if not p["building_id"]}
    assert outside and all(not sub.node[p]["entrance_id"] for p in outside)
    roles = {a["person_id"] for a in sub["appointments"]} | {s["person_id"] for s in sub["committee_seats"]}
    assert outside & roles, "someone living outside holds a role"
    direct_ids = {c["id"] for c in direct}
    assert not any(a["target_id"] in {c["community_id"] for c in direct} for a in sub["appointments"] if a["role"] == "liaison")
    assert any(b["compound_id"] in direct_ids for b in sub["buildings"])

"""The synthetic generator with several cities: one province, independent cities, unique ids.

Like tests/test_generate.py, every check reads the generated CSV files. The datasets are
small (cities of one community, or of one street): a city or a province takes minutes.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from graph import model
from graph.declare import FieldType
from loaders.generate import SCALES, generate, main
from tests.test_generate import PREFIX, Data, _columns, _files, read

#: Hubei's first cities, in the order the generator takes them.
FIRST_CITIES = [("襄阳市", "420600"), ("武汉市", "420100"), ("黄石市", "420200")]


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Data:
    """Three cities of one community each."""
    out = tmp_path_factory.mktemp("three-cities")
    summary = generate("community", 7, out, cities=3)
    data = read(out)
    assert summary.cities == 3
    assert summary.rows == {k: len(v) for k, v in data.rows.items()}
    return data


@pytest.fixture(scope="module")
def two_streets(tmp_path_factory: pytest.TempPathFactory) -> Data:
    """Two cities of one street (eight communities) each: enough communities in a city for
    members and employers' orgs to report to a community other than their own."""
    out = tmp_path_factory.mktemp("two-streets")
    generate("subdistrict", 3, out, cities=2)
    return read(out)


# ---------------------------------------------------------------- the place tree, per city


def city_of(d: Data) -> dict[str, str]:
    """Every node id (but the province) -> the id of its city, from the rows' own references.

    Places hang from the city through their parents; employers and committees from their
    community or compound; people from their building (or, living outside every area, their
    employer); property firms from the district in their credit code (they name no place);
    party orgs from what they cover, or their parent.
    """
    where: dict[str, str] = {c["id"]: c["id"] for c in d["cities"]}
    district_city: dict[str, str] = {}
    for r in d["districts"]:
        where[r["id"]] = r["city_id"]
        district_city[r["code"]] = r["city_id"]
    for table, parent in (
        ("subdistricts", "subdistrict_parent"),
        ("communities", "subdistrict_id"),
        ("grids", "community_id"),
        ("compounds", "grid_or_community"),
        ("buildings", "compound_id"),
        ("entrances", "building_id"),
        ("employers", "community_id"),
        ("residents_committees", "community_id"),
        ("env_property_committees", "residents_committee_id"),
        ("owners_committees", "compound_id"),
        ("self_management_committees", "compound_id"),
        ("service_centres", "place_id"),
        ("red_stations", "place_id"),
    ):
        for r in d[table]:
            if parent == "subdistrict_parent":
                ref = r["district_id"]
            elif parent == "grid_or_community":
                ref = r["grid_id"] or r["community_id"]
            else:
                ref = r[parent]
            where[r["id"]] = where[ref]
    for f in d["property_firms"]:
        where[f["id"]] = district_city[f["credit_code"][2:8]]
    for p in d["persons"]:
        where[p["id"]] = where[p["building_id"] or p["employer_id"]]
    covered: dict[str, set[str]] = {}
    for r in d["org_coverage"]:
        covered.setdefault(r["org_id"], set()).add(where[r["target_id"]])
    for o in d["party_orgs"]:  # parents come before their children
        cities = covered.get(o["id"], set()) | ({where[o["parent_id"]]} if o["parent_id"] else set())
        assert len(cities) == 1, (o, cities)
        (where[o["id"]],) = cities
    return where


def _crossings(d: Data) -> list[tuple[str, dict[str, str]]]:
    """Rows with a reference to another city than the row's own (or its other end's)."""
    where = city_of(d)
    bad = []
    for kind in model.TABLES:
        refs = [c.name for c in _columns(kind) if c.type is FieldType.REF and c.name != "province_id"]
        for r in d[kind.table]:
            cities = {where[r[c]] for c in refs if r[c]}
            if "id" in r and kind.table != "provinces":
                cities.add(where[r["id"]])
            if len(cities) > 1:
                bad.append((kind.table, r))
    return bad


# ---------------------------------------------------------------- the province


def test_several_cities_are_one_province(three: Data) -> None:
    assert [(p["id"], p["name"], p["code"]) for p in three["provinces"]] == [("PV-0001", "湖北省", "420000")]
    assert [(c["name"], c["code"]) for c in three["cities"]] == FIRST_CITIES
    assert {c["province_id"] for c in three["cities"]} == {"PV-0001"}
    assert len(three["districts"]) == len(three["communities"]) == 3  # a community in each city


def test_ids_unique_across_the_dataset(three: Data, two_streets: Data) -> None:
    for data in (three, two_streets):
        seen: Counter[str] = Counter()
        for kind in model.NODE_KINDS:
            for r in data[kind.table]:
                assert r["id"].startswith(PREFIX[kind.table] + "-"), (kind.table, r["id"])
                seen[r["id"]] += 1
        assert [i for i, n in seen.items() if n > 1] == []
        ids = [p["id_number"] for p in data["persons"] if p["id_number"]]
        phones = [p["phone"] for p in data["persons"] if p["phone"]]
        codes = [r["credit_code"] for t in ("employers", "property_firms") for r in data[t]]
        names = [r["name"] for t in ("employers", "property_firms") for r in data[t]]
        contracts = [r["contract_no"] for r in data["property_services"] if r["contract_no"]]
        for values in (ids, phones, codes, names, contracts):
            assert values and len(set(values)) == len(values)


def test_every_reference_stays_in_its_city(three: Data, two_streets: Data) -> None:
    for data in (three, two_streets):
        assert _crossings(data) == []


def test_reports_elsewhere_are_in_the_same_city(two_streets: Data) -> None:
    """Members and employers' orgs report to another community than their own, some of them:
    always one of their own city (so the check above is not vacuous)."""
    where = city_of(two_streets)
    home: dict[str, str] = {u["id"]: u["community_id"] for u in two_streets["employers"]}
    grid_community = {g["id"]: g["community_id"] for g in two_streets["grids"]}
    compound_community = {
        c["id"]: c["community_id"] or grid_community[c["grid_id"]] for c in two_streets["compounds"]
    }
    building_compound = {b["id"]: b["compound_id"] for b in two_streets["buildings"]}
    for p in two_streets["persons"]:
        if p["building_id"]:
            home[p["id"]] = compound_community[building_compound[p["building_id"]]]
    for r in two_streets["org_coverage"]:
        if r["target_id"] in home and r["target_id"].startswith("U-"):
            home[r["org_id"]] = home[r["target_id"]]
    elsewhere: Counter[str] = Counter()
    for r in two_streets["dual_reports"]:
        reporter, community = r["reporter_id"], r["community_id"]
        if reporter in home and home[reporter] != community:
            elsewhere[where[community]] += 1
            assert where[reporter] == where[community], r
    assert sorted(elsewhere) == sorted(c["id"] for c in two_streets["cities"]), elsewhere


def test_each_city_names_itself(three: Data) -> None:
    """Districts, ID numbers, credit codes and names of a city are its own: no 襄阳 outside Xiangyang."""
    where = city_of(three)
    code = {c["id"]: c["code"] for c in three["cities"]}
    name = {c["id"]: c["name"] for c in three["cities"]}
    for d in three["districts"]:
        assert d["code"][:4] == code[d["city_id"]][:4] and d["code"] != code[d["city_id"]]
    for p in three["persons"]:
        if p["id_number"]:
            assert p["id_number"][:4] == code[where[p["id"]]][:4], p
    for t in ("employers", "property_firms"):
        for r in three[t]:
            assert r["credit_code"][2:6] == code[where[r["id"]]][:4], r
    for o in three["party_orgs"]:
        if o["level"] == "working_committee":
            assert o["name"].startswith(f"中共{name[where[o['id']]]}"), o
    xiangyang = three["cities"][0]["id"]
    for kind in model.NODE_KINDS:
        for r in three[kind.table]:
            if kind.table not in ("provinces", "cities") and where[r["id"]] != xiangyang:
                assert "襄阳" not in ",".join(r.values()), (kind.table, r)


# ---------------------------------------------------------------- determinism and one city


def test_same_seed_same_cities_same_bytes(tmp_path: Path) -> None:
    generate("community", 4, tmp_path / "a", cities=2)
    generate("community", 4, tmp_path / "b", cities=2)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


@pytest.mark.parametrize(("scale", "seed"), [("community", 7), ("subdistrict", 3)])
def test_one_city_is_what_it_always_was(tmp_path: Path, scale: str, seed: int) -> None:
    """One city, by default or asked for, gives the same bytes; and the first city of several
    is that city, row for row (but for its province)."""
    generate(scale, seed, tmp_path / "default")
    generate(scale, seed, tmp_path / "one", cities=1)
    generate(scale, seed, tmp_path / "two", cities=2)
    one = _files(tmp_path / "default")
    assert one == _files(tmp_path / "one")
    assert one["provinces.csv"].count(b"\n") == 1  # the header alone
    two = _files(tmp_path / "two")
    for kind in model.TABLES:
        name = f"{kind.table}.csv"
        if kind.table in ("provinces", "cities"):
            continue
        assert two[name].startswith(one[name]), name
    with (tmp_path / "two" / "cities.csv").open(encoding="utf-8") as fh:
        header, first, *_ = csv.reader(fh)
    with (tmp_path / "default" / "cities.csv").open(encoding="utf-8") as fh:
        alone = list(csv.reader(fh))
    cities = next(k for k in model.TABLES if k.table == "cities")
    column = [c.name for c in _columns(cities)].index("province_id")
    assert first[column] == "PV-0001"
    assert alone == [header, [*first[:column], "", *first[column + 1 :]]]


def test_runs_leave_nothing_behind(tmp_path: Path) -> None:
    """A run of several cities in between changes nothing of the next run of one city."""
    generate("community", 7, tmp_path / "a")
    generate("community", 7, tmp_path / "many", cities=3)
    generate("community", 7, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_cities_out_of_range_are_rejected(tmp_path: Path) -> None:
    for bad in (0, -1, 13):
        with pytest.raises(ValueError, match="cities must be between 1 and 12"):
            generate("community", 1, tmp_path, cities=bad)


def test_province_scale_is_ten_cities() -> None:
    assert SCALES["province"].cities == 10 and SCALES["province"].districts is None


def test_cli_cities(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(tmp_path / "two"), "--scale", "community", "--seed", "2", "--cities", "2"])
    assert "provinces" in capsys.readouterr().out
    data = read(tmp_path / "two")
    assert len(data["provinces"]) == 1 and len(data["cities"]) == 2
    with pytest.raises(SystemExit):
        main([str(tmp_path / "none"), "--cities", "0"])
    assert "cities must be between" in capsys.readouterr().err


def test_per_city_splits_the_same_dataset(tmp_path: Path) -> None:
    """One directory per city: the rows of one directory for all, split by city, each with the
    province row, and each a valid input on its own."""
    from loaders.read import read_input
    from loaders.validate import validate

    generate("community", 7, tmp_path / "whole", cities=3)
    summary = generate("community", 7, tmp_path / "split", cities=3, per_city=True)
    dirs = sorted((tmp_path / "split").iterdir())
    assert [d.name for d in dirs] == ["01-420600", "02-420100", "03-420200"]
    whole = _files(tmp_path / "whole")
    parts = [_files(d) for d in dirs]
    for name, content in whole.items():
        header, *rows = content.split(b"\n")
        split = [p[name].split(b"\n") for p in parts]
        assert all(s[0] == header for s in split), name
        if name == "provinces.csv":
            assert all(s == [header, *rows] for s in split)
        else:
            assert b"\n".join([header, *(r for s in split for r in s[1:] if r)]) + b"\n" == content, name
    assert summary.rows["provinces"] == 3 and summary.rows["cities"] == 3
    assert summary.total == sum(len(p[n].split(b"\n")) - 2 for p in parts for n in p)
    for d in dirs:
        read_result = read_input(d)
        assert read_result.issues == [] and validate(read_result.tables, source=d.name).issues == []

"""The Neo4j Browser kit (``browser/``): one set of queries in three files, every query runs on
the real Neo4j and agrees with the ``queries`` package, and the style sheet covers every label.

The comparisons run on a generated community (``tests/browser/conftest.py``), on two days, for
every area, compound, member and firm it has: the uncovered buildings against the
``BUILDING_GROUP`` gaps, the three parties against ``COMPOUND_BRANCH``,
``COMPOUND_OWNERS_COMMITTEE`` and ``COMPOUND_PROPERTY_SERVICE``, a member's 1+1 against
``MEMBER_ONE_PLUS_ONE`` and a firm's coverage against ``FIRM_PARTY_COVERAGE``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest

from graph.captions import FONT_PX, fits, units
from graph.declare import Derived, NodeKind
from graph.model import BUILDING, COMPOUND, NODE_KINDS, PARTY_ORG, PERSON, all_labels, all_relationship_types
from graph.query import Query, Row
from queries import gaps
from tests.browser.conftest import NOW, KitWorld
from tests.browser.kit import (
    FAVORITES_JSON,
    FOLDER,
    KitQuery,
    favorite_contents,
    favorites_of,
    normalize,
    parse_grass,
    read_favorites_json,
    read_favorites_zip,
    read_guide,
    read_queries,
    strip_comments,
)
from tests.browser.kit import STYLE as STYLE_PATH

DAYS = (NOW, date(2024, 3, 15), date(2019, 6, 30))  # 2019: compounds without a branch, uncovered firms
PARAMETERS = {"asOf", "area", "compound", "member", "firm"}
STATUS_ZH = {"member": "正式党员", "probationary": "预备党员"}

# ---------------------------------------------------------------- (a) the same queries everywhere


@pytest.fixture(scope="module")
def kit() -> list[KitQuery]:
    return read_queries()


def test_queries_are_numbered_and_named_once(kit: list[KitQuery]) -> None:
    assert [q.number for q in kit] == [f"{i:02d}" for i in range(len(kit))]
    assert len({q.name for q in kit}) == len(kit)
    for q in kit:
        zh, _, en = q.name[3:].partition(" · ")
        assert zh and en, f"{q.name}: the name is Chinese · English"


def test_favorites_json_holds_the_same_queries(kit: list[KitQuery]) -> None:
    favorites = read_favorites_json()
    assert all(set(f) == {"name", "folder", "contents"} for f in favorites)
    assert {normalize(strip_comments(f["contents"])) for f in favorites} == {normalize(q.cypher) for q in kit}
    # exactly what `python -m tests.browser.kit` writes: regenerate after editing queries.cypher
    assert favorites == favorites_of(kit), (
        f"{FAVORITES_JSON} is stale: run `.venv/bin/python -m tests.browser.kit`"
    )


def test_favorites_zip_is_what_the_browser_imports(kit: list[KitQuery]) -> None:
    """Neo4j Browser exports and imports favorites as a zip of ``<folder>/<name>.cypher`` files;
    the name shown is the first line's comment."""
    entries = read_favorites_zip()
    assert entries == {f"{FOLDER}/{q.file_name}": favorite_contents(q) for q in kit}, (
        "browser/favorites.zip is stale: run `.venv/bin/python -m tests.browser.kit`"
    )
    for contents in entries.values():
        assert contents.startswith("// ")


def test_guide_runs_the_same_queries(kit: list[KitQuery]) -> None:
    slides, blocks = read_guide()
    assert slides >= 5
    assert all(b["mode"] == "cypher" for b in blocks)
    commands = [b["text"].strip() for b in blocks if b["text"].strip().startswith(":")]
    statements = [normalize(b["text"]) for b in blocks if not b["text"].strip().startswith(":")]
    assert sorted(statements) == sorted(normalize(q.cypher) for q in kit), (
        "guide.html and queries.cypher differ"
    )
    set_in_guide = set()
    for c in commands:
        m = re.fullmatch(r":param (\w+) => (.+)", c)
        assert m, f"the guide's commands only set parameters: {c!r}"
        set_in_guide.add(m.group(1))
    used = {p for q in kit for p in re.findall(r"\$(\w+)", q.cypher)}
    assert used == PARAMETERS
    assert used <= set_in_guide, f"the guide never sets {used - set_in_guide}"


def test_queries_take_values_as_parameters_only(kit: list[KitQuery]) -> None:
    for q in kit:
        assert not re.search(r"'[A-Z]{1,2}-\d+'", q.cypher), f"{q.name}: a literal id"
        assert not re.search(r"\bdate\(\s*'", q.cypher), f"{q.name}: a literal date (use $asOf)"
        assert not re.search(r"\.(phone|id_number|name_initials)\b", q.cypher), f"{q.name}: personal fields"


# ---------------------------------------------------------------- (c) the style sheet


def test_style_has_a_colour_size_and_caption_per_label() -> None:
    style = parse_grass(STYLE_PATH.read_text(encoding="utf-8"))
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for label in all_labels():
        rule = style.get(f"node.{label}")
        assert rule, f"no style for :{label}"
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", rule.get("color", "")), f":{label} colour"
        assert re.fullmatch(r"\d+px", rule.get("diameter", "")), f":{label} size"
        # the short caption the model derives for the kind (graph/captions.py), nothing else
        assert rule.get("caption") == "{caption}", f":{label} caption"
    for rel in all_relationship_types():
        assert cjk.search(style.get(f"relationship.{rel}", {}).get("caption", "")), f"[:{rel}] caption"
    colours = [
        style[f"node.{label}"]["color"].upper()
        for label in all_labels()
        if label not in ("Place", "Committee")
    ]
    assert len(set(colours)) == len(colours), "two labels share a colour"


def _caption(kind: NodeKind) -> Derived:
    (caption,) = [d for d in kind.derived if d.name == "caption"]
    return caption


def test_each_caption_fits_its_bubble() -> None:
    """A kind's caption is at most its declared width, and the kind's bubble holds that width
    at the style's font size (the last rule matching a node's labels draws it: a PartyMember
    is drawn at PartyMember's size)."""
    style = parse_grass(STYLE_PATH.read_text(encoding="utf-8"))
    for kind in NODE_KINDS:
        width = _caption(kind).compute.args[0]
        for label in kind.all_labels:
            rule = style[f"node.{label}"]
            if label in ("Place", "Committee"):
                continue  # overridden by the kind's own rule, which comes later
            assert rule["font-size"] == f"{FONT_PX}px", f":{label} font size"
            diameter = int(rule["diameter"].removesuffix("px"))
            assert fits(diameter) >= width, f":{label}: {diameter}px holds {fits(diameter)} units, caption {width}"
    # persons by id, never by name
    assert _caption(PERSON).sources == ("id",)
    assert all(_caption(k).sources == ("name",) for k in NODE_KINDS if k is not PERSON)


def test_long_names_are_cut_to_their_width() -> None:
    building, compound, org = _caption(BUILDING), _caption(COMPOUND), _caption(PARTY_ORG)
    assert building.value({"name": "长虹嘉园3栋"}) == "3栋"
    assert building.value({"name": "12号楼"}) == "12号楼"
    assert compound.value({"name": "长虹嘉园"}) == "长虹嘉园"
    assert compound.value({"name": "襄城区檀溪路长虹嘉园小区"}) == "襄城区…"
    assert org.value({"name": "中共檀溪社区第一网格党支部"}) == "中共檀溪…"
    assert _caption(PERSON).value({"id": "R-000123", "name": "张三丰"}) == "123"
    for d, name in ((building, "很长很长的楼栋名称没有编号"), (org, "x" * 40), (compound, "长" * 30)):
        assert units(d.value({"name": name})) <= d.compute.args[0]


def test_style_sizes_tell_places_orgs_and_people_apart() -> None:
    style = parse_grass(STYLE_PATH.read_text(encoding="utf-8"))

    def size(label: str) -> int:
        return int(style[f"node.{label}"]["diameter"].removesuffix("px"))

    tree = ["City", "District", "Subdistrict", "Community", "Grid", "Compound", "Building", "Entrance"]
    assert [size(x) for x in tree] == sorted((size(x) for x in tree), reverse=True)
    assert len({size(x) for x in tree}) == len(tree), "every level of the tree has its own size"
    orgs = [
        "PartyOrg",
        "Employer",
        "PropertyFirm",
        "ResidentsCommittee",
        "EnvironmentPropertyCommittee",
        "OwnersCommittee",
        "SelfManagementCommittee",
        "ServiceCentre",
        "RedStation",
    ]
    people = ["Person", "PartyMember"]
    assert max(size(x) for x in people) < min(size(x) for x in orgs)
    assert max(size(x) for x in orgs) < size("Community")
    # the Browser applies every matching rule in file order: the general labels come first
    order = list(style)
    for general, specific in (("Place", tree), ("Committee", orgs[3:7]), ("Person", ["PartyMember"])):
        assert all(order.index(f"node.{general}") < order.index(f"node.{s}") for s in specific)


# ---------------------------------------------------------------- (b) every query on the real Neo4j


def _no_networkx(g: Any, p: Mapping[str, Any]) -> list[Row]:
    raise AssertionError("the kit's queries are for Neo4j only")


class Runner:
    def __init__(self, world: KitWorld, kit: list[KitQuery]) -> None:
        self.world = world
        self.by_number = {q.number: Query(f"browser.{q.name}", q.cypher, _no_networkx) for q in kit}
        self.personal = world.personal_values()
        self.ran: set[str] = set()

    def __call__(self, number: str, **params: Any) -> list[Row]:
        rows = self.world.store.run(self.by_number[number], params)
        self.ran.add(number)
        leaked = {v for v in _strings(rows) if v in self.personal}
        assert not leaked, f"query {number} returns personal data: {sorted(leaked)[:3]}"
        return rows


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


@pytest.fixture(scope="module")
def run(kit_world: KitWorld, kit: list[KitQuery]) -> Runner:
    return Runner(kit_world, kit)


@pytest.mark.neo4j
def test_every_query_runs_and_agrees_with_the_queries_package(kit_world: KitWorld, run: Runner) -> None:
    store, community = kit_world.store, kit_world.community

    areas = run("00")
    assert any(a["地区编号"] == community and a["层级"] == "社区" for a in areas)
    grids = [a["地区编号"] for a in areas if a["层级"] == "网格"]
    assert grids

    branch_seen: list[tuple[bool, bool]] = []
    for day in DAYS:
        for area in (community, *grids):
            _check_uncovered_buildings(run, store, area, day)
        compounds = [r["小区编号"] for r in run("02", area=community)]
        assert compounds
        branch_seen.append(_check_compounds(run, store, community, compounds, day))
        _check_members(run, store, community, day)
        _check_firms(run, store, community, day)
        for a in areas:
            if a["层级"] != "网格":
                _check_child_areas(run, store, a["地区编号"], day)
        for area in (community, *grids):
            _check_gaps_ledger(run, store, area, day)

    # the comparison is weak unless compounds with and without a branch both occur
    assert any(b for b, _ in branch_seen) and any(g for _, g in branch_seen), branch_seen
    assert run.ran == set(run.by_number), f"not run: {set(run.by_number) - run.ran}"


def _check_uncovered_buildings(run: Runner, store: Any, area: str, day: date) -> None:
    rows = run("01", area=area, asOf=day)
    expected = gaps(store, area, "BUILDING_GROUP", day, limit=0).gaps
    assert [r["楼栋编号"] for r in rows] == [g.item_id for g in expected], f"{area} on {day}"
    for r, g in zip(rows, expected, strict=True):
        assert r["小区编号"] == g.facts["compound"]
        assert r["单元数"] == g.facts["entrances"]
        assert r["已建党小组的单元数"] == g.facts["entrances_covered"]
        assert r["正式党员数"] == g.facts["full_members"]
        assert len(r["居住党员"]) == g.facts["members"]
        assert sum(1 for m in r["居住党员"] if m["政治面貌"] == "正式党员") == g.facts["full_members"]
        assert all(set(m) == {"党员编号", "政治面貌"} for m in r["居住党员"])


def _check_child_areas(run: Runner, store: Any, area: str, day: date) -> None:
    """Query 09 against the indicators' own counts for each child area (what groupBy gives)."""
    rows = run("09", area=area, asOf=day)
    assert rows, f"{area}: no child area"
    assert [r["下级编号"] for r in rows] == sorted(r["下级编号"] for r in rows)
    for r in rows:
        child = r["下级编号"]
        buildings = gaps(store, child, "BUILDING_GROUP", day, limit=0)
        assert r["楼栋数"] == buildings.total, f"{child} on {day}"
        assert r["未建党小组的楼栋数"] == len(buildings.gaps), f"{child} on {day}"
        assert r["小区数"] == gaps(store, child, "COMPOUND_BRANCH", day, limit=0).total, f"{child} on {day}"
        assert r["居住党员数"] == gaps(store, child, "MEMBER_ONE_PLUS_ONE", day, limit=0).total, f"{child} on {day}"


def _check_gaps_ledger(run: Runner, store: Any, area: str, day: date) -> None:
    """Query 10 lists the BUILDING_GROUP gaps the printed ledger lists, numbered, by compound."""
    rows = run("10", area=area, asOf=day)
    by_compound: dict[str, list[str]] = {}
    for g in gaps(store, area, "BUILDING_GROUP", day, limit=0).gaps:
        by_compound.setdefault(str(g.facts["compound"]), []).append(g.item_id)
    assert [r["序号"] for r in rows] == list(range(1, len(rows) + 1))
    assert {r["小区编号"]: r["楼栋编号"] for r in rows} == {c: sorted(ids) for c, ids in by_compound.items()}
    assert all(r["未建党小组的楼栋数"] == len(r["楼栋编号"]) == len(r["楼栋"]) and r["统计日期"] == day for r in rows)


def _check_compounds(
    run: Runner, store: Any, community: str, compounds: list[str], day: date
) -> tuple[bool, bool]:
    no_branch = {g.item_id for g in gaps(store, community, "COMPOUND_BRANCH", day, limit=0).gaps}
    no_service = {g.item_id for g in gaps(store, community, "COMPOUND_PROPERTY_SERVICE", day, limit=0).gaps}
    committee_gaps = {
        g.item_id: g for g in gaps(store, community, "COMPOUND_OWNERS_COMMITTEE", day, limit=0).gaps
    }
    seen_branch = seen_gap = False
    for c in compounds:
        (row,) = run("03", compound=c, asOf=day)
        assert row["小区编号"] == c and row["社区编号"] == community
        assert (not row["党支部"]) == (c in no_branch), f"{c} on {day}: branch"
        assert (not row["物业服务企业"] and not row["其他管理方式"]) == (c in no_service), (
            f"{c} on {day}: service"
        )
        owners = [k for k in row["业委会或自管委"] if k["类型"] == "业委会"]
        if c in committee_gaps:
            assert not owners, f"{c} on {day}: a current owners' committee, yet a gap"
        elif not owners:
            assert any(k["类型"] == "自管委" for k in row["业委会或自管委"]), f"{c} on {day}: no committee"
        assert len(row["居委会"]) <= 1
        seen_branch |= bool(row["党支部"])
        seen_gap |= c in no_branch
        graph = run("04", compound=c, asOf=day)
        nodes = [n for path in graph for n in path["p"]]
        assert not [n for n in nodes if "political_status" in n], "the compound graph shows persons"
        buildings = {r["楼栋编号"] for r in run("01", area=c, asOf=day)}
        ids = {n["id"] for n in nodes}
        assert c in ids and buildings <= ids
    return seen_branch, seen_gap


def _check_members(run: Runner, store: Any, community: str, day: date) -> None:
    listed = run("05", area=community, asOf=day)
    total = gaps(store, community, "MEMBER_ONE_PLUS_ONE", day, limit=0)
    assert len(listed) == total.total
    status = {g.item_id: g.facts["status"] for g in total.gaps}
    assert status, "the comparison needs members with 1+1 gaps"
    for m in listed:
        (card,) = run("06", member=m["党员编号"], asOf=day)
        assert card["状态"] == status.get(m["党员编号"], "complete"), f"{m['党员编号']} on {day}"
        assert card["政治面貌"] in STATUS_ZH.values()
        assert bool(card["组织关系所在党组织(单位侧)"]) == m["有组织关系"]
        assert bool(card["居住地党组织(居住侧)"]) == m["已编入居住地党组织"]
        for side in ("组织关系所在党组织(单位侧)", "居住地党组织(居住侧)"):
            for org in card[side]:
                assert set(org) == {"编号", "名称", "层级", "覆盖地点", "覆盖住处"}
    assert run("06", member="no-such-member", asOf=day) == []


def _check_firms(run: Runner, store: Any, community: str, day: date) -> None:
    serving = run("07", area=community, asOf=day)
    result = gaps(store, community, "FIRM_PARTY_COVERAGE", day, limit=0)
    assert len(serving) == result.total
    uncovered = {g.item_id for g in result.gaps}
    for f in serving:
        (row,) = run("08", firm=f["企业编号"], asOf=day)
        assert (row["覆盖情况"] == "未覆盖") == (f["企业编号"] in uncovered), f"{f['企业编号']} on {day}"
        assert set(f["地区内在管小区"]) <= set(row["在管小区"])
        if row["党组织(组织覆盖)"]:
            assert row["覆盖情况"] == "组织覆盖"
        for x in row["党建工作指导员"]:
            assert set(x) == {"人员编号", "政治面貌", "起始"}

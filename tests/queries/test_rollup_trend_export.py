"""Rollups by child area, trends over dates, areas, JSON and the XLSX export, on both stores."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from graph.errors import GongzhiError, NotFound
from graph.store import Store
from queries import child_areas, coverage, gaps, resolve_area, rollup, trend, write_gaps_xlsx
from queries.export import safe_cell
from queries.indicators import INDICATOR_IDS, INDICATORS
from queries.labels import STATUSES
from queries.rollup import summed_from_children
from queries.trend import dates
from tests.api.test_graphql_types import Counting
from tests.queries.fixtures import D, skeleton
from tests.queries.test_indicators import branch_world, firm_world, load


def test_areas(store: Store) -> None:
    load(store, branch_world())
    a = resolve_area(store, "G2")
    assert (a.kind, a.name, [p.id for p in a.path]) == ("Grid", "G2名", ["C1", "D1", "S1", "CM1", "G2"])
    assert [c.id for c in child_areas(store, "CM1")] == ["G1", "G2"]
    assert [(c.id, c.kind) for c in child_areas(store, "G1")] == [("P1", "Compound"), ("P2", "Compound")]
    assert child_areas(store, "P2") == []  # buildings are not areas
    with pytest.raises(NotFound):
        resolve_area(store, "B21")
    with pytest.raises(NotFound):
        resolve_area(store, "nowhere")
    with pytest.raises(NotFound):
        gaps(store, "CM1", "NO_SUCH_INDICATOR", D)


def test_rollup(store: Store) -> None:
    load(store, branch_world())
    r = rollup(store, "S1", D, indicator_id="COMPOUND_BRANCH")
    own = r.area.indicator("COMPOUND_BRANCH")
    assert (own.total, own.covered) == (4, 2)
    # furthest behind first
    assert [(c.area.id, c.indicator("COMPOUND_BRANCH").covered, c.indicator("COMPOUND_BRANCH").total) for c in r.children] == [
        ("CM2", 0, 1),
        ("CM1", 2, 3),
    ]
    assert [c.area.path[-2].id for c in r.children] == ["S1", "S1"]
    assert [c.area.id for c in rollup(store, "S1", D, sort="id").children] == ["CM1", "CM2"]
    # a child with nothing to count sorts last
    by_group = rollup(store, "S1", D, indicator_id="BUILDING_GROUP", indicators=["BUILDING_GROUP"])
    assert [c.area.id for c in by_group.children] == ["CM1", "CM2"]
    assert by_group.children[1].indicator("BUILDING_GROUP").rate is None
    assert [i.indicator for i in by_group.area.indicators] == ["BUILDING_GROUP"]
    grids = rollup(store, "CM1", D, indicator_id="COMPOUND_BRANCH")
    assert [(c.area.id, c.indicator("COMPOUND_BRANCH").rate) for c in grids.children] == [("G1", 0.5), ("G2", 1.0)]
    assert rollup(store, "P1", D).children == ()
    assert json.loads(json.dumps(r.as_dict()))["children"][0]["area"]["id"] == "CM2"
    with pytest.raises(NotFound):
        rollup(store, "S1", D, sort="size")


def test_rollup_own_counts_equal_asking_the_area(store: Store) -> None:
    """The roll-up sums its children's counts where that is exact; the answer must be the one
    the area gives when asked directly, for every indicator and every kind of area."""
    w = firm_world()  # firms, members and buildings in both communities
    w.serves("F1", "P4")  # and a firm serving a compound in each of them
    w.building("B31", "P3")
    w.person("R1", "B31")
    load(store, w)
    for area in ("C1", "D1", "S1", "CM1", "CM2", "G1", "P1"):
        assert rollup(store, area, D).area == coverage(store, area, D), area


def test_items_in_several_children_are_counted_once(store: Store) -> None:
    """A firm serving compounds in both communities, and an employer org covering employers in
    both, count once in the street, not twice."""
    w = skeleton()
    w.firm("F1")
    w.serves("F1", "P1")  # CM1
    w.serves("F1", "P4")  # CM2
    w.org("OU", "branch", "employer")
    w.covers("OU", w.employer("U1", "CM1"))
    w.covers("OU", w.employer("U2", "CM2"))
    load(store, w)
    spanning = ["FIRM_PARTY_COVERAGE", "DUAL_REPORTING_ORGS"]
    r = rollup(store, "S1", D, indicators=spanning)
    for i in spanning:
        assert [c.indicator(i).total for c in r.children] == [1, 1], i
        assert r.area.indicator(i).total == 1, i


class Overlapping(Counting):
    """Passes calls through, noting how many were in flight at once."""

    def __init__(self, inner: Store, read_concurrency: int) -> None:
        super().__init__(inner)
        self.read_concurrency = read_concurrency
        self.active = self.peak = 0
        self._lock = threading.Lock()

    def run(self, query: object, params: object = None) -> object:
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(0.005)  # long enough for a second thread to start its call
            return super().run(query, params)
        finally:
            with self._lock:
                self.active -= 1


@pytest.mark.parametrize("concurrency", [1, 2, 3])
def test_child_areas_are_asked_read_concurrency_at_a_time(store: Store, concurrency: int) -> None:
    load(store, branch_world())
    wrapped = Overlapping(store, concurrency)
    assert rollup(wrapped, "CM1", D, sort="id") == rollup(store, "CM1", D, sort="id")
    assert wrapped.peak == min(concurrency, 2)  # CM1 has two grids


def test_which_indicators_are_summed() -> None:
    summed = {
        kind: [i for i in INDICATOR_IDS if summed_from_children(INDICATORS[i], kind)]
        for kind in ("City", "Grid")
    }
    assert "FIRM_PARTY_COVERAGE" not in summed["City"] and "DUAL_REPORTING_ORGS" not in summed["City"]
    assert "MEMBER_ONE_PLUS_ONE" in summed["City"] and "COMMUNITY_RED_STATION" in summed["City"]
    # a grid's children are compounds: compound and building items sum, community items do not
    assert "COMPOUND_BRANCH" in summed["Grid"] and "COMMUNITY_RED_STATION" not in summed["Grid"]
    # a compound's children, buildings, are not areas: nothing is summed there
    assert not any(summed_from_children(INDICATORS[i], "Compound") for i in INDICATOR_IDS)


def test_trend(store: Store) -> None:
    load(store, branch_world())
    t = trend(store, "C1", date(2024, 5, 15), date(2024, 8, 10), indicators=["COMPOUND_BRANCH", "MEMBER_ONE_PLUS_ONE"])
    assert t.dates == (date(2024, 5, 31), date(2024, 6, 30), date(2024, 7, 31), date(2024, 8, 10))
    series = t.indicator("COMPOUND_BRANCH")
    for point in series.points:
        g = gaps(store, "C1", "COMPOUND_BRANCH", point.as_of)
        assert (point.total, point.covered) == (g.total, g.covered)
    assert [p.covered for p in series.points] == [2, 2, 2, 2]
    assert [p.as_of for p in t.indicator("MEMBER_ONE_PLUS_ONE").points] == list(t.dates)
    assert json.loads(json.dumps(t.as_dict()))["series"][0]["points"][0]["as_of"] == "2024-05-31"


def test_trend_dates() -> None:
    assert dates(date(2024, 1, 15), date(2024, 12, 31), "quarter") == [
        date(2024, 3, 31),
        date(2024, 6, 30),
        date(2024, 9, 30),
        date(2024, 12, 31),
    ]
    assert dates(date(2024, 6, 3), date(2024, 6, 20), "week") == [date(2024, 6, 9), date(2024, 6, 16), date(2024, 6, 20)]
    assert dates(date(2021, 3, 1), date(2021, 3, 1)) == [date(2021, 3, 1)]
    assert dates(date(2020, 2, 1), date(2021, 1, 1), "year") == [date(2020, 12, 31), date(2021, 1, 1)]
    with pytest.raises(NotFound):
        dates(date(2024, 1, 1), date(2024, 2, 1), "fortnight")
    with pytest.raises(GongzhiError):
        dates(date(2024, 2, 1), date(2024, 1, 1))


def test_as_dict_is_json_and_masked(store: Store) -> None:
    load(store, branch_world())
    g = gaps(store, "CM1", "COMPOUND_BRANCH", D)
    d = json.loads(json.dumps(g.as_dict()))
    assert d["rate"] == 2 / 3 and d["uncovered"] == 1 and d["as_of"] == "2024-06-30"
    first = d["gaps"][0]["suggestions"][0]
    assert first["name"] == "张**" and first["phone"].startswith("138") and "*" in first["phone"]
    raw = g.as_dict(unmask=True)["gaps"][0]["suggestions"][0]
    assert raw["name"] == "张R1" and "*" not in raw["phone"]
    assert "张R1" not in repr(g) and "张R1" not in json.dumps(d, ensure_ascii=False)
    c = coverage(store, "CM1", D)
    assert len(json.loads(json.dumps(c.as_dict()))["indicators"]) == 14


def test_export_xlsx(store: Store, tmp_path: Path) -> None:
    w = branch_world()
    # ledger text that a spreadsheet would take for formulas
    w.compound("P9", "G1", name="=HYPERLINK(\"http://x\")")
    w.building("B91", "P9")
    w.person("R91", "B91", name="@SUM(1)")
    w.person("R92", "B91", name="-1+2")
    w.person("R93", "B91", name="+张三")
    load(store, w)
    results = [
        gaps(store, "S1", "COMMUNITY_ENV_PROPERTY_COMMITTEE", D),
        gaps(store, "CM1", "MEMBER_ONE_PLUS_ONE", D),
        gaps(store, "CM1", "COMPOUND_BRANCH", D),
    ]
    path = write_gaps_xlsx(results, tmp_path / "gaps.xlsx")
    wb = load_workbook(path)
    branch, one_plus_one, env = (INDICATORS[i].title_zh for i in ("COMPOUND_BRANCH", "MEMBER_ONE_PLUS_ONE", "COMMUNITY_ENV_PROPERTY_COMMITTEE"))
    assert wb.sheetnames == ["汇总", branch, one_plus_one, env]  # the indicators in their order, by name
    summary = wb["汇总"]
    # a title with the areas by name, a line with area and date, then the header row (3)
    assert "CM1名" in summary["A1"].value and "统计日期" in summary["A2"].value
    assert [c.value for c in summary[3]][:2] == ["指标", "区域编号"]
    assert [c.value for c in summary[4]][:2] == ["把党支部建在小区(网格)", "CM1"]
    sheet = wb[branch]
    assert branch in sheet["A1"].value and "CM1名" in sheet["A1"].value
    assert f"指标：{branch}" in sheet["A2"].value and D.isoformat() in sheet["A2"].value
    headers = [c.value for c in sheet[3]]
    statuses = {r[headers.index("状态")] for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert statuses == {STATUSES["uncovered"][0]}
    assert [c.value for c in sheet[3]][:5] == ["区域编号", "区域名称", "统计日期", "对象编号", "对象名称"]
    rows = {r[3]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert set(rows) == {"P2", "P9"}
    assert rows["P9"][4] == "'=HYPERLINK(\"http://x\")"
    assert "张**" in rows["P2"][9] and "张R1" not in rows["P2"][9]
    members = {r[3]: r for r in wb[one_plus_one].iter_rows(min_row=4, values_only=True)}
    assert members["R91"][4] == "'@******" and members["R92"][4] == "'-***"
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")), value
    unmasked = load_workbook(write_gaps_xlsx(results[2], tmp_path / "raw.xlsx", unmask=True))
    raw_rows = {r[3]: r for r in unmasked[branch].iter_rows(min_row=4, values_only=True)}
    assert "张R1" in raw_rows["P2"][9]
    # a whole coverage goes to the summary only (no gaps were asked for)
    only_summary = load_workbook(write_gaps_xlsx(coverage(store, "CM1", D), tmp_path / "summary.xlsx"))
    assert only_summary.sheetnames == ["汇总"] and only_summary["汇总"].max_row == 3 + 14


def test_safe_cell() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell("\rx") == "'\rx"
    assert safe_cell("张三") == "张三"
    assert safe_cell(3) == 3


def test_empty_area(store: Store) -> None:
    load(store, skeleton())
    c = coverage(store, "CM2", D)
    assert c.indicator("COMPOUND_BRANCH").total == 1 and c.indicator("BUILDING_GROUP").rate is None

"""The dashboard page in headless Chromium, against the real app on each store.

As an organizer would: open the page, enter the token, pick an area from the place tree, read
the indicators and the child ranking, open an indicator, open a gap, look at a compound's graph,
switch to English. Every number on screen is compared with what the GraphQL API answers to the
same token (httpx, the test's own queries). On the embedded store the screens are saved as
``docs/screenshots/dashboard-{overview,gaps,compound}.png`` (shown in the README) with
``GONGZHI_SCREENSHOTS=1``, else in a temporary folder (tests/screenshots.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.dashboard.conftest import NOW, WINDOW, Served
from tests.screenshots import screenshot_dir

SCREENSHOTS = screenshot_dir()  # docs/screenshots with GONGZHI_SCREENSHOTS=1 (tests/screenshots.py)
WAIT = 60  # seconds: a cold CI machine is slow, and Neo4j answers the first queries slowly
AS_OF = NOW.isoformat()  # the generator's "now": the same screens whatever day the tests run
GAPS_INDICATOR = "BUILDING_GROUP"  # its gaps have resident members as candidates (masked names)

COVERAGE = """query($area: ID!, $asOf: Date) { coverage(area: $area, asOf: $asOf) {
  asOf meanRate area { key name placeKind }
  indicators { indicator titleZh titleEn total covered uncovered rate }
  children { area { key name } meanRate } } }"""

GAPS = """query($area: ID!, $indicator: Indicator!, $asOf: Date, $first: Int) {
  gaps(area: $area, indicator: $indicator, asOf: $asOf, first: $first, suggestions: 5) {
    indicator { titleZh titleEn total uncovered }
    gaps { totalCount pageInfo { hasNextPage }
      nodes { status statusZh evidenceZh evidenceEn factList { key labelZh textZh } item { key }
        suggestions { rank whyZh candidate { __typename key ... on Person { name phone } } } } } } }"""

CHILDREN = """query($id: ID!) { node(id: $id) { ... on Place { children(first: 100) { nodes { key name placeKind } } } } }"""

COMPOUND = """query($id: ID!, $asOf: Date) {
  node(id: $id) { ... on Compound { key name buildings(first: 100) { nodes { key } }
    branches(asOf: $asOf) { key }
    threeParties(asOf: $asOf) { residentsCommittee { key } ownersCommittee { key } selfManagementCommittee { key }
      propertyFirms { key } } } }
  group: gaps(area: $id, indicator: BUILDING_GROUP, asOf: $asOf, first: 100, suggestions: 0) { gaps { nodes { item { key } } } }
  head: gaps(area: $id, indicator: BUILDING_HEAD, asOf: $asOf, first: 100, suggestions: 0) { gaps { nodes { item { key } } } }
}"""


class Dashboard:
    """The page in the browser, with the gestures of an organizer."""

    def __init__(self, driver: Any, served: Served) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.d, self.served, self.by = driver, served, By
        self.wait = WebDriverWait(driver, WAIT)

    # -------------------------------------------------------------- waiting

    def until(self, what: str, condition: Callable[[Any], Any]) -> Any:
        from selenium.common.exceptions import TimeoutException

        try:
            return self.wait.until(condition)
        except TimeoutException:
            status = self.d.find_element(self.by.ID, "status").text
            raise AssertionError(f"dashboard: {what} (status line: {status!r})") from None

    def idle(self) -> None:
        """Every request the page made has been answered and drawn, without an error."""
        self.until("the page to finish its requests", lambda d: d.execute_script("return !document.body.dataset.busy"))
        status = self.d.find_element(self.by.ID, "status")
        assert "error" not in (status.get_attribute("class") or ""), status.text

    def js(self, script: str, *args: Any) -> Any:
        return self.d.execute_script(script, *args)

    def css(self, selector: str) -> Any:
        return self.d.find_element(self.by.CSS_SELECTOR, selector)

    def all(self, selector: str) -> list[Any]:
        return list(self.d.find_elements(self.by.CSS_SELECTOR, selector))

    def click(self, selector: str) -> None:
        element = self.until(f"{selector} to be shown", lambda d: _displayed(d, self.by, selector))
        self.js("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    # -------------------------------------------------------------- gestures

    def open(self, token: str | None = None) -> None:
        """A fresh page in Chinese; enter the token as a user would and connect."""
        self.d.set_window_size(*WINDOW)
        self.d.get(self.served.url + "/")
        self.js("sessionStorage.clear(); localStorage.clear();")
        self.d.get(self.served.url + "/")
        self.until("the token field", lambda d: d.find_element(self.by.ID, "token").is_displayed())
        field = self.css("#token")
        field.clear()
        field.send_keys(self.served.token if token is None else token)
        self.css("#token-save").click()

    def connected(self) -> None:
        self.until("the overview", lambda d: _displayed(d, self.by, "#overview"))
        self.idle()

    def set_as_of(self, day: str) -> None:
        self.js(
            "const e = document.getElementById('as-of'); e.value = arguments[0];"
            "e.dispatchEvent(new Event('change', {bubbles: true}));",
            day,
        )
        self.until(f"the coverage as of {day}", lambda d: d.find_element(self.by.ID, "area-as-of").text == day)
        self.idle()

    def pick(self, key: str) -> None:
        """Select an area in the place tree (its branch already open)."""
        self.click(f'.tree-label[data-key="{key}"]')
        self.until(
            f"area {key} to be shown",
            lambda d: d.find_element(self.by.ID, "area-kind").text.endswith(key),
        )
        self.idle()

    def expand(self, key: str) -> None:
        self.click(f'li[data-key="{key}"] > .tree-row > .twisty')
        self.until(f"the children of {key}", lambda d: _attr(d, self.by, f'li[data-key="{key}"]', "data-loaded") == "1")
        self.idle()

    def screenshot(self, name: str, section: str | None = None, scrolled: bool = False) -> None:
        """docs/screenshots/<name>.png: the window, or one section of the page; from the embedded
        store's run only (one set of files)."""
        if self.served.store_kind != "embedded":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = str(SCREENSHOTS / f"{name}.png")
        if section is None:
            if not scrolled:
                self.js("window.scrollTo(0, 0)")
            self.js("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            assert self.d.save_screenshot(path)
            return
        element = self.css(f"#{section}")
        self.js("arguments[0].scrollIntoView({block: 'start'})", element)
        self.js("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        assert element.screenshot(path)

    # -------------------------------------------------------------- reading

    def indicator_rows(self) -> dict[str, dict[str, str]]:
        rows = self.js(
            "return [...document.querySelectorAll('#indicator-table tbody tr')].map(r => [r.dataset.indicator, {"
            "  name: r.cells[0].textContent, covered: r.cells[1].textContent, total: r.cells[2].textContent,"
            "  rate: r.cells[3].textContent, title: r.title}]);"
        )
        return dict(rows)  # in the page's order

    def chart_values(self, element_id: str) -> list[float | None]:
        """The bar values ECharts draws (percentages), top bar first."""
        values = self.js(
            "const c = echarts.getInstanceByDom(document.getElementById(arguments[0]));"
            "return c.getOption().series[0].data.map(d => d.value === undefined ? null : d.value);",
            element_id,
        )
        return list(reversed(values))


def _displayed(driver: Any, by: Any, selector: str) -> Any:
    found = driver.find_elements(by.CSS_SELECTOR, selector)
    return found[0] if found and found[0].is_displayed() else False


def _attr(driver: Any, by: Any, selector: str, name: str) -> str | None:
    found = driver.find_elements(by.CSS_SELECTOR, selector)
    return found[0].get_attribute(name) if found else None


def shown_rate(text: str) -> float | None:
    m = re.fullmatch(r"(\d+(?:\.\d)?)%", text.strip())
    return float(m.group(1)) if m else None


def assert_rate(text: str, rate: float | None, what: str) -> None:
    if rate is None:
        assert shown_rate(text) is None and text.strip(), f"{what}: {text!r} for no rate"
        return
    shown = shown_rate(text)
    assert shown is not None and abs(shown - rate * 100) <= 0.05 + 1e-9, f"{what}: {text!r} on screen, API {rate}"


@pytest.fixture
def page(browser: Any, served: Served) -> Dashboard:
    return Dashboard(browser, served)


def coverage_on_screen_equals_api(page: Dashboard, served: Served, area: str) -> dict[str, Any]:
    api = served.ask(COVERAGE, {"area": area, "asOf": AS_OF})["coverage"]
    assert page.css("#area-as-of").text == api["asOf"] == AS_OF
    assert page.css("#area-name").text == api["area"]["name"]
    assert_rate(page.css("#mean-rate").text, api["meanRate"], "mean rate")

    rows = page.indicator_rows()
    assert list(rows) == [i["indicator"] for i in api["indicators"]], "every indicator, in the API's order"
    for ind in api["indicators"]:
        row = rows[ind["indicator"]]
        assert row["covered"] == str(ind["covered"]) and row["total"] == str(ind["total"]), (ind, row)
        assert_rate(row["rate"], ind["rate"], ind["indicator"])
        assert row["title"] == ind["titleZh"]
    bars = page.chart_values("indicator-chart")
    assert len(bars) == len(api["indicators"])
    for value, ind in zip(bars, api["indicators"], strict=True):
        if ind["rate"] is None:
            assert value is None, (ind, value)
        else:
            assert value is not None and abs(value - ind["rate"] * 100) < 1e-3, (ind, value)

    children = api["children"]
    if children:
        ranked = page.js("return [...document.querySelectorAll('#child-table tbody tr')].map(r => [r.dataset.area, r.cells[2].textContent])")
        assert [key for key, _ in ranked] == [c["area"]["key"] for c in children], "the API's ranking, furthest behind first"
        for (_, text), child in zip(ranked, children, strict=True):
            assert_rate(text, child["meanRate"], child["area"]["key"])
        child_bars = page.chart_values("child-chart")
        for value, child in zip(child_bars, children, strict=True):
            assert (value is None) == (child["meanRate"] is None)
            if value is not None:
                assert abs(value - child["meanRate"] * 100) < 1e-3
    else:
        assert not page.css("#children").is_displayed()
    return api


def test_overview_and_picking_an_area(page: Dashboard, served: Served) -> None:
    page.open()
    page.connected()
    # the token's area is the root of the tree, selected and open
    root = page.css(f'.tree-label[data-key="{served.community}"]')
    assert "selected" in (root.get_attribute("class") or "")
    page.set_as_of(AS_OF)
    api = coverage_on_screen_equals_api(page, served, served.community)
    assert len(api["children"]) >= 2, "the community's grids are ranked"

    # the tree's children are the API's, loaded when the branch opens
    kids = served.ask(CHILDREN, {"id": served.community})["node"]["children"]["nodes"]
    tree = page.js(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.dataset.key)",
        f'li[data-key="{served.community}"] > ul > li',
    )
    assert tree == [k["key"] for k in kids]

    # pick a grid, then a compound under it (lazy-loaded), then the community again
    grid = next(k for k in kids if k["placeKind"] == "Grid")
    page.pick(grid["key"])
    coverage_on_screen_equals_api(page, served, grid["key"])
    page.expand(grid["key"])
    compounds = served.ask(CHILDREN, {"id": grid["key"]})["node"]["children"]["nodes"]
    assert compounds and all(c["placeKind"] == "Compound" for c in compounds)
    page.pick(compounds[0]["key"])
    coverage_on_screen_equals_api(page, served, compounds[0]["key"])
    page.pick(served.community)
    coverage_on_screen_equals_api(page, served, served.community)
    page.screenshot("dashboard-overview")


def test_an_indicator_and_a_gap(page: Dashboard, served: Served) -> None:
    page.open()
    page.connected()
    page.set_as_of(AS_OF)
    page.click(f'#indicator-table tr[data-indicator="{GAPS_INDICATOR}"]')
    page.until("the gap list", lambda d: _displayed(d, page.by, "#gap-list li.gap"))
    page.idle()
    api = served.ask(GAPS, {"area": served.community, "indicator": GAPS_INDICATOR, "asOf": AS_OF, "first": 20})
    report = api["gaps"]
    assert page.css("#gaps-total").text == str(report["gaps"]["totalCount"]) == str(report["indicator"]["uncovered"])
    assert page.css("#gaps-title").text == report["indicator"]["titleZh"]
    nodes = report["gaps"]["nodes"]
    assert [li.get_attribute("data-item") for li in page.all("#gap-list li.gap")] == [g["item"]["key"] for g in nodes]

    # the child ranking follows the chosen indicator
    assert page.js("return document.getElementById('rank-by').value") == GAPS_INDICATOR

    # open the first gap whose candidates are people: their names and phones masked as the API gives them
    gap = next(g for g in nodes if any(s["candidate"]["__typename"] == "Person" for s in g["suggestions"]))
    item = f'#gap-list li.gap[data-item="{gap["item"]["key"]}"]'
    page.click(f"{item} .gap-head")
    page.until("the gap to open", lambda d: _displayed(d, page.by, f"{item} .gap-body"))
    assert page.css(f"{item} .gap-body .evidence").text == gap["evidenceZh"]
    assert page.css(f"{item} .status-code").text == gap["statusZh"] != gap["status"]  # the status by name
    facts = page.js(
        "return [...document.querySelectorAll(arguments[0])].map(r => [r.dataset.key, r.cells[0].textContent, r.cells[1].textContent])",
        f"{item} .facts-table tr",
    )
    assert facts == [[f["key"], f["labelZh"], f["textZh"]] for f in gap["factList"]] and facts
    shown = page.all(f"{item} .sugg li")
    assert [li.get_attribute("data-candidate") for li in shown] == [s["candidate"]["key"] for s in gap["suggestions"]]
    for li, s in zip(shown, gap["suggestions"], strict=True):
        c = s["candidate"]
        assert s["whyZh"] in li.text
        if c["__typename"] == "Person":
            assert li.find_element(page.by.CSS_SELECTOR, ".who").text == c["name"]
            assert "*" in c["name"], "a viewer sees names masked"
            if c["phone"]:
                assert li.find_element(page.by.CSS_SELECTOR, ".phone").text == c["phone"]
                assert "****" in c["phone"]
    page.js("document.getElementById('gaps').scrollIntoView({block: 'start'}); window.scrollBy(0, -12);")
    page.screenshot("dashboard-gaps", scrolled=True)

    # from a building's gap to its compound's graph (another compound than the one drawn)
    shown_compound = page.js("return document.getElementById('compound-pick').value")
    other, compound = page.js(
        "const g = window.gongzhiDashboard.state.gaps.nodes.find(g => g.facts.compound && g.facts.compound !== arguments[0]);"
        "return g ? [g.item.key, g.facts.compound] : [null, null];",
        shown_compound,
    )
    assert other, "the community's gaps lie in more than one compound"
    item = f'#gap-list li.gap[data-item="{other}"]'
    page.click(f"{item} .gap-head")
    page.click(f"{item} .show-graph")
    page.until(
        "the gap's compound in the graph",
        lambda d: d.execute_script("const cy = window.gongzhiDashboard.cy; return !!cy && cy.nodes('.compound').map(n => n.id())[0] === arguments[0]", compound),
    )
    page.idle()
    assert page.js("return document.getElementById('compound-pick').value") == compound

    # the next page of gaps
    if report["gaps"]["pageInfo"]["hasNextPage"]:
        page.click("#gaps-more")
        page.idle()
        everything = served.ask(GAPS, {"area": served.community, "indicator": GAPS_INDICATOR, "asOf": AS_OF, "first": 100})
        keys = [g["item"]["key"] for g in everything["gaps"]["gaps"]["nodes"]][:40]
        assert [li.get_attribute("data-item") for li in page.all("#gap-list li.gap")] == keys


def test_the_compound_graph(page: Dashboard, served: Served) -> None:
    page.open()
    page.connected()
    page.set_as_of(AS_OF)
    page.until("the compound graph", lambda d: d.execute_script("return !!(window.gongzhiDashboard.cy)"))
    page.idle()
    compound = page.js("return document.getElementById('compound-pick').value")
    api = served.ask(COMPOUND, {"id": compound, "asOf": AS_OF})
    node = api["node"]
    no_group = {g["item"]["key"] for g in api["group"]["gaps"]["nodes"]}
    no_head = {g["item"]["key"] for g in api["head"]["gaps"]["nodes"]}
    graph = page.js(
        "const cy = window.gongzhiDashboard.cy; const ids = s => cy.nodes(s).map(n => n.id()).sort();"
        "return {ok: ids('.b-ok'), part: ids('.b-part'), bad: ids('.b-bad'), compound: ids('.compound'),"
        " all: cy.nodes().map(n => n.id()), edges: cy.edges().length};"
    )
    buildings = {b["key"] for b in node["buildings"]["nodes"]}
    assert graph["compound"] == [compound]
    assert set(graph["ok"]) == {b for b in buildings if b not in no_group and b not in no_head}
    assert set(graph["part"]) == {b for b in buildings if (b in no_group) != (b in no_head)}
    assert set(graph["bad"]) == {b for b in buildings if b in no_group and b in no_head}
    assert no_group | no_head, "the generated compound has uncovered buildings to colour"
    around = {b["key"] for b in node["branches"]}
    parties = node["threeParties"]
    around |= {parties[k]["key"] for k in ("residentsCommittee", "ownersCommittee", "selfManagementCommittee") if parties[k]}
    around |= {f["key"] for f in parties["propertyFirms"]}
    assert around and around <= set(graph["all"]), "branch, committees and firm around the buildings"
    assert graph["edges"] >= len(buildings)
    facts = page.css("#graph-facts")
    assert facts.get_attribute("data-ok") == str(len(graph["ok"]))
    assert facts.get_attribute("data-bad") == str(len(graph["bad"]))
    # a click on a building tells which of its two indicators it misses
    target = sorted(graph["bad"] or graph["part"])[0]
    page.js("window.gongzhiDashboard.cy.getElementById(arguments[0]).emit('tap')", target)
    detail = page.css("#graph-detail").text
    assert target in detail and "✗" in detail
    page.screenshot("dashboard-compound", "compound")


def test_english_toggle(page: Dashboard, served: Served) -> None:
    page.open()
    page.connected()
    page.set_as_of(AS_OF)
    page.click(f'#indicator-table tr[data-indicator="{GAPS_INDICATOR}"]')
    page.until("the gap list", lambda d: _displayed(d, page.by, "#gap-list li.gap"))
    page.idle()
    first = page.css("#gap-list li.gap").get_attribute("data-item")
    page.click(f'#gap-list li.gap[data-item="{first}"] .gap-head')
    page.click("#lang")
    api = served.ask(GAPS, {"area": served.community, "indicator": GAPS_INDICATOR, "asOf": AS_OF, "first": 1})
    gap = api["gaps"]["gaps"]["nodes"][0]
    assert gap["item"]["key"] == first
    assert page.js("return document.documentElement.lang") == "en"
    assert page.css("h1 [data-i18n=title]").text == "Coverage dashboard"
    assert page.css("#gaps-title").text == api["gaps"]["indicator"]["titleEn"]
    assert page.css(f'#gap-list li.gap[data-item="{first}"] .evidence').text == gap["evidenceEn"]
    titles = {k: v["title"] for k, v in page.indicator_rows().items()}
    coverage = served.ask(COVERAGE, {"area": served.community, "asOf": AS_OF})["coverage"]
    assert titles == {i["indicator"]: i["titleEn"] for i in coverage["indicators"]}
    # the choice is remembered; back to Chinese
    assert page.js("return localStorage.getItem('gongzhi.lang')") == "en"
    page.click("#lang")
    assert page.css("h1 [data-i18n=title]").text == "覆盖率看板"
    assert page.css(f'#gap-list li.gap[data-item="{first}"] .evidence').text == gap["evidenceZh"]


def test_token_is_kept_in_the_tab_and_a_bad_one_is_refused(page: Dashboard, served: Served) -> None:
    page.open(token="gz_00000000_not-a-token")
    page.until(
        "the refusal",
        lambda d: "error" in (d.find_element(page.by.ID, "status").get_attribute("class") or ""),
    )
    assert "令牌无效" in page.css("#status").text
    assert page.css("#welcome").is_displayed() and not page.css("#overview").is_displayed()

    page.open()
    page.connected()
    assert page.js("return sessionStorage.getItem('gongzhi.token')") == served.token
    assert served.token not in json.dumps(page.js("return Object.assign({}, localStorage)"))
    assert served.token not in page.d.current_url
    page.d.refresh()  # the same tab: connected again from sessionStorage, no typing
    page.connected()
    page.click("#token-clear")
    assert page.js("return sessionStorage.getItem('gongzhi.token')") is None
    assert page.css("#welcome").is_displayed()


def test_the_page_reads_only_its_own_files_and_graphql(page: Dashboard, served: Served) -> None:
    page.open()
    page.connected()
    page.click(f'#indicator-table tr[data-indicator="{GAPS_INDICATOR}"]')
    page.idle()
    urls = page.js("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls
    origin = urlsplit(served.url)
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc), url
        assert parts.path == "/graphql" or parts.path.startswith("/static/"), url
    assert any(urlsplit(u).path == "/graphql" for u in urls)
    assert page.js("return typeof echarts.init === 'function' && typeof cytoscape === 'function'")

"""Search, a building's detail, the export of what is shown, the as-of date field and the graph's
labels, in headless Chromium against the real app on each store (issue 14 item 5).

A viewer's token, as in test_dashboard.py: every name and phone on screen is the API's, masked
by the server. What the page shows is compared with what the API answers to the same token; the
exported file with what the page shows. On the embedded store the building detail is saved as
``docs/screenshots/dashboard-building.png`` (shown in the README) with ``GONGZHI_SCREENSHOTS=1``.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_names_not_codes import raw_codes
from tests.dashboard.conftest import Served
from tests.dashboard.test_dashboard import AS_OF, WAIT, Dashboard, _displayed

SEARCH = """query($text: String!) { search(text: $text, first: 20) { by
  persons { key name phone building { key } } buildings { key name } compounds { key name } } }"""

BUILDINGS = """query($id: ID!, $asOf: Date) { node(id: $id) { ... on Compound { key name
  buildings(first: 100) { nodes { key name residents(partyMembersOnly: true, first: 100) { totalCount nodes { key name phone } }
    head(asOf: $asOf) { key name } partyGroups(asOf: $asOf) { key name leader(asOf: $asOf) { key name } } } } } }
  group: gaps(area: $id, indicator: BUILDING_GROUP, asOf: $asOf, first: 100, suggestions: 5) { ...G }
  head: gaps(area: $id, indicator: BUILDING_HEAD, asOf: $asOf, first: 100, suggestions: 5) { ...G } }
fragment G on GapReport { gaps { nodes { item { key } suggestions { candidate { key ... on Person { name phone } } } } } }"""

COMPOUNDS = """query($area: ID!) { compounds(area: $area, first: 100) { nodes { key name } } }"""


@pytest.fixture
def page(browser: Any, served: Served) -> Dashboard:
    return Dashboard(browser, served)


def ready(page: Dashboard) -> None:
    page.open()
    page.connected()
    page.set_as_of(AS_OF)
    page.until("the compound graph", lambda d: d.execute_script("return !!(window.gongzhiDashboard.cy)"))
    page.idle()


def search(page: Dashboard, text: str) -> None:
    field = page.css("#search")
    field.clear()
    field.send_keys(text)
    page.css("#search-go").click()
    page.until(
        f"the results of {text!r}",
        lambda d: _displayed(d, page.by, "#search-results") and d.find_element(page.by.ID, "search-text").text == text,
    )
    page.idle()


def table(page: Dashboard, selector: str) -> list[list[str]]:
    rows: list[list[str]] = page.js(
        "return [...document.querySelectorAll(arguments[0] + ' tbody tr')].map(r => [...r.cells].map(c => c.textContent))",
        selector,
    )
    return rows


def a_compound_with_gaps(served: Served) -> dict[str, Any]:
    """The API's view of a compound with a building that misses a group and has members."""
    for c in served.ask(COMPOUNDS, {"area": served.community})["compounds"]["nodes"]:
        data = served.ask(BUILDINGS, {"id": c["key"], "asOf": AS_OF})
        gaps = {g["item"]["key"]: g for g in data["group"]["gaps"]["nodes"]}
        for b in data["node"]["buildings"]["nodes"]:
            if b["key"] in gaps and gaps[b["key"]]["suggestions"] and b["residents"]["nodes"]:
                return {"compound": data["node"], "building": b, "data": data}
    raise AssertionError("the generated community has a building without a group, with members and candidates")


def open_building(page: Dashboard, key: str) -> None:
    page.js("window.gongzhiDashboard.cy.getElementById(arguments[0]).emit('tap')", key)
    page.until(
        f"the detail of {key}",
        lambda d: _displayed(d, page.by, "#building") and d.find_element(page.by.ID, "building-kind").text.endswith(key),
    )
    page.idle()


def test_search_by_a_building_name(page: Dashboard, served: Served) -> None:
    ready(page)
    target = a_compound_with_gaps(served)
    text = target["compound"]["name"]  # "长虹嘉园": the compound and any building named after it
    search(page, text)
    api = served.ask(SEARCH, {"text": text})["search"]
    shown = [(r.get_attribute("data-kind"), r.get_attribute("data-key")) for r in page.all("#search-table tbody tr")]
    expected = [("Building", b["key"]) for b in api["buildings"]] + [("Compound", c["key"]) for c in api["compounds"]]
    assert shown == expected and ("Compound", target["compound"]["key"]) in shown
    # a building of the list by its own name: "3栋" finds it (and "13栋", "23栋", ...)
    building = target["building"]
    search(page, building["name"])
    api = served.ask(SEARCH, {"text": building["name"]})["search"]
    keys = [r.get_attribute("data-key") for r in page.all('#search-table tbody tr[data-kind="Building"]')]
    assert keys == [b["key"] for b in api["buildings"]] and building["key"] in keys
    # a click on it opens its detail
    page.click(f'#search-table tbody tr[data-kind="Building"][data-key="{building["key"]}"]')
    page.until("the building detail", lambda d: d.find_element(page.by.ID, "building-kind").text.endswith(building["key"]))
    page.idle()
    # a click on the compound selects it in the graph
    search(page, text)
    page.click(f'#search-table tbody tr[data-kind="Compound"][data-key="{target["compound"]["key"]}"]')
    page.until(
        "the compound in the graph",
        lambda d: d.execute_script("return document.getElementById('compound-pick').value") == target["compound"]["key"],
    )


def test_search_by_a_full_phone_number_is_masked_for_a_viewer(page: Dashboard, served: Served, community_dir: Path) -> None:
    ready(page)
    with open(community_dir / "persons.csv", encoding="utf-8-sig", newline="") as f:
        person = next(row for row in csv.DictReader(f) if row["手机号"])
    phone = person["手机号"]
    search(page, phone[:3] + " " + phone[3:7] + " " + phone[7:])  # typed with spaces, as people do
    api = served.ask(SEARCH, {"text": phone})["search"]
    assert api["by"] == "PHONE" and [p["key"] for p in api["persons"]] == [person["人员编号"]]
    rows = table(page, "#search-table")
    p = api["persons"][0]
    assert rows[0][1:4] == [p["name"], p["key"], p["phone"]]
    assert "*" in p["name"] and p["name"] != person["姓名"], "a viewer sees the name masked"
    assert phone not in page.js("return document.body.innerText"), "nor the full phone, though it was searched"
    assert person["姓名"] not in page.css("#search-results").text
    # a click on the person opens their building
    page.click(f'#search-table tbody tr[data-kind="Person"][data-key="{p["key"]}"]')
    page.until("their building", lambda d: d.find_element(page.by.ID, "building-kind").text.endswith(p["building"]["key"]))


def test_a_building_lists_its_members_groups_and_candidates(page: Dashboard, served: Served) -> None:
    target = a_compound_with_gaps(served)
    ready(page)
    page.js(
        "const s = document.getElementById('compound-pick'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('change'));",
        target["compound"]["key"],
    )
    page.until(
        "the compound's graph",
        lambda d: d.execute_script(
            "const cy = window.gongzhiDashboard.cy; return !!cy && cy.nodes('.compound').map(n => n.id())[0] === arguments[0]",
            target["compound"]["key"],
        ),
    )
    page.idle()
    b = target["building"]
    open_building(page, b["key"])
    rows = page.js(
        "return [...document.querySelectorAll('#building-table tbody tr')].map(r => [r.dataset.section, r.cells[1].textContent, r.cells[2].textContent, r.cells[3].textContent])"
    )
    members = [r[1:] for r in rows if r[0] == "secMember"]
    assert members == [[m["name"], m["key"], m["phone"] or ""] for m in b["residents"]["nodes"]]
    assert all("*" in m["name"] for m in b["residents"]["nodes"]), "masked for a viewer by the server"
    groups = [r[2] for r in rows if r[0] == "secGroup" and r[2]]
    assert groups == [g["key"] for g in b["partyGroups"]] == [], "a building without a group"
    gap = next(g for g in target["data"]["group"]["gaps"]["nodes"] if g["item"]["key"] == b["key"])
    candidates = [r[1:3] for r in rows if r[0] == "secCandGroup"]
    assert [key for _, key in candidates] == [s["candidate"]["key"] for s in gap["suggestions"]]
    for (name, _), s in zip(candidates, gap["suggestions"], strict=True):
        assert name == s["candidate"].get("name", name) and (name != s["candidate"]["key"] or "name" not in s["candidate"])
    head = [r[2] for r in rows if r[0] == "secHead"]
    assert head == [b["head"]["key"] if b["head"] else ""]
    assert "✗" in page.css("#building-status").text
    page.screenshot("dashboard-building", "building")


def downloaded(directory: Path, before: set[str]) -> Path:
    """The file the browser saved, once it is complete (no .crdownload left)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        new = [p for p in directory.iterdir() if p.name not in before]
        if new and not any(p.suffix == ".crdownload" for p in new):
            (path,) = new
            return path
        time.sleep(0.1)
    raise AssertionError(f"no download in {directory}")


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM: spreadsheets read the Chinese"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_export_downloads_what_is_shown(page: Dashboard, served: Served, tmp_path: Path) -> None:
    page.d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    target = a_compound_with_gaps(served)
    ready(page)
    page.js(
        "const s = document.getElementById('compound-pick'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
        target["compound"]["key"],
    )
    page.until(
        "the compound's graph",
        lambda d: d.execute_script(
            "const cy = window.gongzhiDashboard.cy; return !!cy && cy.nodes('.compound').map(n => n.id())[0] === arguments[0]",
            target["compound"]["key"],
        ),
    )
    page.idle()
    open_building(page, target["building"]["key"])
    shown = table(page, "#building-table")
    before = {p.name for p in tmp_path.iterdir()}
    page.click('#building button.export')
    rows = read_csv(downloaded(tmp_path, before))
    assert rows[0] == ["类别 / Section", "名称 / Name", "编号 / Ledger id", "手机 / Phone", "说明 / Detail"]
    assert rows[1:] == shown and len(shown) > 2
    assert any("*" in r[1] for r in rows[1:]), "names as shown: masked"

    # the indicator table, and the gap list as it is on screen
    before = {p.name for p in tmp_path.iterdir()}
    page.click('#overview button.export')
    rows = read_csv(downloaded(tmp_path, before))
    assert rows[0][0] == "指标 / Indicator" and rows[1:] == table(page, "#indicator-table")
    page.click('#indicator-table tr[data-indicator="BUILDING_GROUP"]')
    page.until("the gap list", lambda d: _displayed(d, page.by, "#gap-list li.gap"))
    page.idle()
    before = {p.name for p in tmp_path.iterdir()}
    page.click('#gaps button.export')
    rows = read_csv(downloaded(tmp_path, before))
    heads = page.js(
        "return [...document.querySelectorAll('#gap-list li.gap .gap-head')].map(h => [...h.children].map(c => c.textContent))"
    )
    assert [r[:4] for r in rows[1:]] == [[h[0], h[1], h[2], h[3]] for h in heads] and heads
    assert rows[0][3] == "状态 / Status"


def test_the_date_field_takes_yyyy_mm_dd_whatever_the_locale(page: Dashboard, served: Served) -> None:
    ready(page)
    from selenium.webdriver.common.keys import Keys

    field = page.css("#as-of")
    assert field.get_attribute("type") == "text"

    def type_date(text: str) -> None:
        # select what is there and type over it (clear() would ask for "today" first)
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(text, Keys.ENTER)

    type_date("06/30/2021")
    page.until("the refusal", lambda d: _displayed(d, page.by, "#as-of-error"))
    assert "YYYY-MM-DD" in page.css("#as-of-error").text and "2021-06-30" in page.css("#as-of-error").text
    assert field.get_attribute("aria-invalid") == "true"
    assert page.css("#area-as-of").text == AS_OF, "nothing reloaded for a refused date"
    type_date("2021-02-30")
    page.until("no such day", lambda d: "2021-02-30" in d.find_element(page.by.ID, "as-of-error").text)
    type_date("2021-06-30")
    page.until("the coverage as of 2021-06-30", lambda d: d.find_element(page.by.ID, "area-as-of").text == "2021-06-30")
    page.idle()
    assert not page.css("#as-of-error").is_displayed() and field.get_attribute("aria-invalid") == "false"


def test_no_raw_code_on_the_chinese_page_with_search_and_detail(page: Dashboard, served: Served) -> None:
    target = a_compound_with_gaps(served)
    ready(page)
    search(page, target["compound"]["name"])
    page.js(
        "const s = document.getElementById('compound-pick'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
        target["compound"]["key"],
    )
    page.until(
        "the compound's graph",
        lambda d: d.execute_script(
            "const cy = window.gongzhiDashboard.cy; return !!cy && cy.nodes('.compound').map(n => n.id())[0] === arguments[0]",
            target["compound"]["key"],
        ),
    )
    page.idle()
    open_building(page, target["building"]["key"])
    assert page.all("#building-table tr.cand"), "candidates are listed"
    text = page.js("return document.body.innerText")
    assert not raw_codes([text]), raw_codes([text])


def test_graph_labels_readable_at_forty_buildings(page: Dashboard, served: Served) -> None:
    ready(page)
    report = page.js("return window.gongzhiDashboard.labelReport()")
    assert report["overlaps"] == 0 and report["hiddenBuildings"] == 0, report
    # the drawn compound grown to 40 buildings (copies of its own, new keys): still no two labels
    # overlap, every building keeps its label, drawn at 9 px or more
    report = page.js(
        "const d = window.gongzhiDashboard; const c = d.state.compound; const nodes = c.node.buildings.nodes;"
        "const many = Array.from({length: 40}, (_, i) => ({...nodes[i % nodes.length], key: 'B-T' + i, id: 'B-T' + i, name: (i + 1) + '栋'}));"
        "d.drawCompound({...c, node: {...c.node, buildings: {totalCount: 40, nodes: many}}});"
        "return d.labelReport();"
    )
    assert report["buildings"] == 40 and report["overlaps"] == 0, report
    assert report["hiddenBuildings"] == 0 and report["minBuildingFont"] >= 9, report

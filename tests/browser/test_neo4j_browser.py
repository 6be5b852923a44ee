"""Neo4j Browser, served by the test server at ``/browser/``, in headless Chromium (selenium).

It loads, connects to the test server with the connect form, and takes the kit: the style
sheet and the favorites dropped onto its window as a user would, the guide played from a
local web server, the compound graph drawn in the kit's colours and sizes. The last screen is
saved as ``docs/screenshots/neo4j-browser.png`` with ``GONGZHI_SCREENSHOTS=1``.

Chromium and its driver are Debian's packages (``apt-get install -y chromium chromium-driver``,
which ``.ci/run`` does): without them these tests fail, they are never skipped.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from graph.query import Query
from graph.settings import Settings
from tests.browser.conftest import NOW, KitWorld
from tests.browser.kit import FAVORITES_ZIP, FOLDER, GUIDE, KIT, STYLE, parse_grass, read_guide, read_queries
from tests.screenshots import screenshot_dir

pytestmark = pytest.mark.neo4j

SCREENSHOT = screenshot_dir() / "neo4j-browser.png"  # docs/screenshots with GONGZHI_SCREENSHOTS=1
WAIT = 60  # seconds for the Browser to answer (a cold CI machine is slow)

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
    "--lang=zh-CN",
)


def browser_url(settings: Settings) -> str:
    """Where the test server serves Neo4j Browser (``NEO4J_BROWSER_URL`` overrides)."""
    explicit = os.environ.get("NEO4J_BROWSER_URL")
    if explicit:
        return explicit
    host = urlsplit(settings.neo4j_uri).hostname or "127.0.0.1"
    return f"http://{host}:{os.environ.get('NEO4J_HTTP_PORT', '7474')}/browser/"


class Page:
    """One Chromium window on Neo4j Browser, with the few gestures the tests need."""

    def __init__(self, driver: Any) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.d = driver
        self.by = By
        self.wait = WebDriverWait(driver, WAIT)

    def until(self, what: str, condition: Callable[[Any], Any]) -> Any:
        from selenium.common.exceptions import TimeoutException

        try:
            return self.wait.until(condition)
        except TimeoutException:
            top = self.frames()[:1]
            raise AssertionError(
                f"Neo4j Browser: {what} (top frame: {top[0].text[:500] if top else '-'})"
            ) from None

    def css(self, selector: str, within: Any = None) -> list[Any]:
        return list((within or self.d).find_elements(self.by.CSS_SELECTOR, selector))

    def body_text(self) -> str:
        return str(self.d.find_element(self.by.TAG_NAME, "body").text)

    def frames(self) -> list[Any]:
        return self.css("[data-testid=frame]")

    def top(self) -> Any:
        return self.frames()[0]

    def local(self, key: str) -> Any:
        raw = self.d.execute_script("return window.localStorage.getItem(arguments[0])", key)
        return None if raw is None else json.loads(raw)

    def connect(self, uri: str, user: str, password: str) -> None:
        from selenium.webdriver.common.keys import Keys

        self.until(
            "no connect form", lambda d: [e for e in self.css("[data-testid=boltaddress]") if e.is_enabled()]
        )
        address = self.css("[data-testid=boltaddress]")[0]
        address.send_keys(Keys.CONTROL, "a")
        address.send_keys(Keys.DELETE)
        address.send_keys(uri)  # the form takes the scheme from the URL typed
        self.css("[data-testid=username]")[0].send_keys(user)
        self.css("[data-testid=password]")[0].send_keys(password)
        self.css("[data-testid=connect]")[0].click()
        self.until("did not connect", lambda d: f"You are connected as user {user}" in self.body_text())

    def run(self, command: str) -> Any:
        """Put ``command`` in the editor (pasted, as a user would) and run it; the new top frame."""
        first = command.strip().splitlines()[0].strip()
        last = command.strip().splitlines()[-1].strip()  # the editor scrolls to the end of a paste
        editor = self.css("[data-testid=activeEditor] textarea")[0]
        editor.click()
        self.d.execute_script(
            """const [area, text] = arguments;
               const data = new DataTransfer();
               data.setData('text/plain', text);
               area.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));""",
            editor,
            command,
        )
        self.until(
            "the editor did not take the command",
            lambda d: last[:20] in self.css("[data-testid=activeEditor]")[0].text.replace("\u00a0", " "),
        )
        self.run_editor()
        self.until(f"no frame for {first[:60]!r}", lambda d: self.top().text.startswith(first[:40]))
        return self.top()

    def run_editor(self) -> None:
        self.css("[data-testid=editor-Run]")[0].click()

    def drop(self, path: Path) -> None:
        """Drop a file onto the Browser window, as when dragged from a file manager."""
        found = self.d.execute_script(
            """const [b64, name] = arguments;
               const target = document.querySelector('.filedrop');
               if (!target) return false;
               const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
               const data = new DataTransfer();
               data.items.add(new File([bytes], name));
               target.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: data}));
               return true;""",
            base64.b64encode(path.read_bytes()).decode(),
            path.name,
        )
        assert found, "Neo4j Browser has no file drop zone"


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_binary = shutil.which("chromedriver")
    if not binary or not driver_binary:
        pytest.fail(
            "Chromium or its driver is missing: `apt-get install -y chromium chromium-driver` "
            "(Debian packages; .ci/run installs them)",
            pytrace=False,
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is missing: `pip install -e '.[test]'`", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    # both paths given: selenium's own driver manager (which would download) is never asked
    driver = webdriver.Chrome(options=options, service=Service(driver_binary))
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(chromium: Any, neo4j_settings: Settings) -> Page:
    p = Page(chromium)
    chromium.get(browser_url(neo4j_settings))
    p.until("the page is not Neo4j Browser", lambda d: d.title.endswith("Neo4j Browser"))
    p.connect(
        neo4j_settings.neo4j_uri, neo4j_settings.neo4j_user, neo4j_settings.neo4j_password.get_secret_value()
    )
    return p


class _CorsFiles(http.server.SimpleHTTPRequestHandler):
    """Static files that a page of another origin may fetch (Neo4j Browser fetches a guide
    with ``fetch``, sending cache headers: a CORS preflight)."""

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Headers", "*")
        super().end_headers()

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def kit_server() -> Iterator[str]:
    """``browser/`` served on localhost (in the Browser's default remote-content allowlist)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_CorsFiles, directory=str(KIT))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_browser_loads_and_connects(page: Page, neo4j_settings: Settings) -> None:
    # connected, the title names the user and the server
    assert page.d.title.endswith("Neo4j Browser")
    assert page.d.title.startswith(f"{neo4j_settings.neo4j_user}@")
    frame = page.run(":server status")
    page.until("no connection status", lambda d: "You are connected as user" in page.top().text)
    text = frame.text
    assert f"You are connected as user {neo4j_settings.neo4j_user}" in text
    assert urlsplit(neo4j_settings.neo4j_uri).netloc in text
    frame = page.run("RETURN 40 + 2 AS answer")
    page.until("no answer", lambda d: "42" in page.top().text)
    assert "error" not in frame.text.lower()


def test_kit_in_the_browser(page: Page, kit_world: KitWorld, kit_server: str) -> None:
    # the style sheet, dropped onto the window, is taken rule for rule
    page.drop(STYLE)
    expected_style = parse_grass(STYLE.read_text(encoding="utf-8"))
    page.until("the style sheet was not taken", lambda d: page.local("neo4j.grass") == expected_style)

    # the favorites zip, dropped onto the window, lands in one folder
    page.drop(FAVORITES_ZIP)
    kit = read_queries()

    def imported() -> list[str]:
        folders = {f["id"]: f["name"] for f in page.local("neo4j.folders") or []}
        docs = page.local("neo4j.documents") or []
        return sorted(f["content"] for f in docs if folders.get(f.get("folder")) == FOLDER)

    wanted = sorted(f"// {q.name}\n{q.cypher}\n" for q in kit)
    page.until("the favorites were not imported", lambda d: imported() == wanted)

    # the guide, played from a web server, shows every slide; its parameter blocks run
    slides, blocks = read_guide(GUIDE)
    page.run(f":play {kit_server}/guide.html")
    page.until("the guide did not load", lambda d: f"1 / {slides}" in page.top().text)
    assert "共治：看见覆盖缺口" in page.top().text
    guide = page.top()
    runnable = page.css("pre.runnable", guide)
    assert [b.text.strip() for b in runnable][:1] == [blocks[0]["text"].strip()]
    runnable[0].click()  # ":param asOf => date()" goes to the editor
    page.until(
        "the guide's block did not reach the editor",
        lambda d: ":param asOf" in page.css("[data-testid=activeEditor]")[0].text,
    )
    page.run_editor()
    page.until("the guide's parameter was not set", lambda d: page.top().text.startswith(":param asOf"))
    assert '"asOf"' in page.top().text

    # a compound's graph in the kit's colours and sizes
    compound = _picture_compound(kit_world)
    page.run(f":param asOf => date('{NOW.isoformat()}')")
    page.run(f":param compound => '{compound}'")
    graph_query = next(q for q in kit if q.number == "04")
    frame = page.run(graph_query.cypher)
    page.until("no graph drawn", lambda d: len(page.css("svg g.node", frame)) > 5)
    time.sleep(2)  # let the layout settle for the screenshot
    node_colours = {r["color"].upper() for s, r in expected_style.items() if s.startswith("node.")}
    drawn = page.css("svg g.node circle.b-outline", frame)
    fills = {str(c.get_attribute("fill")).upper() for c in drawn}
    assert fills <= node_colours, f"colours not from style.grass: {fills - node_colours}"
    compound_colour = expected_style["node.Compound"]["color"].upper()
    assert compound_colour in fills
    radius = int(expected_style["node.Compound"]["diameter"].removesuffix("px")) / 2
    compound_nodes = [c for c in drawn if str(c.get_attribute("fill")).upper() == compound_colour]
    assert [float(c.get_attribute("r")) for c in compound_nodes] == [radius]
    # each bubble shows its node's short caption (graph/captions.py), whole and inside the circle
    drawn_nodes = page.d.execute_script(
        """return Array.from(arguments[0].querySelectorAll('svg g.node')).map(g => ({
             r: parseFloat(g.querySelector('circle.b-outline').getAttribute('r')),
             lines: Array.from(g.querySelectorAll('text.caption')).map(t => ({
               text: t.textContent, width: t.getBBox().width}))}))""",
        frame,
    )
    # the same query run directly: the caption property of every node it draws
    direct = Query("browser.04-captions", graph_query.cypher, _neo4j_only)
    expected_captions = {
        n["caption"] for path in kit_world.store.run(direct, {"compound": compound, "asOf": NOW}) for n in path["p"]
    }
    shown = ["".join(line["text"] for line in n["lines"]).strip() for n in drawn_nodes]  # the Browser pads with a space
    assert len(drawn_nodes) > 5 and set(shown) <= expected_captions, set(shown) - expected_captions
    assert any(text.endswith(("栋", "号楼")) for text in shown), shown  # buildings by their number
    for n, text in zip(drawn_nodes, shown, strict=True):
        assert len(n["lines"]) == 1, f"{text!r} broken into {len(n['lines'])} lines"
        assert n["lines"][0]["width"] <= 2 * n["r"] - 4, f"{text!r}: {n['lines'][0]['width']:.1f}px in a {2 * n['r']:.0f}px bubble"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert page.d.save_screenshot(str(SCREENSHOT))


def _neo4j_only(g: Any, p: Any) -> list[Any]:
    raise AssertionError("the kit's queries are for Neo4j only")


def _picture_compound(world: KitWorld) -> str:
    """The compound with the fewest buildings among those with a committee: a readable picture."""

    def column(table: str, index: int) -> list[str]:
        with open(world.path / table, encoding="utf-8-sig") as f:
            return [line.split(",")[index] for line in f.read().splitlines()[1:]]

    with_committee = set(column("owners_committees.csv", 2)) | set(
        column("self_management_committees.csv", 2)
    )
    buildings = column("buildings.csv", 2)
    return min(sorted(with_committee), key=buildings.count)

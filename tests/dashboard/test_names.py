"""Names, not codes, on the dashboard: the Chinese page, with every indicator's gaps opened and
every gap expanded (evidence, facts, candidates), holds none of the codes declared by the model
and the indicators (``queries.labels.codes``); the CLI and the exports are checked the same way
in tests/api/test_names_not_codes.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_names_not_codes import raw_codes
from tests.dashboard.conftest import Served
from tests.dashboard.test_dashboard import AS_OF, GAPS, Dashboard, _displayed

OPEN_ALL = "document.querySelectorAll('#gap-list li.gap:not(.open) .gap-head').forEach(h => h.click())"


@pytest.fixture
def page(browser: Any, served: Served) -> Dashboard:
    return Dashboard(browser, served)


def test_the_chinese_page_names_every_code(page: Dashboard, served: Served) -> None:
    page.open()
    page.connected()
    page.set_as_of(AS_OF)
    indicators = list(page.indicator_rows())
    assert len(indicators) == 14
    leaks: dict[str, set[str]] = {}
    opened = 0
    markup: list[str] = []
    for indicator in indicators:
        page.click(f'#indicator-table tr[data-indicator="{indicator}"]')
        page.until(
            f"the gaps of {indicator}",
            lambda d, i=indicator: _displayed(d, page.by, "#gaps")
            and d.execute_script("return document.getElementById('rank-by').value") == i,
        )
        page.idle()
        api = served.ask(GAPS, {"area": served.community, "indicator": indicator, "asOf": AS_OF, "first": 20})
        shown = page.all("#gap-list li.gap")
        assert len(shown) == len(api["gaps"]["gaps"]["nodes"]), indicator
        page.js(OPEN_ALL)
        opened += len(page.all("#gap-list li.gap.open .facts-table tr"))
        markup.append(page.js("return document.getElementById('gap-list').innerHTML"))
        if found := raw_codes([page.js("return document.body.innerText")]):
            leaks[indicator] = found
    assert opened > 50, "the check needs gaps with their evidence open"
    assert not leaks, f"raw codes on the Chinese page: {leaks}"
    # the check can fail: the codes are on the page, in attributes, just not in its text
    assert {"uncovered", "residence_mismatch"} <= raw_codes(markup)

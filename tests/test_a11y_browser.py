"""Accessibility: axe-core (npm, pinned in package.json) over every page type in Chromium, at 1280 and 390 px."""
from __future__ import annotations

import pytest
from conftest import ROOT

AXE = ROOT / "node_modules/axe-core/axe.min.js"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PAGES = {
    "home": "index.html",
    "report": "reports/2018-lengshuitan.html",
    "county index": "counties/index.html",
    "county": "counties/%E7%82%8E%E9%99%B5%E5%8E%BF.html",
    "author": "authors/%E5%90%B4%E6%9E%97.html",
    "year": "years/2018.html",
    "programme index": "programmes/index.html",
    "programme": "programmes/xueliang-gongcheng.html",
    "timeline": "timeline.html",
    "search": "search.html?q=%E9%9B%AA%E4%BA%AE%E5%B7%A5%E7%A8%8B",
    "404": "404.html",
}

pytestmark = pytest.mark.browser


def violations(page) -> list[str]:
    """axe's serious and critical violations on the loaded page, one line each with where they are."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_or_critical_axe_violation_on_any_page_type(browser, http_root: str, width: str) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (axe-core is pinned in package.json)")
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})
    problems = {}
    for name, url in PAGES.items():
        page.goto(http_root + url)
        page.wait_for_load_state("networkidle")
        if name == "search":
            page.wait_for_selector("#search-results li", timeout=10_000)  # the results, facets and snippets drawn
        found = violations(page)
        if found:
            problems[name] = found
    page.close()
    assert not problems, problems

"""Programme pages in Chromium: the matrix and the figures table on the real reports, and the links between them."""
from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    """A desktop-sized tab."""
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    yield tab
    tab.close()


def shot(locator, name: str) -> Path:
    """Screenshot one element into tests/artifacts/ (kept for a person to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"programmes-{name}.png"
    locator.screenshot(path=str(path))
    assert path.stat().st_size > 5000  # a real picture, not an empty box
    return path


def background(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).backgroundColor")


def test_matrix_is_shaded_by_mentions_and_links_to_passages(page, built_site: Path):
    page.goto((built_site / "programmes/index.html").as_uri())
    matrix = page.locator("table.matrix")
    shot(page.locator("#matrix"), "matrix")
    counties = matrix.locator("thead th").all_inner_texts()
    assert [c.replace("\n", "") for c in counties] == ["郏县", "冷水滩区", "平江县", "湘西土家族苗族自治州", "炎陵县"]
    assert matrix.locator("thead th").first.evaluate("el => getComputedStyle(el).writingMode") == "vertical-rl"

    grid = matrix.locator("tr", has=page.locator("th >> text=网格化管理"))
    cells = grid.locator("td")
    assert cells.all_inner_texts() == ["2", "2", "3", "14", "3"]
    # 14 mentions in 湘西 is the darkest; 2 in 郏县 lighter; a county without mentions lighter still
    darkest, light = background(cells.nth(3)), background(cells.nth(0))
    empty = background(matrix.locator("tr", has=page.locator("th >> text=雪亮工程")).locator("td").nth(0))
    assert darkest == "rgb(155, 34, 38)"
    assert len({darkest, light, empty}) == 3

    # a cell opens the programme page at that county's passages
    matrix.locator("tr", has=page.locator("th >> text=雪亮工程")).locator("td").nth(1).locator("a").click()
    page.wait_for_load_state()
    assert page.url.endswith("programmes/xueliang-gongcheng.html#r-2018-lengshuitan")
    target = page.locator("#r-2018-lengshuitan")
    assert target.is_visible()
    assert target.locator("mark").first.inner_text() == "“雪亮”工程"
    box = target.bounding_box()
    assert box is not None and -1 <= box["y"] < 900  # scrolled into view


def test_figures_table_compares_counties_and_links_to_the_sentence(page, built_site: Path):
    page.goto((built_site / "programmes/xueliang-gongcheng.html").as_uri())
    table = page.locator("table.figures-table")
    shot(page.locator("section.figures"), "figures-xueliang")
    rows = table.locator("tbody tr")
    values = {(rows.nth(i).locator("td").nth(0).inner_text(), rows.nth(i).locator("td").nth(2).inner_text())
              for i in range(rows.count())}
    assert {("平江县", "近5000个"), ("湘西土家族苗族自治州", "约5万余个"), ("冷水滩区", "1200个")} <= values
    # the figure is emphasised inside its clause
    row = rows.filter(has_text="约5万余个")
    assert row.locator("td.clause strong").inner_text() == "约5万余个"
    # the page fits a desktop window: no sideways scrolling
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
    row.locator("a", has_text="原文").click()
    page.wait_for_load_state()
    assert "reports/2018-xiangxi.html#p" in page.url
    anchor = page.url.split("#", 1)[1]
    assert "约5万余个" in page.locator(f"#{anchor}").inner_text()


def test_grid_figures_and_passages_from_all_five(page, built_site: Path):
    page.goto((built_site / "programmes/wanggehua-guanli.html").as_uri())
    assert page.locator("table.reports-table tbody tr").count() == 5
    assert page.locator("section.passage-report").count() == 5
    shot(page.locator("section.figures"), "figures-grid")
    text = page.locator("table.figures-table").inner_text()
    for value in ("109个", "432个", "157个", "1.5万名"):
        assert value in text


def test_report_link_carries_the_summary_and_opens_the_programme(page, built_site: Path):
    page.goto((built_site / "reports/2018-lengshuitan.html").as_uri())
    link = page.locator("a.programme[data-programme='mindiao']").first
    assert link.inner_text() == "民调"
    assert link.get_attribute("title").startswith("民调：公众安全感")
    shot(link.locator("xpath=ancestor::p[1]"), "report-links")
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith("programmes/mindiao.html")
    assert page.locator("h1").inner_text() == "民调"


def test_matrix_scrolls_inside_its_box_on_a_phone(browser, built_site: Path):
    tab = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        tab.goto((built_site / "programmes/index.html").as_uri())
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= 390
        shot(tab.locator("#matrix"), "matrix-phone")
        tab.goto((built_site / "programmes/xueliang-gongcheng.html").as_uri())
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= 390
        tab.screenshot(path=str(ARTIFACTS / "programmes-xueliang-phone.png"), full_page=True)
    finally:
        tab.close()

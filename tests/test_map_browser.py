"""The county map and the citation box in Chromium: points where they belong, copying from file://, screenshots."""
from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
HUNAN = ("平江县", "冷水滩区", "湘西土家族苗族自治州", "炎陵县")

pytestmark = pytest.mark.browser


def centres(page) -> dict[str, tuple[float, float]]:
    """Each map point's centre on screen, by county name (its label)."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('svg.county-map a.map-county')].map(a => {
        const r = a.querySelector('circle').getBoundingClientRect();
        return [a.querySelector('text').textContent, [r.x + r.width / 2, r.y + r.height / 2]];
    }))""")


@pytest.mark.parametrize("width", WIDTHS)
def test_map_points_fall_in_the_right_places(browser, built_site: Path, width: str) -> None:
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})
    page.goto((built_site / "counties/index.html").as_uri())
    at = centres(page)
    assert set(at) == {"郏县", *HUNAN}
    for county in HUNAN:  # screen y grows downwards: north is smaller
        assert at["郏县"][1] < at[county][1] - 50, county
    assert at["湘西土家族苗族自治州"][0] < at["炎陵县"][0] - 50  # west of 炎陵
    assert at["冷水滩区"][1] > at["平江县"][1] and at["炎陵县"][0] > at["冷水滩区"][0]
    # the map fits the phone's screen, and its points are links to the county pages
    box = page.locator("svg.county-map").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= w
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("svg.county-map a.map-county", has_text="郏县").click()
    page.wait_for_load_state()
    assert page.url.endswith("counties/%E9%83%8F%E5%8E%BF.html")
    assert page.locator("svg.county-map a.map-on").count() == 1
    page.close()


def test_copy_button_copies_the_reference_from_file_url(browser, built_site: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto((built_site / "reports/2018-lengshuitan.html").as_uri())
    accessed = page.locator("#cite-archive [data-accessed]").inner_text()
    assert accessed.startswith("[") and len(accessed) == len("[2026-01-02]")
    page.get_by_role("button", name="复制原文的引用").click()
    page.wait_for_function("document.querySelector('.copy-status').textContent !== ''")
    status = page.locator(".copy-status").inner_text()
    assert status.startswith("已复制") or "Ctrl+C" in status, status
    if status.startswith("已复制"):
        assert "吴林.全力打造“首善之区”——冷水滩区2017年政法工作纪实[N].永州日报,2018." in status
    # without the Clipboard API at all, the textarea fallback copies
    page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.get_by_role("button", name="复制网页版的引用").click()
    status = page.locator(".copy-status").inner_text()
    assert status.startswith("已复制") and accessed in status, status
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_of_the_citation_box_the_map_and_a_programme(browser, built_site: Path, width: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})
    page.goto((built_site / "reports/2021-yanling.html").as_uri())
    page.locator(".cite-box").scroll_into_view_if_needed()
    page.locator(".cite-box").screenshot(path=str(ARTIFACTS / f"wire-{width}-citation.png"))
    page.locator(".handling").screenshot(path=str(ARTIFACTS / f"wire-{width}-handling.png"))
    page.goto((built_site / "counties/index.html").as_uri())
    page.screenshot(path=str(ARTIFACTS / f"wire-{width}-counties.png"), full_page=True)
    page.goto((built_site / "counties/炎陵县.html").as_uri())
    page.screenshot(path=str(ARTIFACTS / f"wire-{width}-county.png"), full_page=False)
    page.goto((built_site / "programmes/xueliang-gongcheng.html").as_uri())
    page.locator(".spread").screenshot(path=str(ARTIFACTS / f"wire-{width}-programme.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.close()

"""A reader in Chromium: from file:// and over http under a sub-path, home → county → report → author."""
from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

pytestmark = pytest.mark.browser


def walk(browser, start: str, label: str) -> list[str]:
    """Go home → county → report → author at both widths, screenshot each page; return problems seen."""
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    for width_name, (w, h) in WIDTHS.items():
        page = browser.new_page(viewport={"width": w, "height": h})
        page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
        page.on("requestfailed", lambda req: problems.append(f"failed: {req.url}"))
        page.goto(start + "index.html")
        assert page.locator("h1").first.inner_text() == "县域平安建设报道档案"
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        # the stylesheet loaded: the header has its colour band, not the browser default
        assert page.eval_on_selector(".site-header", "e => getComputedStyle(e).borderBottomWidth") == "3px"
        shot(page, f"{label}-{width_name}-home")

        page.locator(".latest .report-meta a", has_text="平江县").first.click()
        page.wait_for_load_state()
        assert page.url.endswith("%E5%B9%B3%E6%B1%9F%E5%8E%BF.html")
        assert page.locator("h1").inner_text() == "平江县"
        assert "岳阳市" in page.locator(".place").inner_text()
        shot(page, f"{label}-{width_name}-county")

        page.get_by_role("link", name="“六个一”创新社会管理 平江三年连续荣膺省级“平安县”").click()
        page.wait_for_load_state()
        assert page.url.endswith("reports/2017-pingjiang.html")
        meta = page.locator(".meta").inner_text()
        assert "2017年" in meta and "日期推断" in meta and "唐颖" in meta
        assert page.locator("figure.photo figcaption").first.inner_text() == "平江县人民法院院长主审贩卖毒品案，全程网络直播"
        # no horizontal scrolling on a phone: the text column fits the screen
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{width_name}: page wider than the screen"
        shot(page, f"{label}-{width_name}-report", full=False)

        page.locator(".meta a", has_text="唐颖").click()
        page.wait_for_load_state()
        assert page.url.endswith("%E5%94%90%E9%A2%96.html")
        assert page.locator("h1").inner_text() == "唐颖"
        assert page.get_by_role("link", name="“六个一”创新社会管理 平江三年连续荣膺省级“平安县”").count() == 1
        shot(page, f"{label}-{width_name}-author")

        page.goto(start + "timeline.html")
        shot(page, f"{label}-{width_name}-timeline")
        page.close()
    return problems


def shot(page, name: str, full: bool = True) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def test_reading_from_disk(browser, built_site: Path):
    problems = walk(browser, built_site.as_uri() + "/", "file")
    assert problems == []


def test_reading_over_http_under_a_sub_path(browser, http_root: str):
    problems = walk(browser, http_root, "http")
    assert problems == []


@pytest.mark.parametrize("via", ["file", "http"])
def test_raw_source_text_reads_as_chinese(browser, built_site: Path, http_root: str, via: str):
    root = built_site.as_uri() + "/" if via == "file" else http_root
    page = browser.new_page()
    page.goto(root + "reports/2018-xiangxi.html")
    page.locator(".meta a", has_text=".txt").click()
    page.wait_for_load_state()
    text = page.locator("body").inner_text()
    assert "湘西" in text, text[:200]
    page.close()


def test_printing_a_report_keeps_the_text_and_drops_the_navigation(browser, built_site: Path):
    page = browser.new_page(viewport={"width": 800, "height": 1100})
    page.goto(built_site.as_uri() + "/reports/2017-jiaxian.html")
    page.emulate_media(media="print")
    assert page.eval_on_selector(".site-header", "e => getComputedStyle(e).display") == "none"
    assert page.eval_on_selector(".pager", "e => getComputedStyle(e).display") == "none"
    assert page.locator(".meta").is_visible() and page.locator(".body").is_visible()
    page.screenshot(path=str(ARTIFACTS / "print-report.png"))
    page.close()

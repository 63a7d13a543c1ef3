"""In Chromium: an open page reloads by itself after an edit, and shows a broken build as an overlay."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from test_watch import DEADLINE, source_of, start_live

pytestmark = pytest.mark.browser


def wait_for(page, predicate, message: str) -> None:
    """Poll the page until predicate(page) is true; a reload in between is expected, not an error."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        try:
            if predicate(page):
                return
        except Exception:  # the page is navigating (reloading) right now
            pass
        time.sleep(0.1)
    raise AssertionError(message)


def test_an_open_page_reloads_after_an_edit_and_shows_errors_until_fixed(project: Path, browser) -> None:
    live = start_live(project)
    page = browser.new_page()
    try:
        report = live.session.site.reports[0]
        source = source_of(report)
        good = source.read_text(encoding="utf-8")
        page.goto(live.running.url + report.url)
        assert report.title in page.title()
        # Wait until the live-reload script has made its first call, so the edit below is one it will hear of.
        wait_for(page, lambda p: p.evaluate("performance.getEntriesByType('resource').some(e => e.name.includes('__livereload?'))"),
                 "the live-reload script never called the server")

        added = "县委政法委组织开展平安建设宣传月活动，发放宣传资料两万余份。"
        live.write(source.relative_to(project).as_posix(), good.rstrip("\n") + f"\n\n{added}\n")
        wait_for(page, lambda p: added in p.inner_text("body"), "the page did not reload with the new sentence")

        broken = good.replace("---\n", "---\ntitle: [\n", 1)
        live.write(source.relative_to(project).as_posix(), broken)
        wait_for(page, lambda p: p.locator("#livereload-error").is_visible(), "no error overlay after a broken edit")
        overlay = page.inner_text("#livereload-error")
        assert f"{source.name}:" in overlay and "YAML" in overlay
        assert added in page.inner_text("body"), "the last good page must stay on screen under the overlay"
        # A page opened while the build is broken shows the error at once.
        second = browser.new_page()
        try:
            second.goto(live.running.url + "index.html")
            wait_for(second, lambda p: f"{source.name}:" in p.inner_text("#livereload-error"), "no overlay on a page opened later")
        finally:
            second.close()

        fixed = "各乡镇综治中心全部实现实体化运行。"
        live.write(source.relative_to(project).as_posix(), good.rstrip("\n") + f"\n\n{fixed}\n")
        wait_for(page, lambda p: fixed in p.inner_text("body") and p.locator("#livereload-error").count() == 0,
                 "the page did not recover after the fix")
    finally:
        page.close()
        live.running.stop()

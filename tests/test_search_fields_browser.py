"""Field-scoped search, sorting by date, keyboard and highlight on arrival, in Chromium from file:// and over http."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import ROOT
from test_search import containing
from test_search_browser import Watch, real, root, watch  # noqa: F401 - fixtures used by name

from archive.tokenize import fold

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "tests" / "artifacts"
ALL = {"reports/2017-jiaxian.html", "reports/2017-pingjiang.html", "reports/2018-lengshuitan.html",
       "reports/2018-xiangxi.html", "reports/2021-yanling.html"}


def where(docs, test) -> set[str]:
    """The refs of the documents passing test."""
    return {d.ref for d in docs if test(d)}


def expected(site, docs) -> dict[str, set[str]]:
    """Each query and the reports it must find, from the reports' own front matter and text."""
    by_name = {p.name: p for p in site.programmes}
    xueliang = by_name["雪亮工程"]
    return {
        # each field, in Chinese and English, both colon widths
        "作者:唐颖": where(docs, lambda d: "唐颖" in d.authors),
        "author：吴林": where(docs, lambda d: "吴林" in d.authors),
        "县:郟县": where(docs, lambda d: d.county == "郏县"),
        "county:郏": where(docs, lambda d: d.county == "郏县"),
        "县：湘西": where(docs, lambda d: d.county.startswith("湘西")),
        "县:平江县": {"reports/2017-pingjiang.html"},
        "标题:平安": where(docs, lambda d: "平安" in fold(d.title)),
        "title:打造": where(docs, lambda d: "打造" in d.title),
        "项目:雪亮工程": where(docs, lambda d: xueliang.slug in d.programmes),
        "programme:雪亮乡村": where(docs, lambda d: xueliang.slug in d.programmes),
        "年:2018": where(docs, lambda d: d.year == 2018),
        "year:2017..2018": where(docs, lambda d: 2017 <= d.year <= 2018),
        "年:2018..": where(docs, lambda d: d.year >= 2018),
        # combinations, exclusion by field, phrases and quotes
        "县:郏县 综治中心": containing(docs, "综治中心") & where(docs, lambda d: d.county == "郏县"),
        "调解 -县:平江县": containing(docs, "调解") - {"reports/2017-pingjiang.html"},
        "-县:平江县": ALL - {"reports/2017-pingjiang.html"},
        "标题:平安 -年:2017": where(docs, lambda d: "平安" in fold(d.title) and d.year != 2017),
        '年:2017..2018 "综治中心"': containing(docs, "综治中心") & where(docs, lambda d: d.year <= 2018),
        "作者:唐颖 项目:雪亮工程": where(docs, lambda d: "唐颖" in d.authors and xueliang.slug in d.programmes),
        "-标题:平安": where(docs, lambda d: "平安" not in fold(d.title)),
        "县:郏县 -作者:卢拥军": set(),
    }


def test_each_field_finds_its_reports_in_the_engine_and_on_the_result_page(watch, root, real):  # noqa: F811
    site, docs = real
    cases = expected(site, docs)
    assert cases["县:郏县 综治中心"] and cases["标题:平安 -年:2017"] and cases["调解 -县:平江县"]
    watch.page.goto(root + "search.html")
    watch.ready()
    for q, want in cases.items():
        assert set(watch.refs(q)) == want, q
    for q, want in cases.items():  # the result page shows the same reports
        assert set(watch.results_page(root, q)) == want, q


def test_the_dropdown_and_the_facets_agree_with_the_filters(watch, root, real):  # noqa: F811
    site, docs = real
    want = expected(site, docs)["-县:平江县"]
    page = watch.page
    page.goto(root + "index.html")
    page.locator("#search-input").press_sequentially("-县:平江县")
    page.locator("#search-pop .search-opt-title").first.wait_for(timeout=15000)
    titles = set(page.eval_on_selector_all("#search-pop .search-opt-title", "xs => xs.map(x => x.textContent)"))
    assert titles == {d.title for d in docs if d.ref in want}
    shown = watch.results_page(root, "年:2018")
    counts = page.eval_on_selector_all("#search-facets input[name=year]", "xs => xs.map(x => x.value)")
    assert set(shown) == expected(site, docs)["年:2018"] and counts == ["2018"]


def test_an_unknown_field_is_text_with_a_hint_and_an_ambiguous_one_says_so(watch, root):  # noqa: F811
    watch.results_page(root, "地点:郏县")
    assert "“地点”不是检索字段" in watch.page.locator("#search-hints").inner_text()
    assert watch.results_page(root, "作者:唐") == []
    assert "没有作者“唐”" in watch.page.locator("#search-hints").inner_text()


def test_sorting_by_date_both_ways_keeps_year_only_reports_after_the_dated_ones(watch, root):  # noqa: F811
    # dates: jiaxian 2017, pingjiang 2017, lengshuitan 2018, xiangxi 2018-12-05, yanling 2021
    page = watch.page
    for sort, order in (("date", ["2021-yanling", "2018-xiangxi", "2018-lengshuitan", "2017-"]),
                        ("date-asc", ["2017-", "2018-xiangxi", "2018-lengshuitan", "2021-yanling"])):
        page.goto(f"{root}search.html?q={quote('年:2017..2021')}&sort={sort}")
        page.wait_for_function("document.querySelectorAll('#search-results li').length === 5", timeout=15000)
        shown = [h.rsplit("/", 1)[1].split("?")[0] for h in
                 page.eval_on_selector_all("#search-results .report-title", "as => as.map(a => a.href)")]
        seen = [s for s in shown if not s.startswith("2017-")]
        years_2017 = [i for i, s in enumerate(shown) if s.startswith("2017-")]
        assert [s.removesuffix(".html") for s in seen] == [o for o in order if o != "2017-"], (sort, shown)
        assert years_2017 == ([3, 4] if sort == "date" else [0, 1]), (sort, shown)
        assert page.locator("#search-sort").input_value() == sort
    # choosing an order writes it into the URL
    page.locator("#search-sort").select_option("date")
    page.wait_for_function("location.search.includes('sort=date')")


def test_slash_focuses_the_box_and_escape_clears_it(watch, root):  # noqa: F811
    page = watch.page
    page.goto(root + "reports/2018-xiangxi.html")
    page.locator("h1").first.click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.type("综治中心")
    page.locator("#search-pop .search-opt").first.wait_for(timeout=15000)
    page.keyboard.press("Escape")
    assert page.locator("#search-pop").is_hidden() and page.locator("#search-input").input_value() == "综治中心"
    page.keyboard.press("Escape")
    assert page.locator("#search-input").input_value() == ""


def marked(page) -> list[str]:
    """The text of each hit marked on the page (a hit may span several marks)."""
    return page.evaluate("""() => {
        const hits = {};
        document.querySelectorAll('mark.search-hit').forEach(m => {
            hits[m.dataset.hit] = (hits[m.dataset.hit] || '') + m.textContent; });
        return Object.keys(hits).sort((a, b) => a - b).map(k => hits[k]);
    }""")


def test_a_result_link_marks_its_phrases_on_arrival(watch, root, built_site):  # noqa: F811
    page = watch.page
    watch.results_page(root, "郟縣 综治中心")
    link = page.locator("#search-results .report-title").first
    assert "?q=" in link.get_attribute("href")
    link.click()
    page.wait_for_url("**/reports/2017-jiaxian.html?q=*")
    page.locator(".search-hitbar").wait_for(timeout=15000)
    hits = marked(page)
    body = page.locator("article.report").inner_text()
    assert set(hits) <= {"郏县", "郟县", "综治中心"} and {"郟县", "综治中心"} <= set(hits)
    assert len([h for h in hits if h in ("郏县", "郟县")]) == body.count("郏县") + body.count("郟县")
    assert len([h for h in hits if h == "综治中心"]) == body.count("综治中心")
    assert page.locator(".search-hitcount").inner_text() == f"第 1 / {len(hits)} 处"
    page.locator(".search-hit-next").click()
    assert page.locator(".search-hitcount").inner_text() == f"第 2 / {len(hits)} 处"
    current = page.locator("mark.search-hit-current").first
    assert current.is_visible() and current.get_attribute("data-hit") == "1"
    page.locator(".search-hit-prev").click()
    page.locator(".search-hit-prev").click()
    assert page.locator(".search-hitcount").inner_text() == f"第 {len(hits)} / {len(hits)} 处"
    if root.startswith("file:"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(".search-hit-next").click()
        page.screenshot(path=str(ARTIFACTS / "highlight-on-arrival.png"))
    page.locator(".search-hit-clear").click()
    assert page.locator("mark.search-hit").count() == 0 and page.locator(".search-hitbar").count() == 0
    assert page.locator("article.report").inner_text() == body


def test_a_phrase_across_a_quotation_mark_and_a_link_is_marked_whole(watch, root):  # noqa: F811
    page = watch.page
    page.goto(f"{root}reports/2018-lengshuitan.html?q={quote('五老调解 雪亮')}")
    page.locator(".search-hitbar").wait_for(timeout=15000)
    hits = marked(page)
    assert "五老”调解" in hits and "雪亮" in hits
    assert all(h.replace("“", "").replace("”", "") in ("五老调解", "雪亮") for h in hits)


def test_markup_in_the_query_is_marked_as_text_never_run(watch, root):  # noqa: F811
    page = watch.page
    q = "<img src=x onerror=alert(1)> 平安"
    page.goto(f"{root}reports/2018-xiangxi.html?q={quote(q)}#p3")
    page.locator(".search-hitbar").wait_for(timeout=15000)
    assert page.locator(".search-hitq").inner_text() == "“" + q + "”"
    assert page.locator("article img, .search-hitbar img").count() == 0
    assert set(marked(page)) == {"平安"}


def test_the_search_page_explains_the_syntax(built_site: Path):
    html = (built_site / "search.html").read_text(encoding="utf-8")
    for example in ("标题:平安", "作者:唐颖", "县:郏", "项目:雪亮工程", "年:2017..2018", "-县:平江县", "最新在前", "同年"):
        assert example in html, example


def test_a_query_of_fields_only_marks_nothing_and_shows_no_bar(watch, root):  # noqa: F811
    page = watch.page
    page.goto(f"{root}reports/2017-pingjiang.html?q={quote('作者:唐颖 -县:郏县')}")
    page.wait_for_function("window.ArchiveMark !== undefined", timeout=15000)
    page.wait_for_timeout(200)
    assert page.locator("mark.search-hit").count() == 0 and page.locator(".search-hitbar").count() == 0

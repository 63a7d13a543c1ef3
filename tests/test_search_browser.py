"""Search in Chromium, from file:// and over http under a sub-path, on the real reports."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from archive import search
from conftest import run_cli
from test_search import containing, programme_names, real_site, scattered_phrases

pytestmark = pytest.mark.browser
JIAXIAN_TITLE = "着力实现“五新”转变 打造平安幸福郟县"


@pytest.fixture(params=["file", "http"])
def root(request, built_site: Path) -> str:
    """The site's root URL, from the disk or from a server."""
    if request.param == "file":
        return built_site.as_uri() + "/"
    return request.getfixturevalue("http_root")


@pytest.fixture(scope="module")
def real():
    site = real_site()
    return site, search.documents(site)


class Watch:
    """A page that records script errors and dialogs (an executed alert would show up here)."""

    def __init__(self, browser):
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def ready(self) -> None:
        self.page.wait_for_function("window.ArchiveSearch && window.ArchiveSearch.state.manifest", timeout=15000)

    def refs(self, q: str) -> list[str]:
        return self.page.evaluate("async q => (await ArchiveSearch.search(q)).results.map(r => r.ref)", q)

    def results_page(self, root: str, q: str) -> list[str]:
        """Open search.html?q=…, wait for the results, return the report links shown."""
        self.page.goto(f"{root}search.html?q={quote(q)}")
        self.page.wait_for_function("!/正在/.test(document.getElementById('search-status').textContent)", timeout=15000)
        # a result's link carries the query (?q=…) for the report page to mark it: the page is what counts here
        return [re.sub(r"^.*?(reports/)", r"\1", h).split("?")[0] for h in
                self.page.eval_on_selector_all("#search-results .report-title", "as => as.map(a => a.href)")]

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs
        self.page.close()


@pytest.fixture
def watch(browser):
    w = Watch(browser)
    yield w
    w.close()


def test_every_programme_name_and_alias_finds_exactly_its_reports(watch, root, real):
    site, docs = real
    watch.page.goto(root + "search.html")
    watch.ready()
    names = programme_names(site)
    for name in names:
        assert set(watch.refs(name)) == containing(docs, name), name
    # and the result page shows the same list
    assert set(watch.results_page(root, "雪亮工程")) == containing(docs, "雪亮工程")


def test_typing_jiaxian_in_the_box_finds_the_traditional_spelling(watch, root):
    page = watch.page
    page.goto(root + "reports/2018-xiangxi.html")
    page.locator("#search-input").press_sequentially("郏县")
    option = page.locator("#search-pop .search-opt-title").first
    option.wait_for(timeout=15000)
    assert option.inner_text() == JIAXIAN_TITLE
    # keyboard: down to the first result, Enter opens it
    page.locator("#search-input").press("ArrowDown")
    assert page.locator("#search-opt-0").get_attribute("aria-selected") == "true"
    page.locator("#search-input").press("Enter")
    page.wait_for_url("**/reports/2017-jiaxian.html")
    assert page.locator("h1").first.inner_text() == JIAXIAN_TITLE


def test_escape_closes_and_enter_goes_to_the_result_page(watch, root):
    page = watch.page
    page.goto(root + "index.html")
    box = page.locator("#search-input")
    box.press_sequentially("综治中心")
    page.locator("#search-pop .search-opt").first.wait_for(timeout=15000)
    box.press("Escape")
    assert page.locator("#search-pop").is_hidden()
    box.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0", timeout=15000)
    assert "综治中心" in page.locator("#search-status").inner_text()


def test_a_phrase_never_returns_a_report_with_its_characters_scattered(watch, root, real):
    _, docs = real
    cases = scattered_phrases(docs, limit=10)
    assert cases
    for phrase, ref in cases:
        shown = watch.results_page(root, phrase)
        assert ref not in shown, phrase
        assert set(shown) == containing(docs, phrase), phrase


def test_snippets_highlight_and_link_to_the_paragraph(watch, root):
    watch.results_page(root, "五老调解")
    page = watch.page
    page.wait_for_function("document.querySelectorAll('#search-results mark').length > 0", timeout=15000)
    marks = page.eval_on_selector_all("#search-results mark", "ms => ms.map(m => m.textContent)")
    assert marks and all(m.replace("“", "").replace("”", "") == "五老调解" for m in marks)
    link = page.locator("#search-results .snippet").first
    href = link.get_attribute("href")
    assert re.search(r"reports/[^/]+\.html\?q=" + re.escape(quote("五老调解")) + r"#p\d+$", href)
    link.click()
    page.wait_for_load_state()
    anchor = href.split("#")[1]
    assert "五老" in page.locator(f"[id='{anchor}']").inner_text()


def test_facets_count_and_combine(watch, root, real):
    _, docs = real
    shown = watch.results_page(root, "调解")
    page = watch.page
    assert set(shown) == containing(docs, "调解") and len(shown) >= 3
    page.locator("#search-facets input[name=county][value='冷水滩区']").check()
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 1")
    assert "county=" in page.url
    assert page.locator("#search-results .report-meta").inner_text().startswith("冷水滩区")
    # a second county widens the county filter; a year then narrows it again
    page.locator("#search-facets input[name=county][value='郏县']").check()
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 2")
    page.locator("#search-facets input[name=year][value='2017']").check()
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 1")
    assert page.locator("#search-results .report-meta").inner_text().startswith("郏县")


def test_no_results_suggests_the_closest_programme(watch, root):
    assert watch.results_page(root, "雪亮工程建设2099") == []
    suggestion = watch.page.locator("#search-status a")
    assert suggestion.inner_text() == "雪亮工程"


def test_markup_typed_as_a_query_executes_nothing(watch, root):
    page = watch.page
    q = "<img src=x onerror=alert(1)>"
    watch.results_page(root, q)
    assert q in page.locator("#search-status").inner_text()
    assert page.locator("#search-page img").count() == 0
    page.goto(root + "index.html")
    page.locator("#search-input").press_sequentially(q + " 平安")
    page.locator("#search-pop:not([hidden])").wait_for(timeout=15000)
    page.wait_for_timeout(200)
    assert page.locator("#search-pop img").count() == 0


def test_a_report_title_with_markup_is_shown_as_text(browser, project, tmp_path):
    """A title holding an <img onerror> and a <script> is displayed literally by search, never run."""
    report = project / "content" / "reports" / "2017-jiaxian.md"
    text = report.read_text(encoding="utf-8")
    evil = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>郏县平安"
    report.write_text(re.sub(r"(?m)^title: .*$", "title: '" + evil.replace("'", "''") + "'", text, count=1), encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("--out", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    w = Watch(browser)
    try:
        root = out.as_uri() + "/"
        w.results_page(root, "郏县平安")
        page = w.page
        assert page.locator("#search-results .report-title").first.inner_text() == evil
        w.page.goto(root + "index.html")
        page.locator("#search-input").press_sequentially("郏县平安")
        page.locator("#search-pop .search-opt-title").first.wait_for(timeout=15000)
        assert page.locator("#search-pop .search-opt-title").first.inner_text() == evil
        assert page.evaluate("window.__pwned") is None
        assert page.locator("#search-pop img, #search-pop script").count() == 0
    finally:
        w.close()


def test_a_search_loads_its_shards_and_its_first_results_files_only(watch, root, real):
    """The manifest holds what scoring needs; a search then loads its term shards and the doc files of its
    first ten results (titles and passages), never the result list (list.js) or any other report's file."""
    _, docs = real
    loaded: list[str] = []
    watch.page.on("request", lambda r: loaded.append(r.url.rsplit("/", 1)[-1]))
    watch.page.goto(root + "index.html")
    watch.page.evaluate("""async () => {
        const s = (src) => new Promise((ok) => { const e = document.createElement('script'); e.src = src; e.async = false;
                                                  e.onload = ok; document.head.appendChild(e); });
        for (const p of ['ts-chars.js', 'tokenize.js']) await s('assets/js/' + p);
        await s('assets/js/search.js');
        await ArchiveSearch.init('');
    }""")
    before = len(loaded)
    out = watch.page.evaluate("""async () => {
        const out = await ArchiveSearch.search('调解');
        const top = out.results.slice(0, 10);
        await Promise.all(top.map(r => ArchiveSearch.loadDoc(r.doc)));
        return {docs: top.map(r => r.doc), refs: out.results.map(r => r.ref),
                details: top.map(r => ArchiveSearch.details(r.doc)),
                snippets: top.map(r => ArchiveSearch.snippets(r.doc, out.units, 2))};
    }""")
    fetched = loaded[before:]
    assert set(out["refs"]) == containing(docs, "调解")
    assert sorted(f for f in fetched if f.startswith("doc-")) == sorted(f"doc-{n}.js" for n in out["docs"])
    assert "list.js" not in loaded and all(f.startswith(("doc-", "shard-")) for f in fetched)
    by_ref = {d.ref: d for d in docs}
    for n, d in zip(out["docs"], out["details"]):
        assert d["ref"] == docs[n].ref and d["title"] == by_ref[d["ref"]].title and d["county"] == docs[n].county
    assert all(any(p["mark"] for s in snips for p in s["parts"]) for snips in out["snippets"])

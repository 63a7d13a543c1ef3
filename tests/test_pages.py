"""Page descriptions: every page's context is explicit, and its key changes exactly when what it shows changes."""
from __future__ import annotations

import pickle
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from conftest import ROOT

from archive.build import BuildOptions, analyse, load
from archive.errors import Problems
from archive.pages import (
    Page,
    Renderer,
    describe_pages,
    page_keys,
    render,
    render_pages,
    render_site,
)
from archive.collection import Site


def site_of(root: Path) -> Site:
    """The analysed site of a project folder."""
    problems = Problems()
    options = BuildOptions(content_dir=root / "content", layouts_dir=root / "layouts", config_file=root / "config.yml")
    content = load(options, problems)
    site, _ = analyse(content, problems)
    problems.raise_if_errors()
    return site


def keys_of(root: Path) -> dict[str, str]:
    """Every page's key by its URL, from freshly loaded content."""
    pages = describe_pages(site_of(root))
    return dict(zip((p.url for p in pages), page_keys(pages)))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """The pages whose key differs (or that appeared or went away)."""
    return {url for url in before.keys() | after.keys() if before.get(url) != after.get(url)}


def test_every_html_page_is_described_once_with_an_explicit_context() -> None:
    site = site_of(ROOT)
    pages = describe_pages(site)
    urls = [p.url for p in pages]
    assert len(urls) == len(set(urls))
    expected = {"index.html", "search.html", "timeline.html", "404.html", "reports/index.html", "counties/index.html",
                "authors/index.html", "years/index.html", "programmes/index.html"}
    expected |= {r.url for r in site.reports} | {g.url for g in site.counties + site.authors + site.years}
    expected |= {p.url for p in site.programmes}
    assert set(urls) == expected
    for page in pages:
        # what a page shows is in its context: never the whole site, never a function
        assert not any(isinstance(v, Site | types.FunctionType | types.MethodType) for v in page.context.values()), page.url
        assert page.context["url"] == page.url
    # a Page crosses to a worker process as it is
    assert page_keys([pickle.loads(pickle.dumps(pages[-1]))]) == page_keys(pages[-1:])


def test_keys_are_the_same_for_the_same_content_in_any_process() -> None:
    assert keys_of(ROOT) == keys_of(ROOT)
    script = ("import hashlib, sys; sys.path[:0] = [{root!r}, {tests!r}]; from test_pages import keys_of; from pathlib import Path; "
              "print(hashlib.sha256(repr(sorted(keys_of(Path({root!r})).items())).encode()).hexdigest())"
              ).format(root=str(ROOT), tests=str(ROOT / "tests"))
    digests = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT,
                              env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(digests) == 1  # string hashing differs between the two: sets must not reach a key unordered


def test_a_body_edit_changes_the_key_of_its_own_page_only(project: Path) -> None:
    before = keys_of(project)
    # a sentence naming no programme, in a report with a summary: only its own page shows it
    path = project / "content/reports/2021-yanling.md"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n编者补记：核对了株洲日报的原版面。\n",
                    encoding="utf-8")
    assert changed(before, keys_of(project)) == {"reports/2021-yanling.html"}


def test_a_title_edit_changes_the_pages_that_show_the_title_and_no_other(project: Path) -> None:
    site = site_of(project)
    report = site.by_slug["2018-xiangxi"]
    before = keys_of(project)
    edit(project / "content/reports/2018-xiangxi.md", "title: ", "title: 湘西：")
    moved = changed(before, keys_of(project))
    i = site.reports.index(report)
    neighbours = {site.reports[i - 1].url, site.reports[i + 1].url}  # their pagers name it
    shows_title = {report.url, site.county_of[report.county].url, site.year_of[report.date.year].url,
                   "reports/index.html", "index.html", "timeline.html", *neighbours,
                   *(site.author_of[a].url for a in report.authors)}
    assert shows_title <= moved
    other_counties = {g.url for g in site.counties if g.name != report.county}
    assert other_counties and not other_counties & moved
    assert not {"counties/index.html", "authors/index.html", "years/index.html", "search.html", "404.html"} & moved


def test_an_unchanged_edit_and_a_layout_free_change_leave_every_key(project: Path) -> None:
    before = keys_of(project)
    path = project / "content/reports/2017-pingjiang.md"
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")  # touched, same bytes
    assert keys_of(project) == before


@pytest.mark.parametrize("size", [1, 7])
def test_render_pages_renders_any_chunk_as_the_whole_site_does(size: int) -> None:
    site = site_of(ROOT)
    whole = {f.path: f.data for f in render_site(site, ROOT / "layouts")}
    pages: list[Page] = describe_pages(site)
    renderer = Renderer(ROOT / "layouts")
    for start in range(0, len(pages), size * 5):
        chunk = pages[start:start + size]
        assert {f.path: f.data for f in render_pages(chunk, renderer)} == {p.url: whole[p.url] for p in chunk}


def test_no_layout_reads_what_keys_leave_out() -> None:
    # keys.py leaves a report's and a programme's source (path, Markdown body, line numbers) out of a page's key:
    # a layout showing one of them would keep an old page after an edit
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "layouts").glob("*.html")]
    texts.append(Path(render.__file__).read_text(encoding="utf-8"))
    for text in texts:
        assert not re.search(r"\.(body|path|lines|body_line)\b", text)

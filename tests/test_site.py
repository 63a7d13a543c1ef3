"""The built site: every page reachable, no broken link or anchor, open data that matches the content."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest

from archive.config import Config
from archive.content import load_content
from archive.errors import BuildError, Problems
from archive.output import OutputFile, check_outputs, destination, publish
from archive.pages import relative_url

from conftest import ROOT, run_cli

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class PageLinks(HTMLParser):
    """The ids a page defines and the internal links it makes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for attr in ("href", "src", "action"):
            if attr in a and a[attr] is not None:
                self.links.append((tag, a[attr]))


def parse(path: Path) -> PageLinks:
    p = PageLinks()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def resolve(page: str, link: str) -> tuple[str, str] | None:
    """The site path and fragment a link from `page` points at; None for external links."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    assert not link.startswith("/"), f"{page}: root-relative link {link!r} breaks sub-paths and file://"
    if not parts.path:
        return page, unquote(parts.fragment)
    base = PurePosixPath(page).parent
    joined = PurePosixPath(*(base / unquote(parts.path)).parts)
    norm: list[str] = []
    for part in joined.parts:
        if part == "..":
            assert norm, f"{page}: link {link!r} leaves the site"
            norm.pop()
        elif part != ".":
            norm.append(part)
    return "/".join(norm), unquote(parts.fragment)


def crawl(site: Path) -> tuple[set[str], list[str]]:
    """Follow every internal link from index.html: the pages reached and every broken link or anchor."""
    seen: set[str] = set()
    broken: list[str] = []
    parsed: dict[str, PageLinks] = {}
    queue = ["index.html"]
    pending_anchors: list[tuple[str, str, str]] = []
    while queue:
        page = queue.pop()
        if page in seen:
            continue
        seen.add(page)
        if not page.endswith(".html"):
            continue
        parsed[page] = links = parse(site / page)
        for tag, link in links.links:
            target = resolve(page, link)
            if target is None:
                continue
            path, fragment = target
            if path.endswith("/") or not (site / path).is_file():
                broken.append(f"{page}: {link} -> {path} missing")
                continue
            if fragment:
                pending_anchors.append((page, link, fragment))
            queue.append(path)
    for page, link, fragment in pending_anchors:
        path, _ = resolve(page, link)
        if path.endswith(".html") and fragment not in parsed[path].ids:
            broken.append(f"{page}: {link} -> no id {fragment!r}")
    return seen, broken


@pytest.fixture(scope="module")
def content():
    problems = Problems()
    loaded = load_content(Config(), ROOT / "content", problems)
    assert not problems.errors
    return loaded


def test_every_page_is_reachable_and_no_link_is_broken(built_site: Path, content):
    seen, broken = crawl(built_site)
    assert broken == []
    html_files = {p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")}
    assert html_files - seen <= {"404.html"}, "pages no link leads to"
    for report in content.reports:
        assert report.url in seen
        assert f"counties/{report.county}.html" in seen
        assert f"years/{report.date.year}.html" in seen
        for author in report.authors:
            assert f"authors/{author}.html" in seen
    for programme in content.programmes:
        assert programme.url in seen
    assert "programmes/index.html" in seen and "search.html" in seen
    for index in ("counties/index.html", "authors/index.html", "years/index.html", "reports/index.html", "timeline.html"):
        assert index in seen
    # the raw source text is published as it was received
    for report in content.reports:
        if report.source_file:
            published = built_site / "sources" / report.source_file
            assert f"sources/{report.source_file}" in seen
            assert published.read_bytes() == (ROOT / "content" / "sources" / report.source_file).read_bytes()


def test_report_page_shows_where_and_when_it_comes_from(built_site: Path):
    html = (built_site / "reports/2017-pingjiang.html").read_text(encoding="utf-8")
    assert "<title>“六个一”创新社会管理 平江三年连续荣膺省级“平安县”" in html
    assert '<a href="../counties/%E5%B9%B3%E6%B1%9F%E5%8E%BF.html">平江县</a> · 岳阳市 · ' in html
    assert '<time datetime="2017">2017年</time>' in html  # only the year is known: no invented month
    assert "日期推断：原文未注明日期。" in html
    assert '<a href="../authors/%E5%94%90%E9%A2%96.html">唐颖</a>、<a href="../authors/%E5%94%90%E5%8D%89%E8%8A%B3%E5%AD%90.html">唐卉芳子</a>' in html
    assert '<a href="../sources/000_d25f3210d77c197c.txt"' in html
    assert '<figure class="photo" id="p7"><figcaption>平江县人民法院院长主审贩卖毒品案，全程网络直播</figcaption></figure>' in html
    assert '<html lang="zh-CN">' in html
    xiangxi = (built_site / "reports/2018-xiangxi.html").read_text(encoding="utf-8")
    assert '<time datetime="2018-12-05">2018年12月5日</time>' in xiangxi


def test_footnotes_of_a_report_are_rendered(built_site: Path):
    html = (built_site / "reports/2017-jiaxian.html").read_text(encoding="utf-8")
    assert '<a href="#fn1" id="fnref1">[1]</a>' in html
    assert "原文此段至“信息员1600”中断，下文缺失。" in html


def test_browse_pages_list_every_report_with_counts(built_site: Path, content):
    counties = (built_site / "counties/index.html").read_text(encoding="utf-8")
    years = (built_site / "years/index.html").read_text(encoding="utf-8")
    for county in {r.county for r in content.reports}:
        n = sum(r.county == county for r in content.reports)
        assert f">{county}</a>" in counties and f"{n} 篇" in counties
        page = (built_site / f"counties/{county}.html").read_text(encoding="utf-8")
        for r in content.reports:
            assert (relative_url("counties/x.html", r.url) in page) == (r.county == county)
    for year in {r.date.year for r in content.reports}:
        n = sum(r.date.year == year for r in content.reports)
        assert f">{year}年</a>" in years
        page = (built_site / f"years/{year}.html").read_text(encoding="utf-8")
        assert f"{n} 篇报道" in page
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert f"<strong>{len(content.reports)}</strong> 篇报道" in home
    assert f"<strong>{len({r.county for r in content.reports})}</strong> 个县市区" in home
    timeline = (built_site / "timeline.html").read_text(encoding="utf-8")
    for r in content.reports:
        assert relative_url("timeline.html", r.url) in timeline
    assert "<svg" in timeline


def test_catalog_json_and_csv_match_the_content(built_site: Path, content):
    text = (built_site / "catalog.json").read_text(encoding="utf-8")
    data = json.loads(text)
    # written row by row (kept between watch rebuilds), yet exactly the text json.dumps gives for the whole
    assert text == json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    assert set(data) == {"reports", "programmes"}
    by_url = {row["url"]: row for row in data["reports"]}
    assert set(by_url) == {r.url for r in content.reports}
    for r in content.reports:
        row = by_url[r.url]
        assert set(row) == {"url", "title", "county", "prefecture", "province", "date", "author", "programmes", "source_file"}
        assert (row["title"], row["county"], row["prefecture"], row["province"]) == (r.title, r.county, r.prefecture, r.province)
        assert row["date"] == r.date.iso() and row["author"] == r.authors
        assert row["source_file"] == (f"sources/{r.source_file}" if r.source_file else "")
        assert (built_site / row["url"]).is_file()
        assert all(isinstance(p, str) for p in row["programmes"])
    names = {p.name for p in content.programmes}
    assert {p["name"] for p in data["programmes"]} == names
    for p in data["programmes"]:
        assert set(p) == {"url", "name", "aliases", "category", "reports"}
        for url in p["reports"]:
            assert p["name"] in by_url[url]["programmes"]
    raw = (built_site / "catalog.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "spreadsheet programs need the BOM to read UTF-8"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(list(data["reports"][0]))
    writer.writerows(["; ".join(v) if isinstance(v, list) else v for v in row.values()] for row in data["reports"])
    assert raw.decode("utf-8-sig") == expected.getvalue()
    assert [row["url"] for row in rows] == [row["url"] for row in data["reports"]]
    for row, j in zip(rows, data["reports"]):
        assert row["title"] == j["title"] and row["date"] == j["date"]
        assert row["author"].split("; ") == j["author"]
    assert any(row["county"] == "平江县" and row["province"] == "湖南省" for row in rows)


def test_feed_and_sitemap_are_well_formed(built_site: Path, content):
    feed = ET.parse(built_site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(content.reports)
    newest = max(content.reports, key=lambda r: r.date.sort_key())
    assert feed.find(f"{ATOM}updated").text.startswith(newest.date.iso())
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0] == newest.title
    for e in entries:
        assert e.find(f"{ATOM}link").get("href").startswith("https://example.org/archive/reports/")
    sitemap = ET.parse(built_site / "sitemap.xml").getroot()
    locs = {u.find(f"{SITEMAP}loc").text for u in sitemap.findall(f"{SITEMAP}url")}
    assert "https://example.org/archive/reports/2018-xiangxi.html" in locs
    assert "https://example.org/archive/counties/%E5%B9%B3%E6%B1%9F%E5%8E%BF.html" in locs
    assert not any("404" in loc for loc in locs)


def test_relative_urls_name_files_and_percent_encode_chinese():
    assert relative_url("index.html", "reports/2017-pingjiang.html") == "reports/2017-pingjiang.html"
    assert relative_url("reports/2017-pingjiang.html", "counties/平江县.html") == "../counties/%E5%B9%B3%E6%B1%9F%E5%8E%BF.html"
    assert relative_url("reports/a.html", "reports/b.html#p7") == "b.html#p7"
    assert relative_url("counties/index.html", "index.html") == "../index.html"
    assert relative_url("reports/a.html", "counties/index.html#湖南省") == "../counties/index.html#%E6%B9%96%E5%8D%97%E7%9C%81"
    import posixpath
    from urllib.parse import quote

    pages = ["index.html", "reports/a.html", "a/b/c.html", "counties/平江县.html", "assets/css/site.css", "a/b/x/y.html"]
    for here in pages:
        for there in pages:
            expected = quote(posixpath.relpath(there, posixpath.dirname(here) or "."))
            assert relative_url(here, there) == expected, (here, there)


def test_base_url_reaches_only_what_needs_absolute_urls(tmp_path: Path, project: Path):
    out = tmp_path / "site"
    result = run_cli("--out", str(out), "--base-url", "https://archive.example.net/sub/", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "https://archive.example.net/sub/reports/2018-xiangxi.html" in (out / "feed.xml").read_text(encoding="utf-8")
    assert "https://archive.example.net/sub/" in (out / "sitemap.xml").read_text(encoding="utf-8")
    report = (out / "reports/2018-xiangxi.html").read_text(encoding="utf-8")
    assert '<meta property="og:url" content="https://archive.example.net/sub/reports/2018-xiangxi.html">' in report
    assert '"url":"https://archive.example.net/sub/reports/2018-xiangxi.html"' in report  # JSON-LD
    assert ".https://archive.example.net/sub/reports/2018-xiangxi.html.</p>" in report  # the archive copy's reference
    # every link stays relative: the base URL is only in JSON-LD, Open Graph and the citation box's reference
    shown = re.compile(r'<script type="application/ld\+json">.*?</script>|<meta property="[^"]+" content="[^"]*">'
                       r'|<p class="cite-ref" id="cite-archive">.*?</p>', re.DOTALL)
    for page in out.rglob("*.html"):
        assert "archive.example.net" not in shown.sub("", page.read_text(encoding="utf-8")), page
    assert "https://archive.example.net/sub/counties/" in (out / "counties.geojson").read_text(encoding="utf-8")


def test_two_builds_are_byte_identical(tmp_path: Path, project: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("--out", str(a), cwd=project).returncode == 0
    assert run_cli("--out", str(b), cwd=project).returncode == 0
    files_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) > 20
    for name in files_a:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_a_failing_build_leaves_the_previous_site_untouched(tmp_path: Path, project: Path):
    out = project / "site"
    assert run_cli("--out", str(out), cwd=project).returncode == 0
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    page = project / "content/reports/2017-pingjiang.md"
    page.write_text(page.read_text(encoding="utf-8").replace("date: '2017'", "date: 2017-13"), encoding="utf-8")
    result = run_cli("--out", str(out), cwd=project)
    assert result.returncode == 1
    assert "2017-pingjiang.md:" in result.stderr and "no month 13" in result.stderr
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")], "temporary folders left behind"


@pytest.mark.parametrize("bad", ["../outside.html", "/etc/passwd", "reports/../../x.html", "a\\..\\b.html", ""])
def test_output_outside_the_site_is_refused(tmp_path: Path, bad: str):
    out = tmp_path / "site"
    with pytest.raises(BuildError) as exc:
        publish([OutputFile("index.html", b"ok"), OutputFile(bad, b"evil", "layouts/evil.html")], out)
    assert "leave" in str(exc.value)
    assert not out.exists() and not (tmp_path / "outside.html").exists()


def test_output_guard_resolves_symlinks_and_refuses_duplicates(tmp_path: Path):
    root = tmp_path / "site"
    (root / "reports").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(BuildError):
        destination(root, "link/x.html")
    assert destination(root, "reports/x.html") == (root / "reports/x.html").resolve()
    with pytest.raises(BuildError) as exc:
        check_outputs([OutputFile("counties/平江县.html", b"a", "one"), OutputFile("counties/平江县.html", b"b", "two")])
    assert "two pages claim" in str(exc.value)


FEATURES = """---
title: 平江县“雪亮工程”建设回访
county: 平江县
prefecture: 岳阳市
province: 湖南省
date: 2019-03
author: [通讯员 李四, 唐颖]
---

## 回访

平江县公共区域视频监控摄像头近5000个[^1]。

::: figure
平江县综治中心视频监控平台
:::

::: note
此篇为测试用的合成页面。
:::

| 乡镇 | 网格 |
|---|---|
| 城关镇 | 109 |

[^1]: 见《“六个一”创新社会管理》一文。
"""


@pytest.fixture(scope="module")
def larger_site(tmp_path_factory) -> Path:
    """The real reports plus 20 synthetic ones and a page using every Markdown feature, built once."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("larger")
    for name in ("content", "layouts"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "config.yml", root / "config.yml")
    subprocess.run([sys.executable, "/work/shared/bench/make_corpus.py", "20", str(root / "content/reports")],
                   check=True, capture_output=True)
    (root / "content/reports/2019-pingjiang-huifang.md").write_text(FEATURES, encoding="utf-8")
    result = run_cli("--out", str(root / "site"), cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.mark.skipif(not Path("/work/shared/bench/make_corpus.py").exists(), reason="corpus generator not available")
def test_a_larger_archive_is_fully_linked(larger_site: Path):
    seen, broken = crawl(larger_site)
    assert broken == []
    html_files = {p.relative_to(larger_site).as_posix() for p in larger_site.rglob("*.html")}
    assert html_files - seen <= {"404.html"}
    data = json.loads((larger_site / "catalog.json").read_text(encoding="utf-8"))
    assert len(data["reports"]) == 26
    # a name with a space becomes a file name as it is, percent-encoded in links
    assert (larger_site / "authors/通讯员 李四.html").is_file()
    page = (larger_site / "reports/2019-pingjiang-huifang.html").read_text(encoding="utf-8")
    assert '<a href="../authors/%E9%80%9A%E8%AE%AF%E5%91%98%20%E6%9D%8E%E5%9B%9B.html">通讯员 李四</a>' in page
    assert '<time datetime="2019-03">2019年3月</time>' in page and "原文只能确定到月" in page
    assert '<aside class="note"' in page and '<section class="footnotes"' in page and "<table>" in page
    county = (larger_site / "counties/平江县.html").read_text(encoding="utf-8")
    n = sum("county: 平江县" in f.read_text(encoding="utf-8") for f in (larger_site.parent / "content/reports").glob("*.md"))
    assert f"{n} 篇报道，2017年至" in county
    assert 'href="../reports/2019-pingjiang-huifang.html"' in county and 'href="../reports/2017-pingjiang.html"' in county


@pytest.mark.skipif(not Path("/work/shared/bench/make_corpus.py").exists(), reason="corpus generator not available")
def test_timeline_labels_never_overlap(larger_site: Path):
    import re

    html = (larger_site / "timeline.html").read_text(encoding="utf-8")
    years = html.split('<section class="timeline-year"')[1:]
    total = 0
    for year in years:
        lanes: dict[str, list[tuple[float, float]]] = {}
        for x, y, anchor, text in re.findall(r'<text class="label" x="([\d.]+)" y="([\d.]+)" text-anchor="(start|end)">([^<]+)</text>', year):
            width = 13 * len(text)
            left = float(x) if anchor == "start" else float(x) - width
            assert 0 <= left and left + width <= 960, f"label {text} drawn outside the picture"
            lanes.setdefault(y, []).append((left, left + width))
            total += 1
        for boxes in lanes.values():
            boxes.sort()
            for (_, end), (start, _) in zip(boxes, boxes[1:]):
                assert end <= start, "two county labels overlap"
    assert total == 26


HOSTILE = """---
title: 平江县<script>alert(1)</script>综治
county: 平江县
date: 2019-05-04
author: ['<img src=x onerror=alert(1)>']
publication: 三湘综治网
source_url: "javascript:alert(1)"
---

平江县综治中心<script>alert(2)</script>已建成。[点我](javascript:alert(3))
"""


def test_content_cannot_inject_html_or_scripts(tmp_path: Path, project: Path):
    (project / "content/reports/2019-hostile.md").write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("--out", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    # the programme page quotes the sentence that names 综治中心, script and all, and lists the report
    for page in [out / "reports/2019-hostile.html", out / "index.html", out / "counties/平江县.html", out / "timeline.html",
                 out / "programmes/zongzhi-zhongxin.html"]:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert 'href="javascript:' not in html, page
    report = (out / "reports/2019-hostile.html").read_text(encoding="utf-8")
    assert "平江县&lt;script&gt;alert(1)&lt;/script&gt;综治" in report
    programme = (out / "programmes/zongzhi-zhongxin.html").read_text(encoding="utf-8")
    assert "平江县<mark>综治中心</mark>&lt;script&gt;alert(2)&lt;/script&gt;已建成。" in programme
    assert "平江县&lt;script&gt;alert(1)&lt;/script&gt;综治</a>" in programme  # the title, in the table and the heading
    assert "三湘综治网" in report
    ET.parse(out / "feed.xml")  # still well-formed


def test_feed_keeps_a_county_with_quotation_marks_in_its_attribute(tmp_path: Path, project: Path):
    page = project / "content/reports/2017-pingjiang.md"
    page.write_text(page.read_text(encoding="utf-8").replace("county: 平江县", 'county: \'平江县"南片"\'', 1),
                    encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("--out", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    feed = ET.parse(out / "feed.xml").getroot()
    terms = [c.get("term") for c in feed.iter(f"{ATOM}category")]
    assert '平江县"南片"' in terms


def test_not_found_page_is_styled_at_any_depth(built_site: Path):
    html = (built_site / "404.html").read_text(encoding="utf-8")
    assert "<style>" in html and "--accent" in html  # no stylesheet link to miss when shown at /a/b/missing.html
    assert 'href="index.html"' in html


def test_groupings_follow_chinese_index_order(content):
    from archive.markdown import render_body
    from archive.programmes import Matcher
    from archive.collection import assemble, file_name

    problems = Problems()
    matcher = Matcher.from_registry(content.programmes, problems)
    bodies = {r.slug: render_body(r, matcher) for r in content.reports}
    site = assemble(content, bodies, matcher, problems)
    assert [g.name for g in site.counties] == ["郏县", "冷水滩区", "平江县", "湘西土家族苗族自治州", "炎陵县"]  # by pinyin
    assert [g.name for g in site.years] == ["2021年", "2018年", "2017年"]
    assert [r.date.sort_key() for r in site.reports] == sorted((r.date.sort_key() for r in site.reports), reverse=True)
    pingjiang = site.county_of["平江县"]
    assert (pingjiang.prefecture, pingjiang.province, pingjiang.url) == ("岳阳市", "湖南省", "counties/平江县.html")
    assert [p for p, _ in site.provinces] == ["河南省", "湖南省"]
    assert sum(g.count for g in site.authors) == sum(len(r.authors) for r in content.reports)
    assert file_name("张三/李四") == "张三_李四" and file_name("../x") == "_x"


def test_a_gb18030_source_is_published_readable_as_utf8(tmp_path: Path, project: Path):
    original = (project / "content/sources/000_d25f3210d77c197c.txt").read_text(encoding="utf-8")
    (project / "content/sources/pingjiang-gbk.txt").write_bytes(original.encode("gb18030"))
    page = project / "content/reports/2017-pingjiang.md"
    page.write_text(page.read_text(encoding="utf-8").replace("000_d25f3210d77c197c.txt", "pingjiang-gbk.txt"), encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("--out", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    assert (out / "sources/pingjiang-gbk.txt").read_text(encoding="utf-8") == original


@pytest.mark.parametrize("mistake, message", [
    ("{{ report.no_such_field }}", "no_such_field"),
    ("{% if %}", "Expected an expression"),
])
def test_a_layout_error_is_reported_at_its_line_and_keeps_the_site(tmp_path: Path, project: Path, mistake: str, message: str):
    out = project / "site"
    assert run_cli("--out", str(out), cwd=project).returncode == 0
    before = (out / "index.html").read_bytes()
    layout = project / "layouts/report.html"
    lines = layout.read_text(encoding="utf-8").split("\n")
    lines.insert(6, mistake)  # becomes line 7
    layout.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("--out", str(out), cwd=project)
    assert result.returncode == 1
    assert "report.html:7: " in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "index.html").read_bytes() == before

"""The built site for researchers: citations on report pages, catalog.bib/.ris/.csl.json, JSON-LD, the data package, the map."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote

import bibtexparser
import pytest
from conftest import ROOT, run_cli
from test_cite import EXPECTED, _parse_ris
from test_pages import changed, keys_of, site_of

from archive import cite

SLUGS = sorted(EXPECTED)
BASE = "https://example.org/archive/"
ARCHIVE_COPY = {  # the archive copy's reference as a page holds it: the access date is left to the reader's clock
    "2018-lengshuitan": "吴林.全力打造“首善之区”——冷水滩区2017年政法工作纪实[EB/OL].县域平安建设报道档案,2018"
                        '<span class="cite-accessed" data-accessed></span>.https://example.org/archive/reports/2018-lengshuitan.html.',
    "2021-yanling": "贺天鸿,唐新春,刘如荣.推进“五治”融合 夯实基层治理基石[EB/OL].县域平安建设报道档案,2021"
                    '<span class="cite-accessed" data-accessed></span>.https://example.org/archive/reports/2021-yanling.html.',
}
AUTHORS = {
    "2017-jiaxian": ["卢拥军", "李梁崇"], "2017-pingjiang": ["唐颖", "唐卉芳子"], "2018-lengshuitan": ["吴林"],
    "2018-xiangxi": ["向光旭", "田智"], "2021-yanling": ["贺天鸿", "唐新春", "刘如荣"],
}


def load_reports() -> list:
    """The five reports in the site's order."""
    return site_of(ROOT).reports


def page(site: Path, url: str) -> str:
    return (site / url).read_text(encoding="utf-8")


def jsonld_of(text: str) -> list[dict]:
    """Every JSON-LD block of a page, parsed."""
    return [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.DOTALL)]


@pytest.mark.parametrize("slug", SLUGS)
def test_report_page_shows_the_exact_gbt7714_reference(built_site: Path, slug: str) -> None:
    text = page(built_site, f"reports/{slug}.html")
    assert f'<p class="cite-ref" id="cite-original">{html.escape(EXPECTED[slug], quote=False)}</p>' in text
    if slug in ARCHIVE_COPY:
        assert f'<p class="cite-ref" id="cite-archive">{ARCHIVE_COPY[slug]}</p>' in text
    # its own entries, published beside it
    assert f'href="{slug}.bib"' in text and f'href="{slug}.ris"' in text
    own = bibtexparser.parse_string((built_site / f"reports/{slug}.bib").read_text(encoding="utf-8"))
    assert [e.key for e in own.entries] == [slug]
    assert [r["ID"] for r in _parse_ris((built_site / f"reports/{slug}.ris").read_bytes().decode("utf-8"))] == [[slug]]


def test_catalog_bib_and_ris_hold_one_entry_per_report(built_site: Path) -> None:
    data = (built_site / "catalog.bib").read_bytes()
    assert data == cite.bibtex(load_reports())  # what bibtexparser writes for the whole library at once
    library = bibtexparser.parse_string(data.decode("utf-8"))
    assert not library.failed_blocks
    assert sorted(e.key for e in library.entries) == SLUGS
    ris = (built_site / "catalog.ris").read_bytes().decode("utf-8")  # CRLF kept
    assert ris.count("TY  - ") == ris.count("ER  - ") == 5
    assert sorted(r["ID"][0] for r in _parse_ris(ris)) == SLUGS
    csl = json.loads((built_site / "catalog.csl.json").read_text(encoding="utf-8"))
    assert sorted(item["id"] for item in csl) == SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_report_jsonld_and_open_graph(built_site: Path, slug: str) -> None:
    text = page(built_site, f"reports/{slug}.html")
    head = text.split("</head>")[0]
    [data] = jsonld_of(head)
    date = re.search(r"^date: '?([\d-]+)'?$", (ROOT / f"content/reports/{slug}.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert date and data["datePublished"] == date.group(1)
    assert [a["name"] for a in data["author"]] == AUTHORS[slug]
    assert all(a["@type"] == "Person" for a in data["author"])
    assert data["@type"] == "NewsArticle" and data["inLanguage"] == "zh-CN"
    assert data["url"] == f"{BASE}reports/{slug}.html"  # absolute, from config.yml's base_url
    assert data["contentLocation"]["@type"] == "AdministrativeArea"
    assert f'<meta property="og:url" content="{BASE}reports/{slug}.html">' in head
    for name in AUTHORS[slug]:
        assert f'<meta property="article:author" content="{name}">' in head


def test_report_page_explains_what_the_importer_did(built_site: Path) -> None:
    text = page(built_site, "reports/2018-lengshuitan.html")
    box = text.split('<section class="handling"', 1)[1].split("</section>", 1)[0]
    assert "编辑处理说明" in box
    assert "第 3 行（标题）：全力打造“首善之区”——冷水滩区2017年政法工作纪实" in box
    assert "相关文章列表 37 行" in box and "第 1 行：当前位置:" in box
    assert 'href="../sources/004_654c668dc2cca6bc.txt"' in box
    pingjiang = page(built_site, "reports/2017-pingjiang.html")
    assert "4 条图片说明排作图注，其中 3 条原在一段话中间，移到该段之后" in pingjiang
    assert "3 段被图片说明或换行隔断的话已接回" in pingjiang


def test_county_and_programme_pages_have_jsonld_and_maps(built_site: Path) -> None:
    county = page(built_site, "counties/郏县.html")
    [data] = jsonld_of(county)
    assert data["about"]["name"] == "郏县" and data["about"]["geo"]["latitude"] == pytest.approx(33.97, abs=0.01)
    assert data["mainEntity"]["numberOfItems"] == 1
    assert county.count('class="map-county map-on"') == 1  # itself, among the others
    assert 'href="%E9%83%8F%E5%8E%BF.html"' in county  # its own point links to itself, relative to the page
    index = page(built_site, "counties/index.html")
    assert index.count('class="map-county map-on"') == 5
    assert 'href="%E7%82%8E%E9%99%B5%E5%8E%BF.html"' in index
    programme = page(built_site, "programmes/xueliang-gongcheng.html")
    [term] = jsonld_of(programme)
    assert term["@type"] == "CollectionPage" and term["about"]["name"] == "雪亮工程"
    lit = set(re.findall(r'<a class="map-county map-on" href="([^"]+)"', programme))
    assert lit and all(href.startswith("../counties/") for href in lit)
    catalog = json.loads(page(built_site, "catalog.json"))
    county_of = {r["url"]: r["county"] for r in catalog["reports"]}
    [entry] = [p for p in catalog["programmes"] if p["url"] == "programmes/xueliang-gongcheng.html"]
    mentioning = {county_of[url] for url in entry["reports"]}
    assert {html.unescape(h).removeprefix("../counties/") for h in lit} == {quote(c) + ".html" for c in mentioning}


def test_datapackage_validates_against_catalog_csv(built_site: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(built_site / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    geo = json.loads((built_site / "counties.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["name"] for f in geo["features"]} == {"郏县", "平江县", "冷水滩区", "湘西土家族苗族自治州", "炎陵县"}
    assert all(f["properties"]["url"].startswith(BASE + "counties/") for f in geo["features"])


def test_home_and_footer_link_the_data_files(built_site: Path) -> None:
    home = page(built_site, "index.html")
    for name in ("catalog.bib", "catalog.ris", "catalog.csl.json", "datapackage.json", "counties.geojson"):
        assert home.count(f'href="{name}"') == 2, name  # the browse list and the footer
        assert f'href="../{name}"' in page(built_site, "authors/index.html")  # every footer


def test_a_provenance_edit_changes_its_report_page_key_only(project: Path) -> None:
    before = keys_of(project)
    record = project / "content/reports/2018-lengshuitan.provenance.yml"
    record.write_text(record.read_text(encoding="utf-8").replace("why: 网页导航", "why: 网页导航栏"), encoding="utf-8")
    assert changed(before, keys_of(project)) == {"reports/2018-lengshuitan.html"}


def test_retrieved_is_the_access_date_of_an_online_original(tmp_path: Path, project: Path) -> None:
    page_file = project / "content/reports/2018-xiangxi.md"
    text = page_file.read_text(encoding="utf-8")
    page_file.write_text(text.replace("editor: 陈义\n", "editor: 陈义\nsource_url: http://www.sxzzw.gov.cn/1.html\nretrieved: 2019-03-01\n"),
                         encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("--out", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    expected = "向光旭,田智.构建“四大体系” 创建平安和谐湘西[EB/OL].三湘综治网,2018(2018-12-05)[2019-03-01].http://www.sxzzw.gov.cn/1.html."
    assert f'id="cite-original">{expected}</p>' in page(out, "reports/2018-xiangxi.html")
    assert "urldate = {2019-03-01}" in page(out, "reports/2018-xiangxi.bib")
    page_file.write_text(text.replace("editor: 陈义\n", "editor: 陈义\nretrieved: 2019-13\n"), encoding="utf-8")
    result = run_cli("check", cwd=project)
    line = text.split("editor: 陈义\n")[0].count("\n") + 2
    assert result.returncode == 1 and f"2018-xiangxi.md:{line}: date '2019-13' has no month 13" in result.stdout + result.stderr

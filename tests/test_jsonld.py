"""Structured data: JSON-LD of the five reports, Open Graph, county and programme pages, datapackage.json, counties.geojson."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from archive import jsonld
from archive.config import load_config
from archive.content import Content, PartialDate, Report, load_content
from archive.errors import Problems

BASE = "https://example.org/archive/"
TITLE = "县域平安建设报道档案"
SCRIPT = re.compile(r'^<script type="application/ld\+json">(.*)</script>$', re.DOTALL)


@pytest.fixture(scope="module")
def content() -> Content:
    """The real content, loaded as the build loads it."""
    problems = Problems()
    loaded = load_content(load_config(ROOT / "config.yml", problems), ROOT / "content", problems)
    assert not problems.errors and len(loaded.reports) == 5
    return loaded


def _embedded(data: dict) -> dict:
    """What a JSON-LD reader gets back from the script tag."""
    m = SCRIPT.match(str(jsonld.script_tag(data)))
    assert m
    return json.loads(m.group(1))


def test_every_report_parses_with_its_date_and_every_author(content: Content) -> None:
    for report in content.reports:
        data = _embedded(jsonld.report_jsonld(report, BASE, TITLE))
        assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
        assert data["headline"] == report.title
        assert data["datePublished"] == report.date.iso()
        assert data["author"] == [{"@type": "Person", "name": n} for n in report.authors]
        assert data["inLanguage"] == "zh-CN"
        assert data["url"] == BASE + "reports/" + report.slug + ".html"
        assert data["contentLocation"]["name"] == report.county


def test_report_jsonld_in_full(content: Content) -> None:
    lst = next(r for r in content.reports if r.slug == "2018-lengshuitan")
    url = BASE + "reports/2018-lengshuitan.html"
    assert jsonld.report_jsonld(lst, BASE, TITLE, [("“五老”调解", "programmes/wulao.html")]) == {
        "@context": "https://schema.org", "@type": "NewsArticle", "@id": url, "url": url, "mainEntityOfPage": url,
        "headline": "全力打造“首善之区”——冷水滩区2017年政法工作纪实",
        "author": [{"@type": "Person", "name": "吴林"}],
        "datePublished": "2018",
        "inLanguage": "zh-CN",
        "editor": {"@type": "Person", "name": "刘林霞"},
        "publisher": {"@type": "Organization", "name": "永州日报"},
        "description": lst.summary,
        "contentLocation": {"@type": "AdministrativeArea", "name": "冷水滩区", "containedInPlace": {
            "@type": "AdministrativeArea", "name": "永州市", "containedInPlace": {
                "@type": "AdministrativeArea", "name": "湖南省", "containedInPlace": {"@type": "Country", "name": "中国"}}}},
        "about": [{"@type": "DefinedTerm", "name": "“五老”调解", "url": BASE + "programmes/wulao.html"}],
        "isPartOf": {"@type": "WebSite", "name": TITLE, "url": BASE, "inLanguage": "zh-CN"},
    }


def test_precision_source_url_and_places(content: Content) -> None:
    by_slug = {r.slug: r for r in content.reports}
    xiangxi = jsonld.report_jsonld(by_slug["2018-xiangxi"], BASE, TITLE)
    assert xiangxi["datePublished"] == "2018-12-05"
    # 湘西州 is its own prefecture: the level is not repeated.
    assert xiangxi["contentLocation"]["containedInPlace"]["name"] == "湖南省"
    assert "isBasedOn" not in xiangxi and "publisher" in xiangxi
    assert "publisher" not in jsonld.report_jsonld(by_slug["2017-jiaxian"], BASE, TITLE)  # none is known
    month = dataclasses.replace(by_slug["2017-jiaxian"], date=PartialDate(2017, 9), source_url="http://x.cn/a?b&c")
    data = jsonld.report_jsonld(month, BASE, TITLE)
    assert data["datePublished"] == "2017-09" and data["isBasedOn"] == "http://x.cn/a?b&c"


def test_script_tag_cannot_be_closed_from_inside() -> None:
    evil = {"headline": '</script><script>alert(1)</script> <!-- & \u2028 "q"'}
    tag = str(jsonld.script_tag(evil))
    inner = SCRIPT.match(tag).group(1)  # type: ignore[union-attr]
    assert "<" not in inner and ">" not in inner and "&" not in inner and "\u2028" not in inner
    assert "\\u003c/script\\u003e" in inner
    assert json.loads(inner) == evil


def test_open_graph(content: Content) -> None:
    yanling = next(r for r in content.reports if r.slug == "2021-yanling")
    pairs = jsonld.open_graph(yanling, BASE, TITLE)
    assert pairs[:5] == [("og:type", "article"), ("og:title", yanling.title), ("og:url", BASE + "reports/2021-yanling.html"),
                         ("og:site_name", TITLE), ("og:locale", "zh_CN")]
    assert ("article:published_time", "2021") in pairs
    assert [v for k, v in pairs if k == "article:author"] == ["贺天鸿", "唐新春", "刘如荣"]


def test_county_and_programme_pages(content: Content) -> None:
    reports = [r for r in content.reports if r.county == "炎陵县"]
    data = _embedded(jsonld.county_jsonld("炎陵县", "株洲市", "湖南省", "counties/炎陵县.html", reports, BASE, TITLE, (113.77, 26.49)))
    assert data["@type"] == "CollectionPage" and data["url"] == BASE + "counties/%E7%82%8E%E9%99%B5%E5%8E%BF.html"
    assert data["about"]["geo"] == {"@type": "GeoCoordinates", "longitude": 113.77, "latitude": 26.49}
    assert data["mainEntity"]["numberOfItems"] == 1
    assert data["mainEntity"]["itemListElement"][0]["url"] == BASE + "reports/2021-yanling.html"
    programme = content.programmes[0]
    page = _embedded(jsonld.programme_jsonld(programme, content.reports[:2], BASE, TITLE))
    assert page["about"]["@type"] == "DefinedTerm" and page["about"]["name"] == programme.name
    assert page["about"]["termCode"] == programme.slug
    assert page["mainEntity"]["numberOfItems"] == 2 and page["genre"] == programme.category


def test_datapackage_validates_against_the_built_catalog(built_site: Path, tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    (tmp_path / "datapackage.json").write_bytes(jsonld.datapackage(TITLE, "描述", BASE))
    shutil.copy(built_site / "catalog.csv", tmp_path / "catalog.csv")
    with (tmp_path / "catalog.csv").open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    assert header == [name for name, _, _ in jsonld.CATALOG_FIELDS]
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 5


def test_datapackage_catches_a_bad_row(built_site: Path, tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    (tmp_path / "datapackage.json").write_bytes(jsonld.datapackage(TITLE, "描述", BASE))
    text = (built_site / "catalog.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    rows[1][5] = "2018年"  # not YYYY, YYYY-MM or YYYY-MM-DD
    rows[2][0] = rows[3][0]  # two rows with one URL
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    (tmp_path / "catalog.csv").write_text("\ufeff" + out.getvalue(), "utf-8")
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert sorted(e[0] for e in report.flatten(["type"])) == ["constraint-error", "primary-key"]


def test_counties_geojson() -> None:
    points = [jsonld.CountyPoint("郏县", "平顶山市", "河南省", 113.2201234, 33.9712, 1, "counties/郏县.html"),
              jsonld.CountyPoint("炎陵县", "株洲市", "湖南省", 113.77, 26.49, 1, "counties/炎陵县.html")]
    data = json.loads(jsonld.counties_geojson(points, BASE))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    first = data["features"][0]
    assert first["type"] == "Feature"
    assert first["geometry"] == {"type": "Point", "coordinates": [113.22012, 33.9712]}  # longitude first (RFC 7946)
    assert first["properties"] == {"name": "郏县", "prefecture": "平顶山市", "province": "河南省", "reports": 1,
                                   "url": BASE + "counties/%E9%83%8F%E5%8E%BF.html"}
    assert jsonld.counties_geojson(points, BASE) == jsonld.counties_geojson(list(points), BASE)


def test_report_is_the_content_record() -> None:
    assert {f.name for f in dataclasses.fields(Report)} >= {"title", "county", "date", "authors", "publication", "source_url"}

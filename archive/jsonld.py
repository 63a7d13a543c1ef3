"""Machine-readable metadata: Schema.org JSON-LD, Open Graph, datapackage.json and counties.geojson."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from .content import Programme, Report

JsonDict = dict[str, Any]
LANGUAGE = "zh-CN"
COUNTRY = "中国"


def absolute(base_url: str, path: str) -> str:
    """A site path as an absolute URL, as pages.absolute_url makes it for the feed and sitemap."""
    return base_url + quote(path, safe="/")


def script_tag(data: JsonDict) -> Markup:
    """A <script type="application/ld+json"> holding data, safe inside HTML.

    <, > and & are written as \\u003c, \\u003e and \\u0026, so no text can close the script or open a
    comment; U+2028 and U+2029 are escaped too, for any reader that treats the text as JavaScript.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(f'<script type="application/ld+json">{text}</script>')


def website(site_title: str, base_url: str) -> JsonDict:
    """The archive itself, as the WebSite each page is part of."""
    return {"@type": "WebSite", "name": site_title, "url": base_url, "inLanguage": LANGUAGE}


def place(county: str, prefecture: str, province: str) -> JsonDict:
    """The county as an AdministrativeArea inside its prefecture, province and country (a level equal to the one below is skipped)."""
    node: JsonDict = {"@type": "Country", "name": COUNTRY}
    for name in (province, prefecture):
        if name and name != node["name"] and name != county:
            node = {"@type": "AdministrativeArea", "name": name, "containedInPlace": node}
    return {"@type": "AdministrativeArea", "name": county, "containedInPlace": node}


def _person(name: str) -> JsonDict:
    """One named person."""
    return {"@type": "Person", "name": name}


def report_jsonld(report: Report, base_url: str, site_title: str,
                  programmes: Sequence[tuple[str, str]] = ()) -> JsonDict:
    """A report page as a Schema.org NewsArticle: every report is a press report with a byline.

    programmes: (name, site path) of the programmes it mentions, given as what it is about.
    """
    url = absolute(base_url, report.url)
    data: JsonDict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": report.title,
        "author": [_person(name) for name in report.authors],
        "datePublished": report.date.iso(),  # ISO 8601 at the precision known: 2017, 2018-12 or 2018-12-05
        "inLanguage": LANGUAGE,
    }
    if report.editor:
        data["editor"] = _person(report.editor)
    if report.publication:
        data["publisher"] = {"@type": "Organization", "name": report.publication}
    if report.summary:
        data["description"] = report.summary
    data["contentLocation"] = place(report.county, report.prefecture, report.province)
    if report.source_url:
        data["isBasedOn"] = report.source_url
    if programmes:
        data["about"] = [{"@type": "DefinedTerm", "name": name, "url": absolute(base_url, path)} for name, path in programmes]
    data["isPartOf"] = website(site_title, base_url)
    return data


def open_graph(report: Report, base_url: str, site_title: str) -> list[tuple[str, str]]:
    """Open Graph (property, content) pairs for a report page, in a fixed order; one article:author per author."""
    pairs = [
        ("og:type", "article"),
        ("og:title", report.title),
        ("og:url", absolute(base_url, report.url)),
        ("og:site_name", site_title),
        ("og:locale", "zh_CN"),
    ]
    if report.summary:
        pairs.append(("og:description", report.summary))
    pairs.append(("article:published_time", report.date.iso()))
    pairs += [("article:author", name) for name in report.authors]
    pairs.append(("article:tag", report.county))
    return pairs


def _item_list(reports: Sequence[Report], base_url: str) -> JsonDict:
    """The reports a page lists, in its order."""
    return {
        "@type": "ItemList",
        "numberOfItems": len(reports),
        "itemListElement": [
            {"@type": "ListItem", "position": i, "url": absolute(base_url, r.url), "name": r.title}
            for i, r in enumerate(reports, 1)
        ],
    }


def county_jsonld(county: str, prefecture: str, province: str, path: str, reports: Sequence[Report],
                  base_url: str, site_title: str, coordinates: tuple[float, float] | None = None) -> JsonDict:
    """A county page: a CollectionPage about the county (a Place, with its point when known), listing its reports."""
    about = place(county, prefecture, province)
    if coordinates is not None:
        lon, lat = coordinates
        about["geo"] = {"@type": "GeoCoordinates", "longitude": round(lon, 5), "latitude": round(lat, 5)}
    url = absolute(base_url, path)
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "@id": url,
        "url": url,
        "name": f"{county}的报道",
        "inLanguage": LANGUAGE,
        "about": about,
        "mainEntity": _item_list(reports, base_url),
        "isPartOf": website(site_title, base_url),
    }


def programme_jsonld(programme: Programme, reports: Sequence[Report], base_url: str, site_title: str) -> JsonDict:
    """A programme page: a CollectionPage about the programme as a DefinedTerm of the archive's registry."""
    url = absolute(base_url, programme.url)
    term: JsonDict = {"@type": "DefinedTerm", "@id": url + "#term", "name": programme.name}
    aliases = [a for a in programme.aliases if a != programme.name]
    if aliases:
        term["alternateName"] = aliases
    if programme.summary:
        term["description"] = programme.summary
    term["termCode"] = programme.slug
    term["inDefinedTermSet"] = {"@type": "DefinedTermSet", "name": f"{site_title}项目登记",
                                "url": absolute(base_url, "programmes/index.html")}
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "@id": url,
        "url": url,
        "name": programme.name,
        "inLanguage": LANGUAGE,
        "about": term,
        "genre": programme.category,
        "mainEntity": _item_list(reports, base_url),
        "isPartOf": website(site_title, base_url),
    }


# ---------------------------------------------------------------- datapackage.json

DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
# catalog.csv's columns, in order (pages.catalog writes them); lists are joined with "; ".
CATALOG_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("url", "string", "报道页面，相对于档案根目录的路径"),
    ("title", "string", "题名"),
    ("county", "string", "县（市、区）标准全称"),
    ("prefecture", "string", "所属地级行政区"),
    ("province", "string", "所属省级行政区"),
    ("date", "string", "发表日期，精确到已知的程度：YYYY、YYYY-MM 或 YYYY-MM-DD"),
    ("author", "string", "作者，多人以“; ”分隔"),
    ("programmes", "string", "报道提到的项目，多项以“; ”分隔"),
    ("source_file", "string", "原始来源文本，相对于档案根目录的路径"),
)
REQUIRED = {"url", "title", "county", "date", "author", "source_file"}


def _field(name: str, kind: str, description: str) -> JsonDict:
    """One Table Schema field with its constraints."""
    field: JsonDict = {"name": name, "type": kind, "description": description}
    constraints: JsonDict = {}
    if name in REQUIRED:
        constraints["required"] = True
    if name == "date":
        constraints["pattern"] = DATE_PATTERN  # mixed precision: no single Table Schema date type fits
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage(site_title: str, description: str, base_url: str) -> bytes:
    """datapackage.json: a Frictionless Data Package describing catalog.csv and its columns."""
    package = {
        "name": "county-report-archive-catalog",
        "title": site_title,
        "description": description,
        "homepage": base_url,
        "profile": "tabular-data-package",
        "resources": [{
            "name": "catalog",
            "path": "catalog.csv",
            "profile": "tabular-data-resource",
            "title": f"{site_title}：报道目录",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",  # with a byte-order mark first, for spreadsheets; readers skip it
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": True, "header": True},
            "schema": {"fields": [_field(*f) for f in CATALOG_FIELDS], "primaryKey": ["url"], "missingValues": [""]},
        }],
    }
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# ---------------------------------------------------------------- counties.geojson


@dataclass(frozen=True)
class CountyPoint:
    """A county with a known point: names, WGS84 degrees, its number of reports and its page (site path)."""

    name: str
    prefecture: str
    province: str
    lon: float
    lat: float
    reports: int
    path: str


def counties_geojson(counties: Sequence[CountyPoint], base_url: str) -> bytes:
    """counties.geojson (RFC 7946): one Point feature per county, [longitude, latitude], in the given order."""
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(c.lon, 5), round(c.lat, 5)]},
        "properties": {
            "name": c.name,
            "prefecture": c.prefecture,
            "province": c.province,
            "reports": c.reports,
            "url": absolute(base_url, c.path),
        },
    } for c in counties]
    collection = {"type": "FeatureCollection", "features": features}
    return (json.dumps(collection, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

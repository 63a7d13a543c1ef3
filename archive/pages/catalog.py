"""The open data: catalog.json and catalog.csv, datapackage.json describing the CSV, counties.geojson."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from .. import jsonld
from ..content import Report
from ..output import OutputFile
from ..collection import Site
from .assets import source_path
from .places import geo_points

_CSV_COLUMNS = ["url", "title", "county", "prefecture", "province", "date", "author", "programmes", "source_file"]


def catalog_rows(site: Site) -> list[dict[str, Any]]:
    """The reports as open data, newest first."""
    index = site.programme_index
    return [_catalog_row(report, index.by_report.get(report.slug, []) if index else []) for report in site.reports]


def _catalog_row(report: Report, mentioned: Sequence[Any]) -> dict[str, Any]:
    """One report's row of the catalog."""
    return {
        "url": report.url,
        "title": report.title,
        "county": report.county,
        "prefecture": report.prefecture,
        "province": report.province,
        "date": report.date.iso(),
        "author": list(report.authors),
        "programmes": [p.name for p, _ in mentioned],
        "source_file": source_path(report),
    }


def _csv_text(rows: list[dict[str, Any]]) -> str:
    """The CSV file: a BOM (for spreadsheets), the header, one line per row; list values joined with '; '."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_CSV_COLUMNS)
    writer.writerows(["; ".join(v) if isinstance(v, list) else v for v in (row[c] for c in _CSV_COLUMNS)] for row in rows)
    return buffer.getvalue()


def catalog(site: Site) -> list[OutputFile]:
    """catalog.json (reports and programmes) and catalog.csv (reports, UTF-8 with BOM for spreadsheets)."""
    rows = catalog_rows(site)
    index = site.programme_index
    programmes = [{
        "url": p.url,
        "name": p.name,
        "aliases": list(p.aliases),
        "category": p.category,
        "reports": [x.url for x in (index.reports_of.get(p.slug, []) if index else [])],
    } for p in site.programmes]
    data = json.dumps({"reports": rows, "programmes": programmes}, ensure_ascii=False, indent=1) + "\n"
    return [
        OutputFile("catalog.json", data.encode("utf-8"), "catalog"),
        OutputFile("catalog.csv", _csv_text(rows).encode("utf-8"), "catalog"),
    ]


def open_data(site: Site) -> list[OutputFile]:
    """datapackage.json (describing catalog.csv) and counties.geojson (every located county)."""
    config = site.config
    return [
        OutputFile("datapackage.json", jsonld.datapackage(config.title, config.description, config.base_url), "catalog"),
        OutputFile("counties.geojson", jsonld.counties_geojson(geo_points(site), config.base_url), "catalog"),
    ]


"""Schema.org JSON-LD and Open Graph for the pages that have them: report, county and programme pages."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from .. import jsonld
from ..config import Config
from ..content import Programme, Report
from ..collection import Group


def report_meta(report: Report, config: Config, mentioned: Sequence[tuple[Programme, Any]]) -> dict[str, Any]:
    """A report page's JSON-LD script (`jsonld`) and Open Graph pairs (`og`), absolute URLs from base_url."""
    about = [(programme.name, programme.url) for programme, _ in mentioned]
    data = jsonld.report_jsonld(report, config.base_url, config.title, about)
    return {"jsonld": jsonld.script_tag(data), "og": tuple(jsonld.open_graph(report, config.base_url, config.title))}


def county_meta(group: Group, config: Config, where: tuple[float, float] | None) -> Markup:
    """A county page's JSON-LD script: the county as a place (with its point when known) and its reports."""
    data = jsonld.county_jsonld(group.name, group.prefecture, group.province, group.url, group.reports,
                                config.base_url, config.title, where)
    return jsonld.script_tag(data)


def programme_meta(programme: Programme, reports: Sequence[Report], config: Config) -> Markup:
    """A programme page's JSON-LD script: the programme as a term of the archive's registry, and its reports."""
    return jsonld.script_tag(jsonld.programme_jsonld(programme, reports, config.base_url, config.title))

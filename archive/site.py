"""The analysed site: reports with rendered bodies, grouped by county, author and year."""
from __future__ import annotations

from dataclasses import dataclass

from .config import Config
from .content import Content, Programme, Report
from .errors import Problems
from .markdown import RenderedBody


@dataclass
class Site:
    """Everything the pages need, computed once from the whole collection."""

    config: Config
    reports: list[Report]
    programmes: list[Programme]
    bodies: dict[str, RenderedBody]
    matcher: object


def assemble(content: Content, bodies: dict[str, RenderedBody], matcher, problems: Problems) -> Site:
    """Derive the cross-references of the collection (placeholder)."""
    reports = sorted(content.reports, key=lambda r: (r.date.sort_key(), r.slug), reverse=True)
    return Site(content.config, reports, content.programmes, bodies, matcher)

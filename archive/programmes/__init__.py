"""Programmes: the registry and its matcher, linking mentions, per-report findings, cross-report analysis.

registry.py   the registry's names checked, and the Matcher that finds mentions in text
linking.py    the Markdown plugin linking every mention to its programme page
findings.py   find(report, body, matcher) -> Findings: one report's mentions, passages and figures
analysis.py   analyse(site, findings_by_slug, matcher, problems) -> ProgrammeIndex: the collection's view
related.py    related reports, weighted by how rare the programmes they share are
suggest.py    discovery of candidate programmes the registry lacks
pages.py      the programme pages (to move into archive/pages)
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..content import Programme, Report
from ..errors import Problems
from .analysis import Cell, ProgrammeEntry, ProgrammeIndex, ReportFigure, analyse
from .findings import Figure, Findings, Passage, figures_in, find, sentences
from .linking import markdown_plugin
from .pages import render_pages
from .registry import Matcher, Span
from .suggest import Candidate, run_suggest, suggest

if TYPE_CHECKING:
    from ..markdown import RenderedBody

__all__ = ["Candidate", "Cell", "Figure", "Findings", "Matcher", "Passage", "ProgrammeEntry", "ProgrammeIndex",
           "ReportFigure", "Span", "analyse", "analyse_site", "figures_in", "find", "markdown_plugin", "render_pages",
           "report_analyses", "run_suggest", "sentences", "suggest"]


# ---------------------------------------------------------------- adapters for the build's current call sites


def report_analyses(reports: list[Report], bodies: Mapping[str, RenderedBody], matcher: Matcher,
                    programmes: list[Programme] | None = None) -> dict[str, Findings]:
    """find() of each report, by slug (archive/parallel.py calls it in the worker processes)."""
    return {r.slug: find(r, bodies.get(r.slug), matcher) for r in reports}


def analyse_site(site: Any, problems: Problems, found: Mapping[str, Findings] | None = None) -> ProgrammeIndex:
    """analyse() of a site, finding what `found` lacks (archive/site.py calls it from assemble)."""
    matcher: Matcher = site.matcher
    found = found or {}
    findings = {r.slug: found.get(r.slug) or find(r, site.bodies.get(r.slug), matcher) for r in site.reports}
    return analyse(site, findings, matcher, problems)

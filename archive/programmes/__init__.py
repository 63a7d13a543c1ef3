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

from .analysis import Cell, ProgrammeEntry, ProgrammeIndex, ReportFigure, analyse
from .findings import Figure, Findings, Passage, figures_in, find, mentioned, sentences
from .linking import markdown_plugin
from .pages import render_pages
from .registry import Matcher, Span
from .suggest import Candidate, suggest

__all__ = ["Candidate", "Cell", "Figure", "Findings", "Matcher", "Passage", "ProgrammeEntry", "ProgrammeIndex",
           "ReportFigure", "Span", "analyse", "figures_in", "find", "markdown_plugin", "mentioned", "render_pages",
           "sentences", "suggest"]

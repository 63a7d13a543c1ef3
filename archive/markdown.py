"""Markdown bodies to HTML, with a stable anchor on every paragraph and programme links."""
from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from .content import Report


@dataclass
class Paragraph:
    """One block of a rendered body: its anchor in the page and its plain text."""

    anchor: str
    text: str
    kind: str = "p"  # p, h2, h3, figure, li, td, note, footnote


@dataclass
class RenderedBody:
    """A report body as HTML plus the plain-text blocks search and programme pages quote."""

    html: str
    paragraphs: list[Paragraph] = field(default_factory=list)


_md = MarkdownIt("commonmark", {"html": False})


def render_body(report: Report, matcher) -> RenderedBody:
    """Render one report body (placeholder: no anchors or links yet)."""
    return RenderedBody(_md.render(report.body))

"""Programmes: the registry's names, finding every mention in report text, and cross-report analysis."""
from __future__ import annotations

from dataclasses import dataclass

from .content import Programme
from .errors import Problems


@dataclass(frozen=True)
class Span:
    """One mention: characters [start, end) of a text name a programme."""

    start: int
    end: int
    programme: str  # programme slug


class Matcher:
    """Finds programme mentions in plain text (placeholder until the registry lands)."""

    def __init__(self, programmes: list[Programme]):
        self.programmes = {p.slug: p for p in programmes}

    @classmethod
    def from_registry(cls, programmes: list[Programme], problems: Problems) -> "Matcher":
        """Build a matcher, reporting registry problems (alias clashes, unknown see_also)."""
        return cls(programmes)

    def find(self, text: str) -> list[Span]:
        """Every mention in text, longest alias first, non-overlapping, in order."""
        return []


@dataclass
class ProgrammeIndex:
    """What the pages need to know about programmes across the collection (placeholder)."""

    by_report: dict  # report slug -> list[(Programme, mention count)], most mentioned first
    related: dict  # report slug -> list[(Report, score, list[Programme] shared)], best first
    reports_of: dict  # programme slug -> list[Report] that mention it, by date


def analyse(site) -> ProgrammeIndex:
    """Mentions, passages, figures, co-occurrence and related reports (placeholder)."""
    return ProgrammeIndex({}, {}, {})


def markdown_plugin(md, matcher: Matcher) -> None:
    """Install a markdown-it core rule that links every mention in body text (placeholder)."""


def render_pages(site, renderer) -> list:
    """Programme index and one page per programme (placeholder)."""
    return []

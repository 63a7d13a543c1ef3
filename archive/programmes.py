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

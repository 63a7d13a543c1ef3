"""The collection: reports sorted, grouped by county, author and year, with the page of each group."""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .content import Content, Programme, Report
from .errors import Problems
from .markdown import RenderedBody

if TYPE_CHECKING:
    from .programmes import Matcher, ProgrammeIndex

# Characters that cannot be part of a file name on some system, or would move a page out of its folder.
_UNSAFE_RE = re.compile(r'[\x00-\x1f/\\:*?"<>|#%]')


def file_name(name: str) -> str:
    """A name as a file name: the name itself, with characters no file system accepts replaced."""
    safe = _UNSAFE_RE.sub("_", name.strip()).strip(". ")
    return safe or "_"


@functools.lru_cache(maxsize=None)  # pypinyin is slow and the same names are sorted on many pages
def sort_key(name: str) -> tuple[str, str]:
    """Order Chinese names the way a Chinese index does: by pinyin, then by the characters."""
    from pypinyin import lazy_pinyin  # 0.2 s to import: only when names are sorted

    return (" ".join(lazy_pinyin(name)).lower(), name)


@dataclass(frozen=True)
class Group:
    """Reports that share a county, an author or a year, with the page that lists them."""

    kind: str  # county, author, year
    name: str
    url: str
    reports: tuple[Report, ...] = ()  # newest first
    prefecture: str = ""  # counties only: the prefecture and province most reports give
    province: str = ""

    @property
    def count(self) -> int:
        """How many reports the group holds."""
        return len(self.reports)

    @property
    def place(self) -> str:
        """County · prefecture · province, for a county; the name otherwise."""
        return " · ".join(p for p in (self.name, self.prefecture, self.province) if p)


@dataclass(frozen=True)
class Site:
    """Everything the pages need, computed once from the whole collection."""

    config: Config
    reports: tuple[Report, ...]  # newest first
    programmes: tuple[Programme, ...]  # by pinyin
    bodies: dict[str, RenderedBody]
    matcher: Matcher
    counties: tuple[Group, ...] = ()  # by pinyin
    authors: tuple[Group, ...] = ()  # by pinyin
    years: tuple[Group, ...] = ()  # newest first
    by_slug: dict[str, Report] = field(default_factory=dict)
    county_of: dict[str, Group] = field(default_factory=dict)  # county name -> group
    author_of: dict[str, Group] = field(default_factory=dict)  # author name -> group
    year_of: dict[int, Group] = field(default_factory=dict)
    programme_index: ProgrammeIndex | None = None  # attached by build() once programmes are analysed
    root: Path = Path("content")  # the content folder, where the raw sources are

    @property
    def provinces(self) -> list[tuple[str, list[Group]]]:
        """Counties under their province (by pinyin; counties without a province last)."""
        by_province: dict[str, list[Group]] = {}
        for group in self.counties:
            by_province.setdefault(group.province, []).append(group)
        keys = sorted((p for p in by_province if p), key=sort_key) + ([""] if "" in by_province else [])
        return [(p, by_province[p]) for p in keys]

    def latest(self, n: int = 10) -> tuple[Report, ...]:
        """The n most recent reports."""
        return self.reports[:n]


def _groups(kind: str, folder: str, pairs: list[tuple[str, Report]], problems: Problems) -> dict[str, Group]:
    """One group per distinct name, each with its page URL; two names sharing a file name is an error."""
    members: dict[str, list[Report]] = {}
    urls: dict[str, str] = {}
    files: dict[str, str] = {}
    for name, report in pairs:
        if name not in members:
            fname = file_name(name)
            if fname.casefold() in files:
                other = files[fname.casefold()]
                problems.error(report.path, report.line_of("county" if kind == "county" else "author"),
                               f"{kind} {name!r} and {other!r} would share the page {folder}/{fname}.html")
            files[fname.casefold()] = name
            members[name], urls[name] = [], f"{folder}/{fname}.html"
        members[name].append(report)
    if kind != "county":
        return {name: Group(kind, name, urls[name], tuple(rs)) for name, rs in members.items()}
    return {name: Group(kind, name, urls[name], tuple(rs), _most_common([r.prefecture for r in rs]),
                        _most_common([r.province for r in rs])) for name, rs in members.items()}


def _most_common(values: list[str]) -> str:
    """The most frequent non-empty value (ties: the first in sort order), or ''."""
    counts = Counter(v for v in values if v)
    if not counts:
        return ""
    return min(counts, key=lambda v: (-counts[v], v))


def _years(reports: list[Report]) -> dict[int, Group]:
    """One group per year, newest first within it."""
    members: dict[int, list[Report]] = {}
    for r in reports:
        members.setdefault(r.date.year, []).append(r)
    return {year: Group("year", f"{year}年", f"years/{year:04d}.html", tuple(rs)) for year, rs in members.items()}


def assemble(content: Content, bodies: dict[str, RenderedBody], registry: Matcher, problems: Problems) -> Site:
    """Sort the reports and group them by county, author and year (programmes are analysed after, in build())."""
    reports = sorted(content.reports, key=lambda r: (r.date.sort_key(), r.slug), reverse=True)
    counties = _groups("county", "counties", [(r.county, r) for r in reports], problems)
    authors = _groups("author", "authors", [(a, r) for r in reports for a in r.authors], problems)
    years = _years(reports)
    return Site(
        config=content.config,
        reports=tuple(reports),
        programmes=tuple(sorted(content.programmes, key=lambda p: sort_key(p.name))),
        bodies=bodies,
        matcher=registry,
        counties=tuple(sorted(counties.values(), key=lambda g: sort_key(g.name))),
        authors=tuple(sorted(authors.values(), key=lambda g: sort_key(g.name))),
        years=tuple(years[y] for y in sorted(years, reverse=True)),
        by_slug={r.slug: r for r in reports},
        county_of=counties,
        author_of=authors,
        year_of=years,
        root=content.root,
    )

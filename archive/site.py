"""The analysed site: reports with rendered bodies, grouped by county, author and year."""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import programmes
from .config import Config
from .content import Content, Programme, Report
from .errors import Problems
from .incremental import stable
from .markdown import RenderedBody

# Characters that cannot be part of a file name on some system, or would move a page out of its folder.
_UNSAFE_RE = re.compile(r'[\x00-\x1f/\\:*?"<>|#%]')


def file_name(name: str) -> str:
    """A name as a file name: the name itself, with characters no file system accepts replaced."""
    safe = _UNSAFE_RE.sub("_", name.strip()).strip(". ")
    return safe or "_"


@functools.lru_cache(maxsize=None)  # pypinyin is slow and the same names are sorted on many pages
def sort_key(name: str) -> tuple[str, str]:
    """Order Chinese names the way a Chinese index does: by pinyin, then by the characters."""
    from pypinyin import lazy_pinyin  # 0.2 s to import: a parallel build imports it while the others work

    return (" ".join(lazy_pinyin(name)).lower(), name)


@dataclass
class Group:
    """Reports that share a county, an author or a year, with the page that lists them."""

    kind: str  # county, author, year
    name: str
    url: str
    reports: list[Report] = field(default_factory=list)  # newest first
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


@dataclass
class Site:
    """Everything the pages need, computed once from the whole collection."""

    config: Config
    reports: list[Report]  # newest first
    programmes: list[Programme]
    bodies: dict[str, RenderedBody]
    matcher: object
    counties: list[Group] = field(default_factory=list)  # by pinyin
    authors: list[Group] = field(default_factory=list)  # by pinyin
    years: list[Group] = field(default_factory=list)  # newest first
    by_slug: dict[str, Report] = field(default_factory=dict)
    county_of: dict[str, Group] = field(default_factory=dict)  # county name -> group
    author_of: dict[str, Group] = field(default_factory=dict)  # author name -> group
    year_of: dict[int, Group] = field(default_factory=dict)
    programme_index: programmes.ProgrammeIndex | None = None
    root: Path = Path("content")  # the content folder, where the raw sources are

    @property
    def provinces(self) -> list[tuple[str, list[Group]]]:
        """Counties under their province (by pinyin; counties without a province last)."""
        by_province: dict[str, list[Group]] = {}
        for group in self.counties:
            by_province.setdefault(group.province, []).append(group)
        keys = sorted((p for p in by_province if p), key=sort_key) + ([""] if "" in by_province else [])
        return [(p, by_province[p]) for p in keys]

    def latest(self, n: int = 10) -> list[Report]:
        """The n most recent reports."""
        return self.reports[:n]


def _groups(kind: str, folder: str, pairs: list[tuple[str, Report]], problems: Problems) -> dict[str, Group]:
    """One group per distinct name, each with its page URL; two names sharing a file name is an error."""
    groups: dict[str, Group] = {}
    files: dict[str, str] = {}
    for name, report in pairs:
        group = groups.get(name)
        if group is None:
            fname = file_name(name)
            if fname.casefold() in files:
                other = files[fname.casefold()]
                problems.error(report.path, report.line_of("county" if kind == "county" else "author"),
                               f"{kind} {name!r} and {other!r} would share the page {folder}/{fname}.html")
            files[fname.casefold()] = name
            group = groups[name] = Group(kind, name, f"{folder}/{fname}.html")
        group.reports.append(report)
    return groups


def _most_common(values: list[str]) -> str:
    """The most frequent non-empty value (ties: the first in sort order), or ''."""
    counts = Counter(v for v in values if v)
    if not counts:
        return ""
    return min(counts, key=lambda v: (-counts[v], v))


def assemble(content: Content, bodies: dict[str, RenderedBody], matcher, problems: Problems,
             analysed: dict[str, programmes.Findings] | None = None) -> Site:
    """Sort the reports, group them by county, author and year, and analyse programmes across them.

    analysed: programmes.find() of the reports by slug, when it was done beforehand.
    """
    # In watch mode an unchanged report, programme or group is the very object of the last build
    # (incremental.stable), so the pages that show only such objects are known to be unchanged.
    reports = sorted((stable(("report", r.path), r) for r in content.reports),
                     key=lambda r: (r.date.sort_key(), r.slug), reverse=True)
    counties = _groups("county", "counties", [(r.county, r) for r in reports], problems)
    for group in counties.values():
        group.prefecture = _most_common([r.prefecture for r in group.reports])
        group.province = _most_common([r.province for r in group.reports])
    authors = _groups("author", "authors", [(a, r) for r in reports for a in r.authors], problems)
    years: dict[int, Group] = {}
    for r in reports:
        years.setdefault(r.date.year, Group("year", f"{r.date.year}年", f"years/{r.date.year:04d}.html")).reports.append(r)
    counties = {name: stable(("group", g.kind, name), g) for name, g in counties.items()}
    authors = {name: stable(("group", g.kind, name), g) for name, g in authors.items()}
    years = {year: stable(("group", g.kind, year), g) for year, g in years.items()}
    # The lists and maps too: a page that reads site.county_of[...] finds the same dictionary as before.
    site = Site(
        config=stable("config", content.config),
        reports=stable("site.reports", reports),
        programmes=stable("programmes", sorted((stable(("programme", p.path), p) for p in content.programmes),
                                               key=lambda p: sort_key(p.name))),
        bodies=bodies,
        matcher=matcher,
        counties=stable("site.counties", sorted(counties.values(), key=lambda g: sort_key(g.name))),
        authors=stable("site.authors", sorted(authors.values(), key=lambda g: sort_key(g.name))),
        years=stable("site.years", [years[y] for y in sorted(years, reverse=True)]),
        by_slug=stable("site.by_slug", {r.slug: r for r in reports}),
        county_of=stable("site.county_of", counties),
        author_of=stable("site.author_of", authors),
        year_of=stable("site.year_of", years),
        root=content.root,
    )
    site.programme_index = programmes.analyse_site(site, problems, analysed)
    return site

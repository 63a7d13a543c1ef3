"""Programmes across the collection: which reports mention each, its passages, figures and county matrix."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Protocol

from ..content import Programme, Report
from ..errors import Problems
from .findings import Figure, Findings, Passage, mentioned
from .registry import Matcher, name_key
from .related import Related, RelatedMemo, related


class _Named(Protocol):
    """Anything with a name: a county's group."""

    @property
    def name(self) -> str:
        """The name."""
        ...


class Collection(Protocol):
    """What analyse() reads of the assembled site."""

    @property
    def reports(self) -> Sequence[Report]:
        """Every report."""
        ...

    @property
    def programmes(self) -> Sequence[Programme]:
        """The registry, in the site's order."""
        ...

    @property
    def counties(self) -> Sequence[_Named]:
        """The counties, in the order of the matrix's columns."""
        ...

# The order categories are shown in; categories not listed follow in the order of their names.
CATEGORY_ORDER = ["基层治理", "技防", "治安防控", "矛盾调解", "专项行动", "平安创建", "民意测评", "队伍建设", "普法",
                  "警务", "司法公开", "法律服务", "保障机制"]
COOCCUR_LIMIT = 10


@dataclass(frozen=True)
class ReportFigure(Figure):
    """A figure with the report it comes from, as a programme page lists it."""

    report: Report


@dataclass(frozen=True)
class Cell:
    """One cell of the programme × county matrix."""

    county: str
    count: int
    level: int  # 0 (none) to 4 (most), for shading
    target: str  # URL of the passages, relative to the site root ('' when none)


@dataclass(frozen=True)
class ProgrammeEntry:
    """Everything a programme's page shows."""

    programme: Programme
    reports: tuple[Report, ...]  # that mention it, oldest first
    counts: Mapping[str, int]  # report slug -> automatic mentions
    added: frozenset[str]  # report slugs that name it in `programmes:` front matter
    passages: Mapping[str, tuple[Passage, ...]]  # report slug -> passages, in page order
    figures: tuple[ReportFigure, ...]  # report by report, oldest first
    cooccurring: tuple[tuple[Programme, int], ...]  # other programme, reports naming both
    see_also: tuple[Programme, ...]
    cells: tuple[Cell, ...]  # one per county of the site, in its order

    @property
    def counties(self) -> list[str]:
        """Counties whose reports mention it, without repeats."""
        return list(dict.fromkeys(r.county for r in self.reports))

    @property
    def total(self) -> int:
        """All automatic mentions across the reports."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class ProgrammeIndex:
    """What the pages need to know about programmes across the collection."""

    by_report: Mapping[str, tuple[tuple[Programme, int], ...]]  # report slug -> (programme, mentions), most first
    related: Mapping[str, tuple[Related, ...]]  # report slug -> (report, score, programmes shared), best first
    reports_of: Mapping[str, tuple[Report, ...]]  # programme slug -> reports that mention it, by date
    entries: Mapping[str, ProgrammeEntry]  # programme slug -> its entry
    categories: tuple[tuple[str, tuple[ProgrammeEntry, ...]], ...]  # (category, entries) in display order
    counties: tuple[str, ...]  # county names, columns of the matrix


@dataclass
class _Collected:
    """The findings of every report gathered by programme (a working record of analyse())."""

    counts: dict[str, dict[str, int]]  # programme -> report slug -> mentions
    passages: dict[str, dict[str, tuple[Passage, ...]]]  # programme -> report slug -> passages
    figures: dict[str, list[ReportFigure]]  # programme -> figures, report by report
    reports_of: dict[str, list[Report]]  # programme -> reports mentioning or naming it, by date
    sets: dict[str, frozenset[str]]  # report slug -> programmes it mentions or names


def analyse(site: Collection, findings: Mapping[str, Findings], matcher: Matcher, problems: Problems,
            memo: RelatedMemo | None = None) -> ProgrammeIndex:
    """Mentions, passages, figures, co-occurrence and related reports, from every report's findings."""
    programmes = {p.slug: p for p in site.programmes}
    reports = sorted(site.reports, key=lambda r: (r.date.sort_key(), r.slug))  # oldest first
    check_overrides(reports, matcher, problems)
    got = _collect(reports, findings, programmes)
    by_report = {r.slug: mentioned(findings[r.slug], programmes) for r in reports}
    idf = {slug: math.log((len(reports) + 1) / len(rs)) for slug, rs in got.reports_of.items() if rs}
    county_names = tuple(g.name for g in site.counties) or tuple(sorted({r.county for r in reports}))
    county_of = {r.slug: r.county for r in reports}
    totals: Counter[tuple[str, str]] = Counter()  # (programme, county) -> mentions
    for s, per_report in got.counts.items():
        for r_slug, n in per_report.items():
            totals[s, county_of[r_slug]] += n
    biggest = max((totals[s, c] for s in programmes for c in county_names), default=0)
    entries: dict[str, ProgrammeEntry] = {}
    for slug, p in programmes.items():
        entries[slug] = _entry(p, got, findings, programmes, matcher, county_names, biggest)
        if not entries[slug].reports:
            problems.warning(p.path, p.line_of("name"), f"no report mentions programme '{p.name}' "
                             f"(aliases: {', '.join(p.names)})")
    return ProgrammeIndex(by_report, related(reports, got.sets, idf, programmes, memo),
                          {s: tuple(rs) for s, rs in got.reports_of.items()}, entries, _categories(entries),
                          county_names)


def check_overrides(reports: Sequence[Report], matcher: Matcher, problems: Problems) -> None:
    """Report `programmes:` and `not_programmes:` names the registry does not know, and programmes in both."""
    for report in reports:
        named = _resolved(report, "programmes", report.programmes, matcher, problems)
        excluded = _resolved(report, "not_programmes", report.not_programmes, matcher, problems)
        for slug in sorted(named & excluded):
            problems.error(report.path, report.line_of("not_programmes"),
                           f"programme '{slug}' is both in programmes: and in not_programmes:")


def _resolved(report: Report, key: str, names: list[str], matcher: Matcher, problems: Problems) -> set[str]:
    """Slugs of the names a report gives under key; an unknown name is an error."""
    out = set()
    for name in names:
        slug = matcher.resolve(name)
        if slug is None:
            problems.error(report.path, report.line_of(key), f"{key}: names unknown programme {name!r} "
                           f"(known: {', '.join(sorted(matcher.programmes))})")
            continue
        out.add(slug)
    return out


def _collect(reports: Sequence[Report], findings: Mapping[str, Findings], programmes: dict[str, Programme]) -> _Collected:
    """Every report's findings gathered by programme, reports oldest first."""
    got = _Collected({slug: {} for slug in programmes}, defaultdict(dict), defaultdict(list),
                     {slug: [] for slug in programmes}, {})
    for report in reports:
        found = findings[report.slug]
        for slug, count in found.counts:
            got.counts[slug][report.slug] = got.counts[slug].get(report.slug, 0) + count
        own: dict[str, list[Passage]] = {}
        for passage in found.passages:
            own.setdefault(passage.programme, []).append(passage)
        for slug, passages in own.items():
            got.passages[slug][report.slug] = tuple(passages)
        for f in found.figures:
            got.figures[f.programme].append(ReportFigure(f.anchor, f.value, f.pieces, f.direct, f.programme, report))
        here = found.mentions
        for slug in programmes:
            if slug in here:
                got.reports_of[slug].append(report)
        got.sets[report.slug] = here
    return got


def _entry(p: Programme, got: _Collected, findings: Mapping[str, Findings], programmes: dict[str, Programme],
           matcher: Matcher, county_names: tuple[str, ...], biggest: int) -> ProgrammeEntry:
    """One programme's entry: its reports, mentions, passages, figures, neighbours and matrix row."""
    slug = p.slug
    rs = got.reports_of[slug]
    mentions = got.counts[slug]
    co = Counter(chain.from_iterable(got.sets[r.slug] for r in rs))
    co.pop(slug, None)
    in_county: dict[str, list[Report]] = {}
    for r in rs:
        in_county.setdefault(r.county, []).append(r)
    cells = []
    for county in county_names:
        mine = in_county.get(county, [])
        count = sum(mentions.get(r.slug, 0) for r in mine)
        target = f"{p.url}#r-{mine[0].slug}" if mine else ""
        cells.append(Cell(county, count, _level(count, biggest) if count else (1 if mine else 0), target))
    return ProgrammeEntry(
        programme=p,
        reports=tuple(rs),
        counts={r.slug: mentions.get(r.slug, 0) for r in rs},
        added=frozenset(r.slug for r in rs if slug in findings[r.slug].named),
        passages=got.passages.get(slug, {}),
        figures=tuple(got.figures.get(slug, ())),
        cooccurring=tuple(sorted(((programmes[o], c) for o, c in co.items()),
                                 key=lambda pc: (-pc[1], name_key(pc[0])))[:COOCCUR_LIMIT]),
        see_also=tuple(programmes[s] for s in (matcher.resolve(t) for t in p.see_also) if s in programmes),
        cells=tuple(cells),
    )


def _level(count: int, biggest: int) -> int:
    """Shade 0–4 on a log scale, so one mention shows and the biggest count is darkest."""
    if count <= 0:
        return 0
    if biggest <= 1:
        return 4
    return min(4, 1 + int(3 * math.log(count) / math.log(biggest) + 1e-9))


def _categories(entries: dict[str, ProgrammeEntry]) -> tuple[tuple[str, tuple[ProgrammeEntry, ...]], ...]:
    """Programmes under their category; within one, the most widely reported first."""
    groups: dict[str, list[ProgrammeEntry]] = defaultdict(list)
    for e in entries.values():
        groups[e.programme.category].append(e)
    order = [c for c in CATEGORY_ORDER if c in groups] + sorted(c for c in groups if c not in CATEGORY_ORDER)
    return tuple((c, tuple(sorted(groups[c], key=lambda e: (-len(e.counties), -len(e.reports), -e.total,
                                                            name_key(e.programme)))))
                 for c in order)

"""Every HTML page of the site described as a frozen Page: its URL, its layout and what it shows."""
from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from markupsafe import Markup

from .. import programmes
from ..content import Programme
from ..markdown import Paragraph, RenderedBody
from ..collection import Group, Site
from . import places, timeline
from .assets import source_path
from .citation import citation
from .handling import handling
from .metadata import county_meta, programme_meta, report_meta


@dataclass(frozen=True)
class Page:
    """One HTML page: where it goes, the layout that renders it and its whole context (pages.keys digests it)."""

    url: str
    template: str
    context: Mapping[str, Any]  # everything the layout reads: no site, no functions


@dataclass(frozen=True)
class NavItem:
    """One entry of the main navigation."""

    label: str
    url: str
    section: str  # the first URL part of the pages this entry stands for


@dataclass(frozen=True)
class Totals:
    """The counts pages print (every footer prints the first two)."""

    reports: int
    counties: int
    programmes: int
    years: int


@dataclass(frozen=True)
class Links:
    """The page of each county, author and year by name: what the layouts link a name to."""

    county: Mapping[str, str]
    author: Mapping[str, str]
    year: Mapping[int, str]


@dataclass(frozen=True)
class GroupLink:
    """A county, author or year as an index page lists it: name, page, count (and prefecture), not its reports."""

    name: str
    url: str
    count: int
    prefecture: str = ""


def _listed(groups: Sequence[Group]) -> tuple[GroupLink, ...]:
    """Groups as an index page lists them; a page listing counts does not change with a title."""
    return tuple(GroupLink(g.name, g.url, g.count, g.prefecture) for g in groups)


@functools.lru_cache(maxsize=2)  # every page shows it: one tuple, not seven new items per page
def navigation(with_programmes: bool) -> tuple[NavItem, ...]:
    """The main navigation: home, every browse page, the programmes when they have pages."""
    items = [
        NavItem("首页", "index.html", ""),
        NavItem("报道", "reports/index.html", "reports"),
        NavItem("县域", "counties/index.html", "counties"),
        NavItem("作者", "authors/index.html", "authors"),
        NavItem("年份", "years/index.html", "years"),
        NavItem("时间线", "timeline.html", "timeline.html"),
    ]
    if with_programmes:
        items.append(NavItem("项目", "programmes/index.html", "programmes"))
    return tuple(items)


class _Describer:
    """Makes Pages with the context every page shares; stands where programmes.render_pages expects a renderer."""

    def __init__(self, site: Site, with_programmes: bool) -> None:
        self.config = site.config
        self.with_programmes = with_programmes
        self.totals = Totals(len(site.reports), len(site.counties), len(site.programmes), len(site.years))
        self.links = Links({g.name: g.url for g in site.counties}, {g.name: g.url for g in site.authors},
                           {year: g.url for year, g in site.year_of.items()})
        self.where = places.coordinates(site)  # county name -> (longitude, latitude), for maps and JSON-LD
        self.points = places.map_points(site.counties, self.where)
        # a county page shows where it is, not how many reports each county holds: a report moving between two
        # counties changes those two pages, not every county page
        self.located = places.map_points(site.counties, self.where, counted=False)

    def county_map(self, highlighted: tuple[str, ...] = (), id_prefix: str = "county-map",
                   counted: bool = True) -> places.CountyMap | None:
        """The county map with these counties highlighted; None when the gazetteer places no county."""
        points = self.points if counted else self.located
        if not points:
            return None
        return places.CountyMap(points, highlighted, places.MAP_TITLE if counted else places.LOCATION_TITLE, id_prefix)

    def page(self, template: str, url: str, **context: Any) -> Page:
        """The page at url rendered by template with the shared context plus `context`."""
        full = {
            "config": self.config,
            "url": url,
            "nav": navigation(self.with_programmes),
            "with_programmes": self.with_programmes,
            "section": url.split("/", 1)[0],
            "totals": self.totals,
            "links": self.links,
            **context,
        }
        return Page(url, template, full)


def describe_pages(site: Site) -> list[Page]:
    """Every HTML page of the site, programme pages first, the 404 page last."""
    describer = _Describer(site, with_programmes=bool(site.programmes))
    out: list[Page] = programme_pages(site, describer)
    # no link to a programme index that was not made
    describer.with_programmes = any(p.url == "programmes/index.html" for p in out)
    page = describer.page
    out.append(page("search.html", "search.html"))
    out.append(page("home.html", "index.html", latest=tuple(site.latest(8)), shared=most_shared(site)))
    out += report_pages(site, page)
    out += group_pages(site, describer)
    out.append(page("timeline.html", "timeline.html", years=timeline.timeline(site), width=timeline.WIDTH,
                    left=timeline.LEFT))
    out.append(page("404.html", "404.html"))  # its inline stylesheet is the layouts', given by the Renderer
    return out


def programme_pages(site: Site, describer: _Describer) -> list[Page]:
    """programmes/index.html and one page per programme, as the programmes module lays them out."""
    # programmes.render_pages asks its renderer for page(template, url, **context): a Page here
    return programmes.render_pages(site, _ProgrammeDescriber(describer))


class _ProgrammeDescriber:
    """Gives each programme page, besides what the programmes module shows, its map and its JSON-LD."""

    def __init__(self, describer: _Describer) -> None:
        self.describer = describer

    def page(self, template: str, url: str, **context: Any) -> Page:
        """The page as the describer makes it; a programme page with the counties mentioning it highlighted."""
        if template == "programme.html":
            entry = context["entry"]
            context["county_map"] = self.describer.county_map(tuple(entry.counties))
            context["jsonld"] = programme_meta(entry.programme, entry.reports, self.describer.config)
        return self.describer.page(template, url, **context)


class _PageMaker(Protocol):
    """A describer's page method: page(template, url, **context)."""

    def __call__(self, template: str, url: str, **context: Any) -> Page: ...


def report_pages(site: Site, page: _PageMaker) -> list[Page]:
    """One page per report, with its neighbours in time, its citation, its handling notes and its metadata."""
    out: list[Page] = []
    index = site.programme_index
    reports = site.reports
    for i, report in enumerate(reports):
        body = site.bodies[report.slug]
        mentioned: Sequence[tuple[Programme, int]] = index.by_report.get(report.slug, []) if index else []
        out.append(page(
            "report.html", report.url,
            report=report,
            body=Markup(body.html),
            toc=_contents(body),
            source_url=source_path(report),
            # front matter is typed by hand: only a web address becomes a link, never javascript: or file:
            web_url=report.source_url if report.source_url.lower().startswith(("http://", "https://")) else "",
            mentioned=mentioned,
            related=index.related.get(report.slug, []) if index else [],
            newer=reports[i - 1] if i > 0 else None,
            older=reports[i + 1] if i + 1 < len(reports) else None,
            citation=citation(report, site.config),
            handling=handling(report),
            **report_meta(report, site.config, mentioned),
        ))
    return out


def _contents(body: RenderedBody) -> tuple[Paragraph, ...]:
    """A report page's table of contents: its h2 headings, when there are three or more."""
    headings = tuple(p for p in body.paragraphs if p.kind == "h2")
    return headings if len(headings) >= 3 else ()


def group_pages(site: Site, describer: _Describer) -> list[Page]:
    """One page per county (with its map and JSON-LD), author and year, and the index pages listing them."""
    page, config = describer.page, site.config
    out = [page("group.html", group.url, group=group, shared=group_programmes(site, group),
                county_map=describer.county_map((group.name,), "county-location", counted=False),
                jsonld=county_meta(group, config, describer.where.get(group.name)))
           for group in site.counties]
    out += [page("group.html", group.url, group=group, shared=group_programmes(site, group), county_map=None, jsonld="")
            for groups in (site.authors, site.years) for group in groups]
    provinces = tuple((province, _listed(groups)) for province, groups in site.provinces)
    out.append(page("counties.html", "counties/index.html", provinces=provinces, county_map=describer.county_map()))
    out.append(page("authors.html", "authors/index.html", authors=_listed(site.authors)))
    biggest = max((g.count for g in site.years), default=1)
    out.append(page("years.html", "years/index.html", years=_listed(site.years), biggest=biggest))
    out.append(page("reports.html", "reports/index.html", years=site.years))
    return out


def group_programmes(site: Site, group: Group, n: int = 15) -> list[tuple[Programme, int]]:
    """The programmes a group's reports mention: (programme, how many of its reports), most first."""
    index = site.programme_index
    if not index:
        return []
    by_report = index.by_report
    counts: Counter[str] = Counter()  # programme slug -> reports of the group mentioning it, in order of first mention
    named: dict[str, Programme] = {}
    for report in group.reports:
        for programme, _ in by_report.get(report.slug, ()):
            counts[programme.slug] += 1
            named[programme.slug] = programme
    return sorted(((named[slug], count) for slug, count in counts.items()), key=lambda row: (-row[1], row[0].name))[:n]


def most_shared(site: Site, n: int = 8) -> list[tuple[Programme, int, int]]:
    """The programmes mentioned by the most counties, then reports: (programme, counties, reports)."""
    index = site.programme_index
    if not index:
        return []
    by_slug = {p.slug: p for p in site.programmes}
    rows = []
    for slug, reports in index.reports_of.items():
        if slug in by_slug and reports:
            rows.append((by_slug[slug], len({x.county for x in reports}), len(reports)))
    rows.sort(key=lambda row: (-row[1], -row[2], row[0].name))
    return rows[:n]


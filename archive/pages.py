"""Every HTML page, feed and data file of the site, rendered with the Jinja layouts."""
from __future__ import annotations

import csv
import functools
import html
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from jinja2 import (Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError, pass_context,
                    select_autoescape)
from markupsafe import Markup, escape

from . import programmes, search
from .content import PartialDate, Report
from .errors import BuildError, Problem, display_path
from .incremental import derived, stable
from .output import OutputFile
from .collection import Group, Site


def xml_escape(text: str) -> str:
    """Text for an XML text node or a quoted attribute (feed, sitemap): &, <, > and both quotes escaped."""
    return html.escape(text, quote=True)


def relative_url(current: str, target: str) -> str:
    """The link from page `current` to `target` (both relative to the site root), percent-encoded.

    Links are relative and name a file, so the site works from any sub-path and from file://.
    """
    return _relative_link(current.rpartition("/")[0], target)


@functools.lru_cache(maxsize=1 << 17)
def _relative_link(start_dir: str, target: str) -> str:
    """relative_url from a page in the folder start_dir; a site has a few folders and many pages in each."""
    path, _, fragment = target.partition("#")
    link = _relative_path(start_dir, path) if path else ""
    if fragment:
        link += "#" + _quote(fragment, "")
    return link


@functools.lru_cache(maxsize=65536)
def _relative_path(start_dir: str, path: str) -> str:
    """posixpath.relpath for clean site paths, without its calls to the file system, percent-encoded."""
    here = start_dir.split("/") if start_dir else []
    there = path.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    return _quote("/".join([".."] * (len(here) - common) + there[common:]), "/")


@functools.lru_cache(maxsize=65536)
def _quote(text: str, safe: str) -> str:
    return quote(text, safe=safe)


def absolute_url(base_url: str, path: str) -> str:
    """An absolute URL for the feed and sitemap, the only places that need one."""
    return base_url + quote(path, safe="/")


@dataclass(frozen=True)
class NavItem:
    """One entry of the main navigation."""

    label: str
    url: str
    section: str  # the first URL part of the pages this entry stands for


@functools.lru_cache(maxsize=2)  # every page shows it: one list, not seven new items per page
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


class Renderer:
    """Renders Jinja layouts into site files, every link made relative to the page being rendered."""

    def __init__(self, site: Site, layouts: Path):
        self.site = site
        self.layouts = layouts
        self.env = Environment(
            loader=FileSystemLoader(str(layouts)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # a Renderer lives for one build: no need to stat the layouts for every page
        )
        self.env.filters["date_text"] = _date_text
        # Filters, not context functions, for what every page does many times: Jinja calls a filter directly
        self.env.filters["rel"] = _rel
        self.env.filters["time_tag"] = _time_tag
        # The long lists, rendered in Python (below); filters rather than globals, which Jinja copies into every page
        self.env.filters.update(programme_report_rows=programme_report_rows, programme_figure_rows=programme_figure_rows,
                                programme_passages=programme_passages, report_list=report_list,
                                related_items=related_items, programme_tags=programme_tags, author_links=author_links)
        # Programme pages come from programmes.render_pages; until it has produced its index, assume it will
        self.with_programmes = bool(site.programmes)
        self._sources: dict[str, str] = {}  # template -> its path, named as the source of the pages it renders

    @staticmethod
    def rel(target: str, current: str) -> str:
        """The relative, percent-encoded link from page `current` to `target`."""
        return relative_url(current, target)

    def page(self, template: str, url: str, **context) -> OutputFile:
        """Render a layout for the page at `url` with the common context plus `context`."""
        section = url.split("/", 1)[0]
        common = {
            "site": self.site,
            "config": self.site.config,
            "url": url,
            # In watch mode the same function and list as in the last build, known unchanged on every page
            "rel": derived(("pages.rel", url), (), lambda: lambda target: relative_url(url, target)),
            "nav": stable(("pages.nav", self.with_programmes), navigation(self.with_programmes)),
            "with_programmes": self.with_programmes,
            "section": section,
            "programme_index": self.site.programme_index,
        }
        try:
            html = self.env.get_template(template).render({**common, **context})
        except TemplateError as exc:
            raise BuildError([_template_problem(exc, self.layouts / template, url)]) from None
        source = self._sources.get(template)
        if source is None:  # a Path joined for every one of a thousand report pages costs more than their check
            source = self._sources[template] = f"{self.layouts / template}"
        return OutputFile(url, html.encode("utf-8"), source)


def _template_problem(exc: TemplateError, template: Path, url: str) -> Problem:
    """A layout error as layouts/x.html:line: message, the line found in the traceback Jinja keeps."""
    if isinstance(exc, TemplateSyntaxError):
        return Problem(exc.filename or str(template), exc.lineno or 1, f"{exc.message} (rendering {url})")
    path, line = str(template), 1
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml")):
            path, line = name, tb.tb_lineno
        tb = tb.tb_next
    return Problem(display_path(path), line, f"{exc} (rendering {url})")


def _date_text(date: PartialDate) -> str:
    """A date as a Chinese reader writes it, exactly as precise as known."""
    return date.chinese()


@pass_context
def _rel(context, target: str) -> str:
    """`{{ target|rel }}`: the link from the page being rendered to `target`, as rel(target) gives it."""
    return relative_url(context["url"], target)


# ---------------------------------------------------------------- long lists
#
# The rows a page repeats hundreds of times (a programme page lists every passage of every report that
# mentions it) are rendered here, not in a Jinja loop: Jinja spends about a microsecond on every {{ }} it
# prints, and a row has ten. The layouts call these functions where the loop would be. Every text is
# escaped; the Markup returned is built only from escaped text and literal tags.
# In watch mode the arguments are probes that record what the page reads: read everything through them.

try:  # markupsafe's own escaping, as a str: a Markup object for each of 250,000 pieces costs more than the escaping
    from markupsafe._speedups import _escape_inner as _escape_str
except ImportError:  # pragma: no cover - markupsafe without its C extension
    def _escape_str(text: str) -> str:
        return str(escape(text))


def _h(value: object) -> str:
    """A value as HTML text, escaped exactly as Jinja's autoescape does it."""
    return _escape_str(value if type(value) is str else str(value))


_PASSAGE_KINDS = {"figure": "图片说明", "h2": "小标题", "h3": "小标题", "li": "列表", "td": "表格"}
_TIME_HTML: dict[tuple, str] = {}  # (year, month, day) -> its <time> element; a date's markup depends on nothing else


def _time_html(date: PartialDate) -> str:
    """<time datetime="2017-07">2017年7月</time>."""
    key = (date.year, date.month, date.day)
    html = _TIME_HTML.get(key)
    if html is None:
        html = _TIME_HTML[key] = f'<time datetime="{_h(date.iso())}">{_h(date.chinese())}</time>'
    return html


def _time_tag(date: PartialDate) -> Markup:
    """`{{ date|time_tag }}`: <time datetime="2017-07">2017年7月</time>."""
    return Markup(_time_html(date))


def _marked_html(pieces, start: str, end: str) -> str:
    """(text, is_mention) pieces escaped, each mention between the tags start and end."""
    escape_str = _escape_str  # pieces are cut from a sentence: always str
    return "".join(f"{start}{escape_str(text)}{end}" if is_mention else escape_str(text) for text, is_mention in pieces)


def _folder(url: str) -> str:
    """The folder of a page ('' for the site root), what its relative links depend on."""
    return url.rpartition("/")[0]


@functools.lru_cache(maxsize=1 << 16)
def _a(folder: str, target: str, text: str) -> str:
    """<a href="target">text</a> from a page in folder, escaped: the same link is on many pages of a folder."""
    return f'<a href="{_h(_relative_link(folder, target))}">{_h(text)}</a>'


@pass_context
def programme_report_rows(context, entry) -> Markup:
    """The rows of a programme page's table of reports: date, county, title, mentions."""
    folder, county_of, counts = _folder(context["url"]), context["site"].county_of, entry.counts
    rows = []
    for report in entry.reports:
        n = counts[report.slug]
        mentions = f'<a href="#r-{_h(report.slug)}">{_h(n)} 处</a>' if n else "编者标注"
        rows.append(
            "    <tr>\n"
            f'      <td class="nowrap">{_time_html(report.date)}</td>\n'
            f'      <td class="nowrap">{_a(folder, county_of[report.county].url, report.county)}</td>\n'
            f'      <td class="title">{_a(folder, report.url, report.title)}</td>\n'
            f'      <td class="num">{mentions}</td>\n'
            "    </tr>")
    return Markup("\n".join(rows))


@pass_context
def programme_figure_rows(context, figures) -> Markup:
    """The rows of a programme page's table of figures: county, date, figure, its clause, a link to its sentence."""
    folder = _folder(context["url"])
    rows = []
    for f in figures:
        report = f.report
        via = "" if f.direct else '<span class="via">相关</span>'
        rows.append(
            "    <tr>\n"
            f'      <td class="nowrap">{_h(report.county)}</td>\n'
            f'      <td class="nowrap">{_time_html(report.date)}</td>\n'
            f'      <td class="num value">{_h(f.value)}</td>\n'
            f'      <td class="clause">{_marked_html(f.pieces, "<strong>", "</strong>")}{via}</td>\n'
            f'      <td class="nowrap"><a href="{_h(_relative_link(folder, report.url + "#" + f.anchor))}">原文</a></td>\n'
            "    </tr>")
    return Markup("\n".join(rows))


@pass_context
def programme_passages(context, entry) -> Markup:
    """A programme page's passages, one section per report: its heading, then each sentence with the mentions marked."""
    folder, passages = _folder(context["url"]), entry.passages
    sections = []
    for report in entry.reports:
        if report.slug not in passages:
            continue
        url = report.url
        items = "".join(
            f'    <li>{_marked_html(p.pieces, "<mark>", "</mark>")}<a class="where" href="'
            f'{_h(_relative_link(folder, url + "#" + p.anchor))}">{_PASSAGE_KINDS.get(p.kind, "原文")} ¶{_h(p.anchor[1:])}</a></li>\n'
            for p in passages[report.slug])
        sections.append(
            f'<section class="passage-report" id="r-{_h(report.slug)}">\n'
            f'  <h3>{_h(report.county)} · {_time_html(report.date)} · {_a(folder, url, report.title)}</h3>\n'
            f'  <ol class="passages">\n{items}  </ol>\n'
            "</section>")
    return Markup("\n".join(sections))


@pass_context
def report_list(context, reports, show_county: bool = True) -> Markup:
    """<ul class="report-list">: each report's title, date, county (unless the page is the county's) and authors."""
    site = context["site"]
    folder, county_of, author_of = _folder(context["url"]), site.county_of, site.author_of
    items = []
    for report in reports:
        county = f" · {_a(folder, county_of[report.county].url, report.county)}" if show_county else ""
        authors = report.authors
        by = " · " + "、".join(_a(folder, author_of[a].url, a) for a in authors) if authors else ""
        items.append(
            '<li class="report-item">\n'
            f'  <a class="report-title" href="{_h(_relative_link(folder, report.url))}">{_h(report.title)}</a>\n'
            '  <span class="report-meta">\n'
            f"    {_time_html(report.date)}\n"
            f"{county}{by}  </span>\n"
            "</li>\n")
    return Markup(f'<ul class="report-list">\n{"".join(items)}</ul>\n')


@pass_context
def related_items(context, related) -> Markup:
    """A report page's related reports: title, county, date and the programmes they share."""
    folder = _folder(context["url"])
    return Markup("\n".join(
        '    <li class="report-item">\n'
        f'      <a class="report-title" href="{_h(_relative_link(folder, other.url))}">{_h(other.title)}</a>\n'
        f'      <span class="report-meta">{_h(other.county)} · {_h(other.date.chinese())} · 共同项目：'
        f'{"、".join(_a(folder, p.url, p.name) for p in shared)}</span>\n'
        "    </li>"
        for other, _score, shared in related))


@pass_context
def programme_tags(context, mentioned) -> Markup:
    """A report page's programmes, each with how often the report mentions it (or that the editors added it)."""
    folder = _folder(context["url"])
    return Markup("\n".join(
        f'    <li>{_a(folder, programme.url, programme.name)} '
        f'<span class="count">{f"{_h(count)} 处" if count else "编者标注"}</span></li>'
        for programme, count in mentioned))


@pass_context
def author_links(context, authors) -> Markup:
    """Each author linked to the author's page, separated by 、."""
    folder, author_of = _folder(context["url"]), context["site"].author_of
    return Markup("、".join(_a(folder, author_of[a].url, a) for a in authors))


# ---------------------------------------------------------------- pages


def report_pages(site: Site, r: Renderer) -> list[OutputFile]:
    """One page per report, with its neighbours in time."""
    out = []
    index = site.programme_index
    for i, report in enumerate(site.reports):
        html, toc = derived(("pages.report.body", report.path), (site.bodies[report.slug],),
                            functools.partial(_body_parts, site.bodies[report.slug]))
        out.append(r.page(
            "report.html", report.url,
            report=report,
            body=html,
            toc=toc,
            county=site.county_of[report.county],
            source_url=source_path(report),
            # front matter is typed by hand: only a web address becomes a link, never javascript: or file:
            web_url=report.source_url if report.source_url.lower().startswith(("http://", "https://")) else "",
            mentioned=index.by_report.get(report.slug, []) if index else [],
            related=index.related.get(report.slug, []) if index else [],
            newer=site.reports[i - 1] if i > 0 else None,
            older=site.reports[i + 1] if i + 1 < len(site.reports) else None,
        ))
    return out


def _body_parts(body) -> tuple[Markup, list]:
    """A report page's body and its table of contents (its h2 headings, when there are three or more)."""
    headings = [p for p in body.paragraphs if p.kind == "h2"]
    return Markup(body.html), headings if len(headings) >= 3 else []


def source_path(report: Report) -> str:
    """Where the raw source text of a report is published ('' when it has none)."""
    return f"sources/{report.source_file}" if report.source_file else ""


def group_pages(site: Site, r: Renderer) -> list[OutputFile]:
    """One page per county, author and year, and the index pages listing them with counts."""
    out = []
    for groups in (site.counties, site.authors, site.years):
        for group in groups:
            out.append(r.page("group.html", group.url, group=group, shared=_group_programmes(site, group)))
    out.append(r.page("counties.html", "counties/index.html"))
    out.append(r.page("authors.html", "authors/index.html"))
    biggest = max((g.count for g in site.years), default=1)
    out.append(r.page("years.html", "years/index.html", biggest=biggest))
    out.append(r.page("reports.html", "reports/index.html"))
    return out


def _group_programmes(site: Site, group: Group) -> list[tuple[object, int]]:
    """group_programmes; in watch mode last build's list while the group and its reports' programmes are unchanged."""
    index = site.programme_index
    if not index:
        return []
    by_report = index.by_report
    return derived(("pages.group_programmes", group.url), (group, *(by_report.get(r.slug, ()) for r in group.reports)),
                   functools.partial(group_programmes, site, group))


def group_programmes(site: Site, group: Group, n: int = 15) -> list[tuple[object, int]]:
    """The programmes a group's reports mention: (programme, how many of its reports), most first."""
    index = site.programme_index
    if not index:
        return []
    by_report = index.by_report
    counts: Counter = Counter()  # programme slug -> reports of the group mentioning it, in order of first mention
    programmes = {}
    for report in group.reports:
        for programme, _ in by_report.get(report.slug, ()):
            counts[programme.slug] += 1
            programmes[programme.slug] = programme
    return sorted(((programmes[slug], count) for slug, count in counts.items()), key=lambda row: (-row[1], row[0].name))[:n]


def most_shared(site: Site, n: int = 8) -> list[tuple[object, int, int]]:
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


def home_page(site: Site, r: Renderer) -> OutputFile:
    """The front page: what the archive is, counts, latest reports, most-shared programmes."""
    return r.page("home.html", "index.html", latest=site.latest(8), shared=most_shared(site))


# ---------------------------------------------------------------- timeline

_TL_WIDTH = 960  # the drawing's own units; the SVG scales to the page width
_TL_LEFT = 120  # room for the lane of reports known only to the year, labels included
_TL_RIGHT = 12
_TL_LANE = 22
_TL_TOP = 30
_TL_CHAR = 13  # width of a CJK character at the label's font size


@dataclass
class TimelineMark:
    """One report placed on a year's axis, its county label beside it."""

    report: Report
    x: float
    y: float
    precision: str
    label_x: float
    anchor: str  # 'start' (label to the right of the mark) or 'end' (to the left, near the axis end)


@dataclass
class TimelineYear:
    """One year of the timeline: its marks, month ticks and the drawing's height."""

    group: Group
    marks: list[TimelineMark]
    ticks: list[tuple[float, str]]
    height: int


def _timeline_x(date: PartialDate) -> float:
    """Where in a year a date falls; a date known only to the year sits in the left lane."""
    span = _TL_WIDTH - _TL_LEFT - _TL_RIGHT
    if date.month is None:
        return 10
    fraction = (date.month - 1 + ((date.day - 0.5) / 31 if date.day else 0.5)) / 12
    return _TL_LEFT + fraction * span


def timeline(site: Site) -> list[TimelineYear]:
    """Every report on its year's axis, labels stacked in lanes so that none overlaps another."""
    span = _TL_WIDTH - _TL_LEFT - _TL_RIGHT
    ticks = [(round(_TL_LEFT + m / 12 * span, 1), f"{m + 1}月") for m in range(12)]
    # In watch mode a year whose group is unchanged keeps last build's drawing, so the timeline page is
    # checked at the year that changed only.
    return [derived(("pages.timeline", group.url), (group,), functools.partial(_timeline_year, group, ticks))
            for group in site.years]


def _timeline_year(group: Group, ticks: list[tuple[float, str]]) -> TimelineYear:
    """One year's axis: its reports in date order, each label in the first lane with room for it."""
    lanes: list[float] = []  # the right end of what is drawn last in each lane
    marks = []
    for report in sorted(group.reports, key=lambda x: (x.date.sort_key(), x.slug)):
        x = _timeline_x(report.date)
        text_width = _TL_CHAR * len(report.county)
        if x + 9 + text_width > _TL_WIDTH - 2:  # no room on the right: label on the left of the mark
            left, right, label_x, anchor = x - 9 - text_width, x + 6, x - 9, "end"
        else:
            left, right, label_x, anchor = x - 6, x + 9 + text_width, x + 9, "start"
        lane = next((i for i, end in enumerate(lanes) if end < left - 4), None)
        if lane is None:
            lanes.append(0)
            lane = len(lanes) - 1
        lanes[lane] = right
        marks.append(TimelineMark(report, round(x, 1), _TL_TOP + 14 + lane * _TL_LANE, report.date.precision, round(label_x, 1), anchor))
    return TimelineYear(group, marks, ticks, _TL_TOP + 24 + len(lanes) * _TL_LANE)


# ---------------------------------------------------------------- feeds and data


def _atom_date(date: PartialDate) -> str:
    """An RFC 3339 time for a partial date: its first day, at midnight China time."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00+08:00"


def _excerpt(report: Report, body, limit: int = 200) -> str:
    """The summary, or the opening of the body, for the feed."""
    if report.summary:
        return report.summary
    text = "".join(p.text for p in body.paragraphs if p.kind == "p")
    return text[:limit] + ("…" if len(text) > limit else "")


def _feed_entry(base: str, report: Report, body) -> list[str]:
    """The lines of one report's entry in the feed."""
    url = absolute_url(base, report.url)
    return [
        "  <entry>",
        f"    <title>{xml_escape(report.title)}</title>",
        f'    <link rel="alternate" type="text/html" href="{xml_escape(url)}"/>',
        f"    <id>{xml_escape(url)}</id>",
        f"    <updated>{_atom_date(report.date)}</updated>",
        *[f"    <author><name>{xml_escape(a)}</name></author>" for a in report.authors],
        f'    <category term="{xml_escape(report.county)}"/>',
        f"    <summary>{xml_escape(_excerpt(report, body))}</summary>",
        "  </entry>",
    ]


def atom_feed(site: Site) -> OutputFile:
    """An Atom feed of every report, newest first; `updated` is the newest report's date."""
    base = site.config.base_url
    updated = _atom_date(site.reports[0].date) if site.reports else "1970-01-01T00:00:00Z"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{xml_escape(site.config.language)}">',
        f"  <title>{xml_escape(site.config.title)}</title>",
        f"  <subtitle>{xml_escape(site.config.description)}</subtitle>",
        f'  <link rel="self" href="{xml_escape(absolute_url(base, "feed.xml"))}"/>',
        f'  <link rel="alternate" type="text/html" href="{xml_escape(base)}"/>',
        f"  <id>{xml_escape(base)}</id>",
        f"  <updated>{updated}</updated>",
        f"  <author><name>{xml_escape(site.config.title)}</name></author>",
    ]
    for report in site.reports:
        # In watch mode an unchanged report and body keep last build's entry
        body = site.bodies.get(report.slug)
        lines += derived(("pages.feed", report.path), (report, body, site.config),
                         functools.partial(_feed_entry, base, report, body))
    lines.append("</feed>")
    return OutputFile("feed.xml", ("\n".join(lines) + "\n").encode("utf-8"), "feed")


@functools.lru_cache(maxsize=1 << 16)  # a rebuild lists the same pages again
def _sitemap_line(base: str, url: str, lastmod: str | None) -> str:
    """One page's <url> element."""
    loc = absolute_url(base, "" if url == "index.html" else url)
    mod = f"<lastmod>{lastmod}</lastmod>" if lastmod is not None else ""
    return f"  <url><loc>{xml_escape(loc)}</loc>{mod}</url>"


def sitemap(site: Site, urls: list[str]) -> OutputFile:
    """sitemap.xml: every HTML page; a report's lastmod is its date at its own precision."""
    base = site.config.base_url
    lastmod = {r.url: r.date.iso() for r in site.reports}
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [_sitemap_line(base, url, lastmod.get(url)) for url in sorted(urls)]
    lines.append("</urlset>")
    return OutputFile("sitemap.xml", ("\n".join(lines) + "\n").encode("utf-8"), "sitemap")


def catalog_rows(site: Site) -> list[dict]:
    """The reports as open data, newest first."""
    index = site.programme_index
    rows = []
    for report in site.reports:
        mentioned = index.by_report.get(report.slug, []) if index else []
        # In watch mode an unchanged report naming the same programmes keeps last build's row, and its texts
        rows.append(derived(("pages.catalog", report.path), (report, mentioned),
                            functools.partial(_catalog_row, report, mentioned)))
    return rows


def _catalog_row(report: Report, mentioned: list) -> dict:
    """One report's row of the catalog."""
    return {
        "url": report.url,
        "title": report.title,
        "county": report.county,
        "prefecture": report.prefecture,
        "province": report.province,
        "date": report.date.iso(),
        "author": list(report.authors),
        "programmes": [p.name for p, _ in mentioned],
        "source_file": source_path(report),
    }


_CSV_COLUMNS = ["url", "title", "county", "prefecture", "province", "date", "author", "programmes", "source_file"]
# id -> (row, its JSON, its CSV line) for the rows of the last catalog: json.dumps with an indent runs in
# Python (no C encoder), and in watch mode all rows but the edited one are the very rows of the last build.
_ROW_TEXTS: dict[int, tuple[dict, str, str]] = {}


def _row_texts(rows: list[dict]) -> list[tuple[dict, str, str]]:
    """Each row with its JSON as an item of the catalog's list of reports, and its CSV line."""
    global _ROW_TEXTS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    now: dict[int, tuple[dict, str, str]] = {}
    out = []
    for row in rows:
        texts = _ROW_TEXTS.get(id(row))
        if texts is None or texts[0] is not row:  # rows are never changed once made: the same row, the same texts
            writer.writerow(["; ".join(v) if isinstance(v, list) else v for v in (row[c] for c in _CSV_COLUMNS)])
            line = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            texts = (row, _json_item(row), line)
        now[id(row)] = texts
        out.append(texts)
    _ROW_TEXTS = now
    return out


def _json_item(row: dict) -> str:
    """A row as json.dumps(..., indent=1) writes it as an item of a list at the top level: two levels in."""
    return "  " + json.dumps(row, ensure_ascii=False, indent=1).replace("\n", "\n  ")  # JSON text has no raw line break


def _json_list(items: list[str]) -> str:
    """json.dumps(rows, ensure_ascii=False, indent=1) as the value of a key at the top level, from _json_item of each."""
    return "[\n" + ",\n".join(items) + "\n ]" if items else "[]"


_PROGRAMME_TEXTS: dict[tuple, str] = {}  # a programme's row by its content -> its JSON


def _programme_json(row: dict) -> str:
    """_json_item of a programme's row (its name and the URLs of its reports), kept by its content."""
    key = tuple((k, tuple(v) if type(v) is list else v) for k, v in row.items())  # values: text, lists of text
    text = _PROGRAMME_TEXTS.get(key)
    if text is None:
        text = _PROGRAMME_TEXTS[key] = _json_item(row)
    return text


def catalog(site: Site) -> list[OutputFile]:
    """catalog.json (reports and programmes) and catalog.csv (reports, UTF-8 with BOM for spreadsheets)."""
    reports = _row_texts(catalog_rows(site))
    index = site.programme_index
    progs = [{
        "url": p.url,
        "name": p.name,
        "aliases": list(p.aliases),
        "category": p.category,
        "reports": [x.url for x in (index.reports_of.get(p.slug, []) if index else [])],
    } for p in site.programmes]
    if len(_PROGRAMME_TEXTS) > 2 * len(progs) + 100:  # forget programmes edited away
        _PROGRAMME_TEXTS.clear()
    data = (f'{{\n "reports": {_json_list([json for _, json, _ in reports])},\n'
            f' "programmes": {_json_list([_programme_json(p) for p in progs])}\n}}\n')
    header = ",".join(_CSV_COLUMNS) + "\r\n"  # as csv writes it: the names need no quotes
    csv_text = "\ufeff" + header + "".join(line for _, _, line in reports)
    return [
        OutputFile("catalog.json", data.encode("utf-8"), "catalog"),
        OutputFile("catalog.csv", csv_text.encode("utf-8"), "catalog"),
    ]


def static_files(layouts: Path) -> list[OutputFile]:
    """layouts/static/** copied to assets/**."""
    root = layouts / "static"
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    return [OutputFile("assets/" + p.relative_to(root).as_posix(), p.read_bytes(), str(p)) for p in files]


def source_files(site: Site) -> list[OutputFile]:
    """The raw source text of every report, published beside the pages as UTF-8 text."""
    out = {}
    for report in site.reports:
        if report.source_file:
            path = site.root / "sources" / report.source_file
            out[source_path(report)] = OutputFile(source_path(report), utf8_source(path), str(path))
    return [out[k] for k in sorted(out)]


def utf8_source(path: Path) -> bytes:
    """A source's bytes as received when they are UTF-8; a GB18030 or UTF-16 source re-encoded so it reads as UTF-8."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    from .importer import ImportProblem, decode

    try:
        return decode(data, path).text.encode("utf-8")
    except ImportProblem:
        return data  # not text we can read either: publish it untouched rather than lose it


def render_site(site: Site, layouts: Path, renderer: Renderer | None = None) -> list[OutputFile]:
    """Every page, feed, data file and asset of the site (pages through `renderer`, by default a Renderer)."""
    r = renderer or Renderer(site, layouts)
    files = programmes.render_pages(site, r)
    # no link to a programme index that was not made
    r.with_programmes = any(f.path == "programmes/index.html" for f in files)
    files += search.render_pages(site, r)
    files += [home_page(site, r), *report_pages(site, r), *group_pages(site, r)]
    files.append(r.page("timeline.html", "timeline.html", years=timeline(site), width=_TL_WIDTH, left=_TL_LEFT))
    html_urls = [f.path for f in files if f.path.endswith(".html")]
    css = (layouts / "static/css/site.css")
    files.append(r.page("404.html", "404.html", inline_css=Markup(css.read_text(encoding="utf-8") if css.is_file() else "")))
    files += [atom_feed(site), sitemap(site, html_urls), *catalog(site)]
    files += static_files(layouts) + source_files(site)
    return files

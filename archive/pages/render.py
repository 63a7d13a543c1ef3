"""The Jinja Renderer: described pages in, site files out, every link relative to the page being rendered."""
from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup, escape

from .. import countymap
from ..content import PartialDate
from ..errors import BuildError, Problem, display_path
from ..output import OutputFile
from .describe import Page


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
    """urllib's quote, kept per text: a site links the same few hundred paths from every page."""
    return quote(text, safe=safe)


class Renderer:
    """Renders described pages with the Jinja layouts of one folder; it knows nothing of the site."""

    def __init__(self, layouts: Path) -> None:
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
        # Filters, not context functions, for what every page does many times: Jinja calls a filter directly.
        # The long lists are rendered in Python (below); filters rather than globals, which Jinja copies into every page.
        self.env.filters.update(date_text=_date_text, rel=_rel, time_tag=_time_tag,
                                programme_report_rows=programme_report_rows, programme_figure_rows=programme_figure_rows,
                                programme_passages=programme_passages, report_list=report_list,
                                related_items=related_items, programme_tags=programme_tags, author_links=author_links,
                                county_map=county_map)
        # The 404 page inlines the stylesheet: a server shows it at any missing path, where a relative link would miss.
        css = layouts / "static/css/site.css"
        self.env.globals["inline_css"] = Markup(css.read_text(encoding="utf-8") if css.is_file() else "")

    def render(self, page: Page) -> OutputFile:
        """One page's file: its layout rendered with its context."""
        try:
            html = self.env.get_template(page.template).render(page.context)
        except TemplateError as exc:
            raise BuildError([template_problem(exc, self.layouts / page.template, page.url)]) from None
        return OutputFile(page.url, html.encode("utf-8"), str(self.layouts / page.template))


def render_pages(pages: Iterable[Page], renderer: Renderer) -> list[OutputFile]:
    """The files of any pages, in their order: each page depends on its own description only."""
    return [renderer.render(page) for page in pages]


def template_problem(exc: TemplateError, template: Path, url: str) -> Problem:
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
def _rel(context: Context, target: str) -> str:
    """`{{ target|rel }}`: the link from the page being rendered to `target`."""
    return relative_url(context["url"], target)


def _time_tag(date: PartialDate) -> Markup:
    """`{{ date|time_tag }}`: <time datetime="2017-07">2017年7月</time>."""
    return Markup(_time_html(date))


# ---------------------------------------------------------------- long lists
#
# The rows a page repeats hundreds of times (a programme page lists every passage of every report that
# mentions it) are rendered here, not in a Jinja loop: Jinja spends about a microsecond on every {{ }} it
# prints, and a row has ten. The layouts call these functions where the loop would be. Every text is
# escaped; the Markup returned is built only from escaped text and literal tags.

try:  # markupsafe's own escaping, as a str: a Markup object for each of 250,000 pieces costs more than the escaping
    from markupsafe._speedups import _escape_inner as _escape_str
except ImportError:  # pragma: no cover - markupsafe without its C extension
    def _escape_str(s: str, /) -> str:
        """markupsafe.escape as a str."""
        return str(escape(s))


def _h(value: object) -> str:
    """A value as HTML text, escaped exactly as Jinja's autoescape does it."""
    return _escape_str(value if type(value) is str else str(value))


_PASSAGE_KINDS = {"figure": "图片说明", "h2": "小标题", "h3": "小标题", "li": "列表", "td": "表格"}


@functools.lru_cache(maxsize=4096)  # a date's markup depends on the date alone, and dates repeat on every list
def _time_html(date: PartialDate) -> str:
    """<time datetime="2017-07">2017年7月</time>."""
    return f'<time datetime="{_h(date.iso())}">{_h(date.chinese())}</time>'


def _marked_html(pieces: Iterable[tuple[str, bool]], start: str, end: str) -> str:
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


def _links(context: Context) -> Any:
    """The page's map of group pages by name (describe.Links)."""
    return context["links"]


@pass_context
def programme_report_rows(context: Context, entry: Any) -> Markup:
    """The rows of a programme page's table of reports: date, county, title, mentions."""
    folder, county_url, counts = _folder(context["url"]), _links(context).county, entry.counts
    rows = []
    for report in entry.reports:
        n = counts[report.slug]
        mentions = f'<a href="#r-{_h(report.slug)}">{_h(n)} 处</a>' if n else "编者标注"
        rows.append(
            "    <tr>\n"
            f'      <td class="nowrap">{_time_html(report.date)}</td>\n'
            f'      <td class="nowrap">{_a(folder, county_url[report.county], report.county)}</td>\n'
            f'      <td class="title">{_a(folder, report.url, report.title)}</td>\n'
            f'      <td class="num">{mentions}</td>\n'
            "    </tr>")
    return Markup("\n".join(rows))


@pass_context
def programme_figure_rows(context: Context, figures: Iterable[Any]) -> Markup:
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
def programme_passages(context: Context, entry: Any) -> Markup:
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
def report_list(context: Context, reports: Iterable[Any], show_county: bool = True) -> Markup:
    """<ul class="report-list">: each report's title, date, county (unless the page is the county's) and authors."""
    links = _links(context)
    folder, county_url, author_url = _folder(context["url"]), links.county, links.author
    items = []
    for report in reports:
        county = f" · {_a(folder, county_url[report.county], report.county)}" if show_county else ""
        authors = report.authors
        by = " · " + "、".join(_a(folder, author_url[a], a) for a in authors) if authors else ""
        items.append(
            '<li class="report-item">\n'
            f'  <a class="report-title" href="{_h(_relative_link(folder, report.url))}">{_h(report.title)}</a>\n'
            '  <span class="report-meta">\n'
            f"    {_time_html(report.date)}\n"
            f"{county}{by}  </span>\n"
            "</li>\n")
    return Markup(f'<ul class="report-list">\n{"".join(items)}</ul>\n')


@pass_context
def related_items(context: Context, related: Iterable[tuple[Any, float, list[Any]]]) -> Markup:
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
def programme_tags(context: Context, mentioned: Iterable[tuple[Any, int]]) -> Markup:
    """A report page's programmes, each with how often the report mentions it (or that the editors added it)."""
    folder = _folder(context["url"])
    return Markup("\n".join(
        f'    <li>{_a(folder, programme.url, programme.name)} '
        f'<span class="count">{f"{_h(count)} 处" if count else "编者标注"}</span></li>'
        for programme, count in mentioned))


@pass_context
def author_links(context: Context, authors: Iterable[str]) -> Markup:
    """Each author linked to the author's page, separated by 、."""
    folder, author_url = _folder(context["url"]), _links(context).author
    return Markup("、".join(_a(folder, author_url[a], a) for a in authors))



@pass_context
def county_map(context: Context, drawn: Any) -> Markup:
    """`{{ county_map|county_map }}`: a places.CountyMap as SVG, each point linking relative to the page."""
    folder, marked = _folder(context["url"]), set(drawn.highlighted)
    points = [countymap.MapPoint(p.name, _relative_link(folder, p.url), p.lon, p.lat, p.count, p.name in marked, p.province)
              for p in drawn.points]
    return countymap.county_map(points, drawn.title, drawn.id_prefix)

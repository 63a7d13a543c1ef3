"""The Atom feed and the sitemap: the only files with absolute URLs."""
from __future__ import annotations

import html
from urllib.parse import quote

from ..content import PartialDate, Report
from ..markdown import RenderedBody
from ..output import OutputFile
from ..collection import Site


def xml_escape(text: str) -> str:
    """Text for an XML text node or a quoted attribute (feed, sitemap): &, <, > and both quotes escaped."""
    return html.escape(text, quote=True)


def absolute_url(base_url: str, path: str) -> str:
    """An absolute URL for the feed and sitemap, the only places that need one."""
    return base_url + quote(path, safe="/")


def _atom_date(date: PartialDate) -> str:
    """An RFC 3339 time for a partial date: its first day, at midnight China time."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00+08:00"


def _excerpt(report: Report, body: RenderedBody | None, limit: int = 200) -> str:
    """The summary, or the opening of the body, for the feed."""
    if report.summary:
        return report.summary
    text = "".join(p.text for p in body.paragraphs if p.kind == "p") if body else ""
    return text[:limit] + ("…" if len(text) > limit else "")


def _feed_entry(base: str, report: Report, body: RenderedBody | None) -> list[str]:
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
        lines += _feed_entry(base, report, site.bodies.get(report.slug))
    lines.append("</feed>")
    return OutputFile("feed.xml", ("\n".join(lines) + "\n").encode("utf-8"), "feed")


def sitemap(site: Site, urls: list[str]) -> OutputFile:
    """sitemap.xml: every page listed; a report's lastmod is its date at its own precision."""
    base = site.config.base_url
    lastmod = {r.url: r.date.iso() for r in site.reports}
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in sorted(urls):
        loc = absolute_url(base, "" if url == "index.html" else url)
        mod = lastmod.get(url)
        lines.append(f"  <url><loc>{xml_escape(loc)}</loc>{f'<lastmod>{mod}</lastmod>' if mod is not None else ''}</url>")
    lines.append("</urlset>")
    return OutputFile("sitemap.xml", ("\n".join(lines) + "\n").encode("utf-8"), "sitemap")

"""The site's pages and files: describe every page, render any of them, and write the feeds, catalog and assets.

describe.py makes a frozen Page (url, template, context) for every HTML page; keys.py digests what a page
shows, for a watch session's memo; render.py renders any list of pages with the Jinja layouts; feeds.py,
catalog.py and assets.py make the other files.
"""
from __future__ import annotations

from pathlib import Path

from ..output import OutputFile
from ..collection import Site
from .assets import source_files, static_files
from .catalog import catalog, open_data
from .citation import citation_files
from .describe import Page, describe_pages
from .feeds import atom_feed, sitemap
from .keys import page_keys
from .render import Renderer, relative_url, render_pages


def data_files(site: Site, layouts: Path, pages: list[Page]) -> list[OutputFile]:
    """Every file that is not an HTML page: feed, sitemap, catalogs and citations, static assets, raw sources."""
    listed = [p.url for p in pages if p.url != "404.html"]  # a server's answer to a missing page, not a page to find
    return [atom_feed(site), sitemap(site, listed), *catalog(site), *open_data(site),
            *citation_files(site.reports, site.config), *static_files(layouts), *source_files(site)]


def render_site(site: Site, layouts: Path) -> list[OutputFile]:
    """Every page, feed, data file and asset of the site."""
    pages = describe_pages(site)
    return render_pages(pages, Renderer(layouts)) + data_files(site, layouts, pages)


__all__ = ["Page", "Renderer", "data_files", "describe_pages", "page_keys", "relative_url", "render_pages", "render_site"]

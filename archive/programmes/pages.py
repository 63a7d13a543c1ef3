"""Programme pages: the index with the programme × county matrix, and one page per programme (for archive/pages)."""
from __future__ import annotations

from typing import Any, Protocol, TypeVar

from markdown_it import MarkdownIt
from markupsafe import Markup

from .analysis import ProgrammeIndex
from .linking import markdown_plugin
from .registry import Matcher

_Page_co = TypeVar("_Page_co", covariant=True)
_Page = TypeVar("_Page")


class PageMaker(Protocol[_Page_co]):
    """What render_pages asks for each page: archive.pages describes it (the layouts render it later)."""

    def page(self, template: str, url: str, **context: Any) -> _Page_co: ...


def render_pages(site: Any, renderer: PageMaker[_Page]) -> list[_Page]:
    """programmes/index.html (categories and the programme × county matrix) and one page per programme."""
    index: ProgrammeIndex | None = getattr(site, "programme_index", None)
    if not site.programmes or index is None:
        return []
    md = _annotation_markdown(site.matcher)
    files = [renderer.page("programme-index.html", "programmes/index.html", categories=index.categories,
                           counties=index.counties, entries=[e for _, es in index.categories for e in es],
                           biggest=max((c.count for e in index.entries.values() for c in e.cells), default=0))]
    for slug in sorted(index.entries):
        entry = index.entries[slug]
        env = {"exclude": {slug}}
        annotation = Markup(md.render(entry.programme.body, env)) if entry.programme.body.strip() else ""
        files.append(renderer.page("programme.html", entry.programme.url, entry=entry, programme=entry.programme,
                                   annotation=annotation,
                                   measured=any(not f.direct for f in entry.figures)))
    return files


def _annotation_markdown(matcher: Matcher) -> MarkdownIt:
    """Markdown for our annotations: no raw HTML, other programmes linked, the page's own not."""
    md = MarkdownIt("commonmark", {"html": False})
    markdown_plugin(md, matcher)
    return md

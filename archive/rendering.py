"""The render stage: describe every page, then render the pages in chunks on the executor."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from . import pages
from .collection import Site
from .executor import Runner
from .output import OutputFile


@dataclass(frozen=True)
class Page:
    """One page to render: its URL, its layout and what the layout is given; key: a digest of what it shows."""

    url: str
    template: str
    context: dict[str, Any]
    with_programmes: bool
    key: bytes | None = None  # None: unknown, rendered on every build


class _Describer(pages.Renderer):
    """A Renderer that describes each page instead of rendering it (a placeholder file stands in)."""

    def __init__(self, site: Site, layouts: Path) -> None:
        super().__init__(site, layouts)
        self.described: list[Page] = []
        self.placeholders: list[OutputFile] = []

    def page(self, template: str, url: str, **context: Any) -> OutputFile:
        """Note the page; its file is made by render_page()."""
        self.described.append(Page(url, template, context, self.with_programmes))
        self.placeholders.append(OutputFile(url, b"", template))
        return self.placeholders[-1]


def describe(site: Site, layouts: Path) -> tuple[list[Page], list[OutputFile], list[OutputFile]]:
    """Every page of the site; every file in order, a placeholder where a page goes; the placeholders."""
    describer = _Describer(site, layouts)
    files = pages.render_site(site, layouts, describer)
    return describer.described, files, describer.placeholders


def render_page(renderer: pages.Renderer, page: Page) -> OutputFile:
    """One page rendered: a pure function of the page and the layouts."""
    renderer.with_programmes = page.with_programmes
    return renderer.page(page.template, page.url, **page.context)


class PageMemo(Protocol):
    """What this stage needs of a watch session's memo."""

    def pages(self, pages: Sequence[Page], render: Callable[[list[Page]], list[OutputFile]]) -> list[OutputFile]:
        """Every page's file, rendered with render() only for those whose key it does not hold."""
        ...


def render(site: Site, layouts: Path, executor: Runner, memo: PageMemo | None = None) -> list[OutputFile]:
    """Every file of the site but the search index: pages rendered on the executor, unless the memo holds them."""
    described, files, placeholders = describe(site, layouts)
    step = partial(render_page, pages.Renderer(site, layouts))
    if memo is None:
        rendered = executor.map(step, described)
    else:
        rendered = memo.pages(described, lambda todo: executor.map(step, todo))
    page_of = {id(placeholder): page for placeholder, page in zip(placeholders, rendered)}
    return [page_of.get(id(f), f) for f in files]

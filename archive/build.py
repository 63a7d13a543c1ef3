"""The build: load everything, analyse the whole collection, render, index, publish."""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import markdown, pages, programmes, search
from .config import load_config
from .content import Content, load_content
from .errors import Problems
from .output import OutputFile, publish
from .site import Site, assemble

if TYPE_CHECKING:
    from .incremental import Cache


@dataclass(frozen=True)
class BuildOptions:
    """Where to read from and write to."""

    content_dir: Path = Path("content")
    layouts_dir: Path = Path("layouts")
    config_file: Path = Path("config.yml")
    out_dir: Path = Path("site")
    base_url: str | None = None  # overrides config.yml's base_url (feed and sitemap only)
    drafts: bool = False


def load(options: BuildOptions, problems: Problems, cache: Cache | None = None) -> Content:
    """Read and validate config, reports and programmes; errors are collected, not raised."""
    config = load_config(options.config_file, problems)
    if options.base_url:
        config = replace(config, base_url=options.base_url.rstrip("/") + "/")
    with cache.reading() if cache else nullcontext():
        return load_content(config, options.content_dir, problems, drafts=options.drafts)


def analyse(content: Content, problems: Problems, cache: Cache | None = None) -> Site:
    """Link programme mentions, render bodies and derive every cross-reference."""
    matcher = programmes.Matcher.from_registry(content.programmes, problems)
    render_body = cache.body_renderer(content.programmes) if cache else markdown.render_body
    bodies = {r.slug: render_body(r, matcher) for r in content.reports}
    return assemble(content, bodies, matcher, problems)


def render(site: Site, options: BuildOptions, cache: Cache | None = None) -> list[OutputFile]:
    """Every file of the site, in memory."""
    with cache.rendering() if cache else nullcontext():
        return pages.render_site(site, options.layouts_dir) + search.build_search(site)


def build(options: BuildOptions, cache: Cache | None = None) -> tuple[Site, list[OutputFile], Problems]:
    """Build the site into options.out_dir; raise BuildError and leave it untouched on any error.

    With a cache (watch mode) unchanged inputs are not processed again and only changed files are written.
    """
    problems = Problems()
    with cache.active() if cache else nullcontext():
        content = load(options, problems, cache)
        problems.raise_if_errors()
        site = analyse(content, problems, cache)
        problems.raise_if_errors()
        files = render(site, options, cache)
    if cache is None:
        publish(files, options.out_dir)
    else:
        cache.sync(files, options.out_dir)
    return site, files, problems


def check(options: BuildOptions) -> Problems:
    """Validate all content without writing anything."""
    problems = Problems()
    content = load(options, problems)
    if not problems.errors:
        analyse(content, problems)
    return problems

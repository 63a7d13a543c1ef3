"""The build: load everything, analyse the whole collection, render, index, publish."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import markdown, pages, programmes, search
from .config import load_config
from .content import Content, load_content
from .errors import Problems
from .output import OutputFile, publish
from .site import Site, assemble


@dataclass(frozen=True)
class BuildOptions:
    """Where to read from and write to."""

    content_dir: Path = Path("content")
    layouts_dir: Path = Path("layouts")
    config_file: Path = Path("config.yml")
    out_dir: Path = Path("site")
    base_url: str | None = None  # overrides config.yml's base_url (feed and sitemap only)
    drafts: bool = False


def load(options: BuildOptions, problems: Problems) -> Content:
    """Read and validate config, reports and programmes; errors are collected, not raised."""
    config = load_config(options.config_file, problems)
    if options.base_url:
        from dataclasses import replace

        config = replace(config, base_url=options.base_url.rstrip("/") + "/")
    return load_content(config, options.content_dir, problems, drafts=options.drafts)


def analyse(content: Content, problems: Problems) -> Site:
    """Link programme mentions, render bodies and derive every cross-reference."""
    matcher = programmes.Matcher.from_registry(content.programmes, problems)
    bodies = {r.slug: markdown.render_body(r, matcher) for r in content.reports}
    return assemble(content, bodies, matcher, problems)


def render(site: Site, options: BuildOptions) -> list[OutputFile]:
    """Every file of the site, in memory."""
    return pages.render_site(site, options.layouts_dir) + search.build_search(site)


def build(options: BuildOptions) -> tuple[Site, list[OutputFile], Problems]:
    """Build the site into options.out_dir; raise BuildError and leave it untouched on any error."""
    problems = Problems()
    content = load(options, problems)
    problems.raise_if_errors()
    site = analyse(content, problems)
    problems.raise_if_errors()
    files = render(site, options)
    publish(files, options.out_dir)
    return site, files, problems


def check(options: BuildOptions) -> Problems:
    """Validate all content without writing anything."""
    problems = Problems()
    content = load(options, problems)
    if not problems.errors:
        analyse(content, problems)
    return problems

"""The build: load everything, analyse the whole collection, render, index, publish."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import markdown, pages, parallel, programmes, search
from .config import load_config
from .content import Content, load_content
from .errors import Problems
from .output import OutputFile, Staging, guard_options, marker_file, publish
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
    jobs: int | None = None  # processes for a cold build: None = one per CPU for a big site, 1 = serial
    replace_out: bool = False  # replace an out_dir holding files this builder did not write (--replace-out)


def load(options: BuildOptions, problems: Problems, cache: Cache | None = None) -> Content:
    """Read and validate config, reports and programmes; errors are collected, not raised."""
    config = load_config(options.config_file, problems)
    if options.base_url:
        config = replace(config, base_url=options.base_url.rstrip("/") + "/")
    with cache.reading() if cache else nullcontext():
        return load_content(config, options.content_dir, problems, drafts=options.drafts)


def analyse(content: Content, problems: Problems, cache: Cache | None = None) -> Site:
    """Link programme mentions, render bodies and derive every cross-reference."""
    return prepare(content, problems, cache)[0]


def prepare(content: Content, problems: Problems, cache: Cache | None = None,
            jobs: int = 1) -> tuple[Site, list[search.DocTerms] | None]:
    """analyse(), and with several processes also the search index of what is known before analysis."""
    matcher = programmes.Matcher.from_registry(content.programmes, problems)
    if jobs == 1:
        render_body = cache.body_renderer(content.programmes) if cache else markdown.render_body
        bodies = {r.slug: render_body(r, matcher) for r in content.reports}
        return assemble(content, bodies, matcher, problems), None
    order = sorted(content.reports, key=lambda r: (r.date.sort_key(), r.slug), reverse=True)
    prepared = parallel.prepare(content.reports, order, content.programmes, matcher, jobs)
    site = assemble(content, prepared.bodies, matcher, problems, prepared.analysed)
    if [r.slug for r in site.reports] != [r.slug for r in order]:
        return site, None  # the site lists its reports in another order than the index numbered them: index again
    return site, prepared.parts


def render(site: Site, options: BuildOptions, cache: Cache | None = None) -> list[OutputFile]:
    """Every file of the site, in memory."""
    with cache.rendering() if cache else nullcontext():
        return pages.render_site(site, options.layouts_dir) + search.build_search(site)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often: a cold build allocates millions of objects that live to its end,
    and the collector would walk them again and again (8 % of the CPU time at 1,000 reports)."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def build(options: BuildOptions, cache: Cache | None = None) -> tuple[Site, list[OutputFile], Problems]:
    """Build the site into options.out_dir; raise BuildError and leave it untouched on any error.

    With a cache (watch mode) unchanged inputs are not processed again and only changed files are
    written; without one, a big site's work is shared between processes (options.jobs).
    """
    problems = Problems()
    project = guard_options(options)  # before anything is read or written: a wrong --out must not cost data
    with cache.active() if cache else fewer_collections():
        content = load(options, problems, cache)
        problems.raise_if_errors()
        jobs = 1 if cache else parallel.jobs(options.jobs, len(content.reports))
        site, parts = prepare(content, problems, cache, jobs)
        problems.raise_if_errors()
        if jobs > 1:  # the processes write their pages as they go
            with Staging(options.out_dir, project, options.replace_out) as staging:
                files = parallel.render(site, options.layouts_dir, parts, jobs, staging) + [marker_file()]
                staging.commit(files)
            return site, files, problems
        files = render(site, options, cache) + [marker_file()]  # the marker: a site the next build may replace
    if cache is None:
        publish(files, options.out_dir, project, options.replace_out)
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

"""The build: the list of stages, from the content folder to the published site."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import programmes, search
from .collection import Site, assemble
from .config import load_config
from .content import Content, load_content
from .errors import Problems
from .gazetteer import county_warning
from .importer.verify import verify_source
from .executor import Runner, SerialExecutor, executor_for
from .output import OutputFile, guard_options, marker_file, publish
from .pages import data_files, describe_pages
from .process import Processed, process_all
from .rendering import render

if TYPE_CHECKING:
    from .memo import Memo


@dataclass(frozen=True)
class BuildOptions:
    """Where to read from and write to."""

    content_dir: Path = Path("content")
    layouts_dir: Path = Path("layouts")
    config_file: Path = Path("config.yml")
    out_dir: Path = Path("site")
    base_url: str | None = None  # overrides config.yml's base_url (feed and sitemap only)
    drafts: bool = False
    jobs: int | None = None  # processes for a full build: None = one per CPU for a big site, 1 = serial
    replace_out: bool = False  # replace an out_dir holding files this builder did not write (--replace-out)


def load(options: BuildOptions, problems: Problems) -> Content:
    """Read and validate config, reports and programmes; errors are collected, not raised."""
    config = load_config(options.config_file, problems)
    if options.base_url:
        config = replace(config, base_url=options.base_url.rstrip("/") + "/")
    return load_content(config, options.content_dir, problems, drafts=options.drafts)


def process_reports(content: Content, problems: Problems, executor: Runner,
            memo: Memo | None = None) -> tuple[Site, dict[str, Processed]]:
    """Process every report (body, programme mentions, search terms) and assemble the collection in order."""
    registry = programmes.Matcher.from_registry(content.programmes, problems)
    processed = process_all(content.reports, registry, executor, memo)
    return assemble(content, {slug: p.body for slug, p in processed.items()}, registry, problems), processed


def analyse_programmes(site: Site, processed: dict[str, Processed], problems: Problems,
                       memo: Memo | None = None) -> Site:
    """The site with its programmes analysed across the reports: mentions, passages, figures, related reports."""
    findings = {slug: p.findings for slug, p in processed.items()}
    return replace(site, programme_index=programmes.analyse(site, findings, site.matcher, problems, memo))


def analyse(content: Content, problems: Problems) -> tuple[Site, dict[str, Processed]]:
    """process_reports() and analyse_programmes() in this process (check() and the commands)."""
    site, processed = process_reports(content, problems, SerialExecutor())
    return analyse_programmes(site, processed, problems), processed


def build(options: BuildOptions, memo: Memo | None = None) -> tuple[Site, list[OutputFile], Problems]:
    """Build the site into options.out_dir; raise BuildError and leave it untouched on any error.

    With a memo (a watch session's) what did not change is not made again and only changed files are
    written; without one, a big site's per-report and per-page work is shared between processes.
    """
    problems = Problems()
    project = guard_options(options)  # before anything is read or written: a wrong --out must not cost data
    with fewer_collections():
        content = load(options, problems)
        problems.raise_if_errors()
        executor = SerialExecutor() if memo else executor_for(options.jobs, len(content.reports))
        site, processed = process_reports(content, problems, executor, memo)  # per report, then the collection in order
        terms = [processed[r.slug].terms for r in site.reports]
        runs = search.index_runs(terms, executor, memo)  # in other processes, while this one analyses
        site = analyse_programmes(site, processed, problems, memo)
        problems.raise_if_errors()
        pages = describe_pages(site)
        rendered = render(pages, options.layouts_dir, executor, memo)  # in other processes, while this one indexes
        index = search.build_search(site, terms, runs())
        files = rendered() + data_files(site, options.layouts_dir, pages) + index
        files.append(marker_file())  # a site the next build may replace
    publish(files, options.out_dir, project, options.replace_out, memo.published if memo else None, executor)
    return site, files, problems


def check(options: BuildOptions) -> Problems:
    """Validate all content without writing anything, and prove each report's text is its source's."""
    problems = Problems()
    content = load(options, problems)
    if not problems.errors:
        analyse(content, problems)
    for report in content.reports:
        problems.add(verify_source(report, content.root))
        if warning := county_warning(report.county):
            problems.warning(report.path, report.line_of("county"), warning)
    return problems


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

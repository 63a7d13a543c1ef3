"""The memo a watch session keeps between builds: per report, per page and per output file."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .content import Report
from .output import OutputFile, Published
from .pages import Page, page_keys
from .process import Processed, Registry
from .search import DocTerms
from .search.index import Rows


_T = TypeVar("_T")


def digest(text: str) -> bytes:
    """A short, collision-safe digest of a text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class Stats:
    """What the last build redid and what it reused."""

    reports_processed: int = 0
    reports_reused: int = 0
    pages_rendered: int = 0
    pages_reused: int = 0
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    full: bool = False

    def describe(self) -> str:
        """One line: what was rebuilt."""
        scope = "full rebuild: " if self.full else ""
        return (f"{scope}{self.pages_rendered} page(s) rendered, {self.pages_reused} reused; "
                f"{len(self.written)} file(s) written, {len(self.deleted)} deleted")


class Memo:
    """Everything a watch session keeps between builds, passed to build() explicitly.

    Per report: what the per-report step made of it, by a digest of the report and of the registry.
    Per page: its file, by the page's key. Per output file: the bytes last written there. Per run of the
    search index: its rows, by its documents' terms. Per named step (related reports): its last result, by
    its inputs.
    """

    def __init__(self) -> None:
        self.reports: dict[bytes, Processed] = {}
        self.rendered: dict[str, tuple[str, OutputFile]] = {}  # url -> (page key, file)
        self.runs: dict[tuple[int, tuple[object, ...]], Rows] = {}  # (first document, its run's terms) -> rows
        self.runs_used: dict[tuple[int, tuple[object, ...]], Rows] = {}
        self.last: dict[str, tuple[Any, Any]] = {}  # step name -> (its inputs, its result)
        self.published = Published()
        self.stats = Stats()

    def start(self, full: bool) -> None:
        """Begin a build; full=True renders every page again (layouts or config changed)."""
        if full:
            self.rendered.clear()
        self.stats = Stats(full=full)
        self.runs_used = {}

    def finish(self) -> None:
        """A build succeeded: note what it wrote, and forget the index runs it did not use."""
        self.stats.written, self.stats.deleted = self.published.written, self.published.deleted
        self.runs, self.runs_used = self.runs_used, {}

    def processed(self, reports: Sequence[Report], registry: Registry,
                  compute: Callable[[list[Report]], list[Processed]]) -> dict[str, Processed]:
        """Each report's per-report result: kept while the report and the registry are unchanged, else computed."""
        registry_key = digest(repr(list(registry.programmes.values())))
        keys = [digest(repr(report)) + registry_key for report in reports]
        todo = [report for report, key in zip(reports, keys) if key not in self.reports]
        fresh = dict(zip((id(r) for r in todo), compute(todo)))
        kept = {key: self.reports.get(key) or fresh[id(report)] for report, key in zip(reports, keys)}
        self.reports = kept  # reports edited away are forgotten
        self.stats.reports_processed, self.stats.reports_reused = len(todo), len(reports) - len(todo)
        return {report.slug: kept[key] for report, key in zip(reports, keys)}

    def pages(self, pages: Sequence[Page], render: Callable[[list[Page]], list[OutputFile]]) -> list[OutputFile]:
        """Every page's file: the last one while the page's key is the same, else rendered."""
        keys = page_keys(pages)
        todo = [p for p, key in zip(pages, keys) if self.rendered.get(p.url, ("",))[0] != key]
        fresh = dict(zip((p.url for p in todo), render(todo)))
        files = [fresh[p.url] if p.url in fresh else self.rendered[p.url][1] for p in pages]
        self.rendered = {p.url: (key, f) for p, key, f in zip(pages, keys, files)}
        self.stats.pages_rendered, self.stats.pages_reused = len(todo), len(pages) - len(todo)
        return files

    def rows(self, first: int, run: tuple[DocTerms, ...], compute: Callable[[int, tuple[DocTerms, ...]], Rows]) -> Rows:
        """A run of the search index: kept while its documents' terms and place are the same, else computed."""
        # Keyed by the terms themselves (frozen records of strings): an unchanged report's terms are the
        # memo's own objects, so hashing and comparing them is cheap, and no edit can be missed.
        key = (first, tuple(ft for dt in run for ft in dt.fields))
        rows = self.runs.get(key) or compute(first, run)
        self.runs_used[key] = rows
        return rows

    def same(self, name: str, inputs: object, compute: Callable[[], _T]) -> _T:
        """compute()'s result, or the last one made under this name while the inputs are equal to its inputs."""
        last = self.last.get(name)
        if last is not None and last[0] == inputs:
            result: _T = last[1]
            return result
        result = compute()
        self.last[name] = (inputs, result)
        return result

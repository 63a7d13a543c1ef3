"""Full-text search: each report's terms (documents), the lunr index (index), written as script shards (shards)."""
from __future__ import annotations

import gzip
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..output import OutputFile
from .documents import (
    FIELDS,
    DocTerms,
    SearchDoc,
    doc_terms,
    document,
    documents,
    field_terms,
    report_terms,
)
from .index import Index, Rows, RowsMemo, build_index, index_runs
from .shards import ASSETS, SHARD_BYTES, index_files, plan_shards

if TYPE_CHECKING:
    from ..collection import Site

__all__ = ["ASSETS", "FIELDS", "SHARD_BYTES", "DocTerms", "Index", "Rows", "RowsMemo", "SearchDoc", "build_index", "build_search",
           "doc_terms", "document", "documents", "field_terms", "index_files", "index_runs", "plan_shards", "render_pages",
           "report_terms", "stats"]


def build_search(site: Site, terms: Sequence[DocTerms] | None = None, runs: Sequence[Rows] | None = None) -> list[OutputFile]:
    """The index scripts of the site, from every report's terms in the site's order (computed here if not given)
    and the rows of their runs (index_runs; assembled here if not given)."""
    if terms is None:
        terms = [doc_terms(doc) for doc in documents(site)]
    if [dt.doc.ref for dt in terms] != [r.url for r in site.reports]:
        raise ValueError("the search terms are not the site's reports, in the site's order")
    index = build_index(terms, runs=runs)
    return index_files(site, [dt.doc for dt in terms], index)


def render_pages(site: Site, renderer: Any) -> list[OutputFile]:
    """search.html: the result page, reading its query from ?q=."""
    page: OutputFile = renderer.page("search.html", "search.html")
    return [page]


def stats(files: Sequence[OutputFile], reports: int) -> list[str]:
    """The index's size by kind of file, in all and per report (for `python -m archive.search`)."""
    n = max(1, reports)
    lines = []
    for kind, what in (("manifest", "scoring, pages, names"), ("list", "titles, facets"), ("shard", "terms"),
                       ("doc", "titles, snippet text")):
        chosen = [f for f in files if f.path.startswith(f"{ASSETS}/{kind}")]
        raw = sum(len(f.data) for f in chosen)
        packed = sum(len(gzip.compress(f.data, 6, mtime=0)) for f in chosen)
        lines.append(f"{kind:9} {len(chosen):5} files {raw / 1e3:10.1f} KB raw {packed / 1e3:9.1f} KB gzip"
                     f"   per report {raw / n / 1e3:6.1f} KB raw {packed / n / 1e3:6.1f} KB gzip   ({what})")
    return lines

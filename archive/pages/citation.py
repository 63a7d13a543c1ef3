"""Citations: a report page's 引用本文 box, its own BibTeX and RIS entries, and catalog.bib, .ris and .csl.json."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import cite
from ..config import Config
from ..content import Report
from ..output import OutputFile


@dataclass(frozen=True)
class Citation:
    """What the citation box shows: both references and where the report's own entries are (site paths)."""

    original: str  # the reference to the original publication
    archive_head: str  # the reference to the archive copy, up to where the reader's access date goes
    archive_tail: str  # and after it: .URL.
    bib: str
    ris: str


def entry_paths(report: Report) -> tuple[str, str]:
    """Where a report's own BibTeX and RIS entries are published: beside its page."""
    stem = report.url.removesuffix(".html")
    return f"{stem}.bib", f"{stem}.ris"


def citation(report: Report, config: Config) -> Citation:
    """The citation box of a report page; the archive copy's access date is left to the reader's clock."""
    head, tail = cite.archive_gbt7714_parts(report, cite.page_url(config.base_url, report), config.title)
    bib, ris = entry_paths(report)
    return Citation(cite.gbt7714(report), head, tail, bib, ris)


def citation_files(reports: Sequence[Report], config: Config) -> list[OutputFile]:
    """catalog.bib, catalog.ris and catalog.csl.json (the reports in the given order), and each report's own entries."""
    bibs = [cite.bibtex([report]) for report in reports]
    out = [
        # bibtexparser writes a big library slower than its entries one by one (0.19 s against 0.05 s for 1,000);
        # the entries joined by its block separator are the same bytes (tests/test_research_site.py)
        OutputFile("catalog.bib", b"\n".join(bibs), "catalog"),
        OutputFile("catalog.ris", cite.ris(reports, config.base_url, config.title), "catalog"),
        OutputFile("catalog.csl.json", cite.csl_json(reports, config.base_url, config.title), "catalog"),
    ]
    for report, bib in zip(reports, bibs):
        bib_path, ris_path = entry_paths(report)
        out.append(OutputFile(bib_path, bib, "citation"))
        out.append(OutputFile(ris_path, cite.ris([report], config.base_url, config.title), "citation"))
    return out

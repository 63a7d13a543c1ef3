"""A report page's 引用本文 box: its GB/T 7714 references and its own BibTeX and RIS entries."""
from __future__ import annotations

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


def entry_files(reports: list[Report], config: Config) -> list[OutputFile]:
    """Each report's own catalog entry as a file of its own: reports/<slug>.bib and reports/<slug>.ris."""
    out = []
    for report in reports:
        bib, ris = entry_paths(report)
        out.append(OutputFile(bib, cite.bibtex([report]), "citation"))
        out.append(OutputFile(ris, cite.ris([report], config.base_url, config.title), "citation"))
    return out

"""Files published as they are: layouts/static under assets/, and each report's raw source as UTF-8 text."""
from __future__ import annotations

from pathlib import Path

from ..content import Report
from ..output import OutputFile
from ..collection import Site


def source_path(report: Report) -> str:
    """Where the raw source text of a report is published ('' when it has none)."""
    return f"sources/{report.source_file}" if report.source_file else ""


def static_files(layouts: Path) -> list[OutputFile]:
    """layouts/static/** copied to assets/**."""
    root = layouts / "static"
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    return [OutputFile("assets/" + p.relative_to(root).as_posix(), p.read_bytes(), str(p)) for p in files]


def source_files(site: Site) -> list[OutputFile]:
    """The raw source text of every report, published beside the pages as UTF-8 text."""
    out = {}
    for report in site.reports:
        if report.source_file:
            path = site.root / "sources" / report.source_file
            out[source_path(report)] = OutputFile(source_path(report), utf8_source(path), str(path))
    return [out[k] for k in sorted(out)]


def utf8_source(path: Path) -> bytes:
    """A source's bytes as received when they are UTF-8; a GB18030 or UTF-16 source re-encoded so it reads as UTF-8."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    from ..importer.decode import (  # only for a source that is not UTF-8
        ImportProblem,
        decode,
    )

    try:
        return decode(data, path).text.encode("utf-8")
    except ImportProblem:
        return data  # not text we can read either: publish it untouched rather than lose it

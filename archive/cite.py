"""Citations: a report's GB/T 7714-2015 reference, and the archive as BibTeX, RIS and CSL-JSON."""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from urllib.parse import quote

import rispy  # type: ignore[import-untyped]  # rispy ships no type information
from bibtexparser import model
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import default_unparse_stack
from bibtexparser.writer import BibtexFormat

from .content import PartialDate, Report

NEWSPAPER, NEWSPAPER_ONLINE, WEBSITE, UNSPECIFIED = "N", "N/OL", "EB/OL", "Z"
MAX_AUTHORS = 3  # GB/T 7714-2015 8.1.2: more than three responsible persons: the first three, then 等


def retrieved_of(report: Report) -> PartialDate | None:
    """The date the source was collected (front-matter key `retrieved`), or None."""
    return report.retrieved


def document_type(report: Report) -> str:
    """The GB/T 7714 type code, from the keys `publication` and `source_url`.

    A publication whose name ends in 报 (永州日报, 株洲日报) is a newspaper: [N], or [N/OL] when a URL
    of it is given. Any other publication (三湘综治网), or a URL alone, is a web page: [EB/OL]. With
    neither, the standard's code for an unspecified type: [Z].
    """
    if report.publication.endswith("报"):
        return NEWSPAPER_ONLINE if report.source_url else NEWSPAPER
    if report.publication or report.source_url:
        return WEBSITE
    return UNSPECIFIED


def gbt_authors(names: Sequence[str]) -> str:
    """Responsible persons: up to three joined by commas, more than three cut to three plus 等."""
    shown = list(names[:MAX_AUTHORS])
    if len(names) > MAX_AUTHORS:
        shown.append("等")
    return ",".join(shown)


def _online_tail(publisher: str, date: PartialDate, accessed: PartialDate | None, url: str) -> str:
    """出版者,出版年(发布日期)[引用日期].URL. — the parts an online reference has, each only when known."""
    if publisher:
        text = f"{publisher},{date.year}" + (f"({date.iso()})" if date.precision != "year" else "")
    else:
        text = f"({date.iso()})"
    if accessed is not None:
        text += f"[{accessed.iso()}]"
    return text + "." + (f"{url}." if url else "")


def _head(report: Report, code: str) -> str:
    """主要责任者.题名[类型]. — the start every reference shares."""
    authors = gbt_authors(report.authors)
    return (f"{authors}." if authors else "") + f"{report.title}[{code}]."


def gbt7714(report: Report) -> str:
    """The report's GB/T 7714-2015 reference to its original publication, dated at its precision."""
    code = document_type(report)
    head, date = _head(report, code), report.date
    if code == NEWSPAPER:
        return head + f"{report.publication},{date.iso()}."
    if code == NEWSPAPER_ONLINE:
        accessed = retrieved_of(report)
        return head + f"{report.publication},{date.iso()}" + (f"[{accessed.iso()}]" if accessed else "") + f".{report.source_url}."
    if code == WEBSITE:
        return head + _online_tail(report.publication, date, retrieved_of(report), report.source_url)
    return head + f"{date.iso()}."


def archive_gbt7714(report: Report, page_url: str, archive_title: str, accessed: PartialDate | None = None) -> str:
    """The GB/T 7714-2015 reference to the archive's copy at page_url (absolute), as a web page [EB/OL].

    The access date is the reader's: a build leaves it out (accessed=None) so its output stays the same.
    """
    return _head(report, WEBSITE) + _online_tail(archive_title, report.date, accessed, page_url)


def archive_gbt7714_parts(report: Report, page_url: str, archive_title: str) -> tuple[str, str]:
    """archive_gbt7714 split where the reader's access date [YYYY-MM-DD] goes, for a copy button to fill in."""
    tail = f".{page_url}."
    return archive_gbt7714(report, page_url, archive_title)[: -len(tail)], tail


def page_url(base_url: str, report: Report) -> str:
    """The report page's absolute URL, as pages.absolute_url makes it for the feed."""
    return base_url + quote(report.url, safe="/")


# ---------------------------------------------------------------- BibTeX

_TEX_SPECIAL = re.compile(r"[\\{}%&#$_~^]")
_TEX_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def tex_escape(text: str) -> str:
    """Text for a braced BibTeX value: LaTeX's special characters escaped, braces balanced."""
    return _TEX_SPECIAL.sub(lambda m: _TEX_ESCAPES.get(m.group(), "\\" + m.group()), text)


def _url_value(url: str) -> str:
    """A URL for a verbatim field: only what would unbalance the braces is percent-encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _bibtex_fields(report: Report) -> list[tuple[str, str]]:
    """One report's BibTeX fields, in a fixed order, values not yet escaped except URLs."""
    code, date = document_type(report), report.date
    fields = [("author", " and ".join(report.authors)), ("title", report.title)]
    if code in (NEWSPAPER, NEWSPAPER_ONLINE):
        # biblatex (and biblatex-gb7714-2015) read entrysubtype; the gbt7714 bst reads mark.
        fields += [("journal", report.publication), ("entrysubtype", "newspaper"), ("mark", "N")]
    elif code == WEBSITE and report.publication:
        fields.append(("organization", report.publication))
    fields += [("year", str(date.year)), ("date", date.iso())]
    if date.month:
        fields.append(("month", str(date.month)))
    fields.append(("langid", "chinese"))
    return fields


def _bibtex_entry(report: Report) -> model.Entry:
    """One report as a BibTeX entry keyed by its slug: @article (newspaper), @online or @misc."""
    code = document_type(report)
    kind = {NEWSPAPER: "article", NEWSPAPER_ONLINE: "article", WEBSITE: "online"}.get(code, "misc")
    fields = [model.Field(k, tex_escape(v)) for k, v in _bibtex_fields(report) if v]
    if report.source_url:
        fields.append(model.Field("url", _url_value(report.source_url)))
        accessed = retrieved_of(report)
        if accessed is not None:
            fields.append(model.Field("urldate", accessed.iso()))
    return model.Entry(kind, report.slug, fields)


def bibtex(reports: Sequence[Report]) -> bytes:
    """catalog.bib: every report as a BibTeX entry, in the given order, UTF-8."""
    library = Library([_bibtex_entry(r) for r in reports])
    form = BibtexFormat()  # type: ignore[no-untyped-call]  # its __init__ has no annotations
    form.indent = "  "
    form.block_separator = "\n"
    # the library is made here and dropped after: its middlewares may change it in place, where by default
    # each block is deep-copied first (0.2 s of a 1,000-report build)
    stack = default_unparse_stack(allow_inplace_modification=True)
    return write_string(library, unparse_stack=stack, bibtex_format=form).encode("utf-8")


# ---------------------------------------------------------------- RIS


class _RisWriter(rispy.RisWriter):  # type: ignore[misc]  # untyped base class
    """rispy's writer without its numbered header line before each record, which RIS does not have."""

    NEWLINE = "\r\n"  # the RIS specification's line end

    def set_header(self, count: int) -> str:
        """No header: a record starts with its TY line."""
        return ""


def _ris_date(date: PartialDate) -> str:
    """RIS DA: YYYY/MM/DD/ with unknown parts left empty (2018///)."""
    return f"{date.year:04d}/" + (f"{date.month:02d}" if date.month else "") + "/" + (f"{date.day:02d}" if date.day else "") + "/"


def _ris_record(report: Report, base_url: str, archive_title: str) -> dict[str, object]:
    """One report as a rispy record: NEWS, ELEC or GEN."""
    code, accessed = document_type(report), retrieved_of(report)
    record: dict[str, object] = {
        "type_of_reference": {NEWSPAPER: "NEWS", NEWSPAPER_ONLINE: "NEWS", WEBSITE: "ELEC"}.get(code, "GEN"),
        "id": report.slug,
        "authors": list(report.authors),
        "title": report.title,
    }
    if report.publication:
        record["secondary_title"] = report.publication
    record["year"] = str(report.date.year)
    record["date"] = _ris_date(report.date)
    if report.source_url:
        record["urls"] = [report.source_url]
    if accessed is not None:
        record["access_date"] = _ris_date(accessed)
    record["language"] = "zh-CN"
    record["name_of_database"] = archive_title
    record["notes"] = [f"{archive_title}: {page_url(base_url, report)}"]
    return record


def ris(reports: Sequence[Report], base_url: str, archive_title: str) -> bytes:
    """catalog.ris: one TY … ER record per report, in the given order, UTF-8 with CRLF line ends."""
    records = [_ris_record(r, base_url, archive_title) for r in reports]
    text: str = rispy.dumps(records, implementation=_RisWriter)
    return text.encode("utf-8")


# ---------------------------------------------------------------- CSL-JSON


def _csl_date(date: PartialDate) -> dict[str, list[list[int]]]:
    """A CSL date with as many date-parts as are known."""
    parts = [date.year] + ([date.month] if date.month else []) + ([date.day] if date.day else [])
    return {"date-parts": [parts]}


def csl_item(report: Report, base_url: str, archive_title: str) -> dict[str, object]:
    """One report as a CSL-JSON item; names are literal, as a Chinese name is not split into given/family here."""
    code, accessed = document_type(report), retrieved_of(report)
    item: dict[str, object] = {
        "id": report.slug,
        "type": {NEWSPAPER: "article-newspaper", NEWSPAPER_ONLINE: "article-newspaper", WEBSITE: "webpage"}.get(code, "document"),
        "title": report.title,
        "author": [{"literal": name} for name in report.authors],
        "issued": _csl_date(report.date),
    }
    if report.publication:
        item["container-title"] = report.publication
    if report.source_url:
        item["URL"] = report.source_url
    if accessed is not None:
        item["accessed"] = _csl_date(accessed)
    item["language"] = "zh-CN"
    item["archive"] = archive_title
    item["archive_location"] = page_url(base_url, report)
    return item


def csl_json(reports: Sequence[Report], base_url: str, archive_title: str) -> bytes:
    """catalog.csl.json: a list of CSL-JSON items, in the given order, UTF-8."""
    items = [csl_item(r, base_url, archive_title) for r in reports]
    return (json.dumps(items, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

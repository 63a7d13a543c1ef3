"""Each report as a search document, and its terms per field: the part of the index that depends on it alone."""
from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..tokenize import positions

if TYPE_CHECKING:
    from ..content import Programme, Report
    from ..markdown import RenderedBody
    from ..collection import Site

# Indexed fields and their boosts: the title weighs most, the names a reader types next.
FIELDS: tuple[tuple[str, int], ...] = (("title", 10), ("body", 1), ("county", 5), ("author", 3), ("programme", 3))
# Separates the terms, and the positions, of a field in FieldTerms: no term or positions text holds one.
SEP = " "


@dataclass(frozen=True)
class SearchDoc:
    """One report as the index and the result list see it."""

    ref: str  # the page URL relative to the site root
    title: str
    county: str
    author: str
    programme: str
    date: str  # as a reader writes it: 2017年7月
    year: int
    programmes: tuple[str, ...] = ()  # slugs, for the facet
    paragraphs: tuple[tuple[str, str], ...] = ()  # (anchor, text) for snippets

    @property
    def body(self) -> str:
        """The body field: every paragraph's text."""
        return "\n".join(text for _, text in self.paragraphs)

    @property
    def authors(self) -> list[str]:
        """Each author's name (the author field holds them one a line)."""
        return [a for a in self.author.split("\n") if a]

    def field_text(self, name: str) -> str:
        """The text of one indexed field."""
        return str(getattr(self, name))


@dataclass(frozen=True)
class FieldTerms:
    """The tokens of one field, grouped by term, as two texts (a few objects travel between processes fast).

    terms: the field's distinct terms in the order of their first token, joined by SEP; positions:
    each term's positions, joined by SEP in the same order. A term's positions text holds its starts
    as steps from the one before, joined by commas, then, for spans that differ from the term's own
    length (a bigram across a quotation mark), ":" and k,length pairs (k counts that term's positions
    from 0). A term's frequency is its number of starts.
    """

    count: int  # number of tokens
    terms: str
    positions: str

    def items(self) -> Iterator[tuple[str, str]]:
        """(term, positions) pairs, in order."""
        return zip(self.terms.split(SEP), self.positions.split(SEP)) if self.terms else iter(())


@dataclass(frozen=True)
class DocTerms:
    """One document and its tokens per field, in FIELDS order."""

    doc: SearchDoc
    fields: tuple[FieldTerms, ...]


def document(report: Report, body: RenderedBody | None, mentioned: Sequence[Programme]) -> SearchDoc:
    """One report as a search document; `mentioned` are the programmes it mentions."""
    paragraphs = tuple((p.anchor, p.text) for p in body.paragraphs) if body else ()
    if not paragraphs:  # a body without blocks still has text to find
        paragraphs = tuple(("", part.strip()) for part in report.body.split("\n\n") if part.strip())
    return SearchDoc(
        ref=report.url,
        title=report.title,
        county=report.county,
        author="\n".join(report.authors),
        programme="\n".join(p.name for p in mentioned),
        date=report.date.chinese(),
        year=report.date.year,
        programmes=tuple(p.slug for p in mentioned),
        paragraphs=paragraphs,
    )


def field_terms(text: str) -> FieldTerms:
    """The tokens of one field, grouped by term."""
    terms, starts, odd = positions(text)
    # Most terms occur once in a field: their text is their start, made for all terms at C speed
    # (keys in first-token order, values the last start); only repeated terms are grouped in a loop.
    last = dict(zip(terms, starts))
    out = dict(zip(last, map(str, last.values())))
    grouped: dict[str, list[int]] = {}
    if len(last) != len(terms):
        grouped = _repeated(terms, starts, last)
        for term, at in grouped.items():
            if len(at) > 1:
                out[term] = ",".join(map(str, [at[0], *map(operator.sub, at[1:], at)]))
    if odd:
        marks: dict[str, list[str]] = {}
        for i, length in odd:
            term = terms[i]
            k = grouped[term].index(starts[i]) if term in grouped else 0
            marks.setdefault(term, []).append(f"{k},{length}")
        for term, pairs in marks.items():
            out[term] += ":" + ",".join(pairs)
    return FieldTerms(len(terms), SEP.join(out), SEP.join(out.values()))


def _repeated(terms: list[str], starts: list[int], last: dict[str, int]) -> dict[str, list[int]]:
    """The starts of each term that occurs more than once (or of every term, where starts repeat)."""
    first = dict(zip(reversed(terms), reversed(starts)))
    grouped: dict[str, list[int]] = {term: [] for term in last if first[term] != last[term]}
    if not grouped or len(set(starts)) != len(starts):  # a fold of several characters: group plainly
        grouped = {}
        for term, start in zip(terms, starts):
            grouped.setdefault(term, []).append(start)
        return grouped
    get = grouped.get
    for term, start in zip(terms, starts):
        at = get(term)
        if at is not None:
            at.append(start)
    return grouped


def doc_terms(doc: SearchDoc) -> DocTerms:
    """Tokenize every field of a document."""
    return DocTerms(doc, tuple(field_terms(doc.field_text(name)) for name, _ in FIELDS))


def report_terms(report: Report, body: RenderedBody | None, mentioned: Sequence[Programme]) -> DocTerms:
    """One report's document and its terms: pure, so a caller may memoise it or run it in another process."""
    return doc_terms(document(report, body, mentioned))


def mentioned_in(site: Site, report: Report) -> list[Programme]:
    """The programmes a report mentions, as the programme analysis found them."""
    index = site.programme_index
    return [p for p, *_ in index.by_report.get(report.slug, [])] if index else []


def documents(site: Site) -> list[SearchDoc]:
    """Every report of the site as a search document, in the site's order."""
    return [document(r, site.bodies.get(r.slug), mentioned_in(site, r)) for r in site.reports]

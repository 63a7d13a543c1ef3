"""The inverted index: lunr's term numbers, term frequencies and positions, assembled from each report's terms.

Scores are not stored: the browser computes lunr's BM25 field vectors (K1, B, the field boosts)
from the term frequencies, the field lengths and the document count.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from .documents import FIELDS, SEP, DocTerms

# lunr's BM25 parameters (its defaults), written into the manifest for the browser.
K1, B = 1.2, 0.75


@dataclass(frozen=True)
class Index:
    """The lunr index in the form the shards are written from.

    postings[term] = [lunr term number, rows of field 0, rows of field 1, ...]; a field's rows are
    one text: "document number,positions" (positions as in DocTerms) joined by ";".
    """

    refs: list[str]
    lengths: list[list[int]]  # tokens per field of every document
    postings: dict[str, list[int | str]]


def build_index(terms: Sequence[DocTerms]) -> Index:
    """The index of the documents, numbered in order, with lunr's term numbers."""
    per_field = [{term: ";".join(texts) for term, texts in rows.items()} for rows in _field_rows(terms)]
    postings: dict[str, list[int | str]] = {term: [number, *(rows.get(term, "") for rows in per_field)]
                                            for number, term in enumerate(_numbering(terms))}
    return Index([dt.doc.ref for dt in terms], [[ft.count for ft in dt.fields] for dt in terms], postings)


def _numbering(terms: Sequence[DocTerms]) -> dict[str, None]:
    """lunr numbers terms in the order they first occur, report by report, field by field."""
    return dict.fromkeys(chain.from_iterable(ft.terms.split(SEP) for dt in terms for ft in dt.fields if ft.terms))


def _field_rows(terms: Sequence[DocTerms]) -> list[dict[str, list[str]]]:
    """Per field, every term's rows ("document number,positions"), in document order."""
    per_field: list[dict[str, list[str]]] = [{} for _ in FIELDS]
    for d, dt in enumerate(terms):
        prefix = f"{d},"
        for rows, ft in zip(per_field, dt.fields):
            if not ft.terms:
                continue
            get = rows.get
            # every row at once: the document number put before each positions text
            for term, row in zip(ft.terms.split(SEP), (prefix + ft.positions.replace(SEP, SEP + prefix)).split(SEP)):
                at = get(term)
                if at is None:
                    rows[term] = [row]
                else:
                    at.append(row)
    return per_field

"""The inverted index: lunr's term numbers, term frequencies and positions, assembled from each report's terms.

Scores are not stored: the browser computes lunr's BM25 field vectors (K1, B, the field boosts)
from the term frequencies, the field lengths and the document count.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from .documents import FIELDS, DocTerms

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
    rows = _assemble(terms)
    order = _numbering(terms)
    postings: dict[str, list[int | str]] = {term: [number, *rows[term]] for number, term in enumerate(order)}
    return Index([dt.doc.ref for dt in terms], [[length for length, _ in dt.fields] for dt in terms], postings)


def _numbering(terms: Sequence[DocTerms]) -> list[str]:
    """lunr numbers terms in the order they first occur, report by report, field by field."""
    first: dict[str, object] = {}
    for dt in terms:
        for _, grouped in dt.fields:
            first.update(grouped)  # a term already there keeps its place
    return list(first)


def _assemble(terms: Sequence[DocTerms]) -> dict[str, list[str]]:
    """Every term's rows, per field, from every report."""
    per_field = _field_rows(terms)
    every = dict.fromkeys(chain.from_iterable(per_field))
    return {term: [";".join(rows.get(term, ())) for rows in per_field] for term in every}


def _field_rows(terms: Sequence[DocTerms]) -> list[dict[str, list[str]]]:
    """Per field, every term's rows ("document number,positions"), in document order."""
    per_field: list[dict[str, list[str]]] = [{} for _ in FIELDS]
    for d, dt in enumerate(terms):
        prefix = f"{d},"
        for rows, (_, grouped) in zip(per_field, dt.fields):
            get = rows.get
            for term, row in zip(grouped, map(prefix.__add__, grouped.values())):
                at = get(term)
                if at is None:
                    rows[term] = [row]
                else:
                    at.append(row)
    return per_field

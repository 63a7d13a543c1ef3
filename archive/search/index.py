"""The inverted index: lunr's term numbers, term frequencies and positions, assembled from each report's terms.

Scores are not stored: the browser computes lunr's BM25 field vectors (K1, B, the field boosts)
from the term frequencies, the field lengths and the document count.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Protocol

from .documents import FIELDS, SEP, DocTerms

if TYPE_CHECKING:
    from ..executor import Runner

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


# Documents per run: rows are assembled run by run (a watch rebuild keeps the runs of unchanged
# reports, see RowsMemo) and the runs joined, which costs little more than assembling them at once.
RUN = 64


@dataclass(frozen=True)
class Rows:
    """The index of a run of consecutive documents: its terms in lunr's order, and per field each term's rows."""

    order: tuple[str, ...]
    fields: tuple[dict[str, str], ...]


def run_rows(first: int, run: tuple[DocTerms, ...]) -> Rows:
    """The rows of the documents of a run, numbered from `first`."""
    order = dict.fromkeys(chain.from_iterable(ft.terms.split(SEP) for dt in run for ft in dt.fields if ft.terms))
    per_field: list[dict[str, list[str]]] = [{} for _ in FIELDS]
    for d, dt in enumerate(run, first):
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
    return Rows(tuple(order), tuple({term: ";".join(texts) for term, texts in rows.items()} for rows in per_field))


class RowsMemo(Protocol):
    """What this stage needs of a watch session's memo."""

    def rows(self, first: int, run: tuple[DocTerms, ...], compute: Callable[[int, tuple[DocTerms, ...]], Rows]) -> Rows:
        """A run's rows: those of an equal run at the same place last time, else compute(first, run)."""
        ...


def index_runs(terms: Sequence[DocTerms], executor: Runner, memo: RowsMemo | None = None,
               run: int = RUN) -> Callable[[], list[Rows]]:
    """The rows of every run of `run` documents, begun on the executor now (those the memo holds kept); call for them."""
    runs = [(first, tuple(terms[first:first + run])) for first in range(0, len(terms), run)]
    if memo is None:
        return executor.start(_rows_of, runs)
    rows = [memo.rows(first, docs, run_rows) for first, docs in runs]
    return lambda: rows


def _rows_of(run: tuple[int, tuple[DocTerms, ...]]) -> Rows:
    """run_rows() of a (first document, documents) pair: what the executor maps."""
    return run_rows(*run)


def build_index(terms: Sequence[DocTerms], run: int = RUN, runs: Sequence[Rows] | None = None) -> Index:
    """The index of the documents, numbered in order, with lunr's term numbers (in the order terms first occur).

    runs: the rows of the runs of RUN documents (index_runs), else assembled here, run by run.
    """
    if runs is None:
        runs = [run_rows(first, tuple(terms[first:first + run])) for first in range(0, len(terms), run)]
    per_field: list[dict[str, list[str]]] = [{} for _ in FIELDS]
    for part in runs:
        for into, rows in zip(per_field, part.fields):
            get = into.get
            for term, text in rows.items():
                at = get(term)
                if at is None:
                    into[term] = [text]
                else:
                    at.append(text)
    joined = [{term: ";".join(texts) for term, texts in rows.items()} for rows in per_field]
    order = dict.fromkeys(chain.from_iterable(part.order for part in runs))
    postings: dict[str, list[int | str]] = {term: [number, *[rows.get(term, "") for rows in joined]]
                                            for number, term in enumerate(order)}
    return Index([dt.doc.ref for dt in terms], [[ft.count for ft in dt.fields] for dt in terms], postings)

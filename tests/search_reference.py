"""Test oracles for the search index: lunr.py's own build with our tokens, and our index as lunr JSON."""
from __future__ import annotations

import json
import math
from collections import defaultdict

from archive.search import FIELDS, Index, SearchDoc
from archive.search.index import K1, B
from archive.search.shards import LUNR_VERSION
from archive.tokenize import tokenize


def reference_index(docs: list[SearchDoc]) -> dict:
    """The index as lunr.py 0.8.0 builds it with our tokenizer: the reference build_index must equal."""
    from lunr.builder import Builder
    from lunr.field_ref import FieldRef
    from lunr.token import Token as LunrToken

    class CJKBuilder(Builder):
        """lunr.py's builder fed with our tokens (it has no hook for a tokenizer with positions)."""

        def add(self, doc, attributes=None):
            """lunr.py's Builder.add, with our tokenizer in place of lunr's whitespace one."""
            doc_ref = str(doc[self._ref])
            self._documents[doc_ref] = attributes or {}
            self.document_count += 1
            for field_name in self._fields:
                tokens = [LunrToken(t.term, {"position": [t.start, t.length]}) for t in tokenize(doc[field_name])]
                terms = self.pipeline.run(tokens, field_name)
                field_ref = FieldRef(doc_ref, field_name)
                field_terms: dict = defaultdict(int)
                self.field_term_frequencies[str(field_ref)] = field_terms
                self.field_lengths[str(field_ref)] = len(terms)
                for term in terms:
                    term_key = str(term)
                    field_terms[term_key] += 1
                    if term_key not in self.inverted_index:
                        posting = {name: {} for name in self._fields}
                        posting["_index"] = self.term_index
                        self.term_index += 1
                        self.inverted_index[term_key] = posting
                    if doc_ref not in self.inverted_index[term_key][field_name]:
                        self.inverted_index[term_key][field_name][doc_ref] = defaultdict(list)
                    for key in self.metadata_whitelist:
                        self.inverted_index[term_key][field_name][doc_ref][key].append(term.metadata[key])

    builder = CJKBuilder()
    builder.ref("ref")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    builder.metadata_whitelist = ["position"]
    for doc in docs:
        builder.add({"ref": doc.ref, **{name: doc.field_text(name) for name, _ in FIELDS}})
    # a JSON round trip turns lunr.py's defaultdicts and tuples into what a reader of the file gets
    return json.loads(json.dumps(builder.build().serialize()))


def decode_rows(term: str, rows: str) -> list[tuple[int, list[list[int]]]]:
    """A field's rows back as (document number, [[start, length], ...])."""
    out = []
    for row in rows.split(";") if rows else []:
        head, _, odd = row.partition(":")
        numbers = [int(x) for x in head.split(",")]
        positions, at = [], 0
        for step in numbers[1:]:
            at += step
            positions.append([at, len(term)])
        if odd:
            pairs = [int(x) for x in odd.split(",")]
            for k, length in zip(pairs[0::2], pairs[1::2]):
                positions[k][1] = length
        out.append((numbers[0], positions))
    return out


def lunr_json(index: Index) -> dict:
    """The index as lunr.py serializes it (lunr 2.3.9 JSON with positions and BM25 field vectors)."""
    names = [name for name, _ in FIELDS]
    count = len(index.refs)
    averages = [sum(lengths[f] for lengths in index.lengths) / count if count else 0.0 for f in range(len(names))]
    vectors: dict[tuple[int, int], list] = {}
    inverted = []
    for term in sorted(index.postings):
        posting = index.postings[term]
        number = posting[0]
        rows = [decode_rows(term, posting[f + 1]) for f in range(len(names))]
        with_term = sum(len(r) for r in rows)
        idf = math.log(1 + abs((count - with_term + 0.5) / (with_term + 0.5)))
        entry: dict = {}
        for f, name in enumerate(names):
            by_ref = {}
            for d, positions in rows[f]:
                by_ref[index.refs[d]] = {"position": positions}
                tf, length = len(positions), index.lengths[d][f]
                # lunr.py's expression, step by step, so that every float rounds the same way
                score = idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (length / averages[f])) + tf)
                score *= FIELDS[f][1]
                vectors.setdefault((d, f), []).append((number, round(score, 3)))
            entry[name] = by_ref
        entry["_index"] = number
        inverted.append([term, entry])
    field_vectors = []
    for d, ref in enumerate(index.refs):
        for f, name in enumerate(names):
            pairs = sorted(vectors.get((d, f), []))
            field_vectors.append([f"{name}/{ref}", [x for pair in pairs for x in pair]])
    return {"version": LUNR_VERSION, "fields": names, "fieldVectors": field_vectors,
            "invertedIndex": inverted, "pipeline": []}

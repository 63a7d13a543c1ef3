"""The search index: Chinese-aware tokens, a lunr index, written as term shards that load as scripts."""
from __future__ import annotations

import json
import math
import operator
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain, count
from pathlib import Path

from .incremental import derived
from .output import OutputFile
from .collection import Site
from .tokenize import positions, tokenize

ROOT = Path(__file__).resolve().parent.parent
LUNR_JS = ROOT / "node_modules" / "lunr" / "lunr.min.js"
LUNR_VERSION = "2.3.9"

# Indexed fields and their boosts: the title weighs most, the names a reader types next.
FIELDS: tuple[tuple[str, int], ...] = (("title", 10), ("body", 1), ("county", 5), ("author", 3), ("programme", 3))
# lunr's BM25 parameters (its defaults; kept here because the builder below must match lunr.py exactly).
K1, B = 1.2, 0.75
# A shard's target size: the first search loads the manifest plus only the shards its terms live in.
SHARD_BYTES = 40_000
ASSETS = "assets/search"


@dataclass
class SearchDoc:
    """One report as the index and the result list see it."""

    ref: str  # the page URL relative to the site root
    title: str
    county: str
    author: str
    programme: str
    body: str
    date: str  # as a reader writes it: 2017年7月
    year: int
    programmes: list[str] = field(default_factory=list)  # slugs, for the facet
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # (anchor, text) for snippets

    def field_text(self, name: str) -> str:
        """The text of one indexed field."""
        return getattr(self, name)


def documents(site: Site) -> list[SearchDoc]:
    """Every report of the site as a search document, in the site's order (newest first)."""
    index = site.programme_index
    docs = []
    for report in site.reports:
        body = site.bodies.get(report.slug)
        mentioned = index.by_report.get(report.slug, []) if index else []
        # In watch mode an unchanged report (the same kept report, body and programmes) is the same
        # document, whose field texts the tokenizer's memo then finds at once.
        docs.append(derived(("search.document", report.path), (report, body, mentioned),
                            lambda: document(report, body, [p for p, *_ in mentioned])))
    return docs


def document(report, body, mentioned: list) -> SearchDoc:
    """One report as a search document; `mentioned` are the programmes it mentions (known after analysis)."""
    paragraphs = [(p.anchor, p.text) for p in body.paragraphs] if body else []
    if not paragraphs:  # a body without blocks still has text to find
        paragraphs = [("", part.strip()) for part in report.body.split("\n\n") if part.strip()]
    return SearchDoc(
        ref=report.url,
        title=report.title,
        county=report.county,
        author="\n".join(report.authors),
        programme="\n".join(p.name for p in mentioned),
        body="\n".join(text for _, text in paragraphs),
        date=report.date.chinese(),
        year=report.date.year,
        programmes=[p.slug for p in mentioned],
        paragraphs=paragraphs,
    )


# ---------------------------------------------------------------- the lunr index


def reference_index(docs: list[SearchDoc]) -> dict:
    """The index as lunr.py builds it with our tokenizer: the reference build_index must equal."""
    from lunr.builder import Builder
    from lunr.token import Token as LunrToken

    class CJKBuilder(Builder):
        """lunr.py's builder fed with our tokens (it has no hook for a tokenizer with positions)."""

        def add(self, doc, attributes=None):
            """lunr.py's Builder.add, with our tokenizer in place of lunr's whitespace one."""
            from collections import defaultdict

            from lunr.field_ref import FieldRef

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


@dataclass
class DocTerms:
    """One document's tokens per field: the part of the index that depends on that document alone.

    fields[f] = (number of tokens, {term: positions}) with the terms in the order of their first
    token. positions is text: the starts as steps from the one before, joined by commas, then, for
    spans that differ from the term's own length (a bigram across a quotation mark), ":" and
    k,length pairs (k counts that term's positions from 0). A term's frequency is its number of starts.
    """

    fields: list[tuple[int, dict[str, str]]]


# Documents analysed by earlier builds in this process (watch mode), keyed by their field texts.
_ANALYSED: dict[tuple[str, ...], DocTerms] = {}


def field_terms(text: str) -> tuple[int, dict[str, str]]:
    """The tokens of one field, grouped by term."""
    terms, starts, odd = positions(text)
    # Most terms occur once in a field: their text is their start, made for all terms at C speed
    # (keys in first-token order, values the last start); only repeated terms are grouped in a loop.
    last = dict(zip(terms, starts))
    out = dict(zip(last, map(str, last.values())))
    grouped: dict[str, list[int]] = {}
    if len(last) != len(terms):
        first = dict(zip(reversed(terms), reversed(starts)))
        grouped = {term: [] for term in last if first[term] != last[term]}
        if not grouped or len(set(starts)) != len(starts):  # a fold of several characters: group plainly
            grouped = {}
            for term, start in zip(terms, starts):
                grouped.setdefault(term, []).append(start)
        else:
            get = grouped.get
            for term, start in zip(terms, starts):
                at = get(term)
                if at is not None:
                    at.append(start)
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
    return len(terms), out


def doc_terms(doc: SearchDoc) -> DocTerms:
    """Tokenize one document's fields (remembered for the next build in this process)."""
    key = tuple(doc.field_text(name) for name, _ in FIELDS)
    cached = _ANALYSED.get(key)
    if cached is None:
        cached = _ANALYSED[key] = DocTerms([field_terms(text) for text in key])
    return cached


@dataclass
class Index:
    """The lunr index in the form the shards are written from.

    postings[term] = [lunr term number, rows of field 0, rows of field 1, ...]; a field's rows are
    one text: "document number,positions" (positions as in DocTerms) joined by ";". The scores are
    not written: the browser computes them from the term frequencies (the number of positions), the
    field lengths and the document count, with lunr's own BM25 expression (see lunr_json).
    """

    refs: list[str]
    lengths: list[list[int]]  # tokens per field of every document
    postings: dict[str, list]
    serial: int = field(default_factory=lambda: next(_SERIALS))  # which index this is, in this process
    # (serial of an earlier index, terms): postings is that index's very dict, changed at these terms only
    patched: tuple[int, frozenset[str]] | None = None


_SERIALS = count(1)


@dataclass
class _Previous:
    """The last index built in this process, patched when only a few reports changed (watch mode)."""

    refs: list[str]
    analysed: list[DocTerms]
    joined: dict[str, list[str]]  # term -> rows text per field
    terms: list[str]  # in lunr's order: the term numbered n is terms[n]
    numbers: dict[str, int]  # term -> its number
    starts: list[int]  # the number of the first term each document brings, and len(terms) last
    postings: dict[str, list]
    serial: int  # the Index made from it


_PREVIOUS: list[_Previous] = []


def build_index(docs: list[SearchDoc], analysed: list[DocTerms] | None = None) -> Index:
    """lunr's index (lunr.py's term numbers, term frequencies and positions), computed directly.

    In a long-running process (--watch) an edit of a few reports patches the rows of the previous
    index instead of assembling every row again, and, while the terms keep their numbers, only the
    postings of the terms those reports hold; the result is the same (tested).
    """
    if analysed is None:
        analysed = [doc_terms(d) for d in docs]
        if len(_ANALYSED) > 2 * len(docs) + 100:  # forget documents edited away
            keep = {tuple(d.field_text(name) for name, _ in FIELDS) for d in docs}
            for key in [k for k in _ANALYSED if k not in keep]:
                del _ANALYSED[key]
    refs = [d.ref for d in docs]
    previous = _PREVIOUS[0] if _PREVIOUS else None
    if previous is not None and previous.refs == refs:
        changed = [d for d, dt in enumerate(analysed) if dt is not previous.analysed[d]]
    else:
        changed = None
    _PREVIOUS.clear()  # until this build succeeds: a half-patched index must not be patched again
    postings, patched = None, None
    if changed is not None and len(changed) <= max(1, len(docs) // 10):
        joined = previous.joined
        for d in changed:
            _patch(joined, d, previous.analysed[d], analysed[d])
        if _same_numbers(previous, analysed, changed):
            terms, numbers, starts, postings = previous.terms, previous.numbers, previous.starts, previous.postings
            touched = []  # the terms whose entry changed: an appended sentence moves no earlier position
            for term in {t for d in changed for dt in (previous.analysed[d], analysed[d]) for _, g in dt.fields for t in g}:
                posting = [numbers[term], *joined[term]]
                if posting != postings.get(term):
                    postings[term] = posting
                    touched.append(term)
            patched = (previous.serial, frozenset(touched))
        elif len(changed) == 1:
            renumbered = _renumbered(previous, analysed, changed[0])
            if renumbered is not None:
                terms, numbers, starts = renumbered
                postings = {term: [number, *joined[term]] for term, number in numbers.items()}
    else:
        joined = _assemble(analysed)
    if postings is None:
        terms, numbers, starts = _numbering(analysed)
        postings = {term: [number, *joined[term]] for term, number in numbers.items()}
    index = Index(refs, [[length for length, _ in dt.fields] for dt in analysed], postings, patched=patched)
    _PREVIOUS[:] = [_Previous(refs, list(analysed), joined, terms, numbers, starts, postings, index.serial)]
    return index


def _numbering(analysed: list[DocTerms]) -> tuple[list[str], dict[str, int], list[int]]:
    """lunr numbers terms in the order they first occur, report by report, field by field."""
    first: dict[str, object] = {}
    starts = []
    for dt in analysed:
        starts.append(len(first))
        for _, grouped in dt.fields:
            first.update(grouped)  # a term already there keeps its place
    starts.append(len(first))
    terms = list(first)
    return terms, dict(zip(terms, range(len(terms)))), starts


def _same_numbers(previous: _Previous, analysed: list[DocTerms], changed: list[int]) -> bool:
    """Whether every term keeps its number: each changed report brings the same new terms, in the same order.

    A term's number depends only on the reports before the first one holding it, so only the terms a
    changed report was first to hold (and, after the edit, would be first to hold) can move.
    """
    terms, starts = previous.terms, previous.starts
    for d in changed:
        if list(_brought(previous.numbers, analysed[d], starts[d])) != terms[starts[d]:starts[d + 1]]:
            return False
    return True


def _brought(numbers: dict[str, int], dt: DocTerms, low: int) -> dict[str, None]:
    """The terms a report would be first to hold, in order: new ones, and those numbered from `low` (its first) on."""
    brought: dict[str, None] = {}
    for _, grouped in dt.fields:
        for term in grouped:
            number = numbers.get(term)
            if number is None or number >= low:
                brought[term] = None
    return brought


def _renumbered(previous: _Previous, analysed: list[DocTerms], d: int) -> tuple[list[str], dict[str, int], list[int]] | None:
    """_numbering after one report brought new terms but lost none it was first to hold (None otherwise).

    The terms of earlier reports keep their numbers, the report's own new terms follow them, and the
    later reports' terms keep their order, less those the report now holds first.
    """
    numbers, terms, starts = previous.numbers, previous.terms, previous.starts
    low, high = starts[d], starts[d + 1]
    brought = _brought(numbers, analysed[d], low)
    if not all(term in brought for term in terms[low:high]):
        return None  # a term it held first now first occurs in a later report: number everything again
    moved = sorted(numbers[t] for t in brought if t in numbers and numbers[t] >= high)  # from later reports
    later = [t for t in terms[high:] if t not in brought] if moved else terms[high:]
    new_terms = terms[:low] + list(brought) + later
    grown = len(brought) - (high - low)
    new_starts = starts[:d + 1]
    j = 0  # how many moved terms were first held by a report before the one at hand
    for k in range(d + 1, len(starts)):
        while j < len(moved) and moved[j] < starts[k]:
            j += 1
        new_starts.append(starts[k] + grown - j)
    return new_terms, dict(zip(new_terms, range(len(new_terms)))), new_starts


def _assemble(analysed: list[DocTerms]) -> dict[str, list[str]]:
    """Every term's rows, per field, from every report."""
    per_field = _field_rows(analysed, 0, len(FIELDS))
    terms = dict.fromkeys(chain.from_iterable(per_field))
    return {term: [";".join(rows.get(term, ())) for rows in per_field] for term in terms}


def _field_rows(analysed: list[DocTerms], first: int, fields: int) -> list[dict[str, list[str]]]:
    """Per field, every term's rows from the documents numbered from `first`."""
    per_field: list[dict[str, list[str]]] = [{} for _ in range(fields)]
    for d, dt in enumerate(analysed, first):
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


# The programme field comes last: it is known only once the whole collection is analysed, so the
# fields before it can be indexed report by report while the bodies are rendered (archive/parallel.py).
PROGRAMME = len(FIELDS) - 1
assert FIELDS[PROGRAMME][0] == "programme"


@dataclass
class Partial:
    """The index of a run of consecutive documents, all fields but the programme field.

    rows[f] maps each term of field f to its rows text; order is the run's terms in lunr's order and
    order[cuts[i]:cuts[i + 1]] the terms document first + i is the first of the run to use.
    """

    first: int  # number of the run's first document
    lengths: list[list[int]]  # tokens per field of each document
    rows: list[dict[str, str]]
    order: list[str]
    cuts: list[int]


def partial(first: int, docs: list[SearchDoc]) -> Partial:
    """The index of docs, numbered from `first`, without their programme field."""
    analysed = [DocTerms([field_terms(doc.field_text(name)) for name, _ in FIELDS[:PROGRAMME]]) for doc in docs]
    seen: dict[str, str] = {}
    cuts = [0]
    for dt in analysed:
        for _, grouped in dt.fields:
            seen.update(grouped)  # a term already seen keeps its place
        cuts.append(len(seen))
    rows = [{term: ";".join(texts) for term, texts in by_term.items()}
            for by_term in _field_rows(analysed, first, PROGRAMME)]
    return Partial(first, [[n for n, _ in dt.fields] for dt in analysed], rows, list(seen), cuts)


def join_partials(docs: list[SearchDoc], parts: list[Partial]) -> Index:
    """build_index(docs), from the partial indexes of runs covering docs and their programme fields."""
    parts = sorted(parts, key=lambda part: part.first)
    if [part.first for part in parts] != [sum(len(p.lengths) for p in parts[:i]) for i in range(len(parts))] \
            or sum(len(part.lengths) for part in parts) != len(docs):
        raise ValueError("the partial indexes do not cover the documents once each, in order")
    programme = [field_terms(doc.programme) for doc in docs]
    order: dict[str, None] = {}
    lengths = []
    for part in parts:
        for i, counts in enumerate(part.lengths):
            order.update(dict.fromkeys(part.order[part.cuts[i]:part.cuts[i + 1]]))
            n, grouped = programme[part.first + i]
            order.update(dict.fromkeys(grouped))
            lengths.append([*counts, n])
    rows: list[dict[str, list[str]]] = [{} for _ in FIELDS]
    for f in range(PROGRAMME):
        into = rows[f]
        for part in parts:
            get = into.get
            for term, text in part.rows[f].items():
                at = get(term)
                if at is None:
                    into[term] = [text]
                else:
                    at.append(text)
    for d, (_, grouped) in enumerate(programme):
        into = rows[PROGRAMME]
        for term, positions in grouped.items():
            into.setdefault(term, []).append(f"{d},{positions}")
    postings = {term: [number, *(";".join(by_term.get(term, ())) for by_term in rows)]
                for number, term in enumerate(order)}
    _PREVIOUS.clear()  # the next build in this process assembles every row again
    return Index([doc.ref for doc in docs], lengths, postings)


def _row_span(text: str, d: int) -> tuple[int, int]:
    """Where document d's row is in a field's rows text: (start, end), or (-1, -1)."""
    key = f"{d},"
    if text.startswith(key):
        start = 0
    else:
        start = text.find(";" + key)
        if start < 0:
            return -1, -1
        start += 1
    end = text.find(";", start)
    return start, len(text) if end < 0 else end


def _patch(joined: dict[str, list[str]], d: int, old: DocTerms, new: DocTerms) -> None:
    """Replace document d's rows: old terms out, new terms in, rows kept in document order."""
    n_fields = len(FIELDS)
    for f in range(n_fields):
        before, after = old.fields[f][1], new.fields[f][1]
        for term in before.keys() - after.keys():
            text = joined[term][f]
            start, end = _row_span(text, d)
            joined[term][f] = text[end + 1:] if start == 0 else text[:start - 1] + text[end:]
            if not any(joined[term]):
                del joined[term]
        for term, positions in after.items():
            row = f"{d},{positions}"
            if term in before:
                if before[term] != positions:
                    text = joined[term][f]
                    start, end = _row_span(text, d)
                    joined[term][f] = text[:start] + row + text[end:]
                continue
            entry = joined.setdefault(term, [""] * n_fields)
            parts = entry[f].split(";") if entry[f] else []
            at = bisect_left([int(p[:p.index(",")]) for p in parts], d)
            parts.insert(at, row)
            entry[f] = ";".join(parts)


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


# ---------------------------------------------------------------- shards


def shard_of(term: str, shards: int, split: dict[str, list[int]]) -> int:
    """The shard holding a term: by its first character, so a one-character prefix search needs one
    shard; a character with too many terms for one shard has several, chosen by the second."""
    if term[0] in split:
        offset, k = split[term[0]]
        return offset + (ord(term[1]) if len(term) > 1 else 0) % k
    return ord(term[0]) % shards


def _entry_size(term: str, posting: list) -> int:
    """About how many bytes a term's entry takes in its shard."""
    return len(term) * 3 + 8 + sum(map(len, posting[1:])) + 3 * (len(posting) - 1)


def plan_shards(index: Index, shards: int | None = None) -> tuple[int, dict[str, list[int]]]:
    """How many shards by first character, and the characters split further ({char: [first shard, count]})."""
    if shards is not None:
        return shards, {}
    by_char: dict[str, int] = {}
    for term, posting in index.postings.items():
        by_char[term[0]] = by_char.get(term[0], 0) + _entry_size(term, posting)
    return _plan(by_char)


def _plan(by_char: dict[str, int]) -> tuple[int, dict[str, list[int]]]:
    """plan_shards from the bytes of the entries of each first character."""
    # A character above a quarter of a shard gets shards of its own (as many as it needs): the others
    # share shards by code point, and busy characters landing together made shards of 100 KB+
    # (雪亮工程 loaded 152 KB raw; 78 KB so; at 1,000 reports 388 -> 524 files).
    split = {c: size for c, size in by_char.items() if size > SHARD_BYTES // 4}
    rest = sum(size for c, size in by_char.items() if c not in split)
    shards = max(1, math.ceil(rest / SHARD_BYTES))
    plan, offset = {}, shards
    for c in sorted(split):
        k = math.ceil(split[c] / SHARD_BYTES)
        plan[c] = [offset, k]
        offset += k
    return shards, plan


def _script(call: str, payload) -> bytes:
    """A script that hands its data to the page: loads from file:// where fetch() cannot."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return f"ArchiveSearch.{call}({data});\n".encode("utf-8")


# Characters JSON must escape: terms (Han and word characters) have none, and rows are made of
# digits and , : ; only (written by field_terms and _assemble).
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\u2028\u2029]')


# Shard files of the last build in this process (watch mode): an edit changes the entries of a few shards.
_SHARD_FILES: dict[int, tuple[list[list], bytes]] = {}


def _shard_script(n: int, bucket: list[list]) -> bytes:
    """_script("shard", [n, bucket]), byte for byte, written without the JSON encoder (twice as fast)."""
    last = _SHARD_FILES.get(n)
    if last is not None and (last[0] is bucket or last[0] == bucket):  # cheaper than writing the entries
        return last[1]
    data = _shard_text(n, bucket)
    _SHARD_FILES[n] = (bucket, data)
    return data


def _shard_text(n: int, bucket: list[list]) -> bytes:
    """The shard file's bytes."""
    if _NEEDS_ESCAPE.search("".join([e[0] for e in bucket])):
        return _script("shard", [n, bucket])
    body = ",".join(['["' + e[0] + '",' + str(e[1]) + ',"' + '","'.join(e[2:]) + '"]' for e in bucket])
    return f"ArchiveSearch.shard([{n},[{body}]]);\n".encode("utf-8")


# Snippet files of earlier builds in this process (watch mode): most reports are unchanged.
_DOC_FILES: dict[tuple, bytes] = {}


# id -> (document, its number, its file) of the last build: in watch mode an unchanged report is the very
# document of the last build (search.documents), never changed once made.
_DOC_BY_ID: dict[int, tuple[SearchDoc, int, bytes]] = {}


def _doc_scripts(docs: list[SearchDoc]) -> list[bytes]:
    """_doc_script of every document."""
    global _DOC_BY_ID
    now, out = {}, []
    for n, doc in enumerate(docs):
        hit = _DOC_BY_ID.get(id(doc))
        if hit is None or hit[0] is not doc or hit[1] != n:
            hit = (doc, n, _doc_script(n, doc))
        now[id(doc)] = hit
        out.append(hit[2])
    _DOC_BY_ID = now
    return out


def _doc_script(n: int, doc: SearchDoc) -> bytes:
    """The file of document n: what only a shown result needs (title, county, date, passages for snippets)."""
    key = (n, doc.title, doc.county, doc.date, tuple(doc.paragraphs))
    data = _DOC_FILES.get(key)
    if data is None:
        data = _DOC_FILES[key] = _script("doc", [n, [doc.title, doc.county, doc.date], [list(p) for p in doc.paragraphs]])
    return data


def _common_affixes(refs: list[str]) -> tuple[str, str]:
    """The folder and extension every ref shares (reports/ and .html): written once, not per document."""
    if not refs:
        return "", ""
    prefix = refs[0][:refs[0].rfind("/") + 1]
    if not all(r.startswith(prefix) for r in refs):
        prefix = ""
    suffix = ".html" if all(r.endswith(".html") and len(r) > len(prefix) + 5 for r in refs) else ""
    return prefix, suffix


def manifest(site: Site, docs: list[SearchDoc], index: Index, shards: int, split: dict[str, list[int]]) -> dict:
    """What every search loads before its shards: how to score (field lengths) and each result's page.

    Per document only the field lengths (BM25 needs them for every document a term occurs in) and
    the page name; what only a shown result needs is in its doc-N.js, and what a list of results
    needs of every document in list.js, so that the first search stays small as the archive grows.
    """
    refs = [d.ref for d in docs]
    prefix, suffix = _common_affixes(refs)
    return {
        "version": 2,
        "lunr": LUNR_VERSION,
        "fields": [name for name, _ in FIELDS],
        "boosts": [boost for _, boost in FIELDS],
        "k1": K1,
        "b": B,
        "count": len(docs),
        "lengths": [length for lengths in index.lengths for length in lengths],  # document by document
        "refs": [prefix, suffix, [r[len(prefix):len(r) - len(suffix)] for r in refs]],
        "shards": shards,
        "split": split,
        "suggest": sorted({d.county for d in docs} | {p.name for p in site.programmes}
                          | {a for p in site.programmes for a in p.aliases}),
    }


def result_list(site: Site, docs: list[SearchDoc]) -> dict:
    """What a list of results needs of every document: its title line (the box's instant list shows
    titles only) and the result page's facets (county, year and programmes, as numbers)."""
    by_slug = {p.slug: p for p in site.programmes}
    slugs = sorted({s for d in docs for s in d.programmes})
    programme_no = {s: i for i, s in enumerate(slugs)}
    counties = sorted({d.county for d in docs})
    county_no = {c: i for i, c in enumerate(counties)}
    return {
        "titles": [d.title for d in docs],
        "dates": [d.date for d in docs],
        "counties": counties,
        "programmes": [[by_slug[s].url, by_slug[s].name, list(by_slug[s].aliases)] for s in slugs],
        "county": [county_no[d.county] for d in docs],
        "year": [d.year for d in docs],
        "programmesOf": [[programme_no[s] for s in d.programmes] for d in docs],
    }


@dataclass
class _Layout:
    """The shards index_files made of an index (watch mode): the next index, patched at a few terms, moves
    a few entries, and the plan changes only when a first character's entries cross a shard's size."""

    serial: int  # the index they were made of
    postings: dict[str, list]  # its postings: the dict build_index patches
    by_char: dict[str, int]  # bytes of the entries of each first character
    sizes: dict[str, int]  # term -> bytes of its entry
    plan: tuple[int, dict[str, list[int]]]
    buckets: list[list]  # the entries of each shard, [term, *posting], by term
    where: dict[str, tuple[int, int]]  # term -> (shard, place in it)


_LAYOUT: list[_Layout] = []


def _layout(index: Index) -> _Layout:
    """The shards of an index: the last layout moved where the index is the last one patched, else made anew."""
    last = _LAYOUT[0] if _LAYOUT else None
    _LAYOUT.clear()  # until this one is complete
    postings = index.postings
    if last is not None and index.patched is not None and index.patched[0] == last.serial and last.postings is postings \
            and index.patched[1] <= last.where.keys() and len(last.where) == len(postings):
        by_char, sizes = last.by_char, last.sizes
        for term in index.patched[1]:
            size = _entry_size(term, postings[term])
            by_char[term[0]] += size - sizes[term]
            sizes[term] = size
        plan = _plan(by_char)
        if plan == last.plan:
            buckets, where, copied = last.buckets, last.where, set()
            for term in index.patched[1]:
                n, at = where[term]
                if n not in copied:  # a new list: the shard's cached file compares the old one with it
                    buckets[n] = list(buckets[n])
                    copied.add(n)
                buckets[n][at] = [term, *postings[term]]
            layout = _Layout(index.serial, postings, by_char, sizes, plan, buckets, where)
            _LAYOUT.append(layout)
            return layout
    else:
        sizes = {term: _entry_size(term, posting) for term, posting in postings.items()}
        by_char = {}
        for term, size in sizes.items():
            by_char[term[0]] = by_char.get(term[0], 0) + size
        plan = _plan(by_char)
    shards, split = plan
    buckets: list[list] = [[] for _ in range(shards + sum(k for _, k in split.values()))]
    where = {}
    for term in sorted(postings):
        n = shard_of(term, shards, split)
        where[term] = (n, len(buckets[n]))
        buckets[n].append([term, *postings[term]])
    layout = _Layout(index.serial, postings, by_char, sizes, plan, buckets, where)
    _LAYOUT.append(layout)
    return layout


def index_files(site: Site, docs: list[SearchDoc], index: Index, shards: int | None = None) -> list[OutputFile]:
    """The manifest, the result list, the term shards and one file per document, all as scripts."""
    if shards is None:
        layout = _layout(index)
        (shards, split), buckets = layout.plan, layout.buckets
    else:
        split = {}
        buckets = [[] for _ in range(shards)]
        for term in sorted(index.postings):
            buckets[shard_of(term, shards, split)].append([term, *index.postings[term]])
    files = [OutputFile(f"{ASSETS}/manifest.js", _script("manifest", manifest(site, docs, index, shards, split)), "search"),
             OutputFile(f"{ASSETS}/list.js", _script("list", result_list(site, docs)), "search")]
    files += [OutputFile(f"{ASSETS}/shard-{n}.js", _shard_script(n, bucket), "search")
              for n, bucket in enumerate(buckets)]
    if len(_DOC_FILES) > 2 * len(docs) + 100:  # forget reports edited away
        _DOC_FILES.clear()
    files += [OutputFile(f"{ASSETS}/doc-{n}.js", data, "search") for n, data in enumerate(_doc_scripts(docs))]
    return files


# A report's terms as the per-report step hands them over: per field (tokens, terms, positions), the
# terms and their positions each joined by NUL. Two strings instead of a dict of small ones pickle 40
# times faster on their way back from a worker process (0.7 s at 1,000 reports).
Terms = tuple[tuple[int, str, str], ...]


def report_terms(report, body) -> Terms:
    """The tokens of every field one report alone decides (all but the programme field), packed."""
    doc = document(report, body, [])
    packed = []
    for name, _ in FIELDS[:PROGRAMME]:
        n, grouped = field_terms(doc.field_text(name))
        packed.append((n, "\0".join(grouped), "\0".join(grouped.values())))
    return tuple(packed)


def _unpacked(terms: Terms) -> list[tuple[int, dict[str, str]]]:
    """report_terms() as field_terms() gives them."""
    return [(n, dict(zip(keys.split("\0"), values.split("\0"))) if keys else {}) for n, keys, values in terms]


def build_search(site: Site, terms: list[Terms] | None = None) -> list[OutputFile]:
    """The index scripts for the site and lunr.js, copied from node_modules.

    terms: report_terms() of every report, in the site's order (made by the per-report step).
    """
    docs = documents(site)
    if terms is None:
        index = build_index(docs)
    else:
        index = build_index(docs, [DocTerms([*_unpacked(own), field_terms(doc.programme)]) for own, doc in zip(terms, docs)])
    files = index_files(site, docs, index)
    files.append(OutputFile(f"{ASSETS}/lunr.min.js", LUNR_JS.read_bytes(), str(LUNR_JS)))
    return files


def render_pages(site: Site, renderer) -> list[OutputFile]:
    """search.html: the result page, reading its query from ?q=."""
    return [renderer.page("search.html", "search.html")]

"""The search index: Chinese-aware tokens, a lunr index, written as term shards that load as scripts."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .output import OutputFile
from .site import Site
from .tokenize import Token, tokenize

ROOT = Path(__file__).resolve().parent.parent
LUNR_JS = ROOT / "node_modules" / "lunr" / "lunr.min.js"
LUNR_VERSION = "2.3.9"

# Indexed fields and their boosts: the title weighs most, the names a reader types next.
FIELDS: tuple[tuple[str, int], ...] = (("title", 10), ("body", 1), ("county", 5), ("author", 3), ("programme", 3))
# lunr's BM25 parameters (its defaults; kept here because the builder below must match lunr.py exactly).
K1, B = 1.2, 0.75
# A shard's target size: the first search loads the manifest plus only the shards its terms live in.
SHARD_BYTES = 96_000
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
        paragraphs = [(p.anchor, p.text) for p in body.paragraphs] if body else []
        if not paragraphs:  # a body without blocks still has text to find
            paragraphs = [("", part.strip()) for part in report.body.split("\n\n") if part.strip()]
        mentioned = [p for p, *_ in index.by_report.get(report.slug, [])] if index else []
        docs.append(SearchDoc(
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
        ))
    return docs


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
    """One document's tokens, counted per field: the part of the index that depends on it alone."""

    lengths: list[int]  # tokens per field
    terms: list[dict[str, list[int]]]  # per field: term -> flat positions [start, length, start, length, ...]


def doc_terms(doc: SearchDoc) -> DocTerms:
    """Tokenize one document's fields (cacheable by the document's text)."""
    lengths, terms = [], []
    for name, _ in FIELDS:
        tokens = tokenize(doc.field_text(name))
        positions: dict[str, list[int]] = {}
        for t in tokens:
            slot = positions.get(t.term)
            if slot is None:
                positions[t.term] = [t.start, t.length]
            else:
                slot += (t.start, t.length)
        lengths.append(len(tokens))
        terms.append(positions)
    return DocTerms(lengths, terms)


def build_index(docs: list[SearchDoc], analysed: list[DocTerms] | None = None) -> dict:
    """The lunr 2.3.9 index, exactly as lunr.py serializes it (same terms, order, scores), only faster."""
    analysed = analysed if analysed is not None else [doc_terms(d) for d in docs]
    names = [name for name, _ in FIELDS]
    inverted: dict[str, dict] = {}
    for doc, dt in zip(docs, analysed):
        for name, positions in zip(names, dt.terms):
            for term, flat in positions.items():
                posting = inverted.get(term)
                if posting is None:
                    posting = {n: {} for n in names}
                    posting["_index"] = len(inverted)
                    inverted[term] = posting
                posting[name][doc.ref] = {"position": [flat[i:i + 2] for i in range(0, len(flat), 2)]}
    count = len(docs)
    average = [sum(dt.lengths[f] for dt in analysed) / count if count else 0 for f in range(len(names))]
    idf: dict[str, float] = {}
    field_vectors = []
    for doc, dt in zip(docs, analysed):
        for f, (name, boost) in enumerate(FIELDS):
            length = dt.lengths[f]
            pairs = []
            for term, flat in dt.terms[f].items():
                posting = inverted[term]
                w = idf.get(term)
                if w is None:
                    with_term = sum(len(posting[n]) for n in names)
                    w = idf[term] = math.log(1 + abs((count - with_term + 0.5) / (with_term + 0.5)))
                tf = len(flat) // 2
                # the very expression lunr.py evaluates, so the floats round the same way
                score = w * ((K1 + 1) * tf) / (K1 * (1 - B + B * (length / average[f])) + tf)
                score *= boost
                score *= 1
                pairs.append((posting["_index"], round(round(score, 3), 3)))
            pairs.sort()
            field_vectors.append([f"{name}/{doc.ref}", [x for pair in pairs for x in pair]])
    return {
        "version": LUNR_VERSION,
        "fields": names,
        "fieldVectors": field_vectors,
        "invertedIndex": [[term, inverted[term]] for term in sorted(inverted)],
        "pipeline": [],
    }


# ---------------------------------------------------------------- shards


def shard_of(term: str, shards: int) -> int:
    """The shard holding a term: by its first character, so a one-character prefix search needs one shard."""
    return ord(term[0]) % shards


def shard_terms(index: dict, docs: list[SearchDoc]) -> dict[str, list]:
    """Each term's entry in the compact shard form: [term, lunr _index, per field [[doc, score, starts, odd]]].

    starts: each position's start as the step from the previous one; odd: [[k, length], ...] for the
    positions whose length is not the term's own length (a bigram spanning a quotation mark).
    A field vector is the transpose of the postings, so the score per (field, doc, term) is all a
    reader needs to rebuild lunr's invertedIndex and fieldVectors for the terms it has loaded.
    """
    names = index["fields"]
    number = {doc.ref: i for i, doc in enumerate(docs)}
    scores: dict[tuple[int, int, int], float] = {}
    for field_ref, elements in index["fieldVectors"]:
        name, ref = field_ref.split("/", 1)
        f, d = names.index(name), number[ref]
        for i in range(0, len(elements), 2):
            scores[(f, d, elements[i])] = elements[i + 1]
    out: dict[str, list] = {}
    for term, posting in index["invertedIndex"]:
        entry: list = [term, posting["_index"]]
        for f, name in enumerate(names):
            rows = []
            for ref, meta in posting[name].items():
                d = number[ref]
                steps, odd, last, usual = [], [], 0, len(term)
                for k, (start, length) in enumerate(meta["position"]):
                    steps.append(start - last)
                    last = start
                    if length != usual:
                        odd.append([k, length])
                row = [d, scores[(f, d, posting["_index"])], steps]
                if odd:
                    row.append(odd)
                rows.append(row)
            entry.append(rows)
        out[term] = entry
    return out


def _script(call: str, payload) -> bytes:
    """A script that hands its data to the page: loads from file:// where fetch() cannot."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return f"ArchiveSearch.{call}({data});\n".encode("utf-8")


def choose_shards(entries: dict[str, list]) -> int:
    """How many shards: enough that each stays near SHARD_BYTES (one for a small archive)."""
    total = sum(len(json.dumps(e, ensure_ascii=False, separators=(",", ":"))) for e in entries.values())
    return max(1, math.ceil(total * 3 / SHARD_BYTES))  # UTF-8: a CJK character is three bytes


def manifest(site: Site, docs: list[SearchDoc], index: dict, shards: int) -> dict:
    """What the first search loads besides its shards: fields, documents, facets, names to suggest."""
    by_slug = {p.slug: p for p in site.programmes}
    slugs = sorted({s for d in docs for s in d.programmes})
    programme_no = {s: i for i, s in enumerate(slugs)}
    return {
        "version": 1,
        "lunr": LUNR_VERSION,
        "fields": index["fields"],
        "shards": shards,
        "docs": [[d.ref, d.title, d.county, d.date, d.year, [programme_no[s] for s in d.programmes]] for d in docs],
        "programmes": [[by_slug[s].url, by_slug[s].name, list(by_slug[s].aliases)] for s in slugs],
        "suggest": sorted({d.county for d in docs} | {p.name for p in site.programmes}
                          | {a for p in site.programmes for a in p.aliases}),
        "allProgrammes": [[p.url, p.name, list(p.aliases)] for p in site.programmes],
    }


def index_files(site: Site, docs: list[SearchDoc], index: dict, shards: int | None = None) -> list[OutputFile]:
    """The manifest, the term shards and one snippet file per document, all as scripts."""
    entries = shard_terms(index, docs)
    shards = shards or choose_shards(entries)
    buckets: list[list] = [[] for _ in range(shards)]
    for term in sorted(entries):
        buckets[shard_of(term, shards)].append(entries[term])
    files = [OutputFile(f"{ASSETS}/manifest.js", _script("manifest", manifest(site, docs, index, shards)), "search")]
    files += [OutputFile(f"{ASSETS}/shard-{n}.js", _script("shard", [n, bucket]), "search")
              for n, bucket in enumerate(buckets)]
    files += [OutputFile(f"{ASSETS}/doc-{n}.js", _script("doc", [n, [list(p) for p in d.paragraphs]]), "search")
              for n, d in enumerate(docs)]
    return files


def build_search(site: Site) -> list[OutputFile]:
    """The index scripts for the site and lunr.js, copied from node_modules."""
    docs = documents(site)
    index = build_index(docs)
    files = index_files(site, docs, index)
    files.append(OutputFile(f"{ASSETS}/lunr.min.js", LUNR_JS.read_bytes(), str(LUNR_JS)))
    return files


def render_pages(site: Site, renderer) -> list[OutputFile]:
    """search.html: the result page, reading its query from ?q=."""
    return [renderer.page("search.html", "search.html")]

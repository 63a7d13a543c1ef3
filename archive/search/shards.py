"""The index written as scripts: term shards by first character, a manifest, the result list and one file per document.

Every file hands its data to ArchiveSearch (layouts/static/js/search.js), so the site searches from
file:// as well as over http, and a query loads only the shards of its terms.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..output import OutputFile
from .documents import FIELDS, SearchDoc
from .index import K1, B, Index

if TYPE_CHECKING:
    from ..collection import Site

# The lunr release whose index and BM25 model the files follow (the manifest says so).
LUNR_VERSION = "2.3.9"
# A shard's target size: the first search loads the manifest plus only the shards its terms live in.
SHARD_BYTES = 40_000
ASSETS = "assets/search"

# {first character: [first shard, number of shards]} for the characters with shards of their own.
Split = dict[str, list[int]]


def shard_of(term: str, shards: int, split: Split) -> int:
    """The shard holding a term: by its first character, so a one-character prefix search needs one
    shard; a character with too many terms for one shard has several, chosen by the second."""
    if term[0] in split:
        offset, k = split[term[0]]
        return offset + (ord(term[1]) if len(term) > 1 else 0) % k
    return ord(term[0]) % shards


def _entry_size(term: str, posting: list[int | str]) -> int:
    """About how many bytes a term's entry takes in its shard."""
    return len(term) * 3 + 8 + sum(len(str(rows)) for rows in posting[1:]) + 3 * (len(posting) - 1)


def plan_shards(index: Index, shard_bytes: int = SHARD_BYTES) -> tuple[int, Split]:
    """How many shards by first character, and the characters split further.

    A character above a quarter of a shard gets shards of its own (as many as it needs): the others
    share shards by code point, and busy characters landing together made shards of 100 KB+.
    """
    by_char: dict[str, int] = {}
    for term, posting in index.postings.items():
        by_char[term[0]] = by_char.get(term[0], 0) + _entry_size(term, posting)
    split = {c: size for c, size in by_char.items() if size > shard_bytes // 4}
    rest = sum(size for c, size in by_char.items() if c not in split)
    shards = max(1, math.ceil(rest / shard_bytes))
    plan, offset = {}, shards
    for c in sorted(split):
        k = math.ceil(split[c] / shard_bytes)
        plan[c] = [offset, k]
        offset += k
    return shards, plan


def _script(call: str, payload: object) -> bytes:
    """A script that hands its data to the page: loads from file:// where fetch() cannot."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return f"ArchiveSearch.{call}({data});\n".encode()


# Characters JSON must escape: terms (Han and word characters) have none, and rows are made of
# digits and , : ; only (written by documents.field_terms and index.run_rows).
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\u2028\u2029]')


def shard_script(n: int, bucket: list[list[int | str]]) -> bytes:
    """_script("shard", [n, bucket]), byte for byte, written without the JSON encoder (twice as fast)."""
    if _NEEDS_ESCAPE.search("".join([str(e[0]) for e in bucket])):
        return _script("shard", [n, bucket])
    body = ",".join(['["' + str(e[0]) + '",' + str(e[1]) + ',"' + '","'.join(map(str, e[2:])) + '"]' for e in bucket])
    return f"ArchiveSearch.shard([{n},[{body}]]);\n".encode()


def _doc_script(n: int, doc: SearchDoc) -> bytes:
    """The file of document n: what only a shown result needs (title, county, date, passages for snippets)."""
    return _script("doc", [n, [doc.title, doc.county, doc.date], [list(p) for p in doc.paragraphs]])


def _common_affixes(refs: list[str]) -> tuple[str, str]:
    """The folder and extension every ref shares (reports/ and .html): written once, not per document."""
    if not refs:
        return "", ""
    prefix = refs[0][:refs[0].rfind("/") + 1]
    if not all(r.startswith(prefix) for r in refs):
        prefix = ""
    suffix = ".html" if all(r.endswith(".html") and len(r) > len(prefix) + 5 for r in refs) else ""
    return prefix, suffix


def manifest(site: Site, docs: Sequence[SearchDoc], index: Index, shards: int, split: Split) -> dict[str, Any]:
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


def result_list(site: Site, docs: Sequence[SearchDoc]) -> dict[str, Any]:
    """What a list of results needs of every document: its title line (the box's instant list shows
    titles only), the result page's facets (county, year and programmes, as numbers) and the authors
    (as numbers), which field-scoped queries (作者:, 县:, 项目:, 年:) test; dates sort by the title line's date."""
    by_slug = {p.slug: p for p in site.programmes}
    slugs = sorted({s for d in docs for s in d.programmes})
    programme_no = {s: i for i, s in enumerate(slugs)}
    counties = sorted({d.county for d in docs})
    county_no = {c: i for i, c in enumerate(counties)}
    authors = sorted({a for d in docs for a in d.authors})
    author_no = {a: i for i, a in enumerate(authors)}
    return {
        "titles": [d.title for d in docs],
        "dates": [d.date for d in docs],
        "counties": counties,
        "programmes": [[by_slug[s].url, by_slug[s].name, list(by_slug[s].aliases)] for s in slugs],
        "county": [county_no[d.county] for d in docs],
        "year": [d.year for d in docs],
        "programmesOf": [[programme_no[s] for s in d.programmes] for d in docs],
        "authors": authors,
        "authorsOf": [[author_no[a] for a in d.authors] for d in docs],
    }


def buckets(index: Index, shards: int, split: Split) -> list[list[list[int | str]]]:
    """The entries of each shard, [term, *posting], by term."""
    out: list[list[list[int | str]]] = [[] for _ in range(shards + sum(k for _, k in split.values()))]
    for term in sorted(index.postings):
        out[shard_of(term, shards, split)].append([term, *index.postings[term]])
    return out


def index_files(site: Site, docs: Sequence[SearchDoc], index: Index, shards: int | None = None,
                shard_bytes: int = SHARD_BYTES) -> list[OutputFile]:
    """The manifest, the result list, the term shards and one file per document, all as scripts.

    shards: that many shards by code point, none split (tests); else planned by size (shard_bytes).
    """
    shards, split = (shards, {}) if shards is not None else plan_shards(index, shard_bytes)
    files = [OutputFile(f"{ASSETS}/manifest.js", _script("manifest", manifest(site, docs, index, shards, split)), "search"),
             OutputFile(f"{ASSETS}/list.js", _script("list", result_list(site, docs)), "search")]
    files += [OutputFile(f"{ASSETS}/shard-{n}.js", shard_script(n, bucket), "search")
              for n, bucket in enumerate(buckets(index, shards, split))]
    files += [OutputFile(f"{ASSETS}/doc-{n}.js", _doc_script(n, doc), "search") for n, doc in enumerate(docs)]
    return files

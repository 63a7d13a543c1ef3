"""Ground truth for search quality: which reports contain a query, by a plain substring scan of the corpus."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

# Quotation marks and the middle dot are transparent inside Chinese text (issue 5): “五老”调解 reads as 五老调解.
TRANSPARENT = "\"'‘’“”「」『』〝〞〟«»‹›·‧・•∙"
# A Latin/digit query term matches only a whole run, as the tokenizer keeps `12309` as one token.
LATIN_RUN = re.compile(r"[0-9a-z]+")
HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")


@lru_cache(maxsize=1)
def _t2s():
    """OpenCC's traditional→simplified converter, or None when the package is unusable."""
    try:
        import os

        from opencc.clib import opencc_clib  # type: ignore[import-not-found]

        config = os.path.join(os.path.dirname(opencc_clib.__file__), "share", "opencc", "t2s.json")
        return opencc_clib._OpenCC(config)
    except Exception:  # noqa: BLE001 - a missing or changed opencc only weakens folding; the run records it
        return None


@lru_cache(maxsize=None)
def _fold_char(ch: str) -> str:
    """One character folded traditional→simplified (character by character, like TSCharacters)."""
    cc = _t2s()
    if cc is None or not HAN.match(ch):
        return ch
    out = cc.convert(ch, len(ch.encode("utf-8")))
    return out if len(out) == 1 else ch


def folding_available() -> bool:
    """True when traditional→simplified folding works."""
    return _t2s() is not None


def normalise(text: str) -> str:
    """NFKC, lower case, traditional→simplified, transparent marks dropped (the tokenizer's view of text)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(_fold_char(c) for c in text)
    return text.translate({ord(c): None for c in TRANSPARENT})


def query_terms(query: str) -> list[str]:
    """The terms of a query: split on whitespace, each normalised; all must match."""
    return [t for t in (normalise(part) for part in query.split()) if t]


@dataclass
class Document:
    """One report as the search sees it: its URL and its searchable fields, normalised, one string per block."""

    url: str
    blocks: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # normalised names of the programmes the report mentions

    def contains(self, term: str) -> bool:
        """True when one block holds the term contiguously (a whole run for Latin/digit terms)."""
        if LATIN_RUN.fullmatch(term):
            pattern = re.compile(rf"(?<![0-9a-z]){re.escape(term)}(?![0-9a-z])")
            return any(pattern.search(b) for b in self.blocks)
        return any(term in b for b in self.blocks)


def strip_markdown(line: str) -> str:
    """A Markdown source line reduced to its text (headings, containers and footnote marks removed)."""
    line = re.sub(r"^\s{0,3}(#{1,6}\s+|[-*+]\s+|\d+\.\s+|>\s?)", "", line)
    if line.strip().startswith(":::"):
        return ""
    line = re.sub(r"\[\^[^\]]+\]:?", "", line)
    return line


def load_corpus(reports_dir: Path) -> list[Document]:
    """Every report file: title, county, authors and body blocks, keyed by its page URL."""
    docs = []
    for path in sorted(reports_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---", 2)
        meta = yaml.safe_load(front) or {}
        authors = meta.get("author") or []
        if isinstance(authors, str):
            authors = [authors]
        blocks = [str(meta.get("title", "")), str(meta.get("county", "")), *map(str, authors)]
        blocks += [strip_markdown(p) for p in re.split(r"\n\s*\n", body) if p.strip()]
        docs.append(Document(f"reports/{path.stem}.html", [normalise(b) for b in blocks if b]))
    return docs


def expected(docs: list[Document], query: str) -> set[str]:
    """URLs of the reports that contain every term of the query."""
    terms = query_terms(query)
    return {d.url for d in docs if terms and all(d.contains(t) for t in terms)}


def expected_with_tags(docs: list[Document], query: str) -> set[str]:
    """URLs of the reports in which every term is in the text or in the name of a programme the report mentions.

    Our index also holds each report's programme names (issue 5), so a report that says only 网格员 is
    found by 网格化管理; this is the truth for that reading.
    """
    terms = query_terms(query)
    return {d.url for d in docs if terms and all(d.contains(t) or any(t in tag for tag in d.tags) for t in terms)}


@dataclass
class Programme:
    """A registry entry as the truth scan uses it: its name, every name that mentions it, and blocking words."""

    name: str
    names: list[str]
    not_in: list[str]


def load_programmes(folder: Path) -> list[Programme]:
    """The programme registry (content/programmes/*.md front matter), normalised."""
    out = []
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        meta = yaml.safe_load(text.split("---", 2)[1]) or {}
        name = str(meta.get("name", ""))
        names = [normalise(str(n)) for n in [name, *(meta.get("aliases") or [])] if str(n).strip()]
        out.append(Programme(normalise(name), sorted(set(names), key=len, reverse=True),
                             [normalise(str(w)) for w in meta.get("not_in") or []]))
    return out


def tag(docs: list[Document], programmes: list[Programme]) -> None:
    """Give each report the programmes whose name or alias it contains outside their blocking words."""
    for doc in docs:
        doc.tags = []
        for p in programmes:
            for block in doc.blocks:
                for word in p.not_in:
                    block = block.replace(word, "\0")
                if any(n in block for n in p.names):
                    doc.tags.append(p.name)
                    break


@dataclass
class Quality:
    """Recall and precision of one tool's answer to one query."""

    expected: int
    returned: int
    hits: int

    @property
    def recall(self) -> float:
        """Share of the reports containing the query that were returned."""
        return self.hits / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        """Share of the returned reports that contain the query."""
        return self.hits / self.returned if self.returned else (1.0 if not self.expected else 0.0)


def score(truth: set[str], returned: set[str]) -> Quality:
    """Compare returned report URLs with the truth."""
    return Quality(len(truth), len(returned), len(truth & returned))

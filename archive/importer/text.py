"""Character classes and small text rules the importer's stages share: punctuation width, Markdown escaping, folding."""
from __future__ import annotations

import re
import unicodedata

CJK = r"\u4e00-\u9fff"
SENTENCE_END = "。！？!?；;…"
CLAUSE_END = "，,、：:——-"
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~{}])")


def _is_wide(ch: str) -> bool:
    """A character of a CJK script or CJK punctuation."""
    return ord(ch) >= 0x2E80


def full_width(text: str) -> str:
    """Half-width , ; : ( ) ! ? touching Chinese text become full-width; numbers, times and URLs stay as they are."""
    out = []
    for i, ch in enumerate(text):
        if ch in _HALF_TO_FULL:
            prev = text[i - 1] if i else ""
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if (prev and _is_wide(prev)) or (nxt and _is_wide(nxt)):
                ch = _HALF_TO_FULL[ch]
        out.append(ch)
    return "".join(out)


def md_escape(text: str) -> str:
    """Escape what Markdown would read as markup, so the text renders exactly as written."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", text)
    return re.sub(r"^([-+=:])", r"\\\1", text)


def is_sentence(line: str) -> bool:
    """A line that ends as a sentence or clause does (before any closing quote), so it is text, not a heading."""
    core = line.rstrip("”’」』）)\"'")
    return core.endswith(tuple(SENTENCE_END) + tuple(CLAUSE_END))


def fold(text: str) -> str:
    """Drop whitespace and fold full-width punctuation to ASCII; every other character stays as it is."""
    out = []
    for ch in text:
        if ch.isspace():
            continue
        if "\uff01" <= ch <= "\uff5e":
            folded = unicodedata.normalize("NFKC", ch)
            # Only punctuation and symbols fold: a full-width digit or letter is a different character here.
            if unicodedata.category(folded)[0] in "PS":
                ch = folded
        out.append(ch)
    return "".join(out)


def squeeze(text: str) -> str:
    """A line with the spaces inside it collapsed and its ends trimmed (ideographic spaces included)."""
    return re.sub(r"[ \t\u3000\xa0]+", " ", text).strip()

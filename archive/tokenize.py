"""The search tokenizer: fold Chinese text and cut it into bigrams and words (mirrored by tokenize.js)."""
from __future__ import annotations

import json
import operator
import re
import subprocess
import sys
import tempfile
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain, compress, pairwise, repeat
from pathlib import Path

from .fold import (
    HAN_RANGES,
    MARKS,
    MARKS_CLASS,
    TS_DATA_JS,
    WORD_RANGES,
    fold,
    fold_char,
    ranges_class,
    ts_map,
)

__all__ = ["HAN", "OTHER", "TRANSPARENT", "TS_DATA_JS", "WORD", "Token", "char_class", "fold", "fold_char", "positions",
           "scan", "token_lists", "tokenize", "tokenize_reference", "ts_map"]  # fold and ts_map: the search folds as all do

HAN, WORD, TRANSPARENT, OTHER = "han", "word", "transparent", "other"

# Quotation marks and middle dots vanish between two Han characters: “五老”调解 reads as 五老调解 (archive/fold.py).
TRANSPARENT_CHARS = MARKS


@dataclass(frozen=True)
class Token:
    """One search term and where it sits in the original string (offsets in code points).

    kind: "w" a Latin/digit word, "b" a Han bigram, "u" a lone Han character, "t" the last character
    of a Han run of two or more (indexed so that a one-character query finds it at a run's end).
    A bigram spans from its first to its second character, over any transparent marks between, so
    two bigrams of one run are adjacent exactly when next.start == start + length - 1.
    """

    term: str
    start: int
    length: int
    kind: str

    def as_list(self) -> list[str | int]:
        """The JSON form shared with tokenize.js: [term, start, length, kind]."""
        return [self.term, self.start, self.length, self.kind]


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


@cache
def char_class(ch: str) -> str:
    """The class of one folded character: han, word, transparent or other."""
    cp = ord(ch)
    if _in(cp, HAN_RANGES):
        return HAN
    if _in(cp, WORD_RANGES):
        return WORD
    if ch in TRANSPARENT_CHARS:
        return TRANSPARENT
    return OTHER


def _folded(text: str) -> list[tuple[str, int]]:
    """Folded characters, each with the code-point offset of the original character it came from."""
    return [(c, i) for i, ch in enumerate(text) for c in fold_char(ch)]


def tokenize(text: str) -> list[Token]:
    """Index tokens of a string: Han bigrams (+ run tails, lone unigrams) and whole Latin/digit words."""
    terms, starts, lengths, kinds = token_lists(text)
    return [Token(*t) for t in zip(terms, starts, lengths, kinds)]


def tokenize_reference(text: str) -> list[Token]:
    """The rule written plainly, character by character (token_lists must agree with it)."""
    chars = _folded(text)
    classes = [char_class(c) for c, _ in chars]
    tokens: list[Token] = []
    n = len(chars)
    i = 0
    while i < n:
        kind = classes[i]
        if kind == HAN:
            run = [chars[i]]
            j = i + 1
            while j < n:
                if classes[j] == HAN:
                    run.append(chars[j])
                    j += 1
                elif classes[j] == TRANSPARENT:
                    m = j
                    while m < n and classes[m] == TRANSPARENT:
                        m += 1
                    if m < n and classes[m] == HAN:
                        j = m
                    else:
                        break
                else:
                    break
            tokens.extend(_han_tokens(run))
            i = j
        elif kind == WORD:
            j = i
            while j < n and classes[j] == WORD:
                j += 1
            start, end = chars[i][1], chars[j - 1][1] + 1
            tokens.append(Token("".join(c for c, _ in chars[i:j]), start, end - start, "w"))
            i = j
        else:
            i += 1
    return tokens


def _han_tokens(run: list[tuple[str, int]]) -> list[Token]:
    """Bigrams of one Han run, then its last character; a lone character stays a unigram."""
    if len(run) == 1:
        return [Token(run[0][0], run[0][1], 1, "u")]
    out = [Token(a + b, pa, pb + 1 - pa, "b") for (a, pa), (b, pb) in pairwise(run)]
    out.append(Token(run[-1][0], run[-1][1], 1, "t"))
    return out


# --- the same tokens, fast: whole-string translate and regular expressions ----------------------


_H, _W, _T = ranges_class(HAN_RANGES), ranges_class(WORD_RANGES), MARKS_CLASS
_RUN_RE = re.compile(f"([{_H}](?:[{_T}]*[{_H}])*)|[{_W}]+")
_MARK_RE = re.compile(f"[{_T}]")
_SEPARATOR = " "


class _FoldTable(dict[int, str]):
    """str.translate table: each code point to its fold, grown on demand.

    A fold of several characters that are all separators becomes one separator (the tokens are the
    same and offsets stay those of the original); any other multi-character fold is recorded in
    `expanding`, and texts holding one take the character-by-character path.
    """

    def __init__(self) -> None:
        super().__init__()
        self.expanding: set[str] = set()

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        folded = fold_char(ch)
        if len(folded) != 1:
            if all(char_class(c) == OTHER for c in folded):
                folded = _SEPARATOR
            else:
                self.expanding.add(ch)
        self[cp] = folded
        return folded


_TABLE = _FoldTable()


def token_lists(text: str) -> tuple[list[str], list[int], list[int], list[str]]:
    """tokenize() as four parallel lists (terms, starts, lengths, kinds): what the index builder wants."""
    return scan(text)[:4]


def scan(text: str) -> tuple[list[str], list[int], list[int], list[str], list[int]]:
    """token_lists plus the indices of the tokens whose length is not their term's length."""
    folded = text.translate(_TABLE)
    if _TABLE.expanding and not _TABLE.expanding.isdisjoint(text):
        tokens = tokenize_reference(text)
        return ([t.term for t in tokens], [t.start for t in tokens], [t.length for t in tokens],
                [t.kind for t in tokens], [i for i, t in enumerate(tokens) if t.length != len(t.term)])
    odd: list[int] = []
    terms: list[str] = []
    starts: list[int] = []
    lengths: list[int] = []
    kinds: list[str] = []
    for m in _RUN_RE.finditer(folded):
        run, at = m.group(), m.start()
        n = len(run)
        if m.group(1) is None:  # a word: folding kept every character in place
            terms.append(run)
            starts.append(at)
            lengths.append(n)
            kinds.append("w")
        elif n == 1:
            terms.append(run)
            starts.append(at)
            lengths.append(1)
            kinds.append("u")
        elif _MARK_RE.search(run) is None:
            terms += [run[i:i + 2] for i in range(n - 1)]
            terms.append(run[-1])
            starts += range(at, at + n)
            lengths += [2] * (n - 1)
            lengths.append(1)
            kinds += ["b"] * (n - 1)
            kinds.append("t")
        else:  # quotation marks or dots inside the run: bigrams span them
            clean = _MARK_RE.sub("", run)
            at_ = [at + i for i, c in enumerate(run) if c not in TRANSPARENT_CHARS]
            k = len(clean)
            first = len(terms)
            terms += [clean[i:i + 2] for i in range(k - 1)]
            terms.append(clean[-1])
            starts += at_
            odd += [first + i for i in range(k - 1) if at_[i + 1] - at_[i] != 1]
            lengths += [at_[i + 1] + 1 - at_[i] for i in range(k - 1)]
            lengths.append(1)
            kinds += ["b"] * (k - 1)
            kinds.append("t")
    return terms, starts, lengths, kinds, odd


def positions(text: str) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    """What the index needs of scan(text): terms, starts and (token number, length) of the tokens in odd.

    The same tokens as scan() (tested), made a whole string at a time: every Han character starts
    one token (the bigram with the next Han character, else the character alone), every word one.
    """
    folded = text.translate(_TABLE)
    if _TABLE.expanding and not _TABLE.expanding.isdisjoint(text):
        terms, starts, lengths, _, odd = scan(text)
        return terms, starts, [(i, lengths[i]) for i in odd]
    marks = [m.span() for m in _INNER_MARKS_RE.finditer(folded)]
    if marks:  # quotation marks or dots between Han characters: the bigram spans them
        bounds = [0, *chain.from_iterable(marks), len(folded)]
        kept = "".join([folded[a:b] for a, b in zip(bounds[0::2], bounds[1::2])])
        at: Sequence[int] = list(chain.from_iterable(map(range, bounds[0::2], bounds[1::2])))
    else:
        kept, at = folded, range(len(folded))
    han = _NOT_HAN_RE.sub("\0", kept)
    is_han = list(map(operator.ne, han, repeat("\0")))
    terms = list(map(str.rstrip, compress(map(operator.add, han, han[1:] + "\0"), is_han), repeat("\0")))
    starts = list(compress(at, is_han))
    words = [(m.group(), m.start()) for m in _WORDS_RE.finditer(folded)]
    if words:
        every_term, every_start = terms + [w for w, _ in words], starts + [s for _, s in words]
        order = sorted(range(len(every_start)), key=every_start.__getitem__)  # two sorted runs: merged in linear time
        terms, starts = list(map(every_term.__getitem__, order)), list(map(every_start.__getitem__, order))
    return terms, starts, [(bisect_left(starts, a - 1), b - a + 2) for a, b in marks]


_INNER_MARKS_RE = re.compile(f"(?<=[{_H}])[{_T}]+(?=[{_H}])")
_NOT_HAN_RE = re.compile(f"[^{_H}]")
_WORDS_RE = re.compile(f"[{_W}]+")


# --- the data file, generated from the opencc package ---------------------------------------------


def opencc_ts_pairs() -> dict[str, str]:
    """First candidate of every line of the installed opencc package's TSCharacters dictionary.

    The wheel ships the dictionary compiled (TSCharacters.ocd2); its own opencc_dict tool turns
    it back into OpenCC's text format (key TAB candidates).
    """
    import opencc.clib

    clib = Path(opencc.clib.__file__).resolve().parent
    tool, ocd2 = clib / "bin" / "opencc_dict", clib / "share" / "opencc" / "TSCharacters.ocd2"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "TSCharacters.txt"
        subprocess.run([str(tool), "-i", str(ocd2), "-o", str(out), "-f", "ocd2", "-t", "text"],
                       check=True, capture_output=True)
        lines = out.read_text(encoding="utf-8").splitlines()
    pairs: dict[str, str] = {}
    for line in lines:
        key, candidates = line.split("\t")
        pairs[key] = candidates.split(" ")[0]
    return pairs


def closed_map(pairs: dict[str, str]) -> dict[str, str]:
    """The map followed to its fixpoint (薴→苧→苎 gives 薴→苎) so folding twice changes nothing."""
    out = {}
    for key, first in pairs.items():
        value, seen = first, {key}
        while value in pairs and pairs[value] != value and value not in seen:
            seen.add(value)
            value = pairs[value]
        if value != key:
            out[key] = value
    return out


def data_js(table: dict[str, str]) -> str:
    """The text of ts-chars.js: a UMD script returning the map as one string of key/value pairs."""
    pairs = "".join(k + table[k] for k in sorted(table))
    return (
        "/* Traditional→simplified characters: the first candidate of every entry of OpenCC's\n"
        "   TSCharacters dictionary (opencc package, Apache-2.0), followed to its fixpoint.\n"
        "   Generated by `python -m archive.tokenize --write-data`; do not edit. */\n"
        "(function (root, factory) {\n"
        "  if (typeof module === \"object\" && module.exports) { module.exports = factory(); }\n"
        "  else { root.ArchiveTSChars = factory(); }\n"
        "})(typeof self !== \"undefined\" ? self : this, function () {\n"
        "  \"use strict\";\n"
        f"  return {json.dumps(pairs, ensure_ascii=False)};\n"
        "});\n"
    )


def main(argv: list[str]) -> int:
    """`--write-data` regenerates ts-chars.js from the installed opencc package."""
    if argv != ["--write-data"]:
        print("usage: python -m archive.tokenize --write-data", file=sys.stderr)
        return 2
    TS_DATA_JS.parent.mkdir(parents=True, exist_ok=True)
    TS_DATA_JS.write_text(data_js(closed_map(opencc_ts_pairs())), encoding="utf-8")
    print(f"wrote {TS_DATA_JS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

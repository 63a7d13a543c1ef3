"""Text folding: the one rule by which programme matching and search compare text (mirrored by tokenize.js).

1. Every code point folds on its own: NFKC, then lower case, then traditional → simplified (the first
   candidate of OpenCC's TSCharacters, followed to its fixpoint, from layouts/static/js/ts-chars.js).
   A code point may fold to several characters (① → 1, ㍻ → 平成) or keep its own.
2. Marks are transparent: quotation marks " ' ‘ ’ “ ” 「 」 『 』 〝 〞 〟 « » ‹ › (and, through NFKC,
   ＂ ＇ ﹁ ﹂ ﹃ ﹄) and middle dots · ‧ ・ • ∙ ⋅ (and ･). A phrase reads through them: “五老”调解 is
   五老调解, 平安乡村·雪亮工程 is 平安乡村雪亮工程, 推行“113”模式 holds 113模式.
   Only between two letters or digits does a mark separate, as in Latin text (don't → don, t).
3. Whitespace and every other punctuation separate: 雪亮 工程 is not 雪亮工程.

`phrase(text)` is the folded text with the transparent marks dropped, which is what programme names are
matched against; the search tokenizer (archive/tokenize.py) cuts the folded text into terms by the same
classes, so a phrase search finds a name exactly where the programme matcher does (tests/test_fold.py).
"""
from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

# The traditional → simplified map both implementations read; the JavaScript tokenizer loads it as a script.
TS_DATA_JS = Path(__file__).resolve().parent.parent / "layouts" / "static" / "js" / "ts-chars.js"

# Han code points, by range, so that Python and the browser agree whatever their Unicode version.
HAN_RANGES = (
    (0x3007, 0x3007),  # 〇, written in dates such as 二〇一七
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
    (0x30000, 0x323AF),
)
# Letters kept inside words: digits, Latin (with accents), Greek and Cyrillic.
WORD_RANGES = (
    (0x30, 0x39),
    (0x61, 0x7A),
    (0xDF, 0xF6),
    (0xF8, 0x24F),
    (0x370, 0x3FF),
    (0x400, 0x4FF),
)
# Transparent marks, as folded characters: quotation marks, then middle dots.
MARKS = frozenset("\"'\u2018\u2019\u201c\u201d\u300c\u300d\u300e\u300f\u301d\u301e\u301f\u00ab\u00bb\u2039\u203a"
                  "\u00b7\u2027\u30fb\u2022\u2219\u22c5")


def ranges_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """The inside of a regular-expression character class covering the code point ranges."""
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


MARKS_CLASS = "".join(f"\\U{ord(c):08x}" for c in sorted(MARKS))
_W = ranges_class(WORD_RANGES)
_MARKS_RE = re.compile(f"[{MARKS_CLASS}]+")
_WORD_RE = re.compile(f"[{_W}]")
_WORD_MARKS_WORD_RE = re.compile(f"[{_W}][{MARKS_CLASS}]+[{_W}]")


def _parse_data_js(text: str) -> dict[str, str]:
    """The traditional→simplified map from the pairs string in ts-chars.js."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('return "'):
            pairs = json.loads(line[len("return "):].rstrip(";"))
            chars = list(pairs)
            return dict(zip(chars[0::2], chars[1::2]))
    raise ValueError(f"{TS_DATA_JS}:1: no 'return \"…\"' line with the character pairs")


@lru_cache(maxsize=1)
def ts_map() -> dict[str, str]:
    """Traditional → simplified, one character each (from OpenCC's TSCharacters, via ts-chars.js)."""
    return _parse_data_js(TS_DATA_JS.read_text(encoding="utf-8"))


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """One code point folded: NFKC, lower case, traditional → simplified (may give 0–n characters)."""
    table = ts_map()
    return "".join(table.get(c, c) for c in unicodedata.normalize("NFKC", ch).lower())


class _Table(dict[int, str]):
    """str.translate table from each code point to its fold, grown as characters are met."""

    def __missing__(self, cp: int) -> str:
        """The fold of a code point not met before, remembered."""
        folded = self[cp] = fold_char(chr(cp))
        return folded


_TABLE = _Table()  # a pure function's memo over the fixed Unicode and OpenCC data, like lru_cache


def _dropped(folded: str) -> list[tuple[int, int]]:
    """[start, end) of the runs of marks a phrase drops: all but those between two letters or digits."""
    if not _WORD_MARKS_WORD_RE.search(folded):
        return [m.span() for m in _MARKS_RE.finditer(folded)]
    out = []
    for m in _MARKS_RE.finditer(folded):
        a, b = m.span()
        if not (a and b < len(folded) and _WORD_RE.match(folded, a - 1) and _WORD_RE.match(folded, b)):
            out.append((a, b))
    return out


def fold(text: str) -> str:
    """The text folded per code point (rule 1): marks and separators kept."""
    return text.translate(_TABLE)


def phrase(text: str) -> str:
    """The text as a phrase: folded, transparent marks dropped (rules 1–3)."""
    return unmarked(text.translate(_TABLE))


def unmarked(folded: str) -> str:
    """A folded text as a phrase: its transparent marks dropped."""
    if not _WORD_MARKS_WORD_RE.search(folded):
        return _MARKS_RE.sub("", folded)  # every mark goes: two quick scans, where _dropped() walks them in Python
    runs = _dropped(folded)
    bounds = [0, *(i for run in runs for i in run), len(folded)]
    return "".join(folded[a:b] for a, b in zip(bounds[0::2], bounds[1::2], strict=True))


def phrase_origin(text: str, folded: str | None = None) -> Callable[[int], int]:
    """For each character of phrase(text), the index in text of the character it came from (folded: fold(text))."""
    folded = text.translate(_TABLE) if folded is None else folded
    source: Callable[[int], int] = int  # folding kept one character for one: every index is its own origin
    if len(folded) != len(text):
        source = [i for i, ch in enumerate(text) for _ in fold_char(ch)].__getitem__
    starts: list[int] = []  # index in the phrase of the character after each dropped run
    shifts: list[int] = []  # characters dropped up to and including that run
    dropped = 0
    for a, b in _dropped(folded):
        dropped += b - a
        starts.append(b - dropped)
        shifts.append(dropped)
    if not starts:
        return source
    return lambda i: source(i + (shifts[k - 1] if (k := bisect_right(starts, i)) else 0))

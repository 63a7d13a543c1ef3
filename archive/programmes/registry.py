"""The programme registry: its names checked (clashes, see_also, not_in) and the Matcher that finds mentions."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..content import Programme
from ..errors import Problems
from ..fold import fold, phrase, phrase_origin, unmarked

# Quotation marks a mention is widened to balance: “五老”调解, never 五老”调解.
OPENING = {"“": "”", "‘": "’", "「": "」", "『": "』", "〝": "〞"}
CLOSING = {v: k for k, v in OPENING.items()}

CACHE_SIZE = 200_000  # remembered find() answers of one matcher; cleared when full


@dataclass(frozen=True)
class Span:
    """One mention: characters [start, end) of a text name a programme."""

    start: int
    end: int
    programme: str  # programme slug


@dataclass(frozen=True)
class Alias:
    """One name of a programme, as written and as matched."""

    key: str  # folded form (fold.phrase)
    text: str  # as written in the registry
    programme: str


class Matcher:
    """Finds programme mentions in plain text: folded, longest alias first, blocked inside `not_in` words."""

    def __init__(self, programmes: list[Programme], aliases: dict[str, Alias] | None = None,
                 blockers: dict[str, list[str]] | None = None) -> None:
        """A matcher for programmes; aliases and blockers as from_registry checked them (default: unchecked)."""
        self.programmes: dict[str, Programme] = {p.slug: p for p in programmes}
        if aliases is None:
            aliases = {}
            for p in programmes:
                for name in p.names:
                    key = phrase(name)
                    if key and key not in aliases:
                        aliases[key] = Alias(key, name, p.slug)
        self.aliases = aliases
        # programme slug -> folded words inside which its aliases are not mentions of it
        self.blockers = blockers if blockers is not None else {
            p.slug: [phrase(w) for w in p.not_in if phrase(w)] for p in programmes}
        # programme slug -> folded words whose sentences feed its figures (front-matter key `measures`)
        self.measures = {p.slug: [phrase(w) for w in p.measures if phrase(w)] for p in programmes}
        keys = sorted(self.aliases, key=lambda k: (-len(k), k))
        # Longest first: Python's alternation takes the first alternative that matches at a position.
        self._regex = re.compile("|".join(re.escape(k) for k in keys)) if keys else None
        # The plugin and the analysis both look at most paragraphs: the last many answers are remembered.
        self._cache: dict[tuple[str, frozenset[str]], tuple[Span, ...]] = {}
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            self._by_first[k[0]].append(k)

    @classmethod
    def from_registry(cls, programmes: list[Programme], problems: Problems) -> Matcher:
        """Build a matcher, reporting registry problems (alias clashes, unknown see_also, useless not_in)."""
        return cls(programmes, _aliases(programmes, problems), _blockers(programmes, problems))

    def resolve(self, name: str) -> str | None:
        """The slug of a programme given by slug, name or alias (None if unknown)."""
        if name in self.programmes:
            return name
        alias = self.aliases.get(phrase(name))
        return alias.programme if alias else None

    def find(self, text: str, exclude: Iterable[str] = ()) -> list[Span]:
        """Every mention in text, longest alias first, non-overlapping, in order."""
        if self._regex is None or not text:
            return []
        excluded = frozenset(exclude)
        key = (text, excluded)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            found = self._cache[key] = tuple(self._find(text, excluded))
        return list(found)

    def _find(self, text: str, excluded: frozenset[str]) -> list[Span]:
        """find() without the memo."""
        assert self._regex is not None
        folded = fold(text)
        norm = unmarked(folded)
        origin = None  # mapped back on the first mention: nearly half the texts mention nothing
        spans: list[Span] = []
        pos = 0
        while m := self._regex.search(norm, pos):
            start = m.start()
            key = self._choose(norm, start, excluded)
            if key is None:
                pos = start + 1
                continue
            end = start + len(key)
            if origin is None:
                origin = phrase_origin(text, folded)
            spans.append(_balanced(text, origin(start), origin(end - 1) + 1, self.aliases[key].programme))
            pos = end
        return spans

    def _choose(self, norm: str, start: int, excluded: frozenset[str]) -> str | None:
        """The longest alias at start that is neither excluded nor inside one of its blocking words."""
        for key in self._by_first.get(norm[start], ()):
            if not norm.startswith(key, start):
                continue
            slug = self.aliases[key].programme
            if slug in excluded or self._blocked(norm, start, key, slug):
                continue
            return key
        return None

    def _blocked(self, norm: str, start: int, key: str, slug: str) -> bool:
        """True when the mention at start lies inside a `not_in` word of its programme."""
        for word in self.blockers.get(slug, ()):
            offset = word.find(key)
            while offset >= 0:
                begin = start - offset
                if begin >= 0 and norm.startswith(word, begin):
                    return True
                offset = word.find(key, offset + 1)
        return False


def _balanced(text: str, start: int, end: int, slug: str) -> Span:
    """A span widened so quotation marks inside it are balanced: “五老”调解, never 五老”调解."""
    depth: list[str] = []
    unmatched_closing: list[str] = []
    for ch in text[start:end]:
        if ch in OPENING:
            depth.append(ch)
        elif ch in CLOSING:
            if depth and depth[-1] == CLOSING[ch]:
                depth.pop()
            else:
                unmatched_closing.append(ch)
    for ch in reversed(unmatched_closing):
        if start > 0 and text[start - 1] == CLOSING[ch]:
            start -= 1
    for ch in reversed(depth):
        if end < len(text) and text[end] == OPENING[ch]:
            end += 1
    return Span(start, end, slug)


def _name_line(p: Programme, name: str) -> int:
    """The front-matter line of one of a programme's names."""
    return p.line_of("aliases") if name != p.name or name in p.aliases else p.line_of("name")


def _aliases(programmes: list[Programme], problems: Problems) -> dict[str, Alias]:
    """Every folded name to its programme; a name claimed twice or empty, or a bad see_also, is an error."""
    aliases: dict[str, Alias] = {}
    known = {p.slug for p in programmes}
    by_name = {p.name: p.slug for p in programmes}
    owner: dict[str, Programme] = {}
    for p in programmes:
        for name in p.names:
            key = phrase(name)
            if not key:
                problems.error(p.path, _name_line(p, name),
                               f"alias {name!r} is empty once quotation marks and dots are ignored")
                continue
            if key in aliases and aliases[key].programme != p.slug:
                # Both files are told, each naming the other: either may be the one to change.
                other, other_name = owner[key], aliases[key].text
                problems.error(p.path, _name_line(p, name), f"alias {name!r} is also claimed by programme "
                               f"'{other.slug}' ({other.path}); a name may link to one programme only")
                problems.error(other.path, _name_line(other, other_name), f"alias {other_name!r} is also claimed by programme "
                               f"'{p.slug}' ({p.path}); a name may link to one programme only")
                continue
            if key not in aliases:
                aliases[key] = Alias(key, name, p.slug)
                owner[key] = p
        for target in p.see_also:
            if target not in known and target not in by_name:
                problems.error(p.path, p.line_of("see_also"), f"see_also names unknown programme {target!r} "
                               f"(known: {', '.join(sorted(known))})")
            elif by_name.get(target, target) == p.slug:
                problems.error(p.path, p.line_of("see_also"), f"see_also names the programme itself ({target!r})")
    return aliases


def _blockers(programmes: list[Programme], problems: Problems) -> dict[str, list[str]]:
    """Each programme's folded `not_in` words; a word holding none of its names is an error."""
    blockers: dict[str, list[str]] = {}
    for p in programmes:
        words = []
        own = [phrase(n) for n in p.names]
        for word in p.not_in:
            key = phrase(word)
            if not any(a and a in key for a in own):
                problems.error(p.path, p.line_of("not_in"), f"not_in word {word!r} contains none of the names of "
                               f"'{p.slug}', so it can never block a mention")
                continue
            words.append(key)
        blockers[p.slug] = words
    return blockers


def name_key(p: Programme) -> tuple[str, str, str]:
    """Programmes ordered by the pinyin of their names (quotation marks ignored)."""
    return _pinyin_key(p.name, p.slug)


@lru_cache(maxsize=4096)
def _pinyin_key(name: str, slug: str) -> tuple[str, str, str]:
    """name_key of a name and slug (pypinyin is slow, and the same few names are sorted on many pages)."""
    from pypinyin import lazy_pinyin  # 0.2 s to import: only when programmes are sorted

    folded = phrase(name)
    return (" ".join(lazy_pinyin(folded)).lower(), folded, slug)

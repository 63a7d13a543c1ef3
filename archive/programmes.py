"""Programmes: the registry's names, finding every mention in report text, and cross-report analysis."""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from .content import Programme, Report
from .errors import Problems

# Characters a name may carry or lose without becoming another name: quotation marks (“雪亮”工程),
# middle dots (平安乡村·雪亮工程) and white space (a name broken across a line).
IGNORED = frozenset("“”‘’\"'「」『』〝〞﹁﹂﹃﹄·・•‧∙⋅ \t\n\r\u3000\u00a0")
OPENING = {"“": "”", "‘": "’", "「": "」", "『": "』", "〝": "〞"}
CLOSING = {v: k for k, v in OPENING.items()}

# Blocks whose text is not the report's own words: editor's notes and our footnotes.
# Mentions there are neither linked nor counted.
NOT_REPORT_TEXT = ("container_note", "footnote_block")
NOT_REPORT_KINDS = frozenset({"note", "footnote"})


# ---------------------------------------------------------------- folding


@lru_cache(maxsize=1)
def _ts_table() -> dict[str, str]:
    """Traditional → simplified, one character for one: the search tokenizer's OpenCC TSCharacters map."""
    from . import tokenize

    return tokenize.ts_map()


def fold_char(ch: str) -> str:
    """One character as matching sees it: NFKC width/compatibility form, lower case, simplified."""
    norm = unicodedata.normalize("NFKC", ch)
    if len(norm) != 1:
        norm = ch
    norm = norm.casefold()
    if len(norm) != 1:
        norm = ch
    return _ts_table().get(norm, norm)


def normalize(text: str) -> tuple[str, list[int]]:
    """Text folded for matching, and for each of its characters the index it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch in IGNORED:
            continue
        chars.append(fold_char(ch))
        origin.append(i)
    return "".join(chars), origin


def fold(text: str) -> str:
    """Text folded for matching (quotation marks, middle dots and spaces dropped)."""
    return normalize(text)[0]


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class Span:
    """One mention: characters [start, end) of a text name a programme."""

    start: int
    end: int
    programme: str  # programme slug


@dataclass(frozen=True)
class _Alias:
    key: str  # folded form
    text: str  # as written in the registry
    programme: str


class Matcher:
    """Finds programme mentions in plain text: folded, longest alias first, blocked inside `not_in` words."""

    def __init__(self, programmes: list[Programme], aliases: dict[str, _Alias] | None = None,
                 blockers: dict[str, list[str]] | None = None):
        self.programmes: dict[str, Programme] = {p.slug: p for p in programmes}
        self.problems: Problems | None = None
        if aliases is None:
            aliases = {}
            for p in programmes:
                for name in p.names:
                    key = fold(name)
                    if key and key not in aliases:
                        aliases[key] = _Alias(key, name, p.slug)
        self.aliases = aliases
        # programme slug -> folded words inside which its aliases are not mentions of it
        self.blockers = blockers if blockers is not None else {p.slug: [fold(w) for w in _not_in(p) if fold(w)] for p in programmes}
        keys = sorted(self.aliases, key=lambda k: (-len(k), k))
        # Longest first: Python's alternation takes the first alternative that matches at a position.
        self._regex = re.compile("|".join(re.escape(k) for k in keys)) if keys else None
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            self._by_first[k[0]].append(k)

    @classmethod
    def from_registry(cls, programmes: list[Programme], problems: Problems) -> "Matcher":
        """Build a matcher, reporting registry problems (alias clashes, unknown see_also)."""
        aliases: dict[str, _Alias] = {}
        known = {p.slug for p in programmes}
        by_name = {p.name: p.slug for p in programmes}
        owner: dict[str, Programme] = {}
        for p in programmes:
            for name in p.names:
                key = fold(name)
                line = p.line_of("aliases") if name != p.name or name in p.aliases else p.line_of("name")
                if not key:
                    problems.error(p.path, line, f"alias {name!r} is empty once quotation marks and dots are ignored")
                    continue
                if key in aliases and aliases[key].programme != p.slug:
                    other = owner[key]
                    problems.error(p.path, line, f"alias {name!r} is also claimed by programme '{other.slug}' ({other.path}); "
                                   "a name may link to one programme only")
                    continue
                if key not in aliases:
                    aliases[key] = _Alias(key, name, p.slug)
                    owner[key] = p
            for target in p.see_also:
                if target not in known and target not in by_name:
                    problems.error(p.path, p.line_of("see_also"), f"see_also names unknown programme {target!r} "
                                   f"(known: {', '.join(sorted(known))})")
                elif by_name.get(target, target) == p.slug:
                    problems.error(p.path, p.line_of("see_also"), f"see_also names the programme itself ({target!r})")
        blockers: dict[str, list[str]] = {}
        for p in programmes:
            words = []
            own = [fold(n) for n in p.names]
            for word in _not_in(p):
                key = fold(word)
                if not any(a and a in key for a in own):
                    problems.error(p.path, p.line_of("not_in"), f"not_in word {word!r} contains none of the names of "
                                   f"'{p.slug}', so it can never block a mention")
                    continue
                words.append(key)
            blockers[p.slug] = words
        matcher = cls(programmes, aliases, blockers)
        matcher.problems = problems
        return matcher

    def resolve(self, name: str) -> str | None:
        """The slug of a programme given by slug, name or alias (None if unknown)."""
        if name in self.programmes:
            return name
        alias = self.aliases.get(fold(name))
        return alias.programme if alias else None

    def find(self, text: str, exclude: Iterable[str] = ()) -> list[Span]:
        """Every mention in text, longest alias first, non-overlapping, in order."""
        if self._regex is None or not text:
            return []
        excluded = frozenset(exclude)
        norm, origin = normalize(text)
        spans: list[Span] = []
        pos = 0
        while True:
            m = self._regex.search(norm, pos)
            if not m:
                break
            start = m.start()
            key = self._choose(norm, start, excluded)
            if key is None:
                pos = start + 1
                continue
            end = start + len(key)
            spans.append(self._span(text, origin[start], origin[end - 1] + 1, self.aliases[key].programme))
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

    @staticmethod
    def _span(text: str, start: int, end: int, slug: str) -> Span:
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


def _not_in(p: Programme) -> list[str]:
    """The programme's blocking words (front-matter key `not_in`)."""
    return list(getattr(p, "not_in", []) or [])


# ---------------------------------------------------------------- Markdown


def markdown_plugin(md, matcher: Matcher) -> None:
    """Install a markdown-it core rule that links every mention in body text.

    Links go to ../programmes/<slug>.html (report pages live in reports/), with the programme's
    one-line summary as tooltip. Headings are not linked (a heading is a section title, not a
    sentence to follow), text already inside a link is not linked again, and editor's notes and
    footnotes are left alone because they are our words, not the report's. Pass the report as
    env={"report": report} so its `not_programmes:` are honoured.
    """
    from markdown_it.token import Token

    def link_mentions(state) -> None:
        report = state.env.get("report") if isinstance(state.env, dict) else None
        excluded = _excluded(report, matcher)
        depth_skip = 0
        in_heading = False
        for token in state.tokens:
            if any(token.type.startswith(t) for t in NOT_REPORT_TEXT):
                depth_skip += token.nesting
                continue
            if token.type == "heading_open":
                in_heading = True
            elif token.type == "heading_close":
                in_heading = False
            if token.type != "inline" or depth_skip > 0 or in_heading or not token.children:
                continue
            token.children = _link_children(token.children, matcher, excluded, Token)

    md.core.ruler.push("programme_links", link_mentions)


def _excluded(report, matcher: Matcher) -> set[str]:
    """Slugs a report's front matter excludes from automatic matching."""
    if report is None:
        return set()
    return {s for s in (matcher.resolve(n) for n in getattr(report, "not_programmes", []) or []) if s}


def _link_children(children: list, matcher: Matcher, excluded: set[str], Token) -> list:
    """Inline tokens with every mention in plain text wrapped in a programme link."""
    out = []
    in_link = 0
    for child in children:
        if child.type == "link_open":
            in_link += 1
        elif child.type == "link_close":
            in_link -= 1
        if child.type != "text" or in_link or not child.content:
            out.append(child)
            continue
        spans = matcher.find(child.content, excluded)
        if not spans:
            out.append(child)
            continue
        pos = 0
        text = child.content
        for span in spans:
            if span.start > pos:
                out.append(_text(Token, text[pos:span.start]))
            programme = matcher.programmes[span.programme]
            link = Token("link_open", "a", 1)
            link.attrs = {"href": f"../programmes/{programme.slug}.html", "class": "programme"}
            if programme.summary:
                link.attrs["title"] = f"{programme.name}\uff1a{programme.summary}"
            else:
                link.attrs["title"] = programme.name
            link.attrs["data-programme"] = programme.slug
            out += [link, _text(Token, text[span.start:span.end]), Token("link_close", "a", -1)]
            pos = span.end
        if pos < len(text):
            out.append(_text(Token, text[pos:]))
    return out


def _text(Token, content: str):
    token = Token("text", "", 0)
    token.content = content
    return token


# ---------------------------------------------------------------- analysis


@dataclass
class ProgrammeIndex:
    """What the pages need to know about programmes across the collection."""

    by_report: dict  # report slug -> list[(Programme, mention count)], most mentioned first
    related: dict  # report slug -> list[(Report, score, list[Programme] shared)], best first
    reports_of: dict  # programme slug -> list[Report] that mention it, by date
    passages: dict = field(default_factory=dict)  # programme slug -> report slug -> list[Passage]
    figures: dict = field(default_factory=dict)  # programme slug -> list[Figure]
    cooccurring: dict = field(default_factory=dict)  # programme slug -> list[(Programme, shared report count)]
    counts: dict = field(default_factory=dict)  # programme slug -> report slug -> mention count
    counties: list = field(default_factory=list)  # every county with a report, in display order


def analyse(site) -> ProgrammeIndex:
    """Mentions, passages, figures, co-occurrence and related reports (placeholder)."""
    return ProgrammeIndex({}, {}, {})


def render_pages(site, renderer) -> list:
    """Programme index and one page per programme (placeholder)."""
    return []

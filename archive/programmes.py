"""Programmes: the registry's names, finding every mention in report text, and cross-report analysis."""
from __future__ import annotations

import heapq
import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from itertools import chain
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

from markupsafe import Markup

from .content import Programme, Report
from .errors import Problems
from .incremental import cached, derived, fingerprint, stable, while_equal

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


class _FoldTable(dict):
    """str.translate table built as characters are met: ignored characters dropped, others folded."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        value = None if ch in IGNORED else fold_char(ch)
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable()


_IGNORED_RUN_RE = re.compile("[" + "".join(sorted(re.escape(ch) for ch in IGNORED)) + "]+")


def normalize(text: str) -> tuple[str, list[int] | range]:
    """Text folded for matching, and for each of its characters the index it came from."""
    norm = text.translate(_FOLD_TABLE)  # one character for one, except the ignored ones, dropped
    if len(norm) == len(text):
        return norm, range(len(text))
    # Ignored characters are few (a name's quotation marks): copy the index ranges between their runs.
    origin: list[int] = []
    pos = 0
    for m in _IGNORED_RUN_RE.finditer(text):
        origin.extend(range(pos, m.start()))
        pos = m.end()
    origin.extend(range(pos, len(text)))
    return norm, origin


def _origin_of(text: str, norm: str) -> Callable[[int], int]:
    """What normalize(text)[1][i] gives, without a list as long as the text: from the few dropped runs."""
    if len(norm) == len(text):
        return int  # nothing dropped: every index is its own origin
    starts: list[int] = []  # index in norm of the character after each dropped run
    shifts: list[int] = []  # characters dropped up to and including that run
    dropped = 0
    for m in _IGNORED_RUN_RE.finditer(text):
        dropped += m.end() - m.start()
        starts.append(m.end() - dropped)
        shifts.append(dropped)
    return lambda i: i + (shifts[k - 1] if (k := bisect_right(starts, i)) else 0)


def fold(text: str) -> str:
    """Text folded for matching (quotation marks, middle dots and spaces dropped)."""
    return text.translate(_FOLD_TABLE)


# ---------------------------------------------------------------- matching

CACHE_SIZE = 200_000  # remembered find() answers; cleared when full


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
        self._cache: dict[tuple[str, frozenset[str]], tuple[Span, ...]] = {}
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
                    # Both files are told, each naming the other: either may be the one to change.
                    other, other_name = owner[key], aliases[key].text
                    other_line = other.line_of("aliases") if other_name in other.aliases else other.line_of("name")
                    problems.error(p.path, line, f"alias {name!r} is also claimed by programme '{other.slug}' ({other.path}); "
                                   "a name may link to one programme only")
                    problems.error(other.path, other_line, f"alias {other_name!r} is also claimed by programme '{p.slug}' "
                                   f"({p.path}); a name may link to one programme only")
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
        key = (text, excluded)
        cached = self._cache.get(key)
        if cached is None:
            # The plugin and the analysis both look at most paragraphs: remember the last many answers.
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            cached = self._cache[key] = tuple(self._find(text, excluded))
        return list(cached)

    def _find(self, text: str, excluded: frozenset[str]) -> list[Span]:
        norm = fold(text)
        origin = None  # mapped back on the first mention: nearly half the texts mention nothing
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
            if origin is None:
                origin = _origin_of(text, norm)
            end = start + len(key)
            spans.append(self._span(text, origin(start), origin(end - 1) + 1, self.aliases[key].programme))
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
    env={"report": report} so its `not_programmes:` are honoured (env["exclude"]: more slugs to skip).

    The core rule only notes the mentions on each text token (meta["mentions"]); the text renderer
    writes them as links. Splitting the token into link_open, text and link_close tokens would
    cost five tokens and a generic render of each per mention, for the same HTML.
    """
    from markdown_it.common.utils import escapeHtml

    def link_mentions(state) -> None:
        env = state.env if isinstance(state.env, dict) else {}
        excluded = frozenset(_excluded(env.get("report"), matcher) | set(env.get("exclude", ())))
        depth_skip = 0
        in_heading = False
        for token in state.tokens:
            if token.type.startswith(NOT_REPORT_TEXT):
                depth_skip += token.nesting
                continue
            if token.type == "heading_open":
                in_heading = True
            elif token.type == "heading_close":
                in_heading = False
            if token.type != "inline" or depth_skip > 0 or in_heading or not token.children:
                continue
            _link_children(token.children, matcher, excluded)

    opening: dict[str, str] = {}  # programme slug -> its <a ...> tag, as markdown-it renders a link's attributes

    def link_tag(slug: str) -> str:
        tag = opening.get(slug)
        if tag is None:
            programme = matcher.programmes[slug]
            title = f"{programme.name}\uff1a{programme.summary}" if programme.summary else programme.name
            attrs = {"href": f"../programmes/{slug}.html", "class": "programme", "title": title, "data-programme": slug}
            tag = opening[slug] = "<a" + "".join(f' {escapeHtml(k)}="{escapeHtml(v)}"' for k, v in attrs.items()) + ">"
        return tag

    def render_text(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        spans = token.meta.get("mentions") if token.meta else None
        if not spans:
            return escapeHtml(token.content)
        text, pos, out = token.content, 0, []
        for span in spans:
            out += [escapeHtml(text[pos:span.start]), link_tag(span.programme),
                    escapeHtml(text[span.start:span.end]), "</a>"]
            pos = span.end
        out.append(escapeHtml(text[pos:]))
        return "".join(out)

    md.core.ruler.push("programme_links", link_mentions)
    md.add_render_rule("text", render_text)


def _excluded(report, matcher: Matcher) -> set[str]:
    """Slugs a report's front matter excludes from automatic matching."""
    if report is None:
        return set()
    return {s for s in (matcher.resolve(n) for n in getattr(report, "not_programmes", []) or []) if s}


def _link_children(children: list, matcher: Matcher, excluded: frozenset[str]) -> None:
    """Note on each plain-text token outside a link the mentions it holds (meta["mentions"]: spans)."""
    in_link = 0
    for child in children:
        kind = child.type
        if kind == "text":
            if not in_link and child.content:
                spans = matcher.find(child.content, excluded)
                if spans:
                    child.meta["mentions"] = spans
        elif kind == "link_open":
            in_link += 1
        elif kind == "link_close":
            in_link -= 1


# ---------------------------------------------------------------- analysis

# The order categories are shown in; categories not listed follow in the order of their names.
CATEGORY_ORDER = ["基层治理", "技防", "治安防控", "矛盾调解", "专项行动", "平安创建", "民意测评", "队伍建设", "普法",
                  "警务", "司法公开", "法律服务", "保障机制"]

# A sentence ends at 。！？； (or their ASCII forms), closing quotation marks and brackets staying with it.
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”’」』）)]*|\n|$)")
# A clause of a sentence: what a figure is quoted with.
_CLAUSE_RE = re.compile(r"[^，,；;：:。！？!?\n]*[，,；;：:。！？!?]?[”’」』）)]*")
_DIGIT_RE = re.compile(r"\d")
# A figure: a number with its measure word, with the hedges the reports use (近5000个, 约5万余个, 6000多万元).
# Not preceded by a digit or 第 (第6位 is a rank, not a count).
FIGURE_RE = re.compile(
    r"(?<![\d.第])(?:近|约|共|达|超过|超|逾|累计)?\d+(?:\.\d+)?(?:[-—~～至到]\d+(?:\.\d+)?)?(?:万|亿|千|百)?(?:余|多)?"
    r"(?:万元|亿元|元|人次|场次|平方米|公里|个|名|件|起|人|户|%|％|家|处|场|次|份|台|支|所|项|条|张|幅|分|篇|辆|宗|批|期)"
)


@dataclass
class Passage:
    """A sentence of a report that mentions a programme, cut into (text, is_mention) pieces."""

    report: Report
    anchor: str
    kind: str
    pieces: list[tuple[str, bool]]

    @property
    def text(self) -> str:
        """The sentence as written."""
        return "".join(t for t, _ in self.pieces)


@dataclass
class Figure:
    """A number with its measure word from a sentence about a programme, and the clause it sits in."""

    report: Report
    anchor: str
    value: str  # 近5000个
    pieces: list[tuple[str, bool]]  # the clause, the figure marked
    direct: bool  # True: the sentence names the programme; False: it names one of its `measures`


@dataclass
class Cell:
    """One cell of the programme × county matrix."""

    county: str
    count: int
    level: int  # 0 (none) to 4 (most), for shading
    target: str  # URL of the passages, relative to the site root ('' when none)


@dataclass
class ProgrammeEntry:
    """Everything a programme's page shows."""

    programme: Programme
    reports: list[Report]  # that mention it, oldest first
    counts: dict[str, int]  # report slug -> automatic mentions
    added: set[str]  # report slugs that name it in `programmes:` front matter
    passages: dict[str, list[Passage]]  # report slug -> passages, in page order
    figures: list[Figure]
    cooccurring: list[tuple[Programme, int]]  # other programme, reports naming both
    see_also: list[Programme]
    cells: list[Cell]  # one per county of the site, in its order

    @property
    def counties(self) -> list[str]:
        """Counties whose reports mention it, without repeats."""
        return list(dict.fromkeys(r.county for r in self.reports))

    @property
    def total(self) -> int:
        """All automatic mentions across the reports."""
        return sum(self.counts.values())


@dataclass
class ProgrammeIndex:
    """What the pages need to know about programmes across the collection."""

    by_report: dict  # report slug -> list[(Programme, mention count)], most mentioned first
    related: dict  # report slug -> list[(Report, score, list[Programme] shared)], best first
    reports_of: dict  # programme slug -> list[Report] that mention it, by date
    entries: dict = field(default_factory=dict)  # programme slug -> ProgrammeEntry
    categories: list = field(default_factory=list)  # [(category, [ProgrammeEntry])] in display order
    counties: list = field(default_factory=list)  # county names, columns of the matrix


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of every sentence of a paragraph."""
    out = []
    for m in _SENTENCE_RE.finditer(text):
        if m.end() > m.start() and text[m.start():m.end()].strip():
            out.append((m.start(), m.end()))
    return out


def _pieces(text: str, marks: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """text cut at the marked ranges: [(text, marked?)]."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for a, b in sorted(marks):
        if a < pos:
            continue
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], True))
        pos = b
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def figures_in(sentence: str) -> list[tuple[str, list[tuple[str, bool]]]]:
    """Every figure of a sentence with its clause: [(value, clause pieces)]."""
    out = []
    if not _DIGIT_RE.search(sentence):
        return out  # every figure starts with a digit
    for m in _CLAUSE_RE.finditer(sentence):
        clause = m.group()
        if not clause.strip():
            continue
        for f in FIGURE_RE.finditer(clause):
            out.append((f.group(), _pieces(clause.strip(), [(f.start() - (len(clause) - len(clause.lstrip())),
                                                           f.end() - (len(clause) - len(clause.lstrip())))])))
    return out


def _level(count: int, biggest: int) -> int:
    """Shade 0–4 on a log scale, so one mention shows and the biggest count is darkest."""
    if count <= 0:
        return 0
    if biggest <= 1:
        return 4
    return min(4, 1 + int(3 * math.log(count) / math.log(biggest) + 1e-9))


def _report_analysis(body, excluded: set[str], named: set[str], matcher: Matcher,
                     measures: dict[str, list[str]]) -> tuple[tuple, tuple, tuple]:
    """One report's mentions per programme, passages and figures, as plain tuples without the report."""
    blocks = [b for b in (body.paragraphs if body else []) if b.kind not in NOT_REPORT_KINDS]
    found: list[tuple[object, list[Span]]] = [(b, matcher.find(b.text, excluded)) for b in blocks]
    mentioned = {s.programme for _, spans in found for s in spans} | named
    counts: Counter = Counter()
    passages: list[tuple] = []
    figures: list[tuple] = []
    for block, spans in found:
        for span in spans:
            counts[span.programme] += 1
        for start, end in sentences(block.text):
            sentence = block.text[start:end]
            inside = [s for s in spans if s.start < end and s.end > start]
            direct = {s.programme for s in inside}
            for slug in sorted(direct):
                marks = [(max(s.start, start) - start, min(s.end, end) - start) for s in inside if s.programme == slug]
                passages.append((slug, block.anchor, block.kind, _pieces(sentence, marks)))
            folded = fold(sentence) if any(measures.get(p) for p in mentioned) else ""
            found_figures = None  # the sentence's figures, looked for once, copied for each programme
            for slug in sorted(mentioned):
                is_direct = slug in direct
                if not is_direct and not any(w in folded for w in measures.get(slug, ())):
                    continue
                if found_figures is None:
                    found_figures = figures_in(sentence)
                for value, pieces in found_figures:
                    figures.append((slug, block.anchor, value, list(pieces), is_direct))
    return tuple(counts.items()), tuple(passages), tuple(figures)


def report_analyses(reports: list[Report], bodies: dict, matcher: Matcher, programmes: list[Programme]) -> dict[str, tuple]:
    """What analyse() finds in each report on its own, by slug: for builds that share it between processes."""
    measures = _measures({p.slug: p for p in programmes})
    out = {}
    for report in reports:
        excluded = _override(report, "not_programmes", matcher, None)
        named = _override(report, "programmes", matcher, None) - excluded
        out[report.slug] = _report_analysis(bodies.get(report.slug), excluded, named, matcher, measures)
    return out


def _measures(programmes: dict[str, Programme]) -> dict[str, list[str]]:
    """Each programme's measure words, folded."""
    return {slug: [fold(w) for w in getattr(p, "measures", []) or [] if fold(w)] for slug, p in programmes.items()}


@dataclass
class _ReportFindings:
    """One report's part of the analysis: mentions, passages and figures per programme, what it names."""

    counts: dict[str, int]  # programme -> automatic mentions
    passages: dict[str, list[Passage]]
    figures: dict[str, list[Figure]]
    here: list[str]  # programmes it mentions or names in `programmes:`, in registry order
    mentioned: list[tuple[Programme, int]]  # (programme, mentions), most mentioned first


def _report_findings(report: Report, registry, body, excluded: set[str], named: set[str], matcher: Matcher,
                     measures: dict[str, list[str]], programmes: dict[str, Programme],
                     precomputed: tuple | None = None) -> _ReportFindings:
    """One report's mention counts, passages and figures per programme, and the programmes it mentions.

    precomputed: _report_analysis() of the report, when a worker process did it (report_analyses).
    """
    # Kept between builds while the body and the registry are the same, also when the front matter changed.
    mine, found_passages, found_figures = precomputed or cached(
        "programmes.report", (registry, body, sorted(excluded), sorted(named)),
        lambda: _report_analysis(body, excluded, named, matcher, measures))
    counts: dict[str, int] = {}
    for slug, count in mine:
        counts[slug] = counts.get(slug, 0) + count
    passages: dict[str, list[Passage]] = {}
    figures: dict[str, list[Figure]] = {}
    for slug, anchor, kind, pieces in found_passages:
        passages.setdefault(slug, []).append(Passage(report, anchor, kind, pieces))
    for slug, anchor, value, pieces, direct in found_figures:
        figures.setdefault(slug, []).append(Figure(report, anchor, value, pieces, direct))
    here = [slug for slug in programmes if counts.get(slug) or slug in named]
    mentioned = sorted(((programmes[s], counts.get(s, 0)) for s in here), key=lambda pc: (-pc[1], _name_key(pc[0])))
    return _ReportFindings(counts, passages, figures, here, mentioned)


def analyse(site, problems: Problems | None = None, analysed: dict[str, tuple] | None = None) -> ProgrammeIndex:
    """Mentions, passages, figures, co-occurrence and related reports, from every report's rendered blocks.

    analysed: report_analyses() of the reports, when it was done beforehand.
    """
    matcher: Matcher = site.matcher
    problems = problems if problems is not None else getattr(matcher, "problems", None)
    programmes = {p.slug: p for p in site.programmes}
    reports = sorted(site.reports, key=lambda r: (r.date.sort_key(), r.slug))  # oldest first
    counts: dict[str, dict[str, int]] = {slug: {} for slug in programmes}  # programme -> report -> mentions
    passages: dict[str, dict[str, list[Passage]]] = defaultdict(dict)
    figures: dict[str, list[Figure]] = defaultdict(list)
    added: dict[str, set[str]] = defaultdict(set)
    reports_of: dict[str, list[Report]] = {slug: [] for slug in programmes}
    by_report: dict[str, list[tuple[Programme, int]]] = {}
    sets: dict[str, set[str]] = {}
    measures = _measures(programmes)

    registry = fingerprint(site.programmes)  # what matching and measures depend on, digested once
    for report in reports:
        named = _override(report, "programmes", matcher, problems) if getattr(report, "programmes", None) else set()
        excluded = _override(report, "not_programmes", matcher, problems) if getattr(report, "not_programmes", None) else set()
        for slug in sorted(named & excluded):
            if problems is not None:
                problems.error(report.path, report.line_of("not_programmes"),
                               f"programme '{slug}' is both in programmes: and in not_programmes:")
        for slug in named - excluded:
            added[slug].add(report.slug)
        body = site.bodies.get(report.slug)
        # In watch mode an unchanged report (the same kept object, body and registry) keeps its passages,
        # figures and list of programmes as the same objects, so the pages showing them are known unchanged.
        found: _ReportFindings = derived(
            ("programmes.report", report.path), (report, body, site.programmes),
            lambda: _report_findings(report, registry, body, excluded, named - excluded, matcher, measures, programmes,
                                     (analysed or {}).get(report.slug)))
        for slug, count in found.counts.items():
            counts[slug][report.slug] = counts[slug].get(report.slug, 0) + count
        for slug, own in found.passages.items():
            passages[slug][report.slug] = own
        for slug, own in found.figures.items():
            figures[slug].extend(own)
        for slug in found.here:
            reports_of[slug].append(report)
        by_report[report.slug] = found.mentioned
        sets[report.slug] = set(found.here)

    n = len(reports)
    idf = {slug: math.log((n + 1) / len(rs)) for slug, rs in reports_of.items() if rs}
    related = _related(reports, sets, idf, programmes, site.programmes)

    county_names = [g.name for g in getattr(site, "counties", [])] or sorted({r.county for r in reports})
    county_of = {r.slug: r.county for r in reports}
    totals: Counter = Counter()  # (programme, county) -> mentions
    for s, per_report in counts.items():
        for r_slug, n in per_report.items():
            totals[s, county_of[r_slug]] += n
    biggest = max((totals[s, c] for s in programmes for c in county_names), default=0)
    entries: dict[str, ProgrammeEntry] = {}
    for slug, p in programmes.items():
        rs = reports_of[slug]
        mentions = counts[slug]
        co = Counter(chain.from_iterable(sets[r.slug] for r in rs))
        co.pop(slug, None)
        in_county: dict[str, list[Report]] = {}
        for r in rs:
            in_county.setdefault(r.county, []).append(r)
        cells = []
        for county in county_names:
            mine = in_county.get(county, [])
            count = sum(mentions.get(r.slug, 0) for r in mine)
            target = f"{p.url}#r-{mine[0].slug}" if mine else ""
            cells.append(Cell(county, count, _level(count, biggest) if count else (1 if mine else 0), target))
        entries[slug] = stable(("programmes.entry", slug), ProgrammeEntry(
            programme=p,
            reports=rs,
            # kept while equal, so a page finds the same dictionary when one report's passages changed
            counts=stable(("programmes.entry.counts", slug), {r.slug: mentions.get(r.slug, 0) for r in rs}),
            added={r for r in added[slug]},
            passages=passages.get(slug, {}),
            figures=figures.get(slug, []),
            cooccurring=sorted(((programmes[o], c) for o, c in co.items()), key=lambda pc: (-pc[1], _name_key(pc[0])))[:COOCCUR_LIMIT],
            see_also=[programmes[s] for s in (matcher.resolve(t) for t in p.see_also) if s in programmes],
            cells=stable(("programmes.entry.cells", slug), cells),
        ))
        if not rs and problems is not None:
            problems.warning(p.path, p.line_of("name"), f"no report mentions programme '{p.name}' "
                             f"(aliases: {', '.join(p.names)})")
    return stable("programmes.index", ProgrammeIndex(by_report, related, reports_of, entries, _categories(entries),
                                                     county_names))


RELATED_LIMIT = 5
COOCCUR_LIMIT = 10


def _related(reports: list[Report], sets: dict[str, set[str]], idf: dict[str, float],
             programmes: dict[str, Programme], registry: list[Programme] | None = None,
             ) -> dict[str, list[tuple[Report, float, list[Programme]]]]:
    """For every report, the reports sharing the most programmes, each weighted by its IDF, best first."""
    newest_first = sorted(reports, key=lambda r: (tuple(-x for x in r.date.sort_key()), r.slug))
    order = [r.slug for r in newest_first]
    # In watch mode an edit that changes no report's programmes reuses the last answer.
    picked = while_equal("programmes.related", (order, sets, idf, [(p.slug, p.name) for p in programmes.values()]),
                         lambda: _related_slugs(order, sets, idf, programmes))
    by_slug = {r.slug: r for r in reports}

    def listed(report: Report) -> list[tuple[Report, float, list[Programme]]]:
        # In watch mode the same picks among the same (kept) reports give the very list of the last build.
        mine = picked[report.slug]
        return derived(("programmes.related", report.path),
                       (picked, registry, report, *(by_slug[other] for other, _, _ in mine)),
                       lambda: [(by_slug[other], value, [programmes[s] for s in shared]) for other, value, shared in mine],
                       depth=2)

    return {r.slug: listed(r) for r in reports}


def _related_slugs(order: list[str], sets: dict[str, set[str]], idf: dict[str, float],
                   programmes: dict[str, Programme]) -> dict[str, list[tuple[str, float, list[str]]]]:
    """_related by slugs, the reports given newest first: [(other report, score, shared programmes)].

    Only reports that share a programme are scored, rarest (heaviest) programme first: once the fifth best
    score exceeds what the programmes not yet walked could add up to, no other report can enter the list.
    Programme sets are bit masks; a score is computed once per distinct intersection.
    """
    slugs = sorted(idf)
    bit = {s: 1 << i for i, s in enumerate(slugs)}
    # score of a mask = sum of 8-bit chunk tables: four lookups for 26 programmes
    chunks = []
    for c in range(0, len(slugs), 8):
        table = [0.0] * 256
        for value in range(256):
            table[value] = sum(idf[slugs[c + k]] for k in range(8) if value >> k & 1 and c + k < len(slugs))
        chunks.append((c, table))

    scores: dict[int, float] = {}

    def score(mask: int) -> float:
        value = scores.get(mask)
        if value is None:
            value = scores[mask] = round(sum(table[(mask >> c) & 255] for c, table in chunks), 6)
        return value

    masks = [sum(bit[s] for s in sets[slug] if s in bit) for slug in order]
    members: dict[str, list[int]] = defaultdict(list)  # programme -> ranks (newest first) of its reports
    for rank, slug in enumerate(order):
        for s in sets[slug]:
            if s in bit:
                members[s].append(rank)
    out: dict[str, list[tuple[str, float, list[str]]]] = {}
    for rank, slug in enumerate(order):
        a = masks[rank]
        own = sorted((s for s in sets[slug] if s in bit), key=lambda s: (-idf[s], s))
        # what the reports sharing none of own[:j] can score at most (a margin for the rounding)
        bound = [0.0] * (len(own) + 1)
        for j in range(len(own) - 1, -1, -1):
            bound[j] = bound[j + 1] + idf[own[j]]
        seen = {rank}
        # the best five so far as (score, -rank): the heap's first is the one the next better report replaces
        best: list[tuple[float, int]] = []
        for j, s in enumerate(own):
            if len(best) >= RELATED_LIMIT and bound[j] + 1e-5 < best[0][0]:
                break
            for other in members[s]:
                if other not in seen:
                    seen.add(other)
                    entry = (score(a & masks[other]), -other)
                    if len(best) < RELATED_LIMIT:
                        heapq.heappush(best, entry)
                    elif entry > best[0]:
                        heapq.heapreplace(best, entry)
        ranked = []
        for value, other_rank in ((v, -r) for v, r in sorted(best, key=lambda e: (-e[0], -e[1]))):
            other = order[other_rank]
            shared = sorted((programmes[s] for s in sets[slug] & sets[other]), key=lambda p: (-idf[p.slug], _name_key(p)))
            ranked.append((other, value, [p.slug for p in shared]))
        out[slug] = ranked
    return out


def _name_key(p: Programme) -> tuple:
    """Programmes ordered by the pinyin of their names (quotation marks ignored)."""
    return _pinyin_key(p.name, p.slug)


@lru_cache(maxsize=4096)
def _pinyin_key(name: str, slug: str) -> tuple:
    from pypinyin import lazy_pinyin

    folded = fold(name)
    return (" ".join(lazy_pinyin(folded)).lower(), folded, slug)


def _categories(entries: dict[str, ProgrammeEntry]) -> list[tuple[str, list[ProgrammeEntry]]]:
    """Programmes under their category; within one, the most widely reported first."""
    groups: dict[str, list[ProgrammeEntry]] = defaultdict(list)
    for e in entries.values():
        groups[e.programme.category].append(e)
    order = [c for c in CATEGORY_ORDER if c in groups] + sorted(c for c in groups if c not in CATEGORY_ORDER)
    return [(c, sorted(groups[c], key=lambda e: (-len(e.counties), -len(e.reports), -e.total, _name_key(e.programme))))
            for c in order]


def _override(report: Report, key: str, matcher: Matcher, problems: Problems | None) -> set[str]:
    """Slugs a report names in `programmes:` or `not_programmes:`; an unknown name is an error."""
    out = set()
    for name in getattr(report, key, []) or []:
        slug = matcher.resolve(name)
        if slug is None:
            if problems is not None:
                problems.error(report.path, report.line_of(key), f"{key}: names unknown programme {name!r} "
                               f"(known: {', '.join(sorted(matcher.programmes))})")
            continue
        out.add(slug)
    return out


def render_pages(site, renderer) -> list:
    """programmes/index.html (categories and the programme × county matrix) and one page per programme."""
    index: ProgrammeIndex | None = getattr(site, "programme_index", None)
    if not site.programmes or index is None:
        return []
    md = _annotation_markdown(site.matcher)
    files = [renderer.page("programme-index.html", "programmes/index.html", index=index,
                           entries=[e for _, es in index.categories for e in es],
                           biggest=max((c.count for e in index.entries.values() for c in e.cells), default=0))]
    for slug in sorted(index.entries):
        entry = index.entries[slug]
        env = {"exclude": {slug}}
        annotation = Markup(md.render(entry.programme.body, env)) if entry.programme.body.strip() else ""
        files.append(renderer.page("programme.html", entry.programme.url, entry=entry, programme=entry.programme,
                                   annotation=annotation,
                                   measured=any(not f.direct for f in entry.figures)))
    return files


def _annotation_markdown(matcher: Matcher):
    """Markdown for our annotations: no raw HTML, other programmes linked, the page's own not."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    markdown_plugin(md, matcher)
    return md


# ---------------------------------------------------------------- discovery

QUOTED_RE = re.compile(r"“([^“”\n]{2,24})”")
_HAN_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# Phrases cut mid-sentence start or end on these; a programme's name does not.
_EDGE_STOP = set("的了和与及在是对为等将把被从以并也都而之其各该于由向这那有个")
# Endings that programme names share; phrases with one rank first.
PROGRAMME_ENDINGS = ("工程", "行动", "机制", "模式", "制度", "中心", "体系", "活动", "会战", "经验", "工作法", "斗争",
                     "整治", "规划", "平台", "工作站", "创建", "改革", "网格", "专项", "联动", "调解", "普法")
PHRASE_LENGTHS = range(3, 9)
WHOLE_SHARE = 0.6  # a phrase is whole when no one character beside it accounts for more than this share


@dataclass
class Candidate:
    """A term that may name a programme the registry does not know yet."""

    term: str
    kind: str  # "quoted" (“…” in a report) or "phrase" (the same words in several reports)
    reports: int  # how many reports use it
    count: int  # how many times
    example: str  # one context, the term in 【】
    where: str  # path:line of that context


@dataclass
class _Line:
    report: Report
    number: int
    text: str


def _report_lines(report: Report) -> list[_Line]:
    """The lines of a body that are the report's text: no editor's notes, footnotes or Markdown markers."""
    out = []
    in_note = False
    for i, line in enumerate(report.body.split("\n")):
        stripped = line.strip()
        if stripped.startswith(":::"):
            in_note = stripped[3:].strip().startswith("note")
            continue
        if in_note or re.match(r"\[\^[^\]]+\]:", stripped):
            continue
        text = re.sub(r"\[\^[^\]]+\]", "", stripped.lstrip("#>*- ").strip())
        if text:
            out.append(_Line(report, report.body_line + i, text))
    return out


def _context(text: str, start: int, end: int, width: int = 18) -> str:
    """The words around text[start:end], the term in 【】."""
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    return ("…" if start > width else "") + before + "【" + text[start:end] + "】" + after + ("…" if end + width < len(text) else "")


def _covered(matcher: Matcher, folded: str) -> bool:
    """True when the registry already names this term, or the term is a piece of one of its names."""
    if matcher.find(folded):
        return True
    return any(folded in key for key in matcher.aliases)


def suggest(reports: list[Report], matcher: Matcher, min_reports: int = 2) -> list[Candidate]:
    """Quoted terms and recurring phrases not in the registry, ranked.

    First quoted terms used by min_reports reports or more, then recurring phrases (the same words in
    min_reports reports, ending like a programme's name: 工程, 行动, 机制 …, and whole: varied
    characters on both sides), then quoted terms of a single report. Terms inside a known mention or
    within a known name are left out.
    """
    reports = sorted(reports, key=lambda r: (r.date.sort_key(), r.slug))
    quoted: dict[str, dict] = {}
    grams: dict[str, dict] = {}
    for report in reports:
        for line in _report_lines(report):
            mentions = matcher.find(line.text)
            for m in QUOTED_RE.finditer(line.text):
                if any(s.start < m.end() and s.end > m.start() for s in mentions):
                    continue
                key = fold(m.group(1))
                if not key or not _HAN_RUN_RE.search(key) or _covered(matcher, key):
                    continue
                entry = quoted.setdefault(key, {"reports": set(), "count": 0, "example": None})
                entry["reports"].add(report.slug)
                entry["count"] += 1
                if entry["example"] is None:
                    entry["example"] = (line, m.start(), m.end())
            norm, origin = normalize(line.text)
            for run in _HAN_RUN_RE.finditer(norm):
                a, b = run.span()
                for n in PHRASE_LENGTHS:
                    for i in range(a, b - n + 1):
                        g = norm[i:i + n]
                        if not g.endswith(PROGRAMME_ENDINGS):
                            continue
                        entry = grams.setdefault(g, {"reports": set(), "count": 0, "example": None,
                                                     "left": Counter(), "right": Counter()})
                        entry["reports"].add(report.slug)
                        entry["count"] += 1
                        # the edge of a run (punctuation, a digit) is a fresh neighbour every time
                        entry["left"][norm[i - 1] if i > a else f"|{entry['count']}"] += 1
                        entry["right"][norm[i + n] if i + n < b else f"|{entry['count']}"] += 1
                        if entry["example"] is None:
                            entry["example"] = (line, origin[i], origin[i + n - 1] + 1)
    out: list[Candidate] = []
    for key, e in quoted.items():
        line, s, t = e["example"]
        out.append(Candidate(key, "quoted", len(e["reports"]), e["count"], _context(line.text, s, t),
                             f"{_display(line.report.path)}:{line.number}"))
    for g, e in grams.items():
        if len(e["reports"]) < min_reports or g[0] in _EDGE_STOP:
            continue
        # A piece of a longer word mostly has the same neighbour (作机制 is nearly always 工作机制).
        if max(e["left"].values()) > WHOLE_SHARE * e["count"] or max(e["right"].values()) > WHOLE_SHARE * e["count"]:
            continue
        if any(q in g for q in quoted) or _covered(matcher, g):
            continue  # already a quoted candidate, or the registry's
        line, s, t = e["example"]
        out.append(Candidate(g, "phrase", len(e["reports"]), e["count"], _context(line.text, s, t),
                             f"{_display(line.report.path)}:{line.number}"))

    def rank(c: Candidate) -> tuple:
        tier = 0 if c.kind == "quoted" and c.reports >= min_reports else 1 if c.kind == "phrase" else 2
        listing = bool(re.search(r"[、，,；;]", c.term))  # “发现在早、防范在先” is a slogan, not a name
        return (tier, -c.reports, listing, -c.count, c.term)

    out.sort(key=rank)
    return out


def _display(path) -> str:
    from .errors import display_path

    return display_path(path)

"""Discovery: quoted terms and recurring phrases of the reports that may name programmes the registry lacks."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..content import Report
from ..errors import display_path
from ..fold import phrase, phrase_origin
from .registry import Matcher

QUOTED_RE = re.compile(r"“([^“”\n]{2,24})”")
_HAN_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# Phrases cut mid-sentence start or end on these; a programme's name does not.
_EDGE_STOP = set("的了和与及在是对为等将把被从以并也都而之其各该于由向这那有个")
# Endings that programme names share; phrases with one rank first.
PROGRAMME_ENDINGS = ("工程", "行动", "机制", "模式", "制度", "中心", "体系", "活动", "会战", "经验", "工作法", "斗争",
                     "整治", "规划", "平台", "工作站", "创建", "改革", "网格", "专项", "联动", "调解", "普法")
PHRASE_LENGTHS = range(3, 9)
WHOLE_SHARE = 0.6  # a phrase is whole when no one character beside it accounts for more than this share
_LISTING_RE = re.compile(r"[、，,；;]")  # “发现在早、防范在先” is a slogan, not a name


@dataclass(frozen=True)
class Candidate:
    """A term that may name a programme the registry does not know yet."""

    term: str
    kind: str  # "quoted" (“…” in a report) or "phrase" (the same words in several reports)
    reports: int  # how many reports use it
    count: int  # how many times
    example: str  # one context, the term in 【】
    where: str  # path:line of that context


@dataclass(frozen=True)
class _Line:
    """One line of a report's own text, with its line number in the file."""

    report: Report
    number: int
    text: str


@dataclass
class _Tally:
    """A term's uses so far: the reports, how often, the first context, the characters beside it."""

    reports: set[str] = field(default_factory=set)
    count: int = 0
    example: tuple[_Line, int, int] | None = None
    left: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)

    def add(self, line: _Line, start: int, end: int) -> None:
        """One more use, in line.text[start:end]."""
        self.reports.add(line.report.slug)
        self.count += 1
        if self.example is None:
            self.example = (line, start, end)

    def candidate(self, term: str, kind: str) -> Candidate:
        """The term as a candidate, with its first context."""
        assert self.example is not None
        line, s, t = self.example
        return Candidate(term, kind, len(self.reports), self.count, _context(line.text, s, t),
                         f"{display_path(line.report.path)}:{line.number}")


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


def _quoted(line: _Line, matcher: Matcher, quoted: dict[str, _Tally]) -> None:
    """Tally the quoted terms of a line that are not mentions or pieces of known names."""
    mentions = matcher.find(line.text)
    for m in QUOTED_RE.finditer(line.text):
        if any(s.start < m.end() and s.end > m.start() for s in mentions):
            continue
        key = phrase(m.group(1))
        if key and _HAN_RUN_RE.search(key) and not _covered(matcher, key):
            quoted.setdefault(key, _Tally()).add(line, m.start(), m.end())


def _phrases(line: _Line, grams: dict[str, _Tally]) -> None:
    """Tally the phrases of a line that end like a programme's name, with their neighbours."""
    norm = phrase(line.text)
    origin = phrase_origin(line.text)
    for run in _HAN_RUN_RE.finditer(norm):
        a, b = run.span()
        for n in PHRASE_LENGTHS:
            for i in range(a, b - n + 1):
                g = norm[i:i + n]
                if not g.endswith(PROGRAMME_ENDINGS):
                    continue
                tally = grams.setdefault(g, _Tally())
                tally.add(line, origin(i), origin(i + n - 1) + 1)
                # the edge of a run (punctuation, a digit) is a fresh neighbour every time
                tally.left[norm[i - 1] if i > a else f"|{tally.count}"] += 1
                tally.right[norm[i + n] if i + n < b else f"|{tally.count}"] += 1


def suggest(reports: list[Report], matcher: Matcher, min_reports: int = 2) -> list[Candidate]:
    """Quoted terms and recurring phrases not in the registry, ranked.

    First quoted terms used by min_reports reports or more, then recurring phrases (the same words in
    min_reports reports, ending like a programme's name: 工程, 行动, 机制 …, and whole: varied
    characters on both sides), then quoted terms of a single report. Terms inside a known mention or
    within a known name are left out.
    """
    quoted: dict[str, _Tally] = {}
    grams: dict[str, _Tally] = {}
    for report in sorted(reports, key=lambda r: (r.date.sort_key(), r.slug)):
        for line in _report_lines(report):
            _quoted(line, matcher, quoted)
            _phrases(line, grams)
    out = [e.candidate(key, "quoted") for key, e in quoted.items()]
    for g, e in grams.items():
        if len(e.reports) < min_reports or g[0] in _EDGE_STOP:
            continue
        # A piece of a longer word mostly has the same neighbour (作机制 is nearly always 工作机制).
        if max(e.left.values()) > WHOLE_SHARE * e.count or max(e.right.values()) > WHOLE_SHARE * e.count:
            continue
        if any(q in g for q in quoted) or _covered(matcher, g):
            continue  # already a quoted candidate, or the registry's
        out.append(e.candidate(g, "phrase"))

    def rank(c: Candidate) -> tuple[int, int, bool, int, str]:
        """Tier, then more reports, names before listings, more uses, the term."""
        tier = 0 if c.kind == "quoted" and c.reports >= min_reports else 1 if c.kind == "phrase" else 2
        return (tier, -c.reports, bool(_LISTING_RE.search(c.term)), -c.count, c.term)

    return sorted(out, key=rank)

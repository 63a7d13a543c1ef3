"""What one report says about programmes: mentions per programme, the sentences naming them, their figures."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..content import Programme, Report
from ..fold import phrase
from .linking import excluded_by
from .registry import Matcher, Span, name_key

if TYPE_CHECKING:
    from ..markdown import Paragraph, RenderedBody

# Blocks that are not the report's own words (editor's notes, our footnotes): mentions there do not count.
NOT_REPORT_KINDS = frozenset({"note", "footnote"})

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

Pieces = tuple[tuple[str, bool], ...]  # a text cut into (text, marked?) pieces


# Findings hold no report: they are the report's own, and a worker process sends them back without it.


@dataclass(frozen=True)
class Passage:
    """A sentence of a report that mentions a programme, cut into (text, is_mention) pieces."""

    anchor: str
    kind: str
    pieces: Pieces
    programme: str  # the programme's slug

    @property
    def text(self) -> str:
        """The sentence as written."""
        return "".join(t for t, _ in self.pieces)


@dataclass(frozen=True)
class Figure:
    """A number with its measure word from a sentence about a programme, and the clause it sits in."""

    anchor: str
    value: str  # 近5000个
    pieces: Pieces  # the clause, the figure marked
    direct: bool  # True: the sentence names the programme; False: it names one of its `measures`
    programme: str  # the programme's slug


@dataclass(frozen=True)
class Findings:
    """One report's part of the programme analysis, found from it alone."""

    counts: tuple[tuple[str, int], ...]  # (programme, automatic mentions), in order of first mention
    passages: tuple[Passage, ...]  # in page order
    figures: tuple[Figure, ...]  # in page order
    named: frozenset[str]  # programmes its front matter adds (`programmes:`, less `not_programmes:`)

    @property
    def mentions(self) -> frozenset[str]:
        """Programmes it mentions or names."""
        return frozenset(slug for slug, _ in self.counts) | self.named


def find(report: Report, body: RenderedBody | None, matcher: Matcher) -> Findings:
    """One report's mentions per programme, passages and figures (front-matter names the matcher cannot resolve are skipped)."""
    excluded = excluded_by(report, matcher)
    named = {s for s in (matcher.resolve(n) for n in report.programmes) if s} - excluded
    blocks = [b for b in (body.paragraphs if body else []) if b.kind not in NOT_REPORT_KINDS]
    found = [(b, matcher.find(b.text, excluded)) for b in blocks]
    mentioned = {s.programme for _, spans in found for s in spans} | named
    counts: Counter[str] = Counter(s.programme for _, spans in found for s in spans)
    passages: list[Passage] = []
    figures: list[Figure] = []
    for block, spans in found:
        for start, end in sentences(block.text):
            _sentence(block, spans, (start, end), mentioned, matcher.measures, passages, figures)
    return Findings(tuple(counts.items()), tuple(passages), tuple(figures), frozenset(named))


def _sentence(block: Paragraph, spans: list[Span], bounds: tuple[int, int], mentioned: set[str],
              measures: dict[str, list[str]], passages: list[Passage], figures: list[Figure]) -> None:
    """The passages and figures of one sentence of a block, appended."""
    start, end = bounds
    sentence = block.text[start:end]
    inside = [s for s in spans if s.start < end and s.end > start]
    direct = {s.programme for s in inside}
    for slug in sorted(direct):
        marks = [(max(s.start, start) - start, min(s.end, end) - start) for s in inside if s.programme == slug]
        passages.append(Passage(block.anchor, block.kind, pieces(sentence, marks), slug))
    folded = phrase(sentence) if any(measures.get(p) for p in mentioned) else ""
    found_figures = None  # the sentence's figures, looked for once, shared by each programme
    for slug in sorted(mentioned):
        is_direct = slug in direct
        if not is_direct and not any(w in folded for w in measures.get(slug, ())):
            continue
        if found_figures is None:
            found_figures = figures_in(sentence)
        for value, clause in found_figures:
            figures.append(Figure(block.anchor, value, clause, is_direct, slug))


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of every sentence of a paragraph."""
    return [(m.start(), m.end()) for m in _SENTENCE_RE.finditer(text)
            if m.end() > m.start() and text[m.start():m.end()].strip()]


def pieces(text: str, marks: Sequence[tuple[int, int]]) -> Pieces:
    """text cut at the marked ranges: ((text, marked?), …)."""
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
    return tuple(out)


def figures_in(sentence: str) -> list[tuple[str, Pieces]]:
    """Every figure of a sentence with its clause: [(value, clause pieces)]."""
    out: list[tuple[str, Pieces]] = []
    if not _DIGIT_RE.search(sentence):
        return out  # every figure starts with a digit
    for m in _CLAUSE_RE.finditer(sentence):
        clause = m.group()
        if not clause.strip():
            continue
        indent = len(clause) - len(clause.lstrip())
        for f in FIGURE_RE.finditer(clause):
            out.append((f.group(), pieces(clause.strip(), [(f.start() - indent, f.end() - indent)])))
    return out


def mentioned(found: Findings, programmes: dict[str, Programme]) -> tuple[tuple[Programme, int], ...]:
    """The programmes a report mentions or names, with its mentions of each, most mentioned first."""
    counts = dict(found.counts)
    return tuple(sorted(((programmes[s], counts.get(s, 0)) for s in found.mentions),
                        key=lambda pc: (-pc[1], name_key(pc[0]))))

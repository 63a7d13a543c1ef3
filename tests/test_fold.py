"""One folding rule (archive/fold.py): the programme matcher finds a name exactly where a phrase search finds it."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from archive import tokenize as tk
from archive.build import BuildOptions, analyse, load
from archive.content import Programme
from archive.errors import Problems
from archive.fold import MARKS, fold, fold_char, phrase, phrase_origin
from archive.programmes import Matcher
from archive.programmes.findings import NOT_REPORT_KINDS

ROOT = Path(__file__).resolve().parent.parent

Hit = tuple[int, int]  # [start, end) in the original text, from the first to the last character that is not a mark


@pytest.fixture(scope="module")
def real():
    """The repository's content, loaded and analysed."""
    problems = Problems()
    content = load(BuildOptions(content_dir=ROOT / "content", config_file=ROOT / "config.yml"), problems)
    site, _ = analyse(content, problems)
    assert problems.errors == []
    return site


def _gap(text: str, a: tk.Token, b: tk.Token) -> str:
    """What lies between two tokens as a phrase reads it, marks judged by their neighbours."""
    end = a.start + a.length
    if b.start < end:
        return "\0overlap"  # two bigrams of one Han run
    around = phrase(text[end - 1:b.start + 1])
    return around[len(phrase(text[end - 1])):len(around) - len(phrase(text[b.start]))]


def _widened(text: str, at: int, edge: str, step: int) -> int | None:
    """at moved over the characters before (step -1) or after (step 1) it that read as edge, or None."""
    if not edge:
        return at
    for k in range(1, 2 * len(edge) + 3):
        piece = text[max(0, at - k):at] if step < 0 else text[at:at + k]
        if phrase(piece) == edge and fold(piece[0 if step < 0 else -1]) not in MARKS:
            return at - k if step < 0 else at + k
    return None


def search_hits(name: str, text: str) -> list[Hit]:
    """Where a phrase search finds the name: its tokens one after another in the text's, joined alike.

    Run tails are left out (a phrase may end inside a longer run of Han characters); the hits are taken
    leftmost first and without overlap, as the matcher takes its mentions. What the name has before its first
    token or after its last (the brackets of (处)警调(解)联动) must be beside them in the text."""
    query = [t for t in tk.tokenize(name) if t.kind != "t"]
    tokens = [t for t in tk.tokenize(text) if t.kind != "t"]
    joins = [_gap(name, a, b) for a, b in itertools.pairwise(query)]
    hits: list[Hit] = []
    for i in range(len(tokens) - len(query) + 1):
        got = tokens[i:i + len(query)]
        if [(t.term, t.kind) for t in got] != [(t.term, t.kind) for t in query]:
            continue
        if [_gap(text, a, b) for a, b in itertools.pairwise(got)] != joins:
            continue
        start = _widened(text, got[0].start, phrase(name[:query[0].start]), -1)
        end = _widened(text, got[-1].start + got[-1].length, phrase(name[query[-1].start + query[-1].length:]), 1)
        if start is None or end is None:
            continue
        hit = (start, end)
        if not hits or hit[0] >= hits[-1][1]:
            hits.append(hit)
    return hits


def _core(text: str, start: int, end: int) -> Hit:
    """A mention without the quotation marks it was widened to take in."""
    while start < end and fold(text[start]) in MARKS:
        start += 1
    while end > start and fold(text[end - 1]) in MARKS:
        end -= 1
    return (start, end)


def matcher_hits(name: str, text: str) -> list[Hit]:
    """Where a matcher knowing only this name finds it."""
    only = Matcher([Programme(Path("x.md"), "x", name, [], "", "", 1)])
    return [_core(text, s.start, s.end) for s in only.find(text)]


def names(site) -> list[tuple[str, str]]:
    """(programme slug, name) for every name and alias of the registry."""
    return [(p.slug, n) for p in site.programmes for n in p.names]


def blocks(site) -> list[tuple[str, str]]:
    """(report slug, text) of every block of the report's own words: what both the matcher and search read."""
    return [(r.slug, b.text) for r in site.reports for b in site.bodies[r.slug].paragraphs
            if b.kind not in NOT_REPORT_KINDS]


# Written the ways a name may be written, beside the real reports: spaces, marks of every kind, full width.
WRITTEN = ["推进雪亮 工程建设", "推进雪亮\u3000工程", "推进“雪亮”工程", "﹁五老﹂调解", "「五老」调解", "平安乡村⋅雪亮工程",
           "平安乡村・雪亮工程", "推行“113”模式", "推行1“13模式", "推行113 模式", "（处）警调（解）联动", "(处) 警调(解)联动",
           "郟縣人民調解", "４＋Ｘ平安创建", "开展“4+X”平安创建", "«五老»调解", "人民调解员和民调", "扫黑除恶专项斗争"]


def test_every_name_is_found_where_search_finds_it(real):
    """Name by name, block by block: the same places, found by the tokenizer's phrase and by the matcher."""
    checked = 0
    for _, name in names(real):
        for text in [text for _, text in blocks(real)] + WRITTEN:
            assert matcher_hits(name, text) == search_hits(name, text), (name, text)
            checked += len(search_hits(name, text))
    assert checked > 100


def test_the_registry_finds_a_programme_where_search_finds_one_of_its_names(real):
    """Report by report, with the whole registry: a programme is found where search finds one of its names,
    except inside one of its `not_in` words (民调 in 人民调解), and every mention is a place search finds."""
    matcher: Matcher = real.matcher
    for report, text in blocks(real):
        spans = matcher.find(text)
        for s in spans:
            assert any(_core(text, s.start, s.end) in search_hits(n, text) for slug, n in names(real)
                       if slug == s.programme), (report, text[s.start:s.end])
        for p in real.programmes:
            blocked = [h for word in p.not_in for h in search_hits(word, text)]
            wanted = [h for n in p.names for h in search_hits(n, text)
                      if not any(b[0] <= h[0] and h[1] <= b[1] for b in blocked)]
            covered = [h for h in wanted if any(s.start <= h[0] and h[1] <= s.end for s in spans)]
            assert covered == wanted, (report, p.slug, text)
            assert bool(wanted) == any(s.programme == p.slug for s in spans), (report, p.slug, text)


@pytest.mark.parametrize(("text", "expected"), [
    ("“五老”调解", "五老调解"), ("平安乡村·雪亮工程", "平安乡村雪亮工程"), ("平安乡村⋅雪亮工程", "平安乡村雪亮工程"),
    ("﹁五老﹂调解", "五老调解"), ("«平安»县", "平安县"), ("推行“113”模式", "推行113模式"), ("“4+X”平安创建", "4+x平安创建"),
    ("雪亮 工程", "雪亮 工程"), ("雪亮\u3000工程", "雪亮 工程"), ("don't", "don't"), ("郟縣", "郏县"), ("①号", "1号"),
])
def test_the_rule(text, expected):
    assert phrase(text) == expected


@pytest.mark.parametrize("text", ["“五老”调解", "a“b”c", "①“②”③", "㍻“平”", "“”", "", "x", "平安 县·’"])
def test_origin_maps_every_character_back(text):
    kept, origin = phrase(text), phrase_origin(text)
    for i, ch in enumerate(kept):
        assert ch in fold_char(text[origin(i)]), (text, i)
    origins = [origin(i) for i in range(len(kept))]
    assert origins == sorted(origins)

"""The search tokenizer: shared vectors, the OpenCC data, and parity with the browser's tokenize.js."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import tokenize as tk

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((ROOT / "tests" / "tokenizer_vectors.json").read_text(encoding="utf-8"))
SOURCES = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "content" / "sources").glob("*.txt")))


@pytest.mark.parametrize("case", VECTORS["fold"], ids=lambda c: c["text"])
def test_fold_vectors(case):
    assert tk.fold(case["text"]) == case["folded"]


@pytest.mark.parametrize("case", VECTORS["tokens"], ids=lambda c: c["text"] or "empty")
def test_token_vectors(case):
    assert [t.as_list() for t in tk.tokenize(case["text"])] == case["tokens"]


def test_data_file_is_the_opencc_package_data():
    """ts-chars.js is exactly what the installed opencc package's TSCharacters gives: no drift."""
    expected = tk.data_js(tk.closed_map(tk.opencc_ts_pairs()))
    assert tk.TS_DATA_JS.read_text(encoding="utf-8") == expected, "run: python -m archive.tokenize --write-data"


def test_every_traditional_character_folds_to_its_first_candidate():
    pairs = tk.opencc_ts_pairs()
    assert len(pairs) > 4000
    assert tk.fold("郟") == "郏" and pairs["郟"] == "郏"
    for key, value in pairs.items():
        assert tk.fold(key) == tk.fold(value), key  # 薴→苧→苎: both end at the same character


def test_fold_is_idempotent_on_the_sources():
    once = tk.fold(SOURCES)
    assert tk.fold(once) == once


def test_real_sentences_from_the_sources():
    """Phrases quoted in the sources are found whole, quotes and dots skipped."""
    text = next(line for line in SOURCES.splitlines() if "“平安县”" in line)
    terms = [t.term for t in tk.tokenize(text)]
    at = text.index("“平安县”")
    # 省级“平安县” reads as 省级平安县: the bigram 级平 spans the opening quote
    assert "级平" in terms and "平安" in terms and "安县" in terms
    bigram = next(t for t in tk.tokenize(text) if t.term == "级平" and t.start == at - 1)
    assert bigram.length == 3


def test_bigrams_of_one_run_are_adjacent_by_offsets():
    tokens = [t for t in tk.tokenize("“五老”调解") if t.kind == "b"]
    for a, b in zip(tokens, tokens[1:]):
        assert b.start == a.start + a.length - 1


# --- parity with tokenize.js: one node process answers every example ---------------------------------

TRADITIONAL = "".join(sorted(tk.ts_map()))
HAN_SAMPLE = "".join(sorted({c for c in SOURCES if tk.char_class(c) == tk.HAN}))
HAN_PIECE = st.one_of(st.sampled_from(HAN_SAMPLE), st.sampled_from(TRADITIONAL))
PIECES = st.one_of(
    HAN_PIECE,
    HAN_PIECE,
    HAN_PIECE,
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF9F),  # full- and half-width forms
    st.sampled_from(sorted(tk.TRANSPARENT_CHARS)),
    st.characters(min_codepoint=0x3000, max_codepoint=0x303F),  # CJK punctuation
    st.sampled_from("0123456789①⑳㈠㍻㋀ﬁ²Ⅻ𠮷𪚥豈丽\u2f00İ\u0307é\u00a0\t\n"),
    st.characters(codec="utf-8", exclude_categories=("Cs", "Co", "Cn")),  # anything assigned in Python's Unicode
)
MARKS = st.sampled_from(sorted(tk.TRANSPARENT_CHARS))
CHINESE_LIKE = st.text(st.one_of(HAN_PIECE, HAN_PIECE, MARKS, MARKS,
                                 st.sampled_from("，。 、：；！？（）《》…—-+/0123456789abcXYZ")), max_size=30)
MIXED = st.builds("".join, st.lists(st.one_of(st.text(PIECES, max_size=20), CHINESE_LIKE), max_size=4))


@pytest.fixture(scope="module")
def node_tokenizer():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the tokenizer parity test (scripts/setup.sh installs it)")
    proc = subprocess.Popen([node, str(ROOT / "tests" / "js" / "tokenize_stdio.js")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def ask(texts: list[str]) -> list:
        proc.stdin.write(json.dumps(texts, ensure_ascii=False) + "\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    yield ask
    proc.stdin.close()
    proc.wait(timeout=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(MIXED, min_size=1, max_size=30))
def test_python_and_javascript_agree(node_tokenizer, texts):
    """Random mixes of simplified, traditional, ASCII, full-width, quotes and dots: identical output."""
    expected = [[tk.fold(s), [t.as_list() for t in tk.tokenize(s)]] for s in texts]
    assert node_tokenizer(texts) == expected


def test_parity_on_the_real_sources(node_tokenizer):
    lines = [line for line in SOURCES.splitlines() if line.strip()]
    expected = [[tk.fold(s), [t.as_list() for t in tk.tokenize(s)]] for s in lines]
    assert node_tokenizer(lines) == expected


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_fast_path_equals_the_plain_rule(text):
    """token_lists (translate + regular expressions) gives what the character-by-character rule gives."""
    assert tk.tokenize(text) == tk.tokenize_reference(text)


def test_fast_path_on_the_real_sources():
    for line in SOURCES.splitlines():
        assert tk.tokenize(line) == tk.tokenize_reference(line)


def as_positions(text: str) -> tuple:
    """What the index takes of the plain rule: terms, starts, and (token, length) where a bigram spans a mark."""
    tokens = tk.tokenize_reference(text)
    return ([t.term for t in tokens], [t.start for t in tokens],
            [(i, t.length) for i, t in enumerate(tokens) if t.length != len(t.term)])


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_positions_equal_the_plain_rule(text):
    """positions() (whole-string: one token per Han character, words merged in by offset) agrees with the rule."""
    assert tk.positions(text) == as_positions(text)


@pytest.mark.parametrize("text", ["村里的“五老”调解员说：“矛盾不上交”。", "“六个一”创新社会管理", "2017年7月，平江县·三市镇",
                                  "中“”国", "“中”", "a“b”c", "臺灣 déjà vu 2017"])
def test_positions_around_quotation_marks(text):
    assert tk.positions(text) == as_positions(text)


def test_positions_on_the_real_sources():
    for line in SOURCES.splitlines():
        assert tk.positions(line) == as_positions(line)
    assert tk.positions(SOURCES) == as_positions(SOURCES)

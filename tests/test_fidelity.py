"""Every report page says exactly what its raw source says: no sentence lost, none altered.

The body text of each page (headings and paragraphs, in order) must equal its source text once the lines listed in
tests/fidelity_debris.yml (web debris, lines moved into front matter, photo captions) are taken out; captions are
compared separately, as a list, because they move out of the paragraph they split. Only whitespace and the width
of punctuation are ignored.
"""
from __future__ import annotations

import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from archive.content import read_document
from archive.errors import Problems

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "content" / "reports"
SOURCES = ROOT / "content" / "sources"
SPECS: dict[str, dict] = yaml.safe_load((Path(__file__).parent / "fidelity_debris.yml").read_text("utf-8"))


# ---------------------------------------------------------------- normalising


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


# ---------------------------------------------------------------- the page side


@dataclass
class PageText:
    """What a reader sees of a report: title, authors, body blocks and photo captions."""

    title: str
    authors: list[str]
    source_file: str
    blocks: list[str]
    captions: list[str]


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.use(container_plugin, name="figure").use(container_plugin, name="note").use(footnote_plugin)
    return md


def page_text(path: Path, text: str | None = None) -> PageText:
    """Parse a report page (from disk, or the given text as if it were that file) into what the test compares."""
    problems = Problems()
    if text is None:
        doc = read_document(path, problems)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / path.name
            copy.write_text(text, "utf-8")
            doc = read_document(copy, problems)
    assert doc is not None, [str(p) for p in problems.items]
    authors = doc.meta.get("author")
    authors = authors if isinstance(authors, list) else [authors]
    blocks: list[str] = []
    captions: list[str] = []
    skip_depth = 0  # inside an editor's note or the footnote block: the editors' words, not the source's
    figure_depth = 0
    for token in _markdown().parse(doc.body):
        if token.type in ("container_note_open", "footnote_block_open"):
            skip_depth += 1
        elif token.type in ("container_note_close", "footnote_block_close"):
            skip_depth -= 1
        elif token.type == "container_figure_open":
            figure_depth += 1
            captions.append("")
        elif token.type == "container_figure_close":
            figure_depth -= 1
        elif token.type == "inline" and not skip_depth:
            words = "".join(
                child.content for child in token.children or [] if child.type in ("text", "code_inline")
            )
            if figure_depth:
                captions[-1] += words
            else:
                blocks.append(words)
    return PageText(str(doc.meta.get("title", "")), [str(a) for a in authors], str(doc.meta.get("source_file", "")), blocks, captions)


# ---------------------------------------------------------------- the comparison


def _caption_lines(entry: str | list[str]) -> list[str]:
    return [entry] if isinstance(entry, str) else list(entry)


def fidelity_problems(page: PageText, source: bytes, spec: dict) -> list[str]:
    """Everything in which the page's text differs from its source; an empty list when faithful."""
    problems: list[str] = []
    lines = [line.strip() for line in source.decode("utf-8-sig").splitlines()]
    lines = [line for line in lines if line]

    # Lines the spec says are not body text must really be in the source (the list cannot hide anything else).
    front = spec.get("front_matter", {})
    removed = [front["title"], *front.get("byline", []), *spec.get("debris", [])]
    for entry in removed:
        if entry.strip() in lines:
            lines.remove(entry.strip())
        else:
            problems.append(f"listed line {entry!r} is not a line of the source")

    # Captions: whole runs of source lines, in source order.
    cursor = 0
    for entry in spec.get("captions", []):
        want = _caption_lines(entry)
        for i in range(cursor, len(lines) - len(want) + 1):
            if lines[i : i + len(want)] == [w.strip() for w in want]:
                del lines[i : i + len(want)]
                cursor = i
                break
        else:
            problems.append(f"caption {entry!r} is not a line of the source (after line {cursor + 1} of its text)")
    expected_captions = [fold("".join(_caption_lines(e))) for e in spec.get("captions", [])]
    got_captions = [fold(c) for c in page.captions]
    if got_captions != expected_captions:
        problems.append(f"captions differ from the source:\n  page:   {got_captions}\n  source: {expected_captions}")

    # The body: everything else, in order.
    want_body, got_body = fold("".join(lines)), fold("".join(page.blocks))
    if want_body != got_body:
        at = next((i for i, (a, b) in enumerate(zip(want_body, got_body)) if a != b), min(len(want_body), len(got_body)))
        problems.append(
            f"body differs from the source at character {at}:\n"
            f"  source: …{want_body[max(0, at - 30) : at + 30]}…\n"
            f"  page:   …{got_body[max(0, at - 30) : at + 30]}…"
        )

    if fold(page.title) != fold(front["title"]):
        problems.append(f"title {page.title!r} is not the source's {front['title']!r}")
    byline = fold("".join(front.get("byline", [])) + "".join(lines))
    for author in page.authors:
        if fold(author) not in byline:
            problems.append(f"author {author!r} is not named in the source")
    if page.source_file != spec["source"]:
        problems.append(f"source_file {page.source_file!r} is not {spec['source']!r}")
    return problems


# ---------------------------------------------------------------- the tests


def _spec_source(slug: str) -> tuple[dict, bytes]:
    spec = SPECS[slug]
    return spec, (SOURCES / spec["source"]).read_bytes()


@pytest.mark.parametrize("slug", sorted(SPECS))
def test_page_body_is_its_source(slug: str) -> None:
    spec, source = _spec_source(slug)
    problems = fidelity_problems(page_text(REPORTS / f"{slug}.md"), source, spec)
    assert not problems, "\n".join(problems)


def test_every_page_with_a_source_is_checked() -> None:
    for path in sorted(REPORTS.glob("*.md")):
        problems = Problems()
        doc = read_document(path, problems)
        # A draft straight from the importer is not yet published; a finished page must be checked.
        if doc is not None and doc.meta.get("source_file") and doc.meta.get("draft") is not True:
            assert path.stem in SPECS, f"{path.name} names a source but has no entry in tests/fidelity_debris.yml"


def test_the_five_reports_have_their_captions_as_figures() -> None:
    page = page_text(REPORTS / "2017-pingjiang.md")
    assert "平江县人民法院院长主审贩卖毒品案，全程网络直播" in page.captions
    # The caption no longer splits the sentence it fell into.
    assert any("已建设成社区戒毒工作站、社区警务室于一体的警务工作平台2个，整合基层综治力量" in b for b in page.blocks)
    jiaxian = page_text(REPORTS / "2017-jiaxian.md")
    assert any("配备专（兼）职人民调解员" in b for b in jiaxian.blocks)
    assert any("对排查出来的各类矛盾纠纷和不稳定问题" in b for b in jiaxian.blocks)
    assert any("设立流动卡点29个、固定警务和卡点10个，还投资30余万元" in b for b in jiaxian.blocks)
    assert not any("郏" in b for b in jiaxian.blocks), "the source's traditional 郟 is kept as it is"


# Mutations of a faithful page: each must be caught.
MUTATIONS = [
    ("drop a sentence", "2017-pingjiang", "调解成功率95%以上，", ""),
    ("change a character", "2017-jiaxian", "建设平安幸福郟县》", "建设平安幸福郏县》"),
    ("change a number", "2021-yanling", "认罪认罚适用率95.63%", "认罪认罚适用率95.36%"),
    ("swap two sentences", "2018-lengshuitan", "平安是民生之需，稳定是发展之基。", "稳定是发展之基，平安是民生之需。"),
    ("caption back in the body", "2017-pingjiang", "::: figure\n平江县交警大队开展从严查处打击各类交通违法行为\n:::", "平江县交警大队开展从严查处打击各类交通违法行为"),
    ("drop a caption", "2021-yanling", "::: figure\n巡回法庭\n:::", ""),
    ("drop the last paragraph", "2018-xiangxi", "今年来，全州排查调解各类矛盾纠纷11703件", "今年来"),
    ("wrong author", "2018-lengshuitan", "- 吴林", "- 吴琳"),
    ("wrong title", "2018-xiangxi", "title: 构建“四大体系” 创建平安和谐湘西", "title: 构建“四大体系” 创建和谐湘西"),
]


@pytest.mark.parametrize("what,slug,old,new", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_a_mutated_copy_fails(what: str, slug: str, old: str, new: str) -> None:
    spec, source = _spec_source(slug)
    path = REPORTS / f"{slug}.md"
    original = path.read_text("utf-8")
    assert original.count(old) == 1, f"mutation target {old!r} must occur once in {path.name}"
    mutated = original.replace(old, new)
    assert fidelity_problems(page_text(path, mutated), source, spec), f"{what}: not detected"


def test_whitespace_and_punctuation_width_are_ignored() -> None:
    spec, source = _spec_source("2017-pingjiang")
    path = REPORTS / "2017-pingjiang.md"
    original = path.read_text("utf-8")
    relaxed = original.replace("调解成功率95%以上，", "调解成功率 95% 以上,")
    assert not fidelity_problems(page_text(path, relaxed), source, spec)


def test_debris_list_cannot_hide_text() -> None:
    spec, source = _spec_source("2018-xiangxi")
    sneaky = dict(spec, debris=[*spec["debris"], "这一行不在原文里"])
    assert fidelity_problems(page_text(REPORTS / "2018-xiangxi.md"), source, sneaky)

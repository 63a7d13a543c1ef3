"""Every report page says exactly what its raw source says: the body is the source minus its provenance record.

The record (`content/reports/<slug>.provenance.yml`, written by the importer, read and amended by editors) lists the
lines moved into front matter, the web debris removed and the captions made figures; `archive.importer.verify`
proves the rest of the source is the body, ignoring only whitespace and the width of punctuation.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.content import parse_report
from archive.frontmatter import read_document
from archive.errors import Problems
from archive.importer.verify import page_text, verify
from archive.provenance import load, record_path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "content" / "reports"
SOURCES = ROOT / "content" / "sources"
SLUGS = sorted(p.stem for p in REPORTS.glob("*.md"))


def report(slug: str, text: str | None = None, folder: Path | None = None):
    """The Report of a page (optionally with other text, as if the file said that), with its record beside it."""
    path = REPORTS / f"{slug}.md"
    if text is not None and folder is not None:
        copy = folder / path.name
        copy.write_text(text, "utf-8")
        record_path(copy).write_bytes(record_path(path).read_bytes())
        path = copy
    problems = Problems()
    doc = read_document(path, problems)
    assert doc is not None
    found = parse_report(doc, ROOT / "content", problems)
    assert found is not None, [str(p) for p in problems.items]
    return found


def problems_of(slug: str, text: str | None = None, folder: Path | None = None) -> list[str]:
    """verify's findings for a page, as path:line: message strings."""
    r = report(slug, text, folder)
    return [str(p) for p in verify(r, (SOURCES / r.source_file).read_bytes())]


@pytest.mark.parametrize("slug", SLUGS)
def test_page_body_is_its_source(slug: str) -> None:
    assert problems_of(slug) == []


def test_every_page_with_a_source_has_a_record() -> None:
    for slug in SLUGS:
        r = report(slug)
        record = load(r.path)
        assert record is not None and record.source == r.source_file, slug


def test_the_records_name_what_an_editor_expects() -> None:
    xiangxi = load(REPORTS / "2018-xiangxi.md")
    assert xiangxi is not None
    removed = [e.text for e in xiangxi.entries if e.kind == "removed"]
    assert "三湘综治网 > 平安湖南 > 理论探索 > 正文" in removed and "相关阅读" in removed
    moved = {e.why: e.text for e in xiangxi.entries if e.kind == "moved"}
    assert moved["title"] == "构建“四大体系” 创建平安和谐湘西"
    assert moved["metadata"] == "发布时间:2018-12-05 14:04:53 编辑:陈义"


def test_the_five_reports_have_their_captions_as_figures() -> None:
    page = page_text(report("2017-pingjiang").body)
    assert "平江县人民法院院长主审贩卖毒品案，全程网络直播" in page.captions
    assert any("已建设成社区戒毒工作站、社区警务室于一体的警务工作平台2个，整合基层综治力量" in b for _, b in page.blocks)
    jiaxian = page_text(report("2017-jiaxian").body)
    assert any("配备专（兼）职人民调解员" in b for _, b in jiaxian.blocks)
    assert not any("郏" in b for _, b in jiaxian.blocks), "the source's traditional 郟 is kept as it is"


MUTATIONS = [
    ("drop a sentence", "2017-pingjiang", "调解成功率95%以上，", ""),
    ("change a character", "2017-jiaxian", "建设平安幸福郟县》", "建设平安幸福郏县》"),
    ("change a number", "2021-yanling", "认罪认罚适用率95.63%", "认罪认罚适用率95.36%"),
    ("swap two sentences", "2018-lengshuitan", "平安是民生之需，稳定是发展之基。", "稳定是发展之基，平安是民生之需。"),
    ("caption back in the body", "2017-pingjiang", "::: figure\n平江县交警大队开展从严查处打击各类交通违法行为\n:::",
     "平江县交警大队开展从严查处打击各类交通违法行为"),
    ("drop a caption", "2021-yanling", "::: figure\n巡回法庭\n:::", ""),
    ("drop the last paragraph", "2018-xiangxi", "今年来，全州排查调解各类矛盾纠纷11703件", "今年来"),
    ("wrong author", "2018-lengshuitan", "- 吴林", "- 吴琳"),
    ("wrong title", "2018-xiangxi", "title: 构建“四大体系” 创建平安和谐湘西", "title: 构建“四大体系” 创建和谐湘西"),
]


@pytest.mark.parametrize("what,slug,old,new", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_a_mutated_copy_fails_naming_the_page(tmp_path: Path, what: str, slug: str, old: str, new: str) -> None:
    original = (REPORTS / f"{slug}.md").read_text("utf-8")
    assert original.count(old) == 1, f"mutation target {old!r} must occur once"
    found = problems_of(slug, original.replace(old, new), tmp_path)
    assert found, f"{what}: not detected"
    assert all(f"{slug}.md:" in p for p in found), found


def test_whitespace_and_punctuation_width_are_ignored(tmp_path: Path) -> None:
    original = (REPORTS / "2017-pingjiang.md").read_text("utf-8")
    relaxed = original.replace("调解成功率95%以上，", "调解成功率 95% 以上,")
    assert problems_of("2017-pingjiang", relaxed, tmp_path) == []


def test_a_record_cannot_hide_text(tmp_path: Path) -> None:
    path = tmp_path / "2018-xiangxi.md"
    path.write_text((REPORTS / "2018-xiangxi.md").read_text("utf-8"), "utf-8")
    record = record_path(REPORTS / "2018-xiangxi.md").read_text("utf-8")
    record_path(path).write_text(record.replace("removed:\n", "removed:\n- {line: 99, text: 这一行不在原文里, why: 杂项}\n"), "utf-8")
    problems = Problems()
    r = parse_report(read_document(path, problems), ROOT / "content", problems)  # type: ignore[arg-type]
    assert r is not None
    found = [str(p) for p in verify(r, (SOURCES / r.source_file).read_bytes())]
    assert any("2018-xiangxi.provenance.yml:" in p and "这一行不在原文里" in p for p in found), found


def test_a_removed_line_put_back_by_the_editor_still_proves(tmp_path: Path) -> None:
    """Deleting a record entry and restoring the line in the body is a faithful edit."""
    text = (REPORTS / "2018-xiangxi.md").read_text("utf-8") + "\n相关阅读\n"
    path = tmp_path / "2018-xiangxi.md"
    path.write_text(text, "utf-8")
    record = record_path(REPORTS / "2018-xiangxi.md").read_text("utf-8")
    entry = next(line for line in record.split("\n") if "text: 相关阅读" in line)
    record_path(path).write_text(record.replace(entry + "\n", ""), "utf-8")
    problems = Problems()
    r = parse_report(read_document(path, problems), ROOT / "content", problems)  # type: ignore[arg-type]
    assert r is not None and verify(r, (SOURCES / r.source_file).read_bytes()) == []

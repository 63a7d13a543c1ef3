"""Programmes: matching mentions, linking them in Markdown, validation, analysis and suggestions."""
from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from archive.content import Programme
from archive.errors import Problems
from archive.programmes import Matcher, markdown_plugin


def programme(slug: str, name: str, aliases=(), not_in=(), see_also=(), summary: str = "") -> Programme:
    """A registry entry made in memory."""
    return Programme(Path(f"content/programmes/{slug}.md"), slug, name, list(aliases), "基层治理", "", 8,
                     see_also=list(see_also), summary=summary, not_in=list(not_in),
                     lines={"name": 2, "aliases": 3, "see_also": 5, "not_in": 6})


REGISTRY = [
    programme("xueliang", "雪亮工程", ["平安乡村·雪亮工程", "雪亮乡村"], summary="公共安全视频监控建设联网应用"),
    programme("mindiao", "民调", ["综治民调"], not_in=["人民调解", "居民调解"]),
    programme("renmin-tiaojie", "人民调解", ["人民调解组织建在组上"]),
    programme("wulao", "“五老”调解"),
    programme("liujin-pufa", "法治宣传“六进”"),
    programme("liujin-zoufang", "“六进”走访"),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    problems = Problems()
    m = Matcher.from_registry(REGISTRY, problems)
    assert problems.items == []
    return m


def found(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.programme) for s in matcher.find(text)]


def test_quotation_marks_inside_a_name_are_part_of_the_mention(matcher):
    # 冷水滩: the report quotes only half of the name.
    assert found(matcher, "大力推进“雪亮”工程,已新建1200个公共治安视频探头") == [("“雪亮”工程", "xueliang")]
    assert found(matcher, "村级“五老”调解模式") == [("“五老”调解", "wulao")]
    assert found(matcher, "完善“日排查、周汇总、月研判”制度,“五老”调解矛盾纠纷制度") == [("“五老”调解", "wulao")]


def test_middle_dot_and_longest_alias(matcher):
    text = "引导支持移动、联通、电信三家通讯公司全力推进“平安乡村·雪亮工程”二期建设"
    assert found(matcher, text) == [("平安乡村·雪亮工程", "xueliang")]
    assert found(matcher, "推进“雪亮乡村”“智慧社区”建设") == [("雪亮乡村", "xueliang")]


def test_traditional_characters_fold_to_simplified(matcher):
    assert found(matcher, "郟縣健全人民調解組織") == [("人民調解", "renmin-tiaojie")]


def test_short_alias_never_inside_a_longer_word(matcher):
    text = "民调全省排名第6,以人民调解为基础,人民调解员,居民调解,省综治民调测评成绩为91.61分"
    assert found(matcher, text) == [("民调", "mindiao"), ("人民调解", "renmin-tiaojie"),
                                    ("人民调解", "renmin-tiaojie"), ("综治民调", "mindiao")]


def test_not_in_blocks_even_without_a_competing_programme():
    problems = Problems()
    m = Matcher.from_registry([programme("mindiao", "民调", not_in=["人民调解"])], problems)
    assert m.find("建立了人民调解组织体系") == []
    assert [s.programme for s in m.find("民调工作再次突破历史性记录")] == ["mindiao"]


def test_the_two_liujin_are_different_programmes(matcher):
    assert found(matcher, "大力开展法治宣传“六进”活动") == [("法治宣传“六进”", "liujin-pufa")]
    assert found(matcher, "进超市、进酒店的“六进”走访活动月") == [("“六进”走访", "liujin-zoufang")]


def test_excluded_programmes_are_not_found(matcher):
    assert matcher.find("民调工作", exclude={"mindiao"}) == []


def test_alias_claimed_twice_and_unknown_see_also_are_errors():
    problems = Problems()
    Matcher.from_registry([
        programme("a", "网格化管理", ["网格化"]),
        programme("b", "网格化服务管理", ["“网格化”"], see_also=["不存在"]),
    ], problems)
    messages = [str(p) for p in problems.errors]
    assert any(m.startswith("content/programmes/b.md:3:") and "'a'" in m and "网格化" in m for m in messages), messages
    assert any(m.startswith("content/programmes/b.md:5:") and "不存在" in m for m in messages), messages


def test_not_in_word_without_the_name_is_an_error():
    problems = Problems()
    Matcher.from_registry([programme("mindiao", "民调", not_in=["人民调解"]),
                           programme("x", "平安县", not_in=["人民调解"])], problems)
    assert [str(p).split(":")[0:2] for p in problems.errors] == [["content/programmes/x.md", "6"]]


def render(matcher: Matcher, text: str, report=None) -> str:
    md = MarkdownIt("commonmark", {"html": False}).use(container_plugin, "figure").use(container_plugin, "note")
    md.use(footnote_plugin)
    markdown_plugin(md, matcher)
    return md.render(text, {"report": report})


def test_markdown_links_mentions_with_summary_tooltip(matcher):
    html = render(matcher, "大力推进“雪亮”工程,已新建1200个公共治安视频探头。")
    assert ('<a href="../programmes/xueliang.html" class="programme" title="雪亮工程：公共安全视频监控建设联网应用" '
            'data-programme="xueliang">“雪亮”工程</a>') in html


def test_markdown_leaves_headings_links_notes_and_footnotes_alone(matcher):
    html = render(matcher, "## 民调成绩再创新纪录\n\n见[雪亮工程](x)[^1]\n\n::: note\n民调是编者的话\n:::\n\n"
                           "::: figure\n平江县召开网格化、综治中心、“雪亮工程”建设工作调度会\n:::\n\n[^1]: 民调注释\n")
    assert "<h2>民调成绩再创新纪录</h2>" in html
    assert '<a href="x">雪亮工程</a>' in html
    assert "<p>民调是编者的话</p>" in html
    assert "民调注释" in html and html.count("programmes/mindiao") == 0
    assert html.count('href="../programmes/xueliang.html"') == 1  # the caption


def test_markdown_honours_not_programmes(matcher):
    class Report:
        not_programmes = ["民调"]

    html = render(matcher, "民调工作再次突破历史性记录", Report())
    assert "programme" not in html

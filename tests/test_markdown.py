"""Report bodies: anchors on every block, figures, notes, footnotes, tables, no raw HTML, safe links."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.content import load_content
from archive.config import Config
from archive.errors import Problems
from archive.markdown import markdown_for, render_text, validate_link
from archive.programmes import Matcher

NO_PROGRAMMES = Matcher([])

ROOT = Path(__file__).resolve().parent.parent

BODY = """近年来，平江县围绕加强和创新社会管理主题，以解决影响当前和谐稳定的突出问题为突破口。

## 构建一个体系 创新社会治安防控

公共区域视频监控摄像头近5000个[^1]，全面启动全县视频监控资源联网工作。

::: figure
平江县人民法院院长主审贩卖毒品案，全程网络直播
:::

::: note
此文原载三湘综治网，编者有删节。
:::

- 乡镇调委会24个
- 村（社区）调解组织512个

| 机构 | 数量 |
|---|---|
| 警务室 | 29 |

[^1]: 原文此处数字为“近5000个”，照录。
"""


def ids(html: str) -> list[str]:
    """Every id in the HTML, in order."""
    return re.findall(r'\bid="([^"]+)"', html)


def test_every_block_has_a_stable_anchor_in_document_order():
    body = render_text(BODY, NO_PROGRAMMES)
    anchors = [p.anchor for p in body.paragraphs]
    assert anchors == [f"p{i}" for i in range(1, len(anchors) + 1)]
    kinds = [p.kind for p in body.paragraphs]
    assert kinds == ["p", "h2", "p", "figure", "note", "li", "li", "td", "td", "footnote"]
    page_ids = [i for i in ids(body.html) if re.fullmatch(r"p\d+", i)]
    assert page_ids == anchors
    # rendering again gives the same anchors: links from search and programme pages stay valid
    assert render_text(BODY, NO_PROGRAMMES).html == body.html


def test_paragraph_text_is_what_the_reader_sees():
    body = render_text(BODY, NO_PROGRAMMES)
    texts = {p.kind: p.text for p in reversed(body.paragraphs)}
    assert texts["h2"] == "构建一个体系 创新社会治安防控"
    assert body.paragraphs[2].text == "公共区域视频监控摄像头近5000个，全面启动全县视频监控资源联网工作。"  # no [1] marker
    assert texts["figure"] == "平江县人民法院院长主审贩卖毒品案，全程网络直播"
    assert texts["note"] == "此文原载三湘综治网，编者有删节。"
    assert texts["footnote"] == "原文此处数字为“近5000个”，照录。"
    assert body.paragraphs[7].text == "机构 | 数量"


def test_caption_is_a_figure_and_note_is_set_apart():
    html = render_text(BODY, NO_PROGRAMMES).html
    assert '<figure class="photo" id="p4"><figcaption>平江县人民法院院长主审贩卖毒品案，全程网络直播</figcaption></figure>' in html
    assert re.search(r'<aside class="note"[^>]*>.*此文原载三湘综治网', html, re.S)
    assert '<div class="figure">' not in html


def test_footnotes_link_both_ways():
    html = render_text(BODY, NO_PROGRAMMES).html
    assert '<a href="#fn1" id="fnref1">[1]</a>' in html
    assert 'id="fn1"' in html and 'href="#fnref1"' in html
    assert '<section class="footnotes"' in html


def test_headings_have_a_permalink():
    html = render_text(BODY, NO_PROGRAMMES).html
    assert '<h2 id="p2">构建一个体系 创新社会治安防控<a class="anchor" href="#p2"' in html


def test_raw_html_in_content_is_shown_as_text():
    html = render_text('平江县<script>alert("x")</script>综治中心<img src=x onerror=alert(1)>', NO_PROGRAMMES).html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("url, allowed", [
    ("https://www.pingjiang.gov.cn/", True),
    ("http://example.org/a", True),
    ("mailto:editor@example.org", True),
    ("../reports/2017-pingjiang.html#p7", True),
    ("#p3", True),
    ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False),
    ("file:///etc/passwd", False),
    ("data:text/html,<b>x</b>", False),
    ("vbscript:x", False),
])
def test_only_web_mail_and_relative_links(url, allowed):
    assert validate_link(url) is allowed
    html = render_text(f"见[平江县]({url})。", NO_PROGRAMMES).html
    assert ("<a href=" in html) is allowed


def test_markdown_instance_is_built_once_per_matcher():
    matcher = Matcher([])
    assert markdown_for(matcher) is markdown_for(matcher)
    assert markdown_for(Matcher([])) is not None


def test_real_reports_keep_every_paragraph():
    """Each body paragraph of the five reports is in the page's paragraphs, word for word."""
    problems = Problems()
    content = load_content(Config(), ROOT / "content", problems)
    assert content.reports, problems.items
    matcher = Matcher.from_registry(content.programmes, problems)
    from archive.markdown import render_body

    for report in content.reports:
        body = render_body(report, matcher)
        texts = {p.text for p in body.paragraphs}
        for line in report.body.split("\n"):
            line = line.strip()
            if not line or line.startswith((":::", "[^")):
                continue
            plain = re.sub(r"\[\^\d+\]", "", line).lstrip("#").strip()
            assert plain in texts, f"{report.path}: paragraph lost: {plain[:40]}"
        # ids are unique within the page
        page_ids = ids(body.html)
        assert len(page_ids) == len(set(page_ids)), report.path

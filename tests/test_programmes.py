"""Programmes: matching mentions, linking them in Markdown, validation, analysis and suggestions."""
from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from archive.content import Programme
from archive.errors import Problems
from archive.fold import phrase
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


def test_whitespace_inside_a_name_separates_as_in_search(matcher):
    # archive/fold.py: a space is not a mark, so 雪亮 工程 is two words, for the matcher as for search
    assert found(matcher, "推进雪亮 工程建设") == []
    assert found(matcher, "推进雪亮\u3000工程建设") == []
    assert found(matcher, "推进“雪亮”工程建设") == [("“雪亮”工程", "xueliang")]


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


# ---------------------------------------------------------------- the real reports

import re  # noqa: E402
import shutil  # noqa: E402

from archive.build import BuildOptions, analyse, load  # noqa: E402
from archive.programmes import suggest  # noqa: E402
from conftest import ROOT, run_cli  # noqa: E402

PINGJIANG, XIANGXI, JIAXIAN, YANLING, LENGSHUITAN = (
    "2017-pingjiang", "2018-xiangxi", "2017-jiaxian", "2021-yanling", "2018-lengshuitan")
ALL_FIVE = {PINGJIANG, XIANGXI, JIAXIAN, YANLING, LENGSHUITAN}


@pytest.fixture(scope="module")
def real_site():
    """The repository's content, loaded and analysed (no files written)."""
    problems = Problems()
    options = BuildOptions(content_dir=ROOT / "content", layouts_dir=ROOT / "layouts", config_file=ROOT / "config.yml")
    content = load(options, problems)
    site, _ = analyse(content, problems)
    assert problems.errors == [], problems.errors
    return site, problems


def slugs(site, programme: str) -> set[str]:
    return {r.slug for r in site.programme_index.reports_of[programme]}


def test_registry_loads_without_problems(real_site):
    site, problems = real_site
    assert len(site.programmes) >= 20
    assert [str(p) for p in problems.items if "programmes/" in p.path] == []


def test_xueliang_is_in_exactly_four_reports(real_site):
    site, _ = real_site
    assert slugs(site, "xueliang-gongcheng") == ALL_FIVE - {JIAXIAN}


def test_grid_management_and_comprehensive_centres_are_in_all_five(real_site):
    site, _ = real_site
    assert slugs(site, "wanggehua-guanli") == ALL_FIVE
    assert slugs(site, "zongzhi-zhongxin") == ALL_FIVE


def test_shared_programmes_of_the_issue(real_site):
    site, _ = real_site
    assert slugs(site, "renmin-tiaojie") == ALL_FIVE - {LENGSHUITAN}
    assert slugs(site, "wulao-tiaojie") == {JIAXIAN, LENGSHUITAN}
    assert slugs(site, "saohei-chue") == {XIANGXI, YANLING}
    assert slugs(site, "yijiang-daibu") == {XIANGXI, YANLING}
    assert slugs(site, "wuge-guoying") == {JIAXIAN, YANLING}
    assert slugs(site, "bairi-huizhan") == {PINGJIANG, LENGSHUITAN}
    assert slugs(site, "pingan-xian") == {PINGJIANG, YANLING}


def test_mindiao_only_in_lengshuitan_and_never_inside_renmin_tiaojie(real_site):
    site, _ = real_site
    assert slugs(site, "mindiao") == {LENGSHUITAN}
    for p in site.programme_index.entries["mindiao"].passages[LENGSHUITAN]:
        for text, marked in p.pieces:
            assert not marked or text in ("民调", "综治民调")
    # 人民调解 occurs in the four other reports and is never counted as 民调
    for slug in ALL_FIVE - {LENGSHUITAN}:
        assert "人民调解" in "".join(b.text for b in site.bodies[slug].paragraphs)
        assert site.programme_index.entries["mindiao"].counts.get(slug, 0) == 0


def test_report_pages_in_the_order_of_dates_with_counts(real_site):
    site, _ = real_site
    entry = site.programme_index.entries["xueliang-gongcheng"]
    assert [r.slug for r in entry.reports] == [PINGJIANG, LENGSHUITAN, XIANGXI, YANLING]
    assert entry.counts[YANLING] == 2  # 雪亮乡村 and 平安乡村·雪亮工程


def test_figures_compare_cameras_across_counties(real_site):
    site, _ = real_site
    figures = {(f.report.county, f.value) for f in site.programme_index.entries["xueliang-gongcheng"].figures}
    assert {("平江县", "近5000个"), ("湘西土家族苗族自治州", "约5万余个"), ("冷水滩区", "1200个")} <= figures
    assert not any(county == "郏县" for county, _ in figures)  # 郏县 does not name 雪亮工程
    grid = {(f.report.county, f.value) for f in site.programme_index.entries["wanggehua-guanli"].figures}
    assert {("平江县", "109个"), ("郏县", "432个"), ("炎陵县", "157个"), ("湘西土家族苗族自治州", "1.5万名")} <= grid


def test_figures_skip_ranks_and_years():
    from archive.programmes import figures_in

    values = [v for v, _ in figures_in("2017年上半年该区省综治民调测评成绩为91.61分，排名全省第6位、全市第2位。")]
    assert values == ["91.61分"]
    values = [v for v, _ in figures_in("2013年以来累计投入资金6000多万元推进县乡村三级视频监控联网")]
    assert values == ["6000多万元"]


def test_related_reports_weight_rare_programmes(real_site):
    site, _ = real_site
    related = site.programme_index.related[PINGJIANG]
    order = [r.slug for r, _, _ in related]
    # 冷水滩 shares 百日会战 (two reports) where 湘西 shares 人民调解 (four): 冷水滩 ranks higher.
    assert order.index(LENGSHUITAN) < order.index(XIANGXI)
    shared = dict((r.slug, [p.name for p in ps]) for r, _, ps in related)
    assert shared[LENGSHUITAN][0] == "百日会战"  # the rarest shared programme is named first
    assert shared[LENGSHUITAN][-1] in ("网格化管理", "综治中心")


def test_by_report_counts_most_mentioned_first(real_site):
    site, _ = real_site
    listed = site.programme_index.by_report[LENGSHUITAN]
    assert listed[0][0].slug == "mindiao" and listed[0][1] == 9
    assert [c for _, c in listed] == sorted((c for _, c in listed), reverse=True)


# ---------------------------------------------------------------- the built pages


def page(site_dir: Path, url: str) -> str:
    return (site_dir / url).read_text(encoding="utf-8")


def test_report_pages_link_mentions(built_site):
    lst = page(built_site, f"reports/{LENGSHUITAN}.html")
    assert re.search(r'<a href="../programmes/mindiao.html" class="programme" title="民调：[^"]*" data-programme="mindiao">民调</a>', lst)
    assert '>“六进”走访</a>' in lst and 'href="../programmes/liujin-zoufang.html"' in lst
    assert 'data-programme="wulao-tiaojie">“五老”调解</a>' in lst
    assert 'data-programme="xueliang-gongcheng">“雪亮”工程</a>' in lst
    yanling = page(built_site, f"reports/{YANLING}.html")
    assert 'data-programme="fazhi-xuanchuan-liujin">法治宣传“六进”</a>' in yanling
    assert "liujin-zoufang" not in yanling
    jiaxian = page(built_site, f"reports/{JIAXIAN}.html")
    assert 'data-programme="wulao-tiaojie">“五老”调解</a>' in jiaxian
    for slug in ALL_FIVE - {LENGSHUITAN}:
        html = page(built_site, f"reports/{slug}.html")
        assert "programmes/mindiao.html\" class" not in html.split('<div class="body">', 1)[1].split("</article>")[0]
    for slug in ALL_FIVE:
        html = page(built_site, f"reports/{slug}.html")
        assert not re.search(r"人<a [^>]*>民调</a>解", html)


def test_programme_page_lists_reports_passages_and_figures(built_site):
    html = page(built_site, "programmes/xueliang-gongcheng.html")
    table = html.split('class="data reports-table"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'href="../reports/([^"]+)\.html"', table) == [PINGJIANG, LENGSHUITAN, XIANGXI, YANLING]
    assert "郏县" not in table
    assert '<mark>平安乡村·雪亮工程</mark>' in html and "<mark>“雪亮”工程</mark>" in html
    assert re.search(r'href="../reports/2018-lengshuitan.html#p\d+"', html)
    figures = html.split('class="data figures-table"', 1)[1].split("</table>", 1)[0]
    for value in ("近5000个", "约5万余个", "1200个"):
        assert f'<td class="num value">{value}</td>' in figures
    for slug in ("wanggehua-guanli", "zongzhi-zhongxin"):
        table = page(built_site, f"programmes/{slug}.html").split('class="data reports-table"', 1)[1].split("</table>", 1)[0]
        assert len(re.findall(r'href="../reports/', table)) == 5


def test_the_two_liujin_pages_quote_different_reports(built_site):
    pufa = page(built_site, "programmes/fazhi-xuanchuan-liujin.html")
    zoufang = page(built_site, "programmes/liujin-zoufang.html")
    assert "<mark>法治宣传“六进”</mark>活动" in pufa and LENGSHUITAN not in pufa.split("passages-all")[1]
    assert "<mark>“六进”走访</mark>活动月" in zoufang and YANLING not in zoufang.split("passages-all")[1]


def test_wulao_page_has_both_counties(built_site):
    html = page(built_site, "programmes/wulao-tiaojie.html")
    assert "<mark>“五老”调解</mark>矛盾纠纷制度" in html  # 郏县, written 郟县 in the source
    assert "村级<mark>“五老”调解</mark>模式" in html


def test_index_matrix_links_cells_to_passages(built_site):
    html = page(built_site, "programmes/index.html")
    matrix = html.split('<table class="matrix">', 1)[1].split("</table>", 1)[0]
    row = re.search(r'<tr>\s*<th scope="row"><a href="xueliang-gongcheng.html">雪亮工程</a></th>(.*?)</tr>', matrix, re.S).group(1)
    cells = re.findall(r'<td class="lv(\d)">(.*?)</td>', row, re.S)
    assert len(cells) == 5
    linked = re.findall(r'href="xueliang-gongcheng.html#r-([^"]+)"', row)
    assert sorted(linked) == sorted(ALL_FIVE - {JIAXIAN})
    assert sum(1 for level, body in cells if level == "0" and body.strip() == "") == 1  # 郏县
    grid = re.search(r'<th scope="row"><a href="wanggehua-guanli.html">网格化管理</a></th>(.*?)</tr>', matrix, re.S).group(1)
    assert '<td class="lv4"><a href="wanggehua-guanli.html#r-2018-xiangxi"' in grid  # 14 mentions, the most


# ---------------------------------------------------------------- validation and overrides


def add_front_matter(path: Path, lines: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\n" + lines, 1), encoding="utf-8")


def test_unknown_programme_in_a_report_is_an_error_with_its_line(project):
    add_front_matter(project / "content/reports/2018-lengshuitan.md", "programmes: [不存在的项目]\n")
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert "content/reports/2018-lengshuitan.md:2: programmes: names unknown programme '不存在的项目'" in result.stderr


def test_alias_claimed_twice_and_unknown_see_also_in_files(project):
    (project / "content/programmes/jiance.md").write_text(
        "---\nname: 民调测评\naliases:\n  - 民调\ncategory: 民意测评\nsee_also: [nowhere]\n---\n\n注释。\n", encoding="utf-8")
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert "content/programmes/jiance.md:3: alias '民调' is also claimed by programme 'mindiao'" in result.stderr
    assert "content/programmes/jiance.md:6: see_also names unknown programme 'nowhere'" in result.stderr


def test_unmentioned_programme_is_a_warning(project):
    (project / "content/programmes/qingfeng.md").write_text(
        "---\nname: 清风行动\ncategory: 专项行动\n---\n\n注释。\n", encoding="utf-8")
    result = run_cli("check", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "content/programmes/qingfeng.md:2: warning: no report mentions programme '清风行动'" in result.stderr


def test_front_matter_overrides_add_and_remove_programmes(project):
    add_front_matter(project / "content/reports/2018-lengshuitan.md", "programmes: [枫桥经验]\nnot_programmes: [mindiao]\n")
    out = project / "site"
    result = run_cli("--out", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    report = page(out, f"reports/{LENGSHUITAN}.html")
    assert "programmes/mindiao.html\" class=\"programme\"" not in report
    assert "no report mentions programme '民调'" in result.stderr
    fengqiao = page(out, "programmes/fengqiao-jingyan.html")
    table = fengqiao.split('class="data reports-table"', 1)[1].split("</table>", 1)[0]
    assert f"reports/{LENGSHUITAN}.html" in table and "编者标注" in table
    # the report's own list says the programme was added by the editors, not "0 处"
    mentioned = report.split('class="mentioned"', 1)[1].split("</section>", 1)[0]
    assert "枫桥经验</a> <span class=\"count\">编者标注</span>" in mentioned and "0 处" not in mentioned


# ---------------------------------------------------------------- discovery

SMALL_CORPUS = {
    "a.md": ("甲县", "2019", "今年开展“清风行动”，建立护学岗工作机制，推进“雪亮”工程建设。\n\n村级“五老”调解化解纠纷。\n"),
    "b.md": ("乙县", "2020", "乙县继续开展“清风行动”两次，并推出“红袖标”巡逻。\n"),
    "c.md": ("丙县", "2021", "丙县完善护学岗工作机制。\n\n::: note\n编者：“清风行动”另见甲县，“编者词”不算。\n:::\n"),
}


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Three reports and two programmes where the candidates are known."""
    shutil.copy(ROOT / "config.yml", tmp_path / "config.yml")
    (tmp_path / "content/reports").mkdir(parents=True)
    (tmp_path / "content/programmes").mkdir()
    for name, (county, date, body) in SMALL_CORPUS.items():
        (tmp_path / "content/reports" / name).write_text(
            f"---\ntitle: {county}报道\ncounty: {county}\ndate: '{date}'\nauthor: 记者\n---\n\n{body}", encoding="utf-8")
    (tmp_path / "content/programmes/xueliang.md").write_text(
        "---\nname: 雪亮工程\ncategory: 技防\n---\n\n注释。\n", encoding="utf-8")
    (tmp_path / "content/programmes/wulao.md").write_text(
        "---\nname: “五老”调解\ncategory: 矛盾调解\n---\n\n注释。\n", encoding="utf-8")
    return tmp_path


def test_suggest_finds_the_known_candidates(small_corpus):
    problems = Problems()
    content = load(BuildOptions(content_dir=small_corpus / "content", config_file=small_corpus / "config.yml"), problems)
    matcher = Matcher.from_registry(content.programmes, problems)
    got = [(c.term, c.kind, c.reports, c.count) for c in suggest(content.reports, matcher)]
    assert got == [("清风行动", "quoted", 2, 2), ("护学岗工作机制", "phrase", 2, 2), ("红袖标", "quoted", 1, 1)]


def test_suggest_command_prints_counts_and_context(small_corpus):
    result = run_cli("programmes", "--suggest", cwd=small_corpus)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3 个候选项目")
    assert re.search(r"^  1\. 清风行动.*引号  2 篇 2 次  content/reports/a\.md:8  今年开展【“清风行动”】，建立护学岗工作机制", lines[2])
    assert re.search(r"^  2\. 护学岗工作机制.*短语  2 篇 2 次  content/reports/a\.md:8 ", lines[3])
    assert "红袖标" in lines[4] and "b.md:8" in lines[4]
    limited = run_cli("programmes", "--suggest", "--limit", "1", cwd=small_corpus)
    assert len(limited.stdout.splitlines()) == 3


def test_suggest_reports_content_errors(small_corpus):
    (small_corpus / "content/programmes/bad.md").write_text("---\nname: 雪亮工程\ncategory: 技防\n---\n", encoding="utf-8")
    result = run_cli("programmes", "--suggest", cwd=small_corpus)
    assert result.returncode == 1
    assert "content/programmes/bad.md:2: alias '雪亮工程' is also claimed" in result.stderr


# ---------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FILLER = st.text(alphabet="，。、的和在开展推进建设工作1234（）", max_size=12)
MARKS = st.sampled_from(["", "“", "”", "·", "「", "⋅", "﹁"])  # archive/fold.py: transparent marks


@settings(max_examples=150, deadline=None)
@given(before=FILLER, after=FILLER, index=st.integers(0, len(REGISTRY) - 1), marks=st.lists(MARKS, min_size=8, max_size=8))
def test_any_registered_name_is_found_with_marks_inside_it(matcher, before, after, index, marks):
    entry = REGISTRY[index]
    name = entry.name.replace("“", "").replace("”", "")
    written = "".join(ch + marks[i % len(marks)] for i, ch in enumerate(name[:-1])) + name[-1]
    text = before + written + after
    spans = matcher.find(text)
    assert [s.programme for s in spans] == [entry.slug], (text, spans)
    span = spans[0]
    assert phrase(text[span.start:span.end]) == phrase(name)
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="人民调解综治雪亮工程五老六进走访法治宣传“”·，。", max_size=40))
def test_spans_are_ordered_disjoint_and_never_民调_inside_人民调解(matcher, text):
    spans = matcher.find(text)
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        if s.programme == "mindiao":
            assert "人民调解" not in phrase(text[max(0, s.start - 3):s.end + 3])

"""`build.py import`: raw texts in any of the encodings reports arrive in become draft pages, nothing lost or overwritten."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli

from archive.content import parse_report
from archive.frontmatter import read_document
from archive.errors import Problems
from archive.importer.decode import decode
from archive.importer.draft import infer
from archive.importer.verify import page_text, verify

SOURCES = ROOT / "content" / "sources"

# What the importer must find in each of the five real sources ("" = not in the text: left TODO).
FIVE = {
    "000_d25f3210d77c197c.txt": ("“六个一”创新社会管理 平江三年连续荣膺省级“平安县”", ["唐颖", "唐卉芳子"], "", "平江县", "岳阳市", "湖南省"),
    "001_693ce1763299c757.txt": ("构建“四大体系” 创建平安和谐湘西", ["向光旭", "田智"], "2018-12-05", "湘西土家族苗族自治州",
                                 "湘西土家族苗族自治州", "湖南省"),
    "002_281db6316cb39082.txt": ("着力实现“五新”转变 打造平安幸福郟县", ["卢拥军", "李梁崇"], "", "郏县", "平顶山市", "河南省"),
    "003_1741ed30133a9311.txt": ("推进“五治”融合 夯实基层治理基石", ["贺天鸿", "唐新春", "刘如荣"], "", "炎陵县", "株洲市", "湖南省"),
    "004_654c668dc2cca6bc.txt": ("全力打造“首善之区”——冷水滩区2017年政法工作纪实", ["吴林"], "", "冷水滩区", "永州市", "湖南省"),
}

# A report of our own making, from sentences of the 郏县 and 冷水滩 reports, with a caption splitting a paragraph.
OWN = """当前位置:首页 > 平安建设 > 正文

着力实现“五新”转变 打造平安幸福郏县

发布时间:2017-08-15 09:30 编辑:刘林霞

本报记者 卢拥军 通讯员 李梁崇

近年来,郏县县委、县政府在坚持发展是第一要务的同时,始终把平安建设作为维护社会大局稳定、保障人民安居乐业的民生工程来抓,实行平安建设“一把手”责任制。

主动防控风险,全力化解矛盾

该县积极建立县、乡两级群众诉求纠纷调解平台,实现群众诉求纠纷统一排查研判,统一受理,统一分流交办,统一归口调处;健全乡村两级和全县企事业单位人民调解委员会,明确分工,配备专



郏县县委书记韩宏亮一起查看平安建设工作情况(资料图片)

(兼)职人民调解员,负责开展辖区内、单位内民意收集、矛盾纠纷排查调处化解工作。

该县2013年以来累计投入资金6000多万元,已安装高清网络摄像头453个,结案率93.23%,形成“4+X”平安创建新模式,郏县平安建设工作受到表彰。

相关阅读

图文推荐
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """A raw source file as it might arrive."""
    path = tmp_path / "incoming" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """An empty content folder to import into."""
    root = tmp_path / "site-project"
    (root / "content" / "reports").mkdir(parents=True)
    shutil.copy(ROOT / "config.yml", root / "config.yml")
    return root


def import_(root: Path, *files: Path, force: bool = False):
    return run_cli("import", *map(str, files), *(["--force"] if force else []), cwd=root)


def front(page: Path) -> dict:
    return yaml.safe_load(page.read_text("utf-8").split("---\n")[1])


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- the five real sources


@pytest.mark.parametrize("name", sorted(FIVE))
def test_infers_the_metadata_of_the_five_sources(name: str) -> None:
    draft = infer(decode((SOURCES / name).read_bytes(), SOURCES / name).text)
    got = (draft.title, list(draft.authors), draft.date, draft.county, draft.prefecture, draft.province)
    assert got == FIVE[name]


def test_publication_and_editor_where_the_text_names_them() -> None:
    found = {}
    for name in FIVE:
        draft = infer(decode((SOURCES / name).read_bytes(), SOURCES / name).text)
        found[name[:3]] = (draft.publication, draft.editor)
    assert found["001"] == ("三湘综治网", "陈义")
    assert found["003"] == ("株洲日报", "")
    assert found["004"] == ("永州日报", "刘林霞")


def test_drafts_of_the_five_keep_every_sentence(content: Path) -> None:
    """The drafts pass the same fidelity check as the finished pages: debris, bylines and captions found as reviewed."""
    result = import_(content, *sorted(SOURCES.glob("*.txt")))
    assert result.returncode == 0, result.stderr
    pages = {front(p)["source_file"]: p for p in (content / "content" / "reports").glob("*.md")}
    assert len(pages) == 5
    for name, page in pages.items():
        assert verify(_report(page, content), (SOURCES / name).read_bytes()) == [], name
    # The drafts' records say what the reviewed records of the five pages say.
    reviewed = {front(p)["source_file"]: p for p in (ROOT / "content" / "reports").glob("*.md")}
    for name, page in pages.items():
        mine = page.with_name(page.stem + ".provenance.yml").read_text("utf-8")
        assert mine == reviewed[name].with_name(reviewed[name].stem + ".provenance.yml").read_text("utf-8"), name
    assert (content / "content" / "sources" / "000_d25f3210d77c197c.txt").read_bytes() == (SOURCES / "000_d25f3210d77c197c.txt").read_bytes()
    pingjiang = pages["000_d25f3210d77c197c.txt"].read_text("utf-8")
    assert "警务工作平台2个，整合基层综治力量" in pingjiang
    assert "::: figure\n平江县人民法院院长主审贩卖毒品案，全程网络直播\n:::" in pingjiang
    assert "## 构建一个体系 创新社会治安防控" in pingjiang
    # The undated ones say so, with the years the text mentions as a hint, and are listed on stdout.
    assert front(pages["000_d25f3210d77c197c.txt"])["date"].startswith("TODO")
    assert "TODO date" in result.stdout
    assert front(pages["001_693ce1763299c757.txt"])["date"] == "2018-12-05"
    assert pages["001_693ce1763299c757.txt"].name == "2018-xiangxi.md"


def _report(page: Path, root: Path):
    """The Report of a page under a content root (its record beside it)."""
    problems = Problems()
    doc = read_document(page, problems)
    assert doc is not None
    found = parse_report(doc, root / "content", problems)
    assert found is not None, [str(p) for p in problems.items]
    return found


def test_reimporting_the_repository_sources_changes_nothing(project: Path) -> None:
    before = snapshot(project / "content")
    result = import_(project, *sorted((project / "content" / "sources").glob("*.txt")))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("unchanged") == 5
    assert snapshot(project / "content") == before


# ---------------------------------------------------------------- encodings and punctuation


@pytest.mark.parametrize(
    "encoding,newline",
    [("gb18030", "\r\n"), ("gbk", "\n"), ("utf-16", "\r\n"), ("utf-16-be", "\n"), ("utf-8-sig", "\n"), ("utf-8", "\r")],
)
def test_encodings_and_line_endings(content: Path, tmp_path: Path, encoding: str, newline: str) -> None:
    text = OWN if encoding != "utf-16-be" else "\ufeff" + OWN  # utf-16-be writes no BOM by itself
    raw = write(tmp_path, "jiaxian.txt", text, encoding, newline)
    result = import_(content, raw)
    assert result.returncode == 0, result.stderr
    page = content / "content" / "reports" / "2017-jiaxian.md"
    meta = front(page)
    assert meta["title"] == "着力实现“五新”转变 打造平安幸福郏县"
    assert meta["author"] == ["卢拥军", "李梁崇"]
    assert meta["date"] == "2017-08-15"
    assert meta["county"] == "郏县"
    assert meta["editor"] == "刘林霞"
    assert meta["draft"] is True
    # The raw file is kept byte for byte; the page is UTF-8 with LF line endings.
    assert (content / "content" / "sources" / "jiaxian.txt").read_bytes() == raw.read_bytes()
    body = page.read_bytes().decode("utf-8")
    assert "\r" not in body and "\ufeff" not in body
    expected_name = {"gb18030": "GB18030", "gbk": "GB18030", "utf-16": "UTF-16", "utf-16-be": "UTF-16 BE", "utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8"}[encoding]
    assert expected_name in result.stdout
    assert {"\r\n": "CRLF", "\n": "LF", "\r": "CR"}[newline] + " line endings" in result.stdout


def test_caption_is_a_figure_and_the_split_paragraph_is_joined(content: Path, tmp_path: Path) -> None:
    result = import_(content, write(tmp_path, "jiaxian.txt", OWN))
    assert result.returncode == 0, result.stderr
    body = (content / "content" / "reports" / "2017-jiaxian.md").read_text("utf-8").split("---\n", 2)[2]
    joined = "明确分工，配备专（兼）职人民调解员，负责开展辖区内"
    figure = "::: figure\n郏县县委书记韩宏亮一起查看平安建设工作情况（资料图片）\n:::"
    assert joined in body and figure in body
    assert body.index(joined) < body.index(figure), "the caption follows the paragraph it split"
    assert "## 主动防控风险，全力化解矛盾" in body
    for debris in ("当前位置", "相关阅读", "图文推荐", "发布时间", "本报记者"):
        assert debris not in body
    # Numbers, percentages and Latin keep their ASCII characters.
    assert "2013年以来累计投入资金6000多万元" in body and "结案率93.23%" in body and "“4+X”" in body


def test_ascii_and_full_width_punctuation_give_the_same_draft(content: Path, tmp_path: Path) -> None:
    full = (
        OWN.replace("发布时间:2017-08-15 09:30 编辑:刘林霞", "发布时间：2017年8月15日　编辑：刘林霞")
        .replace("本报记者 卢拥军 通讯员 李梁崇", "记者：卢拥军，通讯员：李梁崇")
        .replace(",", "，").replace("(", "（").replace(")", "）")
    )
    ascii_ = OWN.replace("本报记者 卢拥军 通讯员 李梁崇", "记者:卢拥军,通讯员:李梁崇")
    a = infer(full)
    b = infer(ascii_)
    assert (a.title, a.authors, a.date, a.county, a.editor) == (b.title, b.authors, b.date, b.county, b.editor)
    assert list(a.authors) == ["卢拥军", "李梁崇"] and a.date == "2017-08-15"
    assert a.body == b.body


@pytest.mark.parametrize(
    "byline,names",
    [
        ("□唐颖 唐卉芳子", ["唐颖", "唐卉芳子"]),
        ("本报记者 卢拥军李梁崇", ["卢拥军", "李梁崇"]),  # run together after 记者
        ("记者/贺天鸿 通讯员/唐新春 刘如荣", ["贺天鸿", "唐新春", "刘如荣"]),
        ("作者:向光旭、田智", ["向光旭", "田智"]),
        ("记者 吴林 通讯员 田智", ["吴林", "田智"]),
        ("本报记者卢拥军 通讯员李梁崇", ["卢拥军", "李梁崇"]),
        ("记者 卢拥军 李梁崇 摄影 王五", ["卢拥军", "李梁崇"]),
    ],
)
def test_bylines(byline: str, names: list[str]) -> None:
    text = f"构建“四大体系” 创建平安和谐湘西\n\n{byline}\n\n湘西州深入贯彻新发展理念，湘西州委、州政府高度重视，湘西州积极创建“平安湘西”。\n"
    assert list(infer(text).authors) == names


# ---------------------------------------------------------------- what cannot be inferred


def test_missing_author_and_date_are_visible_todos(content: Path, tmp_path: Path) -> None:
    text = "\n".join(line for line in OWN.split("\n") if not line.startswith(("发布时间", "本报记者")))
    text = text.replace("2013年以来", "多年来")
    result = import_(content, write(tmp_path, "jiaxian.txt", text))
    assert result.returncode == 0, result.stderr
    page = content / "content" / "reports" / "undated-jiaxian.md"
    meta = front(page)
    assert meta["author"][0].startswith("TODO") and meta["date"].startswith("TODO") and meta["draft"] is True
    assert "TODO author" in result.stdout and "TODO date" in result.stdout
    # A draft with TODOs passes check (as warnings); published with them, it is an error at the key's line.
    check = run_cli("check", cwd=content)
    assert check.returncode == 0, check.stderr
    assert "undated-jiaxian.md" in check.stderr and "warning" in check.stderr
    page.write_text(page.read_text("utf-8").replace("draft: true\n", ""), "utf-8")
    check = run_cli("check", cwd=content)
    assert check.returncode == 1
    lines = page.read_text("utf-8").split("\n")
    date_line = next(i for i, line in enumerate(lines, 1) if line.startswith("date:"))
    assert f"content/reports/undated-jiaxian.md:{date_line}: 'date' is still" in check.stderr


# ---------------------------------------------------------------- bad input: clear error, nothing written


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("empty.txt", b"", "empty.txt:1: empty file"),
        ("blank.txt", b"\r\n  \n\n", "blank.txt:1: empty file"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4, "photo.txt:3: binary file"),
        ("noise.txt", bytes((i * 97 + 31) % 256 for i in range(4000)).replace(b"\x00", b"\x01"), "noise.txt:1: binary file or unknown encoding"),
    ],
)
def test_empty_and_binary_files_fail_and_write_nothing(content: Path, tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / "incoming" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    good = write(tmp_path, "jiaxian.txt", OWN)
    before = snapshot(content)
    result = import_(content, good, path)  # one bad file stops the whole batch
    assert result.returncode == 1
    assert message in result.stderr
    assert "nothing written" in result.stderr
    assert snapshot(content) == before


# ---------------------------------------------------------------- never lose an edit


def test_import_twice_changes_nothing(content: Path, tmp_path: Path) -> None:
    raw = write(tmp_path, "jiaxian.txt", OWN, "gb18030", "\r\n")
    assert import_(content, raw).returncode == 0
    before = snapshot(content)
    again = import_(content, raw)
    assert again.returncode == 0
    assert "unchanged" in again.stdout
    assert snapshot(content) == before


def test_no_overwrite_without_force(content: Path, tmp_path: Path) -> None:
    raw = write(tmp_path, "jiaxian.txt", OWN)
    assert import_(content, raw).returncode == 0
    page = content / "content" / "reports" / "2017-jiaxian.md"
    edited = page.read_text("utf-8").replace("draft: true\n", "date_note: 编辑核对过\n")
    page.write_text(edited, "utf-8")
    assert import_(content, raw).returncode == 0
    assert page.read_text("utf-8") == edited
    forced = import_(content, raw, force=True)
    assert forced.returncode == 0
    assert "date_note" not in page.read_text("utf-8") and "draft: true" in page.read_text("utf-8")


def test_same_slug_from_another_source_gets_its_own_page(content: Path, tmp_path: Path) -> None:
    assert import_(content, write(tmp_path, "a.txt", OWN)).returncode == 0
    first = (content / "content" / "reports" / "2017-jiaxian.md").read_bytes()
    other = OWN.replace("近年来,郏县县委", "多年来,郏县县委")
    assert import_(content, write(tmp_path, "b.txt", other)).returncode == 0
    assert (content / "content" / "reports" / "2017-jiaxian.md").read_bytes() == first
    assert front(content / "content" / "reports" / "2017-jiaxian-2.md")["source_file"] == "b.txt"


def test_a_different_file_under_a_kept_name_is_refused(content: Path, tmp_path: Path) -> None:
    assert import_(content, write(tmp_path, "jiaxian.txt", OWN)).returncode == 0
    before = snapshot(content)
    changed = write(tmp_path, "jiaxian.txt", OWN.replace("453个", "454个"))
    result = import_(content, changed)
    assert result.returncode == 1
    assert "jiaxian.txt:1: content/sources/jiaxian.txt already exists with different content" in result.stderr
    assert snapshot(content) == before


def test_two_new_sources_with_one_slug_in_one_run(content: Path, tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", OWN)
    b = write(tmp_path, "b.txt", OWN.replace("近年来,郏县县委", "多年来,郏县县委"))
    assert import_(content, a, b).returncode == 0
    reports = content / "content" / "reports"
    assert front(reports / "2017-jiaxian.md")["source_file"] == "a.txt"
    assert front(reports / "2017-jiaxian-2.md")["source_file"] == "b.txt"


def test_a_mid_text_line_mentioning_a_reporter_stays_in_the_body() -> None:
    lines = OWN.split("\n")
    at = lines.index("主动防控风险,全力化解矛盾")
    text = "\n".join(lines[:at] + ["记者手记", "", "记者观察：平安建设的郏县经验", ""] + lines[at:])
    draft = infer(text)
    assert list(draft.authors) == ["卢拥军", "李梁崇"]
    assert "## 记者手记" in draft.body and "## 记者观察：平安建设的郏县经验" in draft.body


def test_the_same_bytes_under_another_name_are_recognised(content: Path, tmp_path: Path) -> None:
    assert import_(content, write(tmp_path, "jiaxian.txt", OWN)).returncode == 0
    before = snapshot(content)
    renamed = write(tmp_path, "jiaxian-copy.txt", OWN)
    result = import_(content, renamed)
    assert result.returncode == 0
    assert "unchanged" in result.stdout and "content/sources/jiaxian.txt" in result.stdout
    assert snapshot(content) == before


def _hard_wrap(text: str, fits) -> str:
    """Break every line where it stops fitting, as a text copied from a fixed-width window would be."""
    out: list[str] = []
    for line in text.split("\n"):
        current = ""
        for ch in line:
            if current and not fits(current + ch):
                out.append(current)
                current = ""
            current += ch
        out.append(current)
    return "\n".join(out)


def _cols(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@pytest.mark.parametrize(
    "name,fits",
    [("000_d25f3210d77c197c.txt", lambda s: _cols(s) <= 72), ("004_654c668dc2cca6bc.txt", lambda s: len(s) <= 36)],
    ids=["72-columns", "36-characters"],
)
def test_hard_wrapped_lines_are_joined_again(content: Path, tmp_path: Path, name: str, fits) -> None:
    wrapped = _hard_wrap((SOURCES / name).read_text("utf-8"), fits).encode("utf-8")
    raw = tmp_path / "incoming" / name
    raw.parent.mkdir(parents=True)
    raw.write_bytes(wrapped)
    assert len(wrapped.splitlines()) > len((SOURCES / name).read_bytes().splitlines()) + 20
    result = import_(content, raw)
    assert result.returncode == 0, result.stderr
    page = next((content / "content" / "reports").glob("*.md"))
    assert verify(_report(page, content), wrapped) == []
    # Whole paragraphs, not one per wrapped line: as many blocks as the unwrapped source gives.
    unwrapped = infer(decode((SOURCES / name).read_bytes(), raw).text)
    body = page.read_text("utf-8").split("---\n", 2)[2]
    assert [b for _, b in page_text(body).blocks] == [b for _, b in page_text(unwrapped.body).blocks]

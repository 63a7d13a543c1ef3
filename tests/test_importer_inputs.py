"""Saved pages and bad inputs at the command line: clean drafts, or `path:line: message`, exit 1 and nothing written."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli

from archive.content import parse_report
from archive.frontmatter import read_document
from archive.errors import Problems
from archive.gazetteer import county_warning, load
from archive.importer.verify import verify

FIXTURES = Path(__file__).parent / "fixtures" / "import"
NAV_ONLY = """<html><head><meta charset="utf-8"><title>平安建设_某某县人民政府</title></head><body>
<ul><li><a href="/">首页</a></li><li><a href="/a">政务公开</a></li><li><a href="/b">办事服务</a></li></ul>
<ul><li><a href="/1.html">某县召开平安建设会议</a></li><li><a href="/2.html">某县开展禁毒宣传</a></li></ul>
<div>版权所有 某某县人民政府 ICP备00000000号</div></body></html>
"""
BAD = [
    ("empty.html", b"", "empty.html:1: empty file"),
    ("photo.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "photo.html:3: binary file"),
    ("cut.html", "<html><head><meta charset='utf-8'><title>叶县平安建设</title></head>\n<body><div class='nav'>首页</div>\n"
     "<h1>叶县平安建设</h1>\n<p>今年以来，叶县坚持".encode(), "cut.html:4: truncated web page"),
    ("menu.html", NAV_ONLY.encode(), "menu.html:1: no article found in this web page"),
    ("klingon.html", "<html><head>\n<meta charset=\"x-klingon\"></head><body><p>叶县</p></body></html>".encode(),
     "klingon.html:2: unknown encoding 'x-klingon'"),
    ("report.docx", b"PK\x03\x04 a word file", ("report.docx:1: cannot import a .docx file: the importer reads plain "
                                                "text (.txt) or a saved web page (.html, .htm, .shtml, .xhtml)")),
]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """An empty project to import into."""
    root = tmp_path / "project"
    (root / "content" / "reports").mkdir(parents=True)
    shutil.copy(ROOT / "config.yml", root / "config.yml")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name,data,message", BAD, ids=[b[0] for b in BAD])
def test_bad_inputs_stop_the_import(content: Path, tmp_path: Path, name: str, data: bytes, message: str) -> None:
    bad = tmp_path / "incoming" / name
    bad.parent.mkdir()
    bad.write_bytes(data)
    before = snapshot(content)
    result = run_cli("import", str(FIXTURES / "t01-yexian.txt"), str(bad), cwd=content)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert "nothing written" in result.stderr
    assert snapshot(content) == before


def test_a_saved_page_is_kept_byte_for_byte_and_drafted(content: Path) -> None:
    page = FIXTURES / "h01-lushan-gb2312.html"
    result = run_cli("import", str(page), cwd=content)
    assert result.returncode == 0, result.stderr
    assert "GB2312 (declared)" in result.stdout
    assert (content / "content" / "sources" / page.name).read_bytes() == page.read_bytes()
    drafted = content / "content" / "reports" / "2022-lushan.md"
    meta = yaml.safe_load(drafted.read_text("utf-8").split("---\n")[1])
    assert meta["source_url"] == "http://www.lushan.example.gov.cn/2022/03/16/content_88123.html"
    assert meta["retrieved"] and meta["draft"] is True
    record = (content / "content" / "reports" / "2022-lushan.provenance.yml").read_text("utf-8")
    assert "豫ICP备05012345号" in record and "to: title" in record


def _finish(page: Path) -> None:
    """What an editor does to a draft: fill in the TODOs, add a summary, delete draft: true."""
    text = page.read_text("utf-8").replace("draft: true\n", "summary: 编辑写的摘要。\n")
    page.write_text(text, "utf-8")


def test_a_finished_import_proves_and_one_changed_character_fails(content: Path) -> None:
    source = FIXTURES / "h07-yizhang.html"
    assert run_cli("import", str(source), cwd=content).returncode == 0
    page = content / "content" / "reports" / "2020-yizhang.md"
    _finish(page)
    check = run_cli("check", cwd=content)
    assert check.returncode == 0, check.stderr

    def problems() -> list[str]:
        found = Problems()
        report = parse_report(read_document(page, found), content / "content", found)  # type: ignore[arg-type]
        assert report is not None, [str(p) for p in found.items]
        return [str(p) for p in verify(report, source.read_bytes())]

    assert problems() == []
    page.write_text(page.read_text("utf-8").replace("破获跨省案件46起", "破获跨省案件48起"), "utf-8")
    found = problems()
    assert found and found[0].startswith(str(page)) and "46" in found[0] and "48" in found[0]


def test_gazetteer_has_every_county_with_codes_and_most_with_coordinates() -> None:
    gz = load()
    counties = [d for d in gz.divisions if d.level == "county"]
    assert len(counties) > 2800
    assert all(len(d.code) == 6 and d.province for d in counties)
    assert sum(d.longitude is not None for d in counties) / len(counties) > 0.97
    assert gz.county("叶县") is not None and gz.county("叶县").prefecture == "平顶山市"  # type: ignore[union-attr]
    assert [d.name for d in gz.lookup("邓州")] == ["邓州市"]
    assert [d.name for d in gz.lookup("横县")] == ["横州市"]
    assert {d.prefecture for d in gz.lookup("鼓楼区")} >= {"南京市", "福州市", "徐州市"}
    assert gz.nearest("冷水滩县") == "冷水滩区"
    assert county_warning("郏县") == "" and "today it is '横州市'" in county_warning("横县")
    assert "nearest: '冷水滩区'" in county_warning("冷水滩县")

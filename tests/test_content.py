"""`build.py check` and the build: every content problem reported as path:line in one run; a failed build keeps the old site."""
from __future__ import annotations

from pathlib import Path

from conftest import ROOT, run_cli

GOOD = """---
title: 着力实现“五新”转变 打造平安幸福郟县
county: 郏县
date: 2017
author: [卢拥军, 李梁崇]
---

近年来，郟县扎实开展社会治安综合治理工作，公众安全感和执法满意度全省排名逐年提升。
"""

# Each broken page, and the line (1-based) its problem must be reported at.
BROKEN = {
    # An unclosed "[" on line 3 is noticed on line 4; the message says where it opened.
    "bad-yaml.md": (GOOD.replace("county: 郏县", "county: [郏县"), 4, "invalid YAML in front matter: expected ',' or ']', but got ':' (while parsing a flow sequence opened on line 3)"),
    "no-county.md": (GOOD.replace("county: 郏县\n", ""), 2, "missing required key 'county'"),
    "bad-date.md": (GOOD.replace("date: 2017", "date: 2017-13"), 4, "2017-13"),
    "number-author.md": (GOOD.replace("author: [卢拥军, 李梁崇]", "author: 2017"), 5, "'author' must be a name"),
    "dup-slug.md": (GOOD.replace("date: 2017\n", "date: 2017\nslug: 2017-pingjiang\n"), 5, "duplicate report slug '2017-pingjiang'"),
}


def break_content(project: Path) -> dict[str, tuple[int, str]]:
    """Add the broken pages to a copy of the content; return where each problem must be reported."""
    reports = project / "content" / "reports"
    expected: dict[str, tuple[int, str]] = {}
    for name, (text, line, message) in BROKEN.items():
        (reports / name).write_text(text, "utf-8")
        expected[name] = (line, message)
    # Non-UTF-8: the same page saved as GBK; the first non-ASCII byte is on line 2.
    (reports / "gbk.md").write_bytes(GOOD.encode("gbk"))
    expected["gbk.md"] = (2, "not UTF-8")
    return expected


def test_check_passes_on_the_repository() -> None:
    result = run_cli("check", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout


def test_check_reports_every_broken_page_with_file_and_line(project: Path) -> None:
    expected = break_content(project)
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": warning: " not in line]
    for name, (line, message) in expected.items():
        where = f"content/reports/{name}:{line}: "
        assert any(e.startswith(where) and message in e for e in errors), f"no {where}…{message} in:\n{result.stderr}"
    # Six broken pages, each reported; the good pages are not blamed.
    blamed = {e.split(":")[0] for e in errors}
    assert blamed == {f"content/reports/{name}" for name in expected}
    assert f"{len(errors)} error(s)" in result.stdout


def test_the_good_page_alone_passes(project: Path) -> None:
    (project / "content" / "reports" / "good.md").write_text(GOOD, "utf-8")
    result = run_cli("check", cwd=project)
    assert result.returncode == 0, result.stderr


def test_failed_build_leaves_the_previous_site_untouched(project: Path) -> None:
    out = project / "site"
    first = run_cli("--out", str(out), cwd=project)
    assert first.returncode == 0, first.stderr
    before = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert Path("reports/2017-pingjiang.html") in before

    break_content(project)
    # Also change a good page, so a partial write would show.
    page = project / "content" / "reports" / "2017-pingjiang.md"
    page.write_text(page.read_text("utf-8").replace("近年来，平江县", "近几年，平江县"), "utf-8")
    second = run_cli("--out", str(out), cwd=project)
    assert second.returncode == 1
    assert "content/reports/bad-date.md:4:" in second.stderr
    after = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert after == before
    assert not [p for p in project.iterdir() if p.name.startswith(".site") or (p.name.startswith("site") and p.name != "site")], "no temp output left behind"


def test_editor_lock_and_hidden_files_are_not_pages(project: Path) -> None:
    """An emacs lock file or a hidden copy beside a page must not break the build or become a page."""
    reports = project / "content" / "reports"
    (reports / ".#2017-pingjiang.md").write_text("root@host.1234:1700000000", "utf-8")
    (reports / ".2017-jiaxian.md").write_bytes(b"\xff\xfe not a page")
    result = run_cli("check", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout

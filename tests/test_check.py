"""`build.py check` proves an imported report against its raw source, with nothing under tests/ to edit."""
from __future__ import annotations

from pathlib import Path

from conftest import ROOT, run_cli

FIXTURE = ROOT / "tests" / "fixtures" / "import" / "t01-yexian.txt"


def _import_and_finish(project: Path) -> Path:
    """Import a saved text as an editor would, then finish the page: delete `draft: true`."""
    imported = run_cli("import", str(FIXTURE), cwd=project)
    assert imported.returncode == 0, imported.stderr
    page = project / "content" / "reports" / "2020-yexian.md"
    page.write_text(page.read_text("utf-8").replace("draft: true\n", ""), "utf-8")
    return page


def test_a_finished_import_passes_check(project: Path) -> None:
    _import_and_finish(project)
    result = run_cli("check", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stdout


def test_one_changed_character_in_the_body_fails_check_naming_the_page(project: Path) -> None:
    page = _import_and_finish(project)
    text = page.read_text("utf-8")
    assert "化解1271起" in text
    page.write_text(text.replace("化解1271起", "化解1276起"), "utf-8")
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert "content/reports/2020-yexian.md:" in result.stderr
    assert "differs from its source" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_dropped_sentence_fails_check(project: Path) -> None:
    page = _import_and_finish(project)
    text = page.read_text("utf-8")
    sentence = "“以前遇事只能往县城跑，现在家门口就能说理。”这位村民说。"
    assert sentence in text
    page.write_text(text.replace(sentence, ""), "utf-8")
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert "content/reports/2020-yexian.md:" in result.stderr


def test_a_county_not_in_the_gazetteer_is_a_warning_naming_the_nearest(project: Path) -> None:
    page = project / "content" / "reports" / "2017-pingjiang.md"
    page.write_text(page.read_text("utf-8").replace("county: 平江县\n", "county: 平江乡\n", 1), "utf-8")
    result = run_cli("check", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "content/reports/2017-pingjiang.md:3: warning: county '平江乡' is not in the gazetteer" in result.stderr
    assert "nearest: '平江县'" in result.stderr

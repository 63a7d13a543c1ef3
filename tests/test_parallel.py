"""A full build shared between processes: the same bytes as a serial build, the same errors, small sites serial."""
from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archive import executor
from archive.build import BuildOptions, build
from archive.errors import BuildError, Problem
from conftest import ROOT, run_cli

MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
needs_corpus = pytest.mark.skipif(not MAKE_CORPUS.exists(), reason="corpus generator not available")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The real reports, programmes and layouts plus 60 synthetic reports: big enough to go parallel."""
    root = tmp_path_factory.mktemp("parallel")
    for name in ("content", "layouts"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "config.yml", root / "config.yml")
    subprocess.run([sys.executable, str(MAKE_CORPUS), "60", str(root / "content/reports")], check=True, capture_output=True)
    return root


def options(root: Path, out: str, jobs: int | None = None) -> BuildOptions:
    """Build options for a project folder."""
    return BuildOptions(content_dir=root / "content", layouts_dir=root / "layouts", config_file=root / "config.yml",
                        out_dir=root / out, jobs=jobs)


def differences(a: Path, b: Path) -> list[str]:
    """Files that differ or exist on one side only, recursively."""
    cmp = filecmp.dircmp(a, b)
    out = [f"{a}/{n}" for n in cmp.left_only + cmp.right_only + cmp.funny_files]
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    out += [f"{a}/{n}" for n in mismatch + errors]
    for sub in cmp.common_dirs:
        out += differences(a / sub, b / sub)
    return out


def spy_on_share(monkeypatch) -> list[int]:
    """Record how many processes each shared step used (the real ForkedExecutor.start still runs)."""
    calls: list[int] = []
    real = executor.ForkedExecutor.start

    def share(self, fn, items):
        calls.append(self.jobs)
        return real(self, fn, items)

    monkeypatch.setattr(executor.ForkedExecutor, "start", share)
    return calls


@needs_corpus
def test_a_parallel_build_writes_the_same_bytes_as_a_serial_one(project: Path, monkeypatch):
    build(options(project, "serial", 1))
    calls = spy_on_share(monkeypatch)
    site, files, _ = build(options(project, "parallel", 2))
    # bodies, programme findings and search terms; the index's runs (meanwhile this process analyses); the pages
    # (meanwhile it joins the runs); then writing the files
    assert calls == [2, 2, 2, 2]
    assert len(site.reports) == 65
    assert differences(project / "serial", project / "parallel") == []
    built = {p.relative_to(project / "parallel").as_posix() for p in (project / "parallel").rglob("*") if p.is_file()}
    assert built == {f.path for f in files}
    # the search index numbers the reports as the site lists them, programme field included
    assert (project / "parallel/assets/search/doc-64.js").read_bytes() == (project / "serial/assets/search/doc-64.js").read_bytes()
    page = (project / "parallel/reports/2017-pingjiang.html").read_text(encoding="utf-8")
    assert "平江" in page


def break_report_pages(root: Path, condition: str) -> int:
    """Make layouts/report.html fail for the reports matching a Jinja condition; the line of the error."""
    path = root / "layouts/report.html"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "{% block content %}" in line)
    lines.insert(at + 1, f"{{% if {condition} %}}{{{{ report.no_such_field }}}}{{% endif %}}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return at + 2


@needs_corpus
@pytest.mark.parametrize("condition", ["true", "report.county == '平江县'"])
def test_an_error_in_a_worker_is_the_serial_builds_error_and_the_old_site_stays(project: Path, tmp_path: Path, condition: str):
    root = tmp_path / "broken"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns("serial", "parallel"))
    assert run_cli("--out", "site", "--jobs", "2", cwd=root).returncode == 0
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    line = break_report_pages(root, condition)

    serial = run_cli("--out", "site", "--jobs", "1", cwd=root)
    shared = run_cli("--out", "site", "--jobs", "2", cwd=root)
    assert serial.returncode == shared.returncode == 1
    assert f"layouts/report.html:{line}: " in shared.stderr and "(rendering reports/" in shared.stderr
    assert shared.stderr == serial.stderr  # the first page in the site's order that fails, whichever process met it
    assert "site left as it was" in shared.stderr
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_the_real_reports_build_in_one_process(tmp_path: Path, monkeypatch):
    calls = spy_on_share(monkeypatch)
    monkeypatch.delenv("ARCHIVE_JOBS", raising=False)
    site, _, _ = build(BuildOptions(content_dir=ROOT / "content", layouts_dir=ROOT / "layouts",
                                    config_file=ROOT / "config.yml", out_dir=tmp_path / "site"))
    assert len(site.reports) == 5
    assert calls == []
    assert executor.jobs(None, len(site.reports)) == 1
    assert executor.jobs(1, 10_000) == 1  # --jobs 1 forces a serial build


def test_jobs_from_the_environment(monkeypatch):
    monkeypatch.setenv("ARCHIVE_JOBS", "1")
    assert executor.jobs(None, 10_000) == 1
    monkeypatch.setenv("ARCHIVE_JOBS", "3")
    assert executor.jobs(None, 5) == 3
    assert executor.jobs(2, 5) == 2  # the command line wins


def test_an_error_raised_in_a_forked_process_reaches_the_caller():
    def task(i: int) -> int:
        if i >= 7:
            raise BuildError([Problem("content/reports/2017-pingjiang.md", i, "题目不能为空")])
        return i

    with pytest.raises(BuildError) as raised:
        executor.ForkedExecutor(2).map(task, list(range(40)))
    # the problems themselves, not their text; and the first error in the items' order, as a serial run meets it
    assert raised.value.problems == [Problem("content/reports/2017-pingjiang.md", 7, "题目不能为空")]
    assert str(raised.value) == "content/reports/2017-pingjiang.md:7: 题目不能为空"


def test_every_item_is_done_once_in_another_process_and_comes_back_in_order():
    reports = sorted((ROOT / "content/reports").glob("*.md"))

    def task(i: int) -> tuple[int, int, int]:
        # each process reads the reports it takes (real work)
        return i, len(reports[i % len(reports)].read_text(encoding="utf-8")), os.getpid()

    results = executor.ForkedExecutor(3).map(task, list(range(300)))
    assert [r[:2] for r in results] == [r[:2] for r in executor.SerialExecutor().map(task, list(range(300)))]
    assert os.getpid() not in {pid for _, _, pid in results}
    assert executor.chunks(300, 3) == [(25 * i, 25 * (i + 1)) for i in range(12)]


def test_a_build_over_the_last_one_links_what_did_not_change(project: Path, tmp_path: Path):
    root = tmp_path / "again"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns("serial", "parallel"))
    for jobs in ("1", "2"):
        assert run_cli("--out", "site", "--jobs", jobs, cwd=root).returncode == 0
    page = root / "site/reports/2017-pingjiang.html"
    catalog = root / "site/catalog.json"
    report = root / "content/reports/2017-pingjiang.md"
    # a page changed by hand in the old site, a symlink put there, and one report edited
    page.write_text("编者手改", encoding="utf-8")
    (root / "outside.html").write_bytes((root / "site/counties/平江县.html").read_bytes())
    (root / "site/counties/平江县.html").unlink()
    (root / "site/counties/平江县.html").symlink_to(root / "outside.html")
    report.write_text(report.read_text(encoding="utf-8").replace("平江县", "平江县", 1) + "\n编者补记：核对了数据来源。\n",
                      encoding="utf-8")
    css = root / "site/assets/css/site.css"
    for jobs in ("2", "1"):
        unchanged = css.stat()
        assert run_cli("--out", "site", "--jobs", jobs, cwd=root).returncode == 0
        # a file the build would write again byte for byte keeps its inode and time (rsync and caches see no change)
        assert (css.stat().st_ino, css.stat().st_mtime_ns) == (unchanged.st_ino, unchanged.st_mtime_ns)
        assert run_cli("--out", "fresh", "--jobs", "1", cwd=root).returncode == 0
        assert differences(root / "fresh", root / "site") == []
        assert "核对了数据来源" in page.read_text(encoding="utf-8")
        assert not (root / "site/counties/平江县.html").is_symlink()
        assert all(p.stat().st_nlink == 1 for p in (root / "site").rglob("*") if p.is_file())
        assert catalog.stat().st_nlink == 1 and (root / "outside.html").stat().st_nlink == 1
        shutil.rmtree(root / "fresh")
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []

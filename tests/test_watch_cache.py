"""The watch session's memo on its own: per-report results, pages by key, files by bytes."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from archive.content import PartialDate, Programme, Report
from archive.errors import Problems
from archive.executor import SerialExecutor
from archive.memo import Memo
from archive.output import OutputFile
from archive.process import process_report
from archive.programmes import Matcher
from archive.pages import Page
from archive.search import build_index, index_runs, report_terms


def report(**changes) -> Report:
    base = Report(path=Path("content/reports/2017-pingjiang.md"), slug="2017-pingjiang", title="平江县扎实推进平安建设",
                  county="平江县", date=PartialDate(2017, 7), authors=["唐颖"], body="全县建成“雪亮工程”监控点位。",
                  body_line=9)
    return dataclasses.replace(base, **changes)


def registry(*aliases: str) -> Matcher:
    programme = Programme(path=Path("content/programmes/xueliang-gongcheng.md"), slug="xueliang-gongcheng",
                          name="雪亮工程", aliases=list(aliases), category="技防", body="", body_line=5)
    return Matcher.from_registry([programme], Problems())


def test_the_per_report_step_runs_again_only_for_a_changed_report_or_registry() -> None:
    memo = Memo()
    done: list[str] = []

    def step(reports: list[Report], matcher: Matcher) -> dict:
        def compute(todo: list[Report]) -> list:
            done.extend(r.slug for r in todo)
            return [process_report(r, matcher) for r in todo]
        memo.start(full=False)
        return memo.processed(reports, matcher, compute)

    other = report(path=Path("content/reports/2018-yanling.md"), slug="2018-yanling", title="炎陵县综治中心实体化运行")
    first = step([report(), other], registry())
    assert done == ["2017-pingjiang", "2018-yanling"] and 'href="../programmes/xueliang-gongcheng.html"' in first[
        "2017-pingjiang"].body.html
    # The same content read again (new objects): nothing is processed again, the results are the last build's.
    again = step([report(), dataclasses.replace(other)], registry())
    assert done == ["2017-pingjiang", "2018-yanling"] and again["2018-yanling"] is first["2018-yanling"]
    assert (memo.stats.reports_processed, memo.stats.reports_reused) == (0, 2)
    # One report edited: only it.
    edited = step([report(body="全县新建监控点位两千个。"), other], registry())
    assert done[2:] == ["2017-pingjiang"] and edited["2018-yanling"] is first["2018-yanling"]
    assert "两千个" in edited["2017-pingjiang"].body.html
    # The registry changed (a new alias): every report, since any of them may now mention it.
    step([report(body="全县新建监控点位两千个。"), other], registry("天网工程"))
    assert done[3:] == ["2017-pingjiang", "2018-yanling"]


def test_a_search_index_run_is_assembled_again_only_when_one_of_its_reports_changed() -> None:
    memo = Memo()
    counties = ["平江县", "炎陵县", "郏县", "叶县", "宜章县"]
    reports = [report(slug=f"r{i}", county=county, body=f"{county}全县建成“雪亮工程”监控点位{i}个。")
               for i, county in enumerate(counties)]
    done: list[int] = []

    class Counting:
        """The memo, noting which runs it had assembled."""

        def rows(self, first: int, run: tuple, compute) -> object:
            return memo.rows(first, run, lambda f, r: done.append(f) or compute(f, r))

    def step(terms: list) -> object:
        memo.start(full=False)
        index = build_index(terms, runs=index_runs(terms, SerialExecutor(), Counting(), run=2)())
        memo.finish()
        assert index == build_index(terms, run=2)  # what a build without the memo assembles
        return index

    terms = [report_terms(r, None, []) for r in reports]
    step(terms)
    assert done == [0, 2, 4]
    step([report_terms(r, None, []) for r in reports])  # read again, equal: every run kept
    assert done == [0, 2, 4]
    reports[3] = report(slug="r3", county="叶县", body="叶县综治中心实体化运行。")
    index = step([report_terms(r, None, []) for r in reports])
    assert done == [0, 2, 4, 2]  # only the run holding the edited report
    assert "综治" in index.postings and "雪亮" in index.postings
    # A report added at the front moves every document number: every run again.
    step([report_terms(report(slug="r9", body="宜章县雪亮工程。"), None, [])] + [report_terms(r, None, []) for r in reports])
    assert done[4:] == [0, 2, 4]


def test_related_reports_are_worked_out_again_only_when_what_they_rest_on_changed(monkeypatch) -> None:
    # related() asks the memo for the last result while the reports' order, programmes and weights are equal
    from archive.programmes import related as related_module
    picked: list[int] = []
    real = related_module.related_slugs
    monkeypatch.setattr(related_module, "related_slugs", lambda *a: picked.append(1) or real(*a))
    memo = Memo()
    xueliang, wangge = (Programme(path=Path(f"content/programmes/{s}.md"), slug=s, name=n, aliases=[], category="技防",
                                  body="", body_line=5) for s, n in (("xueliang", "雪亮工程"), ("wangge", "网格化管理")))
    programmes = {p.slug: p for p in (xueliang, wangge)}
    reports = [report(slug=f"r{n}", date=PartialDate(2017, n + 1)) for n in range(4)]
    sets = {"r0": frozenset({"xueliang"}), "r1": frozenset({"xueliang", "wangge"}), "r2": frozenset({"wangge"}),
            "r3": frozenset({"xueliang"})}
    idf = {"xueliang": 0.2, "wangge": 0.5}

    def related(reports: list[Report], sets: dict) -> dict:
        return related_module.related(reports, sets, idf, programmes, memo)

    first = related(reports, sets)
    assert [r.slug for r, _, _ in first["r0"]] == ["r3", "r1"] and picked == [1]
    # a body edited (the same slugs, dates and programmes): the same pairs, shown with the new report
    edited = [dataclasses.replace(reports[0], body="全县新建监控点位两千个。"), *reports[1:]]
    again = related(edited, dict(sets))
    assert picked == [1] and [r.slug for r, _, _ in again["r0"]] == ["r3", "r1"]
    assert any(r is edited[0] for r, _, _ in again["r3"])
    # r0 now also mentions 网格化管理: worked out again, and r1 (sharing both) comes first
    changed = related(edited, {**sets, "r0": frozenset({"xueliang", "wangge"})})
    assert picked == [1, 1] and [r.slug for r, _, _ in changed["r0"]] == ["r1", "r2", "r3"]


def page(url: str, version: str, text: str = "") -> Page:
    """A page whose key changes with version (its context shows it)."""
    return Page(url, "report.html", {"text": text or url, "version": version})


def test_a_page_is_rendered_again_only_when_its_key_changed() -> None:
    memo = Memo()
    rendered: list[str] = []

    def render(pages: list[Page], full: bool = False) -> list[OutputFile]:
        def compute(todo: list[Page]) -> list[OutputFile]:
            rendered.extend(p.url for p in todo)
            return [OutputFile(p.url, p.context["text"].encode(), p.template) for p in todo]
        memo.start(full=full)
        return memo.pages(pages, compute)

    first = [page("reports/a.html", "a1"), page("reports/b.html", "b1")]
    assert [f.path for f in render(first)] == ["reports/a.html", "reports/b.html"]
    assert rendered == ["reports/a.html", "reports/b.html"]
    # b's key changed and a page is new: those two only, the files in the pages' order
    files = render([page("reports/a.html", "a1"), page("reports/c.html", "c1"), page("reports/b.html", "b2", "新")])
    assert rendered[2:] == ["reports/c.html", "reports/b.html"]
    assert [f.data for f in files] == [b"reports/a.html", b"reports/c.html", "新".encode()]
    assert (memo.stats.pages_rendered, memo.stats.pages_reused) == (2, 1)
    # a page no longer made is forgotten: made again later, it is rendered again
    render([page("reports/a.html", "a1")])
    render([page("reports/a.html", "a1"), page("reports/c.html", "c1")])
    assert rendered[4:] == ["reports/c.html"]
    # a layout or the config changed: everything again
    render([page("reports/a.html", "a1"), page("reports/c.html", "c1")], full=True)
    assert rendered[5:] == ["reports/a.html", "reports/c.html"]


def test_only_files_whose_bytes_changed_are_written_and_files_no_longer_made_are_deleted(tmp_path: Path) -> None:
    memo, out = Memo(), tmp_path / "site"
    stale = out / "old/gone.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("上一次会话留下的", encoding="utf-8")

    def publish(files: list[OutputFile]) -> tuple[list[str], list[str]]:
        memo.start(full=False)
        memo.published.sync(files, out)
        memo.finish()
        return memo.stats.written, memo.stats.deleted

    files = [OutputFile("index.html", "首页".encode()), OutputFile("reports/a.html", b"a")]
    assert publish(files) == (["index.html", "reports/a.html"], ["old/gone.html"])
    assert not (out / "old").exists()
    kept = (out / "index.html").stat().st_mtime_ns
    assert publish([files[0], OutputFile("reports/a.html", b"a2")]) == (["reports/a.html"], [])
    assert (out / "index.html").stat().st_mtime_ns == kept and (out / "reports/a.html").read_bytes() == b"a2"
    assert publish([files[0]]) == ([], ["reports/a.html"])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["index.html"]

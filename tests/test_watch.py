"""The watcher on a private copy of the content: edits, additions, deletions, broken edits and layout changes."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archive.build import BuildOptions, build
from archive.serve import Running

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
DEADLINE = 60.0  # seconds; generous because two cores are shared by the whole team


class LiveSite:
    """A running watch session (with server) over a project folder, and ways to wait on it."""

    def __init__(self, running: Running, project: Path, lines: list[str]) -> None:
        self.running = running
        self.project = project
        self.lines = lines
        self.out = running.session.options.out_dir

    @property
    def session(self):
        return self.running.session

    @property
    def epoch(self) -> int:
        """How many builds (good or failed) have finished."""
        return self.session.live.epoch

    def wait_build(self, after: int) -> str:
        """Wait until a build newer than epoch `after` finished; return its summary line."""
        wait_until(lambda: self.epoch > after, f"no rebuild after epoch {after}; log: {self.lines[-5:]}")
        return self.lines[-1]

    def write(self, relative: str, text: str) -> int:
        """Write a project file; return the epoch before the write."""
        before = self.epoch
        (self.project / relative).write_text(text, encoding="utf-8")
        return before

    def page(self, relative: str) -> str:
        """A built file's text."""
        return (self.out / relative).read_text(encoding="utf-8")

    def mtimes(self) -> dict[str, int]:
        """Every output file's modification time in nanoseconds."""
        return {p.relative_to(self.out).as_posix(): p.stat().st_mtime_ns for p in self.out.rglob("*") if p.is_file()}


def wait_until(predicate, message: str, deadline: float = DEADLINE) -> None:
    """Poll until predicate() is true; fail with message at the deadline."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(message)


def add_synthetic_reports(project: Path, n: int = 10) -> None:
    """Reports built from the real sources' paragraphs, beside the real ones (never replacing them)."""
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(n), str(project / "content" / "reports")], check=True,
                   capture_output=True)


def project_options(project: Path, out: Path | None = None) -> BuildOptions:
    """Build options reading from and writing into the project folder."""
    return BuildOptions(content_dir=project / "content", layouts_dir=project / "layouts",
                        config_file=project / "config.yml", out_dir=out or project / "site")


def start_live(project: Path) -> LiveSite:
    """Build the project, watch it and serve it on a free port of 127.0.0.1."""
    lines: list[str] = []
    lock = threading.Lock()

    def log(line: str) -> None:
        with lock:
            lines.append(line)

    running = Running(project_options(project), serve=True, port=0, log=log, settle=0.1)
    running.start()
    if running.session.failed:
        running.stop()
        raise AssertionError("the first build failed:\n" + "\n".join(lines))
    return LiveSite(running, project, lines)


@pytest.fixture
def live(project: Path):
    """The project with synthetic reports added, built, watched and served; stopped afterwards."""
    add_synthetic_reports(project)
    site = start_live(project)
    yield site
    site.running.stop()


def assert_same_as_full_build(live: LiveSite, tmp_path: Path) -> None:
    """The incrementally updated output is byte for byte what a fresh full build writes."""
    fresh = tmp_path / "fresh"
    build(project_options(live.project, fresh))
    ours = {p.relative_to(live.out).as_posix(): p.read_bytes() for p in live.out.rglob("*") if p.is_file()}
    full = {p.relative_to(fresh).as_posix(): p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
    assert sorted(ours) == sorted(full), f"extra: {sorted(set(ours) - set(full))}, missing: {sorted(set(full) - set(ours))}"
    different = [p for p in ours if ours[p] != full[p]]
    assert not different, f"differs from a full build: {different}"


def source_of(report) -> Path:
    """The file a report was read from (its slug may differ from the file name)."""
    return Path(report.path)


def unrelated_to(site, report):
    """A report that shares nothing with `report`: not its county, authors, year, neighbours or related list."""
    index = site.programme_index
    position = {r.slug: i for i, r in enumerate(site.reports)}

    def related(a, b) -> bool:
        rel = index.related.get(a.slug, []) if index else []
        return any(item[0].slug == b.slug for item in rel)

    for other in site.reports:
        if (abs(position[other.slug] - position[report.slug]) > 1 and other.county != report.county
                and not set(other.authors) & set(report.authors) and other.date.year != report.date.year
                and not related(report, other) and not related(other, report)):
            return other
    pytest.skip("no report unrelated to the edited one in this corpus")


# ---------------------------------------------------------------- tests


def test_editing_a_title_updates_every_page_that_shows_it_and_no_other(live: LiveSite, tmp_path: Path) -> None:
    site = live.session.site
    report = site.reports[len(site.reports) // 2]
    other = unrelated_to(site, report)
    before = live.mtimes()
    source = source_of(report)
    text = source.read_text(encoding="utf-8")
    new_title = "平江县“雪亮工程”与网格化服务管理纪实（编辑修订）"
    edited = text.replace(f'title: "{report.title}"', f'title: "{new_title}"', 1).replace(f"title: {report.title}\n", f"title: {new_title}\n", 1)
    assert edited != text
    line = live.wait_build(live.write(source.relative_to(live.project).as_posix(), edited))

    assert f"{source_of(report).name} changed" in line and "rendered" in line and "reused" in line and re.search(r"\d\.\d\d s$", line), line
    county, year = site.county_of[report.county], site.year_of[report.date.year]
    showing = [report.url, county.url, year.url, "reports/index.html", *(site.author_of[a].url for a in report.authors)]
    for page in showing:
        assert new_title in live.page(page), page
    # Nowhere, not even in the search index or the feed, is the old title left (the raw source keeps its own, and
    # the report's 编辑处理说明 quotes the source line that became the title).
    stale = [p for p in live.mtimes() if not p.startswith("sources/")
             and report.title in re.sub(r'<section class="handling".*?</section>', "",
                                        (live.out / p).read_text(encoding="utf-8", errors="replace"), flags=re.DOTALL)]
    assert not stale
    after = live.mtimes()
    untouched = [other.url, site.county_of[other.county].url, site.year_of[other.date.year].url,
                 *(site.author_of[a].url for a in other.authors)]
    for page in untouched:
        assert after[page] == before[page], f"{page} was rewritten though it does not show the edited report"
    assert after[report.url] != before[report.url]
    assert_same_as_full_build(live, tmp_path)


def test_adding_then_deleting_a_report_leaves_no_orphans(live: LiveSite, tmp_path: Path) -> None:
    site = live.session.site
    model = source_of(site.reports[0]).read_text(encoding="utf-8")
    body = model.split("\n---\n", 1)[1]
    new = ("---\ntitle: 测试县新增报道：矛盾纠纷多元化解\ncounty: 测试县\nprovince: 湖南省\ndate: 2019-05-06\n"
           "author: [测试记者]\n---\n" + body)
    line = live.wait_build(live.write("content/reports/zz-added.md", new))
    assert "zz-added.md added" in line, line
    assert "测试县新增报道" in live.page("reports/zz-added.html")
    assert (live.out / "counties" / "测试县.html").is_file()
    assert "测试县新增报道" in live.page("catalog.json")
    assert_same_as_full_build(live, tmp_path / "added")

    before = live.epoch
    (live.project / "content/reports/zz-added.md").unlink()
    line = live.wait_build(before)
    assert "zz-added.md deleted" in line, line
    assert not (live.out / "reports/zz-added.html").exists()
    assert not (live.out / "counties" / "测试县.html").exists()
    assert not (live.out / "authors" / "测试记者.html").exists()
    mentions = [p for p in live.mtimes() if "测试县" in (live.out / p).read_text(encoding="utf-8", errors="replace")]
    assert not mentions, f"orphans still name the deleted report: {mentions}"
    assert_same_as_full_build(live, tmp_path / "deleted")


def test_a_broken_edit_keeps_the_last_good_site_and_the_next_save_recovers(live: LiveSite, tmp_path: Path) -> None:
    report = live.session.site.reports[0]
    source = source_of(report)
    good = source.read_text(encoding="utf-8")
    before = live.mtimes()
    broken = good.replace("county:", "county: [未闭合的列表\nx:", 1)
    line = live.wait_build(live.write(source.relative_to(live.project).as_posix(), broken))
    assert "build failed" in line and "last good site" in line, line
    problem = next(l for l in live.lines if f"{source.name}:" in l)
    assert re.search(rf"{re.escape(source.name)}:\d+: .*YAML", problem), problem
    assert live.session.live.error and f"{source.name}:" in live.session.live.error
    assert live.mtimes() == before, "a failed build touched the site"
    assert report.title in live.page(report.url)

    fixed = good.rstrip("\n") + "\n\n据县委政法委介绍，全县矛盾纠纷调处成功率保持在98%以上。\n"
    line = live.wait_build(live.write(source.relative_to(live.project).as_posix(), fixed))
    assert "build failed" not in line, line
    assert live.session.live.error is None
    assert "全县矛盾纠纷调处成功率保持在98%以上" in live.page(report.url)
    assert_same_as_full_build(live, tmp_path)


def test_a_template_error_names_the_layout_line_and_the_fix_recovers(live: LiveSite, tmp_path: Path) -> None:
    layout = live.project / "layouts" / "report.html"
    good = layout.read_text(encoding="utf-8")
    before = live.mtimes()
    lines = good.split("\n")
    lines.insert(2, "{% if %}")
    line = live.wait_build(live.write("layouts/report.html", "\n".join(lines)))
    assert "build failed" in line, line
    assert any(re.search(r"layouts/report\.html:3: ", l) for l in live.lines), live.lines[-4:]
    assert live.mtimes() == before

    line = live.wait_build(live.write("layouts/report.html", good))
    assert "build failed" not in line and live.session.live.error is None, line
    assert live.mtimes() == before, "restoring the layout rewrote pages whose bytes did not change"
    assert_same_as_full_build(live, tmp_path)


def test_a_layout_change_rebuilds_every_page(live: LiveSite, tmp_path: Path) -> None:
    base = live.project / "layouts" / "base.html"
    text = base.read_text(encoding="utf-8")
    assert "</footer>" in text
    marked = text.replace("</footer>", "<p class=\"note\">本站内容仅供研究参考</p></footer>", 1)
    line = live.wait_build(live.write("layouts/base.html", marked))
    assert "base.html changed: full rebuild" in line, line
    pages = [p for p in live.mtimes() if p.endswith(".html")]
    assert pages and all("本站内容仅供研究参考" in live.page(p) for p in pages)
    assert_same_as_full_build(live, tmp_path)


def test_a_stylesheet_change_writes_only_the_stylesheet(live: LiveSite) -> None:
    css = next((live.project / "layouts" / "static").rglob("*.css"))
    target = "assets/" + css.relative_to(live.project / "layouts" / "static").as_posix()
    before = live.mtimes()
    live.wait_build(live.write(css.relative_to(live.project).as_posix(), css.read_text(encoding="utf-8") + "\n/* 打印样式待补 */\n"))
    after = live.mtimes()
    assert [p for p in after if after[p] != before.get(p)] == [target]
    assert "打印样式待补" in live.page(target)


def test_quick_saves_settle_into_one_rebuild_and_editor_files_are_ignored(live: LiveSite) -> None:
    live.running.watcher.settle = 1.0  # room for the saves below even on a busy machine
    report = live.session.site.reports[1]
    source = source_of(report)
    folder = source.parent
    text = source.read_text(encoding="utf-8")
    before, count = live.epoch, len(live.lines)
    # What vim, emacs and others write beside a file while saving it.
    for junk in (f".{source.name}.swp", f"{source.name}~", f".#{source.name}", "4913", f"{source.name}.tmp"):
        (folder / junk).write_text("临时文件", encoding="utf-8")
    for i in range(5):
        source.write_text(text.rstrip("\n") + f"\n\n第{i + 1}次保存：全县综治中心实现实体化运行。\n", encoding="utf-8")
    line = live.wait_build(before)
    assert "build failed" not in line, live.lines[-4:]
    wait_until(lambda: "第5次保存" in live.page(report.url), "the last save never reached the page")
    new = live.lines[count:]
    assert len(new) == 1, new
    assert f"{source.name} changed:" in new[0], new[0]


def test_a_programme_annotation_rerenders_its_pages_and_not_unrelated_reports(live: LiveSite, tmp_path: Path) -> None:
    site = live.session.site
    index = site.programme_index
    programme = max(site.programmes, key=lambda p: len(index.reports_of.get(p.slug, [])))
    mentioning = {r.slug for r in index.reports_of.get(programme.slug, [])}
    assert mentioning, "the registry's most mentioned programme is mentioned nowhere"
    unrelated = [r for r in site.reports if r.slug not in mentioning
                 and not any(item[0].slug in mentioning for item in index.related.get(r.slug, []))]
    before = live.mtimes()
    source = Path(programme.path)
    note = "编者按：此项目在各县的名称不一，比较时以做法为准。"
    line = live.wait_build(live.write(source.relative_to(live.project).as_posix(),
                                      source.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{note}\n"))
    assert f"{source.name} changed" in line and "build failed" not in line, line
    assert note in live.page(programme.url)
    after = live.mtimes()
    assert after[programme.url] != before[programme.url]
    for report in unrelated:
        assert after[report.url] == before[report.url], f"{report.url} does not mention {programme.name} but was rewritten"
    assert_same_as_full_build(live, tmp_path)


def test_naming_an_unknown_programme_is_reported_and_the_fix_recovers(live: LiveSite) -> None:
    report = next(r for r in live.session.site.reports if "\nprogrammes:" not in source_of(r).read_text(encoding="utf-8"))
    source = source_of(report)
    good = source.read_text(encoding="utf-8")
    before = live.mtimes()
    broken = good.replace("---\n", "---\nprogrammes: [不存在的专项行动]\n", 1)
    line = live.wait_build(live.write(source.relative_to(live.project).as_posix(), broken))
    assert "build failed" in line, line
    assert any(re.search(rf"{re.escape(source.name)}:2: .*不存在的专项行动", l) for l in live.lines), live.lines[-3:]
    assert live.mtimes() == before
    line = live.wait_build(live.write(source.relative_to(live.project).as_posix(), good))
    assert "build failed" not in line and live.session.live.error is None, line
    assert live.mtimes() == before, "restoring the report rewrote files whose bytes did not change"


def test_the_watch_command_rebuilds_on_a_save_and_exits_cleanly_on_ctrl_c(project: Path) -> None:
    import queue
    import signal

    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--watch"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in process.stdout], daemon=True).start()

    def next_line_with(text: str) -> str:
        while True:
            line = lines.get(timeout=DEADLINE)
            if text in line:
                return line

    try:
        assert "full rebuild" in next_line_with("initial build")
        next_line_with("watching")
        report = sorted((project / "content" / "reports").glob("*.md"))[0]
        report.write_text(report.read_text(encoding="utf-8").rstrip("\n") + "\n\n全县组织开展矛盾纠纷排查化解专项行动。\n",
                          encoding="utf-8")
        line = next_line_with(f"{report.name} changed")
        assert re.search(r"page\(s\) rendered, \d+ reused; \d+ file\(s\) written, 0 deleted \(\d+ reports\) in \d+\.\d\d s", line), line
        assert any("全县组织开展矛盾纠纷排查化解专项行动" in page.read_text(encoding="utf-8")
                   for page in (project / "site" / "reports").glob("*.html"))
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=DEADLINE) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in process.stderr.read()
    assert not [p.name for p in project.iterdir() if p.name.startswith(".site")]


def test_a_warning_is_printed_once_not_on_every_rebuild(live: LiveSite) -> None:
    reports = live.session.site.reports
    first, second = source_of(reports[0]), source_of(reports[1])
    text = first.read_text(encoding="utf-8")
    live.wait_build(live.write(first.relative_to(live.project).as_posix(), text.replace("---\n", "---\n审校人: 王立\n", 1)))
    warning = [l for l in live.lines if f"{first.name}:" in l and "warning" in l]
    assert len(warning) == 1 and "审校人" in warning[0], live.lines[-3:]
    live.wait_build(live.write(second.relative_to(live.project).as_posix(),
                               second.read_text(encoding="utf-8").rstrip("\n") + "\n\n全县社会大局持续稳定。\n"))
    assert len([l for l in live.lines if f"{first.name}:" in l and "warning" in l]) == 1


# ---------------------------------------------------------------- what a rebuild redoes (without the server)


@pytest.fixture
def session(project: Path):
    """A watch session (what --watch runs, without its threads) over the project with synthetic reports."""
    from archive.serve import Session

    add_synthetic_reports(project)
    lines: list[str] = []
    session = Session(project_options(project), log=lines.append)
    assert session.rebuild() is True, lines
    return session


def files_of(out: Path) -> dict[str, tuple[int, bytes]]:
    """Every output file: (modification time, bytes)."""
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}


def same_as_fresh_build(session, tmp_path: Path) -> None:
    """The session's output is byte for byte what a fresh full build of the same content writes."""
    fresh = tmp_path / "fresh"
    build(session.options.__class__(**{**session.options.__dict__, "out_dir": fresh}))
    ours, full = files_of(session.options.out_dir), files_of(fresh)
    assert sorted(ours) == sorted(full)
    assert not [p for p in ours if ours[p][1] != full[p][1]], "the rebuild differs from a full build"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_moving_a_report_to_another_county_updates_both_county_pages(session, project: Path, tmp_path: Path) -> None:
    site = session.site
    # a county with two reports or more, so that the number of counties (in every page's footer) stays
    old_county = next(g for g in site.counties if len(g.reports) >= 2)
    report = old_county.reports[0]
    new_county = next(g for g in site.counties if g is not old_county)
    before = files_of(session.options.out_dir)
    edit(Path(report.path), f"county: {old_county.name}\n", f"county: {new_county.name}\n")
    assert session.rebuild() is True
    after = files_of(session.options.out_dir)
    link = f"../reports/{report.slug}.html"
    assert link not in after[old_county.url][1].decode() and link in after[new_county.url][1].decode()
    assert f"{new_county.name}</a>" in after[report.url][1].decode()
    # a county page that shows neither county's reports is not written again
    unrelated = [g for g in site.counties if g not in (old_county, new_county)]
    assert unrelated and all(after[g.url][0] == before[g.url][0] for g in unrelated)
    same_as_fresh_build(session, tmp_path)


def test_a_new_programme_mention_updates_its_page_the_matrix_and_other_reports_related_lists(
        session, project: Path, tmp_path: Path) -> None:
    site = session.site
    index = site.programme_index
    report = site.by_slug["2018-lengshuitan"]
    programme = next(p for p in site.programmes if p.slug == "fengqiao-jingyan")
    assert report not in index.reports_of[programme.slug]
    # what a report page shows of its related reports: which, and the programmes shared with each (not the score)
    related_before = {slug: [(r.slug, [p.slug for p in shared]) for r, _, shared in items] for slug, items in index.related.items()}
    before = files_of(session.options.out_dir)
    edit(project / "content/reports/2018-lengshuitan.md", "\n---\n", "\n---\n\n冷水滩区坚持和发展新时代“枫桥经验”，小事不出村、大事不出镇。\n")
    assert session.rebuild() is True
    site, after = session.site, files_of(session.options.out_dir)
    index = site.programme_index
    assert site.by_slug["2018-lengshuitan"] in index.reports_of[programme.slug]
    page = after[programme.url][1].decode()
    assert "2018-lengshuitan.html" in page and "小事不出村、大事不出镇" in page
    assert after["programmes/index.html"][0] != before["programmes/index.html"][0]  # the matrix counts it
    # Related lists weigh programmes by how rare they are: other reports' lists change with this mention,
    # and every report page whose list changed is written again.
    related_after = {slug: [(r.slug, [p.slug for p in shared]) for r, _, shared in items] for slug, items in index.related.items()}
    moved = [slug for slug in related_after if slug != report.slug and related_after[slug] != related_before.get(slug)]
    assert moved, "no other report's related list changed"
    for slug in moved:
        assert after[site.by_slug[slug].url][0] != before[site.by_slug[slug].url][0], slug
        assert "2018-lengshuitan.html" in after[site.by_slug[slug].url][1].decode() or slug in [
            r for r, _ in related_before.get("2018-lengshuitan", [])], slug
    same_as_fresh_build(session, tmp_path)


def test_a_body_edit_rewrites_only_the_files_that_show_the_body(session, project: Path, tmp_path: Path) -> None:
    site = session.site
    report = site.by_slug["2021-yanling"]
    before = files_of(session.options.out_dir)
    path = project / "content/reports/2021-yanling.md"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n编者补记：核对了株洲日报的原版面。\n", encoding="utf-8")
    assert session.rebuild() is True
    after = files_of(session.options.out_dir)
    written = {p for p in after if after[p][0] != before.get(p, (None,))[0]}
    assert report.url in written and "编者补记：核对了株洲日报的原版面。" in after[report.url][1].decode()
    # The sentence names no programme and the report has a summary: only its page and the search index change.
    assert written - {report.url} <= {p for p in after if p.startswith("assets/search/")}, sorted(written)
    assert session.memo.stats.pages_rendered == 1
    same_as_fresh_build(session, tmp_path)


def test_rebuilds_after_a_series_of_edits_equal_fresh_builds(session, project: Path, tmp_path: Path) -> None:
    reports = project / "content/reports"
    edits = [
        lambda: edit(reports / "2017-jiaxian.md", "title: ", "title: 郏县：“雪亮工程”与"),
        lambda: edit(reports / "2018-xiangxi.md", "\n---\n", "\n---\n\n全州“雪亮工程”“天网工程”建设全面完成。\n"),
        lambda: edit(reports / "2021-yanling.md", "date: '2021'", "date: 2019-05"),
        lambda: (reports / "2017-pingjiang.md").unlink(),
        lambda: edit(project / "content/programmes/xueliang-gongcheng.md", "\n---\n", "\n---\n\n编者按：各县验收标准不一。\n"),
    ]
    for i, change in enumerate(edits):
        change()
        assert session.rebuild() is True, i
        same_as_fresh_build(session, tmp_path / str(i))

#!/usr/bin/env python3
"""Benchmark our build and search side by side with Pagefind on N synthetic reports; print a table, write RESULTS.md.

Usage: .venv/bin/python bench/run.py --reports 1000 [--runs 3] [--out bench/RESULTS.md] [--build-only] [--profile]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import browser as web  # noqa: E402 - bench/ is not a package; its modules sit beside this script
import oursearch  # noqa: E402
import truth  # noqa: E402

MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
QUERIES = [
    "雪亮工程", "网格化管理", "综治中心", "枫桥经验", "人民调解", "“五老”调解", "五老调解", "乡村雪亮",
    "平江县", "郟縣", "毒", "雪亮工程 2017",
]
PAGEFIND_GLOB = "reports/**/*.html"  # the same documents our index covers: one per report


@dataclass
class Timed:
    """Wall time and peak memory of one child process, with what it printed as JSON (if any)."""

    seconds: float
    maxrss_mb: float
    result: dict = field(default_factory=dict)


TREE = ROOT  # the source tree being measured; --rev exports a revision and points this at it


TIMEOUT = 900.0  # seconds one child may take (--timeout); a build that takes longer is reported, not waited for


class ChildTimeout(Exception):
    """A measured command ran past the time limit and was stopped."""


def timed_child(cmd: list[str]) -> Timed:
    """Run a command in the measured tree and take its wall time and its own peak RSS through os.wait4."""
    t0 = time.perf_counter()
    env = {**os.environ, "BENCH_TREE": str(TREE)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=TREE, stdout=out, stderr=err, env=env)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > TIMEOUT:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                raise ChildTimeout(f"{Path(cmd[1]).name} {cmd[2] if len(cmd) > 2 else ''} did not finish within {TIMEOUT:.0f} s")
            time.sleep(0.02)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{stderr[-3000:]}")
    lines = stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return Timed(seconds, usage.ru_maxrss / 1024, result)


def export_tree(rev: str, work: Path) -> tuple[Path, str]:
    """A clean copy of one committed revision (git archive), sharing this checkout's node_modules."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    tree = work / "tree"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    if (ROOT / "node_modules").is_dir():
        (tree / "node_modules").symlink_to(ROOT / "node_modules")
    # Byte-compiled once, as an installed checkout is after its first run: a cold build should not pay for
    # compiling our modules again each time where PYTHONDONTWRITEBYTECODE is set (it is on the lead's machine).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "archive"), str(tree / "build.py")], check=True)
    return tree, f"git revision {rev} ({sha}), exported clean"


def describe_worktree() -> str:
    """Which source tree a run measured: this checkout's commit, and whether files were modified."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "working tree"
    return f"working tree at {sha or 'unknown commit'}" + (" with uncommitted changes" if dirty else "")


def pagefind_root(site: Path) -> str | None:
    """The element holding a report's own text (title, metadata, body), as a Pagefind user would mark it.

    Without it Pagefind indexes the whole page, navigation and related-report titles included, and a
    county name finds every page that merely links to that county's reports.
    """
    page = next((p for p in sorted((site / "reports").glob("*.html")) if p.name != "index.html"), None)
    html = page.read_text(encoding="utf-8", errors="replace") if page else ""
    for marker, selector in (('<article class="report"', "article.report"), ("<article", "article"), ("<main", "main")):
        if marker in html:
            return selector
    return None


def pagefind_command(site: Path) -> list[str]:
    """Pagefind (extended, with Chinese segmentation) from the pip package, called directly."""
    spec = importlib.util.find_spec("pagefind_bin_extended")
    binary = Path(spec.origin).parent / "pagefind_extended" if spec and spec.origin else None
    cmd = [str(binary)] if binary and binary.exists() else [sys.executable, "-m", "pagefind"]
    cmd += ["--site", str(site), "--glob", PAGEFIND_GLOB, "--silent"]
    root = pagefind_root(site)
    return cmd + (["--root-selector", root] if root else [])


def pagefind_available() -> bool:
    """True when the benchmark-only pagefind package is installed."""
    return importlib.util.find_spec("pagefind") is not None


def make_content(root: Path, n: int, seed: int) -> Path:
    """A content root: N synthetic reports beside copies of our programme registry and sources."""
    content = root / "content"
    (content / "reports").mkdir(parents=True)
    for name in ("programmes", "sources"):
        src = TREE / "content" / name
        if src.is_dir():
            shutil.copytree(src, content / name)
        else:
            (content / name).mkdir()
    subprocess.run(
        [sys.executable, str(MAKE_CORPUS), str(n), str(content / "reports"), "--seed", str(seed)], check=True
    )
    return content


def dir_size(root: Path, suffixes: tuple[str, ...] = (), exclude: str | None = None) -> tuple[int, int, int]:
    """(files, raw bytes, gzip bytes) of the files under root, optionally only some suffixes, minus a subfolder."""
    files = raw = gz = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file() or (suffixes and path.suffix not in suffixes):
            continue
        if exclude and path.relative_to(root).parts[0] == exclude:
            continue
        data = path.read_bytes()
        files += 1
        raw += len(data)
        gz += min(len(data), len(gzip.compress(data, 6, mtime=0)))
    return files, raw, gz


def files_size(paths: list[Path]) -> tuple[int, int, int]:
    """(files, raw bytes, gzip bytes) of a list of files."""
    raw = gz = 0
    for path in paths:
        data = path.read_bytes()
        raw += len(data)
        gz += min(len(data), len(gzip.compress(data, 6, mtime=0)))
    return len(paths), raw, gz


# On this machine's disk (ext4 on a virtual block device, mounted with discard), creating a file costs from
# 0.05 ms to 0.8 ms depending on how many files were deleted lately: a cold build of 1,000 reports into a new
# folder took 3.6 s or 8.1 s for the same 4,644 files. That is the disk's state, not either tool's work: the
# benchmark builds in memory.
TMPFS = Path("/dev/shm")
TMPFS_ROOM = 8 * 1024**3  # bytes free it needs: a 10,000-report site and Pagefind's index beside a second site


def work_folder() -> Path | None:
    """/dev/shm when it is a tmpfs with room for the benchmark, else None (the system's temporary folder)."""
    try:
        stats = os.statvfs(TMPFS)
    except OSError:
        return None
    return TMPFS if stats.f_bavail * stats.f_frsize >= TMPFS_ROOM else None


def describe_work(folder: Path) -> str:
    """The work folder and its file system type, from /proc/mounts (the longest mount point containing it)."""
    kind, best = "unknown file system", ""
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _, point, fstype, *_ = line.split()
            if (str(folder) + "/").startswith(point.rstrip("/") + "/") and len(point) > len(best):
                kind, best = fstype, point
    except OSError:
        pass
    return f"`{folder}` ({kind}{', in memory: the disk state does not enter the timings' if kind == 'tmpfs' else ''})"


def machine() -> str:
    """nproc, CPU model and memory of this machine."""
    cpu = "unknown CPU"
    mem = "unknown memory"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}, {mem}, Python "
            f"{platform.python_version()}; load average at the start {load} (the team shares the machine)")


def kb(n: float) -> str:
    """Bytes as KB with one decimal."""
    return f"{n / 1024:,.1f} KB"


def ms(x: float) -> str:
    """Milliseconds, or n/a."""
    return "n/a" if x != x else f"{x:,.1f} ms"


def sec(x: float) -> str:
    """Seconds, or n/a."""
    return "n/a" if x != x else f"{x:.2f} s"


def ratio(ours: float, theirs: float) -> str:
    """ours/theirs as ×, or n/a."""
    if ours != ours or theirs != theirs or not theirs:
        return "n/a"
    return f"{ours / theirs:.2f}×"


def pct(x: float) -> str:
    """A share as a percentage, or n/a."""
    return "n/a" if x != x else f"{100 * x:.1f}%"


@dataclass
class Results:
    """Everything one benchmark run measured."""

    reports: int
    runs: int
    command: str
    date: str
    machine: str
    tree: str = ""
    work: str = ""  # the folder every build writes into, and what kind of file system it is
    build_s: list[float] = field(default_factory=list)
    build_inner_s: list[float] = field(default_factory=list)
    build_rss_mb: float = float("nan")
    plain_s: list[float] = field(default_factory=list)
    pagefind_index_s: list[float] = field(default_factory=list)
    pagefind_rss_mb: float = float("nan")
    incremental_s: list[float] = field(default_factory=list)
    incremental_kind: str = ""
    html: tuple[int, int, int] = (0, 0, 0)
    our_index: tuple[int, int, int] = (0, 0, 0)
    our_index_note: str = ""
    pagefind_bundle: tuple[int, int, int] = (0, 0, 0)
    pagefind_index: tuple[int, int, int] = (0, 0, 0)
    engines: list[web.EngineRun] = field(default_factory=list)
    expected: dict[str, int] = field(default_factory=dict)
    expected_tags: dict[str, int] = field(default_factory=dict)
    quality: dict[str, dict[str, truth.Quality]] = field(default_factory=dict)
    quality_tags: dict[str, dict[str, truth.Quality]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def engine(self, name: str) -> web.EngineRun | None:
        """The browser run of one tool, if it ran."""
        return next((e for e in self.engines if e.name == name), None)

    def recall(self, name: str, tags: bool = False) -> float:
        """Recall over all queries together (micro-average), nan when the tool gave no results."""
        qs = (self.quality_tags if tags else self.quality).get(name)
        if not qs:
            return float("nan")
        exp = sum(q.expected for q in qs.values())
        return sum(q.hits for q in qs.values()) / exp if exp else 1.0

    def precision(self, name: str, tags: bool = False) -> float:
        """Precision over all queries together (micro-average), nan when the tool gave no results."""
        qs = (self.quality_tags if tags else self.quality).get(name)
        if not qs:
            return float("nan")
        ret = sum(q.returned for q in qs.values())
        return sum(q.hits for q in qs.values()) / ret if ret else 1.0


def med(values: list[float]) -> float:
    """Median, nan for none."""
    return statistics.median(values) if values else float("nan")


def peak(known: float, new: float) -> float:
    """The larger of two peak-memory figures, where nan means none yet."""
    return new if known != known else max(known, new)


def log(msg: str) -> None:
    """Progress on stderr, so stdout stays the table."""
    print(msg, file=sys.stderr, flush=True)


def bench_builds(res: Results, content: Path, work: Path, pagefind: bool) -> Path:
    """Cold full builds, plain renders + Pagefind indexing, and rebuilds after a one-report edit; returns a built site."""
    child = [sys.executable, str(HERE / "build_child.py")]
    site = work / "site"
    for i in range(res.runs):
        out = work / f"full-{i}"
        log(f"  full build {i + 1}/{res.runs}")
        t = timed_child(child + ["full", str(content), str(out)])
        res.build_s.append(t.seconds)
        res.build_inner_s.append(t.result.get("build_s", float("nan")))
        res.build_rss_mb = peak(res.build_rss_mb, t.maxrss_mb)
        if i == res.runs - 1:
            out.rename(site)
        else:
            shutil.rmtree(out)
    for i in range(res.runs):
        out = work / f"plain-{i}"
        log(f"  plain render {i + 1}/{res.runs}" + (" + Pagefind" if pagefind else ""))
        res.plain_s.append(timed_child(child + ["plain", str(content), str(out)]).seconds)
        if pagefind:
            t = timed_child(pagefind_command(out))
            res.pagefind_index_s.append(t.seconds)
            res.pagefind_rss_mb = peak(res.pagefind_rss_mb, t.maxrss_mb)
        shutil.rmtree(out)
    edit_root = work / "edit"
    shutil.copytree(content, edit_root)
    log(f"  rebuild after a one-report edit ×{res.runs}")
    t = timed_child(child + ["incremental", str(edit_root), str(work / "edit-site"), str(res.runs)])
    res.incremental_s = t.result.get("times", [])
    res.incremental_kind = t.result.get("kind", "")
    if t.result.get("stats"):
        res.incremental_kind += f": {t.result['stats']}"
    shutil.rmtree(edit_root)
    shutil.rmtree(work / "edit-site", ignore_errors=True)
    return site


def bench_search(res: Results, content: Path, site: Path, pagefind: bool, repeats: int, sessions: int = 1) -> None:
    """Sizes, then both tools in Chromium on the same site with the same queries, scored against a substring scan."""
    res.html = dir_size(site, (".html",), exclude="pagefind")
    index_files, res.our_index_note = oursearch.index_files(site)
    res.our_index = files_size(index_files)
    engines = []
    our = oursearch.engine(site)
    if our is not None:
        engines.append(our)
    else:
        res.notes.append("Our search: no programmatic search API found in the built site yet, so its browser figures are n/a.")
    if pagefind:
        log("  Pagefind indexing the built site for the browser run")
        timed_child(pagefind_command(site))
        res.notes.append(f"Pagefind indexed `{PAGEFIND_GLOB}` (one page per report, as our index) with root selector "
                         f"`{pagefind_root(site) or 'none: whole pages'}` (each report's title, metadata and text, "
                         "not the navigation or related-report lists around it).")
        res.pagefind_bundle = dir_size(site / "pagefind")
        res.pagefind_index = dir_size(site / "pagefind", (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter"))
        engines.append(web.PAGEFIND)
    elif not pagefind_available():
        res.notes.append("Pagefind is not installed (.venv/bin/pip install -r bench/requirements.txt): its figures are n/a.")
    docs = truth.load_corpus(content / "reports")
    truth.tag(docs, truth.load_programmes(content / "programmes"))
    if not truth.folding_available():
        res.notes.append("opencc could not be loaded: the ground truth did not fold traditional to simplified.")
    for q in QUERIES:
        res.expected[q] = len(truth.expected(docs, q))
        res.expected_tags[q] = len(truth.expected_with_tags(docs, q))
    if engines:
        res.engines = web.measure(site, engines, QUERIES, repeats=repeats, sessions=sessions, log=log)
    for run in res.engines:
        if run.error:
            res.notes.append(f"{run.name} failed in the browser: {run.error}")
            continue
        returned = {q: {u for u in run.urls.get(q, set()) if u.startswith("reports/")} for q in QUERIES}
        res.quality[run.name] = {q: truth.score(truth.expected(docs, q), returned[q]) for q in QUERIES}
        res.quality_tags[run.name] = {q: truth.score(truth.expected_with_tags(docs, q), returned[q]) for q in QUERIES}


def profile_build(content: Path, work: Path, out: Path) -> None:
    """Profile one full build with pyinstrument and write the text report."""
    cmd = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(out),
           str(HERE / "build_child.py"), "full", str(content), str(work / "profiled")]
    subprocess.run(cmd, cwd=TREE, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "BENCH_TREE": str(TREE)})
    shutil.rmtree(work / "profiled", ignore_errors=True)


def targets(res: Results) -> list[tuple[str, str, str]]:
    """(target, met?, measured) for the issue's targets that this run measures."""
    rows = []
    build = med(res.build_s)
    comp = med(res.plain_s) + med(res.pagefind_index_s)
    rows.append((
        "full build faster than render + Pagefind indexing (same run)",
        verdict(build < comp if comp == comp and build == build else None),
        f"{sec(build)} vs {sec(comp)}" + (f" (gap {sec(build - comp)})" if comp == comp and build >= comp else ""),
    ))
    rows.append(("full build under 4 s", verdict(build < 4.0 if build == build else None),
                 sec(build) + (f" (gap {sec(build - 4.0)})" if build >= 4.0 else "")))
    inc = med(res.incremental_s)
    label = "" if res.incremental_kind.startswith("incremental") else f" — {res.incremental_kind}"
    rows.append(("rebuild after a one-report edit under 0.3 s", verdict(inc < 0.3 if inc == inc else None),
                 sec(inc) + (f" (gap {sec(inc - 0.3)})" if inc == inc and inc >= 0.3 else "") + label))
    ours, pf = res.engine("ours"), res.engine("Pagefind")
    ok = ours and pf and not ours.error and not pf.error
    rows.append(("bytes fetched for the first search ≤ Pagefind's (gzip as a host sends)",
                 verdict(ours.first_gzip <= pf.first_gzip if ok else None),
                 f"{kb(ours.first_gzip)} vs {kb(pf.first_gzip)}" if ok else "n/a"))
    p95 = ours.p(95) if ours and not ours.error else float("nan")
    rows.append(("query time p95 under 50 ms after load", verdict(p95 < 50 if p95 == p95 else None),
                 ms(p95) + (f" (gap {ms(p95 - 50)})" if p95 == p95 and p95 >= 50 else "")))
    r, p = res.recall("ours"), res.precision("ours")
    rows.append(("phrase recall and precision 100%", verdict(r == 1.0 and p == 1.0 if r == r else None),
                 f"recall {pct(r)}, precision {pct(p)}; counting a programme mentioned by an alias as a match: "
                 f"recall {pct(res.recall('ours', True))}, precision {pct(res.precision('ours', True))}"))
    return rows


def obstacles(res: Results) -> list[str]:
    """For each unmet target, what this run shows stands in the way (derived from the figures, not hand-written)."""
    out = []
    build, plain = med(res.build_s), med(res.plain_s)
    comp = plain + med(res.pagefind_index_s)
    if build == build and (build >= 4.0 or (comp == comp and build >= comp)):
        out.append(
            f"**Full build** {sec(build)}: rendering the pages takes {sec(plain)} (the part Pagefind also needs) and "
            f"our search index {sec(build - plain)} more against Pagefind's {sec(med(res.pagefind_index_s))} "
            "(our build shares its work between one process per core); `bench/PROFILE.md` shows where the time goes."
        )
    inc = med(res.incremental_s)
    if inc == inc and inc >= 0.3:
        out.append(f"**Rebuild** {sec(inc)}: {res.incremental_kind or 'n/a'}. What is left is the work that "
                   "depends on the whole collection: the pages, catalog and feed that list the edited report, the "
                   "programme analysis across reports, the search files and the sync (see `bench/PROFILE.md`).")
    ours, pf = res.engine("ours"), res.engine("Pagefind")
    if ours and pf and not ours.error and not pf.error and ours.first_gzip > pf.first_gzip:
        out.append(f"**First-search bytes** {kb(ours.first_gzip)} vs {kb(pf.first_gzip)}: files fetched: "
                   + ", ".join(f"`{f}`" for f in ours.first_files))
    if ours and not ours.error and ours.p(95) >= 50:
        slow = sorted(ours.query_ms.items(), key=lambda kv: -kv[1])[:3]
        out.append(
            f"**Query p95** {ms(ours.p(95))} on the first run of each query; the slowest: "
            + ", ".join(f"`{q}` {ms(t)}" for q, t in slow)
            + f". Run again (shards loaded, index built) the p95 is {ms(web.percentile(ours.warm_ms, 95))}: "
            "the first run of a query pays for loading its term shards and then the snippet files of its first "
            "ten results (each request costs the page about 2.6 ms of CPU on this machine, see bench/PROFILE.md)."
        )
    r, p = res.recall("ours"), res.precision("ours")
    if r == r and (r < 1.0 or p < 1.0):
        strict, tagged = res.quality.get("ours", {}), res.quality_tags.get("ours", {})
        extra = [q for q, qual in strict.items() if qual.returned > qual.hits]
        wrong = sum(q.returned - q.hits for q in strict.values())
        by_alias = sum(tagged[q].hits - strict[q].hits for q in strict)
        missed = [q for q, qual in strict.items() if qual.hits < qual.expected]
        text = f"**Phrase precision** {pct(p)}, recall {pct(r)}."
        if wrong:
            text += (f" {wrong} results for " + ", ".join(f"`{q}`" for q in extra) + " do not contain the query; "
                     f"{by_alias} of them are reports that name the programme only by an alias (e.g. 网格员 for "
                     "网格化管理, 雪亮乡村 for 雪亮工程), found because our index holds each report's programme names as a "
                     "field (issue 5). Counting those as matches: recall "
                     f"{pct(res.recall('ours', True))}, precision {pct(res.precision('ours', True))}. Whether a "
                     "programme's name should find its alias-only reports is a product decision; the substring truth says no.")
        if missed:
            text += " Reports containing the query but not returned, for: " + ", ".join(f"`{q}`" for q in missed) + "."
        out.append(text)
    return out


def verdict(ok: bool | None) -> str:
    """met / NOT met / not measured."""
    return "not measured" if ok is None else ("met" if ok else "NOT met")


def table(res: Results) -> str:
    """The results as Markdown."""
    ours, pf = res.engine("ours"), res.engine("Pagefind")
    ok_o = ours is not None and not ours.error
    ok_p = pf is not None and not pf.error

    def eng(run_ok: bool, value: float, fmt) -> str:
        return fmt(value) if run_ok else "n/a"

    lines = [
        f"# Benchmark: {res.reports:,} synthetic reports",
        "",
        f"- date: {res.date}",
        f"- machine: {res.machine}",
        f"- command: `{res.command}`",
        f"- code measured: {res.tree}",
        f"- builds write into: {res.work}",
        f"- runs: median of {res.runs} cold runs (each build a fresh `python` process); peak RSS is the largest of the runs",
        f"- queries: {', '.join(f'`{q}`' for q in QUERIES)}",
        "",
        "## Build",
        "",
        "| measure | ours | Pagefind | ours / Pagefind |",
        "|---|---|---|---|",
    ]
    build, comp = med(res.build_s), med(res.plain_s) + med(res.pagefind_index_s)
    lines += [
        f"| full build, cold process (pages + search index) | {sec(build)} | {sec(comp)} (render pages {sec(med(res.plain_s))} + Pagefind indexing {sec(med(res.pagefind_index_s))}) | {ratio(build, comp)} |",
        f"| of which inside `build()` (no interpreter start/imports) | {sec(med(res.build_inner_s))} | | |",
        f"| search indexing alone | {sec(build - med(res.plain_s))} (full − plain render) | {sec(med(res.pagefind_index_s))} | {ratio(build - med(res.plain_s), med(res.pagefind_index_s))} |",
        f"| peak RSS | {res.build_rss_mb:,.0f} MB (build) | {res.pagefind_rss_mb:,.0f} MB (Pagefind indexer) | |",
        f"| rebuild after a one-report edit | {sec(med(res.incremental_s))} ({res.incremental_kind or 'n/a'}) | n/a (Pagefind has no incremental mode) | |",
        "",
        "## Output size",
        "",
        "| measure | ours | Pagefind | ours / Pagefind |",
        "|---|---|---|---|",
        f"| HTML pages (shared) | {res.html[0]:,} files, {kb(res.html[1])} raw, {kb(res.html[2])} gzip | same pages | |",
        f"| search index | {res.our_index[0]:,} files, {kb(res.our_index[1])} raw, {kb(res.our_index[2])} gzip | {res.pagefind_index[0]:,} files, {kb(res.pagefind_index[1])} raw, {kb(res.pagefind_index[2])} gzip | {ratio(res.our_index[2], res.pagefind_index[2])} (gzip) |",
        f"| whole search bundle (index + code) | | {res.pagefind_bundle[0]:,} files, {kb(res.pagefind_bundle[1])} raw, {kb(res.pagefind_bundle[2])} gzip | |",
        f"| index per report (gzip) | {kb(res.our_index[2] / res.reports)} | {kb(res.pagefind_index[2] / res.reports)} | |",
        "",
        f"Our index files: {res.our_index_note or 'none found'}.",
        "",
        "## Search in headless Chromium over http (127.0.0.1)",
        "",
        "| measure | ours | Pagefind | ours / Pagefind |",
        "|---|---|---|---|",
    ]
    if ok_o or ok_p:
        first = lambda r, ok: f"{kb(r.first_gzip)} gzip / {kb(r.first_raw)} raw, {r.first_requests} requests" if ok else "n/a"  # noqa: E731
        lines += [
            f"| bytes fetched for the first search (`{QUERIES[0]}`) | {first(ours, ok_o)} | {first(pf, ok_p)} | {ratio(ours.first_gzip, pf.first_gzip) if ok_o and ok_p else 'n/a'} (gzip) |",
            f"| index load | {eng(ok_o, ours.load_ms if ok_o else 0, ms)} | {eng(ok_p, pf.load_ms if ok_p else 0, ms)} | {ratio(ours.load_ms, pf.load_ms) if ok_o and ok_p else 'n/a'} |",
            f"| first search, load + query | {eng(ok_o, ours.first_search_ms if ok_o else 0, ms)} | {eng(ok_p, pf.first_search_ms if ok_p else 0, ms)} | {ratio(ours.first_search_ms, pf.first_search_ms) if ok_o and ok_p else 'n/a'} |",
            f"| query p50 (first run of each query) | {eng(ok_o, ours.p(50) if ok_o else 0, ms)} | {eng(ok_p, pf.p(50) if ok_p else 0, ms)} | {ratio(ours.p(50), pf.p(50)) if ok_o and ok_p else 'n/a'} |",
            f"| query p95 (first run of each query) | {eng(ok_o, ours.p(95) if ok_o else 0, ms)} | {eng(ok_p, pf.p(95) if ok_p else 0, ms)} | {ratio(ours.p(95), pf.p(95)) if ok_o and ok_p else 'n/a'} |",
            f"| of which the result list, p50 / p95 (no snippets) | {f'{ms(web.percentile(list(ours.search_ms.values()), 50))} / {ms(web.percentile(list(ours.search_ms.values()), 95))}' if ok_o else 'n/a'} | {f'{ms(web.percentile(list(pf.search_ms.values()), 50))} / {ms(web.percentile(list(pf.search_ms.values()), 95))}' if ok_p else 'n/a'} | |",
            f"| query p95, repeated queries | {eng(ok_o, web.percentile(ours.warm_ms, 95) if ok_o else 0, ms)} | {eng(ok_p, web.percentile(pf.warm_ms, 95) if ok_p else 0, ms)} | |",
        ]
    else:
        lines.append("| (no tool ran in the browser) | n/a | n/a | |")
    lines += [
        f"| phrase recall, all queries | {pct(res.recall('ours'))} | {pct(res.recall('Pagefind'))} | |",
        f"| phrase precision, all queries | {pct(res.precision('ours'))} | {pct(res.precision('Pagefind'))} | |",
        f"| recall / precision if a programme a report mentions by an alias counts as a match | {pct(res.recall('ours', True))} / {pct(res.precision('ours', True))} | {pct(res.recall('Pagefind', True))} / {pct(res.precision('Pagefind', True))} | |",
        "",
        "Query time = the query plus the details (title, URL, snippet) of the first "
        f"{web.RESULTS_PAGE} results, measured in the page with `performance.now()`; a query's first-run time is the "
        f"median of {res.runs} session(s), each tool in a fresh page of the same browser, taking turns (the order "
        "reversed every session), after one page opened first to start the browser's own processes. Bytes are response bodies counted "
        "by the benchmark's server from a blank page to the first results; \"gzip\" is what a host that compresses "
        "responses would send (already-compressed files count as sent).",
        "",
        "## Recall and precision per query",
        "",
        "Truth: a plain substring scan of the corpus (title, county, authors, each paragraph; NFKC, lower case, "
        "traditional→simplified, quotation marks and · dropped; Latin/digit terms as whole runs; all terms must match). "
        "The second count also admits a report whose programme tags (a registry name or alias found in its text, "
        "outside `not_in` words) contain the term, since our index holds programme names as a field.",
        "",
        "| query | reports containing it (or tagged) | ours: returned / recall / precision (tagged: precision) | Pagefind: returned / recall / precision |",
        "|---|---|---|---|",
    ]
    for q in QUERIES:
        cells = []
        for name in ("ours", "Pagefind"):
            qual = res.quality.get(name, {}).get(q)
            tagged = res.quality_tags.get(name, {}).get(q)
            cell = f"{qual.returned} / {pct(qual.recall)} / {pct(qual.precision)}" if qual else "n/a"
            if qual and name == "ours":
                cell += f" ({pct(tagged.precision)})"
            cells.append(cell)
        lines.append(f"| `{q}` | {res.expected.get(q, 'n/a')} ({res.expected_tags.get(q, 'n/a')}) | {cells[0]} | {cells[1]} |")
    lines += ["", "## Targets (issue 7)", "", "| target | status | measured |", "|---|---|---|"]
    lines += [f"| {t} | {v} | {m} |" for t, v, m in targets(res)]
    blockers = obstacles(res)
    if blockers:
        lines += ["", "### What stands in the way", ""] + [f"- {b}" for b in blockers]
    if res.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in res.notes]
    return "\n".join(lines) + "\n"


def build_only_table(res: Results) -> str:
    """The build figures only (large corpora)."""
    build = med(res.build_s)
    return "\n".join([
        f"# Build benchmark: {res.reports:,} synthetic reports",
        "",
        f"- date: {res.date}",
        f"- machine: {res.machine}",
        f"- command: `{res.command}`",
        f"- code measured: {res.tree}",
        "",
        "| measure | value |",
        "|---|---|",
        f"| full build, cold process | {sec(build)} ({1000 * build / res.reports:.2f} ms per report) |",
        f"| of which inside `build()` | {sec(med(res.build_inner_s))} |",
        f"| peak RSS | {res.build_rss_mb:,.0f} MB |",
        f"| HTML pages | {res.html[0]:,} files, {kb(res.html[1])} raw, {kb(res.html[2])} gzip |",
        f"| search index | {res.our_index[0]:,} files, {kb(res.our_index[1])} raw, {kb(res.our_index[2])} gzip ({kb(res.our_index[2] / res.reports)} per report) |",
        *search_rows(res.engine("ours")),
        f"| phrase recall / precision, all queries | {pct(res.recall('ours'))} / {pct(res.precision('ours'))} (counting programme aliases: {pct(res.recall('ours', True))} / {pct(res.precision('ours', True))}) |",
        "",
        *[f"- {n}" for n in res.notes],
        "",
    ])


def search_rows(run: web.EngineRun | None) -> list[str]:
    """Our search's browser figures as two-column rows (build-only tables)."""
    if run is None or run.error:
        return [f"| search in Chromium | n/a{': ' + run.error if run else ''} |"]
    return [
        f"| bytes fetched for the first search (`{QUERIES[0]}`) | {kb(run.first_gzip)} gzip / {kb(run.first_raw)} raw, {run.first_requests} requests |",
        f"| index load | {ms(run.load_ms)} |",
        f"| query p50 / p95 (first run of each query) | {ms(run.p(50))} / {ms(run.p(95))} |",
        f"| query p95, repeated queries | {ms(web.percentile(run.warm_ms, 95))} |",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the results."""
    global TREE, TIMEOUT
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=1000, help="number of synthetic reports (default 1000)")
    ap.add_argument("--runs", type=int, default=3, help="cold runs per build measure; the median is reported")
    ap.add_argument("--repeats", type=int, default=3, help="repeated runs of every query after the first")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="Markdown results file")
    ap.add_argument("--json", type=Path, help="also write the raw figures as JSON")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--build-only", action="store_true", help="one cold full build and sizes only (for 10,000 reports)")
    ap.add_argument("--profile", type=Path, help="also profile one full build with pyinstrument into this text file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    ap.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds one build may take before it is stopped")
    ap.add_argument("--work", type=Path, help="the folder to build in (default: /dev/shm when it is a tmpfs with room, "
                    "else the system's temporary folder)")
    ap.add_argument("--rev", help="measure a committed revision (e.g. HEAD), exported clean, instead of the working tree")
    args = ap.parse_args(argv)
    if not MAKE_CORPUS.exists():
        raise SystemExit(f"{MAKE_CORPUS}: not found (the shared/ folder must sit beside the repository)")
    res = Results(
        reports=args.reports, runs=args.runs, date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(), command="python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
    )
    pagefind = pagefind_available() and not args.build_only
    TIMEOUT = args.timeout
    work = Path(tempfile.mkdtemp(prefix="archive-bench-", dir=args.work or work_folder()))
    res.work = describe_work(work)
    try:
        if args.rev:
            TREE, res.tree = export_tree(args.rev, work)
        else:
            res.tree = describe_worktree()
        log(f"bench: {args.reports} reports in {work}; measuring the {res.tree}")
        content = make_content(work, args.reports, args.seed)
        if args.build_only:
            child = [sys.executable, str(HERE / "build_child.py")]
            for i in range(args.runs):
                log(f"  full build {i + 1}/{args.runs}")
                out = work / "site"
                shutil.rmtree(out, ignore_errors=True)
                try:
                    t = timed_child(child + ["full", str(content), str(out)])
                except ChildTimeout as exc:
                    res.notes.append(f"Stopped: {exc}.")
                    break
                res.build_s.append(t.seconds)
                res.build_inner_s.append(t.result.get("build_s", float("nan")))
                res.build_rss_mb = peak(res.build_rss_mb, t.maxrss_mb)
            if (work / "site").is_dir():
                log("  our search in Chromium (no Pagefind with --build-only)")
                bench_search(res, content, work / "site", False, 1)
            text = build_only_table(res)
        else:
            try:
                site = bench_builds(res, content, work, pagefind)
                bench_search(res, content, site, pagefind, args.repeats, args.runs)
            except ChildTimeout as exc:
                res.notes.append(f"Stopped: {exc}; the figures after it were not measured.")
            text = table(res)
        print(text)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        if args.json:
            args.json.write_text(json.dumps(to_json(res), ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        if args.profile:
            log("  profiling one full build with pyinstrument")
            profile_build(content, work, args.profile)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def to_json(res: Results) -> dict:
    """The raw figures, for tests and scripts."""
    return {
        "reports": res.reports,
        "build_s": res.build_s,
        "plain_s": res.plain_s,
        "pagefind_index_s": res.pagefind_index_s,
        "incremental_s": res.incremental_s,
        "incremental_kind": res.incremental_kind,
        "html": res.html,
        "our_index": res.our_index,
        "pagefind_index": res.pagefind_index,
        "expected": res.expected,
        "engines": {
            e.name: {
                "error": e.error, "load_ms": e.load_ms, "first_raw": e.first_raw, "first_gzip": e.first_gzip,
                "first_files": e.first_files, "query_ms": e.query_ms, "counts": e.counts,
            }
            for e in res.engines
        },
        "recall": {name: res.recall(name) for name in ("ours", "Pagefind")},
        "precision": {name: res.precision(name) for name in ("ours", "Pagefind")},
        "recall_tagged": {name: res.recall(name, True) for name in ("ours", "Pagefind")},
        "precision_tagged": {name: res.precision(name, True) for name in ("ours", "Pagefind")},
        "targets": targets(res) if res.plain_s else [],
    }


if __name__ == "__main__":
    sys.exit(main())

"""One timed build in a fresh process, so every run is cold: `build_child.py MODE CONTENT OUT [RUNS]`, JSON on stdout.

Modes: `full` (archive.build.build), `plain` (the same without the search index: pages only, the part Pagefind
replaces), `incremental` (build once, then edit one report RUNS times and time each rebuild).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import os  # noqa: E402

# The source tree to build with: this repository, or an exported revision (bench/run.py --rev).
ROOT = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

STARTED = time.perf_counter()

from archive import build as build_mod  # noqa: E402 - after the clock starts: imports are part of a cold build
from archive.build import BuildOptions  # noqa: E402


def options(content: Path, out: Path) -> BuildOptions:
    """Build options for the benchmark's content root with the repository's layouts and config."""
    return BuildOptions(
        content_dir=content, layouts_dir=ROOT / "layouts", config_file=ROOT / "config.yml", out_dir=out
    )


def run_full(content: Path, out: Path) -> dict:
    """A cold full build."""
    t0 = time.perf_counter()
    site, files, _ = build_mod.build(options(content, out))
    t1 = time.perf_counter()
    return {"build_s": t1 - t0, "files": len(files), "reports": len(site.reports)}


def run_plain(content: Path, out: Path) -> dict:
    """A full build with the search index switched off: what a site without our search would render."""
    from archive import search

    search.build_search = lambda site, *a, **k: []  # the page templates still render; only the index is skipped
    search.partial = lambda first, docs: None  # revisions before issue 12: a parallel build indexed report fields
    # the per-report step tokenizes each report for the index: skipped too (the stubbed index ignores the terms)
    search.report_terms = lambda *args, **kwargs: None
    search.with_mentions = lambda site, terms: None  # revisions before the per-report step tokenized mentions
    search.index_runs = lambda *args, **kwargs: (lambda: [])  # the index's runs, begun before the analysis
    return run_full(content, out)


def edit(report: Path, n: int) -> None:
    """Append one sentence to a report, as an editor's fix would."""
    text = report.read_text(encoding="utf-8")
    report.write_text(text.rstrip("\n") + f"\n\n编者补记：第{n}次修订，核对了数据来源。\n", encoding="utf-8")


def watch_session(content: Path, out: Path):
    """The watch mode's own session (archive.serve.Session), whose rebuild() is what `--watch` runs, or None."""
    try:
        from archive.serve import Session
    except ImportError:
        return None
    return Session(options(content, out), log=lambda line: None)


def _profiler():
    """A started pyinstrument profiler when BENCH_PROFILE_REBUILD names an output file (profiles a rebuild)."""
    if not os.environ.get("BENCH_PROFILE_REBUILD"):
        return None
    from pyinstrument import Profiler

    profiler = Profiler()
    profiler.start()
    return profiler


def run_incremental(content: Path, out: Path, runs: int) -> dict:
    """Build once, then edit one report and rebuild, RUNS times; times only the rebuilds."""
    reports = sorted((content / "reports").glob("*.md"))
    report = reports[len(reports) // 2]
    session, failure = watch_session(content, out), ""
    if session is not None:
        try:
            if session.rebuild() is not True:
                raise RuntimeError("the initial build failed")
        except Exception as exc:  # noqa: BLE001 - a broken watch mode is reported in the results, not fatal
            failure = f"the watch session failed ({type(exc).__name__}: {str(exc)[:120]}); "
            session = None
    if session is None:
        build_mod.build(options(content, out))
    times, stats = [], ""
    for i in range(runs):
        edit(report, i + 1)
        profiler = _profiler()
        t0 = time.perf_counter()
        if session is not None:
            if session.rebuild() is not True:
                raise RuntimeError(f"the rebuild after editing {report.name} failed")
            stats = (session.memo if hasattr(session, "memo") else session.cache).stats.describe()
        else:
            build_mod.build(options(content, out))
        times.append(time.perf_counter() - t0)
        if profiler is not None:
            profiler.stop()
            Path(os.environ["BENCH_PROFILE_REBUILD"]).write_text(profiler.output_text(), encoding="utf-8")
    kind = ("incremental (archive.serve.Session.rebuild, as --watch runs it)" if session is not None
            else failure + "full rebuild in-process (no incremental API)")
    return {"times": times, "kind": kind, "edited": report.name, "stats": stats}


def main() -> int:
    """Run the requested mode and print its timings as JSON."""
    mode, content, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    imported = time.perf_counter()
    if mode == "full":
        result = run_full(content, out)
    elif mode == "plain":
        result = run_plain(content, out)
    elif mode == "incremental":
        result = run_incremental(content, out, int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    result["import_s"] = imported - STARTED
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()  # then leave as build.py does, without freeing every object of the site one by one
    sys.stderr.flush()
    os._exit(status)

#!/usr/bin/env python3
"""The search index alone: build time (cold and after a one-report edit) and query times in Chromium.

Usage: .venv/bin/python bench/search_speed.py CONTENT_DIR [CONFIG] [--no-browser] [--js DIR]
(CONTENT_DIR holds reports/ and programmes/, e.g. one written by bench/run.py or make_corpus.py.)
Prints CPU seconds per step of `search.build_search` and of assembling the index again after a
one-report edit (every other report's terms kept), then serves the index with the engine scripts and times each query on its first
run (shards loading included) and again, as bench/run.py does, with oursearch.py's driver; --js takes
the engine scripts from another folder (e.g. an older search.js, to compare).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from archive import search  # noqa: E402
from archive.build import BuildOptions, analyse, load  # noqa: E402
from archive.errors import Problems  # noqa: E402
from archive.output import write_tree  # noqa: E402

QUERIES = [
    "雪亮工程", "网格化管理", "综治中心", "枫桥经验", "人民调解", "“五老”调解", "五老调解", "乡村雪亮",
    "平江县", "郟縣", "毒", "雪亮工程 2017", "县", "的", "工作", "平安 -县",
]


def cpu(fn):
    """fn() and the CPU seconds it took."""
    started = time.process_time()
    value = fn()
    return value, time.process_time() - started


def build_times(site) -> tuple[list, search.Index]:
    """Time each step of the index build, and assembling it again after a one-report edit; return the files."""
    docs, t_docs = cpu(lambda: search.documents(site))
    analysed, t_tok = cpu(lambda: [search.doc_terms(d) for d in docs])
    index, t_asm = cpu(lambda: search.build_index(analysed))
    files, t_write = cpu(lambda: search.index_files(site, docs, index))
    total = t_docs + t_tok + t_asm + t_write
    print(f"cold: {total:.2f} s CPU = documents {t_docs:.2f} + tokenize {t_tok:.2f} + assemble {t_asm:.2f}"
          f" + write {t_write:.2f}   ({len(docs)} reports, {len(files)} files)")

    times = []
    for k in range(3):  # three edits in a row: the edited report's terms made again, the others' kept
        edited = list(analysed)
        middle = len(docs) // 2
        paragraphs = (*docs[middle].paragraphs, ("", f"新增第{k}段：平安乡村·雪亮工程。"))
        edited[middle] = search.doc_terms(replace(docs[middle], paragraphs=paragraphs))
        _, t_edit = cpu(lambda terms=edited: search.build_search(site, terms))
        times.append(t_edit)
    print(f"after a one-report edit: {sorted(times)[1]:.2f} s CPU from every report's terms (median of 3)")
    return files, index


def browser_times(files: list, js: Path) -> None:
    """Serve the index and the engine scripts; time every query in Chromium."""
    import browser as web
    import oursearch

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        write_tree(files, site)
        (site / "assets" / "js").mkdir(parents=True, exist_ok=True)
        for name in ("ts-chars.js", "tokenize.js", "search-query.js", "search.js"):
            shutil.copy(js / name, site / "assets" / "js" / name)
        (run,) = web.measure(site, [oursearch.engine(site)], QUERIES, repeats=2, log=lambda _: None)
    if run.error:
        print("browser:", run.error)
        return
    print(f"Chromium: load {run.load_ms:.0f} ms; first search {run.first_gzip / 1e3:.0f} KB gzip "
          f"({run.first_requests} requests), {run.first_search_ms:.0f} ms")
    print("query (first run: ms with 10 snippets / result list only / results):")
    for q in QUERIES:
        print(f"  {q:12} {run.query_ms[q]:7.1f} {run.search_ms[q]:7.1f} {run.counts[q]:6}")
    print(f"p50 {run.p(50):.1f} ms, p95 {run.p(95):.1f} ms (first runs); "
          f"p95 repeated {web.percentile(run.warm_ms, 95):.1f} ms")


def main() -> int:
    """Load and analyse the content, then time the index build and the queries."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("config", type=Path, nargs="?", default=ROOT / "config.yml")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--js", type=Path, default=ROOT / "layouts" / "static" / "js")
    args = parser.parse_args()
    problems = Problems()
    site = analyse(load(BuildOptions(content_dir=args.content, config_file=args.config), problems), problems)[0]
    problems.raise_if_errors()
    files, _ = build_times(site)
    if not args.no_browser:
        browser_times(files, args.js)
    return 0


if __name__ == "__main__":
    sys.exit(main())

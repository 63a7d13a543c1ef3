#!/usr/bin/env python3
"""Where a watch rebuild's time goes, stage by stage: `rebuild_stages.py CONTENT_ROOT OUT [EDITS]`.

Builds CONTENT_ROOT (reports/, programmes/, sources/, e.g. one kept by `bench/run.py --keep`) in a watch
session, then appends a sentence to one report EDITS times (default 3) and prints each rebuild's wall time
and the seconds spent in each stage. The stages are wrapped here, in the benchmark, not in archive/.
Edits the report in place: use a copy of the content.
"""
from __future__ import annotations

import functools
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import archive.build as build_mod  # noqa: E402
import archive.pages as pages_mod  # noqa: E402
import archive.pages.describe as describe_mod  # noqa: E402
import archive.search as search_mod  # noqa: E402
from archive.build import BuildOptions  # noqa: E402
from archive.watch import Session  # noqa: E402

SPENT: dict[str, float] = {}


def timed(module: ModuleType, name: str, label: str = "") -> None:
    """Replace module.name by a wrapper adding its wall time to SPENT[label or name]."""
    inner = getattr(module, name)

    @functools.wraps(inner)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            key = label or name
            SPENT[key] = SPENT.get(key, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)


def instrument() -> None:
    """Wrap the stages build() calls and the larger steps inside them."""
    for name in ("load", "process_all", "assemble", "describe_pages", "render", "data_files", "publish"):
        timed(build_mod, name)
    timed(build_mod.programmes, "analyse", "programmes.analyse")
    timed(search_mod, "build_search")
    timed(search_mod, "build_index", "  build_index")
    timed(search_mod, "index_files", "  index_files")
    for name in ("programme_pages", "report_pages", "group_pages"):
        timed(describe_mod, name, "  " + name)
    timed(pages_mod, "citation_files", "  citation_files")


def main() -> int:
    """Build, edit, rebuild and print the times."""
    content, out = Path(sys.argv[1]), Path(sys.argv[2])
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    instrument()
    options = BuildOptions(content_dir=content, layouts_dir=ROOT / "layouts", config_file=ROOT / "config.yml",
                           out_dir=out, replace_out=True)
    session = Session(options, log=lambda line: None)
    session.rebuild()
    report = sorted((content / "reports").glob("*.md"))[len(list((content / "reports").glob("*.md"))) // 2]
    walls: list[float] = []
    for n in range(1, edits + 1):
        report.write_text(report.read_text(encoding="utf-8") + f"\n编者补记：第{n}次修订。\n", encoding="utf-8")
        SPENT.clear()
        started = time.perf_counter()
        session.rebuild()
        walls.append(time.perf_counter() - started)
        print(f"rebuild {n}: {walls[-1]:.3f} s ({session.memo.stats.describe()})")
        for name, seconds in SPENT.items():
            print(f"  {name:24} {seconds:.3f} s")
    walls.sort()
    print(f"median of {edits}: {walls[len(walls) // 2]:.3f} s, fastest {walls[0]:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The command line's commands: build, check, import, programme suggestions, search index statistics, watch."""
from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path

from . import programmes, search
from .build import BuildOptions, analyse, build, check, load
from .errors import BuildError, Problem, Problems


def print_problems(problems: Iterable[Problem]) -> None:
    """Print problems on stderr, one per line."""
    for problem in problems:
        print(problem, file=sys.stderr)


def cmd_build(options: BuildOptions) -> int:
    """Build once; on error print every problem and keep the previous site."""
    started = time.perf_counter()
    try:
        site, files, problems = build(options)
    except BuildError as exc:
        print_problems(exc.problems)
        print(f"build failed: {len(exc.problems)} error(s); {options.out_dir} left as it was", file=sys.stderr)
        return 1
    print_problems(problems.warnings)
    elapsed = time.perf_counter() - started
    print(f"built {len(site.reports)} reports, {len(files)} files into {options.out_dir} in {elapsed:.2f} s")
    return 0


def cmd_check(options: BuildOptions) -> int:
    """Validate everything; exit 1 on any error."""
    problems = check(options)
    print_problems(problems.errors + problems.warnings)
    errors, warnings = len(problems.errors), len(problems.warnings)
    print(f"{errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0


def cmd_import(files: list[Path], options: BuildOptions, force: bool) -> int:
    """Draft report pages from raw source texts."""
    from .importer.run import run_import  # the importer's dependencies load only for this command

    return run_import(files, options.content_dir, force=force)


def cmd_suggest(options: BuildOptions, limit: int = 40) -> int:
    """`build.py programmes --suggest`: print candidate programmes not yet in the registry."""
    problems = Problems()
    content = load(options, problems)
    matcher = programmes.Matcher.from_registry(content.programmes, problems)
    print_problems(problems.errors)
    if problems.errors:
        return 1
    candidates = programmes.suggest(content.reports, matcher)
    shown = candidates[:max(0, limit)]
    print(f"{len(candidates)} 个候选项目不在登记表（{len(content.programmes)} 个项目）中，显示前 {len(shown)} 个。")
    print("排序：两篇以上报道加引号的说法，两篇以上报道共有的词组，单篇报道加引号的说法；各按篇数、次数。")
    width = min(8, max((len(c.term) for c in shown), default=0))
    for i, c in enumerate(shown, 1):
        kind = "引号" if c.kind == "quoted" else "短语"
        print(f"{i:3d}. {c.term}{'　' * max(0, width - len(c.term))}  {kind}  {c.reports} 篇 {c.count} 次  {c.where}  "
              f"{c.example}")
    return 0


def cmd_index_stats(options: BuildOptions) -> int:
    """`build.py index-stats`: the search index's size, in all and per report."""
    problems = Problems()
    site, _ = analyse(load(options, problems), problems)
    problems.raise_if_errors()
    started = time.process_time()
    files = search.build_search(site)
    print(f"{len(site.reports)} reports, index built in {time.process_time() - started:.2f} s CPU")
    print("\n".join(search.stats(files, len(site.reports))))
    return 0


def cmd_watch(options: BuildOptions, serve: bool, host: str, port: int) -> int:
    """`build.py --watch` / `--serve`: build, then rebuild on every change (and serve)."""
    from .serve import run  # watchdog and the HTTP server load only for this command

    return run(options, serve=serve, host=host, port=port)


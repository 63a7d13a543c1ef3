"""`python -m archive.search [CONTENT_DIR [CONFIG]]`: the index's size, in all and per report (a CLI: it may load the build)."""
from __future__ import annotations

import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    """Load and analyse the content, build the index, print its size."""
    from ..build import BuildOptions, analyse, load
    from ..errors import Problems
    from . import build_search, stats

    content = Path(argv[0]) if argv else Path("content")
    config = Path(argv[1]) if len(argv) > 1 else Path("config.yml")
    problems = Problems()
    site = analyse(load(BuildOptions(content_dir=content, config_file=config), problems), problems)
    problems.raise_if_errors()
    started = time.process_time()
    files = build_search(site)
    print(f"{len(site.reports)} reports, index built in {time.process_time() - started:.2f} s CPU")
    print("\n".join(stats(files, len(site.reports))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""How the benchmark drives our own search in the built site: which files are the index, and a JS query API."""
from __future__ import annotations

from pathlib import Path

import browser as web


def index_files(site: Path) -> tuple[list[Path], str]:
    """The files of our search index in a built site, and a note saying which they are."""
    return [], "no search index files in the built site yet"


def engine(site: Path) -> web.Engine | None:
    """The browser driver for our search, or None while the site has no search to drive."""
    return None

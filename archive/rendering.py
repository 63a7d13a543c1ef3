"""The render stage: described pages rendered on the executor, unless the memo holds them by their key."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from .executor import Runner
from .output import OutputFile
from .pages import Page, Renderer


class PageMemo(Protocol):
    """What this stage needs of a watch session's memo."""

    def pages(self, pages: Sequence[Page], render: Callable[[list[Page]], list[OutputFile]]) -> list[OutputFile]:
        """Every page's file, rendered with render() only for those whose key it does not hold."""
        ...


def render(pages: Sequence[Page], layouts: Path, executor: Runner,
           memo: PageMemo | None = None) -> Callable[[], list[OutputFile]]:
    """Every page's file, in the pages' order, each rendered from its own description in whichever process.

    Rendering begins now; call what this returns for the files (meanwhile this process may index).
    """
    step = Renderer(layouts).render
    if memo is None:
        return executor.start(step, pages)
    files = memo.pages(pages, lambda todo: executor.map(step, todo))
    return lambda: files

"""A report page's 编辑处理说明: what the importer moved or removed from the raw source, from its provenance record."""
from __future__ import annotations

from dataclasses import dataclass

from .. import provenance
from ..content import Report
from ..errors import BuildError, Problem, display_path

# The front-matter keys a moved line went to, as a reader names them.
_TO = {"title": "标题", "author": "作者", "date": "日期", "metadata": "出处信息", "editor": "编辑", "publication": "出处"}


@dataclass(frozen=True)
class Removed:
    """Source lines removed for one reason: the reason, then (line, text) of each."""

    why: str
    rows: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Handling:
    """What the box lists: lines moved into the page's head, lines removed by reason, captions and joins counted."""

    moved: tuple[tuple[str, int, str], ...]  # (where it went, source line, text)
    removed: tuple[Removed, ...]
    captions: int
    captions_moved: int  # of those, the ones that stood inside a paragraph and were put after it
    joined: int


def handling(report: Report) -> Handling | None:
    """The report's provenance record summed up for readers; None when it has none (a page typed by hand)."""
    try:
        record = provenance.load(report.path)
    except provenance.RecordError as exc:
        path = display_path(str(provenance.record_path(report.path)))
        raise BuildError([Problem(path, exc.line, str(exc))]) from None
    if record is None:
        return None
    entries = record.entries
    moved = tuple((_TO.get(e.why, e.why), e.lines[0], e.text) for e in entries if e.kind == "moved")
    by_reason: dict[str, list[tuple[int, str]]] = {}
    for e in entries:
        if e.kind == "removed":
            by_reason.setdefault(e.why or "未注明原因", []).append((e.lines[0], e.text))
    removed = tuple(Removed(why, tuple(lines)) for why, lines in by_reason.items())
    captions = [e for e in entries if e.kind == "captions"]
    inside = sum(1 for e in captions if "移到" in e.why)  # the importer's reason for a caption it moved
    joined = sum(1 for e in entries if e.kind == "joined")
    return Handling(moved, removed, len(captions), inside, joined)

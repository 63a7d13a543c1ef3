"""The proof that a page's body is its source minus its provenance record (whitespace and punctuation width aside)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..content import Report
from ..errors import Problem, display_path
from .decode import ImportProblem, decode, kind_of
from .html import visible_lines
from ..provenance import Entry, Record, RecordError, load, record_path
from .text import fold


@dataclass(frozen=True)
class PageText:
    """What a reader sees of a body: text blocks (with their body line) and photo captions, editors' notes left out."""

    blocks: tuple[tuple[int, str], ...]
    captions: tuple[str, ...]


def page_text(body: str) -> PageText:
    """The body's paragraphs and headings, and its ::: figure captions (::: note and footnotes are the editors')."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.use(container_plugin, name="figure").use(container_plugin, name="note").use(footnote_plugin)
    blocks: list[tuple[int, str]] = []
    captions: list[str] = []
    skip = figure = 0
    for token in md.parse(body):
        if token.type in ("container_note_open", "footnote_block_open"):
            skip += 1
        elif token.type in ("container_note_close", "footnote_block_close"):
            skip -= 1
        elif token.type == "container_figure_open":
            figure += 1
            captions.append("")
        elif token.type == "container_figure_close":
            figure -= 1
        elif token.type == "inline" and not skip:
            words = "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))
            if figure:
                captions[-1] += words
            else:
                blocks.append(((token.map or [0])[0], words))
    return PageText(tuple(blocks), tuple(captions))


def source_lines(name: str, data: bytes) -> list[tuple[int, str]]:
    """A source's non-blank lines with their line numbers (a saved page's visible lines)."""
    path = Path(name)
    html = kind_of(path) == "html"
    text = decode(data, path, html=html).text
    if html:
        return [(line.source_line, line.text) for line in visible_lines(text)]
    return [(n, line.strip()) for n, line in enumerate(text.split("\n"), 1) if line.strip()]


def _take(lines: list[tuple[int, str]], used: list[bool], entry: Entry) -> bool:
    """Mark the source lines an entry names as used: at its line numbers, else the first unused run with its text."""
    want = fold(entry.text)
    starts = [i for i, (n, _) in enumerate(lines) if n == entry.lines[0] and not used[i]]
    starts += [i for i in range(len(lines)) if not used[i] and i not in starts]
    for i in starts:
        got, j = "", i
        while j < len(lines) and not used[j] and len(got) < len(want):
            got += fold(lines[j][1])
            j += 1
            if got == want:
                for k in range(i, j):
                    used[k] = True
                return True
            if not want.startswith(got):
                break
    return False


def prove(record: Record, lines: list[tuple[int, str]], body: str) -> list[tuple[str, int, str]]:
    """Differences between a body and its source minus the record, as (which file, line, message)."""
    problems: list[tuple[str, int, str]] = []
    used = [False] * len(lines)
    for entry in record.entries:
        if entry.kind != "joined" and not _take(lines, used, entry):
            message = f"listed {entry.kind} line {entry.lines[0]} {entry.text!r} is not a line of the source"
            problems.append(("record", entry.at, message))
    page = page_text(body)
    want_captions = [fold(e.text) for e in record.entries if e.kind == "captions"]
    if [fold(c) for c in page.captions] != want_captions:
        listed = [e.text for e in record.entries if e.kind == "captions"]
        problems.append(("page", 0, f"captions differ from the source's: page {list(page.captions)}, record {listed}"))
    want = "".join(fold(text) for (_, text), u in zip(lines, used) if not u)
    got_parts = [(n, fold(text)) for n, text in page.blocks]
    got = "".join(t for _, t in got_parts)
    if want != got:
        at = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
        offset, line = 0, 0
        for n, text in got_parts:
            if offset + len(text) > at:
                line = n
                break
            offset += len(text)
        message = (f"body differs from its source at character {at}: "
                   f"source …{want[max(0, at - 20):at + 20]}… page …{got[max(0, at - 20):at + 20]}…")
        problems.append(("page", line, message))
    return problems


def verify(report: Report, source_bytes: bytes) -> list[Problem]:
    """Prove a report's body is its source minus its provenance record; every difference as a Problem."""
    page = display_path(report.path)
    try:
        record = load(report.path)
        lines = source_lines(report.source_file, source_bytes)
    except RecordError as exc:
        return [Problem(display_path(record_path(report.path)), exc.line, str(exc))]
    except ImportProblem as exc:
        return [Problem(page, report.line_of("source_file"), f"source {report.source_file}: {exc.message}")]
    if record is None:
        return [Problem(page, report.line_of("source_file"), f"no provenance record {record_path(report.path).name} "
                        "beside the page: import the source again or write one")]
    out = []
    for where, line, message in prove(record, lines, report.body):
        if where == "record":
            out.append(Problem(display_path(record.path), line, message))
        else:
            out.append(Problem(page, report.body_line + line if line else report.body_line, message))
    title = next((e.text for e in record.entries if e.kind == "moved" and e.why == "title"), None)
    if title is not None and fold(title) != fold(report.title):
        out.append(Problem(page, report.line_of("title"), f"title {report.title!r} is not the source's {title!r}"))
    named = "".join(fold(e.text) for e in record.entries if e.kind == "moved") + "".join(fold(t) for _, t in lines)
    for author in report.authors:
        if not author.startswith("TODO") and fold(author) not in named:
            out.append(Problem(page, report.line_of("author"), f"author {author!r} is not named in the source"))
    return out


def verify_source(report: Report, root: Path) -> list[Problem]:
    """For `check`: prove a report against its raw source under root/sources (a warning when it names none)."""
    page = display_path(report.path)
    if not report.source_file:
        return [Problem(page, 1, "no source_file: nothing proves this text is a source's", "warning")]
    source = root / "sources" / report.source_file
    try:
        data = source.read_bytes()
    except OSError as exc:
        return [Problem(page, report.line_of("source_file"), f"source {report.source_file}: {exc.strerror or exc}")]
    return verify(report, data)

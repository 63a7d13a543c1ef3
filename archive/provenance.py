"""The provenance record: what a page's body leaves out of its source, kept beside the page for editors to read and amend.

`<page>.provenance.yml` lists, with the source line each came from, the lines moved into front matter (`moved`), the
web debris removed (`removed`), the photo captions that became `::: figure` blocks (`captions`) and the paragraphs that
a caption or a line break had split and that were joined again (`joined`). `verify` proves a page's body is its source
minus that record, ignoring only whitespace and the width of punctuation.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SUFFIX = ".provenance.yml"
HEADER = """\
# 编辑处理说明 (provenance): what the page's body leaves out of its raw source, and why.
# `python build.py check` proves that the body is the source minus the lines listed here (only whitespace and the
# width of punctuation are ignored), so a changed character, a dropped sentence or an altered number fails it.
#   moved:    source lines that became front matter (to: title, author, date, …)
#   removed:  web debris (navigation, share bars, related-article lists, copyright lines)
#   captions: photo captions, now `::: figure` blocks, in source order
#   joined:   paragraphs a caption or a line break had split, joined again (for the reader; not needed by the proof)
# `line` is the line of the source file (of a saved page: where the text's element starts). To keep a removed
# line in the body, delete its entry; to remove another line, add an entry with its exact text.
"""
_KINDS = ("moved", "removed", "captions", "joined")


@dataclass(frozen=True)
class Entry:
    """One thing the importer did to the source: a line moved, removed or made a caption, or lines joined."""

    kind: str  # moved, removed, captions, joined
    lines: tuple[int, ...]
    text: str
    why: str = ""  # for moved: the front-matter key; otherwise the reason in words
    at: int = 0  # the line of the record file holding this entry (0 when not read from a file)


@dataclass(frozen=True)
class Record:
    """A page's provenance record."""

    path: Path
    source: str
    entries: tuple[Entry, ...]


def record_path(page: Path) -> Path:
    """Where a page's record lives: beside it, named after it (2017-jiaxian.md → 2017-jiaxian.provenance.yml)."""
    return page.with_name(page.stem + SUFFIX)


def dump(source: str, entries: tuple[Entry, ...] | list[Entry]) -> str:
    """The record file's text for a source and its entries."""
    data: dict[str, Any] = {"source": source}
    for kind in _KINDS:
        items = []
        for e in (e for e in entries if e.kind == kind):
            item: dict[str, Any] = {"line": e.lines[0]} if len(e.lines) == 1 else {"lines": list(e.lines)}
            item["text"] = e.text
            if e.why:
                item["to" if kind == "moved" else "why"] = e.why
            items.append(item)
        data[kind] = items
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None)


class RecordError(ValueError):
    """A record file that cannot be read, with the line at fault."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


def _entry(kind: str, node: yaml.Node) -> Entry:
    """One entry of a record from its YAML node (kept for the line it is on)."""
    value = yaml.safe_load(yaml.serialize(node))
    line = node.start_mark.line + 1
    if not isinstance(value, dict) or "text" not in value:
        raise RecordError(line, f"each '{kind}' entry needs a 'text' (and a 'line')")
    raw = value.get("lines", [value.get("line", 0)])
    lines = tuple(int(n) for n in (raw if isinstance(raw, list) else [raw]) if isinstance(n, int))
    why = str(value.get("to", value.get("why", "")) or "")
    return Entry(kind, lines or (0,), str(value["text"]), why, line)


def parse(path: Path, text: str) -> Record:
    """A record from its file's text; RecordError for bad YAML or a bad entry."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RecordError(mark.line + 1 if mark else 1, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(root, yaml.MappingNode):
        raise RecordError(1, "a provenance record is a mapping with source, moved, removed, captions and joined")
    entries: list[Entry] = []
    source = ""
    for key, value in root.value:
        name = str(key.value)
        if name == "source":
            source = str(value.value)
        elif name in _KINDS and isinstance(value, yaml.SequenceNode):
            entries += [_entry(name, item) for item in value.value]
        elif name in _KINDS and not (isinstance(value, yaml.ScalarNode) and value.value in ("", "null", "~")):
            raise RecordError(key.start_mark.line + 1, f"'{name}' must be a list")
        elif name not in _KINDS:
            raise RecordError(key.start_mark.line + 1, f"unknown key {name!r}: use source, {', '.join(_KINDS)}")
    return Record(path, source, tuple(entries))


def load(page: Path) -> Record | None:
    """The record beside a page, or None when there is none."""
    path = record_path(page)
    if not path.is_file():
        return None
    return parse(path, path.read_text("utf-8"))

"""Front matter: a file split into its YAML header (with the line of each key) and its body."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Problems

@dataclass
class Document:
    """A file split into front matter (with the line of each key) and body."""

    path: Path
    meta: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int


# libyaml's loader when PyYAML was built with it: several times faster than the pure-Python one.
_CLoader = getattr(yaml, "CSafeLoader", None)
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def _parse_yaml(text: str) -> tuple[Any, Any]:
    """The front matter's node tree (for key lines) and its value, composed once.

    Errors always come from the pure-Python loader, so their messages and line numbers do not depend
    on whether libyaml is installed.
    """
    if _CLoader is not None and not _NON_PRINTABLE.search(text):
        try:
            loader = _CLoader(text)
            try:
                node = loader.get_single_node()
                return node, (loader.construct_document(node) if node is not None else {})
            finally:
                loader.dispose()
        except yaml.YAMLError:
            pass  # reported below, as the pure-Python loader words it
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    return node, (yaml.safe_load(text) if node is not None else {})


def read_document(path: Path, problems: Problems) -> Document | None:
    """Read a Markdown file with YAML front matter; report what is wrong and return None."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.error(path, line, f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}; save the file as UTF-8")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.error(path, 1, "no front matter: the file must start with a line '---'")
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        problems.error(path, 1, "front matter is not closed by a line '---'")
        return None
    yaml_text = "\n".join(lines[1:end])
    try:
        node, meta = _parse_yaml(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark else 2  # +1 for 1-based, +1 for the opening '---'
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None and context_mark is not mark:
            # e.g. an unclosed '[' is only noticed on a later line: say where it opened.
            problem = f"{problem} ({context} opened on line {context_mark.line + 2})"
        problems.error(path, line, f"invalid YAML in front matter: {problem}")
        return None
    if not isinstance(meta, dict):
        problems.error(path, 2, "front matter must be a mapping of keys to values")
        return None
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    body = "\n".join(lines[end + 1 :])
    return Document(path, {str(k): v for k, v in meta.items()}, key_lines, body, end + 2)

"""A page's key: a digest of its template name and of everything its context holds."""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from markupsafe import Markup

from ..content import Programme, Report

# Where a report or programme was read from and its Markdown source are never shown as such: a page shows
# a body rendered, which it holds in its own context (a report page's `body`, a programme's `annotation`).
# Leaving them out keeps a list of titles from changing its key when one listed report's text is edited.
_NOT_SHOWN: dict[type, frozenset[str]] = {
    Report: frozenset({"path", "body", "body_line", "lines"}),
    Programme: frozenset({"path", "body", "body_line", "lines"}),
}
_SCALARS = (int, float, bool, type(None))


class Digests:
    """Page keys for one set of pages; a record met on many pages (a report, a group) is digested once."""

    def __init__(self) -> None:
        self._records: dict[int, tuple[object, bytes]] = {}  # id -> (the record, kept alive; its digest)

    def key(self, template: str, context: Mapping[str, Any]) -> str:
        """The hex digest of a template name and a context: equal exactly when both are equal."""
        out: list[bytes] = []
        self._encode(template, out)
        self._encode(dict(context), out)
        return hashlib.blake2b(b"".join(out), digest_size=16).hexdigest()

    def _encode(self, value: Any, out: list[bytes]) -> None:
        """Append an unambiguous encoding of a value: its type, its length where it has one, its parts."""
        kind = type(value)
        if kind is str or kind is Markup:  # Markup is printed as it is, str escaped: not the same page
            data = value.encode("utf-8", "surrogatepass")
            out.append(b"%s%d:" % (b"s" if kind is str else b"m", len(data)))
            out.append(data)
        elif kind in _SCALARS:
            out.append(b"%s:%s;" % (kind.__name__.encode(), repr(value).encode()))
        elif kind is list or kind is tuple:
            out.append(b"%s%d[" % (b"l" if kind is list else b"t", len(value)))
            for item in value:
                self._encode(item, out)
        elif kind is dict:
            out.append(b"d%d{" % len(value))
            for k, v in value.items():
                self._encode(k, out)
                self._encode(v, out)
        elif kind is set or kind is frozenset:
            parts = []
            for item in value:
                piece: list[bytes] = []
                self._encode(item, piece)
                parts.append(b"".join(piece))
            out.append(b"e%d{" % len(parts))
            out.extend(sorted(parts))
        elif isinstance(value, PurePath):
            self._encode(value.as_posix(), out)
        else:
            out.append(self._record(value))

    def _record(self, value: Any) -> bytes:
        """A record's digest (a dataclass or another object with fields), taken once per Digests."""
        hit = self._records.get(id(value))
        if hit is not None:
            return hit[1]
        kind = type(value)
        if dataclasses.is_dataclass(value):
            names = [f.name for f in dataclasses.fields(value)]
        elif hasattr(value, "__dict__") and not callable(value):
            names = list(vars(value))
        else:
            raise TypeError(f"a page context holds a {kind.__qualname__}, which has no fields to digest")
        hidden = _NOT_SHOWN.get(kind, frozenset())
        out = [f"{kind.__module__}.{kind.__qualname__}(".encode()]
        for name in names:
            if name not in hidden:
                self._encode(name, out)
                self._encode(getattr(value, name), out)
        digest = b"r" + hashlib.blake2b(b"".join(out), digest_size=16).digest()
        self._records[id(value)] = (value, digest)
        return digest

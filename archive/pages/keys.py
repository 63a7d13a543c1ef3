"""A page's key: a digest of its template name and of everything its context holds.

Equal keys render equal bytes with the same layouts; a change under layouts/ re-renders every page. Only a
watch session's memo asks for keys: a full build renders every page and needs none.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import operator
import pickle
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..content import Programme, Report
from ..programmes import ReportFigure
from .timeline import TimelineMark

if TYPE_CHECKING:
    from .describe import Page

# Where a report or programme was read from and its Markdown source are never shown as such: a page shows
# a body rendered, which it holds in its own context (a report page's `body`, a programme's `annotation`).
# Leaving them out keeps a list of titles from changing its key when one listed report's text is edited.
_NOT_SHOWN: dict[type, frozenset[str]] = {
    Report: frozenset({"path", "body", "body_line", "lines"}),
    Programme: frozenset({"path", "body", "body_line", "lines"}),
}
# Records with this many fields (a report, a group, a programme's entry) are digested once and then
# referred to by digest: they are met on many pages. Smaller ones (a date, a passage), and those shown on
# one page only (a figure, a mark on the timeline), are written in place.
_SHARED_FIELDS = 6
_ONE_PAGE: frozenset[type] = frozenset({ReportFigure, TimelineMark})


_SETS = frozenset({set, frozenset})
_Fields = tuple[str, bool, Callable[[Any], tuple[Any, ...]]]  # a record type's name, whether shared, its fields' getter


def _field(value: Any) -> Any:
    """A field's value as it is digested: a set in a fixed order (its own order follows string hashing)."""
    if type(value) is set or type(value) is frozenset:
        return ("set", sorted(value, key=repr))
    return value


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving a record's values of these fields as a tuple (attrgetter, in C, for two or more)."""
    if len(names) >= 2:
        return operator.attrgetter(*names)
    return lambda obj: tuple(getattr(obj, n) for n in names)


def _record(*parts: Any) -> None:
    """Stands for a record in the digested bytes; they are never loaded, so it is never called."""
    raise AssertionError("page keys are digests, never unpickled")


class _Pickler(pickle.Pickler):
    """Pickles a context for its digest only: records by their fields (or their digest), no functions."""

    def __init__(self, buffer: io.BytesIO, digests: Digests) -> None:
        super().__init__(buffer, protocol=5)
        # No memo: equal contexts must give equal bytes whichever of their equal parts are the same object
        # (a watch rebuild keeps an unchanged report's findings, whose strings are not the new build's).
        self.fast = True
        # ... but the stand-in of every record, met hundreds of thousands of times, is written as a reference to
        # the memo's first entry: fast mode reads the memo (it never adds to it) before calling reducer_override
        self.memo = {id(_record): (0, _record)}
        self.digests = digests
        self.records = digests.records
        self.getters = digests.getters

    def reducer_override(self, obj: Any) -> Any:
        """Called for every object but plain values and containers, which pickle in C without it."""
        known = self.records.get(id(obj))
        if known is not None:  # a report on many lists: the most frequent case by far
            return _record, (known[1],)
        kind = type(obj)
        fields = self.getters.get(kind)
        if fields is None:
            if kind is Markup:  # printed as it is, where a str is escaped: not the same page
                return _record, ("Markup", str(obj))
            if isinstance(obj, PurePath):
                return _record, ("Path", obj.as_posix())
            fields = self.digests.fields_of(kind)
        name, shared, get = fields
        if shared:
            return _record, (self.digests.record(obj, get),)
        values = get(obj)
        if not _SETS.isdisjoint(map(type, values)):
            values = tuple(map(_field, values))
        return _record, (name, values)


class Digests:
    """Page keys for one set of pages; a record met on many pages (a report, a group) is digested once."""

    def __init__(self) -> None:
        self.records: dict[int, tuple[object, bytes]] = {}  # id -> (the record, kept alive; its digest)
        self.getters: dict[type, _Fields] = {}  # record type -> how its fields are digested

    def key(self, template: str, context: Mapping[str, Any]) -> str:
        """The hex digest of a template name and a context: equal exactly when both are equal."""
        return self._digest((template, context)).hex()

    def _digest(self, value: Any) -> bytes:
        """blake2b of a value's pickle (records as _Pickler writes them)."""
        buffer = io.BytesIO()
        _Pickler(buffer, self).dump(value)
        return hashlib.blake2b(buffer.getvalue(), digest_size=16).digest()

    def record(self, obj: Any, get: Callable[[Any], tuple[Any, ...]]) -> bytes:
        """A shared record's digest, taken once per Digests."""
        hit = self.records.get(id(obj))
        if hit is None:
            kind = type(obj)
            fields = tuple(map(_field, get(obj)))
            hit = self.records[id(obj)] = (obj, self._digest((f"{kind.__module__}.{kind.__qualname__}", fields)))
        return hit[1]

    def fields_of(self, kind: type) -> _Fields:
        """How a record type is digested: the fields pages may show; a type that is no dataclass is refused."""
        if not dataclasses.is_dataclass(kind):  # e.g. a function: its key would depend on what it happens to hold
            raise TypeError(f"a page context holds a {kind.__qualname__}, which is not a record to digest")
        hidden = _NOT_SHOWN.get(kind, frozenset())
        names = [f.name for f in dataclasses.fields(kind) if f.name not in hidden]
        shared = len(names) >= _SHARED_FIELDS and kind not in _ONE_PAGE
        fields = self.getters[kind] = (kind.__qualname__, shared, _getter(names))
        return fields


def page_keys(pages: Sequence[Page]) -> list[str]:
    """Each page's key, a record shown on many of them digested once."""
    digests = Digests()
    return [digests.key(page.template, page.context) for page in pages]

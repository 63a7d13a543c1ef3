"""Incremental rebuilds: keep what the last build computed, redo only what a change touches.

Nothing here knows which page shows which report. Instead every expensive step is cached by a
fingerprint of its inputs, computed from outside the modules that do the work:
- front matter: each file's parsed document is kept until the file's bytes change;
- Markdown bodies: each body is kept under a digest of its report and of the programme registry;
- templates: each Jinja render is kept under a digest of the template, its globals and its context,
  so a page is rendered again exactly when something it was given changed;
- output: only files whose bytes changed are written, and files no longer produced are deleted,
  so unrelated pages keep their modification time.
A change under layouts/ or to the config drops the template cache (templates include each other).
"""
from __future__ import annotations

import hashlib
import io
import operator
import os
import pickle
import re
import threading
import time
import types
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Callable, Iterator

import jinja2

from . import content as content_module
from .errors import Problem, Problems
from .output import OutputFile, check_outputs, destination

_read_document = content_module.read_document  # the uncached reader, captured before any patching
_parse_report = content_module.parse_report


def digest(data: bytes) -> bytes:
    """A short, collision-safe digest of bytes."""
    return hashlib.blake2b(data, digest_size=16).digest()


# ---------------------------------------------------------------- fingerprints of Python values

_ATOMIC = (str, bytes, int, float, bool, type(None), complex)


class Fingerprints:
    """Digests of arbitrary values for one build; shared objects are digested once and referred to by digest."""

    def __init__(self, known: dict[Any, tuple[Any, bytes]] | None = None) -> None:
        # id -> (object, digest); the object is held so its id cannot be reused during the build
        self.memo: dict[Any, tuple[Any, bytes]] = dict(known or {})

    def of(self, value: Any, keep: bool = False) -> bytes:
        """The digest of a value: equal digests mean equal content; keep=True remembers it for this build."""
        hit = self.memo.get(id(value))
        if hit is not None and hit[1] != b"(cycle)":
            return hit[1]
        buffer = io.BytesIO()
        _Pickler(buffer, self, value).dump(value)
        value_digest = digest(buffer.getvalue())
        if keep:
            # Pages render after the site is complete, so within one build a value observed by many pages
            # (the navigation, a group's reports) is the same object with the same content.
            self.remember(value, value_digest)
        return value_digest

    def of_environment(self, env: jinja2.Environment) -> bytes:
        """What besides a template and its context shapes its output: globals, filters, tests, policies."""
        key = ("environment", id(env))
        hit = self.memo.get(key)  # type: ignore[call-overload]
        if hit is None:
            self.memo[key] = (env, b"(cycle)")  # type: ignore[index]
            state = (getattr(env.loader, "searchpath", None), env.globals, env.filters, env.tests, env.policies,
                     env.autoescape, env.finalize, env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline,
                     env.undefined)
            hit = self.memo[key] = (env, self.of(state))  # type: ignore[index]
        return hit[1]

    def remember(self, obj: Any, value: bytes) -> None:
        """Declare the digest of an object whose content is known (e.g. a cached body)."""
        self.memo[id(obj)] = (obj, value)


class _Pickler(pickle.Pickler):
    """A pickler used only for hashing: functions by code and closure, entities by digest."""

    def __init__(self, buffer: io.BytesIO, prints: Fingerprints, top: Any) -> None:
        super().__init__(buffer, protocol=5)
        self.prints, self.top = prints, top

    def reducer_override(self, obj: Any) -> Any:
        # Called for every object except plain values and containers, which pickle in C without it.
        if obj is _rebuild:
            return NotImplemented
        if obj is not self.top:
            hit = self.prints.memo.get(id(obj))
            if hit is not None:
                return _rebuild, ("ref", hit[1])
            fields = getattr(obj, "__dict__", None)
            # Sizeable objects (a report, a group, the site) are digested once per build and then referred
            # to by digest; small ones (a date, a passage) are cheaper to pickle in place.
            if isinstance(obj, (types.FunctionType, types.MethodType)) or (fields is not None and len(fields) >= 5):
                self.prints.remember(obj, b"(cycle)")  # a reference back to an object being digested
                value = self.prints.of(obj)
                self.prints.remember(obj, value)
                return _rebuild, ("ref", value)
        if isinstance(obj, types.FunctionType):
            cells = tuple(c.cell_contents for c in obj.__closure__ or ())
            return _rebuild, (obj.__module__, obj.__qualname__, obj.__code__.co_code, obj.__defaults__, obj.__kwdefaults__, cells)
        if isinstance(obj, types.MethodType):
            return _rebuild, ("method", obj.__func__, obj.__self__)
        if isinstance(obj, types.BuiltinFunctionType) and not isinstance(getattr(obj, "__self__", None), (types.ModuleType, type(None))):
            return _rebuild, ("builtin method", obj.__qualname__, obj.__self__)  # e.g. a dict's .items: its dict matters
        if isinstance(obj, (types.BuiltinFunctionType, types.ModuleType, type)):
            return _rebuild, (getattr(obj, "__module__", None), getattr(obj, "__qualname__", getattr(obj, "__name__", repr(obj))))
        if isinstance(obj, jinja2.Environment):
            return _rebuild, ("jinja2.Environment", self.prints.of_environment(obj))
        return NotImplemented


def _rebuild(*args: Any) -> None:
    """Never called: fingerprints are only ever dumped, never loaded."""
    raise AssertionError("fingerprints are not meant to be unpickled")


# ---------------------------------------------------------------- objects kept across builds
#
# A rebuild makes every derived object (a report, a group, a programme's page data) afresh. Where one
# is equal to what the last build made, stable() hands back the old object instead, so unchanged data
# stays the same Python object from build to build. Such objects are never mutated afterwards; a page
# whose context values are all kept objects (or equal plain values) read nothing that changed, and is
# reused without following what it read. Only pages given a new object are checked in detail.


def _equal(a: Any, b: Any) -> bool:
    """Deep equality that also requires equal types (True is not 1), short-cut where objects are identical."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind in _PLAIN or isinstance(a, (str, bytes, int, float, complex, PurePath)):
        return a == b
    if kind is list or kind is tuple:
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if x is y:
                continue
            if type(x) is not type(y) or not (x == y if type(x) in _PLAIN else _equal(x, y)):
                return False
        return True
    if kind is dict:
        if len(a) != len(b):
            return False
        for (k, x), (j, y) in zip(a.items(), b.items()):
            if type(k) is not type(j) or k != j:
                return False
            if x is y:
                continue
            if type(x) is not type(y) or not (x == y if type(x) in _PLAIN else _equal(x, y)):
                return False
        return True
    if kind is set or kind is frozenset:
        return a == b and all(type(x) in _PLAIN for x in a)
    if isinstance(a, types.FunctionType):
        return (a.__code__ is b.__code__ and _equal(a.__defaults__, b.__defaults__)
                and _equal(tuple(c.cell_contents for c in a.__closure__ or ()),
                           tuple(c.cell_contents for c in b.__closure__ or ())))
    fields = getattr(a, "__dict__", None)
    if fields is not None and not callable(a) and not isinstance(a, (type, types.ModuleType)):
        return _equal(fields, b.__dict__)
    return False


def stable(key: Any, value: Any) -> Any:
    """value, or the equal object the last build gave under the same key (outside watch mode: value).

    Call it on finished objects, children first: an object whose parts were kept compares by identity.
    The object returned must not be mutated.
    """
    cache = getattr(_local, "active", None)
    if cache is None:
        return value
    done = cache.resolved.get(id(value))
    if done is not None and done[0] is value:  # the same object asked about twice in one build
        return done[1]
    fresh = value
    old = cache.kept.get(key)
    if old is not None and (old[0] is value or _equal(old[0], value)):
        value, flat = old  # vouched for since it was made
    else:
        flat = {}
        _freeze(flat, value, 1)
        cache.frozen.update(flat)
    cache.resolved[id(value)] = (value, value)
    cache.resolved[id(fresh)] = (fresh, value)
    cache.kept_now[key] = (value, flat)
    return value


def derived(key: Any, sources: tuple, compute: Callable[[], Any], depth: int = 3) -> Any:
    """compute(), or what it gave under this key in the last build when every source is the same kept object.

    compute() must depend on nothing but the sources (kept objects: stable(), bodies), and its result
    must not be mutated; it is vouched for to `depth` levels of what it holds (objects made by compute()
    itself, not kept ones it refers to). Outside watch mode it simply calls compute().
    """
    cache = getattr(_local, "active", None)
    if cache is None:
        return compute()
    old = cache.derivations.get(key)
    kept = all(id(s) in cache.frozen for s in sources)
    if kept and old is not None and len(old[0]) == len(sources) and all(map(operator.is_, old[0], sources)):
        value, flat = old[1], old[2]
    else:
        value, flat = compute(), {}
        if kept:
            _freeze(flat, value, depth)  # e.g. a report's findings: a dict of lists of passages
            cache.frozen.update(flat)
    cache.derivations_now[key] = (sources, value, flat)
    return value


def while_equal(key: Any, inputs: Any, compute: Callable[[], Any]) -> Any:
    """compute(), or what it gave under this key in the last build while its inputs compare equal (==).

    For inputs of strings and numbers in lists, tuples, sets and dicts, where comparing them is cheaper
    than digesting them (cached()). compute() must depend on nothing else. Outside watch mode: compute().
    """
    cache = getattr(_local, "active", None)
    if cache is None:
        return compute()
    old = cache.derivations.get(key)
    if old is not None and old[0] == inputs:
        value, flat = old[1], old[2]
    else:
        value, flat = compute(), {}
        _freeze(flat, value, 1)
        cache.frozen.update(flat)
    cache.derivations_now[key] = (inputs, value, flat)
    return value


def _freeze(frozen: dict[int, Any], value: Any, depth: int) -> None:
    """Vouch for an object and what it holds (to a depth): none of them is mutated after this build."""
    kind = type(value)
    if kind in _PLAIN:
        return
    if kind is list or kind is tuple:
        if _plain(value):
            return  # plain values, e.g. a passage's pieces: observed by value, not by identity
        frozen[id(value)] = value
        if depth > 0:
            for item in value:
                _freeze(frozen, item, depth - 1)
        return
    frozen[id(value)] = value
    if depth <= 0:
        return
    if kind is dict:
        for item in value.values():
            _freeze(frozen, item, depth - 1)
    elif hasattr(value, "__dict__") and not callable(value):
        for item in value.__dict__.values():
            _freeze(frozen, item, depth - 1)


# ---------------------------------------------------------------- what a template observed
#
# A page's context holds the whole site, yet a report page reads only a few of its values. While a
# page renders, every context value is wrapped in a probe that records what the template observed:
# a path of attribute and item accesses from a context variable, and what was done with the value
# at its end (its full value, its length, its type). Reading an attribute gives another probe; any
# other use (printing, comparing, iterating, calling, truth) observes the full value. When every
# observation gives the same result again, the template would take the same path and print the same
# text, so the page is not rendered again.

Path_ = tuple  # (variable, (".", attr) | ("[]", key), ...)
class _Missing:
    """What an observation gives when its path leads nowhere: equal to nothing a template could read."""

    def __reduce__(self) -> str:
        return "_MISSING"

    def __repr__(self) -> str:
        return "(missing)"


_MISSING = _Missing()


def _observe(value: Any, path: Path_, recorder: set) -> Any:
    """The value itself when it is a leaf (recorded), else a probe standing in for it."""
    if isinstance(value, _ATOMIC) or callable(value) or isinstance(value, (type, types.ModuleType)):
        recorder.add((path, "value"))
        return value
    if isinstance(value, (list, tuple, dict)) or hasattr(value, "__dict__") or hasattr(value, "__slots__"):
        return _Probe(value, path, recorder)
    recorder.add((path, "value"))
    return value


def _parts(probe: "_Probe") -> tuple[Any, Path_, set]:
    get = object.__getattribute__
    return get(probe, "_o"), get(probe, "_p"), get(probe, "_r")


def _whole(op: str = "value") -> Callable:
    """A special method that observes the probed value in full, then acts on the real value."""
    def method(self: "_Probe", *args: Any) -> Any:
        obj, path, recorder = _parts(self)
        recorder.add((path, op))
        real = [_parts(a)[0] if type(a) is _Probe else a for a in args]
        return getattr(obj, method.__name__)(*real)
    return method


class _Probe:
    """Stands in for a context value while a template renders, recording what the template reads."""

    __slots__ = ("_o", "_p", "_r")

    def __init__(self, obj: Any, path: Path_, recorder: set) -> None:
        object.__setattr__(self, "_o", obj)
        object.__setattr__(self, "_p", path)
        object.__setattr__(self, "_r", recorder)

    def __getattribute__(self, name: str) -> Any:
        obj, path, recorder = _parts(self)
        if name == "__class__":
            recorder.add((path, "type"))
            return obj.__class__
        try:
            value = getattr(obj, name)
        except AttributeError:
            recorder.add((path + ((".", name),), "value"))
            raise
        return _observe(value, path + ((".", name),), recorder)

    def __getitem__(self, key: Any) -> Any:
        obj, path, recorder = _parts(self)
        if type(key) in (str, int):
            try:
                value = obj[key]
            except Exception:
                recorder.add((path + (("[]", key),), "value"))
                raise
            return _observe(value, path + (("[]", key),), recorder)
        recorder.add((path, "value"))
        return obj[key]

    def __len__(self) -> int:
        obj, path, recorder = _parts(self)
        recorder.add((path, "len"))
        return len(obj)

    def __bool__(self) -> bool:
        obj, path, recorder = _parts(self)
        # `{% if older %}` observes whether there is one, not the neighbouring report's whole text
        recorder.add((path, "len" if isinstance(obj, (list, tuple, dict)) else "bool"))
        return bool(obj)

    def __iter__(self) -> Iterator[Any]:
        obj, path, recorder = _parts(self)
        if type(obj) in (list, tuple) and obj and all(_is_record(item) for item in obj):
            # A loop over records (reports, groups, figures) observes how many there are and, for every
            # item alike ("*"), what it reads of them: a county page that prints titles does not depend
            # on the bodies of its reports, a programme page not on sentences that do not mention it.
            recorder.add((path, "len"))
            return (_Probe(item, path + (("*", None),), recorder) for item in obj)
        if type(obj) in (list, tuple) and obj and all(type(item) is tuple for item in obj) and not _plain(obj):
            # A loop over pairs (`for category, entries in index.categories`) unpacks each: every element
            # is observed by its position, alike for every item, like the records above.
            recorder.add((path, "len"))
            return (tuple(_observe(x, path + (("*", None), ("[]", j)), recorder) for j, x in enumerate(item))
                    for item in obj)
        recorder.add((path, "value"))
        return iter(obj)

    def __contains__(self, key: Any) -> bool:
        obj, path, recorder = _parts(self)
        if type(obj) is dict and type(key) in (str, int):
            recorder.add((path + (("in", key),), "value"))  # `slug in passages` observes one key, not the values
        else:
            recorder.add((path, "value"))
        return key in obj

    def __setattr__(self, name: str, value: Any) -> None:
        obj, path, recorder = _parts(self)
        recorder.add((path, "value"))
        setattr(obj, name, value)

    for _name in ("__str__", "__repr__", "__format__", "__hash__", "__eq__", "__ne__", "__lt__", "__le__",
                  "__gt__", "__ge__", "__call__", "__reversed__", "__add__", "__radd__",
                  "__mul__", "__mod__", "__int__", "__float__", "__index__"):
        locals()[_name] = _whole()
        locals()[_name].__name__ = _name
    del _name


def _is_record(item: Any) -> bool:
    """An object with fields of its own (a report, a figure), as opposed to a plain value or a function."""
    return hasattr(item, "__dict__") and not callable(item) and not isinstance(item, (type, types.ModuleType))


class _Unavailable(Exception):
    """An observation that cannot be taken again (its value cannot be fingerprinted)."""


def _leaf(value: Any, op: str, prints: Fingerprints) -> Any:
    """What op observes of a value at the end of its path."""
    if op == "len":
        return len(value)
    if op == "type":
        return type(value).__qualname__
    if op == "bool":
        return bool(value)
    if type(value) in _PLAIN:
        return value
    if type(value) in (list, tuple) and _plain(value):
        return value  # e.g. a passage's (text, marked) pieces: pickled with the key, in C, not digested apart
    if type(value) is types.MethodType:
        # date.iso, read of every report a page lists: a fresh bound method each time, its date shared
        return ("method", prints.of(value.__func__, keep=True), prints.of(value.__self__, keep=True))
    return prints.of(value, keep=True)


_PLAIN = (str, int, bool, float, type(None), bytes)
_PLAIN_SET = frozenset(_PLAIN)


def _plain(value: list | tuple, depth: int = 0) -> bool:
    """A short list or tuple of plain values (or of such lists and tuples): its pickle is its fingerprint."""
    if len(value) > 64 or depth > 2:
        return False
    for item in value:
        if type(item) not in _PLAIN and not (type(item) in (list, tuple) and _plain(item, depth + 1)):
            return False
    return True


class _Node:
    """What a page observed below one value: the ops taken of it, the steps taken from it, and what they gave.

    A "*" child stands for every item of a list alike; it keeps each item with the digest of what was
    observed of it, so a list in which one report changed is checked at that report only.
    """

    __slots__ = ("ops", "children", "seen", "results", "items")

    def __init__(self) -> None:
        self.ops: list[str] = []
        self.children: dict[tuple, _Node] = {}
        self.seen: Any = _MISSING  # the value observed last time
        self.results: list = []
        self.items: list[tuple[Any, bytes]] | None = None  # "*" nodes: (item, digest of its observations)


def _tree(observed: list) -> dict[str, _Node]:
    """The observations of a page as one tree per context name, in a fixed order."""
    roots: dict[str, _Node] = {}
    for path, op in sorted(observed, key=repr):
        node = roots.setdefault(path[0], _Node())
        for step in path[1:]:
            node = node.children.setdefault(step, _Node())
        node.ops.append(op)
    return roots


def _step(value: Any, step: tuple) -> Any:
    """The value one attribute, item or membership step leads to (_MISSING when it fails)."""
    if value is _MISSING:
        return _MISSING
    kind, name = step
    try:
        if kind == ".":
            return getattr(value, name)
        if kind == "in":
            return name in value
        return value[name]
    except Exception:
        return _MISSING


def _results(node: _Node, value: Any, prints: Fingerprints) -> list:
    """What each op of a node gives for a value (raises _Unavailable when one cannot be taken)."""
    if value is _MISSING or not node.ops:
        return [_MISSING] * len(node.ops)
    try:
        return [_leaf(value, op, prints) for op in node.ops]
    except Exception as exc:
        raise _Unavailable from exc


def _flat(node: _Node, value: Any, prints: Fingerprints, out: list) -> None:
    """Every result observed below node for a value, appended in the tree's order."""
    out.append(_results(node, value, prints))
    for step, child in node.children.items():
        if step[0] == "*":
            if type(value) not in (list, tuple):
                out.append(_MISSING)
                continue
            out.append(len(value))
            for item in value:
                _flat(child, item, prints, out)
        else:
            _flat(child, _step(value, step), prints, out)


def _item_key(node: _Node, item: Any, prints: Fingerprints) -> bytes:
    """The digest of what a page observed of one item of a list."""
    out: list = []
    _flat(node, item, prints, out)
    return _canonical(out)


def _canonical(value: Any) -> bytes:
    """Plain values as bytes that are equal exactly when the values are (no memo: sharing makes no difference)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # without it, a string met twice is written once and then referred to
    pickler.dump(value)
    return buffer.getvalue()


def _record(node: _Node, value: Any, prints: Fingerprints) -> None:
    """Take every observation below node for a value and remember what it gave."""
    node.seen = value
    node.results = _results(node, value, prints)
    for step, child in node.children.items():
        if step[0] == "*":
            child.items = [(item, _item_key(child, item, prints)) for item in value] if type(value) in (list, tuple) else None
        else:
            _record(child, _step(value, step), prints)


def _check(node: _Node, value: Any, prints: Fingerprints, frozen: dict[int, Any]) -> bool:
    """Whether every observation below node gives what it gave last time; remembers the values seen now."""
    before = node.seen
    if value is before and (id(value) in frozen or value is _MISSING) or _same_root(value, before, frozen):
        node.seen = value
        return True
    if node.ops and not _equal(_results(node, value, prints), node.results):
        return False
    for step, child in node.children.items():
        if step[0] == "*":
            if type(value) not in (list, tuple) or child.items is None:
                if type(value) in (list, tuple) or child.items is not None:
                    return False
                continue
            if len(value) != len(child.items):
                return False
            items = []
            for item, (old, key) in zip(value, child.items):
                if not (item is old and id(item) in frozen):
                    if _item_key(child, item, prints) != key:
                        return False
                items.append((item, key))
            child.items = items
        else:
            seen = _step(value, step)
            # most steps lead to the very kept object seen last time: no call for it
            if not (seen is child.seen and id(seen) in frozen) and not _check(child, seen, prints, frozen):
                return False
    node.seen = value
    return True


# ---------------------------------------------------------------- what changed on disk


# Editor droppings: vim swap and backup files and its 4913 write test, emacs locks and autosaves,
# JetBrains and generic temporary files, OS metadata.
_IGNORED_NAME = re.compile(
    r"""^(?:\.\#.*|\#.*\#|4913|\.DS_Store|Thumbs\.db|\.goutputstream-.*)$
      |(?:~|\.sw[a-px]|\.swpx|\.tmp|\.temp|\.bak|\.part|\.crdownload|___jb_(?:tmp|old)___)$""",
    re.VERBOSE,
)

def ignored(path: str) -> bool:
    """Whether a changed file is an editor's swap, lock or temporary file."""
    name = os.path.basename(path)
    return bool(_IGNORED_NAME.search(name)) or name.startswith(".") and name.endswith((".swp", ".tmp"))


Snapshot = dict[str, tuple[int, int]]  # path -> (mtime_ns, size)


def snapshot(paths: list[Path]) -> Snapshot:
    """Modification time and size of every file under the given files and folders."""
    found: Snapshot = {}
    for path in paths:
        if path.is_file():
            st = path.stat()
            found[str(path)] = (st.st_mtime_ns, st.st_size)
        elif path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs.sort()
                for name in files:
                    if ignored(name):
                        continue
                    full = os.path.join(folder, name)
                    try:
                        st = os.stat(full)
                    except FileNotFoundError:
                        continue
                    found[full] = (st.st_mtime_ns, st.st_size)
    return found


@dataclass
class Changes:
    """Files added, modified and removed between two snapshots."""

    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @classmethod
    def between(cls, old: Snapshot, new: Snapshot) -> "Changes":
        """Compare two snapshots."""
        return cls(
            sorted(p for p in new if p not in old),
            sorted(p for p in new if p in old and new[p] != old[p]),
            sorted(p for p in old if p not in new),
        )

    @property
    def paths(self) -> list[str]:
        """Every changed path."""
        return self.added + self.modified + self.removed

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.removed)

    def describe(self) -> str:
        """'content/reports/a.md changed', '3 files changed (2 added, 1 removed)'."""
        paths = self.paths
        if len(paths) == 1:
            verb = "added" if self.added else "deleted" if self.removed else "changed"
            return f"{_short(paths[0])} {verb}"
        parts = [f"{len(v)} {k}" for k, v in (("added", self.added), ("changed", self.modified), ("deleted", self.removed)) if v]
        return f"{len(paths)} files ({', '.join(parts)})"


def _short(path: str) -> str:
    """A path relative to the working directory when it is below it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


# ---------------------------------------------------------------- the cache


@dataclass
class Stats:
    """What the last build redid and what it reused."""

    documents_read: int = 0
    bodies_rendered: int = 0
    bodies_reused: int = 0
    pages_rendered: int = 0
    pages_reused: int = 0
    pages_unprobed: int = 0  # renders that had to depend on their whole context
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    full: bool = False

    def describe(self) -> str:
        """One line: what was rebuilt."""
        scope = "full rebuild: " if self.full else ""
        return (
            f"{scope}{self.pages_rendered} page(s) rendered, {self.pages_reused} reused; "
            f"{len(self.written)} file(s) written, {len(self.deleted)} deleted"
        )


class _Text(str):
    """A rendered page that remembers its UTF-8 bytes: a reused page is not encoded again (58 MB at 1,000 reports)."""

    __slots__ = ("_utf8",)

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        if encoding.lower().replace("_", "-") not in ("utf-8", "utf8") or errors != "strict":
            return str.encode(self, encoding, errors)
        try:
            return self._utf8
        except AttributeError:
            self._utf8 = str.encode(self, "utf-8")
            return self._utf8


@dataclass
class _Page:
    """One rendered page: the names its context had, what it observed of each value, and its text."""

    names: frozenset
    roots: dict[str, _Node]  # context name -> its observations
    text: str


def _same_root(value: Any, before: Any, frozen: dict[int, Any]) -> bool:
    """A plain value equal to the last one, or a short list or tuple of kept objects and plain values."""
    kind = type(value)
    if kind is not type(before):
        return False
    if kind in _PLAIN or isinstance(value, str):  # also Markup: a report's body
        return value == before
    if kind is list or kind is tuple:
        if len(value) != len(before) or len(value) > 64:
            return False
        for a, b in zip(value, before):
            if a is b and id(a) in frozen:
                continue
            if type(a) is not type(b):
                return False
            if type(a) in _PLAIN:
                if a == b:
                    continue
                return False
            if _is_immutable_record(type(a)):
                # an immutable record of plain values, e.g. an entry of the navigation
                fields = a.__dict__
                if fields == b.__dict__ and _PLAIN_SET.issuperset(map(type, fields.values())):
                    continue
                return False
            # a pair such as (programme, count) of the programmes a group's reports mention
            if type(a) is tuple and len(a) == len(b) and all(
                    x is y and id(x) in frozen or type(x) in _PLAIN and type(x) is type(y) and x == y
                    for x, y in zip(a, b)):
                continue
            return False
        return True
    if kind is types.FunctionType:  # rel(): the same code over the same page URL
        if value.__code__ is not before.__code__ or value.__defaults__ != before.__defaults__:
            return False
        for c, d in zip(value.__closure__ or (), before.__closure__ or ()):
            x, y = c.cell_contents, d.cell_contents
            if type(x) not in _PLAIN or type(x) is not type(y) or x != y:
                return False
        return _PLAIN_SET.issuperset(map(type, value.__defaults__ or ()))
    return False


_RECORDS: dict[type, bool] = {}


def _is_immutable_record(kind: type) -> bool:
    """Whether a type is a frozen dataclass (its fields cannot be reassigned)."""
    known = _RECORDS.get(kind)
    if known is None:
        params = getattr(kind, "__dataclass_params__", None)
        known = _RECORDS[kind] = params is not None and params.frozen
    return known


class Cache:
    """Everything kept between builds of one watch session."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[tuple[int, int, int], bytes, Any, list[Problem]]] = {}
        self.bodies: dict[bytes, Any] = {}
        self.reports: dict[str, tuple[Any, Path, Any]] = {}  # path -> (document, content root, report)
        self.body_parts: dict[bytes, tuple[Any, dict[int, Any]]] = {}  # body key -> (body, it and its blocks by id)
        self.compiled: dict[bytes, Any] = {}  # Jinja code objects by source and environment
        self.values: dict[bytes, Any] = {}  # results of cached() by name and inputs
        self._seen_values: set[bytes] = set()
        self.pages: dict[tuple, _Page] = {}  # page -> what it observed and the text it gave
        self.kept: dict[Any, tuple[Any, dict]] = {}  # stable(): key -> (object the last good build kept, what it vouches for)
        self.kept_now: dict[Any, tuple[Any, dict]] = {}
        self.derivations: dict[Any, tuple[tuple, Any, dict]] = {}  # derived(): key -> (sources, result, vouched)
        self.derivations_now: dict[Any, tuple[tuple, Any, dict]] = {}
        self.resolved: dict[int, tuple[Any, Any]] = {}  # id -> (object given to stable(), object it returned)
        self.report_prints: dict[int, tuple[Any, bytes]] = {}  # id -> (kept report, its digest)
        # id -> object vouched for as never mutated (made by stable(), derived(), cached() or a body), kept
        # from build to build: a page that saw this very object before saw what it holds now. prune() drops
        # the objects no longer kept.
        self.frozen: dict[int, Any] = {}
        self._pruned_at = 0
        self._checked: set[str] = set()  # the paths of the last sync, all found safe and distinct
        self.published: dict[str, bytes] | None = None  # site path -> the bytes this session last wrote there
        self.stats = Stats()
        self.prints = Fingerprints()
        self._seen_pages: set[tuple] = set()
        self._seen_bodies: set[bytes] = set()

    def start(self, full: bool) -> None:
        """Begin a build; full=True forgets every rendered template (layouts or config changed)."""
        if full:
            self.pages.clear()
            self.compiled.clear()
        self.stats = Stats(full=full)
        self.prints = Fingerprints()
        self._seen_pages, self._seen_bodies, self._seen_values = set(), set(), set()
        self.kept_now, self.derivations_now, self.resolved = {}, {}, {}

    def finish(self) -> None:
        """Forget entries the last build did not use, so memory follows the site, not its history."""
        self.pages = {k: v for k, v in self.pages.items() if k in self._seen_pages}
        self.bodies = {k: v for k, v in self.bodies.items() if k in self._seen_bodies}
        self.body_parts = {k: v for k, v in self.body_parts.items() if k in self._seen_bodies}
        self.values = {k: v for k, v in self.values.items() if k in self._seen_values}
        self.kept, self.derivations = self.kept_now, self.derivations_now
        self.report_prints = {k: v for k, v in self.report_prints.items() if self.resolved.get(k, (0, 0))[1] is v[0]}
        self.resolved = {}
        if len(self.frozen) > 2 * self._pruned_at + 100_000:
            self.prune()

    def prune(self) -> None:
        """Forget the vouched objects that no kept object, derivation or body holds (memory, not speed)."""
        frozen: dict[int, Any] = {}
        for _, flat in self.kept.values():
            frozen.update(flat)
        for entry in self.derivations.values():
            frozen.update(entry[2])
        for _, flat in self.body_parts.values():
            frozen.update(flat)
        for value in self.values.values():
            frozen[id(value)] = value
        self.frozen = frozen
        self._pruned_at = len(frozen)

    @contextmanager
    def active(self) -> Iterator[None]:
        """While building, let cached() in any stage use this cache."""
        outer = getattr(_local, "active", None)
        _local.active = self
        try:
            yield
        finally:
            _local.active = outer

    # ---- front matter

    def read_document(self, path: Path, problems: Problems):
        """content.read_document, reusing the last result while the file's bytes are the same."""
        if path.name.startswith(".") or ignored(path.name):
            return None  # an editor's lock or swap file beside the page (emacs writes .#page.md), not a page
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        key = str(path)
        hit = self.documents.get(key)
        if hit is not None and hit[0] == stamp:
            problems.items.extend(hit[3])
            return hit[2]
        data = path.read_bytes()
        if hit is not None and hit[1] == digest(data):
            self.documents[key] = (stamp, hit[1], hit[2], hit[3])
            problems.items.extend(hit[3])
            return hit[2]
        own = Problems()
        doc = _read_document(path, own)
        self.stats.documents_read += 1
        self.documents[key] = (stamp, digest(data), doc, list(own.items))
        problems.items.extend(own.items)
        return doc

    @contextmanager
    def reading(self) -> Iterator[None]:
        """While loading, read front matter through the cache."""
        builder = threading.get_ident()
        content_module.read_document = lambda path, problems: (
            self.read_document(path, problems) if threading.get_ident() == builder else _read_document(path, problems))
        content_module.parse_report = lambda doc, root, problems: (
            self.parse_report(doc, root, problems) if threading.get_ident() == builder else _parse_report(doc, root, problems))
        try:
            yield
        finally:
            content_module.read_document = _read_document
            content_module.parse_report = _parse_report

    def parse_report(self, doc: Any, root: Path, problems: Problems):
        """content.parse_report, giving the very Report of the last build while its document is the same object.

        Only reports that parsed without a problem are kept; the one thing parsing looks at beyond the
        document, that the source file exists, is looked at again.
        """
        key = str(doc.path)
        hit = self.reports.get(key)
        if hit is not None and hit[0] is doc and hit[1] == root:
            report = hit[2]
            if not report.source_file or (root / "sources" / report.source_file).is_file():
                return report
        own = Problems()
        report = _parse_report(doc, root, own)
        problems.items.extend(own.items)
        if report is not None and not own.items:
            self.reports[key] = (doc, root, report)
        else:
            self.reports.pop(key, None)
        return report

    # ---- Markdown bodies

    def body_renderer(self, programmes: list) -> Callable[[Any, Any], Any]:
        """markdown.render_body(report, matcher), reusing bodies whose report and registry are unchanged."""
        from . import markdown

        registry = self.prints.of(programmes)

        def render(report, matcher):
            # An unchanged report is the object the last build kept (site.assemble asks again, for free),
            # and its digest is remembered with it.
            report = stable(("report", report.path), report)
            known = self.report_prints.get(id(report))
            if known is None or known[0] is not report:
                known = self.report_prints[id(report)] = (report, self.prints.of(report))
            self.prints.remember(report, known[1])
            key = digest(known[1] + registry)
            self._seen_bodies.add(key)
            body = self.bodies.get(key)
            if body is None:
                body = self.bodies[key] = markdown.render_body(report, matcher)
                self.stats.bodies_rendered += 1
            else:
                self.stats.bodies_reused += 1
            # Bodies are values: a page that shows the same body needs no fresh digest of it.
            self.prints.remember(body, key)
            flat = self.body_parts.get(key)
            if flat is None or flat[0] is not body:
                flat = self.body_parts[key] = (body, {id(body): body, **{id(p): p for p in body.paragraphs}})
                self.frozen.update(flat[1])  # a report page's table of contents lists its headings
            return body

        return render

    # ---- templates

    @contextmanager
    def rendering(self) -> Iterator[None]:
        """While rendering, answer each Jinja render from the cache when what it read is unchanged."""
        original, original_compile = jinja2.Template.render, jinja2.Environment.compile
        cache = self

        builder = threading.get_ident()  # the patch is process-wide; only the building thread uses the cache

        def render(template: jinja2.Template, *args: Any, **kwargs: Any) -> str:
            if threading.get_ident() != builder:
                return original(template, *args, **kwargs)
            context = dict(*args, **kwargs)
            return cache.render_template(original, template, context)

        def compile(env: jinja2.Environment, source: Any, name: str | None = None, filename: str | None = None,
                    raw: bool = False, defer_init: bool = False) -> Any:
            # The pages make a new Environment per build; compiling every layout again would cost more
            # than rendering the few pages that changed. The code depends on the source and the environment.
            if raw or not isinstance(source, str) or threading.get_ident() != builder:
                return original_compile(env, source, name, filename, raw, defer_init)
            escape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
            key = digest(pickle.dumps((source, name, filename, defer_init, escape, cache.prints.of_environment(env),
                                       env.block_start_string, env.variable_start_string, env.comment_start_string,
                                       env.line_statement_prefix, env.line_comment_prefix, env.newline_sequence,
                                       sorted(env.extensions), env.optimized, env.is_async, type(env).__qualname__)))
            code = cache.compiled.get(key)
            if code is None:
                code = cache.compiled[key] = original_compile(env, source, name, filename, raw, defer_init)
            return code

        jinja2.Template.render = render  # type: ignore[method-assign]
        jinja2.Environment.compile = compile  # type: ignore[method-assign, assignment]
        try:
            yield
        finally:
            jinja2.Template.render = original  # type: ignore[method-assign]
            jinja2.Environment.compile = original_compile  # type: ignore[method-assign]

    def render_template(self, original: Callable[..., str], template: jinja2.Template, context: dict[str, Any]) -> str:
        """One render, reused when every value the last render of this page observed is the same."""
        prints = self.prints
        env_key = prints.of_environment(template.environment)
        identity = (template.name, env_key, tuple(sorted(
            (k, v) for k, v in context.items() if type(v) in (str, int))))  # e.g. the page's url
        self._seen_pages.add(identity)
        page = self.pages.get(identity)
        if page is not None and self._unchanged(page, context):
            self.stats.pages_reused += 1
            return page.text
        self.stats.pages_rendered += 1
        recorder: set[tuple[tuple, str]] = set()
        probed = {name: _observe(value, (name,), recorder) for name, value in context.items()}
        try:
            text = original(template, probed)
        except Exception:
            # Something the probes cannot stand in for: render plainly and depend on every value.
            self.stats.pages_unprobed += 1
            text = original(template, context)
            recorder = {((name,), "value") for name in context}
        roots = _tree(list(recorder))
        try:
            for name, node in roots.items():
                _record(node, context.get(name, _MISSING), prints)
        except _Unavailable:
            self.pages.pop(identity, None)  # something it read cannot be fingerprinted: render it every time
        else:
            text = _Text(text)
            self.pages[identity] = _Page(frozenset(context), roots, text)
        return text

    def _unchanged(self, page: "_Page", context: dict[str, Any]) -> bool:
        """Whether every observation of the page gives what it gave last time.

        A value that is the kept object the page saw before (or an equal plain value, or a short list of
        such) is unchanged as a whole; below a new object, only what changed is looked at again.
        """
        if page.names != context.keys():
            return False
        frozen, prints = self.frozen, self.prints
        try:
            for name, node in page.roots.items():
                value, before = context.get(name, _MISSING), node.seen
                if value is before and id(value) in frozen:
                    continue
                kind = type(value)
                if kind in _PLAIN and kind is type(before) and value == before:
                    node.seen = value
                    continue
                if not _check(node, value, prints, frozen):
                    return False
        except _Unavailable:
            return False
        return True

    # ---- output

    def sync(self, files: list[OutputFile], out_dir: Path) -> None:
        """Make out_dir hold exactly these files, writing only those whose bytes changed."""
        # The same paths as the last sync passed the check (a permutation of them, no repeats): skip it.
        if len(files) != len(self._checked) or any(f.path not in self._checked for f in files):
            check_outputs(files)
            self._checked = {f.path for f in files}
        root = out_dir.resolve()
        root.mkdir(parents=True, exist_ok=True)
        # What is on disk: the bytes this session wrote (compared as they are, faster than digesting them
        # again), or, before its first write, digests of the files an earlier session left.
        previous: dict[str, bytes] = self.published if self.published is not None else _on_disk(root)
        digests = self.published is None
        now: dict[str, bytes] = {}
        for f in sorted(files, key=lambda f: f.path):
            now[f.path] = f.data
            before = previous.get(f.path)
            if before is not None and (before is f.data or (digest(f.data) if digests else f.data) == before) \
                    and os.path.isfile(os.path.join(root, f.path)):
                continue
            target = destination(root, f.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, f.data)
            self.stats.written.append(f.path)
        for path in sorted(set(previous) - set(now)):
            target = destination(root, path)
            if target.is_file() or target.is_symlink():
                target.unlink()
            _remove_empty_parents(target.parent, root)
            self.stats.deleted.append(path)
        self.published = now


def _on_disk(root: Path) -> dict[str, bytes]:
    """Digests of the files already in the output folder (from an earlier session)."""
    found: dict[str, bytes] = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            full = Path(folder) / name
            if full.is_symlink():
                found[full.relative_to(root).as_posix()] = b""  # never reused: always rewritten or removed
                continue
            found[full.relative_to(root).as_posix()] = digest(full.read_bytes())
    return found


def _write_atomically(target: Path, data: bytes) -> None:
    """Write through a temporary file so a reader never sees half a page."""
    if target.is_symlink():
        target.unlink()
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _remove_empty_parents(folder: Path, root: Path) -> None:
    """Remove folders left empty by a deletion, up to (not including) the output root."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


_local = threading.local()  # .active: the cache of the build running on this thread, if it has one


def cached(name: str, inputs: Any, compute: Callable[[], Any]) -> Any:
    """compute(), or its result from an earlier build of this watch session when `inputs` are unchanged.

    For per-report work in other stages (tokenizing a body, scoring a report): outside watch mode it
    simply calls compute(). `inputs` must hold everything compute() reads; the result must not be mutated.
    """
    cache = getattr(_local, "active", None)
    if cache is None:
        return compute()
    key = digest(name.encode() + b"\0" + cache.prints.of(inputs))
    cache._seen_values.add(key)
    value = cache.values.get(key, _MISSING)
    if value is _MISSING:
        value = cache.values[key] = compute()
    cache.frozen[id(value)] = value  # equal inputs give an equal value: it may stand for itself on pages
    return value


def fingerprint(value: Any) -> bytes | None:
    """The digest of a value shared by many cached() inputs, taken once per build (None outside watch mode).

    Pass it in their inputs instead of the value: a list is pickled element by element every time.
    """
    cache = getattr(_local, "active", None)
    return None if cache is None else cache.prints.of(value)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Run fn and return its result and how long it took in seconds."""
    started = time.perf_counter()
    return fn(), time.perf_counter() - started

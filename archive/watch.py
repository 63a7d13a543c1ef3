"""Watch mode: rebuild with the session's memo whenever content, layouts or the config change."""
from __future__ import annotations

import gc
import os
import re
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .build import BuildOptions, build
from .collection import Site
from .errors import BuildError, Problem
from .memo import Memo

SETTLE = 0.15  # seconds without a new event before rebuilding: several quick saves become one rebuild


# ---------------------------------------------------------------- what changed

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



# ---------------------------------------------------------------- the outcome of builds


@dataclass
class Live:
    """The outcome of every build, for pages waiting to reload: an epoch per build and what it changed."""

    epoch: int = 0
    error: str | None = None  # the problems of the last build, when it failed
    changed_at: dict[str, int] = field(default_factory=dict)  # site path -> epoch of its last change
    closing: bool = False
    cond: threading.Condition = field(default_factory=threading.Condition)

    def record(self, changed: list[str], error: str | None) -> None:
        """A build finished: wake every waiting page."""
        with self.cond:
            self.epoch += 1
            self.error = error
            for path in changed:
                self.changed_at[path] = self.epoch
            self.cond.notify_all()

    def wait(self, since: int, timeout: float) -> None:
        """Block until a build newer than `since` finished, the server closes, or timeout passes."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.epoch <= since and not self.closing:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.cond.wait(left)

    def close(self) -> None:
        """Release every waiting page so the server can stop."""
        with self.cond:
            self.closing = True
            self.cond.notify_all()


# ---------------------------------------------------------------- building


class Session:
    """One watch session: the memo, the last good site, and a lock that requests wait on during builds."""

    def __init__(self, options: BuildOptions, log: Callable[[str], None] | None = None) -> None:
        self.options = options
        self.memo = Memo()
        self.live = Live()
        self.lock = threading.Lock()  # held for a whole build; requests wait on it
        self.log = log or (lambda line: print(line, flush=True))
        self.sources = [options.content_dir, options.layouts_dir, options.config_file]
        self.seen: dict[str, tuple[int, int]] = {}
        self.failed = False
        self.builds = 0
        self.site: Site | None = None  # the last good site, for whoever wants to look (tests)
        self.warned: set[str] = set()

    def rebuild(self, force: bool = False) -> bool | None:
        """Rebuild if any watched file changed (or force); None when nothing changed, else whether it worked."""
        # The memo holds about a million objects: a full garbage collection scanning them during a
        # rebuild costs more than the rebuild (0.4-0.7 s at 1,000 reports). Collect while idle (tidy()).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._rebuild(force)
        finally:
            if collecting:
                gc.enable()

    def _rebuild(self, force: bool) -> bool | None:
        with self.lock:
            now = snapshot(self.sources)
            changes = Changes.between(self.seen, now)
            if not changes and not force and not self.failed:
                return None
            first = not self.seen
            self.seen = now
            full = first or any(self._is_layout_or_config(p) for p in changes.paths)
            what = "initial build" if first else changes.describe() if changes else "rebuild"
            started = time.perf_counter()
            self.memo.start(full=full)
            try:
                site, _files, problems = build(self.options, self.memo)
            except BuildError as exc:
                return self._failed(what, exc.problems)
            except jinja2.TemplateError as exc:
                return self._failed(what, [template_problem(exc, self.options.layouts_dir)])
            except Exception as exc:  # a bug reached by some edit must not stop the server: report where
                return self._failed(what, [exception_problem(exc)])
            self.memo.finish()
            elapsed = time.perf_counter() - started
            warnings = [str(w) for w in problems.warnings]
            for warning in warnings:
                if warning not in self.warned:  # each warning once, not again on every rebuild
                    self.log(warning)
            self.warned = set(warnings)
            stats = self.memo.stats
            self.failed = False
            self.builds += 1
            self.site = site
            self.log(f"{what}: {stats.describe()} ({len(site.reports)} reports) in {elapsed:.2f} s")
            self.live.record(stats.written + stats.deleted, None)
            return True

    def tidy(self) -> None:
        """Collect garbage while no build runs, then exempt what is left (the memo) from later collections."""
        with self.lock:
            gc.unfreeze()
            gc.collect()
            gc.freeze()

    def _failed(self, what: str, problems: list[Problem]) -> bool:
        """Report a failed build; the last good site stays on disk and on screen."""
        self.failed = True
        for problem in problems:
            self.log(str(problem))
        self.log(f"{what}: build failed with {len(problems)} error(s); still serving the last good site")
        self.live.record([], "\n".join(str(p) for p in problems))
        return False

    def _is_layout_or_config(self, path: str) -> bool:
        """Templates include each other and the config is on every page: such a change redoes every page."""
        p = Path(path).resolve()
        return p == self.options.config_file.resolve() or p.is_relative_to(self.options.layouts_dir.resolve())


def template_problem(exc: jinja2.TemplateError, layouts: Path) -> Problem:
    """A template error as path:line: message."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path = exc.filename or (str(layouts / exc.name) if exc.name else str(layouts))
        return Problem(_display(path), exc.lineno or 1, f"template error: {exc.message}")
    return exception_problem(exc, prefer=layouts)


def exception_problem(exc: BaseException, prefer: Path | None = None) -> Problem:
    """Any other error as path:line: message, at the innermost frame in a template or in our code."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = Path(__file__).resolve().parent
    chosen = None
    for frame in reversed(frames):
        where = Path(frame.filename).resolve()
        if prefer is not None and where.is_relative_to(prefer.resolve()):
            chosen = frame
            break
        if chosen is None and (where.is_relative_to(ours) or frame.filename.endswith(".html")):
            chosen = frame
    kind = "template error" if prefer is not None else type(exc).__name__
    if chosen is None:
        return Problem("build", 1, f"{kind}: {exc}")
    return Problem(_display(chosen.filename), chosen.lineno or 1, f"{kind}: {exc}")


def _display(path: str) -> str:
    """A path relative to the working directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


class Watcher:
    """Rebuilds after changes settle; runs on its own thread until stopped."""

    def __init__(self, session: Session, settle: float = SETTLE) -> None:
        self.session = session
        self.settle = settle
        self.changed = threading.Event()
        self.stopping = threading.Event()
        self.last_event = 0.0
        self.observer = Observer()
        self.thread = threading.Thread(target=self._loop, name="archive-rebuild", daemon=True)

    def start(self) -> None:
        """Watch content, layouts and the config file."""
        handler = _Handler(self)
        options = self.session.options
        for folder in (options.content_dir, options.layouts_dir):
            if folder.is_dir():
                self.observer.schedule(handler, str(folder), recursive=True)
        config_dir = options.config_file.resolve().parent
        self.config_file = str(options.config_file.resolve())
        self.observer.schedule(handler, str(config_dir), recursive=False)
        self.observer.start()
        self.thread.start()

    def notice(self, path: str) -> None:
        """A watched file changed: (re)start the settle timer."""
        self.last_event = time.monotonic()
        self.changed.set()

    def _loop(self) -> None:
        untidy = False
        while not self.stopping.is_set():
            if not self.changed.wait(0.5):
                if untidy:  # half a second without an edit: collect the garbage the builds left
                    self.session.tidy()
                    untidy = False
                continue
            untidy = True
            # Settle: wait until no event arrived for `settle` seconds, so a burst of saves is one rebuild.
            while not self.stopping.is_set() and time.monotonic() - self.last_event < self.settle:
                time.sleep(self.settle / 3)
            self.changed.clear()
            if self.stopping.is_set():
                return
            try:
                self.session.rebuild()
            except Exception as exc:  # e.g. a folder vanished mid-scan: say so and keep watching
                self.session.log(f"{exception_problem(exc)}; still watching")

    def stop(self) -> None:
        """Stop watching and wait for a running build to finish."""
        self.stopping.set()
        self.changed.set()
        if self.observer.is_alive():
            self.observer.stop()
            self.observer.join(timeout=10)
        if self.thread.is_alive():
            self.thread.join(timeout=30)


class _Handler(FileSystemEventHandler):
    """Forwards relevant file events to the watcher."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # our own reads of the sources
        paths = [os.fsdecode(event.src_path)]
        if getattr(event, "dest_path", ""):
            paths.append(os.fsdecode(event.dest_path))
        for path in paths:
            if ignored(path):
                continue
            parent = os.path.dirname(os.path.abspath(path))
            # In the config file's folder only the config file itself matters (the output may live there).
            if parent == os.path.dirname(self.watcher.config_file) and not self._under_watched_dirs(path):
                if os.path.abspath(path) != self.watcher.config_file:
                    continue
            if event.is_directory and event.event_type == "modified":
                continue
            self.watcher.notice(path)

    def _under_watched_dirs(self, path: str) -> bool:
        options = self.watcher.session.options
        p = Path(path).resolve()
        return any(p.is_relative_to(d.resolve()) for d in (options.content_dir, options.layouts_dir))

"""Watch and serve: rebuild on every change, serve the last good site, reload the pages a rebuild changed."""
from __future__ import annotations

import gc
import html
import json
import mimetypes
import os
import posixpath
import re
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

import jinja2
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .build import BuildOptions, build
from .errors import BuildError, Problem
from .incremental import Cache, Changes, ignored, snapshot
from .output import guard_options

SETTLE = 0.15  # seconds without a new event before rebuilding: several quick saves become one rebuild
POLL_TIMEOUT = 20.0  # seconds a live-reload request waits for a rebuild before answering "nothing new"
RELOAD_PATH = "/__livereload"
SCRIPT_PATH = "/__livereload.js"
SCRIPT_FILE = Path(__file__).with_name("livereload.js")

TEXT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".js": "text/javascript", ".mjs": "text/javascript",
    ".json": "application/json", ".xml": "application/xml", ".csv": "text/csv", ".txt": "text/plain",
    ".css": "text/css", ".svg": "image/svg+xml", ".md": "text/markdown", ".map": "application/json",
}


def content_type(path: str) -> str:
    """The Content-Type of a file, with charset=utf-8 for every text type."""
    ext = os.path.splitext(path)[1].lower()
    if ext in TEXT_TYPES:
        return TEXT_TYPES[ext] + "; charset=utf-8"
    guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return guessed + ("; charset=utf-8" if guessed.startswith("text/") else "")


# ---------------------------------------------------------------- the state pages wait on


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
    """One watch session: the cache, the last good site, and a lock that requests wait on during builds."""

    def __init__(self, options: BuildOptions, log: Callable[[str], None] | None = None) -> None:
        self.options = options
        self.cache = Cache()
        self.live = Live()
        self.lock = threading.Lock()  # held for a whole build; requests wait on it
        self.log = log or (lambda line: print(line, flush=True))
        self.sources = [options.content_dir, options.layouts_dir, options.config_file]
        self.seen: dict[str, tuple[int, int]] = {}
        self.failed = False
        self.builds = 0
        self.site = None  # the last good site, for whoever wants to look (tests)
        self.warned: set[str] = set()

    def rebuild(self, force: bool = False) -> bool | None:
        """Rebuild if any watched file changed (or force); None when nothing changed, else whether it worked."""
        # The cache holds about a million objects: a full garbage collection scanning them during a
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
            self.cache.start(full=full)
            try:
                site, _files, problems = build(self.options, self.cache)
            except BuildError as exc:
                return self._failed(what, exc.problems)
            except jinja2.TemplateError as exc:
                return self._failed(what, [template_problem(exc, self.options.layouts_dir)])
            except Exception as exc:  # a bug reached by some edit must not stop the server: report where
                return self._failed(what, [exception_problem(exc)])
            self.cache.finish()
            elapsed = time.perf_counter() - started
            warnings = [str(w) for w in problems.warnings]
            for warning in warnings:
                if warning not in self.warned:  # each warning once, not again on every rebuild
                    self.log(warning)
            self.warned = set(warnings)
            stats = self.cache.stats
            self.failed = False
            self.builds += 1
            self.site = site
            self.log(f"{what}: {stats.describe()} ({len(site.reports)} reports) in {elapsed:.2f} s")
            self.live.record(stats.written + stats.deleted, None)
            return True

    def tidy(self) -> None:
        """Collect garbage while no build runs, then exempt what is left (the cache) from later collections."""
        with self.lock:
            self.cache.prune()
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


# ---------------------------------------------------------------- serving


class SiteServer(ThreadingHTTPServer):
    """Serves the output folder and the live-reload endpoint."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # listen backlog: with the default 5, a burst of connections waits out 1 s SYN retries

    def __init__(self, session: Session, host: str, port: int) -> None:
        self.session = session
        guard_options(session.options)  # never serve a folder the build could not own (a home or project folder)
        self.root = session.options.out_dir.resolve()
        self.script = SCRIPT_FILE.read_bytes()
        super().__init__((host, port), RequestHandler)


class RequestHandler(BaseHTTPRequestHandler):
    """GET and HEAD for files of the site; never a file outside it."""

    server: SiteServer
    server_version = "archive-serve"
    timeout = 15  # seconds a client may stay silent: a slow or stalled client cannot hold a thread for ever

    def log_message(self, format: str, *args) -> None:
        """Quiet: the rebuild lines are what an editor reads."""

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        split = urlsplit(self.path)
        if split.path == RELOAD_PATH:
            return self._poll(parse_qs(split.query), head)
        if split.path == SCRIPT_PATH:
            return self._send(HTTPStatus.OK, self.server.script, "text/javascript; charset=utf-8", head)
        with self.server.session.lock:  # wait for a build in progress; then read a consistent site
            epoch = self.server.session.live.epoch
            found = resolve(self.server.root, split.path)
            if found is None:
                page = self.server.root / "404.html"
                data = page.read_bytes() if page.is_file() else _fallback_404()
                return self._send(HTTPStatus.NOT_FOUND, inject(data, epoch), "text/html; charset=utf-8", head)
            if found.is_dir():
                if not split.path.endswith("/"):
                    return self._redirect(split.path + "/")
                found = found / "index.html"
                if not found.is_file():
                    page = self.server.root / "404.html"
                    data = page.read_bytes() if page.is_file() else _fallback_404()
                    return self._send(HTTPStatus.NOT_FOUND, inject(data, epoch), "text/html; charset=utf-8", head)
            data = found.read_bytes()
        ctype = content_type(found.name)
        if ctype.startswith("text/html"):
            data = inject(data, epoch)
        self._send(HTTPStatus.OK, data, ctype, head)

    def _poll(self, query: dict[str, list[str]], head: bool) -> None:
        """Long poll: answer when a build newer than the page's finished (or after a while)."""
        live = self.server.session.live
        try:
            since = int(query.get("epoch", ["0"])[0])
        except ValueError:
            since = 0
        page = query.get("path", ["/"])[0]
        if query.get("first") != ["1"]:  # the first poll of a page answers at once, with any current error
            live.wait(since, POLL_TIMEOUT)
        with live.cond:
            epoch, error = live.epoch, live.error
            changed = {p for p, e in live.changed_at.items() if e > since}
        reload = bool(changed) and affected(self.server.root, page, changed)
        body = json.dumps({"epoch": epoch, "reload": reload, "error": error}, ensure_ascii=False).encode("utf-8")
        self._send(HTTPStatus.OK, body, "application/json; charset=utf-8", head)

    def _send(self, status: HTTPStatus, data: bytes, ctype: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def resolve(root: Path, url_path: str) -> Path | None:
    """The file or folder a URL path names inside root, or None (also for anything that would leave root)."""
    if re.search(r"%(?:2f|5c|00)", url_path, re.IGNORECASE):
        return None  # an encoded slash, backslash or NUL is never part of one of our URLs
    try:
        decoded = unquote(url_path, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in decoded or "\x00" in decoded:
        return None
    parts = [p for p in decoded.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    try:
        target = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    # Symlinks are resolved first, so a link pointing out of the site is refused here too.
    if not target.is_relative_to(root):
        return None
    return target


def site_path(root: Path, url_path: str) -> str | None:
    """The site-relative path ('reports/a.html') a page URL shows, or None."""
    parts = [p for p in unquote(urlsplit(url_path).path).split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    rel = "/".join(parts)
    if not rel or url_path.endswith("/"):
        rel = posixpath.join(rel, "index.html") if rel else "index.html"
    return rel


_REF = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"'#?]+)""", re.IGNORECASE)


def affected(root: Path, page_url: str, changed: set[str]) -> bool:
    """Whether a rebuild that changed these site paths changed what this page shows."""
    page = site_path(root, page_url)
    if page is None or page in changed:
        return True
    if "404.html" in changed and not (root / page).is_file():
        return True
    try:
        text = (root / page).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True  # the page is gone
    # Its own stylesheets and scripts: a CSS or JS change reloads the pages that use it.
    base = posixpath.dirname(page)
    for ref in _REF.findall(text):
        if "://" in ref or ref.startswith("//"):
            continue
        target = posixpath.normpath(posixpath.join(base, unquote(ref))) if not ref.startswith("/") else ref.lstrip("/")
        if target in changed:
            return True
    return False


def inject(data: bytes, epoch: int) -> bytes:
    """The live-reload script added to an HTML response (never to the built files)."""
    tag = f'<script src="{SCRIPT_PATH}" data-epoch="{epoch}"></script>'.encode()
    index = data.lower().rfind(b"</body>")
    if index < 0:
        return data + tag
    return data[:index] + tag + data[index:]


def _fallback_404() -> bytes:
    return "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>404 未找到</title><body><h1>404 未找到</h1></body></html>".encode()


# ---------------------------------------------------------------- command


class Running:
    """A watch (and optionally serve) session that can be started and stopped, from the CLI or a test."""

    def __init__(self, options: BuildOptions, serve: bool, host: str = "127.0.0.1", port: int = 8000,
                 log: Callable[[str], None] | None = None, settle: float = SETTLE) -> None:
        self.session = Session(options, log)
        self.watcher = Watcher(self.session, settle)
        self.server: SiteServer | None = SiteServer(self.session, host, port) if serve else None
        self.server_thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The address the site is served on."""
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> None:
        """Build once, then watch (and serve)."""
        self.session.rebuild(force=True)
        self.watcher.start()
        if self.server is not None:
            self.server_thread = threading.Thread(target=self.server.serve_forever, name="archive-serve", kwargs={"poll_interval": 0.2})
            self.server_thread.start()

    def stop(self) -> None:
        """Stop serving and watching; wait for every thread we started."""
        self.session.live.close()
        if self.server is not None:
            if self.server_thread is not None:  # shutdown() would wait forever for a loop never started
                self.server.shutdown()
                self.server_thread.join(timeout=10)
            self.server.server_close()
        self.watcher.stop()


def run(options: BuildOptions, serve: bool, host: str, port: int) -> int:
    """`build.py --watch` / `--serve`: run until Ctrl-C."""
    guard_options(options)  # OutDirRefused before anything is built into the folder or served from it
    try:
        running = Running(options, serve, host, port)
    except OSError as exc:
        print(f"cannot serve on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        running.start()
        if running.server is not None:
            print(f"serving {options.out_dir} at {running.url} (live reload; Ctrl-C to stop)", flush=True)
        else:
            print(f"watching {options.content_dir}, {options.layouts_dir} and {options.config_file} (Ctrl-C to stop)", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopped", flush=True)
        return 0
    finally:
        running.stop()

"""Serve the last good site on 127.0.0.1 while a watch session rebuilds it; reload the pages a rebuild changed."""
from __future__ import annotations

import json
import mimetypes
import os
import posixpath
import re
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .build import BuildOptions
from .output import guard_options
from .watch import SETTLE, Session, Watcher

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

    def log_message(self, format: str, *args: object) -> None:
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
    """The 404 page for a site without one."""
    return ('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>404 未找到</title>'
            "<body><h1>404 未找到</h1></body></html>").encode()


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
        return f"http://{host!s}:{port}/"

    def start(self) -> None:
        """Build once, then watch (and serve)."""
        self.session.rebuild(force=True)
        self.watcher.start()
        if self.server is not None:
            self.server_thread = threading.Thread(target=self.server.serve_forever, name="archive-serve",
                                                  kwargs={"poll_interval": 0.2})
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

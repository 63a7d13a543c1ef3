"""Search in headless Chromium over http: bytes fetched, index load time, query times, and the results returned."""
from __future__ import annotations

import gzip
import statistics
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

CHROMIUM = "/usr/bin/chromium"
# The same flags as tests/conftest.py: keep Chromium off the network and quiet in a sandbox without a display.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BLANK = "/__bench__.html"
BLANK_HTML = b'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>bench</title></head><body></body></html>'
RESULTS_PAGE = 10  # a first screen of results: what a search UI fetches details for
# How long a fresh page is left before a tool is loaded: a new renderer process serves requests two to three
# times slower for its first few hundred milliseconds (bench/PROFILE.md), which a reader typing a query never sees.
SETTLE_MS = 1000


@dataclass
class Fetch:
    """One response body the server sent: its path, bytes as sent, and bytes if gzip-compressed by the host."""

    path: str
    raw: int
    gzip: int


class Counter:
    """Every body the server sends, thread-safe. Gzip sizes are computed when read, not while serving:
    compressing a 100 KB file takes milliseconds, which would delay the very response being timed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._fetches: list[tuple[str, int]] = []
        self._bodies: dict[str, bytes] = {}  # bodies not sized yet
        self._gzip_sizes: dict[str, int] = {}

    def add(self, path: str, data: bytes) -> None:
        """Record one body (before it is sent, so that it is counted by the time the page has it)."""
        with self.lock:
            if path not in self._gzip_sizes:
                self._bodies[path] = data
            self._fetches.append((path, len(data)))

    @property
    def fetches(self) -> list[Fetch]:
        """Every body since the last reset; the gzip size is what a compressing host would send (never more than raw)."""
        with self.lock:
            for path, data in self._bodies.items():
                self._gzip_sizes[path] = min(len(data), len(gzip.compress(data, 6, mtime=0)))
            self._bodies.clear()
            return [Fetch(path, raw, self._gzip_sizes[path]) for path, raw in self._fetches]

    def reset(self) -> None:
        """Forget what was fetched so far."""
        with self.lock:
            self._fetches.clear()

    def totals(self) -> tuple[int, int, int]:
        """(requests, raw bytes, gzip bytes) since the last reset."""
        fetches = self.fetches
        return len(fetches), sum(f.raw for f in fetches), sum(f.gzip for f in fetches)


class Handler(SimpleHTTPRequestHandler):
    """Static files from the site folder, every body counted; plus an empty page to start from."""

    counter: Counter
    # As a static host serves: connections kept open between requests (HTTP/1.1) and each response sent
    # at once (TCP_NODELAY; else the body waits for the ACK of the headers). See bench/PROFILE.md.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """Serve the blank start page from memory, anything else from the site."""
        if self.path.split("?")[0] == BLANK:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(BLANK_HTML)))
            self.end_headers()
            self.wfile.write(BLANK_HTML)
            return
        super().do_GET()

    def end_headers(self) -> None:
        """No caching between the two tools' contexts is possible anyway; say so explicitly."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def copyfile(self, source, outputfile) -> None:
        """Send the file and count its bytes."""
        data = source.read()
        self.counter.add(self.path.split("?")[0], data)
        outputfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        """Quiet: the benchmark prints its own table."""


class Server:
    """A stdlib http server for one site folder on 127.0.0.1, in a thread."""

    def __init__(self, root: Path) -> None:
        self.counter = Counter()
        handler = type("BenchHandler", (Handler,), {"counter": self.counter})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "Server":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@dataclass
class Engine:
    """How to drive one search tool from a page: JS functions for load, a timed query, and all result URLs."""

    name: str
    load_js: str  # async () => milliseconds to load (index and code)
    query_js: str  # async (q) => {ms, count}: query plus details of the first screen of results
    urls_js: str  # async (q) => [url, ...] of every result
    start_path: str = BLANK  # page to open before loading (must be served by the site or the blank page)


PAGEFIND = Engine(
    name="Pagefind",
    load_js="""async () => {
        const t0 = performance.now();
        window.__pf = await import('/pagefind/pagefind.js');
        await window.__pf.init();
        return performance.now() - t0;
    }""",
    query_js=f"""async (q) => {{
        const t0 = performance.now();
        const s = await window.__pf.search(q);
        const t1 = performance.now();
        await Promise.all(s.results.slice(0, {RESULTS_PAGE}).map(r => r.data()));
        return {{ms: performance.now() - t0, search_ms: t1 - t0, count: s.results.length}};
    }}""",
    urls_js="""async (q) => {
        const s = await window.__pf.search(q);
        const all = await Promise.all(s.results.map(r => r.data()));
        return all.map(d => d.url);
    }""",
)


@dataclass
class EngineRun:
    """What one tool did in the browser."""

    name: str
    load_ms: float = 0.0
    first_requests: int = 0
    first_raw: int = 0
    first_gzip: int = 0
    first_search_ms: float = 0.0  # load + first query: what the user waits for on the first search
    query_ms: dict[str, float] = field(default_factory=dict)  # first time each query is run
    search_ms: dict[str, float] = field(default_factory=dict)  # the same, result list only (no snippets)
    warm_ms: list[float] = field(default_factory=list)  # the same queries again
    counts: dict[str, int] = field(default_factory=dict)
    urls: dict[str, set[str]] = field(default_factory=dict)
    first_files: list[str] = field(default_factory=list)
    error: str = ""

    def p(self, q: float) -> float:
        """Percentile (0–100) of the first-run query times."""
        return percentile(list(self.query_ms.values()), q)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(min(rank, len(ordered))) - 1]


def page_url(url: str) -> str:
    """A result URL reduced to the site-relative page path (no origin, leading slash or fragment)."""
    url = url.split("#")[0].split("?")[0]
    if "://" in url:
        url = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    while url.startswith(("/", "./")):
        url = url[2:] if url.startswith("./") else url[1:]
    return url


def run_engine(browser, server: Server, engine: Engine, queries: list[str], repeats: int = 3,
               lists: bool = True) -> EngineRun:
    """Load one tool in a fresh browser context and run every query: timings first, then (lists) full result lists."""
    run = EngineRun(engine.name)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(server.url + engine.start_path, wait_until="load")
        page.wait_for_timeout(SETTLE_MS)
        server.counter.reset()
        run.load_ms = page.evaluate(engine.load_js)
        first = page.evaluate(engine.query_js, queries[0])
        run.first_requests, run.first_raw, run.first_gzip = server.counter.totals()
        run.first_files = sorted({f.path for f in server.counter.fetches})
        run.first_search_ms = run.load_ms + first["ms"]
        run.query_ms[queries[0]] = first["ms"]
        run.search_ms[queries[0]] = first.get("search_ms", float("nan"))
        run.counts[queries[0]] = first["count"]
        for q in queries[1:]:
            res = page.evaluate(engine.query_js, q)
            run.query_ms[q] = res["ms"]
            run.search_ms[q] = res.get("search_ms", float("nan"))
            run.counts[q] = res["count"]
        for _ in range(repeats):
            for q in queries:
                run.warm_ms.append(page.evaluate(engine.query_js, q)["ms"])
        for q in queries if lists else []:
            run.urls[q] = {page_url(u) for u in page.evaluate(engine.urls_js, q)}
    except Exception as exc:  # noqa: BLE001 - one tool failing must not hide the other's figures
        run.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        context.close()
    return run


def warm_up(browser, server: Server) -> None:
    """Open and close one page first: a browser's own processes are slow for its first page, which the tool
    measured first would otherwise pay alone (a first query 10-25 ms slower in the first context, bench/PROFILE.md)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + BLANK, wait_until="load")
        page.wait_for_timeout(SETTLE_MS)
    finally:
        context.close()


def combined(runs: list[EngineRun]) -> EngineRun:
    """One tool's sessions as one run: each time the median of the sessions, the rest from the first session."""
    ok = [r for r in runs if not r.error] or runs[:1]
    run = ok[0]
    for name in ("query_ms", "search_ms"):
        setattr(run, name, {q: statistics.median(getattr(r, name)[q] for r in ok) for q in getattr(run, name)})
    run.load_ms = statistics.median(r.load_ms for r in ok)
    run.first_search_ms = statistics.median(r.first_search_ms for r in ok)
    run.error = next((r.error for r in runs if r.error), "")
    return run


def measure(site: Path, engines: list[Engine], queries: list[str], repeats: int = 3, sessions: int = 1,
            log: Callable[[str], None] = print) -> list[EngineRun]:
    """Serve the site and run every engine in the same Chromium, a fresh context per engine and session.

    After a first page (warm_up), the engines take turns, the order reversed every session; each query's first-run
    time is the median of the sessions' (repeated runs and result lists come from the first session).
    """
    from playwright.sync_api import sync_playwright

    runs: dict[str, list[EngineRun]] = {e.name: [] for e in engines}
    with Server(site) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            warm_up(browser, server)
            for n in range(sessions):
                for engine in engines if n % 2 == 0 else engines[::-1]:
                    log(f"  browser: {engine.name}, session {n + 1}/{sessions}")
                    runs[engine.name].append(run_engine(browser, server, engine, queries, repeats if n == 0 else 0,
                                                        lists=n == 0))
        finally:
            browser.close()
    return [combined(runs[e.name]) for e in engines]

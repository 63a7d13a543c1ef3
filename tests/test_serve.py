"""The dev server against a running watch session: safe paths, content types, 404, live reload, clean exit."""
from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from archive.serve import Running, affected, inject, site_path
from test_watch import DEADLINE, LiveSite, project_options, source_of, start_live, wait_until

ROOT = Path(__file__).resolve().parent.parent
SECRET = "机密：这份内部材料不得从站点读出"


@pytest.fixture
def served(project: Path):
    """The project's own content built, watched and served on a free port."""
    site = start_live(project)
    yield site
    site.running.stop()


def raw_get(live: LiveSite, target: str) -> tuple[int, dict[str, str], bytes]:
    """GET exactly this request target over a socket (no client-side clean-up of '..')."""
    host, port = live.running.server.server_address[:2]
    with socket.create_connection((host, port), timeout=DEADLINE) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode("utf-8", "surrogateescape"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def test_requests_never_leave_the_output_folder(served: LiveSite) -> None:
    project, out = served.project, served.out
    (project / "secret.txt").write_text(SECRET, encoding="utf-8")
    (out / "leak.txt").symlink_to(project / "secret.txt")
    (out / "leakdir").symlink_to(project, target_is_directory=True)
    attempts = [
        "/../secret.txt", "/../../secret.txt", "/reports/../../secret.txt", "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt", "/.%2e/secret.txt", "/reports/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt",
        "/reports/..%2F..%2Fsecret.txt", "/..%5csecret.txt", "/..\\secret.txt", "/%2e%2e%5csecret.txt",
        "//../secret.txt", "/%252e%252e/secret.txt", "/leak.txt", "/leakdir/secret.txt", "/leakdir/config.yml",
        "http://127.0.0.1/../secret.txt", "/../config.yml", "/%2e%2e/config.yml", "/reports/%00/../../secret.txt",
    ]
    for target in attempts:
        status, _, body = raw_get(served, target)
        assert status == 404, (target, status)
        assert SECRET.encode() not in body and b"base_url" not in body, target
    # The same server does serve what is inside the site.
    status, _, body = raw_get(served, "/index.html")
    assert status == 200 and "县域平安建设报道档案".encode() in body


def test_content_types_carry_utf8_and_html_gets_the_reload_script(served: LiveSite) -> None:
    out = served.out
    expected = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".json": "application/json; charset=utf-8", ".xml": "application/xml; charset=utf-8",
                ".csv": "text/csv; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".css": "text/css; charset=utf-8"}
    for ext, ctype in expected.items():
        sample = next(p for p in sorted(out.rglob(f"*{ext}")) if not p.is_symlink())
        url = "/" + urllib.request.pathname2url(sample.relative_to(out).as_posix())
        status, headers, body = raw_get(served, url)
        assert status == 200, url
        assert headers["content-type"] == ctype, (url, headers["content-type"])
        if ext == ".html":
            assert b'src="/__livereload.js"' in body
            assert b"__livereload" not in sample.read_bytes(), "the script must not be written into the built site"
        else:
            assert body == sample.read_bytes()
    # Chinese file names, percent-encoded as the pages link them.
    county = served.session.site.counties[0]
    status, _, body = raw_get(served, "/" + urllib.request.pathname2url(county.url))
    assert status == 200 and county.name.encode() in body


def test_missing_pages_get_the_sites_404_page(served: LiveSite) -> None:
    status, headers, body = raw_get(served, "/reports/no-such-report.html")
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    page = (served.out / "404.html").read_bytes()
    assert body.startswith(page[: page.lower().rfind(b"</body>")])


def test_binds_to_localhost_by_default(served: LiveSite) -> None:
    assert served.running.server.server_address[0] == "127.0.0.1"


def test_live_reload_tells_only_the_pages_a_rebuild_changed(served: LiveSite) -> None:
    site = served.session.site
    report = site.reports[0]
    other = next(r for r in site.reports[2:] if r.county != report.county and not set(r.authors) & set(report.authors))
    epoch = served.epoch
    source = source_of(report)
    text = source.read_text(encoding="utf-8")
    served.wait_build(served.write(source.relative_to(served.project).as_posix(),
                                   text.rstrip("\n") + "\n\n县委政法委将继续推进“雪亮工程”建设。\n"))

    def poll(page: str, since: int) -> dict:
        status, headers, body = raw_get(served, f"/__livereload?epoch={since}&path={urllib.request.pathname2url(page)}")
        assert status == 200 and headers["content-type"] == "application/json; charset=utf-8"
        return json.loads(body)

    assert poll("/" + report.url, epoch)["reload"] is True
    answer = poll("/" + other.url, epoch)
    assert answer["reload"] is False and answer["epoch"] > epoch and answer["error"] is None

    # A broken edit: every open page hears about it (for the overlay) and none reloads.
    broken = served.write(source.relative_to(served.project).as_posix(), text.replace("---\n", "---\ntitle: [\n", 1))
    served.wait_build(broken)
    answer = poll("/" + other.url, broken)
    assert answer["reload"] is False
    assert re.search(rf"{re.escape(source.name)}:\d+: ", answer["error"]), answer["error"]


def test_pages_reload_for_their_own_stylesheet() -> None:
    root = Path("/nonexistent")
    assert site_path(root, "/") == "index.html"
    assert site_path(root, "/counties/%E5%B9%B3%E6%B1%9F%E5%8E%BF.html") == "counties/平江县.html"
    assert affected(root, "/reports/a.html", {"reports/a.html"})
    assert b'<script src="/__livereload.js" data-epoch="7"></script></body>' in inject(b"<html><body>x</body></html>", 7)


def test_requests_wait_for_a_build_in_progress(served: LiveSite) -> None:
    answers: queue.Queue = queue.Queue()
    with served.session.lock:  # what a rebuild holds
        thread = threading.Thread(target=lambda: answers.put(raw_get(served, "/index.html")[0]))
        thread.start()
        thread.join(0.3)
        assert answers.empty(), "a request was answered while a build was in progress"
    thread.join(DEADLINE)
    assert answers.get_nowait() == 200


def test_stopping_leaves_no_threads_behind(project: Path) -> None:
    before = set(threading.enumerate())
    live = start_live(project)
    answers: queue.Queue = queue.Queue()
    long_poll = threading.Thread(target=lambda: answers.put(raw_get(live, f"/__livereload?epoch={live.epoch}&path=/index.html")))
    long_poll.start()
    # Stop while a page is waiting for a rebuild: the wait ends and the page gets an answer.
    wait_until(lambda: any("process_request" in t.name for t in threading.enumerate()), "the long poll never arrived")
    live.running.stop()
    long_poll.join(DEADLINE)
    assert answers.get_nowait()[0] == 200
    wait_until(lambda: set(threading.enumerate()) <= before, f"threads left: {set(threading.enumerate()) - before}")


def test_the_command_serves_and_ctrl_c_exits_cleanly(project: Path) -> None:
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--serve", "--port", "0"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in process.stdout], daemon=True).start()
    try:
        url = None
        while url is None:
            line = lines.get(timeout=DEADLINE)
            match = re.search(r"serving site at (http://127\.0\.0\.1:\d+/)", line)
            url = match and match.group(1)
        with urllib.request.urlopen(url + "index.html", timeout=DEADLINE) as response:
            assert response.status == 200 and b"__livereload.js" in response.read()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=DEADLINE) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in process.stderr.read()
    leftovers = [p.name for p in project.iterdir() if p.name.startswith(".site")]
    leftovers += [p.name for p in (project / "site").rglob(".*tmp*")]
    assert not leftovers


def test_stopping_before_starting_returns_at_once(project: Path) -> None:
    """Ctrl-C during the first build: nothing was started, nothing hangs."""
    running = Running(project_options(project), serve=True, port=0)
    stopper = threading.Thread(target=running.stop, daemon=True)
    stopper.start()
    stopper.join(DEADLINE)
    assert not stopper.is_alive(), "stop() hung"

"""Shared fixtures: the repository, copies of its content to break or edit, builds, and a browser."""
from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Flags that keep Chromium off the (closed) network and quiet in a sandbox without a display.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of content/, layouts/ and config.yml to edit or break."""
    for name in ("content", "layouts"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "config.yml", tmp_path / "config.yml")
    return tmp_path


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run `python build.py ARGS` in cwd and capture its output."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8"
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The repository's own content built once per test session."""
    out = tmp_path_factory.mktemp("built") / "site"
    result = run_cli("--out", str(out), cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped only where Chromium is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/setup.sh --test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files as a plain static host would, without logging every request to stderr."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".txt": "text/plain; charset=utf-8"}

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="session")
def http_root(built_site: Path):
    """The built site served over http at /site/ (a sub-path), on 127.0.0.1 only."""
    handler = functools.partial(QuietHandler, directory=str(built_site.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{built_site.name}/"
    server.shutdown()
    server.server_close()

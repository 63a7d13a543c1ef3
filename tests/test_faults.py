"""Faults and hostile input: a wrong --out, paths leading out of content, killed builds, system errors, races, load.

Every case asserts what a user would see: the exit code, the one-line message naming the path, and every
byte of the folders that must survive (a digest of the whole tree before and after).
"""
from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from test_watch import (
    DEADLINE,
    add_synthetic_reports,
    assert_same_as_full_build,
    project_options,
    start_live,
    wait_until,
)

from archive import build as build_module
from archive.build import build
from archive.output import (
    MARKER,
    MARKER_TEXT,
    OutDirRefused,
    OutputFile,
    Staging,
    publish,
)
from archive.serve import RequestHandler, Running

MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
REPORT = "content/reports/2017-pingjiang.md"  # a real report: its source_file key is on line 11
DIARY = "今天把平江县的回访材料整理完了，明天寄给编辑部。\n"  # a user's own file, never to be lost

# Installed only in the build processes these tests start (PYTHONPATH): it injects one fault, named by
# ARCHIVE_FAULT, into the standard library's file calls. The shipped code is never patched.
SITECUSTOMIZE = r'''
import builtins, errno, os, pathlib
kind, _, arg = os.environ.get("ARCHIVE_FAULT", "").partition(":")
real_open, real_read = builtins.open, pathlib.Path.read_bytes
seen = [0]
if kind in ("ENOSPC", "EACCES"):  # the file written into a staging folder after `arg` others fails
    def open(file, mode="r", *args, **kwargs):
        if "w" in mode and isinstance(file, (str, os.PathLike)) and ".new-" in os.fspath(file):
            seen[0] += 1
            if seen[0] > int(arg):
                code = getattr(errno, kind)
                raise OSError(code, os.strerror(code), os.fspath(file))
        return real_open(file, mode, *args, **kwargs)
    builtins.open = open
elif kind == "UNREADABLE":  # reading any file whose path ends with `arg` is denied
    def read_bytes(self):
        if str(self).endswith(arg):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_read(self)
    pathlib.Path.read_bytes = read_bytes
elif kind == "DELETE":  # reading the first report deletes another one (`reading>deleted`)
    reading, deleted = arg.split(">")
    def read_bytes(self):
        if str(self).endswith(reading) and os.path.exists(deleted):
            os.unlink(deleted)
        return real_read(self)
    pathlib.Path.read_bytes = read_bytes
'''


# ---------------------------------------------------------------- helpers


def tree(folder: Path) -> dict[str, str]:
    """Every entry under folder: files by SHA-256 of their bytes, symlinks by target, folders as such."""
    if not folder.exists():
        return {}
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[name] = "link:" + os.readlink(path)
        elif path.is_dir():
            out[name] = "dir"
        else:
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python build.py ARGS` in cwd, optionally with a fault injected (env ARCHIVE_FAULT)."""
    full_env = {**os.environ, **(env or {})}
    if env and "ARCHIVE_FAULT" in env:
        full_env["PYTHONPATH"] = str(sitecustomize_dir())
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, check=False)


def sitecustomize_dir() -> Path:
    """A folder holding the fault injector as sitecustomize.py (made once per test run)."""
    folder = Path(tempfile.gettempdir()) / f"archive-faults-{os.getpid()}"
    if not (folder / "sitecustomize.py").is_file():
        folder.mkdir(exist_ok=True)
        atexit.register(shutil.rmtree, folder, True)
        (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        folder.chmod(0o755)
    return folder


def retitle(project: Path) -> None:
    """Change the site title in the project's config: every page's bytes change."""
    config = project / "config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("title: 县域平安建设报道档案", "title: 县域平安建设报道汇编"),
                      encoding="utf-8")


def one_line(result: subprocess.CompletedProcess) -> str:
    """The single line a failed command printed on stderr (and no traceback)."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def leftovers(parent: Path, name: str = "site") -> list[str]:
    """Staging folders (.site.new-*, .site.old-*) beside the site."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith((f".{name}.new-", f".{name}.old-")))


def line_of(path: Path, key: str) -> int:
    """The line of a front-matter key."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(f"{key}:"))


@pytest.fixture(scope="module")
def built_proj(tmp_path_factory) -> Path:
    """The real project with a user file and a last good site, built once for the module."""
    root = tmp_path_factory.mktemp("built") / "proj"
    root.mkdir()
    for name in ("content", "layouts"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "config.yml", root / "config.yml")
    (root / "笔记.txt").write_text(DIARY, encoding="utf-8")
    assert cli("--out", "site", cwd=root).returncode == 0
    return root


@pytest.fixture
def proj(tmp_path: Path, built_proj: Path) -> Path:
    """A private copy of built_proj inside tmp_path (so tmp_path is a folder containing the project)."""
    shutil.copytree(built_proj, tmp_path / "proj", symlinks=True)
    return tmp_path / "proj"


# ---------------------------------------------------------------- the output folder is the builder's alone


@pytest.mark.parametrize("out, says", [
    ("content", "content: is the content folder"),
    (".", ".: is the project folder"),
    ("..", "..: contains the project folder"),
    ("layouts", "layouts: is the layouts folder"),
    ("content/reports/site", "content/reports/site: is inside the content folder"),
    ("content/sources", "content/sources: is inside the content folder"),
    ("/", "/: contains the project folder"),
    ("papers", "papers: holds files that build.py did not write (no .archive-site file)"),
    ("笔记.txt", "笔记.txt: is not a folder"),
    ("笔记.txt/site", "笔记.txt: is a file where a folder should be"),
])
def test_a_wrong_out_is_refused_and_nothing_is_removed(proj: Path, out: str, says: str) -> None:
    (proj / "papers").mkdir()
    (proj / "papers" / "回访记录.txt").write_text(DIARY, encoding="utf-8")
    before = tree(proj.parent)
    line = one_line(cli("--out", out, cwd=proj))
    assert line.startswith(says), line
    assert tree(proj.parent) == before


@pytest.mark.parametrize("out", ["~", "~/Documents"])
def test_the_home_folder_and_a_users_documents_are_refused(proj: Path, tmp_path: Path, out: str) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "日记.txt").write_text(DIARY, encoding="utf-8")
    before = tree(home)
    target = out.replace("~", str(home))
    line = one_line(cli("--out", target, cwd=proj, env={"HOME": str(home)}))
    expected = "is your home folder" if out == "~" else "holds files that build.py did not write"
    assert line.startswith(f"{target}: {expected}"), line
    assert tree(home) == before


def test_replace_out_replaces_a_folder_of_other_files_but_never_a_project_folder(proj: Path) -> None:
    (proj / "old-site").mkdir()
    (proj / "old-site" / "index.html").write_text("<p>旧站</p>", encoding="utf-8")
    assert cli("--out", "old-site", "--replace-out", cwd=proj).returncode == 0
    assert (proj / "old-site" / MARKER).read_bytes() == MARKER_TEXT
    assert "旧站" not in (proj / "old-site" / "index.html").read_text(encoding="utf-8")
    before = tree(proj)
    for out in ("content", ".", "layouts"):
        assert one_line(cli("--out", out, "--replace-out", cwd=proj)).startswith(f"{out}: is the "), out
    assert tree(proj) == before


def test_every_site_carries_the_marker_and_an_empty_folder_is_accepted(proj: Path) -> None:
    assert (proj / "site" / MARKER).read_bytes() == MARKER_TEXT  # deterministic, not a page
    (proj / "empty").mkdir()
    assert cli("--out", "empty", cwd=proj).returncode == 0
    assert tree(proj / "empty") == tree(proj / "site")


def test_the_api_watch_and_server_refuse_a_wrong_out(proj: Path) -> None:
    before = tree(proj)
    wrong = project_options(proj, proj / "content")
    with pytest.raises(OutDirRefused):
        build(wrong)
    with pytest.raises(OutDirRefused):
        Running(wrong, serve=True, port=0)
    with pytest.raises(OutDirRefused):
        Staging(proj)
    with pytest.raises(OutDirRefused):
        publish([OutputFile("index.html", b"x")], proj / "content")
    for mode in ("--watch", "--serve"):
        line = one_line(cli(mode, "--port", "0", "--out", "content", cwd=proj, timeout=60))
        assert line.startswith("content: is the content folder"), line
    assert tree(proj) == before


# ---------------------------------------------------------------- paths from content stay inside content


@pytest.mark.parametrize("value", ["/etc/hostname", "../../etc/hostname", "../reports/2017-jiaxian.md", "link.txt"])
def test_a_source_file_outside_content_sources_is_an_error_at_its_key(proj: Path, value: str) -> None:
    (proj / "content/sources/link.txt").symlink_to("/etc/hostname")
    page = proj / REPORT
    text = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"^source_file: .*$", f"source_file: {value}", text, count=1, flags=re.MULTILINE), encoding="utf-8")
    site = tree(proj / "site")
    result = cli("--out", "site", cwd=proj)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{REPORT}:{line_of(page, 'source_file')}: source_file {value!r} "), result.stderr
    assert tree(proj / "site") == site  # nothing published
    assert not list((proj / "site").rglob("hostname"))
    assert f"{REPORT}:{line_of(page, 'source_file')}: source_file" in cli("check", cwd=proj).stderr


def test_a_symlinked_report_leading_out_of_content_is_refused(proj: Path, tmp_path: Path) -> None:
    outside = tmp_path / "外来.md"
    shutil.copy(proj / REPORT, outside)
    outside.write_text(outside.read_text(encoding="utf-8").replace("slug", "x"), encoding="utf-8")
    (proj / "content/reports/2099-outside.md").symlink_to(outside)
    site = tree(proj / "site")
    result = cli("--out", "site", cwd=proj)
    assert result.returncode == 1
    assert result.stderr.startswith(f"content/reports/2099-outside.md:1: symlink to {outside}, outside content: refused")
    assert tree(proj / "site") == site and not (proj / "site/reports/2099-outside.html").exists()


def test_a_programmes_folder_that_is_a_symlink_out_of_content_is_refused(proj: Path, tmp_path: Path) -> None:
    # not the files but their folder leads out: each of its files is refused, the build fails
    outside = tmp_path / "别处项目"
    shutil.copytree(proj / "content/programmes", outside)
    shutil.rmtree(proj / "content/programmes")
    (proj / "content/programmes").symlink_to(outside)
    site = tree(proj / "site")
    result = cli("--out", "site", cwd=proj)
    assert result.returncode == 1
    first = sorted(p.name for p in outside.glob("*.md"))[0]
    assert result.stderr.startswith(f"content/programmes/{first}:1: symlink to {outside / first}, outside content: refused")
    assert tree(proj / "site") == site


# ---------------------------------------------------------------- killed builds


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """300 synthetic reports with the real programmes and sources, and a second layout changing every page."""
    if not MAKE_CORPUS.exists():
        pytest.skip("corpus generator not available")
    root = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(MAKE_CORPUS), "300", str(root / "content/reports")], check=True,
                   capture_output=True)
    for name in ("programmes", "sources"):
        shutil.copytree(ROOT / "content" / name, root / "content" / name)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    shutil.copytree(ROOT / "layouts", root / "layouts-new")
    base = root / "layouts-new/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("报道原文照录", "报道原文一字不改地照录"), encoding="utf-8")
    shutil.copy(ROOT / "config.yml", root / "config.yml")
    started = time.monotonic()
    assert cli("--layouts", "layouts-new", "--out", "new", "--jobs", "2", cwd=root).returncode == 0
    (root / "seconds").write_text(str(time.monotonic() - started))
    assert cli("--out", "old", "--jobs", "2", cwd=root).returncode == 0
    return root


def kill_build(root: Path, when: str, seconds: float) -> None:
    """Start a parallel build of the new layout into site/ and SIGKILL it (and its workers) at `when`."""
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--layouts", "layouts-new", "--out", "site",
                                "--jobs", "2"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    if when == "staging":  # as soon as the new site's folder holds pages
        wait_until(lambda: any(len(list(p.glob("reports/*"))) > 20 for p in root.glob(".site.new-*"))
                   or process.poll() is not None, "no staging folder appeared")
    else:
        time.sleep(seconds * float(when))
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # the build finished first: its pages are written only at the end, in one go
        pass
    process.wait(timeout=DEADLINE)


@pytest.mark.parametrize("when", ["staging", "0.5", "0.9"])
def test_a_killed_parallel_build_leaves_the_last_good_site_and_the_next_build_cleans_up(corpus: Path, when: str) -> None:
    old, new = tree(corpus / "old"), tree(corpus / "new")
    assert old != new and MARKER in old
    shutil.rmtree(corpus / "site", ignore_errors=True)
    shutil.copytree(corpus / "old", corpus / "site")
    kill_build(corpus, when, float((corpus / "seconds").read_text()))
    assert tree(corpus / "site") in (old, new), "a killed build left a mix of two sites"
    result = cli("--layouts", "layouts-new", "--out", "site", "--jobs", "2", cwd=corpus)
    assert result.returncode == 0, result.stderr
    assert leftovers(corpus) == []
    assert tree(corpus / "site") == new


def test_a_build_killed_between_the_two_renames_gets_the_last_good_site_back(proj: Path) -> None:
    good = tree(proj / "site")
    dead = subprocess.Popen(["true"])
    dead.wait()
    os.replace(proj / "site", proj / f".site.old-{dead.pid}")
    (proj / f".site.new-{dead.pid}-abc123").mkdir()
    (proj / ".site.new-k9x2q7za").mkdir()  # from a build before the staging names carried a process id
    page = proj / REPORT
    page.write_text(page.read_text(encoding="utf-8").replace("date: '2017'", "date: 2017-13"), encoding="utf-8")
    result = cli("--out", "site", cwd=proj)
    assert result.returncode == 1 and "no month 13" in result.stderr
    assert tree(proj / "site") == good and leftovers(proj) == []


# ---------------------------------------------------------------- errors of the system


@pytest.mark.parametrize("fault, message", [("ENOSPC:20", "No space left on device"), ("EACCES:20", "Permission denied"),
                                            ("ENOSPC:0", "No space left on device")])
def test_a_write_failing_mid_build_is_one_line_and_keeps_the_site(proj: Path, fault: str, message: str) -> None:
    good = tree(proj / "site")
    retitle(proj)  # every page changes, so the build writes every page
    line = one_line(cli("--out", "site", cwd=proj, env={"ARCHIVE_FAULT": fault}))
    assert re.fullmatch(rf"\.site\.new-\d+-\w+/\S+: {message}", line), line
    assert tree(proj / "site") == good and leftovers(proj) == []


def test_a_write_failing_in_a_parallel_build_is_one_line_and_keeps_the_site(corpus: Path) -> None:
    shutil.rmtree(corpus / "site", ignore_errors=True)
    shutil.copytree(corpus / "old", corpus / "site")
    line = one_line(cli("--layouts", "layouts-new", "--out", "site", "--jobs", "2", cwd=corpus,
                        env={"ARCHIVE_FAULT": "ENOSPC:150"}))
    assert re.fullmatch(r"\.site\.new-\d+-\w+/\S+: No space left on device", line), line
    assert tree(corpus / "site") == tree(corpus / "old") and leftovers(corpus) == []


def test_an_unreadable_source_is_one_line_and_keeps_the_site(proj: Path) -> None:
    good = tree(proj / "site")
    line = one_line(cli("--out", "site", cwd=proj, env={"ARCHIVE_FAULT": "UNREADABLE:000_d25f3210d77c197c.txt"}))
    assert line == "content/sources/000_d25f3210d77c197c.txt: Permission denied"
    assert tree(proj / "site") == good


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """folder read-only: by its mode for a user, by a read-only bind mount for root (whom modes do not stop)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    mount = ["mount", "--bind", str(folder), str(folder)]
    if shutil.which("mount") is None or subprocess.run(mount, capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot make a read-only folder here (running as root without mount)")
    try:
        remounted = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, check=False)
        if remounted.returncode != 0:
            pytest.skip("cannot remount a folder read-only here")
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_parent_is_one_line_and_keeps_the_site(proj: Path) -> None:
    (proj / "public").mkdir()
    assert cli("--out", "public/site", cwd=proj).returncode == 0
    good = tree(proj / "public")
    retitle(proj)
    with read_only(proj / "public"):
        line = one_line(cli("--out", "public/site", cwd=proj))
    assert re.fullmatch(r"public/\.site\.new-\d+-\w+: (Read-only file system|Permission denied)", line), line
    assert tree(proj / "public") == good


@pytest.mark.parametrize("out", ["/proc/archive-site", "/proc/self/site", "/sys/archive-site"])
def test_an_out_folder_the_system_refuses_is_one_line(proj: Path, out: str) -> None:
    line = one_line(cli("--out", out, cwd=proj))
    assert re.fullmatch(r"/(proc|sys)/\S+: (No such file or directory|Permission denied|Operation not permitted|"
                        r"Read-only file system)", line), line


# ---------------------------------------------------------------- changes while a build runs


def test_a_report_deleted_during_a_build_is_one_line_and_the_next_build_is_right(proj: Path) -> None:
    good = tree(proj / "site")
    line = one_line(cli("--out", "site", cwd=proj, env={"ARCHIVE_FAULT": "DELETE:2017-jiaxian.md>content/reports/2018-xiangxi.md"}))
    assert line == "content/reports/2018-xiangxi.md: No such file or directory"
    assert tree(proj / "site") == good
    assert cli("--out", "site", cwd=proj).returncode == 0
    assert not (proj / "site/reports/2018-xiangxi.html").exists() and (proj / "site/reports/2017-jiaxian.html").exists()


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_a_change_saved_while_a_watch_build_runs_ends_in_the_right_site(project: Path, tmp_path: Path, monkeypatch,
                                                                        change: str) -> None:
    add_synthetic_reports(project, 5)
    live = start_live(project)
    try:
        page = project / REPORT
        added = "\n\n编者补记：平江县综治中心于2017年底实现实体化运行。\n"
        real_load, armed = build_module.load, [True]

        def load_then_change(options, problems):
            content = real_load(options, problems)
            if armed:  # once: the build goes on with what it read before the change
                armed.clear()
                if change == "edit":
                    page.write_text(page.read_text(encoding="utf-8") + added, encoding="utf-8")
                else:
                    page.unlink()
            return content

        monkeypatch.setattr(build_module, "load", load_then_change)
        before = live.epoch
        live.write("content/reports/2017-jiaxian.md", (project / "content/reports/2017-jiaxian.md").read_text(encoding="utf-8") + "\n")
        wanted = (lambda: "实体化运行" in live.page("reports/2017-pingjiang.html")) if change == "edit" else \
            (lambda: not (live.out / "reports/2017-pingjiang.html").exists())
        wait_until(lambda: live.epoch > before + 1 and wanted() and not live.session.lock.locked(),
                   f"the change made during a build never reached the site: {live.lines[-3:]}")
        wait_until(lambda: not live.session.failed, f"the watch session ended failed: {live.lines[-3:]}")
        assert not any("Traceback" in line for line in live.lines)
        with live.session.lock:
            assert_same_as_full_build(live, tmp_path)
    finally:
        live.running.stop()


# ---------------------------------------------------------------- the dev server under load and abuse


@pytest.fixture
def served(project: Path):
    """The project built, watched and served on a free port of 127.0.0.1."""
    site = start_live(project)
    yield site
    site.running.stop()


def address(live) -> tuple[str, int]:
    """Where the server listens."""
    return live.running.server.server_address[:2]


def status_of(reply: bytes) -> int:
    """The status code of a raw HTTP reply (0 when the server closed without one).

    To a request whose version it could not read, the server answers HTTP/0.9-style: the error page alone.
    """
    if reply.startswith(b"HTTP/"):
        return int(reply.split(b" ", 2)[1])
    found = re.search(rb"Error code: (\d{3})", reply)
    return int(found.group(1)) if found else 0


def exchange(host: str, port: int, request: bytes, timeout: float = DEADLINE) -> bytes:
    """Send raw bytes, read until the server closes."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_the_server_answers_1000_concurrent_requests_and_lets_its_threads_go(served) -> None:
    host, port = address(served)
    assert host == "127.0.0.1"
    threads = threading.active_count()
    index = (served.out / "index.html").read_bytes()
    targets = ["/index.html", "/reports/2017-pingjiang.html", "/assets/css/site.css", "/nope.html"] * 250
    started = time.monotonic()
    sockets = [socket.create_connection((host, port), timeout=DEADLINE) for _ in targets]  # all open at once
    try:
        for sock, target in zip(sockets, targets):
            sock.sendall(f"GET {target} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
        replies = []
        for sock in sockets:
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
            replies.append(data)
    finally:
        for sock in sockets:
            sock.close()
    assert time.monotonic() - started < DEADLINE
    codes = [status_of(r) for r in replies]
    assert codes == [200, 200, 200, 404] * 250
    assert all(index.split(b"</body>")[0] in r for r in replies[::4])
    wait_until(lambda: threading.active_count() <= threads + 2, "request threads left behind", deadline=10)


def test_slow_clients_are_dropped_and_never_block_others(served, monkeypatch) -> None:
    assert RequestHandler.timeout is not None and RequestHandler.timeout <= 60
    monkeypatch.setattr(RequestHandler, "timeout", 1.0)  # the same rule, without waiting 15 s
    host, port = address(served)
    slow = [socket.create_connection((host, port), timeout=DEADLINE) for _ in range(50)]
    for i, sock in enumerate(slow):
        sock.sendall(b"GET /index.html HTTP/1.1\r\nHost: " if i % 2 else b"G")  # then nothing more
    started = time.monotonic()
    assert status_of(exchange(host, port, b"GET /index.html HTTP/1.0\r\n\r\n")) == 200
    assert time.monotonic() - started < 5, "a stalled client held up another one"
    for sock in slow:
        assert sock.recv(1) == b"", "a stalled client was never dropped"
        sock.close()
    assert time.monotonic() - started < 10


MALFORMED = [
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32, 64)) + b"\r\n\r\n",  # a TLS hello
    b"GARBAGE\r\n\r\n",
    b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
    b"BREW /index.html HTTP/1.0\r\n\r\n",
    b"GET /index.html HTTP/1.0\r\n" + b"X-A: b\r\n" * 200 + b"\r\n",
    b"GET /index.html HTTP/9.9\r\n\r\n",
    b"GET /\xff\xfe%ff%fe.html HTTP/1.0\r\n\r\n",
    b"GET /%E5%B9%B3 HTTP/1.0\r\nHost: \x00\r\n\r\n",
    b"POST /index.html HTTP/1.0\r\nContent-Length: -1\r\n\r\n",
    b"GET /__livereload?epoch=%ff&path=%00&first=1 HTTP/1.0\r\n\r\n",
    b"GET /__livereload?epoch=99999999999999999999&path=/../../etc&first=1 HTTP/1.0\r\n\r\n",
    b"GET " + "/平江县".encode() + b" HTTP/1.0\r\n\r\n",
    b"GET /index.html HTTP/1.0\r\nRange: bytes=99999999-\r\n\r\n",
    b"\r\n\r\n",
]


def test_malformed_requests_get_an_error_never_a_crash(served, capfd) -> None:
    host, port = address(served)
    codes = [status_of(exchange(host, port, request, timeout=20)) for request in MALFORMED]
    assert all(code == 0 or 200 <= code < 500 or code in (501, 505) for code in codes), codes
    assert codes[:6] == [400, 400, 414, 501, 431, 505]
    assert status_of(exchange(host, port, b"GET /index.html HTTP/1.0\r\n\r\n")) == 200
    assert "Traceback" not in capfd.readouterr().err

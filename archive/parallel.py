"""Share a cold build's per-report and per-page work between forked processes that inherit the loaded site."""
from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from . import markdown, pages, programmes, search
from .content import Report
from .errors import BuildError
from .output import OutputFile, Staging

T = TypeVar("T")

# Below this many reports, starting processes costs more than they save (the 5 real reports build serially).
MIN_REPORTS = 50
# Each process holds a copy of what it changes of the site: no more than this many by default.
MAX_JOBS = 8
# Reports are handed out in runs, largest first and at least this long at the end: the processes
# finish together, and there are few runs whose search rows must be joined.
MIN_RUN = 8


def jobs(requested: int | None, reports: int) -> int:
    """How many processes a cold build uses: `requested` (--jobs, or ARCHIVE_JOBS), else one per CPU for a big site."""
    if requested is None and os.environ.get("ARCHIVE_JOBS", "").strip().isdigit():
        requested = int(os.environ["ARCHIVE_JOBS"])
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if requested is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return min(cpus, MAX_JOBS) if reports >= MIN_REPORTS else 1
    return max(1, requested)


class Claims:
    """Hands out item numbers in increasing order to whichever process asks first.

    Every process walks the same items in the same order and does item i only when mine(i) says
    so: each number is taken by exactly one process, and a busy process simply takes fewer.
    """

    def __init__(self, context) -> None:
        self._next = context.Value("q", 0)
        self._taken = -1
        self.at = -1  # the item this process is working on, to order errors as a serial build meets them
        self.given: list = []  # in the main process: the pieces every process gave, in the order they came
        self._send = None  # in a forked copy: the connection its pieces go back through
        self.folder = ""  # where a copy leaves its pieces (memory-backed where there is /dev/shm)

    def give(self, piece) -> None:
        """Hand a piece of this process's result to the main process now, not with the rest at the end.

        A copy pickles it at once, as part of its share of the work, and leaves it in a file whose
        name it sends; the main process reads it in meanwhile. The processes then finish together
        instead of the main one waiting for a whole result to be pickled, sent and read. (Through
        the pipe itself, a copy would wait whenever the pipe is full until the main process's reader
        got a turn at the interpreter lock: a second of waiting at 1,000 reports.)
        """
        if self._send is None:
            self.given.append(piece)
            return
        handle, path = tempfile.mkstemp(dir=self.folder)
        with os.fdopen(handle, "wb") as out:
            pickle.dump(piece, out, protocol=pickle.HIGHEST_PROTOCOL)
        self._send.send((True, path))

    def mine(self, i: int) -> bool:
        """Whether item i is this process's (items must be asked about in increasing order)."""
        if i > self._taken:
            with self._next.get_lock():
                self._taken = max(self._next.value, i)
                self._next.value = self._taken + 1
        if i == self._taken:
            self.at = i
            return True
        return False


class _All(Claims):
    """Every item is mine: one process does the whole task."""

    def __init__(self) -> None:
        self.at = -1
        self.given: list = []
        self._send = None

    def mine(self, i: int) -> bool:
        """Always."""
        self.at = i
        return True


class _Failed:
    """An exception raised in a worker, sent back with the item it was raised at."""

    def __init__(self, at: int, error: BaseException) -> None:
        self.at = at
        self.problems = error.problems if isinstance(error, BuildError) else None  # BuildError pickles as text only
        try:  # other errors travel as they are; one that cannot be pickled travels as its traceback
            pickle.dumps(error)
            self.error: BaseException = error
        except Exception:  # noqa: BLE001
            self.error = RuntimeError("".join(traceback.format_exception(error)))

    def exception(self) -> BaseException:
        """The error to raise in the main process."""
        return BuildError(self.problems) if self.problems is not None else self.error


def share(task: Callable[[Claims, bool], T], n: int) -> list[T]:
    """task(claims, main) in this process (main=True) and in n - 1 forked copies; their results, this one's first.

    The copies inherit everything loaded so far. An error raised by any of them is raised here: the
    one at the lowest item, which is the one a serial build would have met first. What a copy
    hands over with claims.give() goes to the main process's claims.given, complete when this returns.
    """
    context = multiprocessing.get_context("fork")
    try:
        claims = Claims(context) if n > 1 else None
    except OSError:  # no shared memory for the counter (a locked-down container): do it all here
        claims = None
    if claims is None:
        return [task(_All(), True)]
    sys.stdout.flush()  # what is buffered now must not be written again by each copy
    sys.stderr.flush()
    gc.freeze()  # the copies share the loaded objects' pages instead of copying them when collecting
    workers = []
    readers = []
    claims.folder = tempfile.mkdtemp(prefix="archive-parts-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        for _ in range(n - 1):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(task, claims, send), daemon=True)
            process.start()
            send.close()
            workers.append((process, receive))
        # one thread per copy reads (and unpickles) what it sends while this process works on its share
        ends: list[list[Any]] = [[] for _ in workers]
        for (process, receive), end in zip(workers, ends):
            reader = threading.Thread(target=_read, args=(process, receive, claims.given, end), daemon=True)
            reader.start()
            readers.append(reader)
        failures: list[_Failed] = []
        results: list[Any] = []
        try:
            results.append(task(claims, True))
        except Exception as exc:  # noqa: BLE001 - compared with the workers' errors below
            failures.append(_Failed(claims.at, exc))
        for reader, end in zip(readers, ends):
            reader.join()
            result = end[0]
            if isinstance(result, _Failed):
                failures.append(result)
            results.append(result)
        if failures:
            raise min(failures, key=lambda f: f.at).exception()
        return results
    finally:
        for process, _ in workers:
            if process.is_alive():  # its result is in (or this process is leaving early: its reader then meets the end)
                process.terminate()
        for reader in readers:
            reader.join()
        for process, receive in workers:
            receive.close()
            process.join()
        shutil.rmtree(claims.folder, ignore_errors=True)
        gc.unfreeze()


def _read(process, receive, given: list, end: list) -> None:
    """In the main process: the pieces a copy gives, into `given`, then its result, into `end`."""
    while True:
        try:
            is_piece, value = receive.recv()
        except EOFError:
            end.append(_Failed(-1, RuntimeError(f"a build process ended without a result (exit code {process.exitcode})")))
            return
        if not is_piece:
            end.append(value)
            return
        with open(value, "rb") as piece:
            given.append(pickle.load(piece))
        os.unlink(value)


def _worker(task: Callable[[Claims, bool], Any], claims: Claims, send) -> None:
    """A forked copy: run its share of the task and send the result (or the error) back."""
    claims._send = send
    try:
        result = task(claims, False)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        result = _Failed(claims.at, exc)
    send.send((False, result))
    send.close()


# ---------------------------------------------------------------- the build's two shared steps


@dataclass
class Prepared:
    """What the processes make of each report before the collection is analysed as a whole."""

    bodies: dict  # slug -> RenderedBody, in the order of the reports loaded
    analysed: dict[str, programmes.Findings]  # slug -> programmes.find() of the report
    parts: list[search.DocTerms]  # every report's search terms (in the site's order), programmes not yet known


def prepare(reports: list[Report], order: list[Report], programme_list: list, matcher, n: int) -> Prepared:
    """Every report's body rendered, its programme mentions found and its fields indexed for search.

    order: the reports as the site will list them, which numbers them in the search index.
    """
    markdown.markdown_for(matcher)  # built once here, inherited by the workers
    runs = [(first, order[first:first + size]) for first, size in _runs(len(order), n)]

    def task(claims: Claims, main: bool) -> list | None:
        if main:
            import pypinyin  # noqa: F401 - sorting by pinyin needs it next: the others take more runs meanwhile
        for k, (first, run) in enumerate(runs):
            if claims.mine(k):
                bodies = [markdown.render_body(report, matcher) for report in run]
                analysed = programmes.report_analyses(run, dict(zip((r.slug for r in run), bodies)), matcher, programme_list)
                terms = [search.report_terms(report, body, []) for report, body in zip(run, bodies)]  # programmes: later
                claims.give((k, (bodies, analysed, terms)))
        return claims.given if main else None  # every process's runs, once share() returns

    done: dict[int, tuple[list, dict, list[search.DocTerms]]] = dict(share(task, n)[0])
    rendered, analysed = {}, {}
    for k, (first, run) in enumerate(runs):
        rendered.update(zip((report.slug for report in run), done[k][0]))
        analysed.update(done[k][1])
    return Prepared({report.slug: rendered[report.slug] for report in reports}, analysed,
                    [terms for k in range(len(runs)) for terms in done[k][2]])


def _runs(count: int, n: int) -> list[tuple[int, int]]:
    """(first, length) of runs covering count items for n processes, each a fraction of what is left."""
    runs, first = [], 0
    while first < count:
        size = min(count - first, max(MIN_RUN, (count - first) // (2 * n)))
        runs.append((first, size))
        first += size
    return runs


def render(site, layouts, parts: list[search.DocTerms] | None, n: int, staging: Staging) -> list[OutputFile]:
    """Every file of the site: the pages shared out, the search index and the other files made here meanwhile.

    Each process writes what it renders into the staging folder as it goes (creating files costs as
    much as rendering some pages); staging.commit() writes the rest.
    """
    described = pages.describe_pages(site)  # before the fork: every process inherits the descriptions

    def task(claims: Claims, main: bool) -> tuple[dict[int, OutputFile], list[OutputFile]]:
        rest = []
        if main:
            rest = search.build_search(site, None if parts is None else search.with_mentions(site, parts))
            staging.write_ahead(rest)
        renderer = pages.Renderer(layouts)
        rendered: dict[int, OutputFile] = {}
        for i, page in enumerate(described):
            if claims.mine(i):
                rendered[i] = renderer.render(page)
                staging.write_ahead([rendered[i]])
        if main:
            rest = pages.data_files(site, layouts, described) + rest
        return rendered, rest

    (rendered, rest), *others = share(task, n)
    for theirs, _ in others:
        rendered.update(theirs)
    staging.written.update(f.path for f in rendered.values())
    return [rendered[i] for i in range(len(described))] + rest

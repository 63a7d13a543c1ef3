"""Run a pure function over a list of items: in this process, or shared between forked processes."""
from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many reports, starting processes costs more than they save (the 5 real reports build serially).
MIN_REPORTS = 50
# Each process holds a copy of what it changes of the site: no more than this many by default.
MAX_JOBS = 8
# Items go out in chunks: a few per process, so that one slow chunk does not leave the others idle.
CHUNKS_PER_JOB = 4


class Runner(Protocol):
    """What a stage sees: map a function over items, results in the items' order."""

    jobs: int

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """fn(item) for every item, in order; the first error in the items' order is raised."""
        ...

    def start(self, fn: Callable[[T], R], items: Sequence[T]) -> Callable[[], list[R]]:
        """map(), begun now; call what it returns for the results (meanwhile this process is free)."""
        ...


class SerialExecutor(Executor):
    """concurrent.futures' interface, run at once in this process (small sites, --jobs 1, watch)."""

    jobs = 1

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        """Run fn now; its result or error in a finished future."""
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future, as a pool does
            future.set_exception(exc)
        return future

    def map(self, fn: Callable[..., R], *iterables: Any, timeout: float | None = None,  # type: ignore[override]
            chunksize: int = 1) -> list[R]:
        """fn over the items, in order, in this process."""
        return [fn(*args) for args in zip(*iterables)]

    def start(self, fn: Callable[[T], R], items: Sequence[T]) -> Callable[[], list[R]]:
        """map(), done now."""
        results = self.map(fn, items)
        return lambda: results


class ForkedExecutor:
    """A process pool forked for each map() call, so the workers inherit the function and its items.

    Nothing of the loaded site is pickled on the way in: a worker is told only which items to take,
    and sends back its results. Fork is the start method that allows it (and is Linux's default).
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """fn(item) for every item, in order, the items shared between self.jobs processes."""
        return self.start(fn, items)()

    def start(self, fn: Callable[[T], R], items: Sequence[T]) -> Callable[[], list[R]]:
        """map(), begun in the pool now; call what it returns for the results."""
        if len(items) < 2:
            return SerialExecutor().start(fn, items)
        sys.stdout.flush()  # what is buffered now must not be written again by each copy
        sys.stderr.flush()
        gc.freeze()  # the copies share the loaded objects' pages instead of copying them when collecting
        pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_receive, initargs=(fn, items))
        futures = [pool.submit(_run, start, stop) for start, stop in chunks(len(items), self.jobs)]

        def results() -> list[R]:
            try:  # in order: the first error raised is the one a serial run meets first
                return [result for future in futures for result in future.result()]
            finally:
                pool.shutdown(cancel_futures=True)
                gc.unfreeze()

        return results


def chunks(count: int, jobs: int) -> list[tuple[int, int]]:
    """(start, stop) of consecutive chunks covering count items, about CHUNKS_PER_JOB per process."""
    n = max(1, min(count, jobs * CHUNKS_PER_JOB))
    bounds = [count * i // n for i in range(n + 1)]
    return list(zip(bounds, bounds[1:]))


# A forked worker's task: the function and items it inherited, set once by the pool's initializer.
# It lives only in the worker processes, which end with the map() call that forked them.
_task: list[tuple[Callable[[Any], Any], Sequence[Any]]] = []


def _receive(fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
    """In a new worker: remember the task it inherited."""
    _task[:] = [(fn, items)]


def _run(start: int, stop: int) -> list[Any]:
    """In a worker: fn over items[start:stop]."""
    fn, items = _task[0]
    return [fn(item) for item in items[start:stop]]


def jobs(requested: int | None, items: int) -> int:
    """How many processes a build uses: `requested` (--jobs, or ARCHIVE_JOBS), else one per CPU for a big site."""
    if requested is None and os.environ.get("ARCHIVE_JOBS", "").strip().isdigit():
        requested = int(os.environ["ARCHIVE_JOBS"])
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if requested is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return min(cpus, MAX_JOBS) if items >= MIN_REPORTS else 1
    return max(1, requested)


def executor_for(requested: int | None, items: int) -> Runner:
    """The serial executor for a small site or --jobs 1, else a forked pool of jobs() processes."""
    n = jobs(requested, items)
    return SerialExecutor() if n == 1 else ForkedExecutor(n)

"""Where per-item work runs: in this process, or in a pool of worker processes.

Work is a module-level function ``work(shared, items) -> results`` applied to chunks of
picklable items (source paths, output file names). ``shared`` is the large read-only value
the work needs (the registry and config for reading, the site snapshot for rendering); it is
picklable too. A fork-started pool inherits it for free; a cluster executor (Dask, Ray)
would broadcast it to its workers once and map the same function over the same chunks:
implement :class:`Executor` and pass it to the engine.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

POOL_THRESHOLD = 300  # items below which starting processes costs more than it saves
CHUNK = 64


class Executor(Protocol):
    def map(self, work: Callable[[Any, Sequence[T]], list[R]], shared: Any,
            items: Sequence[T]) -> Iterator[R]:
        """``work(shared, chunk)`` over chunks of ``items``; results in any order."""


class Serial:
    def map(self, work, shared, items):
        for chunk in _chunks(items):
            yield from work(shared, chunk)


_SHARED: Any = None  # what the forked workers inherit


def _run(args: tuple) -> list:
    work, chunk = args
    return work(_SHARED, chunk)


def _start_worker() -> None:
    """Workers collect garbage (rendering leaves some), rarely: most of what they allocate
    lives until their chunk is done (the parent may have turned collections off)."""
    gc.set_threshold(200_000, 50, 100)
    gc.enable()


class ForkPool:
    """Worker processes started by ``fork`` after ``shared`` is set: they inherit it."""

    def __init__(self, workers: int):
        self.workers = workers

    def map(self, work, shared, items):
        global _SHARED
        _SHARED = shared
        gc.collect()
        gc.freeze()  # keep the collector from touching (and so copying) inherited objects
        try:
            with multiprocessing.get_context("fork").Pool(self.workers,
                                                          initializer=_start_worker) as pool:
                for results in pool.imap_unordered(_run, [(work, c) for c in _chunks(items)]):
                    yield from results
        finally:
            _SHARED = None
            gc.unfreeze()


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    size = max(1, min(CHUNK, len(items) // 16 or 1))
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Beside(Generic[R]):
    """``work(*args)`` run on another core while this process goes on: started in a forked
    process, its result (plain values: marshal's str, int, list, tuple, dict) read back when
    :meth:`result` is asked for. Where a fork is not possible or not safe (one core, no fork,
    another thread running), or the other process fails in any way, the result is computed
    here when asked for, so that an error is raised here as it would be without this:
    ``work`` must only read (it may run twice). Ask for the result, or :meth:`cancel` (as
    leaving a ``with`` block does)."""

    def __init__(self, work: Callable[..., R], *args: Any):
        self.work, self.args = work, args
        self.pid: int | None = None
        if cpu_count() < 2 or not _fork_safe():
            return
        read, write = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if self.pid == 0:  # the forked process: never returns
            os.close(read)
            _send_and_exit(write, work, args)
        os.close(write)
        self.pipe = os.fdopen(read, "rb")

    def result(self) -> R:
        if self.pid is None:
            return self.work(*self.args)
        try:
            data = self.pipe.read()
        finally:
            status = self._end()
        if status == 0 and data:
            return marshal.loads(data)
        return self.work(*self.args)  # (failed there: an error is raised here, if any)

    def __enter__(self) -> Beside[R]:
        return self

    def __exit__(self, *_) -> None:
        self.cancel()  # (nothing left to end once the result was read)

    def cancel(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._end()

    def _end(self) -> int:
        self.pipe.close()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return status


def _send_and_exit(write: int, work: Callable, args: tuple) -> None:
    status = 1
    try:
        data = marshal.dumps(work(*args))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(data)
        status = 0
    except BaseException:  # (told by the status: the parent works it out itself)
        pass
    finally:
        os._exit(status)


def _fork_safe() -> bool:
    """A fork copies this process as it is: safe when no other thread may be mid-work."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def executor_for(count: int, workers: int | None = None) -> Executor:
    """A pool for ``count`` items when it pays and is safe (this process runs no other
    thread, which a fork would copy mid-work), else this process."""
    workers = cpu_count() if workers is None else workers
    if workers > 1 and count >= POOL_THRESHOLD and _fork_safe():
        return ForkPool(workers)
    return Serial()

"""Where per-item work runs: in this process, or in a pool of worker processes.

Work is a module-level function ``work(shared, items) -> results`` applied to chunks of
picklable items (source paths, output file names). ``shared`` is the large read-only value
the work needs (the registry and config for reading, the site snapshot for rendering); it is
picklable too. A fork-started pool inherits it for free; a cluster executor (Dask, Ray)
would broadcast it to its workers once and map the same function over the same chunks:
implement :class:`Executor` and pass it to the engine.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

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


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def executor_for(count: int, workers: int | None = None) -> Executor:
    """A pool for ``count`` items when it pays and is safe (this process runs no other
    thread, which a fork would copy mid-work), else this process."""
    workers = cpu_count() if workers is None else workers
    safe = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if workers > 1 and count >= POOL_THRESHOLD and safe:
        return ForkPool(workers)
    return Serial()

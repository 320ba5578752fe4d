"""Build reporting: one line per stage with its time and counts, progress bars on long stages."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO, TypeVar

T = TypeVar("T")

PROGRESS_THRESHOLD = 500  # items; shorter stages finish before a bar would help


class StageLine:
    def __init__(self) -> None:
        self.counts = ""

    def note(self, counts: str) -> None:
        self.counts = counts


class Reporter:
    def __init__(self, stream: TextIO | None = None, quiet: bool = False):
        self.stream = stream or sys.stdout
        self.quiet = quiet
        self.timings: dict[str, float] = {}

    def _interactive(self) -> bool:
        return not self.quiet and getattr(self.stream, "isatty", lambda: False)()

    @contextmanager
    def stage(self, name: str) -> Iterator[StageLine]:
        line = StageLine()
        start = time.perf_counter()
        yield line
        elapsed = time.perf_counter() - start
        self.timings[name] = elapsed
        self.say(f"  {name:<10} {line.counts:<48} {_duration(elapsed):>9}")

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    def progress(self, items: Iterable[T], total: int, label: str) -> Iterator[T]:
        if total < PROGRESS_THRESHOLD or not self._interactive():
            yield from items
            return
        # (imported here: a build with little to do shows no bar, and starts 0.05 s sooner)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (TextColumn(f"  {label:<10}"), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn())
        with Progress(*columns, transient=True, console=Console(file=self.stream)) as bar:
            task = bar.add_task(label, total=total)
            for item in items:
                yield item
                bar.advance(task)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """English counts for the build log: "1 article", "2 articles", "3 categories"."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {nouns or noun + 's'}"


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"

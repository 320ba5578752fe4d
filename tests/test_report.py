"""The build log: one line per stage with its counts and time; bars only on a terminal."""

from __future__ import annotations

import io
import re

from generator.report import Reporter, plural


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_stage_line_has_name_counts_and_time():
    stream = io.StringIO()
    reporter = Reporter(stream)
    with reporter.stage("read") as line:
        line.note("3 articles")
    (text,) = stream.getvalue().splitlines()
    assert re.fullmatch(r"  read\s+3 articles\s+\d+ ms", text)
    assert set(reporter.timings) == {"read"}


def test_progress_passes_items_through_and_stays_quiet_off_a_terminal():
    stream = io.StringIO()
    items = list(range(1000))
    assert list(Reporter(stream).progress(iter(items), len(items), "render")) == items
    assert stream.getvalue() == ""
    terminal = Terminal()
    assert list(Reporter(terminal).progress(iter(items), len(items), "render")) == items
    assert "render" in terminal.getvalue()  # the bar was drawn on the reporter's stream
    assert list(Reporter(Terminal(), quiet=True).progress(iter(items[:5]), 5, "x")) == items[:5]


def test_plural():
    assert (plural(1, "article"), plural(2, "article"), plural(1200, "category", "categories")) \
        == ("1 article", "2 articles", "1,200 categories")

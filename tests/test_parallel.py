"""Work run beside the build on another core (parallel.Beside): the same result as inline,
from another process where it can be, and the same errors, raised in the build's process."""

from __future__ import annotations

import os
import threading

import pytest

from generator.errors import BuildError
from generator.parallel import Beside, cpu_count

needs_two_cores = pytest.mark.skipif(cpu_count() < 2, reason="Beside runs inline on one core")


def where_and_what(value):
    return os.getpid(), [value, {"twice": value * 2}]


def fails_elsewhere(parent: int):
    if os.getpid() != parent:
        raise RuntimeError("only in the forked process")
    return "made here"


def fails_everywhere(path: str):
    raise BuildError("cannot read this folder: Permission denied", path)


@needs_two_cores
def test_the_work_runs_in_another_process_and_its_result_comes_back_whole():
    beside = Beside(where_and_what, 21)
    assert beside.pid not in (None, 0, os.getpid())
    pid, value = beside.result()
    assert pid != os.getpid()
    assert value == [21, {"twice": 42}]
    assert beside.pid is None  # reaped


@needs_two_cores
def test_a_failure_there_is_worked_out_here_so_an_error_is_raised_here_with_its_message():
    assert Beside(fails_elsewhere, os.getpid()).result() == "made here"
    with pytest.raises(BuildError, match="cannot read this folder") as raised:
        Beside(fails_everywhere, "/archive/content/articles/2019").result()
    assert str(raised.value.path) == "/archive/content/articles/2019"


@needs_two_cores
def test_cancelled_work_leaves_no_process_behind():
    beside = Beside(where_and_what, 1)
    pid = beside.pid
    beside.cancel()
    assert beside.pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left


def test_with_another_thread_running_nothing_is_forked_and_the_work_runs_here():
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        beside = Beside(where_and_what, 5)
        assert beside.pid is None
        assert beside.result() == (os.getpid(), [5, {"twice": 10}])
    finally:
        release.set()
        other.join()

"""Work run beside the build on another core (parallel.Beside): the same result as inline,
from another process where it can be, and the same errors, raised in the build's process.

A fork needs a process with no other thread running (tests of the dev server leave some
behind in pytest's), so the checks of the forked path run in a new interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import REPO

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


def run_alone(check: str) -> dict:
    """``check()`` of this module, run in a new interpreter (one thread): what it returns."""
    code = (f"import json, sys; sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(REPO)!r}]; "
            f"import test_parallel; print(json.dumps(test_parallel.{check}()))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def check_result() -> dict:
    beside = Beside(where_and_what, 21)
    started = beside.pid
    pid, value = beside.result()
    return {"here": os.getpid(), "started": started, "there": pid, "value": value,
            "reaped": beside.pid is None}


def check_failures() -> dict:
    made_here = Beside(fails_elsewhere, os.getpid()).result()
    beside = Beside(fails_everywhere, "/archive/content/articles/2019")
    forked = beside.pid is not None
    try:
        beside.result()
        raised = None
    except BuildError as error:
        raised = [error.message, str(error.path)]
    return {"made_here": made_here, "forked": forked, "raised": raised}


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
        return False
    except ChildProcessError:
        return True  # already: no zombie left


def check_cancel() -> dict:
    beside = Beside(where_and_what, 1)
    pid = beside.pid
    beside.cancel()
    left = None
    try:
        with Beside(where_and_what, 2) as other:  # a failure before the result is read
            left = other.pid
            raise KeyError("meanwhile")
    except KeyError:
        pass
    return {"forked": pid is not None and left is not None,
            "cleared": beside.pid is None and other.pid is None,
            "reaped": _reaped(pid) and _reaped(left)}


@needs_two_cores
def test_the_work_runs_in_another_process_and_its_result_comes_back_whole():
    found = run_alone("check_result")
    assert found["started"] not in (None, 0, found["here"])
    assert found["there"] == found["started"]
    assert found["value"] == [21, {"twice": 42}]
    assert found["reaped"]


@needs_two_cores
def test_a_failure_there_is_worked_out_here_so_an_error_is_raised_here_with_its_message():
    found = run_alone("check_failures")
    assert found == {"made_here": "made here", "forked": True, "raised": [
        "cannot read this folder: Permission denied", "/archive/content/articles/2019"]}


@needs_two_cores
def test_cancelled_work_leaves_no_process_behind():
    assert run_alone("check_cancel") == {"forked": True, "cleared": True, "reaped": True}


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

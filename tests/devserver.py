"""The dev server in a real subprocess on a free port, and an event-stream listener."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from conftest import REPO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DevProcess:
    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process = process
        self.base = f"http://127.0.0.1:{port}"
        self.log = log

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + quote(path), timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def wait_for_output(self, text: str, timeout: float = 15, count: int = 1) -> str:
        """The server's output once ``text`` appeared in it (``count`` times)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            output = self.output()
            if output.count(text) >= count:
                return output
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear {count} times in the server's output:"
                             f"\n{self.output()}")


@contextmanager
def dev_server(config: Path, *args: str, port: int | None = None, ready: bool = True):
    port = port or free_port()
    log = config.parent / f"serve-{port}.log"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--config", str(config),
             "--port", str(port), *args],
            cwd=config.parent, env=env, stdout=sink, stderr=subprocess.STDOUT)
    server = DevProcess(process, port, log)
    try:
        if ready:
            server.wait_for_output("serving on", timeout=60)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class Events:
    """Listens to /__dev/events for one page, in a thread; events arrive in a queue."""

    def __init__(self, server: DevProcess, page: str):
        self.queue: queue.Queue = queue.Queue()
        self._response = urllib.request.urlopen(
            f"{server.base}/__dev/events?path={quote(page)}", timeout=60)
        # The server registers the listener before it answers: once the stream's first line
        # (its retry delay) is here, every later event for this page will be too.
        assert self._response.readline().startswith(b"retry:")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event = None
        try:
            for raw in self._response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event:
                    self.queue.put((event, json.loads(line[6:])))
                    event = None
        except (OSError, ValueError):
            pass

    def next(self, wanted: str, timeout: float = 15) -> dict:
        """The data of the next event named ``wanted`` (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {wanted!r} event within {timeout} s")
            try:
                event, data = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if event == wanted:
                return data

    def until_done(self, timeout: float = 15) -> list[str]:
        """The names of the events of the next update, up to its closing ``build-done``."""
        names, deadline = [], time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no build-done event within {timeout} s")
            try:
                event, _ = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if event == "build-done":
                return names
            names.append(event)

    def drain(self) -> list[str]:
        names = []
        while not self.queue.empty():
            names.append(self.queue.get_nowait()[0])
        return names

    def close(self) -> None:
        self._response.close()

"""``python -m generator serve``: load, serve on 127.0.0.1, watch, apply, reload.

The dev server drives the same :class:`~generator.engine.Engine` as ``build``:

- one worker thread applies the watcher's batches of changed paths in order (a batch that
  arrives while another is applied waits, and batches waiting together are applied as one),
  so the engine never sees two changes at once; the discovered entities a batch left stale
  are grouped again after it, unless the next batch is already waiting (that one first);
- pages are rendered on request from the engine's current snapshot, which an apply replaces
  in one step: a request sees the site before the change or after it;
- a batch that fails keeps the last good snapshot; its paths are retried with every later
  batch, so the error stays on screen until the file is fixed. Any other exception (a bug)
  is shown the same way and logged, and the server goes on;
- once edits pause, a publisher thread writes the output folder and the search index from
  the current snapshot (``Engine.publish``), off the edit path. It gives way to edits: it
  waits between pages while a batch is applied, and it and the processes it starts
  (Pagefind) run at a lower scheduling priority, so that a publish of a whole archive (a
  minute or two when an entity edit reaches every search shard) does not slow the next save.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import queue
import sys
import threading
import time
import traceback
import webbrowser
from pathlib import Path

from ..engine import Engine
from ..errors import BuildError
from ..report import Reporter
from ..snapshot import Snapshot, Update
from .server import DevServer
from .watch import Watcher

DEFAULT_PORT = 8000
PORT_TRIES = 10  # without --port, try the next ports when 8000 is taken
PUBLISH_AFTER = 2.0  # seconds of quiet before writing the output folder and the index
PUBLISH_NICENESS = 10  # the publisher's scheduling priority, below the edits' (Linux)


class DevApp:
    def __init__(self, engine: Engine, reporter: Reporter, root: Path):
        self.engine = engine
        self.reporter = reporter
        self.root = root
        self.server: DevServer | None = None
        self.error: BuildError | None = None
        self.watcher = Watcher(self.changed)
        self.sequence = 0  # batches applied (or failed) so far
        self.done = threading.Condition()
        self._batches: queue.Queue[set[Path] | None] = queue.Queue()
        self._pending: set[Path] = set()  # paths of a failed batch, retried with the next
        self._publish_at: float | None = None
        self._published: int | None = None  # snapshot version last written out here
        self._wake = threading.Event()
        self._idle = threading.Event()  # clear while the worker applies a batch
        self._idle.set()
        self._stopping = False

    # -- starting and stopping ------------------------------------------------------------------

    def start(self, port: int | None) -> DevServer:
        self.load()
        self.server = _bind(self, port)
        self._watch()
        self.start_threads()
        return self.server

    def load(self) -> None:
        """The first load: from the last build's saved state when it is valid."""
        try:
            update = self.engine.load()
            self.reporter.say(f"  {update.describe()}")
            _settle()
            self._schedule_publish(delay=0)
        except BuildError as error:
            self._failed(error)
            self.reporter.say("  serving the error page; the server rebuilds when you fix it")

    def start_threads(self, publish: bool = True) -> None:
        threading.Thread(target=self._worker, daemon=True, name="apply").start()
        if publish:
            threading.Thread(target=self._publisher, daemon=True, name="publisher").start()

    def stop(self) -> None:
        self._stopping = True
        self._batches.put(None)
        self._wake.set()
        self.watcher.stop()
        if self.server:
            self.server.shutdown()

    def _watch(self) -> None:
        try:
            paths = self.engine.config().paths
        except BuildError:
            paths = None
        recursive = [paths.content, paths.templates, paths.static] if paths else []
        self.watcher.watch(recursive, [self.engine.config_path.parent])

    # -- edits: one worker applies batches in order -----------------------------------------------

    def changed(self, paths: set[Path]) -> None:
        """A batch of changed paths (from the watcher, or a test); applied in order."""
        self._batches.put(set(paths))

    def wait(self, sequence: int, timeout: float = 30) -> bool:
        """Wait until ``sequence`` batches have been applied; False on timeout."""
        with self.done:
            return self.done.wait_for(lambda: self.sequence >= sequence, timeout)

    def _worker(self) -> None:
        while True:
            batch = self._batches.get()
            if batch is None:
                return
            count = 1
            while not self._batches.empty():  # batches waiting together are applied as one
                more = self._batches.get()
                if more is None:
                    return
                batch |= more
                count += 1
            self._idle.clear()  # (the publisher waits)
            try:
                self._apply(batch)
                if self.engine.discovery_stale and self._batches.empty():
                    self._apply(None)  # the page has reloaded: now group the names again
            finally:
                self._idle.set()
            with self.done:
                self.sequence += count
                self.done.notify_all()

    def _apply(self, paths: set[Path] | None) -> None:
        """Apply a batch (None: complete the discovery a batch deferred)."""
        previous = self.engine.snapshot
        try:
            if paths is None:
                paths = set()
                # (called off when the next batch arrives: it is applied first)
                update = self.engine.rediscover(cancelled=lambda: not self._batches.empty())
            else:
                update = self.engine.apply(paths | self._pending, defer_discovery=True)
        except BuildError as error:
            self._pending |= paths
            self._failed(error)
            return
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the server
            self._pending |= paths
            self.reporter.say(traceback.format_exc().rstrip())
            self._failed(BuildError(f"internal error while rebuilding: {exc!r}"))
            return
        self._pending.clear()
        recovered, self.error = self.error is not None, None
        if update.kind == "none" and not recovered:
            return
        self._report(update, previous)
        if update.kind == "full" or previous is None:
            self._watch()  # the folders may have moved, or appeared
            _settle()
        self._schedule_publish(PUBLISH_AFTER)

    def _report(self, update: Update, previous: Snapshot | None) -> None:
        reloaded = self.server.updated(update, previous) if self.server else []
        names = ", ".join(sorted(reloaded)[:3])
        self.reporter.say(f"  {update.describe()}" + (f"; reloading {names}" if names else ""))

    def _failed(self, error: BuildError) -> None:
        self.error = error
        self.reporter.say(f"error: {error.format(self.root)}")
        if self.server:
            self.server.failed(error)

    # -- the output folder and the search index, in the background ------------------------------

    def _schedule_publish(self, delay: float) -> None:
        self._publish_at = time.monotonic() + delay
        self._wake.set()

    def _publisher(self) -> None:
        _lower_priority()
        while not self._stopping:
            due, now = self._publish_at, time.monotonic()
            if due is None or now < due:
                self._wake.wait(timeout=1.0 if due is None else due - now)
                self._wake.clear()
                continue
            self._publish_at = None
            snapshot = self.engine.snapshot
            if snapshot is None or snapshot.version == self._published \
                    or snapshot.discovery_stale:
                continue  # (a stale discovery is completed by the worker, then published)
            start = time.perf_counter()
            try:
                result = self.engine.publish(search=snapshot.config.search, snapshot=snapshot,
                                             pause=self._idle.wait)
            except BuildError as error:
                self._failed(error)
                continue
            except Exception as exc:  # noqa: BLE001 - keep publishing after a bug
                self.reporter.say(traceback.format_exc().rstrip())
                self._failed(BuildError(f"internal error while writing the site: {exc!r}"))
                continue
            self._published = snapshot.version
            searched = " and the search index" if snapshot.config.search else ""
            self.reporter.say(f"  wrote {snapshot.config.paths.output.name}/ "
                              f"({result.stats.written} changed){searched} in "
                              f"{time.perf_counter() - start:.1f} s")


def _lower_priority() -> None:
    """Lower the calling thread's scheduling priority, and so that of the threads and
    processes it starts (on Linux a thread has its own; elsewhere this would lower the
    whole server's, so it is left alone there)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           os.getpriority(os.PRIO_PROCESS, 0) + PUBLISH_NICENESS)


def _settle() -> None:
    """Move what the load allocated out of the garbage collector's way: its objects live
    until the next full load, and scanning them made edits pause at random. Snapshots made
    by edits are freed by reference counting; collections stay rare."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(200_000, 50, 100)


def _bind(app: DevApp, port: int | None) -> DevServer:
    candidates = [port] if port is not None else list(range(DEFAULT_PORT,
                                                            DEFAULT_PORT + PORT_TRIES))
    for candidate in candidates:
        try:
            return DevServer(app, "127.0.0.1", candidate)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise BuildError(f"cannot listen on 127.0.0.1:{candidate}: {exc.strerror}") \
                    from None
    if port is not None:
        raise BuildError(f"port {port} is already in use on 127.0.0.1; stop the other server "
                         "or choose another port with --port")
    raise BuildError(f"ports {candidates[0]}-{candidates[-1]} are all in use on 127.0.0.1; "
                     "choose one with --port")


def serve(engine: Engine, reporter: Reporter, port: int | None, open_browser: bool,
          root: Path) -> int:
    app = DevApp(engine, reporter, root)
    server = app.start(port)
    url = f"http://127.0.0.1:{server.port}{_base(engine)}"
    reporter.say(f"serving on {url} (Ctrl+C to stop)")
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        reporter.say("stopping")
    finally:
        app.stop()
    return 0


def _base(engine: Engine) -> str:
    try:
        return engine.config().base_path
    except BuildError:
        return "/"

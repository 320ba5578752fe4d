"""``python -m generator serve``: build, serve on 127.0.0.1, watch, rebuild, reload.

Edits are applied to the in-memory site at once; the output folder and the Pagefind index
are refreshed in the background once the editor has paused (``PUBLISH_AFTER`` seconds), so
search indexing never delays a reload.
"""

from __future__ import annotations

import errno
import gc
import threading
import time
import webbrowser
from pathlib import Path

from ..errors import BuildError
from ..output import write_output
from ..report import Reporter
from ..search import index_site
from .server import DevServer
from .session import Session
from .watch import Watcher

DEFAULT_PORT = 8000
PORT_TRIES = 10  # without --port, try the next ports when 8000 is taken
PUBLISH_AFTER = 2.0  # seconds of quiet before writing the output folder and the index


class DevApp:
    def __init__(self, session: Session, reporter: Reporter, root: Path):
        self.session = session
        self.reporter = reporter
        self.root = root
        self.server: DevServer | None = None
        self.watcher = Watcher(self.changed)
        self._publish_at: float | None = None
        self._published_version = 0
        self._wake = threading.Event()
        self._stopping = False

    # -- starting -------------------------------------------------------------------------------

    def start(self, port: int | None) -> DevServer:
        try:
            update = self.session.full()
            self.reporter.say(f"  {update.describe()}")
            _settle()
            self._schedule_publish(delay=0)
        except BuildError as error:
            self.reporter.say(f"error: {error.format(self.root)}")
            self.reporter.say("  serving the error page; the server rebuilds when you fix it")
        self.server = _bind(self.session, port, self.root)
        self._watch()
        threading.Thread(target=self._publisher, daemon=True, name="publisher").start()
        return self.server

    def _watch(self) -> None:
        try:
            paths = self.session.config().paths
        except BuildError:
            paths = None
        recursive = [paths.content, paths.templates, paths.static] if paths else []
        self.watcher.watch(recursive, [self.session.config_path.parent])

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self.watcher.stop()
        if self.server:
            self.server.shutdown()

    # -- edits ----------------------------------------------------------------------------------

    def changed(self, paths: set[Path]) -> None:
        snapshot = self.session.snapshot
        try:
            update = self.session.update(paths)
        except BuildError as error:
            self.reporter.say(f"error: {error.format(self.root)}")
            if self.server:
                self.server.failed(error)
            return
        if update.kind == "none":
            return
        previous = snapshot.assets if snapshot else None
        reloaded = self.server.updated(update, previous) if self.server else []
        names = ", ".join(sorted(reloaded)[:3])
        self.reporter.say(f"  {update.describe()}" + (f"; reloading {names}" if names else ""))
        if update.kind == "full":
            self._watch()  # the folders may have moved, or appeared
            _settle()
        self._schedule_publish(PUBLISH_AFTER)

    # -- the output folder and the search index, in the background ------------------------------

    def _schedule_publish(self, delay: float) -> None:
        self._publish_at = time.monotonic() + delay
        self._wake.set()

    def _publisher(self) -> None:
        while not self._stopping:
            due, now = self._publish_at, time.monotonic()
            if due is None or now < due:
                self._wake.wait(timeout=1.0 if due is None else due - now)
                self._wake.clear()
                continue
            self._publish_at = None
            snapshot = self.session.snapshot
            if snapshot is None or snapshot.version == self._published_version:
                continue
            start = time.perf_counter()
            try:
                config = snapshot.config
                stats = write_output(config.paths.output, snapshot.files(), config.paths.cache)
                if config.search and snapshot.content.articles:
                    index_site(config.paths.output, config.paths.cache)
            except BuildError as error:
                self.reporter.say(f"error: {error.format(self.root)}")
                if self.server:
                    self.server.failed(error)
                continue
            self._published_version = snapshot.version
            searched = " and the search index" if config.search else ""
            self.reporter.say(f"  wrote {config.paths.output.name}/ ({stats.written} changed)"
                              f"{searched} in {time.perf_counter() - start:.1f} s")


def _settle() -> None:
    """Move what the full build allocated out of the garbage collector's way: its objects live
    until the next full build, and scanning them made edits pause at random."""
    gc.collect()
    gc.freeze()


def _bind(session: Session, port: int | None, root: Path) -> DevServer:
    candidates = [port] if port is not None else list(range(DEFAULT_PORT,
                                                            DEFAULT_PORT + PORT_TRIES))
    for candidate in candidates:
        try:
            return DevServer(session, "127.0.0.1", candidate, root)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise BuildError(f"cannot listen on 127.0.0.1:{candidate}: {exc.strerror}") \
                    from None
    if port is not None:
        raise BuildError(f"port {port} is already in use on 127.0.0.1; stop the other server "
                         "or choose another port with --port")
    raise BuildError(f"ports {candidates[0]}-{candidates[-1]} are all in use on 127.0.0.1; "
                     "choose one with --port")


def serve(session: Session, reporter: Reporter, port: int | None, open_browser: bool,
          root: Path) -> int:
    app = DevApp(session, reporter, root)
    server = app.start(port)
    url = f"http://127.0.0.1:{server.port}{session_base(session)}"
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


def session_base(session: Session) -> str:
    try:
        return session.config().base_path
    except BuildError:
        return "/"

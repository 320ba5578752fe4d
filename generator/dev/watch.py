"""Watching the site's folders with watchdog, one debounced batch of paths per save.

An editor's save often writes several files (or a temporary file and a rename); every path
touched within ``DEBOUNCE`` seconds of the previous event goes into one batch. The content,
templates and static folders are watched recursively, the config's folder flat (for
``site.toml`` and for a content folder that appears after a failed start).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

DEBOUNCE = 0.05  # seconds
EVENTS = {"created", "modified", "deleted", "moved", "closed"}


class Watcher(FileSystemEventHandler):
    def __init__(self, on_batch: Callable[[set[Path]], None], debounce: float = DEBOUNCE):
        self.on_batch = on_batch
        self.debounce = debounce
        self._lock = threading.Lock()
        self._paths: set[Path] = set()
        self._timer: threading.Timer | None = None
        self._observer = Observer()
        self._watched: tuple = ()

    def watch(self, recursive: list[Path], flat: list[Path]) -> None:
        """(Re)schedule the folders; those that do not exist yet are skipped."""
        wanted = (tuple(p for p in recursive if p.is_dir()), tuple(p for p in flat if p.is_dir()))
        if wanted == self._watched:
            return
        self._observer.unschedule_all()
        for folder in wanted[0]:
            self._observer.schedule(self, str(folder), recursive=True)
        for folder in wanted[1]:
            self._observer.schedule(self, str(folder), recursive=False)
        self._watched = wanted
        if not self._observer.is_alive():
            self._observer.start()

    def stop(self) -> None:
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join(timeout=5)
        with self._lock:
            if self._timer:
                self._timer.cancel()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in EVENTS or (event.is_directory and
                                              event.event_type == "modified"):
            return
        with self._lock:
            self._paths.add(Path(event.src_path))
            if getattr(event, "dest_path", ""):
                self._paths.add(Path(event.dest_path))
            if self._timer:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            paths, self._paths = self._paths, set()
        if paths:
            self.on_batch(paths)

"""Article bodies and vocabularies, kept in SQLite under the cache folder.

Records (``Article``) are small and travel in the engine's state; their bodies are large and
are needed only when a page shows them, so they live here, keyed by the article's digest:
an old state's bodies stay readable until the state that replaced it is saved. Each article's
vocabulary (the lookup keys of its words, see ``entities/link.py``) is kept by source file
and read only when the registry changes.

New entries stay in memory until :meth:`BodyStore.flush`. Each process and thread opens its
own connection, so render workers and the dev server's threads can read at once.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from .errors import BuildError
from .model import Body

_SCHEMA = ("CREATE TABLE IF NOT EXISTS bodies (digest TEXT PRIMARY KEY, html TEXT, text TEXT)",
           "CREATE TABLE IF NOT EXISTS vocabulary (source TEXT PRIMARY KEY, words TEXT)")


class BodyStore:
    def __init__(self, path: Path):
        self.path = path
        self._fresh: dict[str, Body] = {}
        self._fresh_vocabulary: dict[str, str | None] = {}
        self._local = threading.local()
        self._lock = threading.Lock()

    def _db(self) -> sqlite3.Connection:
        key = (os.getpid(), threading.get_ident())
        if getattr(self._local, "key", None) != key:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                for statement in _SCHEMA:
                    db.execute(statement)
            except (OSError, sqlite3.Error) as exc:
                raise BuildError(f"cannot use the cache: {exc}", self.path) from None
            self._local.db, self._local.key = db, key
        return self._local.db

    # -- bodies -------------------------------------------------------------------------------

    def put(self, digest: str, body: Body) -> None:
        with self._lock:
            self._fresh[digest] = body

    def get(self, digest: str) -> Body:
        body = self._fresh.get(digest)
        if body is not None:
            return body
        row = self._db().execute("SELECT html, text FROM bodies WHERE digest = ?",
                                 (digest,)).fetchone()
        if row is None:
            raise KeyError(digest)
        return Body(*row)

    def missing(self, digests: Iterable[str]) -> int:
        """How many of ``digests`` the store cannot give."""
        wanted = set(digests) - self._fresh.keys()
        if not wanted:
            return 0
        db = self._db()
        db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (digest TEXT PRIMARY KEY)")
        db.execute("DELETE FROM wanted")
        db.executemany("INSERT INTO wanted VALUES (?)", ((d,) for d in wanted))
        found = db.execute("SELECT COUNT(*) FROM bodies JOIN wanted USING (digest)").fetchone()
        return len(wanted) - found[0]

    # -- vocabularies -------------------------------------------------------------------------

    def put_vocabulary(self, source: Path, words: str | None) -> None:
        with self._lock:
            self._fresh_vocabulary[str(source)] = words

    def vocabularies(self) -> dict[str, str | None]:
        """source -> vocabulary, for every article the store knows."""
        found = dict(self._db().execute("SELECT source, words FROM vocabulary"))
        found.update(self._fresh_vocabulary)
        return found

    # -- saving -------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write what is new."""
        with self._lock:
            fresh, fresh_vocabulary = dict(self._fresh), dict(self._fresh_vocabulary)
        db = self._db()
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)",
                               ((d, b.html, b.text) for d, b in fresh.items()))
                db.executemany("INSERT OR REPLACE INTO vocabulary VALUES (?, ?)",
                               fresh_vocabulary.items())
        except sqlite3.Error as exc:
            raise BuildError(f"cannot write the cache: {exc}", self.path) from None
        with self._lock:  # written: readers find them in the database from now on
            for written, pending in ((fresh, self._fresh),
                                     (fresh_vocabulary, self._fresh_vocabulary)):
                for key, value in written.items():
                    if pending.get(key) is value:
                        del pending[key]

    def forget(self, bodies: Iterable[str], sources: Iterable[str]) -> None:
        """Delete the bodies and vocabularies not listed (once the state using them is saved)."""
        db = self._db()
        try:
            with db:
                for table, column, keep in (("bodies", "digest", bodies),
                                            ("vocabulary", "source", sources)):
                    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS keep_{table} (k TEXT PRIMARY KEY)")
                    db.execute(f"DELETE FROM keep_{table}")
                    db.executemany(f"INSERT OR IGNORE INTO keep_{table} VALUES (?)",
                                   ((k,) for k in keep))
                    db.execute(f"DELETE FROM {table} WHERE {column} NOT IN "
                               f"(SELECT k FROM keep_{table})")
        except sqlite3.Error as exc:
            raise BuildError(f"cannot write the cache: {exc}", self.path) from None

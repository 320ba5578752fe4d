"""Full article records and bodies, and article vocabularies, kept in SQLite under the cache.

The site's indexes hold :class:`~generator.model.Entry` records; the full
:class:`~generator.model.Article` and its :class:`~generator.model.Body` live here, keyed by
the article's digest, and are loaded (and kept in a small cache) when a page shows them. An
old state's records stay readable until the state that replaced it is saved. Each article's
vocabulary (the lookup keys of its words, see ``entities/link.py``) is kept by source file
and read only when the registry changes.

Records are stored as pickles in three parts: the article (about 1 KB) and its body (about
1.5 KB), compressed with zlib, and the article's mentions again (a few hundred bytes, not
compressed), which is all an entity page shows of each of its articles: it loads the
mentions of its twenty articles with one query (:meth:`RecordStore.mentions`). New entries
stay in memory until :meth:`RecordStore.flush`, so worker processes forked during a build read
them there. Each process and thread opens its own connection.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import BuildError
from .model import Article, Body, Entry, Mention

# Tables of earlier layouts are dropped (their state is of another generator version, so it is
# discarded too): records packed whole, then articles and bodies without mentions apart.
_SCHEMA = ("DROP TABLE IF EXISTS records",
           "DROP TABLE IF EXISTS articles",
           "CREATE TABLE IF NOT EXISTS article_records (digest TEXT PRIMARY KEY, article BLOB, "
           "body BLOB, mentions BLOB)",
           "CREATE TABLE IF NOT EXISTS vocabulary (source TEXT PRIMARY KEY, words BLOB)",
           "CREATE TABLE IF NOT EXISTS recognised (source TEXT PRIMARY KEY, sha TEXT, "
           "spans BLOB)")
CACHED = 4096  # records kept in memory once loaded
_BATCH = 500  # digests asked for in one query (SQLite allows 999 parameters at least)


Packed = tuple[bytes, bytes, bytes]  # an article, its body (compressed), its mentions


def pack(article: Article, body: Body) -> Packed:
    return _pack(article), _pack(body), pickle.dumps(article.mentions, pickle.HIGHEST_PROTOCOL)


def _pack(value) -> bytes:
    return zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), 1)


def _unpack(data: bytes):
    return pickle.loads(zlib.decompress(data))


def pack_words(words: str | None) -> bytes | None:
    return None if words is None else zlib.compress(words.encode("utf-8"), 1)


def _temp_set(db: sqlite3.Connection, table: str, values: Iterable[str]) -> None:
    """A temporary table ``table`` of one column ``k`` holding ``values`` (for joins); the
    caller commits it."""
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (k TEXT PRIMARY KEY)")
    db.execute(f"DELETE FROM {table}")
    db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?)", ((v,) for v in values))


def _lost(entry: Entry) -> BuildError:
    return BuildError("the cache lost an article's record; build again", entry.source)


def _unpack_words(packed: bytes | None) -> str | None:
    return None if packed is None else zlib.decompress(packed).decode("utf-8")


class RecordStore:
    def __init__(self, path: Path):
        self.path = path
        # Not written yet: the record as objects (for pages rendered now), and packed.
        self._fresh: dict[str, tuple[tuple[Article, Body] | None, Packed | None]] = {}
        self._fresh_words: dict[str, bytes | None] = {}
        self._fresh_spans: dict[str, tuple[str, bytes]] = {}
        # Every vocabulary, decompressed, once read (the dev server checks them on each
        # registry edit); kept up to date by put_words and forget.
        self._vocabularies: dict[str, str | None] | None = None
        self._loaded: OrderedDict[str, tuple[Article, Body]] = OrderedDict()
        self._mentions: OrderedDict[str, tuple[Mention, ...]] = OrderedDict()  # loaded alone
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

    def __getstate__(self) -> dict:  # sent to another process: it opens its own connection
        return {"path": self.path, "_fresh": self._fresh, "_fresh_words": self._fresh_words,
                "_fresh_spans": self._fresh_spans}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])
        self._fresh, self._fresh_words = state["_fresh"], state["_fresh_words"]
        self._fresh_spans = state["_fresh_spans"]

    def of_entry(self, entry: Entry) -> tuple[Article, Body]:
        """The full record and body of an article entry."""
        try:
            return self.record(entry.digest)
        except KeyError:
            raise _lost(entry) from None

    def mentions_of(self, entries: Sequence[Entry]) -> list[tuple[Mention, ...]]:
        """The mentions of each of ``entries``."""
        try:
            found = self.mentions([entry.digest for entry in entries])
        except KeyError as exc:
            raise _lost(next(e for e in entries if e.digest == exc.args[0])) from None
        return [found[entry.digest] for entry in entries]

    def close(self) -> None:
        """Close this thread's connection (each thread and process has its own)."""
        db = getattr(self._local, "db", None)
        if db is not None and self._local.key == (os.getpid(), threading.get_ident()):
            db.close()
        self._local.db = self._local.key = None

    # -- records ------------------------------------------------------------------------------

    def put(self, digest: str, record: tuple[Article, Body] | None = None,
            packed: Packed | None = None) -> None:
        """A new record: as objects, as :func:`pack` made it, or both."""
        with self._lock:
            self._fresh[digest] = (record, packed)

    def record(self, digest: str) -> tuple[Article, Body]:
        record, packed = self._fresh.get(digest, (None, None))
        if record is not None:
            return record
        with self._lock:
            cached = self._loaded.get(digest)
            if cached is not None:
                self._loaded.move_to_end(digest)
                return cached
        if packed is None:
            packed = self._db().execute("SELECT article, body FROM article_records "
                                        "WHERE digest = ?", (digest,)).fetchone()
            if packed is None:
                raise KeyError(digest)
        value = (_unpack(packed[0]), _unpack(packed[1]))
        self._keep(self._loaded, digest, value)
        return value

    def mentions(self, digests: Sequence[str]) -> dict[str, tuple[Mention, ...]]:
        """digest -> the article's mentions, without unpacking the rest of its record; the
        records not in memory are read with one query. KeyError names a digest not found."""
        found: dict[str, tuple[Mention, ...]] = {}
        packed: dict[str, bytes] = {}
        with self._lock:
            for digest in digests:
                record, fresh = self._fresh.get(digest, (None, None))
                whole = record or self._loaded.get(digest)
                if whole is not None:
                    found[digest] = whole[0].mentions
                elif (cached := self._mentions.get(digest)) is not None:
                    self._mentions.move_to_end(digest)
                    found[digest] = cached
                elif fresh is not None:
                    packed[digest] = fresh[2]
        wanted = [d for d in dict.fromkeys(digests) if d not in found and d not in packed]
        # One IN query a page (twenty digests), not _temp_set's four statements and a commit.
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start:start + _BATCH]
            packed.update(self._db().execute(
                "SELECT digest, mentions FROM article_records WHERE digest IN "
                f"({','.join('?' * len(batch))})", batch))
        for digest in wanted:
            if digest not in packed:
                raise KeyError(digest)
        for digest, data in packed.items():
            found[digest] = pickle.loads(data)
            self._keep(self._mentions, digest, found[digest])
        return found

    def _keep(self, cache: OrderedDict, digest: str, value) -> None:
        with self._lock:
            cache[digest] = value
            if len(cache) > CACHED:
                cache.popitem(last=False)

    def missing(self, digests: Iterable[str]) -> int:
        """How many of ``digests`` the store cannot give."""
        wanted = set(digests) - self._fresh.keys()
        if not wanted:
            return 0
        # Every digest the store holds, read off its key's index: a sixth of the time of
        # joining with a temporary table of those wanted (the check of each build's state).
        held = {digest for digest, in self._db().execute("SELECT digest FROM article_records")}
        return len(wanted - held)

    # -- vocabularies -------------------------------------------------------------------------

    def put_words(self, source: str, words: bytes | None) -> None:
        """An article's vocabulary, as :func:`pack_words` made it."""
        with self._lock:
            self._fresh_words[source] = words
            if self._vocabularies is not None:
                self._vocabularies[source] = _unpack_words(words)

    def vocabularies(self) -> dict[str, str | None]:
        """source -> vocabulary, for every article the store knows."""
        with self._lock:
            if self._vocabularies is not None:
                return dict(self._vocabularies)
        found = dict(self._db().execute("SELECT source, words FROM vocabulary"))
        with self._lock:
            found.update(self._fresh_words)
            self._vocabularies = {source: _unpack_words(words) for source, words in found.items()}
            return dict(self._vocabularies)

    # -- what the tagger found -----------------------------------------------------------------

    def put_recognised(self, source: str, key: str, spans: tuple) -> None:
        """The tagger's spans in an article, under ``key``: what they were computed from (the
        file's content hash and the generator's version, which covers the model)."""
        packed = _pack(spans)
        with self._lock:
            self._fresh_spans[source] = (key, packed)

    def recognitions(self, sources: Iterable[str]) -> dict[str, tuple[str, tuple]]:
        """source -> (key, spans) for those of ``sources`` the store has."""
        wanted = set(sources)
        if not wanted:
            return {}
        db = self._db()
        with db:  # committed: a transaction left open would freeze what this connection sees
            _temp_set(db, "wanted", wanted)
        # (the column named sha holds the whole key, see put_recognised)
        found = {source: (key, spans) for source, key, spans in db.execute(
            "SELECT source, sha, spans FROM recognised JOIN wanted ON source = k")}
        found.update((s, v) for s, v in self._fresh_spans.items() if s in wanted)
        return {source: (key, _unpack(spans))
                for source, (key, spans) in found.items()}

    # -- saving -------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write what is new."""
        with self._lock:
            fresh, fresh_words = dict(self._fresh), dict(self._fresh_words)
            fresh_spans = dict(self._fresh_spans)
        rows = ((d, *(packed if packed is not None else pack(*record)))
                for d, (record, packed) in fresh.items())
        db = self._db()
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO article_records VALUES (?, ?, ?, ?)",
                               rows)
                db.executemany("INSERT OR REPLACE INTO vocabulary VALUES (?, ?)",
                               fresh_words.items())
                db.executemany("INSERT OR REPLACE INTO recognised VALUES (?, ?, ?)",
                               ((s, sha, spans) for s, (sha, spans) in fresh_spans.items()))
        except sqlite3.Error as exc:
            raise BuildError(f"cannot write the cache: {exc}", self.path) from None
        with self._lock:  # written: readers find them in the database from now on
            for written, pending in ((fresh, self._fresh), (fresh_words, self._fresh_words),
                                     (fresh_spans, self._fresh_spans)):
                for key, value in written.items():
                    if pending.get(key) is value:
                        del pending[key]

    def forget(self, digests: Iterable[str], sources: Iterable[str]) -> None:
        """Delete these records and vocabularies (once the state that used them is replaced)."""
        sources = list(sources)
        with self._lock:
            for source in sources if self._vocabularies is not None else ():
                self._vocabularies.pop(source, None)
        db = self._db()
        try:
            with db:
                db.executemany("DELETE FROM article_records WHERE digest = ?",
                               ((d,) for d in digests))
                for table in ("vocabulary", "recognised"):
                    db.executemany(f"DELETE FROM {table} WHERE source = ?",
                                   ((s,) for s in sources))
        except sqlite3.Error as exc:
            raise BuildError(f"cannot write the cache: {exc}", self.path) from None

    def keep_only(self, digests: Iterable[str], sources: Iterable[str]) -> None:
        """Delete every record and vocabulary not listed."""
        with self._lock:
            self._vocabularies = None  # read again when needed
        db = self._db()
        try:
            with db:
                sources = set(sources)
                for table, column, keep in (("article_records", "digest", digests),
                                            ("vocabulary", "source", sources),
                                            ("recognised", "source", sources)):
                    _temp_set(db, f"keep_{table}", keep)
                    db.execute(f"DELETE FROM {table} WHERE {column} NOT IN "
                               f"(SELECT k FROM keep_{table})")
        except sqlite3.Error as exc:
            raise BuildError(f"cannot write the cache: {exc}", self.path) from None

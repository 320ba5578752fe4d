"""What one build leaves for the next: the engine's state, saved under the cache folder.

The state holds every input's signature, what was read from them (an entry for each
article, whose full record is in the record store; pages; the registry), the indexes that
are costly to compute again (entity statistics, related articles), and for every output
file the fingerprint of what it holds in the output folder. It is valid only for the
generator version, the folders and the options it was made with (:func:`state_key`); a
state made otherwise, or damaged, is discarded with a line in the log and the build starts
cold.

It is kept in SQLite (``cache.sqlite``, beside the record store), a table per part, so a
build writes only the rows that changed and the check that nothing changed reads only the
input signatures (:meth:`StateStore.peek`).
"""

from __future__ import annotations

import fcntl
import hashlib
import marshal
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .entities.index import RelatedLists
from .errors import BuildError
from .inputs import Signature, Walk, changed
from .model import Entry, Page, digest_of
from .output import Looked, Output

if TYPE_CHECKING:  # the state is read before those modules are needed
    from .entities.discover import Discovery, Found
    from .entities.index import EntityStats
    from .entities.registry import Registry

FORMAT = "archive-state 7"
# The packages whose versions change what the generator writes.
DEPENDENCIES = ("jinja2", "markdown", "nh3", "babel", "hijridate", "camel-tools", "pagefind-bin")
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)",
    "CREATE TABLE IF NOT EXISTS inputs (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, "
    "sha TEXT)",
    "CREATE TABLE IF NOT EXISTS entries (source TEXT PRIMARY KEY, entry BLOB)",
    "CREATE TABLE IF NOT EXISTS related (url TEXT PRIMARY KEY, urls TEXT)",
    "CREATE TABLE IF NOT EXISTS outputs (file TEXT PRIMARY KEY, fingerprint TEXT)",
    "CREATE TABLE IF NOT EXISTS found (source TEXT PRIMARY KEY, names BLOB)",
)
# Small parts, kept whole in the meta table.
_META = ("key", "config", "pages", "registry", "declared", "discovery", "stats", "shards",
         "indexed", "counts", "chrome", "templates")


@dataclass(frozen=True)
class State:
    key: str  # what the state is valid for (see state_key)
    config: Config | None = None  # the configuration it was built with
    inputs: dict[str, Signature] = field(default_factory=dict)  # absolute path -> signature
    entries: dict[str, Entry] = field(default_factory=dict)  # source file -> entry, drafts too
    pages: dict[str, Page] = field(default_factory=dict)
    registry: Registry | None = None  # what articles are linked with: declared + discovered
    declared: Registry | None = None  # the registry editors keep (content/entities)
    found: dict[str, tuple[Found, ...]] = field(default_factory=dict)  # source -> tagger's names
    discovery: Discovery | None = None  # candidates from ``found`` (None: discovery off)
    related: RelatedLists = field(default_factory=RelatedLists)  # url -> related urls
    stats: dict[str, EntityStats] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # output file -> fingerprint on disk
    shards: dict[str, str] = field(default_factory=dict)  # search shard -> what it indexed
    indexed: bool = False  # the search index was brought up to date with this state
    counts: tuple[int, int] = (0, 0)  # articles and output files, for the build's last line
    chrome: str = ""  # digest of every page's header and footer (see reach.py)
    templates: Mapping[str, str] = field(default_factory=dict)  # template -> its digest
    serial: str = ""  # new at each save: a peek is of the state a later load finds if equal


@cache
def generator_version() -> str:
    """A digest of the generator's own code and of the dependencies that shape its output."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        # (code, and the named-entity model: what it found is cached with the state)
        if path.suffix in (".py", ".js", ".crfsuite", ".tsv") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    versions = []
    for name in DEPENDENCIES:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, None))
    digest.update(repr((versions, sys.version_info[:2])).encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Survey:
    """What a build's first look found (:func:`survey`)."""

    same: bool  # the output folder holds exactly what a build would write now
    scanned: dict[str, Signature]  # the stat walk of the inputs
    looked: Looked | None  # the output's folders changed by hand (None: no usable state)
    saved: State | None  # what was read of the saved state (StateStore.peek), for its load


def survey(config: Config, drafts: bool, search: bool) -> Survey:
    """Whether the output folder holds exactly what a build would write now: the saved state
    is valid, the configuration and every input are as they were, the search index is
    complete if one is wanted, and nothing in the output was changed by hand. Also the stat
    walk made to tell, and what was found in the output folder, for the build to reuse.

    The stat walk runs on another core (``inputs.Walk``) while this process reads the saved
    state's signatures and looks at the output's folders: each takes about 0.3 s at the
    whole corpus."""
    with Walk(config) as walk:
        saved, _ = StateStore(cache_folder(config) / "cache.sqlite").peek(state_key(config,
                                                                                  drafts))
        usable = saved is not None and saved.config == config and config.paths.output.is_dir()
        # (looked at even if an input turns out to have changed: the build needs it then)
        looked = Output(config.paths.output, config.paths.cache).look(saved.outputs) \
            if usable else None
        scanned = walk.result()
    same = usable and not (search and config.search and not saved.indexed) \
        and not changed(saved.inputs, scanned) and looked.folders == frozenset()
    return Survey(same, scanned, looked, saved if usable else None)


def cache_folder(config: Config) -> Path:
    """The cache of one site: its content folder built into its output folder."""
    return config.paths.cache / "sites" / digest_of(str(config.paths.content),
                                                    str(config.paths.output))


@contextmanager
def site_lock(config: Config) -> Iterator[None]:
    """Held while a build (or the dev server) writes a site's output folder and cache: a second
    one is refused, naming the process that holds it, rather than interleaving with it."""
    folder = cache_folder(config)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            raise BuildError(f"another build or dev server (process {holder or '?'}) is writing "
                             f"{config.paths.output}; wait for it to finish", folder / "lock") \
                from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def state_key(config: Config, drafts: bool) -> str:
    """A state serves builds of the same content into the same output folder, with the same
    generator and options; other changes to site.toml are applied like any other change."""
    return digest_of(FORMAT, generator_version(), drafts, config.paths.content,
                     config.paths.output)


class StateStore:
    def __init__(self, path: Path):
        self.path = path

    def remove(self) -> None:
        """Delete the database (a damaged one), with its write-ahead log."""
        for path in self.path.parent.glob(self.path.name + "*"):
            path.unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        for statement in _SCHEMA:
            db.execute(statement)
        return db

    def peek(self, key: str) -> tuple[State | None, str | None]:
        """Only what tells that nothing changed: the input signatures, the config, whether
        the search index is complete, the counts, the output files and their fingerprints
        (a :meth:`load` that follows uses them again). None and why when there is no valid
        state."""
        try:
            db = self._connect()
            try:
                why = self._check(db, key)
                if why:
                    return None, why
                meta = {name: pickle.loads(value) for name, value in db.execute(
                    "SELECT name, value FROM meta WHERE name IN "
                    "('key', 'config', 'indexed', 'counts', 'serial')")}
                return State(key=meta["key"], config=meta["config"], inputs=_inputs(db),
                             indexed=meta["indexed"], counts=meta["counts"],
                             outputs=_outputs(db), serial=meta["serial"]), None
            finally:
                db.close()
        except (sqlite3.DatabaseError, pickle.UnpicklingError, EOFError, KeyError, TypeError,
                AttributeError, ValueError):
            return None, "it is damaged"

    def load(self, key: str, peeked: State | None = None) -> tuple[State | None, str | None]:
        """The saved state if it is valid for ``key``; otherwise None and why (None if there
        is none). ``peeked``: what :meth:`peek` read of it, used again if no build saved a
        state since (0.1 s of a one-article build at the whole corpus)."""
        try:
            db = self._connect()
            try:
                why = self._check(db, key)
                if why:
                    return None, why
                meta = {name: pickle.loads(value)
                        for name, value in db.execute("SELECT name, value FROM meta")}
                if peeked is not None and peeked.serial == meta["serial"]:
                    inputs, outputs = peeked.inputs, peeked.outputs
                else:
                    inputs, outputs = _inputs(db), _outputs(db)
                return State(
                    key=meta["key"], config=meta["config"], pages=meta["pages"],
                    registry=meta["registry"], declared=meta["declared"],
                    discovery=meta["discovery"], stats=meta["stats"], shards=meta["shards"],
                    indexed=meta["indexed"], counts=meta["counts"], chrome=meta["chrome"],
                    templates=meta["templates"], serial=meta["serial"], inputs=inputs,
                    entries={source: unpack_entry(source, entry) for source, entry in
                             db.execute("SELECT source, entry FROM entries")},
                    related=RelatedLists(dict(db.execute("SELECT url, urls FROM related"))),
                    outputs=outputs,
                    found={source: pickle.loads(names) for source, names in
                           db.execute("SELECT source, names FROM found")},
                ), None
            finally:
                db.close()
        except (sqlite3.DatabaseError, pickle.UnpicklingError, EOFError, KeyError, TypeError,
                AttributeError, ValueError):
            return None, "it is damaged"

    @staticmethod
    def _check(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
        if row is None:
            return "there is none" if db.execute("SELECT 1 FROM inputs").fetchone() is None \
                else "it is damaged"
        if pickle.loads(row[0]) != key:
            return "the generator, the content or output folder, or --drafts changed"
        return None

    def save(self, state: State, previous: State | None) -> None:
        """Write ``state``: only what differs from ``previous`` (the state saved last), or
        everything."""
        if previous is not None and previous.key != state.key:
            previous = None
        try:
            db = self._connect()
            try:
                with db:
                    if previous is None:
                        for table in ("meta", "inputs", "entries", "related", "outputs",
                                      "found"):
                            db.execute(f"DELETE FROM {table}")
                    _sync(db, "inputs", "path", previous and previous.inputs, state.inputs,
                          lambda path, s: (path, s.size, s.mtime_ns, s.sha))
                    _sync(db, "entries", "source", previous and previous.entries, state.entries,
                          lambda source, e: (source, pack_entry(e)))
                    _sync(db, "related", "url", previous and previous.related.joined,
                          state.related.joined, lambda url, joined: (url, joined))
                    _sync(db, "outputs", "file", previous and previous.outputs, state.outputs,
                          lambda file, value: (file, value))
                    _sync(db, "found", "source", previous and previous.found, state.found,
                          lambda source, names: (source, pickle.dumps(
                              names, pickle.HIGHEST_PROTOCOL)))
                    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", (
                        (name, pickle.dumps(getattr(state, name), pickle.HIGHEST_PROTOCOL))
                        for name in _META))
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('serial', ?)",
                               (pickle.dumps(os.urandom(8).hex()),))
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise BuildError(f"cannot save the build's state: {exc}", self.path) from None


def _inputs(db: sqlite3.Connection) -> dict[str, Signature]:
    return {path: Signature(size, mtime, sha)
            for path, size, mtime, sha in db.execute("SELECT path, size, mtime, sha FROM inputs")}


def _outputs(db: sqlite3.Connection) -> dict[str, str]:
    return dict(db.execute("SELECT file, fingerprint FROM outputs"))


def pack_entry(entry: Entry) -> bytes:
    """An entry as its row holds it (the row's key is its source): plain values, dates as
    ISO 8601 text, marshalled. It loads in two thirds of the time of a pickle of the record,
    and loading 27,000 of them is most of a one-article build's loading of the state."""
    return marshal.dumps((entry.url, entry.digest, entry.title, entry.summary,
                          entry.date.isoformat(), entry.updated and entry.updated.isoformat(),
                          entry.categories, entry.publisher, entry.about, entry.mentions,
                          entry.draft, entry.declares))


def unpack_entry(source: str, data: bytes) -> Entry:
    (url, digest, title, summary, moment, updated, categories, publisher, about, mentions,
     draft, declares) = marshal.loads(data)
    return Entry(url, digest, title, summary, datetime.fromisoformat(moment),
                 updated and datetime.fromisoformat(updated), categories, publisher, about,
                 mentions, draft, declares, source)


def _sync(db: sqlite3.Connection, table: str, column: str, before: Mapping | None,
          after: Mapping, row) -> None:
    """Make ``table`` hold ``after``, knowing it held ``before`` (None: it is empty)."""
    before = before or {}
    gone = [(key,) for key in before.keys() - after.keys()]
    if gone:
        db.executemany(f"DELETE FROM {table} WHERE {column} = ?", gone)
    new = [row(key, value) for key, value in after.items()
           if key not in before or before[key] != value]
    if new:
        marks = ", ".join("?" * len(new[0]))
        db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", new)

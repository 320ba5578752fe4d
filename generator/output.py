"""Writing the site: the one place that touches the output folder.

The output folder switches from the old site to the new one in one step, so a host serving it
never sees a mixture, and a build that fails or is killed at any moment leaves the old site:

- Beside the output folder (same file system, under the cache folder when possible) lies a
  second copy of it, ``next``, whose files are hard links to the output's own: it costs no
  space and is kept in step after every build.
- A build writes only what changed into ``next`` (each file through a temporary file and a
  rename, so the output's inode is never written), removes what disappeared, then exchanges
  the two folders with one ``renameat2(RENAME_EXCHANGE)`` (on macOS ``renamex_np``; elsewhere
  two renames, with a moment where the folder is absent but never mixed).
- After the switch, the old folder (now ``next``) gets the same changes as hard links.
- A journal says whether ``next`` mirrors the output; if a build was killed before it did,
  the next build makes the mirror again from the output folder.

A build without a usable state renders every file, still writes only those whose bytes differ
from the output's, and removes the files it did not write (the very first build, with no
output folder yet, writes into a new folder and links each file into a new mirror as it
goes). Files the generator did not write at the top of the output folder (say ``CNAME`` or
``downloads/``) are carried over; the folders it writes are its own.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError
from .model import digest_of

RELINK_THREADS = 4  # threads relinking the mirror after a switch


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


@dataclass(frozen=True)
class PublishResult:
    """What a build or a publish did."""

    articles: int
    files: int  # output files of the site (not counting the search index)
    rendered: int
    stats: WriteStats
    timings: dict[str, float]


@dataclass(frozen=True)
class Staging:
    """Where a build writes: picklable, so render workers write files themselves."""

    live: Path  # the output folder
    next: Path  # the folder being prepared
    fresh: bool  # ``next`` started empty: every file is written, nothing compared
    mirror: Path | None  # the very first build also links each file here (the next mirror)
    made: set[str] = field(default_factory=set, compare=False)  # folders known to exist

    def put(self, file: str, data: bytes) -> bool:
        """Make ``file`` hold ``data`` in the next site; True if its bytes changed."""
        target = self.next / file
        if self.fresh:
            self._folder(target.parent)
            with open(target, "wb") as handle:
                handle.write(data)
            if self.mirror is not None:
                mirror = self.mirror / file
                self._folder(mirror.parent)
                os.link(target, mirror)
            return True
        if _same_bytes(target, data):
            return False
        self._folder(target.parent)
        atomic_write(target, data)
        return True

    def _folder(self, folder: Path) -> None:
        key = str(folder)
        if key not in self.made:
            folder.mkdir(parents=True, exist_ok=True)
            self.made.add(key)


@dataclass
class Transaction:
    output: Output
    staging: Staging
    touched: set[str] = field(default_factory=set)  # files written or removed in ``next``

    def put(self, file: str, data: bytes) -> bool:
        changed = self.staging.put(file, data)
        if changed:
            self.touched.add(file)
        return changed

    def record(self, files: set[str]) -> None:
        """Files a worker wrote with :meth:`Staging.put`."""
        self.touched |= files

    def remove(self, files: set[str]) -> int:
        removed = 0
        for file in sorted(files, reverse=True):
            path = self.staging.next / file
            if path.is_file():
                path.unlink()
                _prune(path.parent, self.staging.next)
                removed += 1
                self.touched.add(file)
        return removed

    def sweep(self, keep: set[str], owned: set[str]) -> int:
        """Remove the files under ``owned`` top-level names that are not in ``keep`` (after a
        build that wrote every file without knowing what the output held)."""
        root = str(self.staging.next)
        stale = set()
        for name in owned:
            top = os.path.join(root, name)
            if os.path.isfile(top):
                stale.add(name)
            for folder, _, files in os.walk(top):
                relative = os.path.relpath(folder, root).replace(os.sep, "/")
                stale.update(f"{relative}/{file}" for file in files)
        return self.remove(stale - keep)

    def sync_tree(self, source: Path, folder: str, last: tuple[str, ...] = ()) -> WriteStats:
        """Make ``folder`` (a site path owned by one tool, such as Pagefind's bundle) a copy of
        the folder ``source``: changed files (``last`` after the others), then deletions."""
        files = sorted((p.relative_to(source).as_posix() for p in source.rglob("*")
                        if p.is_file()), key=lambda rel: (rel in last, rel))
        written = sum(self.put(f"{folder}/{rel}", (source / rel).read_bytes()) for rel in files)
        target = self.staging.next / folder
        present = {p.relative_to(self.staging.next).as_posix() for p in target.rglob("*")
                   if p.is_file()} if target.is_dir() else set()
        removed = self.remove(present - {f"{folder}/{rel}" for rel in files})
        return WriteStats(written, len(files) - written, removed)

    def commit(self) -> None:
        self.output.commit(self)

    def abort(self) -> None:
        self.output.abort(self)


class Output:
    def __init__(self, live: Path, cache: Path):
        self.live = live
        self.area = staging_area(live, cache)
        self.next = self.area / "next"
        self.journal = self.area / "journal.json"

    def begin(self, fresh: bool, owned: set[str]) -> Transaction:
        """Start preparing the next site: from nothing (``fresh``) or from the current one.
        ``owned``: the top-level names the generator writes (all else is carried over)."""
        try:
            self.area.mkdir(parents=True, exist_ok=True)
            self._clear_trash()
            if not self.live.is_dir():  # a first build: a new folder, and a new mirror
                self._discard(self.next)
                self.next.mkdir()
                mirror = self.area / "mirror"
                self._discard(mirror)
                mirror.mkdir()
                staging = Staging(self.live, self.next, True, mirror)
            else:  # from the mirror of the output (even when the build renders everything)
                if not self._mirrors():
                    self._discard(self.next)
                    _link_tree(self.live, self.next)
                staging = Staging(self.live, self.next, False, None)
            self._write_journal(synced=False)
            transaction = Transaction(self, staging)
            self._carry_over(transaction, owned)
        except OSError as exc:
            raise BuildError(f"cannot prepare the output folder: {exc}", self.live) from None
        return transaction

    def commit(self, transaction: Transaction) -> None:
        staging = transaction.staging
        try:
            if self.live.is_dir():
                exchange(self.next, self.live)
            else:
                self.live.parent.mkdir(parents=True, exist_ok=True)
                os.rename(self.next, self.live)
                self.next.mkdir()
            # The switch is done; now the old folder becomes the mirror of the new one.
            if staging.mirror is not None:
                self._discard(self.next)
                os.rename(staging.mirror, self.next)
            else:
                _relink(self.live, self.next, transaction.touched)
            self._write_journal(synced=True)
            self._clear_trash()
        except OSError as exc:
            raise BuildError(f"cannot switch to the new output: {exc}", self.live) from None

    def abort(self, transaction: Transaction) -> None:
        """Undo a transaction that was not committed (the output folder was never touched)."""
        try:
            if transaction.staging.fresh:
                self._discard(self.next)
                if transaction.staging.mirror is not None:
                    self._discard(transaction.staging.mirror)
            else:
                _relink(self.live, self.next, transaction.touched)
                self._write_journal(synced=True)
            self._clear_trash()
        except OSError:
            pass  # the journal still says "not synced": the next build makes a new mirror

    # -- the mirror -----------------------------------------------------------------------------

    def _mirrors(self) -> bool:
        try:
            journal = json.loads(self.journal.read_text(encoding="utf-8"))
            return (journal.get("synced") is True
                    and journal.get("live") == _inode(self.live)
                    and journal.get("next") == _inode(self.next))
        except (OSError, ValueError, AttributeError):
            return False

    def _write_journal(self, synced: bool) -> None:
        data = {"synced": synced, "live": _inode(self.live), "next": _inode(self.next)}
        atomic_write(self.journal, json.dumps(data).encode())

    def _carry_over(self, transaction: Transaction, owned: set[str]) -> None:
        """Top-level files and folders of the output that the generator does not write."""
        staging = transaction.staging
        live = {e.name for e in os.scandir(self.live)} if self.live.is_dir() else set()
        target = {e.name for e in os.scandir(staging.next)}
        for name in live - owned - target:
            _link_tree(self.live / name, staging.next / name)
            if staging.mirror is not None:
                _link_tree(self.live / name, staging.mirror / name)
        if staging.mirror is None:
            for name in target - owned - live:  # removed by hand from the output
                self._discard(staging.next / name)

    def _discard(self, path: Path) -> None:
        """Move ``path`` into the trash, emptied at the end of the build."""
        if path.exists() or path.is_symlink():
            trash = self.area / "trash"
            trash.mkdir(exist_ok=True)
            os.rename(path, trash / f"{path.name}-{len(list(trash.iterdir()))}")

    def _clear_trash(self) -> None:
        shutil.rmtree(self.area / "trash", ignore_errors=True)


def staging_area(live: Path, cache: Path) -> Path:
    """A folder on the output's file system: under the cache folder if it is there too,
    otherwise hidden beside the output folder."""
    parent = live.parent
    parent.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    if os.stat(cache).st_dev == os.stat(parent).st_dev:
        return cache / "output" / digest_of(str(live.resolve()))
    return parent / f".{live.name}.staging"


# -- file operations ----------------------------------------------------------------------------

def atomic_write(target: Path, data: bytes) -> None:
    """Write through a temporary file and a rename: readers see the old or the new bytes."""
    if not target.parent.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _same_bytes(target: Path, data: bytes) -> bool:
    try:
        if target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False


def _prune(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _link_tree(source: Path, target: Path) -> None:
    """``target`` as a copy of ``source`` made of hard links."""
    if source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)
        return
    for folder, _, files in os.walk(source):
        into = target / os.path.relpath(folder, source)
        into.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(os.path.join(folder, name), into / name)


def _relink(source: Path, target: Path, files: set[str]) -> None:
    """Make each of ``files`` in ``target`` a hard link to ``source``'s (or absent).

    ``target`` is the mirror, which nothing serves, and the journal says it is not one until
    this is done, so a file is replaced by an unlink and a link rather than atomically; and
    threads share the files, as the system calls release the interpreter's lock."""
    origin_root, copy_root = os.fspath(source), os.fspath(target)

    def relink(file: str) -> str | None:
        """Relink one file; the file itself if ``source`` no longer has it."""
        origin, copy = os.path.join(origin_root, file), os.path.join(copy_root, file)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(copy)
        try:
            os.link(origin, copy)
        except FileNotFoundError:
            if not os.path.isfile(origin):
                return file
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            os.link(origin, copy)
        return None

    with ThreadPoolExecutor(RELINK_THREADS) as pool:
        gone = [file for file in pool.map(relink, sorted(files)) if file is not None]
    for file in gone:
        _prune((target / file).parent, target)


# -- switching two folders ----------------------------------------------------------------------

_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS stdio.h
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> None:
    """Swap two folders in one step where the system can; otherwise by two renames."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    source, target = os.fsencode(a), os.fsencode(b)
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        if libc.renameat2(_AT_FDCWD, source, _AT_FDCWD, target, _RENAME_EXCHANGE) == 0:
            return
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        if libc.renamex_np(source, target, _RENAME_SWAP) == 0:
            return
    aside = b.with_name(f".{b.name}.old")
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)

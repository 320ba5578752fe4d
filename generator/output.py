"""Writing the site: the one place that touches the output folder.

The output folder switches from the old site to the new one in one step, so a host serving it
never sees a mixture, and a build that fails or is killed at any moment leaves the old site:

- Beside the output folder (same file system, under the cache folder when possible) lies a
  second copy of it, ``next``, whose files are hard links to the output's own: it costs no
  space and is kept in step after every build.
- A build writes only what changed into ``next`` (each file through a temporary file and a
  rename, so the output's inode is never written), removes what disappeared, then exchanges
  the two folders with one ``renameat2(RENAME_EXCHANGE)`` (on macOS ``renamex_np``; where the
  file system cannot, three renames, with a moment where the folder is absent but never mixed).
- After the switch, the old folder (now ``next``) gets the same changes as hard links. If it
  cannot (a folder of it the build may not change), the new site stays: the journal says
  there is no mirror, and the next build writes every file anew.
- A journal (``journal.py``) says whether ``next`` mirrors the output, and whether the saved
  state describes the output. If ``next`` may not mirror it (a build was killed after it
  began writing, or failed with the output changed by hand), the next build writes every
  file into a new folder, as the very first build does, and the old output folder is thrown
  away at the switch; if the state may not describe it (a build stopped between the switch
  and the end of its save), every file is rendered again too, and nothing is taken to hold
  the site until a build settles.

A build without a usable state renders every file, still writes only those whose bytes differ
from the output's, and removes the files it did not write (the very first build, with no
output folder yet, writes into a new folder and links each file into a new mirror as it
goes). Files the generator did not write at the top of the output folder (say ``CNAME`` or
``downloads/``) are carried over; the folders it writes are its own.

Changes made by hand to the output folder between builds are told by its folders' change times
(:meth:`Output.changed_by_hand`): in the generator's folders the switch undoes them (``next``
holds the last build's files), and the old folder gets those folders made to match as it
becomes the mirror; in the others ``next`` is made to match the output first, so they stay as
the user left them. A build that fails puts back in ``next`` what it may have written there
(:meth:`Output.abort`); if it cannot, the journal says there is no mirror, but keeps the time
changes by hand are told from.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import journal
from .errors import BuildError
from .files import (
    atomic_write,
    changed_since,
    differing,
    every_folder,
    exchange,
    folders_of,
    folders_under,
    link_tree,
    prune,
    reconcile,
    relink,
    remove_tree,
    same_bytes,
)
from .model import digest_of


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
        if same_bytes(target, data):
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
    # Every file is rendered: the output's files are not known, or there was no mirror
    # (after a build that failed or was killed, which may have written into it).
    fresh: bool = False
    # Folders of the output changed by hand since the last build (None: perhaps any); the
    # switch undoes that, and the mirror is then made to match them.
    by_hand: set[str] | None = field(default_factory=set)
    switched: bool = False  # the output folder holds the new site
    since: int | None = None  # when the generator last changed the output (the journal's)
    dispatched: set[str] = field(default_factory=set)  # given to workers, not yet reported
    unmirrored: str | None = None  # why the switched output has no mirror, if it has none

    @property
    def restores(self) -> bool:
        """Whether the switch would undo changes made by hand to the output folder."""
        return self.by_hand is None or bool(self.by_hand)

    def put(self, file: str, data: bytes) -> bool:
        changed = self.staging.put(file, data)
        if changed:
            self.touched.add(file)
        return changed

    def record(self, files: set[str]) -> None:
        """Files the workers wrote with :meth:`Staging.put`, once they all reported: what was
        dispatched to them and not written is known unchanged."""
        self.touched |= files
        self.dispatched.clear()

    def remove(self, files: set[str]) -> int:
        removed = 0
        for file in sorted(files, reverse=True):
            path = self.staging.next / file
            if path.is_file():
                path.unlink()
                prune(path.parent, self.staging.next)
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

    def settle(self) -> None:
        self.output.settle(self)

    def abort(self) -> None:
        self.output.abort(self)


@dataclass(frozen=True)
class Looked:
    """What :meth:`Output.look` found: the folders changed by hand (None: perhaps any) since
    the journal's time ``since``, with the last build's files ``known``."""

    known: frozenset[str]
    since: int | None
    folders: frozenset[str] | None


class Output:
    def __init__(self, live: Path, cache: Path):
        self.live = live
        self.area = staging_area(live, cache)
        self.next = self.area / "next"
        self.journal_path = self.area / "journal.json"

    def begin(self, fresh: bool, owned: set[str], known: Iterable[str] = (),
              looked: Looked | None = None) -> Transaction:
        """Start preparing the next site: from nothing (no output folder yet) or from the
        current one. ``owned``: the top-level names the generator writes (all else is carried
        over, as it is now); ``known``: the files the last build wrote (``fresh``: not known);
        ``looked``: what :meth:`look` found earlier in the build, if it did."""
        try:
            self.area.mkdir(parents=True, exist_ok=True)
            self._clear_trash()
            known_now = self._known()
            if not known_now.mirror:  # a first build, or no mirror known to be one (after a
                # build that failed or was killed): a new folder, and a new mirror, every file
                self._discard(self.next)
                self.next.mkdir()
                mirror = self.area / "mirror"
                self._discard(mirror)
                mirror.mkdir()
                transaction = Transaction(self, Staging(self.live, self.next, True, mirror),
                                          fresh=True)
            else:  # from the mirror of the output (even when the build renders everything)
                transaction = Transaction(
                    self, Staging(self.live, self.next, False, None), fresh=fresh,
                    by_hand=None if fresh else self._by_hand(known, known_now.since, looked))
            transaction.since = known_now.since
            self._write_journal("begun", since=known_now.since)
            self._carry_over(transaction, owned)
        except OSError as exc:
            raise BuildError(f"cannot prepare the output folder: {exc}", self.live) from None
        return transaction

    def commit(self, transaction: Transaction) -> None:
        """Switch the output folder to the next site, then make the old one its mirror. Until
        :meth:`settle`, the journal says the output is not known (the build's state is not
        saved yet). A mirror that cannot be made (a folder of the old output the build may not
        change, say) does not undo the switch: the journal will say there is none, and the
        next build writes every file anew (``transaction.unmirrored`` says why)."""
        try:
            if self.live.is_dir():
                exchange(self.next, self.live)
            else:
                self.live.parent.mkdir(parents=True, exist_ok=True)
                os.rename(self.next, self.live)  # (the new mirror becomes ``next``)
        except OSError as exc:
            raise BuildError(f"cannot switch to the new output: {exc}", self.live) from None
        transaction.switched = True
        try:
            self._write_journal("switched")
            self._mirror(transaction)
        except OSError as exc:
            transaction.unmirrored = str(exc)
        self._clear_trash()

    def settle(self, transaction: Transaction) -> None:
        """Once the state of the site switched in is saved: the journal says that state
        describes the output folder, from now (later changes are made by hand), and whether
        ``next`` mirrors it. If this is not written, the journal still says the output is not
        known, and the next build writes every file anew."""
        if transaction.switched:
            with contextlib.suppress(OSError):
                self._write_journal("settled", mirror=transaction.unmirrored is None)

    def _mirror(self, transaction: Transaction) -> None:
        """After the switch, the old folder becomes the mirror of the new one: the files
        written, and the folders changed by hand in it (or, not knowing, every one)."""
        staging = transaction.staging
        if staging.mirror is not None:
            self._discard(self.next)
            os.rename(staging.mirror, self.next)
        elif transaction.by_hand is None:
            reconcile(self.live, self.next, every_folder(self.next))
        else:  # (the folders changed by hand first: a file may stand where a folder goes)
            reconcile(self.live, self.next, transaction.by_hand)
            relink(self.live, self.next, transaction.touched)

    def abort(self, transaction: Transaction) -> None:
        """End a transaction without switching: one that found nothing to change, or one that
        failed. What a build wrote into ``next`` is among the files it recorded or gave its
        workers (``dispatched``, until they reported: a worker stopped by a failure may have
        written some and not reported them): those are put back as the output has them, and
        ``next`` mirrors it again. Not so if the output was changed by hand (``next`` then holds
        the last build's files in those folders, which a failed build may have overwritten),
        nor if that fails: the journal still says "begun", and the next build writes every
        file anew. After the switch (stopped by an interrupt, say) there is nothing to undo:
        the journal says nothing is known of the output."""
        if transaction.switched:
            return
        try:
            if transaction.staging.fresh:
                self._discard(self.next)
                if transaction.staging.mirror is not None:
                    self._discard(transaction.staging.mirror)
            elif transaction.by_hand == set():
                relink(self.live, self.next, transaction.touched | transaction.dispatched)
                self._write_journal("settled", since=transaction.since, mirror=True)
            self._clear_trash()
        except OSError:
            pass

    # -- the mirror -----------------------------------------------------------------------------

    def changed_by_hand(self, known: Iterable[str], looked: Looked | None = None
                        ) -> set[str] | None:
        """The folders of the output whose entries changed since the generator last changed
        it (the journal says when): the folders of ``known`` (the files the last build wrote)
        and every folder of the others. None if the saved state may not describe the output
        (the journal is missing, or says a build switched it and did not save its state).
        ``looked``: what :meth:`look` found earlier, used if it is for the same."""
        return self._by_hand(known, self._known().since, looked)

    def look(self, known: Iterable[str]) -> Looked:
        """:meth:`changed_by_hand`, kept for later in the build (a build looks at the output
        before it loads its state, while the inputs' stat walk runs beside it)."""
        known = frozenset(known)
        since = self._known().since
        try:
            folders = self._changed_since(known, since)
        except OSError as exc:
            raise BuildError(f"cannot look into this folder of the output: {exc.strerror}",
                             exc.filename or self.live) from None
        return Looked(known, since, None if folders is None else frozenset(folders))

    def _by_hand(self, known: Iterable[str], since: int | None,
                 looked: Looked | None) -> set[str] | None:
        if looked is not None and looked.since == since and looked.known == frozenset(known):
            return None if looked.folders is None else set(looked.folders)
        return self._changed_since(known, since)

    def _changed_since(self, known: Iterable[str], since: int | None) -> set[str] | None:
        if since is None or not self.live.is_dir():
            return None
        folders = folders_of(known)
        with os.scandir(self.live) as entries:
            others = [e.name for e in entries if e.name not in folders]
        return changed_since(self.live, folders | folders_under(self.live, others), since)

    def _known(self) -> journal.Known:
        return journal.read(self.journal_path, self.live, self.next)

    def _write_journal(self, phase: str, since: int | None = None, mirror: bool = False) -> None:
        journal.write(self.journal_path, self.live, self.next, phase, since, mirror)

    def _carry_over(self, transaction: Transaction, owned: set[str]) -> None:
        """Top-level files and folders of the output that the generator does not write, as
        they are in the output folder now."""
        staging = transaction.staging
        live = {e.name for e in os.scandir(self.live)} if self.live.is_dir() else set()
        if staging.mirror is not None:  # new folders: the user's names linked into both
            for name in live - owned:
                link_tree(self.live / name, staging.next / name)
                link_tree(self.live / name, staging.mirror / name)
            return
        reconcile(self.live, staging.next, {""}, only=lambda name: name not in owned)
        by_hand = transaction.by_hand
        if by_hand is None:
            reconcile(self.live, staging.next, folders_under(self.live, live - owned))
            return
        carried = {folder for folder in by_hand if folder and folder.split("/")[0] not in owned}
        reconcile(self.live, staging.next, carried)
        # What is left is the generator's to undo (the top folder, if one of its names changed:
        # the user's are alike by now).
        by_hand -= carried
        if not differing(self.live, staging.next, ""):
            by_hand.discard("")

    def _discard(self, path: Path) -> None:
        """Move ``path`` into the trash, emptied at the end of the build."""
        if path.exists() or path.is_symlink():
            trash = self.area / "trash"
            trash.mkdir(exist_ok=True)
            os.rename(path, trash / f"{path.name}-{len(list(trash.iterdir()))}")

    def _clear_trash(self) -> None:
        remove_tree(self.area / "trash")


def staging_area(live: Path, cache: Path) -> Path:
    """A folder on the output's file system: under the cache folder if it is there too,
    otherwise hidden beside the output folder."""
    parent = live.parent
    parent.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    if os.stat(cache).st_dev == os.stat(parent).st_dev:
        return cache / "output" / digest_of(str(live.resolve()))
    return parent / f".{live.name}.staging"

"""File-system operations of the output folder (``output.py``): atomic writes, trees of hard
links, telling and undoing what changed in a folder by hand, and switching two folders.

Folders are named by paths relative to a root ("" is the root itself, "a/b" a folder in it),
as the site's files are.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RELINK_THREADS = 4  # threads relinking the mirror after a switch
_GONE = (FileNotFoundError, NotADirectoryError)  # a folder removed, or made a file


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


def same_bytes(target: Path, data: bytes) -> bool:
    try:
        if target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False


def prune(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def link_tree(source: Path, target: Path) -> None:
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


def relink(source: Path, target: Path, files: set[str]) -> None:
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
        prune((target / file).parent, target)


# -- folders changed by hand -------------------------------------------------------------------

def folders_of(files: Iterable[str]) -> set[str]:
    """The folders holding ``files`` (paths relative to a root), their parents and the root."""
    folders = {""}
    for file in files:
        folder = file.rpartition("/")[0]
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def folders_under(root: Path, names: Iterable[str]) -> set[str]:
    """``names`` (folders of ``root``) and every folder under them; none that is no folder."""
    found: set[str] = set()
    pending = list(names)
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(os.path.join(root, folder)) as entries:
                pending.extend(f"{folder}/{e.name}" for e in entries
                               if e.is_dir(follow_symlinks=False))
        except _GONE:
            continue
        found.add(folder)
    return found


def every_folder(root: Path) -> set[str]:
    """Every folder under ``root``, and the root ("")."""
    with os.scandir(root) as entries:
        names = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
    return {"", *folders_under(root, names)}


def changed_since(root: Path, folders: Iterable[str], since: int) -> set[str]:
    """Those of ``folders`` of ``root`` changed at or after ``since`` (a file's change time, in
    nanoseconds): a file or folder in it added, removed, renamed or replaced. The change time
    (not the modification time, which copying tools set back) says when the folder itself was
    made, too. A file rewritten in place is not told; a folder that is gone is left out (the
    folder holding it changed). A folder that cannot be looked into raises OSError."""
    by_parent: dict[str, list[str]] = {}
    for folder in folders:
        parent, _, name = folder.rpartition("/")
        by_parent.setdefault(parent, []).append(name)
    changed = set()
    with contextlib.suppress(*_GONE):
        if "" in folders and os.stat(root).st_ctime_ns >= since:
            changed.add("")
    # Each name is looked up in its parent, opened once: a third cheaper than whole paths.
    for parent, names in by_parent.items():
        try:
            descriptor = os.open(os.path.join(root, parent), os.O_RDONLY | os.O_DIRECTORY)
        except _GONE:
            continue
        try:
            for name in names:
                try:
                    made = os.stat(name, dir_fd=descriptor, follow_symlinks=False).st_ctime_ns
                except _GONE:
                    continue
                if made >= since and name:
                    changed.add(f"{parent}/{name}" if parent else name)
        finally:
            os.close(descriptor)
    return changed


Entries = dict[str, tuple[os.DirEntry | None, os.DirEntry | None]]


def differing(source: Path, target: Path, folder: str) -> Entries | None:
    """The entries of ``folder`` that differ between ``source`` and ``target``: name -> (its
    entry in ``source``, in ``target``), None where one lacks it. Two folders do not differ
    (what they hold is another folder's business), two links to the same file neither. None
    if ``folder`` is not a folder in both."""
    try:
        with os.scandir(os.path.join(source, folder)) as entries:
            wanted = {e.name: e for e in entries}
        with os.scandir(os.path.join(target, folder)) as entries:
            present = {e.name: e for e in entries}
    except _GONE:
        return None
    return {name: (wanted.get(name), present.get(name)) for name in wanted.keys() | present.keys()
            if name not in wanted or name not in present
            or not _alike(wanted[name], present[name])}


def reconcile(source: Path, target: Path, folders: Iterable[str],
              only: Callable[[str], bool] | None = None) -> None:
    """Make each of ``folders`` in ``target`` hold the entries it holds in ``source`` (those
    whose name passes ``only``, if given): files as hard links to ``source``'s, a folder
    ``target`` lacks linked whole, entries ``source`` lacks removed. A folder in both is left
    as it is (list it to reconcile it too)."""
    for folder in sorted(folders):  # (a folder before the folders in it)
        found = differing(source, target, folder)
        for name, (new, old) in (found or {}).items():  # (none: it went with its folder)
            if only is not None and not only(name):
                continue
            if old is not None:
                _remove(old)
            if new is not None:
                link_tree(Path(new.path), Path(target, folder, name))


def _alike(new: os.DirEntry, old: os.DirEntry) -> bool:
    """Two folders (what they hold is reconciled apart), or links to the same file."""
    new_folder, old_folder = new.is_dir(follow_symlinks=False), old.is_dir(follow_symlinks=False)
    if new_folder or old_folder:
        return new_folder and old_folder
    if not (new.is_symlink() or old.is_symlink()):
        return new.inode() == old.inode()
    try:  # a symbolic link: link_tree links the file it points to
        return new.stat().st_ino == old.stat().st_ino
    except OSError:
        return False


def _remove(entry: os.DirEntry) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


def remove_tree(root: Path) -> None:
    """Remove a tree of the generator's own (its trash) as far as it can: folders someone made
    read-only or unreadable are opened up first (folders only: a file may be a link to one of
    the output's). What still cannot go is left for the next try."""
    try:
        shutil.rmtree(root)
        return
    except FileNotFoundError:
        return
    except OSError:
        pass
    pending = [str(root)]
    while pending:
        folder = pending.pop()
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
            with os.scandir(folder) as entries:
                pending.extend(e.path for e in entries if e.is_dir(follow_symlinks=False))
    shutil.rmtree(root, ignore_errors=True)


# -- switching two folders ----------------------------------------------------------------------

_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS stdio.h
_AT_FDCWD = -100


# What a system or file system that cannot exchange two folders answers (any other error, say
# a permission refused, would stop the renames as well).
_CANNOT_EXCHANGE = frozenset({errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP})


def exchange(a: Path, b: Path) -> None:
    """Swap two folders in one step where the system can; otherwise by three renames, with a
    moment in which ``b`` is missing. An OSError leaves both as they were (but for a failure
    of the last of the renames, which leaves ``b`` swapped and ``a`` beside it as
    ``.<b>.old``)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    source, target = os.fsencode(a), os.fsencode(b)
    swap = None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        swap = lambda: libc.renameat2(_AT_FDCWD, source, _AT_FDCWD, target,  # noqa: E731
                                      _RENAME_EXCHANGE)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        swap = lambda: libc.renamex_np(source, target, _RENAME_SWAP)  # noqa: E731
    if swap is not None:
        if swap() == 0:
            return
        code = ctypes.get_errno()
        if code not in _CANNOT_EXCHANGE:
            raise OSError(code, os.strerror(code), str(a), None, str(b))
    aside = b.with_name(f".{b.name}.old")
    os.rename(b, aside)
    try:
        os.rename(a, b)
    except OSError:
        os.rename(aside, b)
        raise
    os.rename(aside, a)

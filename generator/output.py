"""Writing the site: the one place that touches the output folder.

Rendering finishes completely before anything is written, so a build that
fails leaves the previous output as it was. Files are rewritten only when
their bytes changed (each through a temporary file and an atomic rename), and
files written by an earlier build whose page no longer exists are removed.
Nothing else in the output folder is touched: the folder is never wiped, and
files the generator did not write (for example Pagefind's index) are left to
their owners.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


def manifest_path(cache_dir: Path, out_dir: Path) -> Path:
    key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir / "manifests" / f"{key}.json"


def write_output(out_dir: Path, files: Mapping[str, bytes], cache_dir: Path) -> WriteStats:
    """Make ``out_dir`` hold ``files`` (site path -> bytes), touching only what changed."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the output folder: {exc.strerror}", out_dir) from None
    written = unchanged = 0
    for rel, data in files.items():
        target = out_dir / rel
        if _same_bytes(target, data):
            unchanged += 1
            continue
        _atomic_write(target, data)
        written += 1

    manifest = manifest_path(cache_dir, out_dir)
    previous = _read_manifest(manifest)
    removed = 0
    for rel in sorted(previous - files.keys(), reverse=True):
        target = out_dir / rel
        if target.is_file():
            target.unlink()
            removed += 1
            _prune_empty_dirs(target.parent, out_dir)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(manifest, json.dumps(sorted(files), ensure_ascii=False).encode())
    return WriteStats(written, unchanged, removed)


def sync_tree(source: Path, target: Path, last: tuple[str, ...] = ()) -> WriteStats:
    """Make the folder ``target`` (owned by one tool, such as Pagefind) a copy of ``source``:
    write changed files (the names in ``last`` after all others), then delete the rest."""
    files = sorted((p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()),
                   key=lambda rel: (rel in last, rel))
    written = unchanged = removed = 0
    for rel in files:
        data = (source / rel).read_bytes()
        if _same_bytes(target / rel, data):
            unchanged += 1
        else:
            _atomic_write(target / rel, data)
            written += 1
    keep = set(files)
    for path in sorted(target.rglob("*"), reverse=True) if target.is_dir() else []:
        if path.is_file() and path.relative_to(target).as_posix() not in keep:
            path.unlink()
            removed += 1
            _prune_empty_dirs(path.parent, target)
    return WriteStats(written, unchanged, removed)


def _same_bytes(target: Path, data: bytes) -> bool:
    try:
        if target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False


def _atomic_write(target: Path, data: bytes) -> None:
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


def _read_manifest(path: Path) -> set[str]:
    try:
        return set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def _prune_empty_dirs(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent

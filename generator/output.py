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
    written = sum(_write_if_changed(out_dir / rel, data) for rel, data in files.items())
    unchanged = len(files) - written

    manifest = manifest_path(cache_dir, out_dir)
    removed = _remove(out_dir, _read_manifest(manifest) - files.keys())
    manifest.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(manifest, json.dumps(sorted(files), ensure_ascii=False).encode())
    return WriteStats(written, unchanged, removed)


def sync_tree(source: Path, target: Path, last: tuple[str, ...] = ()) -> WriteStats:
    """Make the folder ``target`` (owned by one tool, such as Pagefind) a copy of ``source``:
    write changed files (the names in ``last`` after all others), then delete the rest."""
    files = sorted((p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()),
                   key=lambda rel: (rel in last, rel))
    written = sum(_write_if_changed(target / rel, (source / rel).read_bytes()) for rel in files)
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()} \
        if target.is_dir() else set()
    removed = _remove(target, present - set(files))
    return WriteStats(written, len(files) - written, removed)


def _remove(root: Path, stale: set[str]) -> int:
    """Delete the files ``stale`` (relative to ``root``) and the folders they leave empty."""
    removed = 0
    for rel in sorted(stale, reverse=True):
        path = root / rel
        if path.is_file():
            path.unlink()
            removed += 1
            _prune_empty_dirs(path.parent, root)
    return removed


def _write_if_changed(target: Path, data: bytes) -> bool:
    """Write ``data`` unless ``target`` holds exactly those bytes; True if it wrote."""
    if _same_bytes(target, data):
        return False
    _atomic_write(target, data)
    return True


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

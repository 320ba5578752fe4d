"""The build's input files: which they are, what kind each is, and which changed.

Inputs are the config file, the content folder's articles, pages and entity files, and every
file under the templates and static folders. :func:`scan` lists them with their size and
modification time (a stat walk); :func:`changed` compares two scans and confirms a change
by the file's content hash only where size or time differ, so touching a file without
changing it changes nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import Config

KINDS = ("article", "page", "entity", "template", "static")
# Editors' backups, swap and lock files, and partial downloads are never inputs.
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".crdownload")


@dataclass(frozen=True)
class Signature:
    size: int
    mtime_ns: int
    sha: str | None = None  # content hash, filled in when needed


def is_hidden(path: Path) -> bool:
    """Hidden files are editors' (Emacs' «.#name.md» lock links, say), never content."""
    return path.name.startswith((".", "#"))


def ignored(path: Path) -> bool:
    return is_hidden(path) or path.name.endswith(IGNORED_SUFFIXES)


def kind_of(path: Path, config: Config) -> str | None:
    """What an input path is (one of ``KINDS``, or "config"), or None if it is no input.

    ``path`` must be absolute and resolved. Articles are ``*.md`` anywhere under
    ``content/articles``; pages ``*.md`` directly in ``content/pages``; entity files
    ``*.toml`` anywhere under ``content/entities`` (the registry checks their place).
    """
    paths = config.paths
    if config.path is not None and path == config.path.resolve():
        return "config"
    if ignored(path):
        return None
    if path.is_relative_to(paths.content):
        relative = path.relative_to(paths.content).parts
        if len(relative) >= 2 and relative[0] == "articles" and path.suffix == ".md":
            return "article"
        if len(relative) == 2 and relative[0] == "pages" and path.suffix == ".md":
            return "page"
        if len(relative) >= 2 and relative[0] == "entities" and path.suffix == ".toml":
            return "entity"
        return None
    if path.is_relative_to(paths.templates):
        return "template"
    if path.is_relative_to(paths.static):
        return "static"
    return None


def scan(config: Config) -> dict[Path, Signature]:
    """Every input file with its size and modification time (no content read)."""
    paths = config.paths
    found: dict[Path, Signature] = {}
    roots = [(paths.content / "articles", True), (paths.content / "pages", False),
             (paths.content / "entities", True), (paths.templates, True),
             (paths.static, True)]
    for root, recursive in roots:
        for path, stat in _walk(root, recursive):
            if kind_of(path, config) is not None:
                found[path] = Signature(stat.st_size, stat.st_mtime_ns)
    return found


def scan_folder(folder: Path, config: Config) -> dict[Path, Signature]:
    """The input files under one folder (a folder created or moved while serving)."""
    return {path: Signature(stat.st_size, stat.st_mtime_ns)
            for path, stat in _walk(folder, True) if kind_of(path, config) is not None}


def _walk(root: Path, recursive: bool) -> Iterable[tuple[Path, os.stat_result]]:
    try:
        entries = list(os.scandir(root))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith((".", "#")):
            continue
        if entry.is_dir():
            if recursive:
                yield from _walk(Path(entry.path), recursive)
        elif entry.is_file():
            yield Path(entry.path), entry.stat()


def content_sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str | None:
    try:
        return content_sha(path.read_bytes())
    except OSError:
        return None


def changed(before: Mapping[Path, Signature], now: dict[Path, Signature]) -> set[Path]:
    """Paths added, removed or changed in content since ``before``. Hashes are taken only for
    files whose size or time differ; ``now`` gets every hash it can carry over or compute."""
    out = set(before.keys() ^ now.keys())
    for path, signature in now.items():
        old = before.get(path)
        if old is None:
            continue
        if (old.size, old.mtime_ns) == (signature.size, signature.mtime_ns):
            now[path] = Signature(signature.size, signature.mtime_ns, old.sha)
            continue
        sha = file_sha(path)
        now[path] = Signature(signature.size, signature.mtime_ns, sha)
        if sha is None or sha != old.sha:
            out.add(path)
    return out

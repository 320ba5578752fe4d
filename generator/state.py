"""What one build leaves for the next: the engine's state, saved under the cache folder.

The state holds every input's signature, the records read from them (articles with their
links, pages, the registry), the indexes that are costly to compute again (entity
statistics, related articles), and for every output file the fingerprint of what it holds
in the output folder. It is valid only for the generator version, the folders and the options
it was made with (:func:`state_key`); a state made otherwise, or damaged, is
discarded with a line in the log and the build starts cold.

The file is a header line, a SHA-256 of the payload, and the payload (a pickle: the cache
folder belongs to whoever runs the build, like the output folder).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

from .config import Config
from .entities.index import EntityStats
from .entities.registry import Registry
from .inputs import Signature
from .model import Article, Page, digest_of

FORMAT = b"archive-state 1"
# The packages whose versions change what the generator writes.
DEPENDENCIES = ("jinja2", "markdown", "nh3", "babel", "hijridate", "camel-tools", "pagefind-bin")


@dataclass(frozen=True)
class State:
    key: str  # what the state is valid for (see state_key)
    config: Config | None = None  # the configuration it was built with
    inputs: dict[Path, Signature] = field(default_factory=dict)
    articles: dict[Path, Article] = field(default_factory=dict)  # drafts included
    pages: dict[Path, Page] = field(default_factory=dict)
    registry: Registry | None = None
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)  # url -> related urls
    stats: dict[str, EntityStats] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # output file -> fingerprint on disk
    shards: dict[str, str] = field(default_factory=dict)  # search shard -> what it indexed
    indexed: bool = False  # the search index was brought up to date with this state


@cache
def generator_version() -> str:
    """A digest of the generator's own code and of the dependencies that shape its output."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".js") and "__pycache__" not in path.parts:
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


def state_key(config: Config, drafts: bool) -> str:
    """A state serves builds of the same content into the same output folder, with the same
    generator and options; other changes to site.toml are applied like any other change."""
    return digest_of(FORMAT, generator_version(), drafts, config.paths.content,
                     config.paths.output)


def load_state(path: Path, key: str) -> tuple[State | None, str | None]:
    """The saved state if it is valid for ``key``; otherwise None and why (None if absent)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read it ({exc.strerror})"
    header, _, rest = raw.partition(b"\n")
    expected, _, payload = rest.partition(b"\n")
    if header != FORMAT:
        return None, "it was written by another version of the generator"
    if hashlib.sha256(payload).hexdigest().encode() != expected:
        return None, "it is damaged"
    try:
        state = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - any unpickling failure means the file is unusable
        return None, "it cannot be read"
    if not isinstance(state, State):
        return None, "it is damaged"
    if state.key != key:
        return None, "the generator, the content or output folder, or --drafts changed"
    return state, None


def save_state(path: Path, state: State) -> None:
    payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(FORMAT + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n")
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

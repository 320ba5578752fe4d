"""Reading and linking articles, the per-article work of the engine's read stage.

:func:`read_articles` is a module-level function of picklable values, so the engine can run
it in any executor (``parallel.py``): this process, forked workers, or a cluster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from . import inputs as scanning
from .config import Config
from .content import read_article
from .entities.link import link_article
from .entities.registry import Registry
from .errors import read_file
from .markup import MarkdownRenderer
from .model import Entry
from .state import generator_version
from .store import pack, pack_words

Recognised = Mapping[str, tuple[str, tuple]]  # source -> (tag_key, tagger spans)


def tag_key(version: str, sha: str) -> str:
    """What an article's tagger spans were computed from: its bytes, and the generator (its
    Markdown rendering, tokeniser and model), so a new version never reuses old spans."""
    return f"{version}/{sha}"


def read_articles(shared: tuple[Registry, Config, Recognised],
                  paths: Sequence[str]) -> list[tuple]:
    """Read and link articles: (path, entry, (article, body), packed record, packed
    vocabulary, content hash, tagger spans (None unless the tagger ran), recognised names) for
    each. The tagger runs only on a file whose :func:`tag_key` is not in ``recognised``."""
    registry, config, recognised = shared
    renderer = _renderer()
    version = generator_version()
    out = []
    for path in paths:
        data = read_file(Path(path))
        sha = scanning.content_sha(data)
        article, body = read_article(Path(path), renderer, data)
        cached = recognised.get(path)
        reuse = cached[1] if cached and cached[0] == tag_key(version, sha) else None
        linked = link_article(article, body, registry, config, reuse)
        tagged = linked.recognised is not None and reuse is None
        out.append((path, Entry.of(linked.article), (linked.article, linked.body),
                    pack(linked.article, linked.body), pack_words(linked.vocabulary), sha,
                    linked.recognised if tagged else None, linked.found))
    return out


_RENDERER: list[MarkdownRenderer] = []


def _renderer() -> MarkdownRenderer:
    if not _RENDERER:
        _RENDERER.append(MarkdownRenderer())
    return _RENDERER[0]

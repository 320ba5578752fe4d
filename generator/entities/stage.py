"""The entity stage of the build: load the registry, link every article, cache the results."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

from ..config import Config
from ..errors import BuildError
from ..frontmatter import line_in_file
from ..model import Article, Content, Mention
from ..urls import Urls
from .annotate import Annotation, Annotator
from .registry import Registry


class AnnotationCache:
    """Annotations by content hash in SQLite, so an unchanged article is not re-annotated."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS annotations (key TEXT PRIMARY KEY, value TEXT)")
        self.used: set[str] = set()
        self.fresh: dict[str, str] = {}

    def get(self, key: str) -> Annotation | None:
        self.used.add(key)
        row = self.db.execute("SELECT value FROM annotations WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        value = json.loads(row[0])
        return Annotation(value["html"], tuple(Mention(*m) for m in value["mentions"]))

    def put(self, key: str, annotation: Annotation) -> None:
        self.fresh[key] = json.dumps(
            {"html": annotation.html,
             "mentions": [[m.entity, m.count, m.surface, m.before, m.after]
                          for m in annotation.mentions]}, ensure_ascii=False)

    def close(self) -> None:
        """Store new entries and forget the ones this build did not use."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO annotations VALUES (?, ?)",
                                self.fresh.items())
            self.db.execute("CREATE TEMP TABLE used (key TEXT PRIMARY KEY)")
            self.db.executemany("INSERT INTO used VALUES (?)", ((k,) for k in self.used))
            self.db.execute("DELETE FROM annotations WHERE key NOT IN (SELECT key FROM used)")
        self.db.close()


def link_entities(content: Content, registry: Registry, config: Config,
                  progress=iter) -> tuple[Content, int]:
    """Annotate every article; returns the new content and how many were taken from the cache."""
    links = Urls(config)
    annotator = Annotator(registry, config.entities.link, links.href)
    cache = AnnotationCache(config.paths.cache / "annotations.sqlite")
    salt = link_salt(config, registry)
    articles, cached = [], 0
    try:
        for article in progress(content.articles):
            about, no_link = declared(article, registry)
            key = hashlib.sha256(
                f"{salt}|{sorted(no_link)}|{article.body_html}".encode()).hexdigest()
            annotation = cache.get(key)
            if annotation is None:
                annotation = annotator.annotate(article.body_html, frozenset(no_link))
                cache.put(key, annotation)
            else:
                cached += 1
            articles.append(linked_article(article, annotation, about, no_link))
    finally:
        cache.close()
    return replace(content, articles=tuple(articles)), cached


def link_salt(config: Config, registry: Registry) -> str:
    """What an article's links depend on besides its own body and `no_link`."""
    return f"{registry.digest}|{config.entities.link}|{Urls(config).base_path}"


def linked_article(article: Article, annotation: Annotation, about: tuple[str, ...],
                   no_link: tuple[str, ...]) -> Article:
    """The article with its mentions linked, and its declared entities resolved."""
    return replace(article, body_html=annotation.html, about=about, no_link=no_link,
                   mentions=annotation.mentions)


def declared(article: Article, registry: Registry) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The front matter's `entities` and `no_link`, checked and resolved through merges."""
    resolved = []
    for key, ids in (("entities", article.about), ("no_link", article.no_link)):
        out = []
        for entity_id in ids:
            entity = registry.resolve(entity_id)
            if entity is None:
                raise BuildError(f"{key}: no entity with id {entity_id!r} in content/entities/",
                                 article.source, line_in_file(article.source, key) or 1)
            out.append(entity.id)
        resolved.append(tuple(dict.fromkeys(out)))
    return resolved[0], resolved[1]

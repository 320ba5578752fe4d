"""The site kept in memory between edits, and updated from the files that changed.

A :class:`Snapshot` is one consistent state of the site; pages are rendered from it on
request and memoised. :meth:`Session.update` applies a set of changed files:

- an article or page: re-read that file (and re-link its entities); indexes, listings and
  entity pages are derived again from the in-memory articles, which is cheap;
- an entity file: reload the registry, and re-link only the articles containing a token
  that one of the changed entity's names (before or after the change) starts with;
- a template: a new template environment (every page renders afresh on request);
- a static file: new fingerprints; a change of CSS files only is reported as such, so
  pages can swap their stylesheet without reloading;
- ``site.toml``, a folder, or any other file: a full rebuild.

Changes are applied to copies and committed only when the new state builds. A file that
failed stays pending and is retried with every later change, so its error stays visible
until it is fixed.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path

import jinja2

from ..assets import Assets, collect_assets
from ..config import Config, load_config
from ..content import (
    article_files,
    check_unique,
    is_hidden,
    page_files,
    read_article,
    read_page,
)
from ..entities.annotate import Annotation, Annotator
from ..entities.matching import key_variants
from ..entities.registry import Registry, load_registry
from ..entities.stage import declared, link_salt, linked_article
from ..errors import BuildError
from ..jobs import PageJob
from ..markup import MarkdownRenderer
from ..model import Article, Content, Page
from ..pages import plan_pages
from ..site import assemble
from ..templates import make_environment, render_page
from ..urls import Urls, output_file

IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".crdownload")


@dataclass(frozen=True)
class Snapshot:
    config: Config
    content: Content
    registry: Registry
    jobs: dict[str, PageJob]  # output file -> job
    env: jinja2.Environment
    assets: Assets
    version: int
    rendered: dict[str, bytes] = field(default_factory=dict)  # memo, filled on request

    def render(self, file: str) -> bytes | None:
        """The bytes of an output file of this state, or None if it has no such file."""
        if file in self.rendered:
            return self.rendered[file]
        if file in self.assets.files:
            return self.assets.files[file]
        job = self.jobs.get(file)
        if job is None:
            return None
        data = self.rendered[file] = render_page(self.env, job)
        return data

    def files(self) -> dict[str, bytes]:
        """Every output file (a full render, for writing to disk)."""
        return {**self.assets.files, **{file: self.render(file) for file in self.jobs}}


@dataclass(frozen=True)
class Update:
    kind: str  # "full", "content", "entities", "templates", "static", "css" or "none"
    seconds: float
    reread: int = 0  # article and page files read again
    relinked: int = 0  # articles whose entities were linked again

    def describe(self) -> str:
        detail = f"{self.reread} re-read, {self.relinked} re-linked" if self.kind in (
            "full", "content", "entities") else self.kind
        return f"rebuilt ({self.kind}) in {self.seconds * 1000:.0f} ms: {detail}"


@dataclass(frozen=True)
class _Linked:
    """An article's entity links, and the linked article last derived from them."""

    body_hash: str
    annotation: Annotation
    keys: frozenset[str]  # token keys of the body with their proclitic variants
    read: Article | None = None  # the article as read that ``result`` was made from...
    registry: Registry | None = None  # ...with this registry
    result: Article | None = None


class Session:
    def __init__(self, config_path: Path, overrides: dict[str, Path] | None = None,
                 drafts: bool = False):
        self.config_path = Path(config_path).resolve()
        self.overrides = overrides or {}
        self.drafts = drafts
        self.snapshot: Snapshot | None = None
        self.error: BuildError | None = None
        self.lock = threading.Lock()
        self._pending: set[Path] = set()
        self._renderer = MarkdownRenderer()
        self._articles: dict[Path, Article] = {}
        self._pages: dict[Path, Page] = {}
        self._linked: dict[Path, _Linked] = {}
        self._salt: str | None = None  # what links depend on besides the body
        self._needs_full = True
        self._version = 0

    # -- the config, for watching before the first build succeeds ---------------------------

    def href(self, url: str) -> str:
        return Urls(self.config()).href(url)

    def config(self) -> Config:
        return self.snapshot.config if self.snapshot else load_config(self.config_path,
                                                                        self.overrides)

    # -- updates ----------------------------------------------------------------------------

    def full(self) -> Update:
        """Read everything again (the first build, site.toml, or anything unexpected)."""
        start = time.perf_counter()
        with self.lock:
            try:
                config = load_config(self.config_path, self.overrides)
                if not config.paths.content.is_dir():
                    raise BuildError("content folder not found", config.paths.content)
                registry = load_registry(config)
                linked = dict(self._linked) if link_salt(config, registry) == self._salt else {}
                articles = {p: read_article(p, self._renderer) for p in article_files(config)}
                pages = {p: read_page(p, self._renderer) for p in page_files(config)}
                relinked = self._commit(config, registry, articles, pages, linked,
                                        collect_assets(config.paths.static), None)
            except BuildError as error:
                self.error = error
                self._needs_full = True
                raise
            self._needs_full = False
            self._pending.clear()
            return Update("full", time.perf_counter() - start, len(articles) + len(pages),
                          relinked)

    def update(self, changed: set[Path]) -> Update:
        """Apply changed files (created, modified, deleted or renamed paths)."""
        start = time.perf_counter()
        snapshot = self.snapshot
        if snapshot is None or self._needs_full:
            return self.full()
        config = snapshot.config
        paths = {p.resolve() for p in changed | self._pending if not _ignored(p)}
        paths = {p for p in paths if self._kind(p, config) != "ignore"}
        if not paths:
            return Update("none", 0.0)
        kinds = {self._kind(p, config) for p in paths}
        if "full" in kinds:
            return self.full()
        with self.lock:
            try:
                update = self._apply(paths, kinds, snapshot, start)
            except BuildError as error:
                self.error = error
                self._pending |= {p for p in paths if self._kind(p, config) in (
                    "article", "page", "entity")}
                raise
            self._pending.clear()
            return update

    def _kind(self, path: Path, config: Config) -> str:
        paths = config.paths
        if path == self.config_path:
            return "full"
        for kind, root, suffix in (("article", paths.content / "articles", ".md"),
                                   ("page", paths.content / "pages", ".md"),
                                   ("entity", paths.content / "entities", ".toml")):
            if path.is_relative_to(root) and path.suffix == suffix and not path.is_dir():
                return kind
        if path.is_relative_to(paths.templates) and not path.is_dir():
            return "template"
        if path.is_relative_to(paths.static) and not path.is_dir():
            return "css" if path.suffix == ".css" else "static"
        if path == paths.content or path.is_relative_to(paths.content):
            return "full"  # the folder itself, or a file the generator does not know: unsure
        return "ignore"  # beside site.toml: the output folder, caches, logs...

    def _apply(self, paths: set[Path], kinds: set[str], snapshot: Snapshot,
               start: float) -> Update:
        config = snapshot.config
        articles, pages = dict(self._articles), dict(self._pages)
        linked = dict(self._linked)
        reread = 0
        for path in sorted(paths):
            kind = self._kind(path, config)
            target = articles if kind == "article" else pages if kind == "page" else None
            if target is None:
                continue
            reread += 1
            if path.is_file():
                target[path] = (read_article if kind == "article" else read_page)(
                    path, self._renderer)
            else:
                target.pop(path, None)
                linked.pop(path, None)

        registry = snapshot.registry
        if "entity" in kinds:
            registry = load_registry(config)
            affected = _first_keys(snapshot.registry, paths) | _first_keys(registry, paths)
            for path, entry in list(linked.items()):
                if entry.keys & affected:
                    del linked[path]  # linked again below, with the new registry

        assets = snapshot.assets
        if kinds & {"static", "css"}:
            assets = collect_assets(config.paths.static)
        env = snapshot.env if kinds <= {"article", "page", "entity"} else None
        relinked = self._commit(config, registry, articles, pages, linked, assets, env)
        if kinds <= {"css"}:
            kind = "css"
        elif kinds & {"static"}:
            kind = "static"
        elif kinds <= {"template"}:
            kind = "templates"
        elif "entity" in kinds:
            kind = "entities"
        else:
            kind = "content"
        return Update(kind, time.perf_counter() - start, reread, relinked)

    def _commit(self, config: Config, registry: Registry, articles: dict[Path, Article],
                pages: dict[Path, Page], linked: dict[Path, _Linked], assets: Assets,
                env: jinja2.Environment | None) -> int:
        """Link what needs it, derive the site, and make it the current snapshot."""
        annotator = Annotator(registry, config.entities.link, Urls(config).href)
        final, relinked = [], 0
        for path, article in articles.items():
            if article.draft and not self.drafts:
                continue
            entry = linked.get(path)
            if entry is not None and entry.read is article and entry.registry is registry:
                final.append(entry.result)  # neither the file nor the registry changed
                continue
            about, no_link = declared(article, registry)
            digest = hashlib.sha256(f"{sorted(no_link)}|{article.body_html}".encode()).hexdigest()
            if entry is None or entry.body_hash != digest:
                seen: set[str] = set()
                annotation = annotator.annotate(article.body_html, frozenset(no_link), seen)
                keys = frozenset(chain.from_iterable(key_variants(k) for k in seen))
                entry = _Linked(digest, annotation, keys)
                relinked += 1
            result = linked_article(article, entry.annotation, about, no_link)
            linked[path] = replace(entry, read=article, registry=registry, result=result)
            final.append(result)
        for path in set(linked) - set(articles):
            del linked[path]
        check_unique(final)
        visible_pages = [p for p in pages.values() if self.drafts or not p.draft]
        check_unique(visible_pages)
        content = Content(tuple(final), tuple(visible_pages))
        site = assemble(config, content, registry)
        jobs = {output_file(job.url): job for job in plan_pages(site)}
        env = env or make_environment(config, assets)
        self._version += 1
        self.snapshot = Snapshot(config, content, registry, jobs, env, assets, self._version)
        self._articles, self._pages, self._linked = articles, pages, linked
        self._salt = link_salt(config, registry)
        self.error = None
        return relinked


def _first_keys(registry: Registry, paths: set[Path]) -> frozenset[str]:
    """First token keys of every name of the entities defined by ``paths`` (and of the
    entities merged into them), in ``registry``."""
    ids = {e.id for e in registry.entities.values() if e.source and e.source.resolve() in paths}
    ids |= {registry.survivors[i] for i in ids}
    return frozenset(name.keys[0] for name in registry.matcher.names() if name.entity in ids)


def _ignored(path: Path) -> bool:
    return is_hidden(path) or path.name.endswith(IGNORED_SUFFIXES)

"""The engine: one object that loads the site, applies changed files, says which output files
changed, renders them and writes them. ``build`` and ``serve`` both drive it.

- :meth:`Engine.load` reads the state the last build saved (if it is valid), finds the inputs
  that changed since by a stat walk, and applies them: a first build is the same step with
  every input new.
- :meth:`Engine.apply` applies a batch of changed paths (the dev server's saves).
- Applying re-reads and re-links only the files that changed (and, when the registry
  changed, the articles that may name a changed entity), assembles the site's indexes again
  (patching the previous ones after a small edit, and keeping the costly ones where no change
  reaches them), and plans the pages (``pages.Plan``: part by part, when asked for), each
  with its fingerprint (``jobs.py``). The result is a :class:`Snapshot`: one consistent,
  immutable state of the site, from which any page can be rendered.
- :meth:`Engine.publish` (``publish.py``) renders the pages whose fingerprint differs from
  what the output folder holds, writes them, indexes search, switches the output folder,
  and saves the state for the next build.

An apply either succeeds as a whole or changes nothing: the dev server keeps serving the last
good snapshot, and a failed build leaves the output folder as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path

from . import inputs as scanning
from .assets import collect_assets
from .config import Config, load_config
from .content import check_unique, read_page
from .entities.discover import Cancelled, Discovery, discover_in, extend
from .entities.index import RelatedLists, stale_entities, still_related
from .entities.link import link_settings, mention_test, relink_keys
from .entities.registry import Registry, load_registry
from .errors import BuildError
from .frozen import FrozenDict
from .inputs import Roots, Signature
from .jobs import Resources
from .markup import MarkdownRenderer
from .model import Entry, Page, digest_of
from .output import Looked
from .pages import Plan
from .parallel import Executor, executor_for
from .reach import article_reach
from .reading import read_articles, tag_key
from .report import Reporter, plural
from .site import assemble
from .snapshot import Snapshot, Update, update_kind
from .state import State, StateStore, cache_folder, generator_version, state_key
from .store import RecordStore
from .templates import make_environment, template_digests


class Engine:
    def __init__(self, config_path: Path, overrides: Mapping[str, Path] | None = None, *,
                 drafts: bool = False, reporter: Reporter | None = None,
                 executor: Executor | None = None):
        self.config_path = Path(config_path).resolve()
        self.overrides = dict(overrides or {})
        self.drafts = drafts
        self.reporter = reporter or Reporter(quiet=True)
        self.executor = executor  # None: a process pool when there is much to do
        self.snapshot: Snapshot | None = None
        self.store: RecordStore | None = None
        self.state_store: StateStore | None = None
        self.saved_state: State | None = None  # as saved in the cache, to save what changed
        # What the output folder holds (file -> fingerprint) and what each search shard
        # indexed: properties of the output, kept apart from snapshots; see publish.py.
        self.outputs: dict[str, str] = {}
        self.outputs_of: int | None = None  # the snapshot they are of (0: the loaded state)
        self.shards: dict[str, str] = {}
        self.indexed = False  # the search index is up to date with the saved state
        self.lock = threading.Lock()  # held while a snapshot is made
        self.saved: int | None = None  # the snapshot whose state is saved and output written
        # The related lists of the last published snapshot (its version, url -> urls): its
        # state's, and those its publish computed. An apply on it starts from them.
        self.related_of: tuple[int, RelatedLists] | None = None
        self.tagged = 0  # articles the tagger read in the current apply
        self._version = 0
        self._renderer = MarkdownRenderer()

    @property
    def discovery_stale(self) -> bool:
        """Whether the current snapshot's discovered entities predate some article's
        recognised names (an apply deferred grouping them: see :meth:`rediscover`)."""
        return self.snapshot is not None and self.snapshot.discovery_stale

    @classmethod
    def for_config(cls, config: Config, **options) -> Engine:
        """An engine for an already loaded configuration (its folders taken as given)."""
        if config.path is None:
            raise BuildError("the configuration has no file to reload it from")
        return cls(config.path, dataclasses.asdict(config.paths), **options)

    def config(self) -> Config:
        return self.snapshot.config if self.snapshot else self._load_config()

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def _load_config(self) -> Config:
        return load_config(self.config_path, self.overrides)

    # -- loading ----------------------------------------------------------------------------

    def load(self, scanned: dict[str, Signature] | None = None,
             peeked: State | None = None) -> Update:
        """Load from the saved state where it is valid, and apply what changed on disk since
        (``scanned``: a stat walk just made, if any; ``peeked``: what that build's first
        look read of the saved state, if any)."""
        with self.reporter.stage("load") as line:
            config = self._load_config()
            if not config.paths.content.is_dir():
                raise BuildError("content folder not found", config.paths.content)
            # (the stat walk, if none was made, on the other core while the state loads)
            walk = scanning.Walk(config) if scanned is None else None
            with walk or contextlib.nullcontext():
                self.store = RecordStore(cache_folder(config) / "cache.sqlite")
                self.state_store = StateStore(cache_folder(config) / "cache.sqlite")
                base = self._saved_state(config, peeked)
                scanned = walk.result() if walk is not None else scanned
            changed = scanning.changed(base.inputs, scanned)
            line.note(f"{plural(len(scanned), 'input')}, {len(changed):,} changed"
                      + ("" if base.registry is not None else " (first build)"))
        with self.lock:
            self.outputs, self.shards = dict(base.outputs), dict(base.shards)
            self.outputs_of, self.indexed = 0, base.indexed
            update = self._apply(base, config, scanned, changed, since=0, kind="full")
            if base.registry is not None and not changed and base.config == config:
                # exactly what the last build left
                self.saved = self.outputs_of = self.snapshot.version
            return update

    def _saved_state(self, config: Config, peeked: State | None) -> State:
        key = state_key(config, self.drafts)
        state, why = self.state_store.load(key, peeked)
        if why == "it is damaged":
            self.state_store.remove()  # and the records with it: start a new cache
        elif state is not None and self.store.missing(e.digest for e in state.entries.values()):
            state, why = None, "the cache of article records is incomplete"
        if why and why != "there is none":
            self.reporter.say(f"  the saved state is not used: {why}")
        self.saved_state = state
        return state or State(key)

    # -- applying changes -------------------------------------------------------------------

    def apply(self, paths: Iterable[Path], defer_discovery: bool = False) -> Update:
        """Apply changed paths (files created, modified, deleted or renamed; folders). With
        ``defer_discovery``, articles whose recognised names changed are applied with the
        discovered entities as they were, and :meth:`rediscover` completes the change (the
        dev server reloads the page first: grouping a whole archive's names takes seconds)."""
        if self.snapshot is None:
            return self.load()
        with self.lock:
            base = self.snapshot.state
            config = base.config
            paths = {str(Path(p).resolve()) for p in paths}
            if str(self.config_path) in paths:
                config = self._load_config()
            if config == base.config:
                scanned = scanning.rescan(base.inputs, paths, config)
            else:  # the folders may have moved
                scanned = scanning.scan(config)
            changed = scanning.changed(base.inputs, scanned)
            if config == base.config and not changed:
                return Update("none")
            return self._apply(base, config, scanned, changed, self.snapshot.version,
                               defer=defer_discovery)

    def rediscover(self, cancelled: Callable[[], bool] | None = None) -> Update:
        """Group the recognised names again after applies that deferred it. ``cancelled``
        is asked as the grouping goes: when it says so, the grouping stops, nothing changes
        and the snapshot stays stale (the dev server gives way to the next save so)."""
        with self.lock:
            if self.snapshot is None or not self.discovery_stale:
                return Update("none")
            base = self.snapshot.state
            try:
                return self._apply(base, base.config, dict(base.inputs), set(),
                                   self.snapshot.version, kind="discovery",
                                   cancelled=cancelled)
            except Cancelled:
                return Update("none")  # (the stale snapshot stays)

    def _apply(self, base: State, config: Config, scanned: dict[str, Signature],
               changed: set[str], since: int, kind: str | None = None,
               defer: bool = False, cancelled: Callable[[], bool] | None = None) -> Update:
        """Apply ``changed`` to ``base`` (the state of snapshot ``since``; 0: the saved one)."""
        timings = {}
        self.tagged = 0
        roots = Roots(config)
        kinds = {path: roots.kind(path) for path in changed}
        config_changed = base.config != config
        with self.reporter.stage("read") as line:
            declared, registry, relink, regrouped = self._registry(base, config, kinds,
                                                                   config_changed, defer)
            found = {p: names for p, names in base.found.items() if p in scanned}
            entries, pages, reread, relinked, refound = self._read(
                base, config, registry, scanned, changed, relink, found, base.entries)
            line.note(f"{plural(reread, 'file')} read, {plural(relinked, 'article')} linked"
                      + (f", {self.tagged:,} tagged" if self.tagged else ""))
        timings["read"] = self.reporter.timings["read"]
        discovery = base.discovery if config.entities.discover != "off" else None
        regroup = config.entities.discover != "off" and (
            refound or self.discovery_stale or declared is not base.declared or config_changed
            or discovery is None or len(found) != len(base.found))
        stale_discovery = False  # (the new snapshot's discovered entities predate some names)
        if regroup and regrouped is not None and not refound and len(found) == len(base.found):
            discovery = regrouped  # made from these very names
        elif regroup and defer and not config_changed and discovery is not None:
            stale_discovery = True
        elif regroup:
            with self.reporter.stage("discover") as line:
                registry, discovery, again = self._discover(config, declared, registry, found,
                                                            scanned, entries, cancelled)
                relinked += again
                line.note(f"{plural(len(discovery.linked()), 'entity', 'entities')} found in "
                          f"{discovery.minimum}+ articles, {plural(again, 'article')} linked")
            timings["discover"] = self.reporter.timings["discover"]
        with self.reporter.stage("index") as line:
            snapshot = self._snapshot(base, config, registry, scanned, entries, pages, kinds,
                                      config_changed, declared, found, discovery, since,
                                      stale_discovery)
            line.note(f"{plural(len(snapshot.site.articles), 'article')}, "
                      f"{plural(len(snapshot.site.registry.live()), 'entity', 'entities')}")
        timings["index"] = self.reporter.timings["index"]
        self.snapshot = snapshot
        return Update(kind or update_kind(kinds, config_changed),
                      sum(timings.values()), reread, relinked, timings, self.tagged)

    def _registry(self, base: State, config: Config, kinds: Mapping[str, str | None],
                  config_changed: bool, defer: bool) -> tuple:
        """The registry editors keep; the one to link with, with the discovered entities;
        the articles to link again because of it (None: all); and the discovery made for it
        from the saved state's names (None if not made: unchanged, or deferred, when the
        saved discovery is carried over onto the new registry)."""
        if base.registry is not None and not config_changed and "entity" not in kinds.values():
            return base.declared, base.registry, set(), None
        declared = load_registry(config)
        registry, discovery = declared, None
        if config.entities.discover == "link" and base.found:
            if defer and not config_changed and base.discovery is not None:
                registry = extend(declared, base.discovery)
            else:
                discovery = discover_in(config, declared, base.found)
                registry = extend(declared, discovery)
        if base.registry is None or link_settings(config) != link_settings(base.config):
            return declared, registry, None, discovery
        return declared, registry, self._relink(base.entries, base.registry, registry), discovery

    def _relink(self, entries: Mapping[str, Entry], before: Registry,
                after: Registry) -> set[str]:
        """The articles that may link differently with ``after`` than with ``before``."""
        keys = relink_keys(before, after)
        if not keys:
            return set()
        vocabularies, could_mention = self.store.vocabularies(), mention_test(keys)
        return {source for source, entry in entries.items()
                if entry.declares or could_mention(vocabularies.get(source))}

    def _discover(self, config: Config, declared: Registry, registry: Registry,
                  found: dict[str, tuple], scanned: dict[str, Signature],
                  entries: dict[str, Entry],
                  cancelled: Callable[[], bool] | None = None) -> tuple[Registry, Discovery, int]:
        """Candidates from every article's recognised names; with ``discover = "link"``,
        the registry with them, and the articles linked again because of them."""
        discovery = discover_in(config, declared, found, cancelled)
        after = extend(declared, discovery) if config.entities.discover == "link" else declared
        relink = self._relink(entries, registry, after)
        if relink:
            self._read_into(entries, found, config, after, scanned, sorted(relink))
        return after, discovery, len(relink)

    def _read(self, base: State, config: Config, registry: Registry,
              scanned: dict[str, Signature], changed: set[str], relink: set[str] | None,
              found: dict[str, tuple], known: Mapping[str, Entry]):
        roots = Roots(config)
        # Entries carry over unless their file is gone; what changed (or may link
        # differently now) is read again. Only changed paths need classifying.
        entries = {p: e for p, e in known.items() if p in scanned}
        if relink is None:
            todo = [p for p in scanned if roots.kind(p) == "article"]
        else:
            todo = sorted({p for p in changed | relink if p in scanned
                           and roots.kind(p) == "article"})
        refound = self._read_into(entries, found, config, registry, scanned, todo)
        reread = sum(1 for p in todo if p in changed or p not in known)
        pages = {p: page for p, page in base.pages.items() if p in scanned and p not in changed}
        for path in (p for p in changed if p in scanned and roots.kind(p) == "page"):
            pages[path] = read_page(Path(path), self._renderer)
            reread += 1
        return entries, pages, reread, len(todo), refound

    def _read_into(self, entries: dict[str, Entry], found: dict[str, tuple], config: Config,
                   registry: Registry, scanned: dict[str, Signature], todo: list[str]) -> bool:
        """Read and link ``todo`` into ``entries`` (and ``found``); whether any article's
        recognised names changed. What the tagger found in a file whose bytes are the same
        is reused, not computed again."""
        recognised = self.store.recognitions(todo) if config.entities.discover != "off" else {}
        executor = self.executor or executor_for(len(todo))
        refound = False
        for path, entry, record, packed, words, sha, spans, names in executor.map(
                read_articles, (registry, config, recognised), todo):
            entries[path] = entry
            self.store.put(entry.digest, record, packed)
            self.store.put_words(path, words)
            if spans is not None:
                self.store.put_recognised(path, tag_key(generator_version(), sha), spans)
                self.tagged += 1
            if found.get(path) != names:
                found[path] = names
                refound = True
            scanned[path] = scanned[path]._replace(sha=sha)
        return refound

    def _snapshot(self, base: State, config: Config, registry: Registry,
                  scanned: dict[str, Signature], entries: dict[str, Entry],
                  pages: dict[str, Page], kinds: Mapping[str, str | None],
                  config_changed: bool, declared: Registry, found: dict[str, tuple],
                  discovery: Discovery | None, since: int,
                  discovery_stale: bool) -> Snapshot:
        visible = [e for e in entries.values() if self.drafts or not e.draft]
        visible_pages = [p for p in pages.values() if self.drafts or not p.draft]
        check_unique(visible)
        check_unique(visible_pages)
        before = {e.url: e for e in base.entries.values() if self.drafts or not e.draft}
        after = {e.url: e for e in visible}
        touched = {url for url in before.keys() | after.keys()
                   if (old := before.get(url)) is not (new := after.get(url))  # (carried over)
                   and getattr(old, "digest", None) != getattr(new, "digest", None)}
        stale = stale_entities(before, after, touched)
        stats = {e: s for e, s in base.stats.items() if e not in stale}
        published = self.related_of  # (one read: the publisher thread may replace it)
        known = published[1] if published and published[0] == since else base.related
        related = still_related(known, before, after, touched)
        previous = self.snapshot
        patchable = previous is not None and previous.state is base
        site = assemble(config, visible, visible_pages, registry, stats=stats, related=related,
                        previous=previous.site if patchable else None,
                        changes={url: (before.get(url), after.get(url)) for url in touched})

        if previous and not config_changed and "static" not in kinds.values():
            assets = previous.assets
        else:
            assets = collect_assets(config.paths.static)
        if previous and not config_changed and assets is previous.assets \
                and "template" not in kinds.values():
            env, templates = previous.env, previous.state.templates
        else:
            env = make_environment(config, assets)
            if base.templates and not config_changed and "template" not in kinds.values():
                templates = base.templates  # as the last build read them
            else:
                templates = FrozenDict(template_digests(config.paths.templates))
        jobs = Plan(site, assets)  # planned when asked for
        reach = None  # a change of settings, templates or assets, or of the header: any page
        if base.registry is not None and not config_changed and base.chrome == jobs.chrome.digest \
                and not {"static", "template"} & set(kinds.values()):
            reach = partial(article_reach, site, before, after, touched, related, base.registry,
                            registry)
        state = dataclasses.replace(base, config=config, inputs=scanned, entries=entries,
                                    pages=pages, registry=registry, related=related,
                                    stats=dict(site.entities.stats), declared=declared,
                                    found=found, discovery=discovery, chrome=jobs.chrome.digest,
                                    templates=templates)
        self._version += 1
        return Snapshot(state, site, jobs, env, assets,
                        digest_of(generator_version(), config, tuple(assets.urls.items())),
                        Resources(config, self.store.of_entry, self.store.mentions_of,
                                  assets.files),
                        self._version, since, reach, discovery_stale)

    # -- publishing -------------------------------------------------------------------------

    def publish(self, search: bool = True, snapshot: Snapshot | None = None,
                pause: Callable[[], object] | None = None, looked: Looked | None = None):
        """Render what changed into the output folder, index search, save the state.
        ``pause`` is called between pieces of the work and may block: the dev server's
        background publish waits in it while an edit is applied. ``looked``: the output's
        folders changed by hand, as the build's first look found them."""
        from .publish import publish

        snapshot = snapshot or self.snapshot
        if snapshot is None:
            raise BuildError("nothing to publish: the site has not been loaded")
        return publish(self, snapshot, search, pause, looked)

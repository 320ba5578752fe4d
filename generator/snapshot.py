"""What the engine hands out: a :class:`Snapshot` (one consistent, immutable state of the
site, from which any page can be rendered) and an :class:`Update` (what one load or apply
did)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial

import jinja2

from .assets import Assets
from .config import Config
from .jobs import Resources, fingerprint
from .model import Site
from .pages import Plan
from .state import State
from .templates import make_environment, render_page


@dataclass(frozen=True)
class Snapshot:
    """One consistent state of the site: what it was made from, and every page it has."""

    state: State  # the inputs and records (its ``outputs`` are the engine's, see Engine)
    site: Site
    jobs: Plan  # output file -> job
    env: jinja2.Environment
    assets: Assets
    site_digest: str  # generator version, config, asset names: part of every fingerprint
    resources: Resources
    version: int
    # The snapshot this one was made from (0: the state loaded from the cache), and how to
    # tell the article pages whose inputs may differ from its (see ``reach``).
    base: int = 0
    reach_of: Callable[[], frozenset[str]] | None = None
    # Its discovered entities predate some article's recognised names (an apply deferred
    # grouping them again: Engine.rediscover). Such a snapshot is never published. (Kept on
    # the snapshot, so that a thread that takes a snapshot reads its flag with it.)
    discovery_stale: bool = False

    @cached_property
    def reach(self) -> frozenset[str] | None:
        """The article pages whose inputs may differ from the base's (None: any page; see
        reach.py). Worked out when first asked for: the dev server's edits do not need it,
        only a publish does."""
        return self.reach_of() if self.reach_of is not None else None

    @property
    def config(self) -> Config:
        return self.site.config

    @property
    def templates(self) -> Mapping[str, str]:
        """Template -> digest of it and of what it uses (kept with the state)."""
        return self.state.templates

    def fingerprint(self, file: str) -> str | None:
        job = self.jobs.get(file)
        if job is None:
            return None
        return fingerprint(job, self.site_digest, self.templates.get(job.template or "", ""))

    def reach_over(self, outputs_of: int | None) -> frozenset[str] | None:
        """The article pages the changes reach, if the output folder's fingerprints are of
        snapshot ``outputs_of`` and this one was made from it; otherwise None (any page)."""
        return self.reach if outputs_of == self.base else None

    def fingerprints(self, known: Mapping[str, str],
                     reach: frozenset[str] | None = None) -> dict[str, str]:
        """Every file's fingerprint; the article pages outside ``reach`` (see
        :meth:`reach_over`) keep the one ``known`` for them."""
        kept: dict[str, str] = {}
        if reach is not None:
            kept = {file: known[file] for file, job in self.jobs.part("articles").items()
                    if file in known and job.url not in reach}
        return {file: kept.get(file) or self.fingerprint(file) for file in self.jobs}

    def render(self, file: str) -> bytes | None:
        """The bytes of an output file of this state, or None if it has no such file."""
        job = self.jobs.get(file)
        return None if job is None else render_page(self.env, job, self.resources)

    def __reduce__(self):
        """Pickled without its template environment, made again from the config and assets
        where it is unpickled: a snapshot can be sent to another machine's workers."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                  if f.name != "env"}
        if self.reach_of is not None:  # sent worked out: the inputs to it are not needed
            values["reach_of"] = partial(frozenset, self.reach)
        return (_restore_snapshot, tuple(values.values()))


def _restore_snapshot(state, site, jobs, assets, *rest) -> Snapshot:
    return Snapshot(state, site, jobs, make_environment(site.config, assets), assets, *rest)


@dataclass(frozen=True)
class Update:
    """What one load or apply did."""

    kind: str  # "full", "content", "entities", "templates", "static", "css", "config", "none"
    seconds: float = 0.0
    reread: int = 0  # article and page files read again
    relinked: int = 0  # articles whose entities were linked again
    timings: dict[str, float] = field(default_factory=dict)
    tagged: int = 0  # articles the named-entity tagger read (not reused from the cache)

    def describe(self) -> str:
        if self.kind == "discovery":  # completing a deferred apply (see Engine.rediscover)
            return (f"names grouped again in {self.seconds * 1000:.0f} ms: "
                    f"{self.relinked} re-linked")
        detail = f"{self.reread} re-read, {self.relinked} re-linked" if self.kind in (
            "full", "content", "entities", "config") else self.kind
        return f"rebuilt ({self.kind}) in {self.seconds * 1000:.0f} ms: {detail}"



def update_kind(changed: Mapping[str, str | None], config_changed: bool) -> str:
    if config_changed:
        return "config"
    kinds = {kind for kind in changed.values() if kind is not None}
    if not kinds:
        return "none"
    if kinds <= {"static"}:
        css = all(p.endswith(".css") for p, kind in changed.items() if kind == "static")
        return "css" if css else "static"
    if kinds <= {"template"}:
        return "templates"
    if "entity" in kinds:
        return "entities"
    return "content"

"""The search index: Pagefind run over the article pages, one index per shard of time.

Pagefind has no incremental mode, and indexing the whole archive takes about a minute. The
articles are therefore split into shards that do not overlap in time (:func:`plan_shards`):
a year, or a month when the year is large, or runs of days when the month is too; each shard
is indexed on its own into ``pagefind/<shard>/``, and only shards whose articles changed in
what Pagefind reads (:func:`shard_digest`) are indexed again. The search page loads the
newest shard and merges the others into it (Pagefind's multi-index search); because shards
are disjoint in time, results by date are the shards' own date-sorted results, newest shard
first.

Each shard is indexed from a folder of hard links to its article pages in the new site, by
the Pagefind binary, into a folder under the cache; the bundle is then copied into the site
being prepared, so a failure leaves the previous index in place.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from .errors import BuildError
from .model import Article, Site, digest_of
from .output import Transaction
from .parallel import cpu_count
from .urls import output_file

SEARCH_FOLDER = "pagefind"
SHARD_SIZE = 3000  # articles per shard at most, where days allow
# What the search page uses of a Pagefind bundle (not its ready-made UIs).
_KEEP = re.compile(r"^(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|wasm\.[^/]+|"
                   r"[^/]+\.pf_meta|(index|fragment|filter)/.+)$")


@dataclass(frozen=True)
class Shard:
    name: str  # "2019", "2018-03" or "2018-03-16" (a run of days starting that day)
    articles: tuple[Article, ...]  # newest first


def plan_shards(site: Site, size: int = SHARD_SIZE) -> tuple[Shard, ...]:
    """The site's articles in shards of at most ``size`` (except a single day larger than
    that), newest first, disjoint in time."""
    shards: list[Shard] = []
    for year, articles in site.by_year.items():
        if len(articles) <= size:
            shards.append(Shard(f"{year:04d}", articles))
            continue
        for (_, month), group in groupby(articles, key=lambda a: (a.day.year, a.day.month)):
            items = tuple(group)
            if len(items) <= size:
                shards.append(Shard(f"{year:04d}-{month:02d}", items))
            else:
                shards.extend(_runs_of_days(items, size))
    return tuple(shards)


def _runs_of_days(articles: tuple[Article, ...], size: int) -> list[Shard]:
    """Consecutive days (oldest first) gathered while they fit in ``size``."""
    days = [tuple(group) for _, group in groupby(reversed(articles), key=lambda a: a.day)]
    runs: list[list[Article]] = []
    for day in days:
        if runs and len(runs[-1]) + len(day) <= size:
            runs[-1].extend(day)
        else:
            runs.append(list(day))
    return [Shard(run[0].day.isoformat(), tuple(reversed(run))) for run in reversed(runs)]


def shard_digest(shard: Shard, site: Site, page_digest: str) -> str:
    """What Pagefind reads of a shard's pages: each article and its entities' names (its
    filters and hidden search terms), under the article template and site settings
    (``page_digest``); neighbours and related articles are outside the indexed part."""
    registry = site.registry
    return digest_of(page_digest, [(a, [registry.entities[e] for e in a.entity_ids])
                                   for a in shard.articles])


def index_shards(shards: Sequence[Shard], digests: Mapping[str, str],
                 indexed: Mapping[str, str], transaction: Transaction,
                 cache: Path) -> tuple[dict[str, str], dict[str, int]]:
    """Index the shards whose digest differs from ``indexed`` (what each indexed last time)
    into the site being prepared, and remove the bundles of shards that are gone. Returns
    the new ``indexed`` and counts."""
    next_site = transaction.staging.next
    todo = [s for s in shards if indexed.get(s.name) != digests[s.name]
            or not (next_site / SEARCH_FOLDER / s.name / "pagefind-entry.json").is_file()]
    work = cache / "search"
    work.mkdir(parents=True, exist_ok=True)
    counts = {"indexed": len(todo), "page": 0}
    with tempfile.TemporaryDirectory(prefix="pagefind-", dir=work) as tmp:
        with ThreadPoolExecutor(max_workers=max(1, cpu_count())) as pool:
            done = list(pool.map(lambda s: _index(s, next_site, Path(tmp) / s.name), todo))
        for shard, pages in zip(todo, done, strict=True):
            counts["page"] += pages
            transaction.sync_tree(Path(tmp) / shard.name / "bundle",
                                  f"{SEARCH_FOLDER}/{shard.name}", last=("pagefind-entry.json",))
    names = {s.name for s in shards}
    root = next_site / SEARCH_FOLDER
    stale = {p.relative_to(next_site).as_posix() for p in root.rglob("*")
             if p.is_file() and (p.relative_to(root).parts[0] not in names
                                 or len(p.relative_to(root).parts) == 1)} \
        if root.is_dir() else set()
    transaction.remove(stale)
    return {s.name: digests[s.name] for s in shards}, counts


def _index(shard: Shard, site: Path, work: Path) -> int:
    """Run Pagefind over the shard's article pages; returns the pages it indexed."""
    source = work / "site"
    for article in shard.articles:
        file = output_file(article.url)
        target = source / file
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(site / file, target)
    pages = run_pagefind(source, work / "bundle", shard.name)
    shutil.rmtree(source, ignore_errors=True)
    return pages


def run_pagefind(source: Path, bundle: Path, name: str) -> int:
    """Pagefind over the folder ``source`` into ``bundle`` (only the files the search page
    uses are kept); returns the pages it indexed."""
    work = bundle.parent
    command = [sys.executable, "-m", "pagefind_bin", "--site", str(source),
               "--output-path", str(bundle)]
    # Run from the work folder so that no stray pagefind.yml configures the run.
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=work,
                            env={**os.environ, "NO_COLOR": "1"})
    if result.returncode != 0:
        detail = " ".join(line.strip() for line in
                          (result.stderr or result.stdout).strip().splitlines()[-3:])
        raise BuildError(f"Pagefind failed to index the {name} shard: {detail}", source)
    found = re.search(r"Indexed ([\d,]+) pages?", result.stdout)
    pages = int(found.group(1).replace(",", "")) if found else 0
    if pages == 0:
        raise BuildError("Pagefind indexed no pages: is data-pagefind-body missing from "
                         "templates/article.html?", source)
    for path in list(bundle.rglob("*")):
        if path.is_file() and not _KEEP.match(path.relative_to(bundle).as_posix()):
            path.unlink()
    return pages

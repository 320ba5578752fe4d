"""The search index: Pagefind run over the article pages, one index per shard of time.

Pagefind has no incremental mode, and indexing the whole archive takes about a minute. The
articles are therefore split into shards that do not overlap in time (:func:`plan_shards`):
years, months or days gathered up to ``search_shard_size`` articles (3,000); each shard
is indexed on its own into ``pagefind/<shard>/``, and only shards whose articles changed in
what Pagefind reads (:func:`shard_digest`) are indexed again. The search page loads only
the shards a query needs (``static/js/results.js``), merged into one Pagefind instance:
the word lists and entity cards say which shards hold a word or an entity's articles
(positions counted from the oldest shard: :func:`entity_shards`, ``search_words.presence``),
and because shards are disjoint in time, results by date come shard after shard.

Each shard is indexed from a folder of hard links to its article pages in the new site, by
the Pagefind binary, into a folder under the cache; the bundle is then copied into the site
being prepared, so a failure leaves the previous index in place.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pagefind_bin

from .errors import BuildError
from .model import Article, Site, digest_of
from .output import Transaction
from .parallel import cpu_count
from .search import indexed_entity
from .search_words import (
    BUCKET_SUFFIX,
    WORDS_FOLDER,
    count_words,
    load_counts,
    merge,
    pack_bucket,
    presence,
    save_counts,
    word_buckets,
)
from .urls import SEARCH_FOLDER, output_file

# What the search page uses of a Pagefind bundle (not its ready-made UIs).
_KEEP = re.compile(r"^(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|wasm\.[^/]+|"
                   r"[^/]+\.pf_meta|(index|fragment|filter)/.+)$")


@dataclass(frozen=True)
class Shard:
    name: str  # "2019", "2018-03" or "2018-03-16" (a run of days starting that day)
    articles: tuple[Article, ...]  # newest first


def plan_shards(site: Site, size: int | None = None) -> tuple[Shard, ...]:
    """The site's articles in shards of at most ``size`` (except a single day larger than
    that), newest first, disjoint in time: consecutive years gathered while they fit, a year
    too large split into months gathered the same way, a month too large into days. Time is
    UTC, the order articles sort in, so each shard is one run of the site's order. A shard
    is named after its oldest year, month or day."""
    shards: list[Shard] = []
    _pack(_units(site.articles, 0), 0, size or site.config.search_shard_size, shards)
    return tuple(reversed(shards))


# The levels of time, each with its unit of an article and the unit's name.
_LEVELS = ((lambda m: m.year, lambda m: f"{m.year:04d}"),
           (lambda m: (m.year, m.month), lambda m: f"{m.year:04d}-{m.month:02d}"),
           (lambda m: m.date(), lambda m: m.date().isoformat()))


def _units(articles: tuple[Article, ...], level: int) -> list[tuple[str, tuple[Article, ...]]]:
    """(name, articles newest first) for each unit of ``level``, oldest unit first. Units
    only fall along the site's order, so each one's end is found by bisection: a few dozen
    dates looked at, not every article's (a one-article build plans the shards)."""
    key, name = _LEVELS[level]
    units, start = [], 0
    while start < len(articles):
        unit = key(_utc(articles[start]))
        end = bisect_left(articles, True, lo=start, key=lambda a: key(_utc(a)) < unit)
        units.append((name(_utc(articles[start])), tuple(articles[start:end])))
        start = end
    return units[::-1]


def _pack(units: list[tuple[str, tuple[Article, ...]]], level: int, size: int,
          out: list[Shard]) -> None:
    name, run = "", ()
    for unit, items in units:
        if len(items) > size and level + 1 < len(_LEVELS):
            if run:
                out.append(Shard(name, run))
                run = ()
            _pack(_units(items, level + 1), level + 1, size, out)
            continue
        if run and len(run) + len(items) > size:
            out.append(Shard(name, run))
            run = ()
        if not run:
            name = unit
        run = items + run  # newer articles first
    if run:
        out.append(Shard(name, run))


def _utc(article: Article) -> datetime:
    moment = article.date
    return moment.astimezone(UTC) if moment.tzinfo else moment


def entity_shards(shards: Sequence[Shard]) -> dict[str, list[int]]:
    """entity -> the positions (0: the oldest) of the shards holding articles naming it."""
    found: dict[str, list[int]] = {}
    for position, shard in enumerate(reversed(shards)):
        named = {entity for article in shard.articles for entity, _ in article.mentions}
        named.update(*[article.about for article in shard.articles if article.about])
        for entity in named:  # (an entry's entity_ids, without a tuple made for each)
            found.setdefault(entity, []).append(position)
    return found


def shard_digest(shard: Shard, site: Site, page_digest: str) -> str:
    """What Pagefind reads of a shard's pages: each article and its entities' names and types
    (its filters and hidden search terms: ``search.indexed_entity``), under the article
    template and site settings (``page_digest``); neighbours, related articles and what
    entity pages alone show are outside the indexed part."""
    entities = site.registry.entities
    return digest_of(page_digest, [(a, [indexed_entity(entities[e]) for e in a.entity_ids])
                                   for a in shard.articles])


def index_shards(shards: Sequence[Shard], digests: Mapping[str, str],
                 indexed: Mapping[str, str], transaction: Transaction, cache: Path,
                 texts: Callable[[Shard], Iterable[str]],
                 pause: Callable[[], object]) -> tuple[dict[str, str], dict[str, int]]:
    """Index the shards whose digest differs from ``indexed`` (what each indexed last time)
    into the site being prepared, remove the bundles of shards that are gone, and write the
    word lists (``search_words.py``; ``texts`` gives the text of a shard's articles; ``pause``
    is called after each article counted). Returns the new ``indexed`` and counts."""
    next_site = transaction.staging.next
    todo = [s for s in shards if indexed.get(s.name) != digests[s.name]
            or not (next_site / SEARCH_FOLDER / s.name / "pagefind-entry.json").is_file()]
    work = cache / "search"
    work.mkdir(parents=True, exist_ok=True)
    for stale in [*work.glob("pagefind-*"), *work.glob("words-*")]:
        shutil.rmtree(stale, ignore_errors=True)  # left by a build that was killed
    counts = {"indexed": len(todo), "page": 0}
    with tempfile.TemporaryDirectory(prefix="pagefind-", dir=work) as tmp:
        with ThreadPoolExecutor(max_workers=max(1, cpu_count())) as pool:
            running = [pool.submit(_index, s, next_site, Path(tmp) / s.name) for s in todo]
            # The word lists are counted while Pagefind runs (it waits on the disk too).
            if todo or not (next_site / SEARCH_FOLDER / WORDS_FOLDER).is_dir():
                counts["words"] = _write_words(shards, digests, transaction, work,
                                               lambda shard: _pausing(texts(shard), pause))
            done = [job.result() for job in running]
        for shard, pages in zip(todo, done, strict=True):
            counts["page"] += pages
            transaction.sync_tree(Path(tmp) / shard.name / "bundle",
                                  f"{SEARCH_FOLDER}/{shard.name}", last=("pagefind-entry.json",))
    names = {s.name for s in shards} | {WORDS_FOLDER}
    root = next_site / SEARCH_FOLDER
    stale = {p.relative_to(next_site).as_posix() for p in root.rglob("*")
             if p.is_file() and (p.relative_to(root).parts[0] not in names
                                 or len(p.relative_to(root).parts) == 1)} \
        if root.is_dir() else set()
    transaction.remove(stale)
    return {s.name: digests[s.name] for s in shards}, counts


def _pausing(items: Iterable[str], pause: Callable[[], object]) -> Iterator[str]:
    for item in items:
        yield item
        pause()


def _write_words(shards: Sequence[Shard], digests: Mapping[str, str], transaction: Transaction,
                 work: Path, texts: Callable[[Shard], Iterable[str]]) -> int:
    """The word lists of the whole index, from each shard's counts (kept under the cache with
    the shard's digest, so only changed shards are read again). Returns the words listed."""
    parts = []
    for shard in reversed(shards):  # the oldest first: shard positions in the lists' masks
        file = work / WORDS_FOLDER / f"{shard.name}.json.gz"
        counts = load_counts(file, digests[shard.name])
        if counts is None:
            counts = count_words(texts(shard))
            save_counts(file, digests[shard.name], counts)
        parts.append(counts)
    buckets = word_buckets(merge(parts), sum(len(s.articles) for s in shards), presence(parts))
    with tempfile.TemporaryDirectory(prefix="words-", dir=work) as tmp:
        for name, value in buckets.items():
            (Path(tmp) / f"{name}{BUCKET_SUFFIX}").write_bytes(pack_bucket(value))
        transaction.sync_tree(Path(tmp), f"{SEARCH_FOLDER}/{WORDS_FOLDER}")
    return sum(map(len, buckets.values()))


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
    command = [str(pagefind_bin.get_executable()), "--site", str(source),
               "--output-path", str(bundle)]
    # Run from the work folder so that no stray pagefind.yml configures the run.
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=work,
                            env={**os.environ, "NO_COLOR": "1"}, preexec_fn=_die_with_parent)
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


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the Pagefind process, before it starts (Linux): killed when the build is, never left
    running on its own."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

"""Publishing a snapshot: render the pages whose fingerprint differs from what the output
folder holds, write them beside it, index search, switch the output folder, save the state.

Rendering runs where the executor says (worker processes when there are many files): every
file is fingerprinted (of the article pages, only those the changes reach: ``reach.py``), and
those whose fingerprint differs from what the output holds (all of them on a first build) are
rendered and written by the workers themselves, which return only (file, fingerprint).
Rendered pages are written as they come, never all held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

from .errors import BuildError
from .output import Looked, Output, PublishResult, Staging, Transaction, WriteStats
from .parallel import executor_for
from .report import plural
from .search_index import SEARCH_FOLDER, index_shards, shard_digest

if TYPE_CHECKING:
    from .engine import Engine, Snapshot

WRITERS = 2  # threads writing files in each render process


def publish(engine: Engine, snapshot: Snapshot, search: bool = True,
            pause: Callable[[], object] | None = None,
            looked: Looked | None = None) -> PublishResult:
    pause = pause or _carry_on
    if snapshot.discovery_stale and snapshot is engine.snapshot:
        engine.rediscover()  # never write a site whose discovered entities are out of date
        snapshot = engine.snapshot
    config, reporter = snapshot.config, engine.reporter
    known = dict(engine.outputs)
    output = Output(config.paths.output, config.paths.cache)
    fresh = not known or not output.live.is_dir()
    indexing = bool(search and config.search)
    if engine.saved == snapshot.version and output.live.is_dir() \
            and (engine.indexed or not indexing) \
            and output.changed_by_hand(known, looked) == set():
        return PublishResult(len(snapshot.site.articles), len(snapshot.jobs), 0,
                             WriteStats(0, len(snapshot.jobs), 0), dict(reporter.timings))
    reach = None if fresh else snapshot.reach_over(engine.outputs_of)
    with reporter.stage("plan") as line:
        owned = {file.split("/", 1)[0] for file in snapshot.jobs}  # (every part planned)
        if indexing or not config.search:
            owned.add(SEARCH_FOLDER)  # otherwise the index in place is carried over
        transaction = output.begin(fresh, owned, known, looked)
        remade = transaction.fresh and not fresh  # (after a build that failed or was killed)
        if remade:
            fresh, reach = True, None
        line.note(plural(len(snapshot.jobs), "file") + (
            ", every file written anew (no mirror of the output)" if remade else
            f", {plural(len(reach), 'article page')} the changes reach" if reach is not None
            else ""))
    try:
        with reporter.stage("render") as line:
            fingerprints, rendered, written, related = _render(engine, snapshot, known, reach,
                                                               transaction, fresh, pause)
            transaction.record(written)
            line.note(f"{rendered:,} rendered")
        with reporter.stage("write") as line:
            if transaction.staging.fresh:  # a new folder: it holds only what was written
                removed = 0
            elif fresh:  # what the output held was not known: remove what was not written
                removed = transaction.sweep(set(snapshot.jobs), owned - {SEARCH_FOLDER})
            else:
                removed = transaction.remove(set(known) - set(snapshot.jobs))
            line.note(f"{len(written):,} written, {len(snapshot.jobs) - len(written):,} "
                      f"unchanged, {removed:,} removed")
        shards = dict(engine.shards)
        plan = snapshot.jobs.shards if indexing else ()
        if plan or (indexing and shards):
            with reporter.stage("search") as line:
                page = snapshot.site_digest + snapshot.templates.get("article.html", "")
                digests = {s.name: shard_digest(s, snapshot.site, page) for s in plan}
                shards, counts = index_shards(plan, digests, shards, transaction,
                                              config.paths.cache, _texts(snapshot), pause)
                words = f", {counts['words']:,} words listed" if "words" in counts else ""
                line.note(f"{plural(len(plan), 'shard')}, {counts['indexed']:,} indexed, "
                          f"{plural(counts['page'], 'page')}{words}")
        elif not config.search:
            shards = {}
            transaction.remove({f for f in _files_under(transaction.staging, SEARCH_FOLDER)})
        with reporter.stage("switch") as line:
            if transaction.touched or transaction.staging.fresh or removed \
                    or transaction.restores:
                transaction.commit()
                line.note(f"{config.paths.output.name}/ now holds the new site"
                          + _by_hand(transaction) + _unmirrored(transaction))
            else:
                transaction.abort()  # nothing changed: the output is not switched
                line.note("nothing changed: the output folder is left as it was")
    except BaseException:
        transaction.abort()
        raise

    engine.outputs, engine.outputs_of, engine.shards = fingerprints, snapshot.version, shards
    engine.indexed = indexing or not config.search
    with reporter.stage("save") as line:
        _save(engine, snapshot, related)
        transaction.settle()  # (the journal says the saved state describes the output now)
        line.note(f"state of {plural(len(snapshot.state.entries), 'article')}")
    engine.saved = snapshot.version
    return PublishResult(len(snapshot.site.articles), len(snapshot.jobs), rendered,
                         WriteStats(len(written), len(snapshot.jobs) - len(written), removed),
                         dict(reporter.timings))


def _render(engine: Engine, snapshot: Snapshot, known: dict[str, str],
            reach: frozenset[str] | None, transaction: Transaction, fresh: bool,
            pause: Callable[[], object]) -> tuple[dict[str, str], int, set[str], dict]:
    """Fingerprint every file (of article pages, those in ``reach``), and render and stage
    those whose fingerprint differs from what the output holds (in parallel where there are
    many; ``pause`` is called after each file)."""
    if fresh:  # unknown output: every file is rendered, the fingerprints by the workers
        files, known, fingerprints = list(snapshot.jobs), {}, {}
    else:  # here first (cheaper than starting workers), then only what changed
        fingerprints = snapshot.fingerprints(known, reach)
        files = [file for file, value in fingerprints.items() if known.get(file) != value]
    executor = engine.executor or executor_for(len(files))
    written, rendered = set(), 0
    related = dict(snapshot.site.entities.related.computed)
    transaction.dispatched.update(files)  # (what a failure may leave written: see Output.abort)
    for file, value, status, computed in executor.map(
            render_files, (snapshot, transaction.staging, known), files):
        fingerprints[file] = value
        rendered += status != "known"
        if status == "written":
            written.add(file)
        related.update(computed)
        pause()
    return fingerprints, rendered, written, related


def render_files(shared: tuple[Snapshot, Staging, dict[str, str]],
                 files: Sequence[str]) -> list[tuple]:
    """Fingerprint output files and render and stage those whose fingerprint is not ``known``:
    (file, fingerprint, "known" | "written" | "same", related lists computed) for each. Runs
    in worker processes; files are written by threads while the next pages render (writing
    waits on the disk, rendering on the processor)."""
    snapshot, staging, known = shared
    computed = snapshot.site.entities.related.computed
    pending = []
    with ThreadPoolExecutor(max_workers=WRITERS) as writers:
        for file in files:
            value = snapshot.fingerprint(file)
            url = snapshot.jobs[file].url  # an article page computes its related articles
            related = {url: computed[url]} if url in computed else {}
            if known.get(file) == value:
                pending.append((file, value, None, related))
                continue
            data = snapshot.render(file)
            if data is None:
                raise BuildError(f"no page for {file}")
            pending.append((file, value, writers.submit(staging.put, file, data), related))
        return [(file, value, "known" if wrote is None else
                 "written" if wrote.result() else "same", related)
                for file, value, wrote, related in pending]


def _carry_on() -> None:
    """The pause of a publish that gives way to nothing."""


def _by_hand(transaction: Transaction) -> str:
    """What the switch said of the output folder's changes made by hand, if any."""
    if not transaction.restores:
        return ""
    folders = transaction.by_hand
    return (" (its files were not known: each folder compared)" if folders is None else
            f" ({plural(len(folders), 'folder')} changed by hand since the last build)")


def _unmirrored(transaction: Transaction) -> str:
    """What the switch said of a mirror it could not make, if so."""
    if transaction.unmirrored is None:
        return ""
    return (f"; its mirror could not be made ({transaction.unmirrored}): "
            "the next build writes every file anew")


def _texts(snapshot: Snapshot):
    """The text of a search shard's articles (title and body), for its word lists."""
    body = snapshot.resources.body
    return lambda shard: (f"{entry.title}\n{body(entry).text}" for entry in shard.articles)


def _files_under(staging: Staging, folder: str) -> set[str]:
    root = staging.next / folder
    if not root.is_dir():
        return set()
    return {p.relative_to(staging.next).as_posix() for p in root.rglob("*") if p.is_file()}


def _save(engine: Engine, snapshot: Snapshot, related: dict) -> None:
    """Save the state for the next build: new records first, then the state (only what
    changed), then forget the records no state uses (a build killed in between leaves only
    garbage)."""
    state = snapshot.state
    state = replace(state, outputs=engine.outputs, shards=engine.shards, indexed=engine.indexed,
                    related=state.related.updated(related, keep=snapshot.site.positions),
                    counts=(len(snapshot.site.articles), len(snapshot.jobs)))
    engine.related_of = (snapshot.version, state.related)
    store, previous = engine.store, engine.saved_state
    store.flush()
    engine.state_store.save(state, previous)
    engine.saved_state = state
    # The dev server may hold a newer snapshot already: what it uses is kept too.
    current = engine.snapshot.state.entries if engine.snapshot else {}
    kept = {e.digest for e in state.entries.values()} | {e.digest for e in current.values()}
    if previous is None or previous.key != state.key:
        store.keep_only(kept, state.entries.keys() | current.keys())
    else:
        store.forget({e.digest for e in previous.entries.values()} - kept,
                     previous.entries.keys() - state.entries.keys() - current.keys())

"""The build, as a table of contents: each stage is one step of the engine, timed and counted.

    scan    a stat walk of the inputs (on another core) and of the output's folders (for
            changes by hand): if nothing changed since the last build, stop here
    load    the saved state, and which inputs changed since
    read    read and link the articles that changed (or could name a changed entity)
    index   assemble the site's indexes, and which article pages the changes reach
    plan    every output file's job: its template and inputs; the next site begun beside
            the output folder (and what was changed in it by hand told)
    render  fingerprint the files (of article pages, those the changes reach), render
            those whose fingerprint changed, beside the output folder
    write   remove what disappeared; the output folder switches at the end
    search  index the search shards whose articles changed

A first build is the same steps with every input new (and worker processes to share them).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

from .config import Config
from .output import PublishResult, WriteStats
from .parallel import Executor
from .report import Reporter, plural
from .state import StateStore, cache_folder, site_lock, state_key, survey


def build(config: Config, *, drafts: bool = False, search: bool = True,
          reporter: Reporter | None = None, executor: Executor | None = None,
          exiting: bool = False) -> PublishResult:
    """Build the site described by ``config`` into ``config.paths.output``.

    ``search=False`` skips the Pagefind stage (the previous index, if any, stays as it was).
    ``exiting``: the process ends right after (the command line), so what the build loaded is
    left to the end of the process rather than freed object by object (0.1 s at the whole
    corpus); otherwise it is freed when the build returns.
    """
    reporter = reporter or Reporter()
    reporter.say(f"building {config.paths.content} → {config.paths.output}")
    with no_collections():
        with reporter.stage("scan") as line:
            seen = survey(config, drafts, search)
            line.note("nothing changed since the last build" if seen.same else
                      f"{plural(len(seen.scanned), 'input')} looked at" if seen.looked else
                      "no usable saved state")
        if seen.same:
            return _nothing(config, drafts, reporter)
        from .engine import Engine  # imported only when there is work: Markdown, Jinja, camel

        with site_lock(config):
            engine = Engine.for_config(config, drafts=drafts, reporter=reporter,
                                       executor=executor)
            try:
                engine.load(seen.scanned, seen.saved)
                return engine.publish(search=search, looked=seen.looked)
            finally:
                engine.close()
                if exiting:  # kept, and out of the collector's sight once it resumes
                    _LEFT_FOR_EXIT.append(engine)
                    gc.freeze()
                # Freed now otherwise: once collections resume, the first would be a full
                # one, over every object the engine still held.
                del engine


_LEFT_FOR_EXIT: list = []  # engines of builds in a process that exits after them


@contextmanager
def no_collections():
    """What a build allocates in this process lives until it ends (the state, the site, the
    plan), so the garbage collector's passes over it free nothing: two passes over the young
    objects of a one-article build cost 0.1 s. It is off while the build runs here; worker
    processes collect, rarely (``parallel.py``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _nothing(config: Config, drafts: bool, reporter: Reporter) -> PublishResult:
    saved, _ = StateStore(cache_folder(config) / "cache.sqlite").peek(state_key(config, drafts))
    articles, files = saved.counts
    reporter.say(f"  {config.paths.output.name}/ holds the site already "
                 f"({plural(articles, 'article')}, {plural(files, 'file')})")
    return PublishResult(articles, files, 0, WriteStats(0, files, 0), dict(reporter.timings))

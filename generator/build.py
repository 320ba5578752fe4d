"""The build, as a table of contents: each stage is one step of the engine, timed and counted.

    scan    the saved state, and the inputs changed since (a stat walk)
    read    read and link the articles that changed (or could name a changed entity)
    index   assemble the site's indexes, plan every output file with its fingerprint
    render  render the files whose fingerprint changed, beside the output folder
    write   remove what disappeared; the output folder switches at the end
    search  index the search shards whose articles changed

A first build is the same steps with every input new (and worker processes to share them).
"""

from __future__ import annotations

from .config import Config
from .engine import Engine
from .parallel import Executor
from .publish import PublishResult
from .report import Reporter


def build(config: Config, *, drafts: bool = False, search: bool = True,
          reporter: Reporter | None = None, executor: Executor | None = None) -> PublishResult:
    """Build the site described by ``config`` into ``config.paths.output``.

    ``search=False`` skips the Pagefind stage (the previous index, if any, stays as it was).
    """
    reporter = reporter or Reporter()
    reporter.say(f"building {config.paths.content} → {config.paths.output}")
    engine = Engine.for_config(config, drafts=drafts, reporter=reporter, executor=executor)
    engine.load()
    return engine.publish(search=search)

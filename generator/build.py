"""The build, as a table of contents: each stage is one call, timed and counted."""

from __future__ import annotations

from dataclasses import dataclass

from . import pages as page_types
from .assets import collect_assets
from .config import Config
from .content import read_content
from .entities.registry import load_registry
from .entities.stage import link_entities
from .output import WriteStats, write_output
from .report import Reporter, plural
from .search import index_site
from .site import assemble
from .templates import make_environment, render_page
from .urls import output_file


@dataclass(frozen=True)
class BuildResult:
    articles: int
    pages: int
    files: int
    stats: WriteStats
    timings: dict[str, float]


def build(config: Config, *, drafts: bool = False, search: bool = True,
          reporter: Reporter | None = None) -> BuildResult:
    """Build the site described by ``config`` into ``config.paths.output``.

    ``search=False`` skips the Pagefind stage (the previous index, if any, stays as it was).
    """
    reporter = reporter or Reporter()
    reporter.say(f"building {config.paths.content} → {config.paths.output}")

    with reporter.stage("read") as line:
        content = read_content(config, drafts=drafts, progress=lambda files: reporter.progress(
            files, len(files), "read"))
        skipped = content.drafts_skipped
        line.note(f"{plural(len(content.articles), 'article')}, "
                  f"{plural(len(content.pages), 'page')}"
                  + (f", {plural(skipped, 'draft')} skipped" if skipped else ""))

    with reporter.stage("entities") as line:
        registry = load_registry(config)
        content, cached = link_entities(content, registry, config, progress=lambda items:
                                        reporter.progress(items, len(content.articles), "entities"))
        mentions = sum(m.count for a in content.articles for m in a.mentions)
        line.note(f"{plural(len(registry.live()), 'entity', 'entities')}, "
                  f"{plural(mentions, 'mention')}, {cached:,} cached")

    with reporter.stage("index") as line:
        site = assemble(config, content, registry)
        line.note(f"{plural(len(site.by_category), 'category', 'categories')}, "
                  f"{plural(len(site.by_month), 'month')}")

    with reporter.stage("render") as line:
        assets = collect_assets(config.paths.static)
        env = make_environment(config, assets)
        jobs = page_types.plan_pages(site)
        files: dict[str, bytes] = dict(assets.files)
        for job in reporter.progress(jobs, len(jobs), "render"):
            files[output_file(job.url)] = render_page(env, job)
        line.note(f"{plural(len(jobs), 'page')}, {plural(len(assets.files), 'asset')}")

    with reporter.stage("write") as line:
        stats = write_output(config.paths.output, files, config.paths.cache)
        line.note(f"{stats.written:,} written, {stats.unchanged:,} unchanged, "
                  f"{stats.removed:,} removed")

    if config.search and search and site.articles:
        with reporter.stage("search") as line:
            counts = index_site(config.paths.output, config.paths.cache)
            line.note(f"{plural(counts.get('page', 0), 'page')}, "
                      f"{plural(counts.get('word', 0), 'word')}, "
                      f"{counts['written']:,} files written")

    return BuildResult(len(site.articles), len(jobs), len(files), stats, dict(reporter.timings))

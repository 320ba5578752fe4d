"""Assembling the :class:`Site`: sorting articles and precomputing every index.

Templates receive slices of these indexes; nothing downstream walks the whole
archive again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from .config import Config
from .entities.index import EntityIndex, EntityStats, Related, articles_by_entity, entity_stats
from .entities.registry import Registry
from .frozen import FrozenDict
from .model import Entry, Page, Site


def assemble(config: Config, articles: Iterable[Entry], pages: Iterable[Page],
             registry: Registry, *, stats: Mapping[str, EntityStats] | None = None,
             related: Mapping[str, tuple[str, ...]] | None = None) -> Site:
    """The site of ``articles`` and ``pages``. ``stats`` and ``related`` are entity statistics
    and related-article lists from an earlier build that are still valid (see
    ``entities/index.py``); the rest is computed here or, for related articles, on demand."""
    ordered = tuple(sorted(articles, key=lambda a: a.sort_key))
    by_category: dict[str, list[Entry]] = defaultdict(list)
    by_year: dict[int, list[Entry]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[Entry]] = defaultdict(list)
    for article in ordered:
        for key in article.categories:
            by_category[key].append(article)
        by_year[article.day.year].append(article)
        by_month[(article.day.year, article.day.month)].append(article)
    positions = FrozenDict({article.url: index for index, article in enumerate(ordered)})

    by_entity = articles_by_entity(ordered)
    known = stats or {}
    all_stats = {entity: known.get(entity) or entity_stats(entity, items)
                 for entity, items in by_entity.items()}
    return Site(
        config=config,
        articles=ordered,
        positions=positions,
        pages=tuple(sorted(pages, key=lambda p: p.slug)),
        by_category=_freeze(by_category, key=lambda k: (config.category_label(k), k)),
        by_year=_freeze(by_year, key=lambda year: -year),
        by_month=_freeze(by_month, key=lambda ym: (-ym[0], -ym[1])),
        registry=registry,
        entities=EntityIndex(by_entity, FrozenDict(all_stats),
                             Related(ordered, positions, by_entity, related)),
    )


def _freeze(groups: dict, key) -> FrozenDict:
    return FrozenDict({k: tuple(groups[k]) for k in sorted(groups, key=key)})

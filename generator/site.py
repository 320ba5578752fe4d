"""Assembling the :class:`Site`: sorting articles and precomputing every index.

Templates receive slices of these indexes; nothing downstream walks the whole
archive again.
"""

from __future__ import annotations

from collections import defaultdict
from types import MappingProxyType

from .config import Config
from .entities.index import build_index
from .entities.registry import Registry
from .model import Article, Content, Site


def assemble(config: Config, content: Content, registry: Registry) -> Site:
    articles = tuple(sorted(content.articles, key=lambda a: a.sort_key))
    by_category: dict[str, list[Article]] = defaultdict(list)
    by_year: dict[int, list[Article]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in articles:
        for key in article.categories:
            by_category[key].append(article)
        by_year[article.day.year].append(article)
        by_month[(article.day.year, article.day.month)].append(article)

    neighbours = {}
    for index, article in enumerate(articles):
        older = articles[index + 1] if index + 1 < len(articles) else None
        newer = articles[index - 1] if index > 0 else None
        neighbours[article.url] = (older, newer)

    return Site(
        config=config,
        articles=articles,
        pages=tuple(sorted(content.pages, key=lambda p: p.slug)),
        by_category=_freeze(by_category, key=lambda k: (config.category_label(k), k)),
        by_year=_freeze(by_year, key=lambda year: -year),
        by_month=_freeze(by_month, key=lambda ym: (-ym[0], -ym[1])),
        neighbours=MappingProxyType(neighbours),
        registry=registry,
        entities=build_index(articles),
    )


def _freeze(groups: dict, key) -> MappingProxyType:
    return MappingProxyType({k: tuple(groups[k]) for k in sorted(groups, key=key)})

"""Assembling the :class:`Site`: sorting articles and precomputing every index.

Templates receive slices of these indexes; nothing downstream walks the whole
archive again. After an edit of a few articles, the dev server patches the previous
site's indexes (:func:`assemble` with ``previous``) instead of sorting and grouping the
whole archive again; both ways give the same site.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping

from .config import Config
from .entities.index import EntityIndex, EntityStats, Related, articles_by_entity, entity_stats
from .entities.registry import Registry
from .frozen import FrozenDict
from .model import Entry, Page, Site

PATCH_LIMIT = 64  # changed articles above which the indexes are computed afresh


def assemble(config: Config, articles: Iterable[Entry], pages: Iterable[Page],
             registry: Registry, *, stats: Mapping[str, EntityStats] | None = None,
             related: Mapping[str, tuple[str, ...]] | None = None,
             previous: Site | None = None,
             changes: Mapping[str, tuple[Entry | None, Entry | None]] | None = None) -> Site:
    """The site of ``articles`` and ``pages``. ``stats`` and ``related`` are entity statistics
    and related-article lists from an earlier build that are still valid (see
    ``entities/index.py``); the rest is computed here or, for related articles, on demand.
    ``previous`` and ``changes`` (url -> (entry before, entry after)) let the indexes be
    patched rather than built again."""
    if previous is not None and changes is not None and len(changes) <= PATCH_LIMIT \
            and previous.config == config:
        ordered, by_category, by_year, by_month, by_entity = _patched(previous, changes)
    else:
        ordered = tuple(sorted(articles, key=_sort_key))
        groups: tuple[dict, dict, dict] = (defaultdict(list), defaultdict(list),
                                           defaultdict(list))
        for article in ordered:
            for group, keys in zip(groups, _keys(article), strict=True):
                for key in keys:
                    group[key].append(article)
        by_category, by_year, by_month = (FrozenDict({k: tuple(v) for k, v in g.items()})
                                          for g in groups)
        by_entity = articles_by_entity(ordered)
    positions = FrozenDict({article.url: index for index, article in enumerate(ordered)})
    known = stats or {}
    all_stats = {entity: known.get(entity) or entity_stats(entity, items)
                 for entity, items in by_entity.items()}
    return Site(
        config=config,
        articles=ordered,
        positions=positions,
        pages=tuple(sorted(pages, key=lambda p: p.slug)),
        by_category=_order(by_category, key=lambda k: (config.category_label(k), k)),
        by_year=_order(by_year, key=lambda year: -year),
        by_month=_order(by_month, key=lambda ym: (-ym[0], -ym[1])),
        registry=registry,
        entities=EntityIndex(by_entity, FrozenDict(all_stats),
                             Related(ordered, positions, by_entity, related)),
    )


def _sort_key(article: Entry) -> tuple:
    return article.sort_key


def _keys(article: Entry) -> tuple[Iterable[Hashable], ...]:
    """The category, year and month groups an article belongs to."""
    day = article.day
    return article.categories, (day.year,), ((day.year, day.month),)


def _patched(previous: Site, changes: Mapping[str, tuple[Entry | None, Entry | None]]):
    """The previous site's order and groups with the changed articles taken out and put
    back where they now belong."""
    indexes = (dict(previous.by_category), dict(previous.by_year), dict(previous.by_month),
               dict(previous.entities.articles))
    ordered = list(previous.articles)
    olds = [old for old, _ in changes.values() if old is not None]
    news = [new for _, new in changes.values() if new is not None]
    for article in sorted(olds, key=_sort_key, reverse=True):
        _take(ordered, article)
    for article in news:
        insort(ordered, article, key=_sort_key)
    for index, keys_of in enumerate((lambda a: _keys(a)[0], lambda a: _keys(a)[1],
                                     lambda a: _keys(a)[2], lambda a: a.entity_ids)):
        group = indexes[index]
        touched: dict[Hashable, list[Entry]] = {}
        for article in olds:
            for key in keys_of(article):
                _take(touched.setdefault(key, list(group.get(key, ()))), article)
        for article in news:
            for key in keys_of(article):
                insort(touched.setdefault(key, list(group.get(key, ()))), article,
                       key=_sort_key)
        for key, items in touched.items():
            if items:
                group[key] = tuple(items)
            else:
                group.pop(key, None)
    return (tuple(ordered), *(FrozenDict(g) for g in indexes))


def _take(items: list[Entry], article: Entry) -> None:
    """Take ``article``'s entry out of ``items``, found by its URL: an article linked again
    with the same outcome is a new entry, the list may hold the one it replaced."""
    at = bisect_left(items, article.sort_key, key=_sort_key)
    if not (at < len(items) and items[at].url == article.url):  # (the sort key holds the url)
        at = next(i for i, item in enumerate(items) if item.url == article.url)
    del items[at]


def _order(groups: Mapping, key) -> FrozenDict:
    return FrozenDict({k: tuple(groups[k]) for k in sorted(groups, key=key)})

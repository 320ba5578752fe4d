"""Per-entity indexes, computed once per build: which articles mention each entity, how
often, which entities appear beside it, and which articles are related to each article."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ..model import Article

RELATED = 5  # related articles shown per article
COOCCURRING = 20  # co-occurring entities kept per entity
WINDOW = 200  # candidate related articles taken from one frequent entity


@dataclass(frozen=True)
class EntityIndex:
    articles: Mapping[str, tuple[Article, ...]]  # entity -> articles newest first
    mentions: Mapping[str, int]  # entity -> mentions across the archive
    cooccurring: Mapping[str, tuple[tuple[str, int], ...]]  # entity -> (other, shared articles)
    related: Mapping[str, tuple[Article, ...]]  # article url -> related articles, best first


EMPTY = EntityIndex(*(MappingProxyType({}),) * 4)


def build_index(articles: Sequence[Article]) -> EntityIndex:
    """``articles`` newest first; every mapping keeps that order."""
    by_entity: dict[str, list[Article]] = defaultdict(list)
    mentions: Counter[str] = Counter()
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        ids = article.entity_ids
        for entity in ids:
            by_entity[entity].append(article)
        for mention in article.mentions:
            mentions[mention.entity] += mention.count
        for entity in ids:
            pairs[entity].update(other for other in ids if other != entity)
    return EntityIndex(
        articles=MappingProxyType({k: tuple(v) for k, v in by_entity.items()}),
        mentions=MappingProxyType(dict(mentions)),
        cooccurring=MappingProxyType({
            k: tuple(sorted(c.items(), key=lambda item: (-item[1], item[0]))[:COOCCURRING])
            for k, c in pairs.items()}),
        related=MappingProxyType(_related(articles, by_entity)),
    )


def _related(articles: Sequence[Article],
             by_entity: Mapping[str, list[Article]]) -> dict[str, tuple[Article, ...]]:
    """Articles sharing the most (and the rarest) entities: the sum of the shared entities'
    inverse document frequencies; newer first among equals.

    An entity in more than ``WINDOW`` articles (a country, say) only proposes the ``WINDOW``
    articles nearest in time, which keeps the work linear in the archive's size.
    """
    total = len(articles)
    rank = {article.url: position for position, article in enumerate(articles)}
    weight = {entity: math.log(1 + total / len(items)) for entity, items in by_entity.items()}
    position = {entity: {a.url: i for i, a in enumerate(items)}
                for entity, items in by_entity.items() if len(items) > WINDOW}
    related = {}
    for article in articles:
        scores: Counter[str] = Counter()
        for entity in article.entity_ids:
            items = by_entity[entity]
            if entity in position:
                middle = position[entity][article.url]
                items = items[max(0, middle - WINDOW // 2): middle + WINDOW // 2 + 1]
            for other in items:
                if other.url != article.url:
                    scores[other.url] += weight[entity]
        best = sorted(scores, key=lambda url: (-scores[url], rank[url]))[:RELATED]
        related[article.url] = tuple(articles[rank[url]] for url in best)
    return related

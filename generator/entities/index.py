"""Per-entity indexes, computed once per build: which articles mention each entity, how
often, which entities appear beside it, and (on demand) which articles are related."""

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
    cooccurring: Cooccurring  # entity -> ((other, shared articles), ...), computed on demand
    related: RelatedArticles  # article -> related articles, best first (computed on demand)


def build_index(articles: Sequence[Article]) -> EntityIndex:
    """``articles`` newest first; every mapping keeps that order."""
    by_entity: dict[str, list[Article]] = defaultdict(list)
    mentions: Counter[str] = Counter()
    for article in articles:
        for entity in article.entity_ids:
            by_entity[entity].append(article)
        for mention in article.mentions:
            mentions[mention.entity] += mention.count
    frozen = {k: tuple(v) for k, v in by_entity.items()}
    return EntityIndex(
        articles=MappingProxyType(frozen),
        mentions=MappingProxyType(dict(mentions)),
        cooccurring=Cooccurring(frozen),
        related=RelatedArticles(articles, frozen),
    )


class Cooccurring:
    """The entities named in the same articles as an entity, by the number of articles they
    share (then by id), at most ``COOCCURRING``. Computed when an entity page asks."""

    def __init__(self, by_entity: Mapping[str, tuple[Article, ...]]):
        self._by_entity = by_entity
        self._memo: dict[str, tuple[tuple[str, int], ...]] = {}

    def __call__(self, entity: str) -> tuple[tuple[str, int], ...]:
        found = self._memo.get(entity)
        if found is None:
            counts: Counter[str] = Counter()
            for article in self._by_entity.get(entity, ()):
                counts.update(other for other in article.entity_ids if other != entity)
            ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            found = self._memo[entity] = tuple(ranked[:COOCCURRING])
        return found


class RelatedArticles:
    """Articles sharing the most (and the rarest) entities with an article: the sum of the
    shared entities' inverse document frequencies; newer first among equals.

    Computed when asked, so that the dev server pays only for the pages it renders. An entity
    in more than ``WINDOW`` articles (a country, say) only proposes the ``WINDOW`` articles
    nearest in time, which keeps a full build linear in the archive's size.
    """

    def __init__(self, articles: Sequence[Article], by_entity: Mapping[str, tuple[Article, ...]]):
        self._articles = articles
        self._by_entity = by_entity
        self._rank = {article.url: position for position, article in enumerate(articles)}
        total = len(articles)
        self._weight = {e: math.log(1 + total / len(items)) for e, items in by_entity.items()}
        self._position = {e: {a.url: i for i, a in enumerate(items)}
                          for e, items in by_entity.items() if len(items) > WINDOW}
        self._memo: dict[str, tuple[Article, ...]] = {}

    def __call__(self, article: Article) -> tuple[Article, ...]:
        found = self._memo.get(article.url)
        if found is None:
            found = self._memo[article.url] = self._compute(article)
        return found

    def _compute(self, article: Article) -> tuple[Article, ...]:
        scores: Counter[str] = Counter()
        for entity in article.entity_ids:
            items = self._by_entity.get(entity, ())
            if entity in self._position:
                middle = self._position[entity][article.url]
                items = items[max(0, middle - WINDOW // 2): middle + WINDOW // 2 + 1]
            for other in items:
                if other.url != article.url:
                    scores[other.url] += self._weight[entity]
        best = sorted(scores, key=lambda url: (-scores[url], self._rank[url]))[:RELATED]
        return tuple(self._articles[self._rank[url]] for url in best)

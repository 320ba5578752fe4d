"""Per-entity indexes: which articles name each entity, its statistics (mentions, co-occurring
entities, mentions per month), and the related articles of every article.

Statistics and related articles are the expensive parts, so they are kept between builds
(in the engine's saved state) and computed again only where a change can reach them:
:func:`stale_entities` and :func:`stale_related` say where.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from heapq import nsmallest
from itertools import accumulate, compress
from operator import attrgetter

from ..frozen import FrozenDict
from ..model import Entry

RELATED = 5  # related articles shown per article
COOCCURRING = 20  # co-occurring entities kept per entity
WINDOW = 200  # candidate related articles taken from one frequent entity
_REACH = WINDOW // 2 + 1  # how far (in one entity's list) a change moves a window


@dataclass(frozen=True)
class EntityStats:
    mentions: int  # across the archive
    cooccurring: tuple[tuple[str, int], ...]  # (other entity, shared articles), most first
    timeline: tuple[tuple[tuple[int, int], int], ...]  # ((year, month), mentions), in order


def entity_stats(entity: str, articles: Sequence[Entry]) -> EntityStats:
    """``articles``: those naming ``entity``, newest first. An article declared to be about
    the entity counts once in the timeline even without a mention."""
    mentions, per_month, others = 0, Counter(), Counter()
    for article in articles:
        count = article.mentions_of(entity)
        mentions += count
        day = article.day
        per_month[(day.year, day.month)] += max(1, count)
        others.update(article.entity_ids)  # (each once per article; itself taken out below)
    others.pop(entity, None)
    ranked = nsmallest(COOCCURRING, others.items(), key=lambda item: (-item[1], item[0]))
    return EntityStats(mentions, tuple(ranked), tuple(sorted(per_month.items())))


def articles_by_entity(articles: Iterable[Entry]) -> FrozenDict:
    """entity -> the articles naming it, in the order given (newest first)."""
    by_entity: dict[str, list[Entry]] = defaultdict(list)
    for article in articles:
        for entity in article.entity_ids:
            by_entity[entity].append(article)
    return FrozenDict({k: tuple(v) for k, v in by_entity.items()})


def weight(articles: int) -> float:
    """How much sharing an entity named in ``articles`` articles relates two articles: rarer
    entities count more. It changes only when the count crosses a power of two, so adding an
    article rarely changes the related articles of others."""
    return 1.0 / articles.bit_length()


class Related:
    """Related articles: those sharing the most (and the rarest) entities with an article,
    by the sum of the shared entities' :func:`weight`; newer first among equals. An entity in
    more than ``WINDOW`` articles only proposes the ``WINDOW`` nearest in its list.

    ``known`` holds lists kept from an earlier build that are still valid; the others are
    computed when asked and collected in ``computed``.
    """

    def __init__(self, articles: Sequence[Entry], positions: Mapping[str, int],
                 by_entity: Mapping[str, tuple[Entry, ...]],
                 known: Mapping[str, tuple[str, ...]] | None = None):
        self._articles = articles
        self._rank = positions
        self._by_entity = by_entity
        self._known = known or {}
        self._where: dict[str, dict[str, int]] = {}  # entity -> url -> position, when large
        self._urls: dict[str, tuple[str, ...]] = {}  # entity -> urls of its articles
        self.computed: dict[str, tuple[str, ...]] = {}

    def __call__(self, article: Entry) -> tuple[Entry, ...]:
        return tuple(self._articles[self._rank[url]] for url in self.urls(article))

    def urls(self, article: Entry) -> tuple[str, ...]:
        found = self._known.get(article.url)
        if found is None:
            found = self.computed.get(article.url)
        if found is None:
            found = self.computed[article.url] = self._compute(article)
        return found

    def _compute(self, article: Entry) -> tuple[str, ...]:
        scores: dict[str, float] = {}
        get = scores.get
        for entity in article.entity_ids:
            urls = self._urls.get(entity)
            if urls is None:
                urls = self._urls[entity] = tuple(a.url for a in self._by_entity.get(entity, ()))
            share = weight(len(urls))
            if len(urls) > WINDOW:
                middle = position(self._where, entity, self._by_entity[entity])[article.url]
                urls = urls[max(0, middle - WINDOW // 2): middle + WINDOW // 2 + 1]
            for url in urls:
                scores[url] = get(url, 0.0) + share
        scores.pop(article.url, None)
        return best(scores, self._rank, RELATED)

    def all_known(self) -> dict[str, tuple[str, ...]]:
        """Every list known now, for saving; only those of current articles."""
        merged = {**self._known, **self.computed}
        return {url: merged[url] for url in self._rank if url in merged}


def best(scores: Mapping[str, float], rank: Mapping[str, int], count: int) -> tuple[str, ...]:
    """The ``count`` urls of highest score, the lower rank first among equal scores.

    Scores take few distinct values (sums of a few weights), so the lowest score that makes
    the cut is found by counting them; only the urls above it are sorted, and only those at
    it are ranked (an article sharing one entity with 200 others ties with all of them)."""
    if len(scores) <= count:
        return tuple(sorted(scores, key=lambda url: (-scores[url], rank[url])))
    values, numbers = zip(*sorted(Counter(scores.values()).items(), reverse=True), strict=True)
    cut = values[next(i for i, taken in enumerate(accumulate(numbers)) if taken >= count)]
    above = sorted(compress(scores, map(cut.__lt__, scores.values())),
                   key=lambda url: (-scores[url], rank[url]))
    at = sorted(compress(scores, map(cut.__eq__, scores.values())), key=rank.__getitem__)
    return (*above, *at[:count - len(above)])


def position(memo: dict, entity: str, items: Sequence[Entry]) -> dict[str, int]:
    found = memo.get(entity)
    if found is None:
        found = memo[entity] = {a.url: i for i, a in enumerate(items)}
    return found


@dataclass(frozen=True)
class EntityIndex:
    articles: Mapping[str, tuple[Entry, ...]]  # entity -> articles newest first
    stats: Mapping[str, EntityStats]
    related: Related = field(compare=False)

    def mentions(self, entity: str) -> int:
        stats = self.stats.get(entity)
        return stats.mentions if stats else 0


def stale_entities(before: Mapping[str, Entry], after: Mapping[str, Entry],
                   changed: Iterable[str]) -> set[str]:
    """Entities whose statistics may differ once the articles ``changed`` (urls) went from
    ``before`` to ``after`` (either may lack a url: added or removed)."""
    stale: set[str] = set()
    for url in changed:
        for records in (before, after):
            if url in records:
                stale.update(records[url].entity_ids)
    return stale


def stale_related(before: Mapping[str, tuple[Entry, ...]],
                  after: Mapping[str, tuple[Entry, ...]],
                  moved: Mapping[str, set[str]]) -> set[str]:
    """Articles whose related list may differ: ``moved`` maps each article that was added,
    removed, dated anew or given other entities to those entities (before and after). Within
    one entity's list a change reaches the windows around it, or every article of the entity
    when the list is short or its weight changed."""
    stale = set(moved)
    memo_before: dict = {}
    memo_after: dict = {}
    for entity in set().union(*moved.values()) if moved else ():
        old, new = before.get(entity, ()), after.get(entity, ())
        if (weight(len(old)) if old else 0) != (weight(len(new)) if new else 0) \
                or min(len(old), len(new)) <= WINDOW + 1:
            stale.update(a.url for a in old)
            stale.update(a.url for a in new)
            continue
        for items, memo in ((old, memo_before), (new, memo_after)):
            where = position(memo, entity, items)
            for url, entities in moved.items():
                at = where.get(url)
                if at is not None and entity in entities:
                    stale.update(a.url for a in items[max(0, at - _REACH): at + _REACH + 1])
    return stale


class RelatedLists(Mapping[str, tuple[str, ...]]):
    """Related-article lists kept between builds (url -> related urls), as the state stores
    them: each joined by newlines, split when asked for. A build that changes one article
    uses a few of 27,000 (splitting them all took 0.1 s of loading the state)."""

    __slots__ = ("joined",)

    def __init__(self, joined: Mapping[str, str] | None = None):
        self.joined: Mapping[str, str] = joined if joined is not None else {}

    @classmethod
    def of(cls, lists: Mapping[str, Sequence[str]]) -> RelatedLists:
        return cls({url: "\n".join(urls) for url, urls in lists.items()})

    def __getitem__(self, url: str) -> tuple[str, ...]:
        text = self.joined[url]
        return tuple(text.split("\n")) if text else ()

    def __iter__(self):
        return iter(self.joined)

    def __len__(self) -> int:
        return len(self.joined)

    def __contains__(self, url: object) -> bool:
        return url in self.joined

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RelatedLists) and self.joined == other.joined

    def __repr__(self) -> str:
        return f"RelatedLists({len(self.joined)} lists)"

    def naming(self, urls: set[str]) -> set[str]:
        """The articles whose list names one of ``urls``. For a few urls, the lists' text is
        searched for each (8 ms a url at the whole corpus), and the lists found are split to
        be sure (a url may be part of another); for more, every list is split (25 ms)."""
        joined = self.joined
        if len(urls) > 3:
            return {url for url, text in joined.items() if not urls.isdisjoint(text.split("\n"))}
        found: set[str] = set()
        for wanted in urls:
            found.update([url for url, text in joined.items() if wanted in text])
        return {url for url in found if not urls.isdisjoint(joined[url].split("\n"))}

    def updated(self, lists: Mapping[str, Sequence[str]], keep: Mapping[str, object]
                ) -> RelatedLists:
        """These lists with ``lists`` added or replacing theirs, for the urls in ``keep``."""
        merged = {**self.joined, **RelatedLists.of(lists).joined}
        return RelatedLists({url: text for url, text in merged.items() if url in keep})

    def without(self, urls: set[str]) -> RelatedLists:
        return RelatedLists({url: text for url, text in self.joined.items() if url not in urls})


def still_related(related: RelatedLists, before: Mapping[str, Entry],
                  after: Mapping[str, Entry], touched: set[str]) -> RelatedLists:
    """The related-article lists that no change reaches."""
    moved = {}
    for url in touched:
        old, new = before.get(url), after.get(url)
        if old is None or new is None or old.date != new.date:  # added, removed, moved
            moved[url] = set(old.entity_ids if old else ()) | set(new.entity_ids if new else ())
        elif old.entity_ids != new.entity_ids:
            # Only the lists of entities it joined or left change around it: through an
            # entity it kept, its neighbours see it as before (and see its new entities
            # through those entities' lists).
            moved[url] = set(old.entity_ids) ^ set(new.entity_ids)
    if not moved:
        return related
    entities = set().union(*moved.values())
    stale = stale_related(articles_naming(before.values(), entities),
                          articles_naming(after.values(), entities), moved)
    return related.without(stale)


def articles_naming(articles: Iterable[Entry], entities: set[str]) -> dict[str, tuple[Entry, ...]]:
    """:func:`articles_by_entity` of ``articles`` for ``entities`` only (newest first): an
    entity edit moves a few entities in many articles, and ordering the whole archive twice
    for them took a second."""
    found: dict[str, list[Entry]] = defaultdict(list)
    for article in articles:
        ids = article.entity_ids
        if not entities.isdisjoint(ids):
            for entity in entities.intersection(ids):
                found[entity].append(article)
    return {entity: tuple(sorted(items, key=attrgetter("sort_key")))
            for entity, items in found.items()}

"""Which article pages a change can reach.

An article page shows (``pages.article_inputs``) the header of every page, the article's
entry, its older and newer neighbours, its related articles and the records of its
entities; its fingerprint is the digest of those. A change of some articles (``touched``:
their URLs, the entry's digest differs, or it was added or removed) reaches the page when
it reaches one of them. The pages it cannot reach keep the fingerprint the output folder
holds for them, so a build that changes one article of 27,000 fingerprints a few dozen
article pages, not all of them (see ``Snapshot.fingerprints``).

This is a shortcut, never a second rule: for each kind of change, and for random sequences
of them, the tests check that the pages outside the reach have exactly the fingerprint a
full pass computes (tests/test_engine.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .entities.index import RelatedLists
from .entities.registry import Registry
from .model import Entry, Site


def article_reach(site: Site, before: Mapping[str, Entry], after: Mapping[str, Entry],
                  touched: set[str], related: RelatedLists,
                  registry_before: Registry, registry_after: Registry) -> frozenset[str]:
    """The URLs of the article pages whose inputs may differ from those they had before the
    change. ``before`` and ``after``: the visible entries by URL; ``related``: the related
    lists carried over (the others are computed anew)."""
    reach = set(touched)
    reach |= _neighbours(site.articles, site.positions, touched)
    if any(_moved(before.get(url), after.get(url)) for url in touched):
        # The order changed: the neighbours the changed articles had are reached too.
        order = sorted(before.values(), key=lambda entry: entry.sort_key)
        reach |= _neighbours(order, {e.url: i for i, e in enumerate(order)}, touched)
    reach.update(url for url in after if url not in related)
    reach |= related.naming(touched)
    if registry_after is not registry_before:
        changed = changed_entities(registry_before, registry_after)
        if changed:
            reach.update(url for url, entry in after.items()
                         if not changed.isdisjoint(entry.entity_ids))
    return frozenset(url for url in reach if url in site.positions)


def changed_entities(before: Registry, after: Registry) -> set[str]:
    """The ids of the entities whose record differs (added and removed ones included)."""
    old, new = before.entities, after.entities
    return {id_ for id_ in old.keys() | new.keys()
            if repr(old.get(id_)) != repr(new.get(id_))}


def _moved(old: Entry | None, new: Entry | None) -> bool:
    return old is None or new is None or old.sort_key != new.sort_key


def _neighbours(order: Sequence[Entry], positions: Mapping[str, int],
                urls: Iterable[str]) -> set[str]:
    found = set()
    for url in urls:
        at = positions.get(url)
        if at is not None:
            found.update(order[i].url for i in (at - 1, at + 1) if 0 <= i < len(order))
    return found

"""Related articles: the fast selection gives exactly the lists the definition gives."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.entities.index import RELATED, WINDOW, Related, articles_by_entity, best, weight
from generator.model import Entry

START = datetime(2018, 1, 1)


def _archive(entities_per_article: list[list[int]]) -> tuple[Entry, ...]:
    """Articles newest first (the site's order), naming entities e0, e1…"""
    items = [Entry(f"articles/{i}/", f"d{i}", "t", "s", START - timedelta(hours=i), None, (),
                   None, (), tuple((f"e{e}", 1) for e in dict.fromkeys(ids)), False, False,
                   f"{i}.md") for i, ids in enumerate(entities_per_article)]
    return tuple(sorted(items, key=lambda e: e.sort_key))


def _defined(articles: tuple[Entry, ...], article: Entry) -> tuple[str, ...]:
    """The definition, computed plainly: the score of another article is the sum of the
    weights of the entities it shares, each entity proposing only the WINDOW articles nearest
    in its list; the highest scores win, the newer first among equals."""
    by_entity = articles_by_entity(articles)
    rank = {a.url: i for i, a in enumerate(articles)}
    scores: dict[str, float] = {}
    for entity in article.entity_ids:
        items = [a.url for a in by_entity[entity]]
        share = weight(len(items))
        if len(items) > WINDOW:
            middle = items.index(article.url)
            items = items[max(0, middle - WINDOW // 2): middle + WINDOW // 2 + 1]
        for url in items:
            scores[url] = scores.get(url, 0.0) + share
    scores.pop(article.url, None)
    return tuple(sorted(scores, key=lambda url: (-scores[url], rank[url]))[:RELATED])


def _related(articles: tuple[Entry, ...]) -> Related:
    return Related(articles, {a.url: i for i, a in enumerate(articles)},
                   articles_by_entity(articles))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.integers(0, 6), max_size=4), min_size=1, max_size=40))
def test_related_lists_are_the_defined_ones(entities_per_article):
    articles = _archive(entities_per_article)
    related = _related(articles)
    for article in articles:
        assert related.urls(article) == _defined(articles, article)


def test_related_in_a_large_archive_with_windows_and_ties():
    # 600 articles: e0 in all (windows of WINDOW around each), e1 in every third, e2 in every
    # seventh: many articles tie at the cut, and windows cut e0's list.
    articles = _archive([[0] + [1] * (i % 3 == 0) + [2] * (i % 7 == 0) for i in range(600)])
    related = _related(articles)
    for article in articles[::7]:
        assert related.urls(article) == _defined(articles, article)
    assert len(related.computed) == len(articles[::7])


def test_best_breaks_ties_by_rank_and_keeps_fewer_than_asked():
    rank = {u: i for i, u in enumerate("abcdefg")}
    assert best({"g": 1.0, "c": 0.5, "b": 0.5, "f": 0.5, "a": 0.25}, rank, 3) == ("g", "b", "c")
    assert best({"g": 0.5, "a": 0.5}, rank, 3) == ("a", "g")
    assert best({}, rank, 3) == ()
    assert best({"e": 2.0, "d": 1.0, "a": 1.0, "b": 1.0}, rank, 2) == ("e", "a")


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.integers(0, 60), st.lists(st.integers(0, 60), max_size=5, unique=True),
                       max_size=40),
       st.sets(st.integers(0, 60), max_size=30))
def test_kept_lists_come_back_as_made_and_tell_which_name_some_articles(lists, touched):
    """The lists a build keeps (joined, as the state stores them): each comes back as it was
    given, and ``naming`` finds exactly the lists that name a touched article, whether it
    searches the joined text (a few urls) or splits every list (many). Urls that contain one
    another (articles/1 in articles/11) are not taken for each other."""
    from generator.entities.index import RelatedLists

    url = "articles/{}".format  # (no closing slash: articles/1 is within articles/11)
    plain = {url(a): tuple(url(b) for b in items) for a, items in lists.items()}
    kept = RelatedLists.of(plain)
    assert dict(kept) == plain and len(kept) == len(plain)
    for urls in ({url(t) for t in touched}, {url(t) for t in list(touched)[:2]}):
        assert kept.naming(urls) == {a for a, items in plain.items() if not urls.isdisjoint(items)}
    within = RelatedLists.of({url(2): (url(11), url(12)), url(3): (url(1),)})
    assert within.naming({url(1)}) == {url(3)} and within.naming({url(11)}) == {url(2)}
    some = set(list(plain)[::2])
    assert dict(kept.without(some)) == {a: v for a, v in plain.items() if a not in some}
    new = {url(99): (url(1), url(2)), **({next(iter(plain)): ()} if plain else {})}
    assert dict(kept.updated(new, keep={**dict.fromkeys(plain), url(99): 0})) == {**plain, **new}

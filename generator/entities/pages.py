"""Entity pages: one page per entity (paginated), its feed and JSON, redirects for merged
entities, an index per type in Arabic alphabetical order, and an overall index."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from itertools import groupby

from camel_tools.utils.normalize import normalize_alef_ar, normalize_alef_maksura_ar

from .. import jsonld
from ..dates import Formatter, rfc3339
from ..jobs import PageJob, Pager, Resources, feed_job, paginate
from ..model import Entries, Entry, Mention, Site
from ..text import strip_marks
from ..urls import Urls, entity_index_url
from .index import EntityStats
from .registry import Entity
from .timeline import timeline_svg

TOP = 50  # entities on the overall index


def sort_key(name: str) -> str:
    """Arabic alphabetical order: hamza forms under ا, the article ال ignored."""
    key = normalize_alef_maksura_ar(normalize_alef_ar(strip_marks(name)))
    key = key.replace("ؤ", "و").replace("ئ", "ي").replace("ء", "ا").replace("ة", "ه").strip()
    if key.startswith("ال") and len(key) > 3:
        key = key[2:]
    return key.lower()


def initial(name: str) -> str:
    first = sort_key(name)[:1]
    return first if "\u0621" <= first <= "\u064a" else "#"


def entity_jobs(site: Site, chrome) -> Iterator[PageJob]:
    config, index, registry = site.config, site.entities, site.registry
    for entity in registry.live():
        articles = index.articles.get(entity.id, ())
        stats = index.stats.get(entity.id) or EMPTY_STATS
        cooccurring = tuple((registry.entities[other], n) for other, n in stats.cooccurring)
        ends = (articles[-1], articles[0]) if articles else (None, None)
        for pager in paginate(articles, config.pagination.entity, entity.url):
            # Page 1 tells about the entity; the next pages only go on with its articles, so
            # that a change of its statistics rewrites one page.
            about = (stats, cooccurring, ends) if pager.number == 1 else (None, (), (None, None))
            yield PageJob(pager.url, "entity.html", entity_context,
                          (chrome, entity, len(articles), *about, pager))
        yield feed_job(f"{entity.url}feed.xml", entity.url, entity.name, articles,
                       config.pagination.feed)
        yield PageJob(f"{entity.url}index.json", None, entity_json,
                      (entity, stats.mentions, cooccurring, Entries(articles)), in_sitemap=False)
    for entity in registry.entities.values():
        if entity.merged_into is not None:
            target = registry.resolve(entity.id)
            yield PageJob(entity.url, "redirect.html", _simple,
                          (("chrome", chrome), ("entity", entity), ("target", target)),
                          in_sitemap=False)
    yield from _indexes(site, chrome)


EMPTY_STATS = EntityStats(0, (), ())


def entity_context(res: Resources, chrome, entity: Entity, article_count: int,
                   stats: EntityStats | None, cooccurring: tuple, ends: tuple,
                   pager: Pager) -> dict:
    config = res.config
    timeline = _timeline(stats, article_count, res.formatter, config.direction == "rtl") \
        if stats else ""
    return {
        "chrome": chrome, "entity": entity, "type_label": config.entities.types[entity.type],
        "other_names": tuple(n for n in entity.names if n != entity.name),
        "mention_count": stats.mentions if stats else None,
        "article_count": article_count,
        "first": ends[0],
        "last": ends[1],
        "timeline": timeline,
        "cooccurring": cooccurring,
        "mentions": {a.url: _mention_of(mentions, entity.id)
                     for a, mentions in zip(pager.items, res.mentions(pager.items),
                                            strict=True)},
        "feed_url": f"{entity.url}feed.xml",
        "jsonld": jsonld.entity_page(entity, Urls(config)),
        "pager": pager,
    }


def _simple(res: Resources, *items) -> dict:
    return dict(items)


def _mention_of(mentions: tuple[Mention, ...], entity_id: str) -> Mention | None:
    return next((m for m in mentions if m.entity == entity_id), None)


def _timeline(stats: EntityStats, article_count: int, fmt: Formatter, rtl: bool) -> str:
    counts = Counter(dict(stats.timeline))
    mentions = fmt.count(sum(counts.values()), "mention")
    summary = f"{mentions} في {fmt.count(article_count, 'article')}"
    return timeline_svg(counts, fmt.month, fmt.digits, rtl=rtl, summary=summary)


def entity_json(res: Resources, entity: Entity, mentions: int, cooccurring: tuple,
                articles: tuple[Entry, ...]) -> bytes:
    links = Urls(res.config)
    rows = [(a.title, a.url, a.date, a.mentions_of(entity.id)) for a in articles]
    data = {
        "id": entity.id, "type": entity.type, "name": entity.name,
        "names": list(entity.names), "name_en": entity.name_en,
        "wikidata": entity.wikidata, "url": links.absolute(entity.url),
        "found_automatically": entity.found,
        "mentions": mentions, "article_count": len(rows),
        "first_mention": rfc3339(rows[-1][2]) if rows else None,
        "last_mention": rfc3339(rows[0][2]) if rows else None,
        "cooccurring": [{"id": other.id, "name": other.name, "articles": n}
                        for other, n in cooccurring],
        "articles": [{"title": title, "url": links.absolute(url), "date": rfc3339(date),
                      "mentions": count}
                     for title, url, date, count in rows],
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _indexes(site: Site, chrome) -> Iterator[PageJob]:
    labels, index = site.config.entities.types, site.entities
    live = site.registry.live()
    by_type = {kind: sorted((e for e in live if e.type == kind),
                            key=lambda e: (sort_key(e.name), e.id)) for kind in labels}
    for kind, entities in by_type.items():
        counted = tuple((e, index.mentions(e.id)) for e in entities)
        yield PageJob(entity_index_url(kind), "entity_index.html", _type_index,
                      (chrome, kind, labels[kind], counted))
    top = sorted(live, key=lambda e: (-index.mentions(e.id), sort_key(e.name)))[:TOP]
    yield PageJob(entity_index_url(), "entities.html", _simple, (
        ("chrome", chrome),
        ("top", tuple((e, labels[e.type], index.mentions(e.id)) for e in top)),
        ("types", tuple((labels[k], entity_index_url(k), len(v)) for k, v in by_type.items()))))


def _type_index(res: Resources, chrome, kind: str, label: str, counted: tuple) -> dict:
    # (letter, the id of its section: "#" is not allowed in a fragment, entities)
    letters = [(letter, f"letter-{'other' if letter == '#' else letter}",
                tuple(e for e, _ in group)) for letter, group in
               groupby(counted, key=lambda item: initial(item[0].name))]
    return {"chrome": chrome, "kind": kind, "label": label, "letters": letters,
            "mentions": {e.id: n for e, n in counted}, "total": len(counted)}

"""Entity pages: one page per entity (paginated), its feed and JSON, redirects for merged
entities, an index per type in Arabic alphabetical order, and an overall index."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from functools import cache, partial
from itertools import groupby

from camel_tools.utils.normalize import normalize_alef_ar, normalize_alef_maksura_ar

from .. import jsonld
from ..dates import Formatter, rfc3339
from ..jobs import PageJob, feed_job, paginate
from ..model import Article, Site
from ..text import strip_marks
from ..urls import Urls, entity_index_url, entity_url
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
    links = Urls(config)
    for entity in registry.live():
        articles = index.articles.get(entity.id, ())
        shared = cache(partial(entity_context, site, chrome, entity))  # one per entity
        for pager in paginate(articles, config.pagination.entity,
                              lambda n, e=entity: entity_url(e.id, n)):
            yield PageJob(pager.urls[pager.number - 1], "entity.html",
                          partial(_with_pager, shared, pager))
        yield feed_job(config, f"{entity.url}feed.xml", entity.url, entity.name, articles)
        yield PageJob(f"{entity.url}index.json", None, {}, in_sitemap=False,
                      data=partial(_entity_json, site, entity, articles, links))
    for entity in registry.entities.values():
        if entity.merged_into is not None:
            target = registry.resolve(entity.id)
            yield PageJob(entity.url, "redirect.html",
                          {"chrome": chrome, "entity": entity, "target": target},
                          in_sitemap=False)
    yield from _indexes(site, chrome)


def entity_context(site: Site, chrome, entity: Entity) -> dict:
    """What every page of an entity shows; the pager is added per page."""
    config, index, registry = site.config, site.entities, site.registry
    articles = index.articles.get(entity.id, ())
    return {
        "chrome": chrome, "entity": entity, "type_label": config.entities.types[entity.type],
        "other_names": tuple(n for n in registry.all_names.get(entity.id, ()) if n != entity.name),
        "mention_count": index.mentions.get(entity.id, 0),
        "article_count": len(articles),
        "first": articles[-1] if articles else None,
        "last": articles[0] if articles else None,
        "timeline": _timeline(articles, entity.id, Formatter(config), config.direction == "rtl"),
        "cooccurring": tuple((registry.entities[other], n)
                             for other, n in index.cooccurring(entity.id)),
        "mentions": {a.url: _mention_of(a, entity.id) for a in articles},
        "feed_url": f"{entity.url}feed.xml",
        "jsonld": jsonld.entity_page(entity, Urls(config)),
    }


def _with_pager(shared, pager) -> dict:
    return {**shared(), "pager": pager}


def _mention_of(article: Article, entity_id: str):
    return next((m for m in article.mentions if m.entity == entity_id), None)


def _count_in(article: Article, entity_id: str) -> int:
    mention = _mention_of(article, entity_id)
    return mention.count if mention else 0


def _timeline(articles, entity_id: str, fmt: Formatter, rtl: bool) -> str:
    counts: Counter = Counter()
    for article in articles:
        # An article declared to be about the entity counts once even without a mention.
        counts[(article.day.year, article.day.month)] += max(1, _count_in(article, entity_id))
    total = sum(counts.values())
    summary = f"{fmt.count(total, 'mention')} في {fmt.count(len(articles), 'article')}"
    return timeline_svg(counts, fmt.month, fmt.digits, rtl=rtl, summary=summary)


def _entity_json(site: Site, entity: Entity, articles, links: Urls) -> bytes:
    index = site.entities
    data = {
        "id": entity.id, "type": entity.type, "name": entity.name,
        "names": list(site.registry.all_names.get(entity.id, ())), "name_en": entity.name_en,
        "wikidata": entity.wikidata, "url": links.absolute(entity.url),
        "mentions": index.mentions.get(entity.id, 0), "article_count": len(articles),
        "first_mention": rfc3339(articles[-1].date) if articles else None,
        "last_mention": rfc3339(articles[0].date) if articles else None,
        "cooccurring": [{"id": other, "name": site.registry.entities[other].name, "articles": n}
                        for other, n in index.cooccurring(entity.id)],
        "articles": [{"title": a.title, "url": links.absolute(a.url), "date": rfc3339(a.date),
                      "mentions": _count_in(a, entity.id)}
                     for a in articles],
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _indexes(site: Site, chrome) -> Iterator[PageJob]:
    labels, index = site.config.entities.types, site.entities
    live = site.registry.live()
    by_type = {kind: sorted((e for e in live if e.type == kind),
                            key=lambda e: (sort_key(e.name), e.id)) for kind in labels}
    for kind, entities in by_type.items():
        letters = [(letter, tuple(group)) for letter, group in
                   groupby(entities, key=lambda e: initial(e.name))]
        yield PageJob(entity_index_url(kind), "entity_index.html", {
            "chrome": chrome, "kind": kind, "label": labels[kind], "letters": letters,
            "mentions": index.mentions, "total": len(entities)})
    top = sorted(live, key=lambda e: (-index.mentions.get(e.id, 0), sort_key(e.name)))[:TOP]
    yield PageJob(entity_index_url(), "entities.html", {
        "chrome": chrome, "top": [(e, labels[e.type], index.mentions.get(e.id, 0)) for e in top],
        "types": [(labels[k], entity_index_url(k), len(v)) for k, v in by_type.items()]})

"""schema.org structured data (JSON-LD) for pages, built as plain dicts.

Templates print these with ``|tojson``, which escapes ``<``, ``>`` and ``&`` so
content can never close the ``<script>`` element.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .config import Config
from .dates import rfc3339
from .entities.registry import Entity
from .model import Article
from .urls import Urls

SCHEMA_TYPES = {"person": "Person", "organization": "Organization", "place": "Place"}


def thing(entity: Entity, links: Urls) -> dict[str, Any]:
    """An entity as schema.org: Person, Organization, Place (Thing for other types)."""
    data = {"@type": SCHEMA_TYPES.get(entity.type, "Thing"), "@id": links.absolute(entity.url),
            "name": entity.name, "url": links.absolute(entity.url),
            "sameAs": entity.wikidata_url}
    return {key: value for key, value in data.items() if value is not None}


def entity_page(entity: Entity, links: Urls) -> dict[str, Any]:
    data = {"@context": "https://schema.org", **thing(entity, links),
            "alternateName": list(entity.aliases) or None, "image": entity.image}
    return {key: value for key, value in data.items() if value is not None}


def news_article(article: Article, config: Config,
                 entities: Sequence[Entity]) -> dict[str, Any]:
    """``entities``: those the article mentions or is about."""
    links = Urls(config)
    by_id = {entity.id: entity for entity in entities}
    mentioned = [m.entity for m in article.mentions if m.entity not in article.about]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "datePublished": rfc3339(article.date),
        "dateModified": rfc3339(article.updated or article.date),
        "inLanguage": config.language,
        "url": links.absolute(article.url),
        "mainEntityOfPage": links.absolute(article.url),
        "author": {"@type": "Person", "name": article.author} if article.author else None,
        "publisher": ({"@type": "Organization", "name": config.source_label(article.publisher)}
                      if article.publisher else None),
        "isBasedOn": article.source_url,
        "articleSection": [config.category_label(k) for k in article.categories] or None,
        "keywords": list(article.tags) or None,
        "image": article.image,
        "about": [thing(by_id[e], links) for e in article.about] or None,
        "mentions": [thing(by_id[e], links) for e in mentioned] or None,
    }
    return {key: value for key, value in data.items() if value is not None}

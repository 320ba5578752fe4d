"""schema.org structured data (JSON-LD) for pages, built as plain dicts.

Templates print these with ``|tojson``, which escapes ``<``, ``>`` and ``&`` so
content can never close the ``<script>`` element.
"""

from __future__ import annotations

from typing import Any

from .config import Config
from .dates import rfc3339
from .model import Article
from .urls import Urls


def news_article(article: Article, config: Config) -> dict[str, Any]:
    links = Urls(config)
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
    }
    return {key: value for key, value in data.items() if value is not None}

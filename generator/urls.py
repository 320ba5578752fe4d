"""The URL scheme, in one place.

Site paths are relative ("articles/2019/03/<slug>/", "" for the home page) and
unencoded; :class:`Urls` turns them into links under the configured base path
(``/archive/...`` when deploying to a sub-path) or absolute URLs for feeds and
the sitemap. Every page is a folder with an ``index.html`` so any static host
serves it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from .config import Config

# A safe path segment: letters and digits of any script, "-" and "_", not starting with
# "-" or "_". Rules out "/", "..", spaces, dots and control characters.
_SEGMENT_RE = re.compile(r"^[^\W_](?:[\w-]*[^\W_])?$")

SEARCH_FOLDER = "pagefind"  # the search index (search_index.py)
RESERVED_ROOTS = frozenset({"articles", "archive", "categories", "page", "static", "search",
                            "entities", "feed.xml", "sitemap.xml", "robots.txt", "404.html",
                            SEARCH_FOLDER})


def is_safe_segment(value: str) -> bool:
    return bool(_SEGMENT_RE.match(value)) and len(value.encode("utf-8")) <= 200


def article_url(year: int, month: int, slug: str) -> str:
    return f"articles/{year:04d}/{month:02d}/{slug}/"


def page_url(slug: str) -> str:
    return f"{slug}/"


def home_url(number: int = 1) -> str:
    return paginated("", number)


def category_index_url() -> str:
    return "categories/"


def category_url(key: str, number: int = 1) -> str:
    return paginated(f"categories/{key}/", number)


def category_feed_url(key: str) -> str:
    return f"categories/{key}/feed.xml"


def archive_index_url() -> str:
    return "archive/"


def year_url(year: int, number: int = 1) -> str:
    return paginated(f"archive/{year:04d}/", number)


def month_url(year: int, month: int, number: int = 1) -> str:
    return paginated(f"archive/{year:04d}/{month:02d}/", number)


def entity_url(entity_id: str, number: int = 1) -> str:
    return paginated(f"entities/{entity_id}/", number)


def entity_index_url(kind: str | None = None) -> str:
    """The overall entity index, or the index of one type (``person``, ``place``...)."""
    return f"entities/{kind}/" if kind else "entities/"


def search_url() -> str:
    return "search/"


def paginated(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def output_file(url: str) -> str:
    """The file (relative to the output folder) that serves a site path."""
    return f"{url}index.html" if url == "" or url.endswith("/") else url


class Urls:
    """Links for one configured site: ``href`` for pages, ``absolute`` for feeds."""

    def __init__(self, config: Config):
        self.base_path = config.base_path
        self.base_url = config.base_url

    def href(self, url: str) -> str:
        return self.base_path + _quote(url)

    def absolute(self, url: str) -> str:
        base = self.base_url if "://" in self.base_url else self.base_path
        return base + _quote(url)


_quote = lru_cache(maxsize=65_536)(quote)  # the same links recur on thousands of pages

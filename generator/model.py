"""The data model: frozen records that flow between build stages.

Stages never mutate these; a stage that adds information (for example entity
annotations) returns new records with :func:`dataclasses.replace`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .config import Config

if TYPE_CHECKING:
    from .entities.index import EntityIndex
    from .entities.registry import Registry

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Mention:
    """How one article mentions one entity (found by the entity linker)."""

    entity: str  # entity id (after merges)
    count: int  # every mention, linked or not
    surface: str = ""  # the first mention as written, clitics included
    before: str = ""  # plain text just before the first mention, for keyword-in-context
    after: str = ""


@dataclass(frozen=True, eq=False)
class Article:
    """One news article, read from ``content/articles/**/<name>.md``."""

    source: Path  # the Markdown file
    slug: str
    url: str  # site path, e.g. "articles/2019/03/<slug>/" (no leading slash, not encoded)
    title: str
    date: datetime  # as written: aware when the front matter gave an offset
    body_html: str  # rendered and sanitised Markdown
    summary: str
    word_count: int
    text: str = ""  # the body as plain text, one line per paragraph (for search)
    author: str | None = None
    publisher: str | None = None  # the front matter's `source`: who published it
    source_url: str | None = None
    updated: datetime | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image: str | None = None
    draft: bool = False
    about: tuple[str, ...] = ()  # front matter `entities`: ids the article is about
    no_link: tuple[str, ...] = ()  # front matter `no_link`: ids never linked or counted here
    mentions: tuple[Mention, ...] = ()  # in order of first mention; set by the entity stage
    # Front matter fields the generator does not know, kept for templates.
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @property
    def entity_ids(self) -> tuple[str, ...]:
        """Entities the article mentions or is declared to be about, without repeats."""
        return tuple(dict.fromkeys([*self.about, *(m.entity for m in self.mentions)]))

    @property
    def day(self) -> date:
        """The calendar date of publication, in the article's own time zone."""
        return self.date.date()

    @property
    def sort_key(self) -> tuple:
        """Newest first, then by URL so equal timestamps keep a stable order."""
        return (-self.date.timestamp() if self.date.tzinfo else -_naive_ts(self.date), self.url)


def _naive_ts(moment: datetime) -> float:
    # Naive datetimes are treated as UTC so they sort among aware ones deterministically.
    return (moment - datetime(1970, 1, 1)).total_seconds()


@dataclass(frozen=True, eq=False)
class Page:
    """A standalone page such as «من نحن», read from ``content/pages/<name>.md``."""

    source: Path
    slug: str
    url: str
    title: str
    body_html: str
    summary: str
    draft: bool = False
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True)
class Content:
    """Everything read from the content folder, before any index is built."""

    articles: tuple[Article, ...]
    pages: tuple[Page, ...]
    drafts_skipped: int = 0


@dataclass(frozen=True)
class Site:
    """The whole archive with its precomputed indexes; templates never scan it."""

    config: Config
    articles: tuple[Article, ...]  # newest first
    pages: tuple[Page, ...]
    by_category: Mapping[str, tuple[Article, ...]]  # category key -> newest first
    by_year: Mapping[int, tuple[Article, ...]]
    by_month: Mapping[tuple[int, int], tuple[Article, ...]]
    neighbours: Mapping[str, tuple[Article | None, Article | None]]  # url -> (older, newer)
    registry: Registry
    entities: EntityIndex

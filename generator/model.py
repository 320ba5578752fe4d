"""The data model: frozen records that flow between build stages.

Stages never mutate these; a stage that adds information (for example entity
annotations) returns new records with :func:`dataclasses.replace`.

Every record that a page shows carries a ``digest`` of all its fields, and its ``repr`` is
its identity and digest (``Article(articles/2019/03/x/@3fa2…)``). A page's fingerprint is
the ``repr`` of its inputs (see ``jobs.py``), so a record that changes in any way changes the
fingerprint of every page that shows it, and nothing else does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .frozen import EMPTY

if TYPE_CHECKING:
    from .entities.index import EntityIndex
    from .entities.registry import Registry


def digest_of(*parts: Any) -> str:
    """A short, stable digest of values whose ``repr`` is deterministic (no sets)."""
    return digest_text(repr(parts))


def digest_text(*texts: str) -> str:
    """The digest of texts, one after the other (for large texts whose ``repr`` would cost
    more than their digest)."""
    digest = hashlib.blake2b(digest_size=12)
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass(frozen=True)
class Mention:
    """How one article mentions one entity (found by the entity linker)."""

    entity: str  # entity id (after merges)
    count: int  # every mention, linked or not
    surface: str = ""  # the first mention as written, clitics included
    before: str = ""  # plain text just before the first mention, for keyword-in-context
    after: str = ""


@dataclass(frozen=True)
class Body:
    """The rendered text of an article, kept apart from its record: listings, feeds' titles,
    indexes and the state saved between builds need only the record, and the body is loaded
    when a page shows it (see ``store.py``)."""

    html: str  # sanitised HTML, with entity links once linked
    text: str  # plain text, one line per block (for search and summaries)


@dataclass(frozen=True, eq=False, repr=False)
class Article:
    """One news article, read from ``content/articles/**/<name>.md``."""

    source: Path  # the Markdown file
    slug: str
    url: str  # site path, e.g. "articles/2019/03/<slug>/" (no leading slash, not encoded)
    title: str
    date: datetime  # as written: aware when the front matter gave an offset
    summary: str
    word_count: int
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
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    digest: str = ""  # of every field above and of the body (see with_digest)

    def __repr__(self) -> str:
        return f"Article@{self.digest}"

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


@dataclass(frozen=True, eq=False, repr=False, slots=True)
class Entry:
    """An article as the site's indexes and listings see it: what sorts, groups, counts and
    fingerprints it, and what a card in a list shows. The full :class:`Article` (and its
    body) is kept in the record store (``store.py``) under the same digest and loaded when a
    page shows more of it, so a build that changes one article loads entries, not records."""

    url: str
    digest: str  # the article's digest: the entry stands for exactly that record
    title: str
    summary: str
    date: datetime
    updated: datetime | None
    categories: tuple[str, ...]
    publisher: str | None
    about: tuple[str, ...]
    mentions: tuple[tuple[str, int], ...]  # (entity, mentions), in order of first mention
    draft: bool
    declares: bool  # the front matter names entities (`entities` or `no_link`)
    source: str  # the Markdown file, for messages

    @classmethod
    def of(cls, article: Article) -> Entry:
        return cls(article.url, article.digest, article.title, article.summary, article.date,
                   article.updated,
                   article.categories, article.publisher, article.about,
                   tuple((m.entity, m.count) for m in article.mentions), article.draft,
                   bool(article.about or article.no_link), str(article.source))

    def __repr__(self) -> str:  # the digest covers the url and everything else
        return f"Article@{self.digest}"

    def __reduce__(self):  # pickled by the tuple of its fields: the state loads fast
        return (Entry, (self.url, self.digest, self.title, self.summary, self.date,
                        self.updated, self.categories, self.publisher, self.about, self.mentions,
                        self.draft, self.declares, self.source))

    @property
    def entity_ids(self) -> tuple[str, ...]:
        mentioned = tuple([entity for entity, _ in self.mentions])  # one mention per entity
        return tuple(dict.fromkeys(self.about + mentioned)) if self.about else mentioned

    def mentions_of(self, entity: str) -> int:
        for other, count in self.mentions:
            if other == entity:
                return count
        return 0

    @property
    def day(self) -> date:
        return self.date.date()

    @property
    def sort_key(self) -> tuple:
        return (-self.date.timestamp() if self.date.tzinfo else -_naive_ts(self.date), self.url)

    @property
    def lastmod(self) -> datetime:
        return self.updated or self.date


class Entries(tuple):
    """Entries (or other records with a digest) as a page's inputs hold them: a listing's
    page, a feed, an entity's articles. Its ``repr`` (a part of the page's fingerprint) joins
    their digests in one pass rather than calling each one's ``repr``: the pages of a whole
    archive hold 320,000 entries, and their fingerprints take half the time."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Entries({','.join([record.digest for record in self])})"


def with_digest(record: Any, body: Body | None = None) -> Any:
    """``record`` with its ``digest`` set from all its other fields (and ``body``)."""
    values = tuple(getattr(record, f.name) for f in fields(record) if f.name != "digest")
    return replace(record, digest=digest_of(type(record).__name__, values, body))


def _naive_ts(moment: datetime) -> float:
    # Naive datetimes are treated as UTC so they sort among aware ones deterministically.
    return (moment - datetime(1970, 1, 1)).total_seconds()


@dataclass(frozen=True, eq=False, repr=False)
class Page:
    """A standalone page such as «من نحن», read from ``content/pages/<name>.md``."""

    source: Path
    slug: str
    url: str
    title: str
    body_html: str
    summary: str
    draft: bool = False
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    digest: str = ""

    def __repr__(self) -> str:
        return f"Page({self.url}@{self.digest})"


@dataclass(frozen=True)
class Site:
    """The whole archive with its precomputed indexes; templates never scan it. Articles
    appear as :class:`Entry` records; builders load the full records they show."""

    config: Config
    articles: tuple[Entry, ...]  # newest first
    positions: Mapping[str, int]  # article url -> index in ``articles``
    pages: tuple[Page, ...]
    by_category: Mapping[str, tuple[Entry, ...]]  # category key -> newest first
    by_year: Mapping[int, tuple[Entry, ...]]
    by_month: Mapping[tuple[int, int], tuple[Entry, ...]]
    registry: Registry
    entities: EntityIndex

    def neighbours(self, article: Entry) -> tuple[Entry | None, Entry | None]:
        """The next older and next newer article."""
        index = self.positions[article.url]
        older = self.articles[index + 1] if index + 1 < len(self.articles) else None
        return older, self.articles[index - 1] if index > 0 else None

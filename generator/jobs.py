"""What a page is before it is rendered: a URL, a template, a builder and its inputs.

A page's ``inputs`` are everything it shows: records (articles, entities, pages, each with a
digest in its ``repr``) and small values. Its builder turns them into the template's context,
using nothing else but :class:`Resources` (the config, and the bodies of the articles among
the inputs). So a page's bytes are a function of its template, the site's global settings and
``repr(inputs)``: that is its fingerprint (:func:`fingerprint`), and a page whose fingerprint
has not changed since the last build is not rendered again.

Also pagination, shared by every listing (home, categories, archives, entities).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from . import urls
from .config import Config
from .dates import Formatter
from .frozen import EMPTY
from .model import Article, Body, Entries, Entry, Mention, digest_of


@dataclass(frozen=True)
class Resources:
    """What builders may use besides their inputs: the config (part of every fingerprint),
    the full record and body of an article entry (the entry's digest covers them), the
    mentions alone of several entries (cheaper, for listings that quote them), and the static
    assets' bytes (their paths hold a hash of them)."""

    config: Config
    records: Callable[[Entry], tuple[Article, Body]]
    mentions: Callable[[Sequence[Entry]], list[tuple[Mention, ...]]]
    assets: Mapping[str, bytes] = field(default_factory=lambda: EMPTY)

    def body(self, entry: Entry | Article) -> Body:
        return self.records(entry)[1]

    @cached_property
    def formatter(self) -> Formatter:
        return Formatter(self.config)


@dataclass(frozen=True)
class PageJob:
    """One output file."""

    url: str  # site path; the output file is urls.output_file(url)
    template: str | None  # None: the builder returns the file's bytes (JSON, assets)
    build: Callable[..., Any]  # build(resources, *inputs) -> the template's context, or bytes
    inputs: tuple | Callable[[], tuple] = ()  # a function when costly (computed when needed)
    in_sitemap: bool = True
    dated: Entry | None = None  # the article whose date is the page's (for the sitemap)

    def arguments(self) -> tuple:
        return self.inputs() if callable(self.inputs) else self.inputs


def fingerprint(job: PageJob, site_digest: str, template_digest: str) -> str:
    """What the page's bytes depend on: the site's settings, the template (with everything it
    extends, includes or imports), the builder and the inputs."""
    return digest_of(site_digest, template_digest, job.build.__qualname__, job.url,
                     job.arguments())


def feed_job(self_url: str, page_url: str, title: str | None,
             articles: Sequence[Entry], size: int) -> PageJob:
    """An Atom feed of the newest ``articles`` of a listing (the site, a category, an entity)."""
    return PageJob(self_url, "atom.xml", feed_context,
                   (self_url, page_url, title, Entries(articles[:size])), in_sitemap=False)


def feed_context(res: Resources, self_url: str, page_url: str, title: str | None,
                 articles: tuple[Entry, ...]) -> dict:
    config = res.config
    records = [res.records(entry) for entry in articles]
    return {"site_title": config.title, "language": config.language,
            "title": f"{title} — {config.title}" if title else config.title,
            "self_url": self_url, "page_url": page_url,
            "entries": tuple((article, body.html) for article, body in records)}


@dataclass(frozen=True)
class Pager:
    """One page of a paginated listing whose first page is ``base``."""

    number: int
    count: int
    items: tuple
    base: str

    def url_of(self, number: int) -> str:
        return urls.paginated(self.base, number)

    @property
    def url(self) -> str:
        return self.url_of(self.number)

    @property
    def previous_url(self) -> str | None:
        return self.url_of(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url_of(self.number + 1) if self.number < self.count else None

    def window(self, radius: int = 2) -> list[tuple[int, str] | None]:
        """Page links around the current one, with None where pages are skipped."""
        shown = {1, self.count, *range(self.number - radius, self.number + radius + 1)}
        out: list[tuple[int, str] | None] = []
        for number in sorted(n for n in shown if 1 <= n <= self.count):
            if out and out[-1] is not None and number - out[-1][0] > 1:
                out.append(None)
            out.append((number, self.url_of(number)))
        return out


def paginate(items: Sequence, size: int, base: str) -> Iterator[Pager]:
    count = max(1, -(-len(items) // size))
    for number in range(1, count + 1):
        yield Pager(number, count, Entries(items[(number - 1) * size: number * size]), base)


def context_of(job: PageJob, res: Resources) -> Mapping[str, Any] | bytes:
    return job.build(res, *job.arguments())

"""What a page is before it is rendered: a URL, a template and its own context.

Also pagination, shared by every listing (home, categories, archives, entities).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Config


@dataclass(frozen=True)
class PageJob:
    """One output file. Expensive contexts and data are given as functions, called only when
    the page is rendered: a full build renders every page, the dev server only those it serves.
    """

    url: str  # site path; the output file is urls.output_file(url)
    template: str | None
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]]
    in_sitemap: bool = True
    lastmod: Any = None  # datetime for the sitemap, when the page has one
    data: bytes | Callable[[], bytes] | None = None  # written as is instead of a template (JSON)

    def make_context(self) -> Mapping[str, Any]:
        return self.context() if callable(self.context) else self.context

    def make_data(self) -> bytes | None:
        return self.data() if callable(self.data) else self.data


def feed_job(config: Config, self_url: str, page_url: str, title: str | None,
             articles: Sequence) -> PageJob:
    """An Atom feed of the newest ``articles`` of a listing (the site, a category, an entity)."""
    return PageJob(self_url, "atom.xml", {
        "site_title": config.title, "language": config.language,
        "title": f"{title} — {config.title}" if title else config.title,
        "self_url": self_url, "page_url": page_url,
        "articles": articles[:config.pagination.feed]}, in_sitemap=False)


@dataclass(frozen=True)
class Pager:
    """One page of a paginated listing."""

    number: int
    count: int
    items: tuple
    urls: tuple[str, ...]  # site path of every page, index 0 = page 1

    @property
    def previous_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.count else None

    def window(self, radius: int = 2) -> list[tuple[int, str] | None]:
        """Page links around the current one, with None where pages are skipped."""
        shown = {1, self.count, *range(self.number - radius, self.number + radius + 1)}
        out: list[tuple[int, str] | None] = []
        for number in sorted(n for n in shown if 1 <= n <= self.count):
            if out and out[-1] is not None and number - out[-1][0] > 1:
                out.append(None)
            out.append((number, self.urls[number - 1]))
        return out


def paginate(items: Sequence, size: int, url_of: Callable[[int], str]) -> Iterator[Pager]:
    count = max(1, -(-len(items) // size))
    page_urls = tuple(url_of(n) for n in range(1, count + 1))
    for number in range(1, count + 1):
        chunk = tuple(items[(number - 1) * size: number * size])
        yield Pager(number, count, chunk, page_urls)

"""Every page of the site as a :class:`PageJob`: a URL, a template and its own context.

Each page type has one function here; each builds a small, explicit context
from the site's precomputed indexes. To add a page type, add a function and
call it from :func:`plan_pages`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from . import jsonld, search, urls
from .dates import Formatter
from .entities.pages import entity_jobs
from .jobs import PageJob, feed_job, paginate
from .model import Article, Site


@dataclass(frozen=True)
class Chrome:
    """What the header and footer of every page show."""

    title: str
    description: str
    language: str
    direction: str
    search: bool  # show the search box
    categories: tuple[tuple[str, str], ...]  # (label, url), most articles first
    pages: tuple[tuple[str, str], ...]  # (title, url)


def plan_pages(site: Site) -> list[PageJob]:
    chrome = _chrome(site)
    jobs: list[PageJob] = []
    jobs += article_pages(site, chrome)
    jobs += standalone_pages(site, chrome)
    jobs += home_pages(site, chrome)
    jobs += category_pages(site, chrome)
    jobs += archive_pages(site, chrome)
    jobs += entity_jobs(site, chrome)
    jobs += search_page(site, chrome)
    jobs += feeds(site)
    jobs += [PageJob("404.html", "404.html", {"chrome": chrome}, in_sitemap=False)]
    jobs += sitemap(site, jobs)
    return jobs


def _chrome(site: Site) -> Chrome:
    config = site.config
    biggest = sorted(site.by_category, key=lambda k: (-len(site.by_category[k]), k))
    return Chrome(
        title=config.title,
        description=config.description,
        language=config.language,
        direction=config.direction,
        search=config.search,
        categories=tuple((config.category_label(k), urls.category_url(k)) for k in biggest),
        pages=tuple((page.title, page.url) for page in site.pages),
    )


def article_pages(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    for article in site.articles:
        yield PageJob(article.url, "article.html", partial(article_context, site, chrome, article),
                      lastmod=article.updated or article.date)


def article_context(site: Site, chrome: Chrome, article: Article) -> dict:
    older, newer = site.neighbours[article.url]
    searchable = site.config.search
    return {
        "chrome": chrome, "article": article, "older": older, "newer": newer,
        "entity_groups": entity_groups(site, article),
        "related": site.entities.related(article),
        "search_terms": search.search_terms(article, site.registry) if searchable else None,
        "search_filters": search.article_filters(article, site, Formatter(site.config).digits)
        if searchable else (),
        "jsonld": jsonld.news_article(article, site.config, site.registry),
    }


def entity_groups(site: Site, article: Article) -> tuple:
    """The "entities in this article" box: (type label, ((entity, mentions), ...)) by type."""
    counts = {m.entity: m.count for m in article.mentions}
    entities = [site.registry.entities[e] for e in article.entity_ids]
    return tuple(
        (label, tuple((e, counts.get(e.id, 0)) for e in entities if e.type == kind))
        for kind, label in site.config.entities.types.items()
        if any(e.type == kind for e in entities))


def search_page(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    if site.config.search:
        filters = search.filter_options(site, Formatter(site.config).digits)
        yield PageJob(urls.search_url(), "search.html",
                      {"chrome": chrome, "filters": filters, "numerals": site.config.numerals},
                      in_sitemap=False)


def standalone_pages(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    for page in site.pages:
        yield PageJob(page.url, "page.html", {"chrome": chrome, "page": page})


def _listing(chrome: Chrome, articles: Sequence[Article], size: int,
             url_of: Callable[[int], str], **context: Any) -> Iterator[PageJob]:
    for pager in paginate(articles, size, url_of):
        yield PageJob(pager.urls[pager.number - 1], "list.html",
                      {"chrome": chrome, "pager": pager, "total": len(articles), **context})


def home_pages(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    yield from _listing(chrome, site.articles, site.config.pagination.home, urls.home_url,
                        heading="أحدث الأخبار", kind="home", feed_url="feed.xml")


def category_pages(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    config = site.config
    index = tuple((config.category_label(k), urls.category_url(k), len(items))
                  for k, items in site.by_category.items())
    yield PageJob(urls.category_index_url(), "categories.html",
                  {"chrome": chrome, "categories": index})
    for key, articles in site.by_category.items():
        yield from _listing(chrome, articles, config.pagination.category,
                            lambda n, key=key: urls.category_url(key, n),
                            heading=config.category_label(key), kind="category",
                            feed_url=urls.category_feed_url(key))


def archive_pages(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    size = site.config.pagination.archive
    months_of: dict[int, list[tuple[int, str, int]]] = {}
    for (year, month), articles in site.by_month.items():
        months_of.setdefault(year, []).append((month, urls.month_url(year, month), len(articles)))
    years = tuple((year, urls.year_url(year), len(articles), tuple(months_of[year]))
                  for year, articles in site.by_year.items())
    yield PageJob(urls.archive_index_url(), "archive.html", {"chrome": chrome, "years": years})
    for year, articles in site.by_year.items():
        yield from _listing(chrome, articles, size, lambda n, y=year: urls.year_url(y, n),
                            heading=str(year), kind="year", year=year,
                            months=tuple(months_of[year]))
    for (year, month), articles in site.by_month.items():
        yield from _listing(chrome, articles, size,
                            lambda n, y=year, m=month: urls.month_url(y, m, n),
                            heading=None, kind="month", year=year, month=month)


def feeds(site: Site) -> Iterator[PageJob]:
    config = site.config
    yield feed_job(config, "feed.xml", urls.home_url(), None, site.articles)
    for key, articles in site.by_category.items():
        yield feed_job(config, urls.category_feed_url(key), urls.category_url(key),
                       config.category_label(key), articles)


SITEMAP_LIMIT = 50_000  # URLs per sitemap file, the protocol's maximum


def sitemap(site: Site, jobs: Sequence[PageJob]) -> Iterator[PageJob]:
    entries = tuple((job.url, job.lastmod) for job in jobs if job.in_sitemap)
    chunks = [entries[i:i + SITEMAP_LIMIT] for i in range(0, len(entries), SITEMAP_LIMIT)] or [()]
    if len(chunks) == 1:
        yield PageJob("sitemap.xml", "sitemap.xml", {"entries": chunks[0]}, in_sitemap=False)
    else:
        names = tuple(f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1))
        for name, chunk in zip(names, chunks, strict=True):
            yield PageJob(name, "sitemap.xml", {"entries": chunk}, in_sitemap=False)
        yield PageJob("sitemap.xml", "sitemap_index.xml", {"sitemaps": names}, in_sitemap=False)
    yield PageJob("robots.txt", "robots.txt", {}, in_sitemap=False)

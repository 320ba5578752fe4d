"""Every output file as a :class:`PageJob`: a URL, a template, a builder and its inputs.

Each page type has a planning function here (which picks the inputs from the site's
precomputed indexes) and a builder (which turns the inputs into the template's context). To
add a page type, add both and plan it from :class:`Plan` (a part of its own, or one that
matches the first segment of its URL: see ``Plan.part_of``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, partial

from . import jsonld, search, search_words, urls
from .assets import Assets
from .entities.pages import entity_jobs
from .entities.registry import Entity
from .jobs import PageJob, Resources, feed_job, paginate
from .model import Article, Entry, Page, Site, digest_text, with_digest
from .search_index import Shard, entity_shards, plan_shards
from .urls import output_file


@dataclass(frozen=True, repr=False)
class Chrome:
    """What the header and footer of every page show (in every page's inputs: its repr is
    its digest)."""

    title: str
    description: str
    language: str
    direction: str
    search: bool  # show the search box
    categories: tuple[tuple[str, str], ...]  # (label, url), most articles first
    pages: tuple[tuple[str, str], ...]  # (title, url)
    digest: str = ""

    def __repr__(self) -> str:
        return f"Chrome@{self.digest}"


class Plan(Mapping[str, PageJob]):
    """Every output file's job, by file. Planned part by part when first asked for: a build
    asks for all of them, the dev server for the few pages it shows (an article's page is
    planned alone). The parts, in the order a full plan lists them:"""

    PARTS = ("static", "articles", "pages", "home", "categories", "archive", "entities",
             "search", "feeds", "404", "sitemap")

    def __init__(self, site: Site, assets: Assets):
        self.site, self.assets = site, assets
        self.chrome = _chrome(site)
        self._parts: dict[str, dict[str, PageJob]] = {}
        self._whole: dict[str, PageJob] | None = None  # every part, once all are planned

    @cached_property
    def shards(self) -> tuple[Shard, ...]:
        """The search index's shards (the search page names them; a build indexes them)."""
        return plan_shards(self.site)

    def part(self, part: str) -> Mapping[str, PageJob]:
        """The jobs of one part (one of ``PARTS``), by file."""
        return self._plan(part)

    def _plan(self, part: str) -> dict[str, PageJob]:
        found = self._parts.get(part)
        if found is None:
            site, chrome = self.site, self.chrome
            jobs = {
                "static": lambda: asset_files(self.assets),
                "articles": lambda: article_pages(site, chrome),
                "pages": lambda: standalone_pages(site, chrome),
                "home": lambda: home_pages(site, chrome),
                "categories": lambda: category_pages(site, chrome),
                "archive": lambda: archive_pages(site, chrome),
                "entities": lambda: entity_jobs(site, chrome),
                "search": lambda: search_page(site, chrome, self.shards) if site.config.search
                else (),
                "feeds": lambda: feeds(site),
                "404": lambda: [PageJob("404.html", "404.html", simple_context,
                                        (("chrome", chrome),), in_sitemap=False)],
                "sitemap": lambda: sitemap([job for name in self.PARTS[:-1]
                                            for job in self._plan(name).values()]),
            }[part]()
            found = self._parts[part] = {output_file(job.url): job for job in jobs}
        return found

    @staticmethod
    def part_of(file: str) -> str:
        """The part that plans an output file (the URL scheme read backwards; a file found
        in no part is looked for in all, see ``get``)."""
        head = file.split("/", 1)[0]
        if head == "categories" and file.endswith("/feed.xml"):
            return "feeds"
        if head in ("static", "articles", "categories", "archive", "entities", "search"):
            return head
        return {"index.html": "home", "page": "home", "feed.xml": "feeds", "404.html": "404",
                "robots.txt": "sitemap"}.get(head, "sitemap" if head.startswith("sitemap")
                                             else "pages")

    def get(self, file: str, default=None) -> PageJob | None:
        part = self.part_of(file)
        if part == "articles" and part not in self._parts:  # one article, without the rest
            index = self.site.positions.get(file.removesuffix("index.html"))
            if index is not None:
                return article_job(self.site, self.chrome, self.site.articles[index])
        found = self._plan(part).get(file)
        if found is None and len(self._parts) < len(self.PARTS):
            found = self._all().get(file)
        return found if found is not None else default

    def __getitem__(self, file: str) -> PageJob:
        found = self.get(file)
        if found is None:
            raise KeyError(file)
        return found

    def __contains__(self, file: object) -> bool:
        return isinstance(file, str) and self.get(file) is not None

    def _all(self) -> dict[str, PageJob]:
        if self._whole is None:  # made once: a build iterates and counts the plan often
            self._whole = {file: job for name in self.PARTS
                           for file, job in self._plan(name).items()}
        return self._whole

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _chrome(site: Site) -> Chrome:
    config = site.config
    biggest = sorted(site.by_category, key=lambda k: (-len(site.by_category[k]), k))
    return with_digest(Chrome(
        title=config.title,
        description=config.description,
        language=config.language,
        direction=config.direction,
        search=config.search,
        categories=tuple((config.category_label(k), urls.category_url(k)) for k in biggest),
        pages=tuple((page.title, page.url) for page in site.pages),
    ))


def simple_context(res: Resources, *items: tuple[str, object]) -> dict:
    """A context given in full by the inputs, as (name, value) pairs."""
    return dict(items)


def asset_files(assets: Assets) -> Iterator[PageJob]:
    for path in assets.files:
        yield PageJob(path, None, asset_bytes, (path,), in_sitemap=False)


def asset_bytes(res: Resources, path: str) -> bytes:
    return res.assets[path]  # the path holds a hash of the bytes


def article_pages(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    for article in site.articles:
        yield article_job(site, chrome, article)


def article_job(site: Site, chrome: Chrome, article: Entry) -> PageJob:
    # The inputs are computed when needed; the builder loads the full record.
    return PageJob(article.url, "article.html", article_context,
                   partial(article_inputs, site, chrome, article), dated=article)


def article_inputs(site: Site, chrome: Chrome, article: Entry) -> tuple:
    older, newer = site.neighbours(article)
    entities = tuple(site.registry.entities[e] for e in article.entity_ids)
    return chrome, article, older, newer, site.entities.related(article), entities


def article_context(res: Resources, chrome: Chrome, entry: Entry, older: Entry | None,
                    newer: Entry | None, related: tuple[Entry, ...],
                    entities: tuple[Entity, ...]) -> dict:
    config = res.config
    article, body = res.records(entry)
    searchable = config.search
    return {
        "chrome": chrome, "article": article, "body_html": body.html,
        "older": older, "newer": newer, "related": related,
        "entity_groups": entity_groups(res, article, entities),
        "search_terms": search.search_terms(article, body, entities) if searchable else None,
        "search_filters": search.article_filters(article, entities, config,
                                                 res.formatter.digits) if searchable else (),
        "jsonld": jsonld.news_article(article, config, entities),
    }


def entity_groups(res: Resources, article: Article, entities: Sequence[Entity]) -> tuple:
    """The "entities in this article" box: (type label, ((entity, mentions), ...)) by type."""
    counts = {m.entity: m.count for m in article.mentions}
    return tuple(
        (label, tuple((e, counts.get(e.id, 0)) for e in entities if e.type == kind))
        for kind, label in res.config.entities.types.items()
        if any(e.type == kind for e in entities))


def search_page(site: Site, chrome: Chrome, plan: Sequence[Shard]) -> Iterator[PageJob]:
    """The search page, and the buckets of entity names it looks queries up in (a site with
    search off has neither)."""
    config = site.config
    filters = search.filter_options(site)
    yield PageJob(urls.search_url(), "search.html", simple_context, (
        ("chrome", chrome), ("filters", filters), ("numerals", config.numerals),
        ("shards", tuple(shard.name for shard in plan)), ("rules", search_words.rules())),
        in_sitemap=False)
    index = site.entities
    mentions = {entity: stats.mentions for entity, stats in index.stats.items()}
    buckets = search_words.name_entries(site.registry.live(), index.articles, mentions,
                                        config.entities.types, entity_shards(plan))
    for bucket, cards in sorted(buckets.items()):
        yield PageJob(f"{search_words.NAMES_URL}{bucket}{search_words.BUCKET_SUFFIX}", None,
                      search_words.names_json, (search_words.names_job_input(cards),),
                      in_sitemap=False)


def standalone_pages(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    for page in site.pages:
        yield PageJob(page.url, "page.html", page_context, (chrome, page))


def page_context(res: Resources, chrome: Chrome, page: Page) -> dict:
    return {"chrome": chrome, "page": page}


def listing(chrome: Chrome, articles: Sequence[Entry], size: int, base: str,
            **context: object) -> Iterator[PageJob]:
    """The pages of a paginated list of articles (home, category, year, month)."""
    extra = tuple(sorted(context.items()))
    for pager in paginate(articles, size, base):
        yield PageJob(pager.url, "list.html", simple_context, (
            ("chrome", chrome), ("pager", pager), ("total", len(articles)), *extra))


def home_pages(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    yield from listing(chrome, site.articles, site.config.pagination.home, urls.home_url(),
                       heading="أحدث الأخبار", kind="home", feed_url="feed.xml")


def category_pages(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    config = site.config
    index = tuple((config.category_label(k), urls.category_url(k), len(items))
                  for k, items in site.by_category.items())
    yield PageJob(urls.category_index_url(), "categories.html", simple_context,
                  (("chrome", chrome), ("categories", index)))
    for key, articles in site.by_category.items():
        yield from listing(chrome, articles, config.pagination.category, urls.category_url(key),
                           heading=config.category_label(key), kind="category",
                           feed_url=urls.category_feed_url(key))


def archive_pages(site: Site, chrome: Chrome) -> Iterator[PageJob]:
    size = site.config.pagination.archive
    months_of: dict[int, list[tuple[int, str, int]]] = {}
    for (year, month), articles in site.by_month.items():
        months_of.setdefault(year, []).append((month, urls.month_url(year, month), len(articles)))
    years = tuple((year, urls.year_url(year), len(articles), tuple(months_of[year]))
                  for year, articles in site.by_year.items())
    yield PageJob(urls.archive_index_url(), "archive.html", simple_context,
                  (("chrome", chrome), ("years", years)))
    for year, articles in site.by_year.items():
        yield from listing(chrome, articles, size, urls.year_url(year), heading=str(year),
                           kind="year", year=year, months=tuple(months_of[year]))
    for (year, month), articles in site.by_month.items():
        yield from listing(chrome, articles, size, urls.month_url(year, month), heading=None,
                           kind="month", year=year, month=month)


def feeds(site: Site) -> Iterator[PageJob]:
    config = site.config
    size = config.pagination.feed
    yield feed_job("feed.xml", urls.home_url(), None, site.articles, size)
    for key, articles in site.by_category.items():
        yield feed_job(urls.category_feed_url(key), urls.category_url(key),
                       config.category_label(key), articles, size)


SITEMAP_LIMIT = 50_000  # URLs per sitemap file, the protocol's maximum


def sitemap_context(res: Resources, entries: tuple) -> dict:
    return {"entries": entries}


class Dated(tuple):
    """A sitemap's (url, date or None) pairs. Its ``repr`` (in the page's fingerprint) is a
    digest of their text: the ``repr`` of 36,000 Arabic URLs took 0.1 s of a one-article
    build, and it is the same information."""

    __slots__ = ()

    def __repr__(self) -> str:
        dates = [moment.isoformat() if moment else "" for _, moment in self]
        digest = digest_text("\n".join([url for url, _ in self]), "\n".join(dates))
        return f"Dated@{len(self)}:{digest}"


def sitemap(jobs: Sequence[PageJob]) -> Iterator[PageJob]:
    # Each URL with its date (an article's), so that an article's edit that keeps its date
    # does not render 36,000 lines again.
    entries = Dated((job.url, job.dated.lastmod if job.dated else None)
                    for job in jobs if job.in_sitemap)
    chunks = [Dated(entries[i:i + SITEMAP_LIMIT])
              for i in range(0, len(entries), SITEMAP_LIMIT)] or [Dated()]
    if len(chunks) == 1:
        yield PageJob("sitemap.xml", "sitemap.xml", sitemap_context, (chunks[0],),
                      in_sitemap=False)
    else:
        names = tuple(f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1))
        for name, chunk in zip(names, chunks, strict=True):
            yield PageJob(name, "sitemap.xml", sitemap_context, (chunk,), in_sitemap=False)
        yield PageJob("sitemap.xml", "sitemap_index.xml", simple_context,
                      (("sitemaps", names),), in_sitemap=False)
    yield PageJob("robots.txt", "robots.txt", simple_context, (), in_sitemap=False)

"""Reading the content folder into :class:`Article` and :class:`Page` records.

Articles live anywhere under ``content/articles/`` (the importer files them by
``<YYYY>/<MM>/``), pages directly in ``content/pages/``. Each file is validated
field by field; every problem is a :class:`BuildError` at the offending line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from . import frontmatter, urls
from .errors import BuildError, decode_utf8, read_file
from .frozen import FrozenDict
from .markup import MarkdownRenderer, MarkupLimit
from .model import Article, Body, Page, with_digest
from .text import html_blocks, summarize, word_count

ARTICLE_FIELDS = frozenset({"title", "date", "updated", "slug", "summary", "author", "source",
                            "source_url", "category", "categories", "tags", "draft", "image",
                            "entities", "no_link"})
PAGE_FIELDS = frozenset({"title", "slug", "summary", "draft"})


def _load(path: Path, data: bytes | None) -> tuple[frontmatter.FrontMatter, str, int]:
    """The front matter, the body and the body's first line."""
    data = read_file(path) if data is None else data
    return frontmatter.split(decode_utf8(data, path), path)


def _render(renderer: MarkdownRenderer, body: str, path: Path,
            first_line: int) -> tuple[str, list[str] | None]:
    try:
        return renderer.render_blocks(body)
    except MarkupLimit as exc:
        raise BuildError(str(exc), path, first_line + exc.line - 1) from None


def _slug(meta: frontmatter.FrontMatter, path: Path) -> str:
    slug = meta.string("slug")
    if slug is None:
        slug = path.stem
        if not urls.is_safe_segment(slug):
            raise BuildError(f"the file name {path.stem!r} is not a safe URL segment; rename the "
                             "file or set `slug` (letters, digits, '-' and '_' only)", path, 1)
    elif not urls.is_safe_segment(slug):
        raise meta.error("slug", f"{slug!r} is not a safe URL segment (letters, digits, '-' "
                                 "and '_' only; no '/', '.', spaces)")
    return slug


def read_article(path: Path, renderer: MarkdownRenderer,
                 data: bytes | None = None) -> tuple[Article, Body]:
    """The article in ``path`` (whose bytes are ``data``, when already read) and its body."""
    meta, body, first_line = _load(path, data)
    title = meta.string("title", required=True)
    moment = meta.moment("date", required=True)
    slug = _slug(meta, path)
    categories = meta.strings("category") + meta.strings("categories")
    for key in categories:
        if not urls.is_safe_segment(key):
            raise meta.error("categories" if meta.has("categories") else "category",
                             f"{key!r} is not a usable category key (ASCII letters, digits, "
                             "'-' or '_'; give it an Arabic label in site.toml [categories])")
    source_url = meta.string("source_url")
    if source_url and urlsplit(source_url).scheme not in ("http", "https"):
        raise meta.error("source_url", f"expected an http(s) URL, got {source_url!r}")
    body_html, blocks = _render(renderer, body, path, first_line)
    if blocks is None:
        blocks = html_blocks(body_html)
    article = Article(
        source=path,
        slug=slug,
        url=urls.article_url(moment.year, moment.month, slug),
        title=title,
        date=moment,
        updated=meta.moment("updated"),
        summary=meta.string("summary") or summarize(blocks),
        word_count=word_count(blocks),
        author=meta.string("author"),
        publisher=meta.string("source"),
        source_url=source_url,
        categories=tuple(dict.fromkeys(categories)),
        tags=meta.strings("tags"),
        image=meta.string("image"),
        draft=meta.boolean("draft"),
        about=meta.strings("entities"),
        no_link=meta.strings("no_link"),
        extra=FrozenDict({k: v for k, v in meta.data.items() if k not in ARTICLE_FIELDS}),
    )
    return article, Body(body_html, "\n".join(blocks))


def read_page(path: Path, renderer: MarkdownRenderer, data: bytes | None = None) -> Page:
    meta, body, first_line = _load(path, data)
    title = meta.string("title", required=True)
    slug = _slug(meta, path)
    if slug in urls.RESERVED_ROOTS:
        raise BuildError(f"the page slug {slug!r} is reserved for the site's own pages; "
                         "choose another", path, meta.line_of("slug") or 1)
    body_html = _render(renderer, body, path, first_line)[0]
    return with_digest(Page(
        source=path, slug=slug, url=urls.page_url(slug), title=title, body_html=body_html,
        summary=meta.string("summary") or summarize(html_blocks(body_html)),
        draft=meta.boolean("draft"),
        extra=FrozenDict({k: v for k, v in meta.data.items() if k not in PAGE_FIELDS})))


def check_unique(items: Iterable[Article | Page]) -> None:
    """Every URL belongs to one file, also on hosts whose file names ignore letter case."""
    items = list(items)
    if len({item.url.casefold() for item in items}) == len(items):
        return  # (the usual case, told in one pass)
    seen: dict[str, tuple[str, Path]] = {}
    for item in items:
        url, other = seen.setdefault(item.url.casefold(), (item.url, item.source))
        if other == item.source:
            continue
        if url == item.url:
            raise BuildError(f"duplicate URL /{item.url}: {other} has the same slug and month; "
                             "set a different `slug` in one of them", item.source, 1)
        raise BuildError(f"the URL /{item.url} differs from /{url} ({other}) only in letter "
                         "case: a host that ignores case would serve one for both; set a "
                         "different `slug` in one of them", item.source, 1)

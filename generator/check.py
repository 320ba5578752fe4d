"""``python -m generator check`` (``make check``): build if needed, then prove the output.

Every problem is reported as ``page: element: problem`` and makes the command exit 1:

- links: every ``href``/``src`` of ``a``, ``link``, ``script``, ``img`` and ``source`` that
  points inside the site (under the base URL) resolves to a file of the output folder, and its
  ``#fragment`` to an ``id`` on that page;
- structure: every HTML page has ``<html lang dir>``, a non-empty ``<title>`` and one ``<h1>``
  (a redirect page: a title and a link);
- sitemap: it parses, lists only existing pages, and lists every page meant for search engines
  (all HTML pages but ``noindex`` ones and ``404.html``);
- feeds and JSON-LD: every Atom feed parses and links to existing pages; every
  ``application/ld+json`` script parses, and its URLs inside the site (``url``, ``@id``,
  ``mainEntityOfPage``, ``item``) are existing pages;
- HTML5 (the Nu HTML Checker) and accessibility (axe-core in Chromium, light and dark): see
  ``check_tools.py``.
"""

from __future__ import annotations

import json
import os
import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import Config
from .urls import output_file

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LINKING = {"a": ("href",), "link": ("href",), "script": ("src",), "img": ("src",),
           "source": ("src",)}
SHOWN = 50  # problems printed per kind (all are counted)


@dataclass
class Page:
    """What the checks need of one HTML page."""

    links: list[tuple[str, str]] = field(default_factory=list)  # (element, URL)
    ids: set[str] = field(default_factory=set)
    lang: str | None = None
    dir: str | None = None
    title: str = ""
    h1: int = 0
    noindex: bool = False
    redirect: bool = False
    jsonld: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in: str | None = None  # "title" or "jsonld" while inside one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        page = self.page
        if "id" in values:
            page.ids.add(values["id"])
        if tag == "a" and "name" in values:
            page.ids.add(values["name"])
        for attribute in LINKING.get(tag, ()):
            if attribute in values:
                page.links.append((f"<{tag} {attribute}=\"{values[attribute]}\">",
                                   values[attribute]))
        if tag == "html":
            page.lang, page.dir = values.get("lang"), values.get("dir")
        elif tag == "h1":
            page.h1 += 1
        elif tag == "title":
            self._in = "title"
        elif tag == "meta":
            if values.get("name") == "robots" and "noindex" in values.get("content", ""):
                page.noindex = True
            if values.get("http-equiv", "").lower() == "refresh":
                page.redirect = True
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in = "jsonld"
            page.jsonld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "script"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.page.title += data
        elif self._in == "jsonld":
            self.page.jsonld[-1] += data


def read_page(path: Path) -> Page:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader.page


@dataclass
class Report:
    problems: dict[str, list[str]] = field(default_factory=dict)  # kind -> "page: what"

    def add(self, kind: str, where: str, message: str) -> None:
        self.problems.setdefault(kind, []).append(f"{where}: {message}")

    @property
    def count(self) -> int:
        return sum(map(len, self.problems.values()))

    def lines(self) -> Iterator[str]:
        for kind, items in self.problems.items():
            yield f"{kind}: {len(items):,} problem{'s' if len(items) != 1 else ''}"
            for item in items[:SHOWN]:
                yield f"  {item}"
            if len(items) > SHOWN:
                yield f"  … and {len(items) - SHOWN:,} more"


class Site:
    """The output folder as a host serves it under the base URL."""

    def __init__(self, root: Path, base_url: str):
        self.root = root
        base = urlsplit(base_url)
        self.host = base.netloc
        self.base_path = base.path or "/"

    def pages(self) -> list[str]:
        """Every HTML file, relative to the output folder (the search index's excluded)."""
        found = []
        for folder, folders, files in os.walk(self.root):
            folders[:] = sorted(f for f in folders if f != "pagefind")
            relative = os.path.relpath(folder, self.root).replace(os.sep, "/")
            found += [f if relative == "." else f"{relative}/{f}"
                      for f in sorted(files) if f.endswith(".html")]
        return found

    def target(self, url: str, page: str) -> tuple[str, str] | None:
        """(file, fragment) a URL on ``page`` points to inside the site, or None if outside."""
        parts = urlsplit(url)
        if parts.scheme and (parts.scheme not in ("http", "https") or parts.netloc != self.host):
            return None  # another site, mailto:, data:…
        if not parts.scheme and parts.netloc:
            return None
        path = parts.path
        if not path:  # "#fragment" or "?query" on this page
            return page, parts.fragment
        if not path.startswith("/"):
            here = "/" + page.rsplit("/", 1)[0] + "/" if "/" in page else "/"
            path = posixpath.normpath(self.base_path + here.lstrip("/") + path) + \
                ("/" if path.endswith("/") else "")
        if not path.startswith(self.base_path):
            return ("", parts.fragment)  # under the host but outside the site: missing
        file = output_file(unquote(path[len(self.base_path):]))
        if (self.root / file).is_dir():
            file += "/index.html"
        return file, parts.fragment

    def missing(self, url: str, page: str) -> bool:
        """Whether a URL on ``page`` points inside the site to no file."""
        found = self.target(url, page)
        return found is not None and (not found[0] or not (self.root / found[0]).is_file())


def link_problems(site: Site, pages: dict[str, Page]) -> Iterator[tuple[str, str]]:
    """(page, problem) for each link, asset or anchor that resolves to nothing in the site."""
    for name, page in pages.items():
        for element, url in page.links:
            found = site.target(url, name)
            if found is None:
                continue
            file, fragment = found
            if not file or not (site.root / file).is_file():
                yield name, f"{element}: no such file in the site"
            elif fragment and file.endswith(".html") and fragment not in pages.get(
                    file, Page()).ids:
                yield name, f"{element}: no id=\"{fragment}\" on {file}"


def read_pages(site: Site) -> dict[str, Page]:
    return {name: read_page(site.root / name) for name in site.pages()}


def check_pages(site: Site, report: Report) -> dict[str, Page]:
    """Read every page; check its structure, JSON-LD, links and anchors."""
    pages = read_pages(site)
    for name, problem in link_problems(site, pages):
        report.add("links", name, problem)
    for name, page in pages.items():
        if not page.lang or page.dir not in ("rtl", "ltr"):
            report.add("structure", name, f"<html lang=\"{page.lang or ''}\" "
                                          f"dir=\"{page.dir or ''}\">: needs lang and dir")
        if not page.title.strip():
            report.add("structure", name, "<title>: missing or empty")
        if not page.redirect and page.h1 != 1:
            report.add("structure", name, f"<h1>: {page.h1} on the page, expected one")
        for text in page.jsonld:
            try:
                data = json.loads(text)
            except ValueError as exc:
                report.add("JSON-LD", name, f"<script type=\"application/ld+json\">: {exc}")
                continue
            for key, url in _urls(data):
                if site.missing(url, name):
                    report.add("JSON-LD", name, f"\"{key}\": \"{url}\": no such page")
    return pages


_URL_KEYS = ("url", "@id", "mainEntityOfPage", "item")


def _urls(data) -> Iterator[tuple[str, str]]:
    """(key, URL) for every URL-valued key of JSON-LD, at any depth."""
    if isinstance(data, list):
        for item in data:
            yield from _urls(item)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in _URL_KEYS and isinstance(value, str):
                yield key, value
            else:
                yield from _urls(value)


def check_sitemap(site: Site, pages: dict[str, Page], report: Report) -> None:
    listed: set[str] = set()
    queue = ["sitemap.xml"]
    while queue:
        name = queue.pop()
        try:
            tree = ET.parse(site.root / name)
        except (OSError, ET.ParseError) as exc:
            report.add("sitemap", name, f"cannot be read: {exc}")
            continue
        for loc in tree.iter(f"{SITEMAP}loc"):
            found = site.target((loc.text or "").strip(), name)
            file = found[0] if found else ""
            if not file or not (site.root / file).is_file():
                report.add("sitemap", name, f"<loc>{loc.text}</loc>: no such page")
            elif tree.getroot().tag == f"{SITEMAP}sitemapindex":
                queue.append(file)
            else:
                listed.add(file)
    for name, page in pages.items():
        if name not in listed and not page.noindex and not page.redirect \
                and name != "404.html":
            report.add("sitemap", name, "missing from the sitemap")


def check_feeds(site: Site, report: Report) -> None:
    for path in sorted(site.root.rglob("feed.xml")):
        name = path.relative_to(site.root).as_posix()
        try:
            tree = ET.parse(path)
        except ET.ParseError as exc:
            report.add("feeds", name, f"not valid XML: {exc}")
            continue
        for link in tree.iter(f"{ATOM}link"):
            if site.missing(link.get("href", ""), name):
                report.add("feeds", name, f"<link href=\"{link.get('href')}\">: no such file")


def check_site(config: Config, html: bool = True, accessibility: bool = True) -> Report:
    """Every check on the output folder of ``config``."""
    from . import check_tools

    site, report = Site(config.paths.output, config.base_url), Report()
    pages = check_pages(site, report)
    check_sitemap(site, pages, report)
    check_feeds(site, report)
    if html:
        check_tools.check_html(site, report)
    if accessibility:
        check_tools.check_accessibility(site, pages, report)
    return report

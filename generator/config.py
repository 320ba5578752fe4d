"""Typed, validated site configuration read from ``site.toml``.

The file is parsed once into frozen dataclasses; every later stage receives
them explicitly. Unknown keys and wrong types are errors naming the key and
its line, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from .errors import BuildError, decode_utf8, parse_toml, read_file
from .frozen import FrozenDict


@dataclass(frozen=True)
class Paths:
    """Folders the build reads and writes, absolute."""

    content: Path
    output: Path
    templates: Path
    static: Path
    cache: Path


@dataclass(frozen=True)
class Pagination:
    home: int = 20
    category: int = 20
    archive: int = 50
    entity: int = 20
    feed: int = 20


DEFAULT_ENTITY_TYPES = FrozenDict(
    {"person": "أشخاص", "organization": "مؤسسات", "place": "أماكن"})


@dataclass(frozen=True)
class EntitySettings:
    link: str = "first"  # "first": link the first mention per article; "all": every mention
    types: Mapping[str, str] = field(default_factory=lambda: DEFAULT_ENTITY_TYPES)  # key -> label
    # Names the tagger finds that the registry lacks: "link" (pages and links for those found
    # in at least discover_min articles), "suggest" (only `entities suggest` lists them), "off".
    discover: str = "link"
    discover_min: int = 5


@dataclass(frozen=True)
class Config:
    title: str
    base_url: str  # always ends with "/"
    paths: Paths
    description: str = ""
    language: str = "ar"
    direction: str = "rtl"
    locale: str = "ar"  # Babel locale: decides month names (ar: مارس, ar_SY: آذار)
    numerals: str = "arab"  # "arab" (٠١٢٣) or "latn" (0123) for dates, counts and page numbers
    hijri: bool = True
    pagination: Pagination = field(default_factory=Pagination)
    categories: Mapping[str, str] = field(default_factory=lambda: FrozenDict({}))
    sources: Mapping[str, str] = field(default_factory=lambda: FrozenDict({}))
    entities: EntitySettings = field(default_factory=EntitySettings)
    search: bool = True  # a Pagefind index, the search page and the search box in the header
    search_shard_size: int = 3000  # articles per search index shard (see search_index.py)
    path: Path | None = None  # the site.toml this came from

    @property
    def base_path(self) -> str:
        """The URL path the site is deployed under, e.g. ``/`` or ``/archive/``."""
        return urlsplit(self.base_url).path

    def category_label(self, key: str) -> str:
        return self.categories.get(key, key)

    def source_label(self, key: str) -> str:
        return self.sources.get(key, key)


_TOP_LEVEL = {
    "title": str, "description": str, "base_url": str, "language": str, "direction": str,
    "locale": str, "numerals": str, "hijri": bool, "search": bool, "search_shard_size": int,
    "paths": dict, "pagination": dict, "categories": dict, "sources": dict, "entities": dict,
}
_PATH_KEYS = ("content", "output", "templates", "static", "cache")
_PATH_DEFAULTS = {"content": "content", "output": "public", "templates": "templates",
                  "static": "static", "cache": ".cache"}
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class _Checker:
    """Validates values while remembering which line of the file defined each key."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, key: str, table: str | None = None) -> int | None:
        in_table = table is None
        for number, line in enumerate(self.lines, 1):
            stripped = line.strip()
            if stripped.startswith("["):
                in_table = stripped.strip("[] ") == table
                continue
            if in_table and re.match(rf'^\s*"?{re.escape(key)}"?\s*=', line):
                return number
        return None

    def fail(self, message: str, key: str, table: str | None = None) -> BuildError:
        name = f"{table}.{key}" if table else key
        return BuildError(f"{name}: {message}", self.path, self.line_of(key, table))

    def typed(self, data: dict, key: str, kind: type, table: str | None = None) -> Any:
        value = data[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(f"expected an integer, got {value!r}", key, table)
        if not isinstance(value, kind):
            raise self.fail(f"expected {kind.__name__}, got {type(value).__name__} {value!r}",
                            key, table)
        return value

    def table(self, data: dict, name: str, allowed: Mapping[str, type]) -> dict:
        values = {}
        for key in data:
            if key not in allowed:
                raise self.fail(f"unknown key (allowed: {', '.join(allowed)})", key, name)
            values[key] = self.typed(data, key, allowed[key], name)
        return values

    def labels(self, data: dict, name: str) -> Mapping[str, str]:
        for key in data:
            if not _KEY_RE.match(key):
                raise self.fail("keys must be ASCII letters, digits, '-' or '_'", key, name)
            self.typed(data, key, str, name)
        return FrozenDict(dict(data))


def load_config(path: Path, overrides: Mapping[str, Path] | None = None) -> Config:
    """Read and validate ``site.toml``; ``overrides`` replaces entries of ``[paths]``."""
    path = Path(path)
    if not path.exists():
        raise BuildError("config file not found", path)
    text = decode_utf8(read_file(path), path)
    data = parse_toml(text, path)
    return parse_config(data, path, text, overrides or {})


def parse_config(data: dict, path: Path, text: str, overrides: Mapping[str, Path]) -> Config:
    check = _Checker(path, text)
    for key in data:
        if key not in _TOP_LEVEL:
            raise check.fail(f"unknown key (allowed: {', '.join(_TOP_LEVEL)})", key)
        check.typed(data, key, _TOP_LEVEL[key])
    if "title" not in data or not data["title"].strip():
        raise BuildError("title: required, the site's name", path)

    base_url = _base_url(data.get("base_url", "/"), check)

    if data.get("direction", "rtl") not in ("rtl", "ltr"):
        raise check.fail("expected 'rtl' or 'ltr'", "direction")
    if data.get("numerals", "arab") not in ("arab", "latn"):
        raise check.fail("expected 'arab' (Arabic-Indic digits) or 'latn' (0-9)", "numerals")
    locale = data.get("locale", "ar")
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        raise check.fail(f"unknown locale {locale!r} (examples: 'ar', 'ar_EG', 'ar_SY')",
                         "locale") from None

    raw_paths = check.table(data.get("paths", {}), "paths", dict.fromkeys(_PATH_KEYS, str))
    root = path.parent.resolve()
    resolved = {key: (root / raw_paths.get(key, default)).resolve()
                for key, default in _PATH_DEFAULTS.items()}
    resolved.update({key: Path(value).resolve() for key, value in overrides.items()})

    _check_output(resolved, root, check)
    if data.get("search_shard_size", 1) < 1:
        raise check.fail("must be at least 1", "search_shard_size")

    pages = check.table(data.get("pagination", {}), "pagination",
                        dict.fromkeys(("home", "category", "archive", "entity", "feed"), int))
    for key, value in pages.items():
        if value < 1:
            raise check.fail("must be at least 1", key, "pagination")

    entities = check.table(data.get("entities", {}), "entities",
                           {"link": str, "types": dict, "discover": str, "discover_min": int})
    if entities.get("link", "first") not in ("first", "all"):
        raise check.fail("expected 'first' (link the first mention per article) or 'all'",
                         "link", "entities")
    if entities.get("discover", "link") not in ("link", "suggest", "off"):
        raise check.fail("expected 'link' (pages for names the tagger finds), 'suggest' or "
                         "'off'", "discover", "entities")
    if entities.get("discover_min", 5) < 1:
        raise check.fail("must be at least 1", "discover_min", "entities")
    types = check.labels(entities.get("types", DEFAULT_ENTITY_TYPES), "entities.types")
    if not types:
        raise check.fail("at least one entity type is needed", "types", "entities")

    return Config(
        title=data["title"].strip(),
        description=data.get("description", ""),
        base_url=base_url,
        language=data.get("language", "ar"),
        direction=data.get("direction", "rtl"),
        locale=locale,
        numerals=data.get("numerals", "arab"),
        hijri=data.get("hijri", True),
        search=data.get("search", True),
        search_shard_size=data.get("search_shard_size", 3000),
        pagination=Pagination(**pages),
        categories=check.labels(data.get("categories", {}), "categories"),
        sources=check.labels(data.get("sources", {}), "sources"),
        entities=EntitySettings(link=entities.get("link", "first"), types=types,
                                discover=entities.get("discover", "link"),
                                discover_min=entities.get("discover_min", 5)),
        paths=Paths(**resolved),
        path=path,
    )


def _base_url(value: str, check) -> str:
    """``base_url`` ending with "/": an http(s) URL with a host, or a path from the root."""
    parts = urlsplit(value)
    if any(char.isspace() for char in value):
        problem = "must not contain spaces (write them as %20)"
    elif parts.scheme and (parts.scheme not in ("http", "https") or not parts.netloc):
        problem = "expected an http(s) URL with a host, such as 'https://example.org/archive/'"
    elif not parts.scheme and parts.netloc:
        problem = "a protocol-relative URL ('//host/'): write the scheme, 'https://host/'"
    elif not parts.scheme and not parts.path.startswith("/"):
        problem = ("expected an http(s) URL such as 'https://example.org/archive/', or a path "
                   "from the site's root such as '/archive/'")
    elif parts.query or parts.fragment:
        problem = "a base URL has no '?query' or '#fragment'"
    else:
        return value if value.endswith("/") else value + "/"
    raise check.fail(problem, "base_url")


def _check_output(paths: dict[str, Path], root: Path, check) -> None:
    """The output folder is the generator's alone: never the project, the content, the theme
    or a folder holding them, nor a folder inside the content."""
    output = paths["output"]
    for key, folder in (("project", root), *((k, paths[k]) for k in ("content", "templates",
                                                                      "static", "cache"))):
        if output == folder or output in folder.parents:
            what = "the project folder" if key == "project" else f"the {key} folder"
            raise check.fail(f"the output folder {output} {'is' if output == folder else 'holds'} "
                             f"{what}; the build replaces what it holds", "output", "paths")
    if paths["content"] in output.parents:
        raise check.fail(f"the output folder {output} is inside the content folder",
                         "output", "paths")

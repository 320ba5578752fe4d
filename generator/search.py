"""Search: what Pagefind indexes beside the visible text, and running Pagefind.

Pagefind's Arabic stemmer treats the first letters of many names as clitics, so
«بغداد» and «ببغداد» end up with different stems (see ../shared/FINDINGS.md). Each
article page therefore carries a hidden block, inside its ``data-pagefind-body``,
that starts with an invisible separator (U+2063) and lists

- every word of the title and body with its proclitics removed, when that
  gives another form («ببغداد» → «بغداد», «للقاهرة» → «القاهرة»), and
- every name and alias of the entities the article mentions or is about.

A search for «بغداد» then finds «ببغداد», and «الجامعة العربية» finds an
article that only says «جامعة الدول العربية». The search page
(``static/js/search.js``) does the reverse on the query, searching its
clitic-stripped forms too, and builds excerpts from the text before the
separator, so readers never see the block.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from . import urls
from .entities.matching import proclitic_stems
from .entities.registry import Registry
from .errors import BuildError
from .model import Article, Site
from .output import sync_tree
from .text import strip_marks

SEPARATOR = "\u2063"  # INVISIBLE SEPARATOR: where the visible text ends in Pagefind's content
# Pagefind filter names, shown on the search page; entity types use their labels from site.toml.
CATEGORY, YEAR, SOURCE = "القسم", "السنة", "المصدر"
FILTER_OPTIONS = 200  # values offered per filter on the search page (the most frequent)
_WORD_RE = re.compile(r"[\u0621-\u064a\u0640\u064b-\u065f\u0670\u0671]{3,}")


def search_terms(article: Article, registry: Registry) -> str:
    """The hidden text indexed with an article (see the module docstring)."""
    seen: dict[str, None] = {}
    for word in dict.fromkeys(_WORD_RE.findall(f"{article.title}\n{article.text}")):
        for stem in proclitic_stems(strip_marks(word)):
            seen.setdefault(stem)
    for entity_id in article.entity_ids:
        for name in registry.all_names.get(entity_id, ()):
            seen.setdefault(name)
    return SEPARATOR + " " + " ".join(seen)


def article_filters(article: Article, site: Site, digits) -> list[tuple[str, str]]:
    """(filter, value) pairs of an article, as ``<meta data-pagefind-filter>`` in its head."""
    config = site.config
    pairs = [(CATEGORY, config.category_label(key)) for key in article.categories]
    pairs.append((YEAR, digits(article.day.year)))
    if article.publisher:
        pairs.append((SOURCE, config.source_label(article.publisher)))
    for entity_id in article.entity_ids:
        entity = site.registry.entities[entity_id]
        pairs.append((config.entities.types[entity.type], entity.name))
    return pairs


def filter_options(site: Site, digits) -> list[tuple[str, tuple[tuple[str, str | None, int], ...]]]:
    """The search page's filters: (name, ((value, static page or None, articles), ...)).

    Each value that has a static page (category, year, entity) links to it, so a reader who
    picks a filter without typing a word browses that page instead of downloading the index.
    """
    config, index = site.config, site.entities
    filters = [
        (CATEGORY, tuple((config.category_label(k), urls.category_url(k), len(v))
                         for k, v in site.by_category.items())),
        (YEAR, tuple((digits(y), urls.year_url(y), len(v)) for y, v in site.by_year.items())),
    ]
    sources = Counter(config.source_label(a.publisher) for a in site.articles if a.publisher)
    filters.append((SOURCE, tuple((label, None, n) for label, n in sources.most_common())))
    for kind, label in config.entities.types.items():
        entities = [e for e in site.registry.live() if e.type == kind and index.articles.get(e.id)]
        entities.sort(key=lambda e: (-len(index.articles[e.id]), e.name))
        filters.append((label, tuple((e.name, e.url, len(index.articles[e.id]))
                                     for e in entities[:FILTER_OPTIONS])))
    return [(name, values) for name, values in filters if values]


def index_site(out_dir: Path, work_dir: Path) -> dict[str, int]:
    """Run the Pagefind binary over ``out_dir``; its bundle goes to ``out_dir/pagefind``.

    Pagefind writes into a temporary folder under ``work_dir`` first, so a failure leaves the
    previous index in place; the new bundle is then synced in, rewriting only the files whose
    bytes changed (Pagefind names its chunks by content hash) and its entry file last.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pagefind-", dir=work_dir) as tmp:
        command = [sys.executable, "-m", "pagefind_bin", "--site", str(out_dir),
                   "--output-path", tmp]
        # Run from the work folder so that no stray pagefind.yml configures the run.
        result = subprocess.run(command, capture_output=True, text=True, check=False,
                                cwd=work_dir, env={**os.environ, "NO_COLOR": "1"})
        if result.returncode != 0:
            detail = " ".join(line.strip() for line in
                              (result.stderr or result.stdout).strip().splitlines()[-3:])
            raise BuildError(f"Pagefind failed to index the site: {detail}", out_dir)
        counts = {key: int(value.replace(",", "")) for value, key in
                  re.findall(r"Indexed ([\d,]+) (page|word|filter|sort)s?", result.stdout)}
        if counts.get("page", 0) == 0 and (out_dir / "articles").is_dir():
            raise BuildError("Pagefind indexed no pages: is data-pagefind-body missing from "
                             "templates/article.html?", out_dir)
        stats = sync_tree(Path(tmp), out_dir / "pagefind", last=("pagefind-entry.json",))
    counts["written"] = stats.written
    return counts

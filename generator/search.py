"""Search: what each article gives Pagefind beside its visible text (``search_index.py``
runs Pagefind).

Pagefind's Arabic stemmer treats the first letters of many names as clitics, so
«بغداد» and «ببغداد» end up with different stems (see ../shared/FINDINGS.md). Each
article page therefore carries a hidden block, inside its ``data-pagefind-body``,
that starts with an invisible separator (U+2063) and lists

- every word of the title and body without its proclitics and its article ال, when
  that gives another form («ببغداد» → «بغداد», «للقاهرة» → «قاهرة», «الانتخابات» →
  «انتخابات»; ``entities.matching.bare_forms``), and
- every name and alias of the entities the article mentions or is about.

A search for «بغداد» then finds «ببغداد», and «الجامعة العربية» finds an
article that only says «جامعة الدول العربية». The search page
(``static/js/query.js``) looks the query's words up the same way, in the word
lists of ``search_words.py``, and builds excerpts from the text before the
separator, so readers never see the block.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import chain

from . import urls
from .config import Config
from .dates import Formatter
from .entities.matching import bare_forms
from .entities.registry import Entity
from .model import Article, Body, Site
from .search_words import WORD_RE
from .text import strip_marks

SEPARATOR = "\u2063"  # INVISIBLE SEPARATOR: where the visible text ends in Pagefind's content
# Pagefind filter names, shown on the search page; entity types use their labels from site.toml.
CATEGORY, YEAR, SOURCE = "القسم", "السنة", "المصدر"
FILTER_OPTIONS = 40  # values offered per filter on the search page (the most frequent)


def search_terms(article: Article, body: Body, entities: Sequence[Entity]) -> str:
    """The hidden text indexed with an article (see the module docstring); ``entities``: the
    entities it mentions or is about."""
    words = dict.fromkeys(WORD_RE.findall(strip_marks(f"{article.title}\n{body.text}")))
    names = (name for entity in entities
             for name in (*entity.names, *((entity.name_en,) if entity.name_en else ())))
    forms = (form for word in words for form in bare_forms(word) if form != word)
    return SEPARATOR + " " + " ".join(dict.fromkeys(chain(forms, names)))


def indexed_entity(entity: Entity) -> tuple:
    """What the search index reads of an entity (:func:`search_terms`, :func:`article_filters`):
    an edit to anything else (its description, image, Wikidata id) indexes no page again."""
    return entity.type, entity.name, entity.names, entity.name_en


def article_filters(article: Article, entities: Sequence[Entity], config: Config,
                    digits) -> list[tuple[str, str]]:
    """(filter, value) pairs of an article, as ``<meta data-pagefind-filter>`` in its head."""
    pairs = [(CATEGORY, config.category_label(key)) for key in article.categories]
    pairs.append((YEAR, digits(article.day.year)))
    if article.publisher:
        pairs.append((SOURCE, config.source_label(article.publisher)))
    for entity in entities:
        pairs.append((config.entities.types[entity.type], entity.name))
    return pairs


def filter_options(site: Site) -> tuple[tuple[str, tuple[tuple[str, str | None, int], ...]], ...]:
    """The search page's filters: (name, ((value, static page or None, articles), ...)).

    Each value that has a static page (category, year, entity) links to it, so a reader who
    picks a filter without typing a word browses that page instead of downloading the index.
    """
    config, index = site.config, site.entities
    digits = Formatter(config).digits
    filters = [
        (CATEGORY, tuple((config.category_label(k), urls.category_url(k), len(v))
                         for k, v in site.by_category.items())),
        (YEAR, tuple((digits(y), urls.year_url(y), len(v)) for y, v in site.by_year.items())),
    ]
    sources: Counter[str] = Counter()  # (labelled once per publisher, not per article)
    for publisher, count in Counter(a.publisher for a in site.articles if a.publisher).items():
        sources[config.source_label(publisher)] += count
    filters.append((SOURCE, tuple((label, None, n) for label, n in sources.most_common())))
    for kind, label in config.entities.types.items():
        entities = [e for e in site.registry.live() if e.type == kind and index.articles.get(e.id)]
        entities.sort(key=lambda e: (-len(index.articles[e.id]), e.name))
        filters.append((label, tuple((e.name, e.url, len(index.articles[e.id]))
                                     for e in entities[:FILTER_OPTIONS])))
    return tuple((name, values) for name, values in filters if values)

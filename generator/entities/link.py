"""Linking one article: its body gets entity links, its record gets mentions and a digest.

:func:`link_article` is a pure function of picklable values (the article, its body, the
registry and the config), so the engine can run it in any executor. It also returns the
article's vocabulary: the lookup key of every token it scanned. When the registry changes,
only the articles whose vocabulary holds the first word of a changed name are linked again
(:func:`could_mention`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..config import Config
from ..errors import BuildError
from ..frontmatter import line_in_file
from ..model import Article, Body, with_digest
from ..urls import Urls
from .annotate import Annotator, Spans
from .discover import Found, found_in
from .matching import surface_keys
from .registry import Registry

_FEW_KEYS = 16  # names whose forms are searched for in each vocabulary's text, not its words


@dataclass(frozen=True)
class Linked:
    article: Article  # with its mentions and digest
    body: Body  # with its links
    vocabulary: str | None  # None when nothing was scanned because the registry is empty
    recognised: tuple[Spans, ...] | None  # the tagger's names per text part (None: off)
    found: tuple[Found, ...]  # the recognised names, for discovery


def link_article(article: Article, body: Body, registry: Registry, config: Config,
                 recognised: tuple[Spans, ...] | None = None) -> Linked:
    """Link one article. With discovery on, the tagger reads the body too (or what it
    found in the same body before, ``recognised``, is reused)."""
    about, no_link = declared(article, registry)
    seen: set[str] | None = set() if registry.entities else None
    annotator = Annotator(registry, config.entities.link, Urls(config).href)
    discovering = config.entities.discover != "off"
    recognise = None
    if discovering and recognised is None:
        from ..ner.tagger import shared_recogniser

        recognise = shared_recogniser().spans_of
    annotation = annotator.annotate(body.html, frozenset(no_link), seen, recognise,
                                    recognised if discovering else None)
    linked = Body(annotation.html, body.text)
    article = replace(article, about=about, no_link=no_link, mentions=annotation.mentions)
    vocabulary = vocabulary_of(seen) if seen is not None else None
    return Linked(with_digest(article, linked), linked, vocabulary,
                  annotation.recognised if discovering else None,
                  found_in(annotation.names) if discovering else ())


def link_settings(config: Config) -> tuple[str, str, str]:
    """What links depend on besides each body and the registry: a change relinks everything."""
    return config.entities.link, Urls(config).base_path, config.entities.discover


def relink_keys(before: Registry, after: Registry) -> frozenset[str]:
    """First name keys of every entity whose linking changed between two registries (added,
    removed, renamed, re-typed, merged or (un)linked), in either registry, with the names of
    the entities they are merged into: an article holding none of them links as before."""
    changed = {entity_id for entity_id in before.entities.keys() | after.entities.keys()
               if _link_view(before, entity_id) != _link_view(after, entity_id)}
    keys: set[str] = set()
    for registry in (before, after):
        targets = changed | {registry.survivors[i] for i in changed if i in registry.survivors}
        keys.update(name.keys[0] for name in registry.matcher.names() if name.entity in targets)
    return frozenset(keys)


def _link_view(registry: Registry, entity_id: str) -> tuple | None:
    entity = registry.entities.get(entity_id)
    if entity is None:
        return None
    return (entity.type, entity.name, entity.aliases, entity.short_aliases, entity.link,
            registry.survivors.get(entity_id))


def could_mention(vocabulary: str | None, first_keys: Iterable[str]) -> bool:
    """Whether an article with this vocabulary may contain a name starting with one of
    ``first_keys`` (with any proclitics). None (never scanned) may contain anything."""
    return mention_test(first_keys)(vocabulary)


def mention_test(first_keys: Iterable[str]):
    """:func:`could_mention` for many articles: the forms are expanded once. For many names
    (thousands of discovered ones are checked at once) each vocabulary is split once; for a
    few (an entity file edited), each name's forms are searched for in the vocabulary's text,
    after the part they share, which most articles lack (0.07 s rather than 0.56 s for the
    whole corpus)."""
    keys = frozenset(first_keys)
    if len(keys) > _FEW_KEYS:
        forms = frozenset(surface for key in keys for surface in surface_keys(key))

        def test(vocabulary: str | None) -> bool:
            return vocabulary is None or not forms.isdisjoint(vocabulary.split())
        return test
    searches = [(shared_part(surfaces), tuple(map(_as_word, surfaces)))
                for surfaces in map(surface_keys, keys)]

    def search(vocabulary: str | None) -> bool:
        return vocabulary is None or any(
            part in vocabulary and any(form in vocabulary for form in forms)
            for part, forms in searches)
    return search


def vocabulary_of(keys: Iterable[str]) -> str:
    """An article's vocabulary: the keys it scanned, sorted, between single spaces and with
    one at each end, so that a key is found in it as ``_as_word(key)``."""
    return f" {' '.join(sorted(keys))} "


def _as_word(key: str) -> str:
    return f" {key} "


def shared_part(words: Iterable[str]) -> str:
    """The longest text found in each of ``words`` (the first such, "" if none)."""
    words = sorted(words, key=len)
    shortest = words[0] if words else ""
    for size in range(len(shortest), 0, -1):
        for start in range(len(shortest) - size + 1):
            part = shortest[start:start + size]
            if all(part in word for word in words):
                return part
    return ""


def declared(article: Article, registry: Registry) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The front matter's `entities` and `no_link`, checked and resolved through merges."""
    resolved = []
    for key, ids in (("entities", article.about), ("no_link", article.no_link)):
        out = []
        for entity_id in ids:
            entity = registry.resolve(entity_id)
            if entity is None:
                raise BuildError(f"{key}: no entity with id {entity_id!r} in content/entities/",
                                 article.source, line_in_file(article.source, key) or 1)
            out.append(entity.id)
        resolved.append(tuple(dict.fromkeys(out)))
    return resolved[0], resolved[1]

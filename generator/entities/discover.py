"""Discovery: names the tagger recognised that the registry lacks, grouped into candidates.

Each article's recognised names (:func:`found_in`, computed with its linking and cached
with it) are gathered across the archive by :func:`discover`:

- a name is keyed as matching keys it (diacritics, hamza, ة/ه, ى/ي and the G/V/P letter
  variants folded), with a proclitic taken off its first word where the name is also
  recognised without it («وبوتين» → «بوتين»), and joined and split spellings grouped
  («نصرالله» / «نصر الله»);
- a one-word name that repeats a word of a longer name of the same type recognised before
  it in the same article is counted as that name's short form (as ``short_aliases`` link);
- the type is the majority vote, the name the most frequent spelling, and the id an ASCII
  romanisation of it;
- names the registry knows, rejected names (``content/entities/rejected.toml``) and names
  of the same type that contain a registered name («ميلانيا ترامب», «دونالد ترامب»: the
  editor decides) are left out of linking; the last are still suggested.

With ``[entities] discover = "link"``, candidates found in at least ``discover_min``
articles join the registry as entities marked ``found``: they get pages and links.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..config import Config
from ..errors import BuildError, decode_utf8, parse_toml, read_file
from .matching import HASHTAG_MARKS, compound_variants, name_keys, proclitic_stems
from .registry import REJECTS_FILE, Entity, Registry, with_found

# The tagger's types, and the registry types they become (when site.toml has them).
ENTITY_TYPES = {"PERS": "person", "ORG": "organization", "LOC": "place"}
_MIN_LETTERS = 3

_MARKUP = str.maketrans(dict.fromkeys(HASHTAG_MARKS, " "))
Found = tuple[tuple[str, ...], str, str, int]  # keys, tagger type, surface, mentions


def found_in(spans: Iterable[tuple[str, str]]) -> tuple[Found, ...]:
    """An article's recognised names from (surface, type) pairs in text order: one entry per
    name and type, in order of first mention, with the number of mentions."""
    order: dict[tuple[tuple[str, ...], str], list] = {}
    for surface, kind in spans:
        surface = " ".join(surface.translate(_MARKUP).split())
        keys = tuple(k for k in name_keys(surface) if k[:1].isalnum())
        if not keys or sum(map(len, keys)) < _MIN_LETTERS or not any(
                k[:1].isalpha() for k in keys):
            continue
        entry = order.get((keys, kind))
        if entry is None:
            order[(keys, kind)] = [surface, 1]
        else:
            entry[1] += 1
    return tuple((keys, kind, surface, count) for (keys, kind), (surface, count) in order.items())


def fold(keys: tuple[str, ...]) -> str:
    """The grouping key: the name's keys without the spaces between them."""
    return "".join(keys)


@dataclass(frozen=True)
class Candidate:
    id: str  # proposed ASCII id
    type: str  # registry type
    name: str  # the most frequent spelling
    forms: tuple[str, ...]  # every spelling seen, most frequent first
    short_forms: tuple[str, ...]  # one-word forms seen after the full name
    articles: int
    mentions: int
    sources: tuple[str, ...]  # a few articles that name it, for contexts
    contains: str | None = None  # a registered entity of the same type inside the name

    @property
    def linkable(self) -> bool:
        return self.contains is None


@dataclass(frozen=True)
class Discovery:
    candidates: tuple[Candidate, ...]  # ranked by articles
    minimum: int

    def linked(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.linkable and c.articles >= self.minimum)


def load_rejects(config: Config) -> frozenset[str]:
    """Grouping keys of the names editors rejected."""
    names = read_names(config.paths.content / "entities" / REJECTS_FILE)
    return frozenset(fold(name_keys(n)) for n in names if name_keys(n))


def read_names(path: Path) -> list[str]:
    """The names listed in a rejects file (none when there is no file)."""
    if not path.is_file():
        return []
    text = decode_utf8(read_file(path), path)
    data = parse_toml(text, path)
    names = data.get("names", [])
    if set(data) - {"names"} or not isinstance(names, list) or not all(
            isinstance(n, str) for n in names):
        raise BuildError('expected one key: names = ["…", …]', path, 1)
    return names


def discover(found: Mapping[str, tuple[Found, ...]], registered: Mapping[tuple[str, ...], str],
             registered_types: Mapping[str, str], rejects: frozenset[str],
             types: Iterable[str], minimum: int,
             cancelled: Callable[[], bool] | None = None) -> Discovery:
    """Candidates from every article's names (``found``: source -> names). ``registered``:
    the keys of every registered name -> its entity; ``registered_types``: entity -> type.
    ``cancelled`` is asked every few hundred articles and candidates: :class:`Cancelled`
    is raised when it says so."""
    check = _checker(cancelled)
    allowed = {t: e for t, e in ENTITY_TYPES.items() if e in set(types)}
    frequency = Counter(keys for names in found.values() for keys, _, _, _ in names)
    canonical = {keys: _without_proclitic(keys, frequency, registered) for keys in frequency}
    folded = {keys: (stem, fold(stem)) for keys, stem in canonical.items()}
    first_names = _first_names(found, canonical)
    covered = {fold(keys) for keys in registered} | {
        fold(v) for keys in registered for v in compound_variants(keys)}

    groups: dict[str, _Group] = {}
    for source in sorted(found):
        check()
        seen_here: set[str] = set()
        longer: dict[str, str] = {}  # word -> fold of a longer name of that type, by type
        for keys, kind, surface, count in found[source]:
            if kind not in allowed:
                continue
            keys, key = folded[keys]
            short_of = longer.get(f"{kind}:{keys[0]}") if len(keys) == 1 else None
            if key in covered and len(keys) > 1:
                for word in keys:  # its short forms belong to the registered entity
                    longer.setdefault(f"{kind}:{word}", "")
            if key in covered or key in rejects or (kind == "PERS" and key in first_names) \
                    or short_of == "":
                continue
            form = _strip(surface, keys)
            if short_of is not None:
                group = groups[short_of]
                group.short[form] = group.short.get(form, 0) + count
                group.mentions += count
                continue
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(keys)
            group.types[kind] = group.types.get(kind, 0) + count
            group.forms[form] = group.forms.get(form, 0) + count
            group.mentions += count
            if key not in seen_here:
                seen_here.add(key)
                group.articles += 1
                if len(group.sources) < 3:
                    group.sources.append(source)
            if len(keys) > 1:
                for word in keys:
                    longer.setdefault(f"{kind}:{word}", key)

    taken = set(registered_types)
    candidates = []
    for key, group in sorted(groups.items(), key=lambda item: (-item[1].articles, item[0])):
        check()
        kind = max(sorted(group.types), key=group.types.__getitem__)
        forms = tuple(f for f, _ in sorted(group.forms.items(), key=lambda i: (-i[1], i[0])))
        entity_type = allowed[kind]
        contains = _registered_inside(group.keys, registered, registered_types, entity_type)
        proposed = _unique(propose_id(forms[0]), taken)
        taken.add(proposed)
        short = tuple(f for f, _ in sorted(group.short.items(), key=lambda i: -i[1])
                      if fold(name_keys(f)) != key)
        candidates.append(Candidate(proposed, entity_type, forms[0], forms, short,
                                    group.articles, group.mentions, tuple(group.sources),
                                    contains))
    return Discovery(tuple(candidates), minimum)


class Cancelled(Exception):
    """The grouping was called off (by its ``cancelled``): there is no result."""


CHECK_EVERY = 256  # articles (or candidates) grouped between two questions to ``cancelled``


def _checker(cancelled: Callable[[], bool] | None) -> Callable[[], None]:
    """A function to call at each step: every ``CHECK_EVERY`` steps it asks ``cancelled``
    and raises :class:`Cancelled` if it says so."""
    if cancelled is None:
        return lambda: None
    steps = itertools.count()  # (asked at the first step too)

    def check() -> None:
        if next(steps) % CHECK_EVERY == 0 and cancelled():
            raise Cancelled
    return check


class _Group:
    __slots__ = ("keys", "types", "forms", "short", "articles", "mentions", "sources")

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self.types: dict[str, int] = {}  # tagger type -> mentions
        self.forms: dict[str, int] = {}  # spelling -> mentions
        self.short: dict[str, int] = {}  # short form -> mentions
        self.articles = 0
        self.mentions = 0
        self.sources: list[str] = []


def _without_proclitic(keys: tuple[str, ...], frequency: Mapping[tuple[str, ...], int],
                       registered: Mapping[tuple[str, ...], str]) -> tuple[str, ...]:
    """``keys`` with a proclitic taken off the first word when the name is registered so
    («للولايات المتحده» → «الولايات المتحده»), or recognised so more often than as written."""
    variants = [(stem, *keys[1:]) for stem in proclitic_stems(keys[0])]
    for variant in variants:
        if variant in registered:
            return variant
    return max([keys, *variants], key=lambda v: frequency.get(v, 0))


def _first_names(found: Mapping[str, tuple[Found, ...]],
                 canonical: Mapping[tuple[str, ...], tuple[str, ...]]) -> set[str]:
    """One-word person names seen more often as the first word of a longer person's name
    than alone («محمد», «دونالد»): given names, not people."""
    alone: Counter[str] = Counter()
    first: Counter[str] = Counter()
    for names in found.values():
        for keys, kind, _, _ in names:
            if kind == "PERS":
                keys = canonical[keys]
                (alone if len(keys) == 1 else first)[keys[0]] += 1
    return {word for word, count in alone.items() if first[word] >= count}


@lru_cache(maxsize=131_072)
def _strip(surface: str, keys: tuple[str, ...]) -> str:
    """The surface without the proclitics its canonical keys dropped."""
    words = surface.split()
    if not words:
        return surface
    first = name_keys(words[0])
    if first and first[0] != keys[0] and first[0].endswith(keys[0]):
        drop = len(first[0]) - len(keys[0])
        words[0] = _drop_letters(words[0], drop)
    return " ".join(words)


def _drop_letters(word: str, count: int) -> str:
    """``word`` without its first ``count`` letters (marks that follow them go too)."""
    index = 0
    while count and index < len(word):
        index += 1
        while index < len(word) and not word[index].isalpha():
            index += 1
        count -= 1
    return word[index:]


def _registered_inside(keys: tuple[str, ...], registered: Mapping[tuple[str, ...], str],
                       registered_types: Mapping[str, str], entity_type: str) -> str | None:
    for size in range(len(keys) - 1, 0, -1):
        for start in range(len(keys) - size + 1):
            owner = registered.get(keys[start:start + size])
            if owner is not None and registered_types.get(owner) == entity_type:
                return owner
    return None


# An ASCII spelling of Arabic letters for proposed ids (editors may choose another).
_ROMAN = str.maketrans({
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ء": "", "ؤ": "u", "ئ": "i", "ب": "b", "ت": "t",
    "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh",
    "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "w",
    "ي": "y", "ى": "a", "پ": "p", "ڤ": "v", "گ": "g", "چ": "ch", "ـ": ""})
_NON_SLUG_RE = re.compile(r"[^a-z0-9]+")


def propose_id(name: str) -> str:
    """«سيرغي لافروف» → «syrghy-lafrwf»: a lowercase ASCII slug, "entity" if nothing is left."""
    roman = name.translate(_ROMAN).lower()
    slug = _NON_SLUG_RE.sub("-", roman).strip("-")
    return slug[:60].strip("-") or "entity"


def _unique(proposed: str, taken: set[str]) -> str:
    if proposed not in taken:
        return proposed
    n = 2
    while f"{proposed}-{n}" in taken:
        n += 1
    return f"{proposed}-{n}"


def registered_names(registry: Registry) -> tuple[dict[tuple[str, ...], str], dict[str, str]]:
    """The keys of every name the registry matches -> its entity, and entity -> type."""
    names = {name.keys: name.entity for name in registry.matcher.names()}
    return names, {e.id: e.type for e in registry.entities.values()}


def discover_in(config: Config, registry: Registry, found: Mapping[str, tuple[Found, ...]],
                cancelled: Callable[[], bool] | None = None) -> Discovery:
    names, types = registered_names(registry)
    return discover(found, names, types, load_rejects(config), config.entities.types,
                    config.entities.discover_min, cancelled)


def extend(registry: Registry, discovery: Discovery) -> Registry:
    """The registry with the candidates to link as entities (marked ``found``); a spelling
    that would be another entity's name is left out."""
    names, _ = registered_names(registry)
    taken = {fold(keys) for keys in names}
    full = {fold(name_keys(form)) for c in discovery.linked() for form in c.forms}
    entities = []
    for candidate in discovery.linked():
        forms = [f for f in candidate.forms if fold(name_keys(f)) not in taken]
        if not forms:
            continue
        taken.update(fold(name_keys(f)) for f in forms)
        short = tuple(f for f in candidate.short_forms
                      if fold(name_keys(f)) not in taken and fold(name_keys(f)) not in full)
        entities.append(Entity(id=candidate.id, type=candidate.type, name=forms[0],
                               aliases=tuple(forms[1:]), short_aliases=short, found=True))
    return with_found(registry, entities)

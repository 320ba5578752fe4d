"""Finding registered names in Arabic running text, as a reader would.

Text is split with camel-tools' ``simple_word_tokenize`` (words and punctuation
as separate tokens) and every token is reduced to a lookup key with
camel-tools' normalisers: diacritics and tatweel removed, أ إ آ ٱ → ا,
ى → ي, ة → ه. A name matches a run of tokens whose keys equal the name's keys;
its first token may carry proclitics (و ف, then ب ل ك, with ال elided after
ل as in «للقاهرة»), which are tried only after the unsplit token, as
../shared/FINDINGS.md advises. Among the names starting at a token the longest wins,
and the scan continues after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

from ..text import strip_marks

_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
_MIN_STEM = 2  # letters left after stripping proclitics


@lru_cache(maxsize=262_144)
def normalize(token: str) -> str:
    """The lookup key of one token: «بالجامعةِ» → «بالجامعه», «إلى» → «الي»."""
    key = strip_marks(token)
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(key))).lower()


@lru_cache(maxsize=262_144)
def proclitic_stems(word: str) -> tuple[str, ...]:
    """``word`` without each combination of proclitics it may start with, shortest prefix
    first: «وللقاهرة» → «للقاهرة», «لقاهرة», «القاهرة», «قاهرة». The search page
    (static/js/search.js) applies the same rule to queries."""
    stems = []
    for conjunction in _CONJUNCTIONS:
        for preposition in _PREPOSITIONS:
            prefix = conjunction + preposition
            if not prefix or not word.startswith(prefix):
                continue
            stem = word[len(prefix):]
            if len(stem) >= _MIN_STEM:
                stems.append(stem)
            if preposition == "ل" and stem.startswith("ل") and len(stem) > _MIN_STEM:
                stems.append("ا" + stem)  # ل + ال with the alef elided: للقاهرة
    return tuple(dict.fromkeys(s for s in stems if s != word))


@lru_cache(maxsize=262_144)
def key_variants(key: str) -> tuple[str, ...]:
    """The key itself, then the key without each possible proclitic combination."""
    return (key, *proclitic_stems(key))


@lru_cache(maxsize=65_536)
def surface_keys(key: str) -> tuple[str, ...]:
    """Every token key whose :func:`key_variants` include ``key`` (their inverse): the key
    itself and the key after each proclitic combination, «القاهره» → «بالقاهره», «للقاهره»…"""
    forms = [key]
    for conjunction in _CONJUNCTIONS:
        for preposition in _PREPOSITIONS:
            prefix = conjunction + preposition
            if not prefix:
                continue
            if len(key) >= _MIN_STEM:
                forms.append(prefix + key)
            if preposition == "ل" and key.startswith("ال") and len(key) - 1 > _MIN_STEM:
                forms.append(prefix + key[1:])  # ل + ال with the alef elided: للقاهرة
    return tuple(dict.fromkeys(forms))


def name_keys(name: str) -> tuple[str, ...]:
    """The token keys of a registered name (no proclitic stripping)."""
    return tuple(normalize(token) for token in simple_word_tokenize(name))


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    key: str


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with their character offsets."""
    tokens, cursor = [], 0
    for surface in simple_word_tokenize(text):
        start = text.find(surface, cursor)
        if start < 0:  # the tokenizer never rewrites text; be safe anyway
            continue
        cursor = start + len(surface)
        tokens.append(Token(start, cursor, normalize(surface)))
    return tokens


@dataclass(frozen=True)
class Name:
    """One registered surface form of an entity."""

    keys: tuple[str, ...]
    entity: str
    short: bool  # links only after a full name of the entity occurred in the same article


@dataclass(frozen=True)
class Match:
    start: int  # character offsets of the whole surface form, clitics included
    end: int
    names: tuple[Name, ...]  # every entity registered under this form (several only if short)


class Matcher:
    """Longest-match lookup of registered names over a token sequence."""

    def __init__(self, names: Iterable[Name]):
        by_first: dict[str, list[Name]] = {}
        for name in names:
            by_first.setdefault(name.keys[0], []).append(name)
        # Longest first, so the first hit at a position is the longest one.
        self._by_first: Mapping[str, tuple[Name, ...]] = {
            key: tuple(sorted(group, key=lambda n: (-len(n.keys), n.entity)))
            for key, group in by_first.items()}

    def names(self) -> Iterator[Name]:
        for group in self._by_first.values():
            yield from group

    def scan(self, text: str, seen: set[str] | None = None) -> Iterator[Match]:
        """Matches in ``text``, left to right; ``seen`` collects every token's key."""
        tokens = tokenize(text)
        if seen is not None:
            seen.update(token.key for token in tokens)
        i = 0
        while i < len(tokens):
            found = self._longest_at(tokens, i)
            if found is None:
                i += 1
                continue
            length, names = found
            yield Match(tokens[i].start, tokens[i + length - 1].end, names)
            i += length

    def _longest_at(self, tokens: list[Token], i: int) -> tuple[int, tuple[Name, ...]] | None:
        best: tuple[int, tuple[Name, ...]] | None = None
        for variant in key_variants(tokens[i].key):
            for name in self._by_first.get(variant, ()):
                size = len(name.keys)
                if best is not None and size <= best[0]:
                    break  # sorted longest first: nothing longer remains for this variant
                if i + size <= len(tokens) and all(
                        tokens[i + k].key == name.keys[k] for k in range(1, size)):
                    same = tuple(n for n in self._by_first[variant] if n.keys == name.keys)
                    best = (size, same)
                    break
        return best

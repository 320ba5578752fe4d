"""Finding registered names in Arabic running text, as a reader would.

Text is split where camel-tools' ``simple_word_tokenize`` splits it (whitespace,
and every punctuation or symbol character as a token of its own), by one regular
expression, and every token is reduced to a lookup key with camel-tools'
normalisers: diacritics and tatweel removed, أ إ آ ٱ → ا, ى → ي, ة → ه. A
name matches a run of tokens whose keys equal the name's keys;
its first token may carry proclitics (و ف, then ب ل ك, with ال elided after
ل as in «للقاهرة»), which are tried only after the unsplit token, as
../shared/FINDINGS.md advises. Among the names starting at a token the longest wins,
and the scan continues after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, count
from operator import add

import regex
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

from ..text import strip_marks

_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
_MIN_STEM = 2  # letters left after stripping proclitics


# Letters Arabic writers use for sounds Arabic lacks, folded to one: G is written ج, غ, گ or
# ڨ («أردوغان» / «أردوجان»), V ف or ڤ, P ب or پ; Persian kaf and yeh as Arabic ones.
LETTER_VARIANTS = {"غ": "ج", "گ": "ج", "ڨ": "ج", "ڤ": "ف", "پ": "ب", "ک": "ك", "ی": "ي"}
_FOLD = str.maketrans(LETTER_VARIANTS)


@lru_cache(maxsize=262_144)
def normalize(token: str) -> str:
    """The lookup key of one token: «بالجامعةِ» → «بالجامعه», «إلى» → «الي», «أردوغان» →
    «اردوجان» (hamza, ى/ي, ة/ه, diacritics, tatweel and the letter variants folded)."""
    key = strip_marks(token)
    key = normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(key)))
    return key.translate(_FOLD).lower()


# Names written joined or split: «عبدالله» / «عبد الله», «نصرالله» / «نصر الله».
_JOIN_FIRST = frozenset({"عبد", "ابو", "ابي", "ابا"})
_JOIN_SECOND = frozenset({"الله", "الدين", "الرحمن", "الرحيم", "العزيز"})
_SPLIT_RE = regex.compile(r"^(?:(عبد|ابو|ابي|ابا)(..+)|(..+?)(الله|الدين|الرحمن|الرحيم|العزيز))$")


def compound_variants(keys: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The keys of a name with its compounds all joined, and all split (when they differ):
    («حسن», «نصر», «الله») → («حسن», «نصرالله»); («عبدالله»,) → («عبد», «الله»)."""
    joined: list[str] = []
    for key in keys:
        if joined and (joined[-1] in _JOIN_FIRST or key in _JOIN_SECOND):
            joined[-1] += key
        else:
            joined.append(key)
    split: list[str] = []
    for key in keys:
        m = _SPLIT_RE.match(key)
        split.extend(part for part in (m.groups() if m else (key,)) if part)
    variants = dict.fromkeys((tuple(joined), tuple(split)))
    variants.pop(keys, None)
    return tuple(variants)


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


ARTICLE = "ال"
_MIN_BARE = 3  # letters left after taking off ال: «الحرب» → «حرب», but «الذي», «الله» stay


@lru_cache(maxsize=262_144)
def bare_forms(word: str) -> tuple[str, ...]:
    """The forms search looks a word up by: when the word, or the word without some of its
    proclitics, starts with the article ال, the forms without it («والانتخابات» →
    «انتخابات»); otherwise the word and the word without each proclitic combination
    («لموسكو» → «لموسكو», «موسكو»). The search page (static/js/search.js) and the index
    (``search.py``) both use this rule; a browser test checks the two agree."""
    forms = (word, *proclitic_stems(word))
    definite = tuple(dict.fromkeys(f[len(ARTICLE):] for f in forms
                                   if f.startswith(ARTICLE) and len(f) - len(ARTICLE) >= _MIN_BARE))
    return definite or forms


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


# camel-tools splits on whitespace, then makes each punctuation or symbol character (Unicode
# categories P and S) a token of its own; the ``regex`` module (which camel-tools uses too)
# knows the categories, which keeps this one pass over the text.
TOKEN_PATTERN = r"[\p{P}\p{S}]|[^\s\p{P}\p{S}]+"
# Hashtag markup inside names in imported news («#دونالد\\_ترمب»): tokens of their own, which
# the tagger skips (so the words stay neighbours) and discovery drops from spellings.
HASHTAG_MARKS = frozenset("#_\\")
_TOKEN_RE = regex.compile(TOKEN_PATTERN)
_SPACED_TOKEN_RE = regex.compile(rf"(\s*)({TOKEN_PATTERN})")


def words(text: str) -> list[str]:
    """The tokens of ``text``, as camel-tools' ``simple_word_tokenize`` gives them (but for
    emoji sequences, which come out one character at a time: never part of a name)."""
    return _TOKEN_RE.findall(text)


def name_keys(name: str) -> tuple[str, ...]:
    """The token keys of a registered name (no proclitic stripping)."""
    return tuple(normalize(token) for token in words(name))


Token = tuple[int, int, str]  # start, end (character offsets), key


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with their character offsets and keys."""
    return [(m.start(), m.end(), normalize(m.group())) for m in _TOKEN_RE.finditer(text)]


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
        self._setup()

    def _setup(self) -> None:
        self._candidates: dict[str, tuple] = {}  # token key -> _heads(key), as met
        # Every token key a name can start with, proclitics included.
        self._starters = frozenset(form for key in self._by_first for form in surface_keys(key))

    def __getstate__(self) -> dict:
        return {"_by_first": self._by_first}  # the rest is derived

    def __setstate__(self, state: dict) -> None:
        self._by_first = state["_by_first"]
        self._setup()

    def names(self) -> Iterator[Name]:
        for group in self._by_first.values():
            yield from group

    def scan(self, text: str, seen: set[str] | None = None) -> Iterator[Match]:
        """Matches in ``text``, left to right; ``seen`` collects every token's key.

        Tokens are split, keyed and checked for a possible name start in C (regex,
        ``map``, ``compress``); Python-level work is done only where a name may start."""
        pairs = _SPACED_TOKEN_RE.findall(text)
        if not pairs:
            return
        spaces, surfaces = zip(*pairs, strict=True)
        keys = list(map(normalize, surfaces))
        if seen is not None:
            seen.update(keys)
        starts = list(compress(count(), map(self._starters.__contains__, keys)))
        if not starts:
            return
        ends = list(accumulate(map(add, map(len, spaces), map(len, surfaces))))
        candidates, resume = self._candidates, 0
        for i in starts:
            if i < resume:
                continue  # inside the previous match
            heads = candidates.get(keys[i])
            if heads is None:
                heads = candidates[keys[i]] = self._heads(keys[i])
            found = self._longest_at(keys, i, heads) if heads else None
            if found is not None:
                length, names = found
                yield Match(ends[i] - len(surfaces[i]), ends[i + length - 1], names)
                resume = i + length

    def _heads(self, key: str) -> tuple[tuple[Name, ...], ...]:
        """The groups of names whose first key is one of ``key``'s variants, in the order
        the variants are tried (the unsplit token first)."""
        return tuple(self._by_first[v] for v in key_variants(key) if v in self._by_first)

    @staticmethod
    def _longest_at(keys: list[str], i: int,
                    heads: tuple[tuple[Name, ...], ...]) -> tuple[int, tuple[Name, ...]] | None:
        best: tuple[int, tuple[Name, ...]] | None = None
        for group in heads:
            for name in group:
                size = len(name.keys)
                if best is not None and size <= best[0]:
                    break  # sorted longest first: nothing longer remains for this variant
                if i + size <= len(keys) and all(
                        keys[i + k] == name.keys[k] for k in range(1, size)):
                    best = (size, tuple(n for n in group if n.keys == name.keys))
                    break
        return best

"""The tagger's features, computed once per word type.

A token's features are those of its own word type, of its neighbours' types (two on each
side) and of the gazetteer names it lies in. Everything that depends on the word alone
(its key, its form without proclitics, affixes, shape, cluster, single-word gazetteer
membership) is computed the first time the word is met and kept, with the copies a
neighbour contributes ("-1:…", "+1:…"), so tagging a token costs a few list
concatenations. Keys are matching's lookup keys (camel-tools' normalisers), so a name is
seen the same way by the linker, the tagger and discovery.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..entities.matching import Matcher, Name, name_keys, normalize, proclitic_stems

TYPES = ("PERS", "LOC", "ORG", "MISC")
_ARTICLE = "ال"
_TYPES_KEPT = 30_000  # word types whose features are kept (about 3 KB each)
_CONTEXT = ((-2, "-2"), (-1, "-1"), (1, "+1"), (2, "+2"))


# The article, with the proclitics that may come before it: وال، بال، فبال، لل (ل + ال)…
_ARTICLE_RE = re.compile(r"^(?:[وف]?[بكل]?ال|[وف]?لل)(?=..)")


def bare(key: str) -> str:
    """A key without the article and the proclitics before it: «وبالقاهره» → «قاهره»,
    «للرئيس» → «رئيس». A proclitic on a word without the article is ambiguous («وزير»,
    «بوتين», «لبنان»), so it is kept here; :meth:`Featuriser.cluster` tries it off."""
    return _ARTICLE_RE.sub("", key, count=1)


def shape(word: str) -> str:
    if word.isdigit():
        return "num"
    if len(word) == 1 and not word.isalnum():
        return "punct"
    if word.isascii():
        return "latin"
    return "word"


@dataclass(frozen=True)
class Lexicon:
    """What the features look up beyond the word itself: gazetteer names by type, and word
    clusters (one label per granularity)."""

    gazetteer: Mapping[str, tuple[str, ...]]  # type -> names as written
    clusters: Mapping[str, str]  # bare word -> its cluster at each granularity, "12.80.977"

    def matcher(self) -> Matcher:
        names = {Name(keys, kind, False)
                 for kind, group in self.gazetteer.items() for name in group
                 if (keys := name_keys(name))}
        return Matcher(names)

    def single_words(self) -> dict[str, frozenset[str]]:
        """Bare forms of one-word gazetteer names -> their types."""
        out: dict[str, set[str]] = {}
        for kind, group in self.gazetteer.items():
            for name in group:
                keys = name_keys(name)
                if len(keys) == 1:
                    out.setdefault(bare(keys[0]), set()).add(kind)
        return {word: frozenset(kinds) for word, kinds in out.items()}


class Featuriser:
    """Turns token sequences into crfsuite item sequences (lists of feature strings)."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._gazetteer = lexicon.matcher()
        self._single = lexicon.single_words()
        self._types: dict[str, tuple[list[str], ...]] = {}

    def word_features(self, word: str) -> tuple[list[str], ...]:
        """Own features of a word type, then the copies its neighbours see, in _CONTEXT order."""
        cached = self._types.get(word)
        if cached is not None:
            return cached
        if len(self._types) >= _TYPES_KEPT:
            self._types.clear()  # bounded memory over a whole archive's vocabulary
        key = normalize(word)
        stem = bare(key)
        kind = shape(word)
        own = ["b", f"w={key}", f"s={stem}", f"t={kind}"]
        if kind == "word":
            own += [f"p2={stem[:2]}", f"p3={stem[:3]}", f"x1={key[-1:]}", f"x2={key[-2:]}",
                    f"x3={key[-3:]}", f"l={min(len(stem), 8)}"]
            if stem != key:
                own.append(f"c={key[:len(key) - len(stem)]}")  # the proclitics taken off
        for gazetteer_type in sorted(self._single.get(stem, ())):
            own.append(f"g={gazetteer_type}")
        classes = self.cluster(stem)
        if classes:
            own += [f"k{n}={label}" for n, label in enumerate(classes.split("."))]
        # Neighbours see a smaller set: the word, its stem, its shape, its cluster.
        seen = [f for f in own if f[0] in "wstgk" and not f.startswith("k0")]
        context = tuple([f"{tag}:{f}" for f in seen] for _, tag in _CONTEXT)
        result = (own, *context)
        self._types[word] = result
        return result

    def cluster(self, stem: str) -> str | None:
        """The cluster labels of a bare word, or of the word without a proclitic."""
        clusters = self.lexicon.clusters
        found = clusters.get(stem)
        if found is None and len(stem) > 3:
            found = next((clusters[s] for s in proclitic_stems(stem) if s in clusters), None)
        return found

    def sequence(self, words: list[str], text: str | None = None,
                 offsets: list[int] | None = None) -> list[list[str]]:
        """Feature lists for one token sequence (``text`` and token start ``offsets`` let
        multi-word gazetteer names be found)."""
        per_type = [self.word_features(w) for w in words]
        n = len(words)
        items = []
        for i, (own, *_) in enumerate(per_type):
            item = list(own)
            for slot, (delta, _tag) in enumerate(_CONTEXT, start=1):
                j = i + delta
                if 0 <= j < n:
                    item += per_type[j][slot]
                else:
                    item.append(f"{_tag}:edge")
            if i > 0:
                item.append(f"bi={own[1][2:]}|{per_type[i - 1][0][1][2:]}")
            if i + 1 < n:
                item.append(f"bi+={own[1][2:]}|{per_type[i + 1][0][1][2:]}")
            items.append(item)
        if text is not None and offsets is not None:
            self._add_gazetteer_spans(items, text, offsets)
        return items

    def _add_gazetteer_spans(self, items: list[list[str]], text: str,
                             offsets: list[int]) -> None:
        index = {start: i for i, start in enumerate(offsets)}
        for match in self._gazetteer.scan(text):
            first = index.get(match.start)
            if first is None:
                continue
            kinds = sorted({name.entity for name in match.names})
            i = first
            while i < len(offsets) and offsets[i] < match.end:
                mark = "B" if i == first else "I"
                items[i] += [f"G{mark}={kind}" for kind in kinds]
                i += 1


def read_gazetteer_lines(lines: Iterable[str]) -> tuple[str, ...]:
    """Names of an ANERgazet list: one a line, "====" separators and blanks skipped."""
    names = (line.strip() for line in lines)
    return tuple(sorted({n for n in names if n and not n.startswith("=")}))

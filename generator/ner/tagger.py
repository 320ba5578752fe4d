"""Recognising names in Arabic text with the shipped CRF model.

:class:`Recogniser` tokenises text as the linker does (camel-tools' word boundaries),
cuts it into sentences, computes each token's features (:mod:`.features`) and lets
crfsuite pick the most likely BIO tag sequence; :func:`spans` turns the tags into
character spans. The model is two files in ``generator/ner/model/`` written by
``make ner-model`` (:mod:`.train`): the CRF weights and the lexicon its features look up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import pycrfsuite
import regex

from ..entities.matching import HASHTAG_MARKS, TOKEN_PATTERN
from .features import TYPES, Featuriser, Lexicon
from .lexicon import read_lexicon

MODEL_DIR = Path(__file__).parent / "model"
CRF_FILE = "ner.crfsuite"
LEXICON_FILE = "lexicon.tsv"
_SENTENCE_ENDS = frozenset(".!?؟")
# matching's token rule (camel-tools' boundaries), and line breaks, which end a sentence too
_TOKEN_OR_BREAK_RE = regex.compile(rf"\n|{TOKEN_PATTERN}")
_MAX_SENTENCE = 200  # tokens: a text without punctuation is cut into pieces this long


@dataclass(frozen=True, order=True)
class Span:
    start: int  # character offsets into the text
    end: int
    type: str  # one of TYPES
    text: str

    def as_json(self) -> dict:
        return {"start": self.start, "end": self.end, "type": self.type, "text": self.text}


def sentences(text: str) -> list[list[tuple[int, int, str]]]:
    """Tokens (start, end, surface) of ``text`` grouped into sentences."""
    out: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    for m in _TOKEN_OR_BREAK_RE.finditer(text):
        token = m.group()
        if token != "\n" and token not in HASHTAG_MARKS:
            current.append((m.start(), m.end(), token))
        if current and (token in _SENTENCE_ENDS or token == "\n"
                        or len(current) >= _MAX_SENTENCE):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def spans(text: str, tokens: list[tuple[int, int, str]], tags: list[str]) -> list[Span]:
    """Entity spans from BIO tags (an I- that does not continue its type starts a name)."""
    found: list[Span] = []
    start = end = None
    kind = None
    for (t_start, t_end, _), tag in zip(tokens, tags, strict=True):
        prefix, _, tag_type = tag.partition("-")
        if prefix == "I" and tag_type == kind and end is not None:
            end = t_end
            continue
        if kind is not None:
            found.append(Span(start, end, kind, text[start:end]))
            kind = None
        if prefix in ("B", "I") and tag_type in TYPES:
            start, end, kind = t_start, t_end, tag_type
    if kind is not None:
        found.append(Span(start, end, kind, text[start:end]))
    return found


class Recogniser:
    """The named-entity tagger; load once, then call :meth:`recognise` on any text."""

    def __init__(self, model_dir: Path = MODEL_DIR):
        self.model_dir = model_dir
        crf, lexicon = model_dir / CRF_FILE, model_dir / LEXICON_FILE
        self.featuriser = Featuriser(read_lexicon(lexicon))
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(crf))

    @cached_property
    def digest(self) -> str:
        """Identifies the model: cached tags are valid only for the same digest."""
        h = hashlib.sha256()
        for name in (CRF_FILE, LEXICON_FILE):
            h.update((self.model_dir / name).read_bytes())
        return h.hexdigest()[:16]

    @property
    def lexicon(self) -> Lexicon:
        return self.featuriser.lexicon

    def tag(self, words: list[str], text: str | None = None,
            offsets: list[int] | None = None) -> list[str]:
        return self.tagger.tag(self.featuriser.sequence(words, text, offsets))

    def spans_of(self, text: str) -> tuple[tuple[int, int, str], ...]:
        """(start, end, type) of every name in ``text``, as the linker takes them."""
        return tuple((s.start, s.end, s.type) for s in self.recognise(text))

    def recognise(self, text: str) -> list[Span]:
        """Every name in ``text``, in order."""
        found: list[Span] = []
        for sentence in sentences(text):
            base = sentence[0][0]
            words = [token for _, _, token in sentence]
            offsets = [start - base for start, _, _ in sentence]
            tags = self.tag(words, text[base:sentence[-1][1]], offsets)
            found += spans(text, sentence, tags)
        return found


@cache
def shared_recogniser() -> Recogniser:
    """The shipped model, loaded once per process (worker processes forked after it was
    loaded share it)."""
    return Recogniser()

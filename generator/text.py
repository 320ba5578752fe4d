"""Text helpers shared by the importer and the content reader.

Cleaning keeps every word while removing what real Arabic news text carries by
accident: bidi controls, stray control characters, HTML entities, zero-width
junk and presentation-form letters (ﻗﺎﻝ → قال).
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

from camel_tools.utils.normalize import normalize_unicode

# Bidi embeddings/overrides/isolates, LRM/RLM and the Arabic letter mark.
_BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
# Zero-width space, BOM, soft hyphen: invisible and never part of a word.
_INVISIBLE = "\u200b\ufeff\u00ad"
_DROP = str.maketrans(dict.fromkeys(_BIDI + _INVISIBLE))
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PRESENTATION_RE = re.compile(r"[\ufb50-\ufdff\ufe70-\ufefe]+")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def clean_text(text: str) -> str:
    """Clean one piece of imported text, keeping its words and line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for _ in range(2):  # entities are sometimes encoded twice: &amp;quot;
        if not _ENTITY_RE.search(text):
            break
        text = html.unescape(text)
    text = strip_controls(text)
    # Presentation forms (ﻗﺎﻝ, ﻷ) become ordinary letters; the rest of the text only gets NFC.
    text = _PRESENTATION_RE.sub(lambda m: normalize_unicode(m.group()), text)
    text = unicodedata.normalize("NFC", text)
    lines = (_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def strip_controls(text: str) -> str:
    """Without bidi controls, zero-width junk and control characters (a field an editor
    wrote by hand: an override character would turn the page's title around)."""
    return _CONTROL_RE.sub(" ", text.translate(_DROP).replace("\t", " "))


def clean_line(text: str) -> str:
    """Clean text that must stay on one line (titles, authors)."""
    return " ".join(clean_text(text).split())


TATWEEL = "\u0640"
# camel-tools' Arabic diacritics (``utils.charsets.AR_DIAC_CHARSET``, which ``dediac_ar``
# removes), written out so that a build that reads one article does not pay for importing
# camel-tools' Unicode tables (a third of a second); tests/test_text.py checks they agree.
AR_DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
_MARKS_RE = re.compile(f"[{AR_DIACRITICS}{TATWEEL}]")  # (15× faster than str.translate)


def strip_marks(word: str) -> str:
    """Without diacritics and tatweel, letters kept as written: «لافـــروفُ» → «لافروف»."""
    return _MARKS_RE.sub("", word)


_SLUG_DROP_RE = re.compile(r"[^\w\s-]|_")


def slugify(text: str, max_words: int = 8, max_chars: int = 60) -> str:
    """A readable URL segment from a title: «وزير الخارجية الروسي» → وزير-الخارجية-الروسي.

    Arabic letters are kept (as Arabic news sites do); diacritics, tatweel and
    punctuation are dropped. Returns "" when nothing usable is left.
    """
    text = strip_marks(clean_line(text))
    text = _SLUG_DROP_RE.sub(" ", text.lower())
    words: list[str] = []
    for word in text.split():
        word = word.strip("-")
        if not word:
            continue
        if words and len("-".join([*words, word])) > max_chars:
            break
        words.append(word[:max_chars])
        if len(words) == max_words:
            break
    return "-".join(words)


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment, one entry per block element."""

    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
              "tr", "td", "th", "br", "figcaption"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.blocks.append([])

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.blocks.append([])

    def handle_data(self, data):
        self.blocks[-1].append(data)


def html_blocks(fragment: str) -> list[str]:
    """The text of each block (paragraph, heading, item) of an HTML fragment."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    blocks = (" ".join("".join(parts).split()) for parts in parser.blocks)
    return [block for block in blocks if block]


_SENTENCE_END_RE = re.compile(r"[.!؟?…](?=\s|$)")


def summarize(blocks: list[str], limit: int = 220) -> str:
    """The opening sentences of a text, at most ``limit`` characters, cut at a word."""
    text = " ".join(blocks)
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(head)]
    if ends and ends[-1] >= limit // 3:
        return head[: ends[-1]]
    cut = head.rfind(" ")
    return head[: cut if cut > 0 else limit].rstrip(" ،,;:-") + "…"


def word_count(blocks: list[str]) -> int:
    return sum(len(block.split()) for block in blocks)

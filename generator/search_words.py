"""What the search page checks a query against, besides Pagefind: the archive's words and the
names of its entities, as static JSON cut into small buckets, gzip-compressed.

- **Words** (``pagefind/words/<bucket>.json.gz``, written by the search stage): every form search
  looks a word up by (:func:`~generator.entities.matching.bare_forms`: without proclitics and
  ال) that occurs in a few articles (one in a small archive, three in 27,000), under its
  lookup key (hamza, ى/ي, ة/ه, diacritics and the letter variants folded), with how many
  articles hold it, the search shards that hold it and its most common spellings. The search
  page searches the spellings the
  archive uses («القاهره» → «قاهرة», «اردوجان» → «أردوغان»), and proposes the nearest known
  word, by joined or split compounds and edit distance, for a word the archive does not know.
  Counted per search shard (cached with the shard's digest), so only re-indexed shards are
  read again.
- **Names** (``search/names/<bucket>.json.gz``, pages of the engine's plan): every name, alias and
  English name of an entity with articles, under its lookup key, with what the entity card
  shows (name, type, description, counts, page), the Pagefind filter of its articles and the
  search shards that hold them.

Shards are named in these files by a bit mask in hexadecimal: bit *i* for the *i*-th shard
from the oldest (:func:`shard_mask`), so adding newer shards leaves the masks of old words as
they were. The search page loads only the shards a query's words occur in.

A bucket holds the keys that start with the same two characters, after an article ال
(:func:`bucket_of`), so a query downloads one small file per word. The files are compressed
here (:func:`pack_bucket`), as Pagefind's own are, so a host that does not compress what it
sends still sends a fifth of the JSON; the page reads them as sent (``Lists`` in ``query.js``
unpacks gzip bytes itself, and takes JSON a host already unpacked as it is). :func:`rules` hands the
folding and clitic rules to the search page, so that the JavaScript applies the Python rules,
not a copy of them.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import chain
from pathlib import Path

from .dates import NOUNS
from .entities import matching
from .text import html_blocks, strip_marks, summarize

WORDS_FOLDER = "words"  # inside the search index folder (pagefind/)
NAMES_URL = "search/names/"
BUCKET_SUFFIX = ".json.gz"  # of a words or names bucket file
ARTICLES_PER_THRESHOLD = 10_000  # a form must be in 1 + articles // this articles to be listed
SPELLINGS = 3  # spellings kept per key (those in at least a tenth of its articles)
BUCKET_LETTERS = 2
# Letters a correction may also swap, beyond those every lookup key folds (غ گ ڨ → ج, ڤ → ف,
# پ → ب): G is written ق too («قوقل» for «غوغل»). Not folded in keys: ق is a letter of its own.
SOUND_VARIANTS = {"ق": "ج"}
# Long vowels, which transliterated names gain or lose («بوتن» / «بوتين», «نتانياهو» /
# «نتنياهو»): a known word that differs from an entity's name only by these is corrected.
VOWELS = "اوي"
DESCRIPTION = 220  # characters of an entity's description on its card
# A word the index lists other forms of: three Arabic letters or more (marks are stripped first).
WORD_RE = re.compile(r"[\u0621-\u064a\u0671]{3,}")
# Characters whose lookup key differs from their lower case: the rule the page applies.
_FOLDED_RANGES = ((0x0600, 0x0700), (0x0750, 0x0780), (0x08A0, 0x0900), (0x00C0, 0x0250))


@lru_cache(maxsize=262_144)
def lookup_key(word: str) -> str:
    """A word's lookup key: the linker's key (:func:`matching.normalize`) with Latin accents
    dropped too («Erdoğan» → «erdogan»)."""
    key = matching.normalize(word)
    if key.isascii():
        return key
    return unicodedata.normalize("NFC", "".join(
        c for c in unicodedata.normalize("NFKD", key)
        if not unicodedata.combining(c) or "\u0600" <= c <= "\u06ff"))


def name_key(name: str) -> str:
    """The lookup key of a (multi-word) name: its tokens' keys, space-separated."""
    return " ".join(lookup_key(token) for token in matching.words(name)
                    if not matching.HASHTAG_MARKS.issuperset(token))


def bucket_of(key: str) -> str:
    """The bucket file (without ``BUCKET_SUFFIX``) of a key: its first characters' code points,
    after the article ال when enough remain (so that names starting with ال, thousands of them in
    a large archive, spread over many buckets as the other names do)."""
    article = matching.ARTICLE
    if key.startswith(article) and len(key) - len(article) >= BUCKET_LETTERS:
        key = key[len(article):]
    return "-".join(f"{ord(c):x}" for c in key[:BUCKET_LETTERS])


def rules() -> dict:
    """The rules the search page applies to queries, from the Python that applies them here."""
    fold = {}
    for start, end in _FOLDED_RANGES:
        for code in range(start, end):
            char = chr(code)
            if lookup_key(char) != char.lower():
                fold[char] = lookup_key(char)
    return {
        "fold": fold,
        "conjunctions": list(matching._CONJUNCTIONS), "prepositions": list(matching._PREPOSITIONS),
        "minStem": matching._MIN_STEM, "article": matching.ARTICLE,
        "minBare": matching._MIN_BARE,
        "joinFirst": sorted(matching._JOIN_FIRST), "joinSecond": sorted(matching._JOIN_SECOND),
        "split": matching._SPLIT_RE.pattern, "sound": SOUND_VARIANTS,
        "vowels": VOWELS,
        "nouns": {noun: NOUNS[noun] for noun in ("result", "article", "mention")},
        "bucketLetters": BUCKET_LETTERS, "words": f"{WORDS_FOLDER}/", "names": NAMES_URL,
        "bucketSuffix": BUCKET_SUFFIX,
    }


# -- words ----------------------------------------------------------------------------------

Counts = dict[str, list]  # key -> [articles, {spelling: articles}]


def count_words(texts: Iterable[str]) -> Counts:
    """For every lookup key of the words' bare forms: in how many of ``texts`` it occurs, and
    with which spellings (diacritics dropped)."""
    keys: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for text in texts:  # (Counter.update counts in C)
        seen = set(chain.from_iterable(map(_keyed_forms, set(WORD_RE.findall(strip_marks(text))))))
        pairs.update(seen)
        keys.update({key for key, _ in seen})
    counts: Counts = {key: [n, {}] for key, n in keys.items()}
    for (key, form), n in pairs.items():
        counts[key][1][form] = n
    return counts


@lru_cache(maxsize=262_144)
def _keyed_forms(word: str) -> tuple[tuple[str, str], ...]:
    return tuple((lookup_key(form), form) for form in matching.bare_forms(word))


def shard_mask(bits: Iterable[int]) -> str:
    """Shard positions (0: the oldest shard) as the hexadecimal bit mask the page reads."""
    mask = 0
    for bit in bits:
        mask |= 1 << bit
    return f"{mask:x}"


def presence(parts: Iterable[Counts]) -> dict[str, list[int]]:
    """key -> the positions of the ``parts`` (one per shard, the oldest first) it occurs in."""
    found: dict[str, list[int]] = {}
    for position, part in enumerate(parts):
        for key in part:
            found.setdefault(key, []).append(position)
    return found


def merge(parts: Iterable[Counts]) -> Counts:
    total: Counts = {}
    for part in parts:
        for key, (n, spellings) in part.items():
            entry = total.get(key)
            if entry is None:
                total[key] = [n, dict(spellings)]
                continue
            entry[0] += n
            for form, m in spellings.items():
                entry[1][form] = entry[1].get(form, 0) + m
    return total


def word_buckets(counts: Counts, articles: int,
                 shards: Mapping[str, list[int]]) -> dict[str, dict]:
    """Bucket name → ``{key: [articles, shard mask, spelling, articles, ...]}`` for
    the keys in enough of the ``articles`` (see ``ARTICLES_PER_THRESHOLD``), spellings most
    common first (none when the only one is the key itself); ``shards``: :func:`presence`."""
    least = 1 + articles // ARTICLES_PER_THRESHOLD
    buckets: dict[str, dict] = {}
    for key in sorted(counts):
        n, spellings = counts[key]
        if n < least:
            continue
        ranked = sorted(spellings.items(), key=lambda item: (-item[1], item[0]))
        kept = [x for form, m in ranked[:SPELLINGS] if m * 10 >= n for x in (form, m)]
        if kept[0] == key and len(kept) == 2:
            kept = []  # spelt as its key: the page searches the key
        buckets.setdefault(bucket_of(key), {})[key] = [n, shard_mask(shards[key]), *kept]
    return buckets


def load_counts(file: Path, digest: str) -> Counts | None:
    """A shard's counts saved by :func:`save_counts`, if made for this digest."""
    try:
        with gzip.open(file, "rt", encoding="utf-8") as stream:
            data = json.load(stream)
    except (OSError, ValueError, EOFError):
        return None
    return data.get("counts") if isinstance(data, dict) and data.get("digest") == digest else None


def save_counts(file: Path, digest: str, counts: Counts) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(file, "wt", encoding="utf-8", compresslevel=3) as stream:
        json.dump({"digest": digest, "counts": counts}, stream, ensure_ascii=False)


# -- names ----------------------------------------------------------------------------------

def name_entries(entities: Iterable, articles: Mapping[str, tuple], mentions: Mapping[str, int],
                 labels: Mapping[str, str],
                 shards: Mapping[str, Iterable[int]]) -> dict[str, dict[str, list[dict]]]:
    """Bucket → key → the cards of the entities with articles that answer to the key;
    ``shards``: entity -> the positions of the shards that hold its articles."""
    buckets: dict[str, dict[str, list[dict]]] = {}
    for entity in entities:
        count = len(articles.get(entity.id, ()))
        if not count:
            continue
        card = {"id": entity.id, "name": entity.name, "type": labels[entity.type],
                "url": entity.url, "articles": count, "mentions": mentions.get(entity.id, 0),
                "about": _plain(entity.description_html), "found": entity.found,
                "filter": [labels[entity.type], entity.name],
                "shards": shard_mask(shards.get(entity.id, ()))}
        names = [*entity.names, *((entity.name_en,) if entity.name_en else ())]
        if entity.type == "person" and entity.name_en and " " in entity.name_en.strip():
            names.append(entity.name_en.split()[-1])  # «Trump», as English speakers search
        for key in dict.fromkeys(filter(None, map(name_key, names))):
            cards = buckets.setdefault(bucket_of(key), {}).setdefault(key, [])
            cards.append(card)
    for keys in buckets.values():
        for cards in keys.values():
            cards.sort(key=lambda card: (-card["articles"], card["id"]))
    return buckets


def names_job_input(cards: dict[str, list[dict]]) -> str:
    """A names bucket's JSON, the input of its page (so its fingerprint is its content)."""
    return _json(cards).decode("utf-8")


def names_json(res, payload: str) -> bytes:
    """The builder of a names bucket's page."""
    return _pack(payload.encode("utf-8"))


# -- bucket files ---------------------------------------------------------------------------

def pack_bucket(value: dict) -> bytes:
    """A bucket file's bytes: its JSON, gzip-compressed (the same bytes for the same value)."""
    return _pack(_json(value))


def read_bucket(path: Path) -> dict:
    """A bucket file written by :func:`pack_bucket`."""
    return json.loads(gzip.decompress(path.read_bytes()))


def _pack(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


@lru_cache(maxsize=16_384)
def _plain(html: str) -> str:
    return summarize(html_blocks(html), DESCRIPTION) if html else ""


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True).encode("utf-8")

"""Stop words: common words an entity's name or alias may not be on its own (an alias «في»
would link every «في» of the archive).

Not hand-picked: ``make stopwords`` (``python -m generator.entities.stopwords``) takes the
``TOP`` words that most articles of ../shared's news corpus hold and keeps those that
ANERcorp's annotators (``anercorp-train.jsonl``) marked as part of a name at most
``NAME_SHARE`` of the (at least ``MIN_SEEN``) times they saw them, so «السعودية» or
«ترمب», common as they are, stay names. The list is kept as sorted text beside this module
(``stopwords.txt``, one lookup key per line), so the build needs no data from ../shared.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

from .matching import normalize, words

FILE = Path(__file__).with_name("stopwords.txt")
TOP = 300  # the most common words considered
NAME_SHARE = 0.02  # at most this share of a word's ANERcorp occurrences inside a name
MIN_SEEN = 5  # ANERcorp must have seen a word this often to call it never a name


@lru_cache(maxsize=1)
def stop_keys() -> frozenset[str]:
    return frozenset(FILE.read_text(encoding="utf-8").split())


def compute(corpus: Path, anercorp: Path) -> list[str]:
    """The stop words' lookup keys, from the corpus and ANERcorp (see the module docstring)."""
    articles: Counter[str] = Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as stream:
        for line in stream:
            item = json.loads(line)
            text = f"{item.get('title') or ''}\n{item.get('body') or ''}"
            articles.update({key for key in map(normalize, words(text)) if key.isalpha()})
    seen: Counter[str] = Counter()
    named: Counter[str] = Counter()
    with anercorp.open(encoding="utf-8") as stream:
        for line in stream:
            item = json.loads(line)
            for token, tag in zip(item["tokens"], item["tags"], strict=True):
                key = normalize(token)
                seen[key] += 1
                named[key] += tag != "O"
    common = [key for key, _ in articles.most_common(TOP)]
    return sorted(key for key in common
                  if seen[key] >= MIN_SEEN and named[key] <= NAME_SHARE * seen[key])


def main(argv: list[str] | None = None) -> None:
    shared = Path(__file__).resolve().parents[3] / "shared"
    parser = argparse.ArgumentParser(description="Write generator/entities/stopwords.txt.")
    parser.add_argument("--corpus", type=Path, default=shared / "corpus" / "ant-v2.1-news.jsonl.gz")
    parser.add_argument("--anercorp", type=Path, default=shared / "ner" / "anercorp-train.jsonl")
    args = parser.parse_args(argv)
    keys = compute(args.corpus, args.anercorp)
    FILE.write_text("\n".join(keys) + "\n", encoding="utf-8")
    print(f"{FILE}: {len(keys)} stop words of the {TOP} most common")


if __name__ == "__main__":
    main()

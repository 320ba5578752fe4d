"""Named-entity model benchmark: `make bench` (or `python tests/bench/bench_ner.py`).

- entity-level precision, recall and F1 (exact span and type), per type and overall, of the
  shipped model on the development split (the last tenth of ../shared/ner/anercorp-train.jsonl,
  never trained on);
- tokens per second on one core through the whole path (tokenise, features, tag) over
  corpus articles, median of --runs passes (the first pass, with an empty word-type cache,
  reported too);
- the model's size.

Prints a Markdown table; --write appends it to tests/bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
RESULTS = REPO / "tests" / "bench" / "RESULTS.md"


def main() -> None:
    from generator.ner import train
    from generator.ner.tagger import MODEL_DIR, Recogniser, sentences

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles for the speed test")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="append to tests/bench/RESULTS.md")
    args = parser.parse_args()
    data = SHARED / "ner" / "anercorp-train.jsonl"
    corpus = SHARED / "corpus" / "ant-v2.1-news.jsonl.gz"
    if not data.exists() or not corpus.exists():
        sys.exit("skipped: ../shared/ner or ../shared/corpus is absent")

    _, dev = train.split(train.read_rows(data))
    scores = train.evaluate(Recogniser(), dev)
    table = ["", f"### Named-entity model ({time.strftime('%Y-%m-%d')})", "",
             f"Development split: the last {len(dev):,} sentences of anercorp-train.jsonl "
             "(never trained on); exact span and type.", "",
             "| type | precision | recall | F1 | gold |", "| --- | ---: | ---: | ---: | ---: |"]
    for kind, s in scores.items():
        table.append(f"| {kind} | {100 * s.precision:.1f} | {100 * s.recall:.1f} | "
                     f"{100 * s.f1:.1f} | {s.gold} |")

    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        texts = [json.loads(line)["body"] for line in itertools.islice(lines, args.articles)]
    tokens = sum(len(s) for text in texts for s in sentences(text))
    rates = []
    recogniser = Recogniser()
    for run in range(args.runs + 1):
        if run == 1:
            recogniser = Recogniser()  # the first run was with a cold word-type cache
        started = time.process_time()
        for text in texts:
            recogniser.recognise(text)
        rates.append(tokens / (time.process_time() - started))
    size = sum(p.stat().st_size for p in MODEL_DIR.iterdir())
    table += ["", f"Speed over {len(texts):,} corpus articles ({tokens:,} tokens), one core: "
                  f"{statistics.median(rates[1:]):,.0f} tokens/s (median of {args.runs}; "
                  f"{rates[0]:,.0f} with a cold word-type cache). Model: "
                  f"{size / 2**20:.1f} MB."]
    print("\n".join(table))
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(table) + "\n")


if __name__ == "__main__":
    main()

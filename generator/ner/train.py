"""Training the named-entity model from ../shared/ner (``make ner-model``).

    python -m generator.ner.train [--data ../shared/ner] [--corpus ../shared/corpus]
                                  [--out generator/ner/model]

The last tenth of ``anercorp-train.jsonl`` is the development split: it is never trained
on, and the scores printed (and written to ``scores.json``) are measured on it. The
lexicon holds the ANERgazet names and word clusters learnt from the unlabelled corpus
(:mod:`.clusters`). Training is deterministic: the same data gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pycrfsuite

from .evaluate import score
from .features import Featuriser, Lexicon, read_gazetteer_lines
from .lexicon import write_lexicon
from .tagger import CRF_FILE, LEXICON_FILE, MODEL_DIR, Recogniser, sentences

GAZETTEERS = {"LOC": "AlignedLocGazetteer.txt", "ORG": "AlignedOrgGazetteer.txt",
              "PERS": "AlignedPersGazetteer.txt"}
DEV_FRACTION = 10  # the last tenth
PARAMS = {"c1": 0.05, "c2": 0.02, "max_iterations": 600,
          "feature.possible_transitions": True}


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    cut = len(rows) - len(rows) // DEV_FRACTION
    return rows[:cut], rows[cut:]


def bio(tokens: list[tuple[int, int, str]], entities: list[dict]) -> list[str]:
    """BIO tags of tokens from character-offset entities."""
    tags = ["O"] * len(tokens)
    for entity in entities:
        first = True
        for i, (start, end, _) in enumerate(tokens):
            if start >= entity["start"] and end <= entity["end"]:
                tags[i] = ("B-" if first else "I-") + entity["type"]
                first = False
    return tags


def training_sequences(rows: list[dict], featuriser: Featuriser):
    for row in rows:
        text = row["text"]
        for sentence in sentences(text):
            base = sentence[0][0]
            words = [token for _, _, token in sentence]
            items = featuriser.sequence(words, text[base:sentence[-1][1]],
                                        [start - base for start, _, _ in sentence])
            yield items, bio(sentence, row["entities"])


def train(rows: list[dict], lexicon: Lexicon, crf_path: Path, params: dict = PARAMS) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    for items, tags in training_sequences(rows, Featuriser(lexicon)):
        trainer.append(items, tags)
    trainer.set_params(params)
    trainer.train(str(crf_path))


def evaluate(recogniser: Recogniser, rows: list[dict]) -> dict:
    pairs = []
    for row in rows:
        gold = [(e["start"], e["end"], e["type"]) for e in row["entities"]]
        predicted = [(s.start, s.end, s.type) for s in recogniser.recognise(row["text"])]
        pairs.append((gold, predicted))
    return score(pairs)


def load_lexicon(data: Path, corpus: Path | None) -> Lexicon:
    gazetteer = {kind: read_gazetteer_lines(
        (data / "anergazet" / name).read_text(encoding="utf-8").splitlines())
        for kind, name in GAZETTEERS.items()}
    clusters: dict[str, str] = {}
    if corpus is not None:
        from .clusters import learn_clusters
        clusters = learn_clusters(corpus)
    return Lexicon(gazetteer, clusters)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.ner.train")
    parser.add_argument("--data", type=Path, default=Path("../shared/ner"))
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--no-clusters", action="store_true")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args(argv)
    source = args.data / "anercorp-train.jsonl"
    if not source.is_file():
        print(f"error: {source}: not found (the ANERcorp data lives in ../shared/ner)",
              file=sys.stderr)
        return 1
    started = time.perf_counter()
    train_rows, dev_rows = split(read_rows(source))
    lexicon = load_lexicon(args.data, None if args.no_clusters else args.corpus)
    args.out.mkdir(parents=True, exist_ok=True)
    write_lexicon(args.out / LEXICON_FILE, lexicon)
    train(train_rows, lexicon, args.out / CRF_FILE)
    scores = evaluate(Recogniser(args.out), dev_rows)
    report = {kind: {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                     "f1": round(s.f1, 4), "gold": s.gold} for kind, s in scores.items()}
    (args.out / "scores.json").write_text(json.dumps(
        {"development_split": f"last {len(dev_rows)} of {len(train_rows) + len(dev_rows)} "
         "sentences of anercorp-train.jsonl", "scores": report},
        ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for kind, s in scores.items():
        print(f"{kind:5} {s.line()}")
    print(f"trained on {len(train_rows)} sentences in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Entity-level scores: a predicted name counts only if its span and type are both exact
(the CoNLL convention). Precision, recall and F1 per type and over all types."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

Entity = tuple[int, int, str]  # start, end, type


@dataclass(frozen=True)
class Score:
    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (f"P {100 * self.precision:5.1f}  R {100 * self.recall:5.1f}  "
                f"F1 {100 * self.f1:5.1f}  ({self.gold} gold, {self.predicted} predicted)")


def score(pairs: Iterable[tuple[Iterable[Entity], Iterable[Entity]]]) -> dict[str, Score]:
    """Scores of (gold, predicted) entity sets, one pair per document; key "ALL" for the
    micro-average over every type."""
    tp: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    for gold_entities, predicted_entities in pairs:
        gold_set, predicted_set = set(gold_entities), set(predicted_entities)
        for _, _, kind in gold_set:
            gold[kind] += 1
        for entity in predicted_set:
            predicted[entity[2]] += 1
            if entity in gold_set:
                tp[entity[2]] += 1
    kinds = sorted(gold.keys() | predicted.keys())
    scores = {k: Score(tp[k], predicted[k], gold[k]) for k in kinds}
    scores["ALL"] = Score(sum(tp.values()), sum(predicted.values()), sum(gold.values()))
    return scores

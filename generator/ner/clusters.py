"""Word clusters learnt from unlabelled news (../shared/corpus), for the tagger's features.

Each frequent word (its bare form: no proclitics, no article) is described by the words
seen just before and after it across the corpus (log counts over the most frequent
context words, rows normalised), reduced to its leading principal components; the words
are then split in two along the principal direction of each group, recursively
(principal direction divisive partitioning), which gives every word a bit string whose
prefixes are coarser and coarser classes, as Brown clusters do. A name the training data
never showed still shares its cluster with names that did («بومبيو» with «تيلرسون»).

This runs only in ``make ner-model`` (it needs numpy, a training-time dependency); the
result is a table in the lexicon file. Deterministic: no random numbers, one BLAS thread.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter
from pathlib import Path

from ..entities.matching import normalize, words
from .features import bare

VOCABULARY = 60_000  # words that get a cluster
MIN_COUNT = 8
CONTEXT_WORDS = 1_000  # context vocabulary on each side
COMPONENTS = 100
GRANULARITY = (64, 256, 1024)  # numbers of clusters: one label per word at each


def corpus_texts(folder: Path):
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                yield f"{record.get('title') or ''}\n{record.get('body') or ''}"


def _sequences(folder: Path):
    cache: dict[str, str] = {}
    for text in corpus_texts(folder):
        out = []
        for token in words(text):
            form = cache.get(token)
            if form is None:
                form = cache[token] = bare(normalize(token))
            out.append(form)
        yield out


def learn_clusters(folder: Path) -> dict[str, str]:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one thread: the same sums each run
    import numpy as np

    counts: Counter[str] = Counter()
    sequences = []
    for sequence in _sequences(folder):
        counts.update(sequence)
        sequences.append(sequence)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    vocabulary = [w for w, c in ranked[:VOCABULARY] if c >= MIN_COUNT]
    row = {w: i for i, w in enumerate(vocabulary)}
    column = {w: i for i, (w, _) in enumerate(ranked[:CONTEXT_WORDS])}
    pairs: Counter[int] = Counter()
    width = 2 * CONTEXT_WORDS
    for sequence in sequences:
        ids = [row.get(w, -1) for w in sequence]
        contexts = [column.get(w, -1) for w in sequence]
        for i in range(1, len(sequence)):
            left, right = ids[i - 1], ids[i]
            if right >= 0 and contexts[i - 1] >= 0:
                pairs[right * width + contexts[i - 1]] += 1  # what precedes the word
            if left >= 0 and contexts[i] >= 0:
                pairs[left * width + CONTEXT_WORDS + contexts[i]] += 1  # what follows it
    del sequences
    reduced = _embed(np, pairs, len(vocabulary), width)
    labels = [_kmeans(np, reduced, k) for k in GRANULARITY]
    return {word: ".".join(str(int(ids[i])) for ids in labels)
            for i, word in enumerate(vocabulary)}


def _embed(np, pairs: Counter[int], rows: int, width: int):
    """Unit vectors of the words' positive pointwise mutual information with their
    contexts, reduced to the leading principal components."""
    matrix = np.zeros((rows, width), dtype=np.float64)
    keys = np.fromiter(pairs.keys(), dtype=np.int64, count=len(pairs))
    values = np.fromiter(pairs.values(), dtype=np.float64, count=len(pairs))
    matrix[keys // width, keys % width] = values
    total = matrix.sum()
    expected = np.outer(matrix.sum(axis=1), matrix.sum(axis=0)) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(matrix / expected)
    matrix = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)
    _, vectors = np.linalg.eigh(matrix.T @ matrix)
    reduced = matrix @ vectors[:, ::-1][:, :COMPONENTS]
    return reduced / np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-12)


def _kmeans(np, points, k: int, rounds: int = 25):
    """Spherical k-means from a seeded k-means++ start (deterministic)."""
    rng = np.random.default_rng(k)
    centres = [points[rng.integers(len(points))]]
    nearest = 1 - points @ centres[0]
    for _ in range(1, k):
        weights = np.maximum(nearest, 0) ** 2
        pick = rng.choice(len(points), p=weights / weights.sum())
        centres.append(points[pick])
        nearest = np.minimum(nearest, 1 - points @ points[pick])
    centres = np.array(centres)
    labels = np.zeros(len(points), dtype=np.int64)
    for _ in range(rounds):
        labels = np.argmax(points @ centres.T, axis=1)
        for c in range(k):
            members = points[labels == c]
            if len(members):
                mean = members.sum(axis=0)
                centres[c] = mean / max(np.linalg.norm(mean), 1e-12)
    return labels

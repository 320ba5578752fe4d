"""The stop-word list (generator/entities/stopwords.py): made from the data, not by hand."""

from __future__ import annotations

import pytest
from conftest import ANT_CORPUS, REPO, require_shared

from generator.entities import stopwords
from generator.entities.matching import normalize


def test_the_list_holds_function_words_not_names():
    keys = stopwords.stop_keys()
    assert {normalize(w) for w in ("في", "من", "عن", "الذي", "قال")} <= keys
    # Common in the news, but names: ANERcorp's annotators marked them so.
    assert not {normalize(w) for w in ("السعودية", "مصر", "ترمب", "إيران")} & keys
    # «على» folds to «علي», which is also a given name: not a stop word.
    assert normalize("على") not in keys
    lines = stopwords.FILE.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(set(lines))


@pytest.mark.corpus
def test_the_list_is_what_make_stopwords_writes():
    corpus = require_shared(ANT_CORPUS)
    anercorp = require_shared(REPO.parent / "shared" / "ner" / "anercorp-train.jsonl")
    assert stopwords.compute(corpus, anercorp) == sorted(stopwords.stop_keys())

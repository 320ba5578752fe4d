"""The named-entity tagger (generator/ner/): real sentences, the scoring code, the `ner`
command, the shipped model and its training."""

from __future__ import annotations

import json

import pytest
from conftest import SHARED, require_shared, run_generator

from generator.ner.evaluate import score
from generator.ner.tagger import MODEL_DIR, Recogniser, sentences, spans


@pytest.fixture(scope="module")
def recogniser() -> Recogniser:
    return Recogniser()


def names(recogniser: Recogniser, text: str) -> list[tuple[str, str]]:
    return [(span.text, span.type) for span in recogniser.recognise(text)]


@pytest.mark.parametrize("text, expected", [
    ("التقى وزير الخارجية سيرغي لافروف نظيره الأمريكي مايك بومبيو في جنيف.",
     [("سيرغي لافروف", "PERS"), ("مايك بومبيو", "PERS"), ("جنيف", "LOC")]),
    ("أعلن ولي العهد السعودي الأمير محمد بن سلمان عن مشروع نيوم في الرياض.",
     [("محمد بن سلمان", "PERS"), ("نيوم", "ORG"), ("الرياض", "LOC")]),
    ("ذكرت صحيفة واشنطن بوست أن الرئيس غادر واشنطن أمس.",
     [("واشنطن بوست", "ORG"), ("واشنطن", "LOC")]),
    ("وقالت كريستين لاغارد في برلين إن الاقتصاد يتعافى.",
     [("كريستين لاغارد", "PERS"), ("برلين", "LOC")]),
])
def test_the_tagger_finds_people_places_and_organisations(recogniser, text, expected):
    assert names(recogniser, text) == expected


@pytest.mark.parametrize("text", [
    "ارتفعت أسعار النفط في الأسواق العالمية خلال تعاملات اليوم بعد قرار خفض الإنتاج.",
    "قال المتحدث إن الاجتماع سيعقد الأسبوع المقبل لمناقشة الموازنة الجديدة.",
    "",
    "!!! ... ؟؟",
])
def test_the_tagger_finds_nothing_where_no_name_is(recogniser, text):
    assert names(recogniser, text) == []


def test_offsets_point_into_the_text_across_lines_and_hashtags(recogniser):
    text = "عنوان\n\nأطلق الرئيس #دونالد\\_ترمب حربا تجارية.\nوزار مايك بومبيو القاهرة."
    found = recogniser.recognise(text)
    assert found and all(text[s.start:s.end] == s.text for s in found)
    assert ("دونالد\\_ترمب", "PERS") in [(s.text, s.type) for s in found]
    # a line break ends a sentence: no name runs across it
    assert all("\n" not in s.text for s in found)


def test_sentences_split_at_sentence_ends_and_line_breaks():
    parts = sentences("أ ب. ج د\nهـ")
    assert [[t for _, _, t in s] for s in parts] == [["أ", "ب", "."], ["ج", "د"], ["هـ"]]


def test_bio_tags_become_spans():
    text = "زار سيرغي لافروف موسكو وباريس"
    tokens = [(m, m + len(w), w) for m, w in
              ((text.index(w), w) for w in text.split())]
    tags = ["O", "B-PERS", "I-PERS", "B-LOC", "I-ORG"]  # a stray I- starts a name of its own
    assert [(s.text, s.type) for s in spans(text, tokens, tags)] == [
        ("سيرغي لافروف", "PERS"), ("موسكو", "LOC"), ("وباريس", "ORG")]


def test_scores_match_a_hand_computed_example():
    gold = [(0, 5, "PERS"), (10, 15, "LOC"), (20, 30, "ORG"), (40, 45, "LOC")]
    predicted = [(0, 5, "PERS"), (10, 15, "ORG"), (20, 29, "ORG"), (40, 45, "LOC"),
                 (50, 55, "PERS")]
    scores = score([(gold, predicted)])
    # exact span and type: 2 of 5 predicted are right, 2 of 4 gold are found
    assert (scores["ALL"].true_positives, scores["ALL"].predicted, scores["ALL"].gold) == (2, 5, 4)
    assert scores["ALL"].precision == pytest.approx(0.4)
    assert scores["ALL"].recall == pytest.approx(0.5)
    assert scores["ALL"].f1 == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    assert (scores["PERS"].precision, scores["PERS"].recall) == (0.5, 1.0)
    assert (scores["LOC"].precision, scores["LOC"].recall) == (1.0, 0.5)
    assert (scores["ORG"].precision, scores["ORG"].recall, scores["ORG"].f1) == (0.0, 0.0, 0.0)


def test_the_shipped_model_is_small_and_scored_on_held_out_text():
    size = sum(p.stat().st_size for p in MODEL_DIR.iterdir())
    assert size <= 20 * 1024 * 1024
    report = json.loads((MODEL_DIR / "scores.json").read_text(encoding="utf-8"))
    assert "last" in report["development_split"]
    assert report["scores"]["ALL"]["f1"] >= 0.70  # measured 0.73 (see README)
    assert set(report["scores"]) == {"ALL", "LOC", "MISC", "ORG", "PERS"}


def test_the_ner_command_tags_a_jsonl_file(tmp_path):
    source = tmp_path / "in.jsonl"
    rows = [{"id": 1, "text": "زار مايك بومبيو جنيف."}, {"id": "b", "text": "لا شيء هنا."}]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n",
                      encoding="utf-8")
    target = tmp_path / "out" / "tags.jsonl"
    run = run_generator("ner", "--in", str(source), "--out", str(target))
    assert run.returncode == 0, run.stderr
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == [1, "b"]
    assert out[1]["entities"] == []
    for entity in out[0]["entities"]:
        assert rows[0]["text"][entity["start"]:entity["end"]] == entity["text"]
    assert [(e["text"], e["type"]) for e in out[0]["entities"]] == [
        ("مايك بومبيو", "PERS"), ("جنيف", "LOC")]


@pytest.mark.parametrize("lines, line, message", [
    (['{"id": 1, "text": "نص"}', '{"id": 2, "text": '], 2, "not a JSON object"),
    (['{"id": 1, "text": "نص"}', '[1, 2]'], 2, "expected a JSON object"),
    (['{"text": "نص"}'], 1, 'missing "id"'),
    (['{"id": 1}', '{"id": 2, "text": "نص"}'], 1, '"text" must be a string'),
    (['{"id": 1, "text": 5}'], 1, '"text" must be a string'),
])
def test_the_ner_command_rejects_a_malformed_line_by_number(tmp_path, lines, line, message):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    run = run_generator("ner", "--in", str(source), "--out", str(target))
    assert run.returncode == 1
    assert f"in.jsonl:{line}: {message}" in run.stderr
    assert "Traceback" not in run.stderr
    assert not target.exists()


def test_the_ner_command_rejects_bytes_that_are_not_utf8(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": 1, "text": "ok"}\n{"id": 2, "text": "\xff"}\n')
    run = run_generator("ner", "--in", str(source), "--out", str(tmp_path / "o.jsonl"))
    assert run.returncode == 1 and "in.jsonl:2: not UTF-8 text" in run.stderr


@pytest.mark.slow
@pytest.mark.corpus
def test_training_rebuilds_the_shipped_model_byte_for_byte(request):
    """What `make ner-model` runs: the same data gives the same files. (The training was
    started with the session: see conftest's ``training_run``.)"""
    require_shared(SHARED / "ner" / "anercorp-train.jsonl")
    pytest.importorskip("numpy", reason="numpy (the ner-train extra) is not installed")
    run, out = request.getfixturevalue("training_run")
    assert run.returncode == 0, run.stderr
    for name in ("ner.crfsuite", "lexicon.tsv", "scores.json"):
        assert (out / name).read_bytes() == (MODEL_DIR / name).read_bytes(), name

"""The search page's word lists and entity names (generator/search_words.py), and the rules
it hands to the page."""

from __future__ import annotations

import pytest
from conftest import load_engine

from generator.entities.matching import bare_forms
from generator.search_words import (
    bucket_of,
    count_words,
    lookup_key,
    merge,
    name_key,
    presence,
    read_bucket,
    rules,
    shard_mask,
    word_buckets,
)


@pytest.mark.parametrize("word, forms", [
    ("والانتخابات", ("انتخابات",)),  # proclitic and article
    ("الانتخابات", ("انتخابات",)),
    ("للقاهرة", ("قاهرة",)),  # ل + ال with the alef elided
    ("انتخابات", ("انتخابات",)),
    ("لموسكو", ("لموسكو", "موسكو")),  # no article: the word and its stems
    ("الله", ("الله",)),  # too short without the article
    ("الذي", ("الذي",)),
])
def test_bare_forms(word, forms):
    assert bare_forms(word) == forms


def test_lookup_keys_fold_spelling_variants_and_latin_accents():
    assert lookup_key("أردوغان") == lookup_key("اردوجان") == "اردوجان"
    assert lookup_key("القاهرة") == lookup_key("القاهره")
    assert lookup_key("مصطفى") == lookup_key("مصطفي")
    assert lookup_key("Erdoğan") == "erdogan"
    assert lookup_key("مُؤتمر") == "مؤتمر"  # hamza on waw stays one letter
    assert name_key("رجب طيب أردوغان") == "رجب طيب اردوجان"
    assert bucket_of("اردوجان") == "627-631"
    assert bucket_of("الجامعه العربيه") == bucket_of("جامعه") == "62c-627"  # after ال
    assert bucket_of("الله") == "644-647"
    assert bucket_of("ال") == "627-644"


def test_word_lists_count_articles_and_keep_common_spellings():
    parts = [count_words(["زار أردوغان القاهرة والانتخابات", "أردوغان في القاهره"]),
             count_words(["اردوغان يصل", "الانتخابات"])]
    counts, shards = merge(parts), presence(parts)
    assert counts[lookup_key("انتخابات")][0] == 2
    assert counts[lookup_key("أردوغان")] == [3, {"أردوغان": 2, "اردوغان": 1}]
    assert counts[lookup_key("قاهرة")][1] == {"قاهرة": 1, "قاهره": 1}
    buckets = word_buckets(counts, 4, shards)
    erdogan = buckets[bucket_of("اردوجان")]["اردوجان"]
    assert erdogan == [3, "3", "أردوغان", 2, "اردوغان", 1]  # both shards; most articles first
    assert buckets[bucket_of("يصل")]["يصل"] == [1, "2"]  # spelt as its key; shard 1
    assert buckets[bucket_of("قاهره")]["قاهره"][:2] == [2, "1"]  # shard 0 only
    # A large archive lists only the words in a few articles.
    assert bucket_of("يصل") not in word_buckets(counts, 20_000, shards)
    assert word_buckets(counts, 20_000, shards)[bucket_of("اردوجان")]


def test_shard_masks_are_hexadecimal_bit_masks():
    assert shard_mask([]) == "0"
    assert shard_mask([0]) == "1"
    assert shard_mask([0, 3]) == "9"
    assert shard_mask(range(14)) == "3fff"
    assert int(shard_mask([40]), 16) == 1 << 40  # more shards than a 32-bit integer holds


def test_rules_fold_each_character_as_python_does():
    table = rules()
    assert table["fold"]["أ"] == "ا" and table["fold"]["ة"] == "ه" and table["fold"]["غ"] == "ج"
    assert table["fold"]["\u064e"] == ""  # fatha: dropped
    assert table["fold"]["ğ"] == "g"
    for char, folded in table["fold"].items():
        assert lookup_key(char) == folded
    assert table["nouns"]["result"]["two"] == "نتيجتان"


@pytest.fixture
def archive(site):
    site.write("entities/person/erdogan.toml", 'name = "رجب طيب أردوغان"\naliases = ["أردوغان"]\n'
               'name_en = "Recep Tayyip Erdoğan"\ndescription = "رئيس **تركيا**."\n')
    site.write("entities/place/cairo.toml", 'name = "القاهرة"\n')
    site.write("entities/place/paris.toml", 'name = "باريس"\n')  # in no article
    site.article("a", title="قبل الانتخابات", date="2019-03-19", body="وصل أردوغان إلى القاهرة.")
    site.article("b", title="انتخابات", date="2019-03-20", body="فاز أردوغان في الانتخابات.")
    return site


def test_build_writes_names_and_word_lists(archive):
    archive.build()
    names = archive.public / "search" / "names"
    card = read_bucket(names / f"{bucket_of('اردوجان')}.json.gz")["اردوجان"][0]
    assert card == {"id": "erdogan", "name": "رجب طيب أردوغان", "type": "أشخاص",
                    "url": "entities/erdogan/", "articles": 2, "mentions": 2,
                    "about": "رئيس تركيا.", "found": False, "filter": ["أشخاص", "رجب طيب أردوغان"],
                    "shards": "1"}
    by_key = {}
    for file in names.glob("*.json.gz"):
        by_key.update(read_bucket(file))
    assert {"رجب طيب اردوجان", "recep tayyip erdogan", "erdogan", "القاهره"} <= set(by_key)
    assert not any(card["id"] == "paris" for cards in by_key.values() for card in cards)
    words = archive.public / "pagefind" / "words"
    listed = {}
    for file in words.glob("*.json.gz"):
        listed.update(read_bucket(file))
    assert listed[lookup_key("انتخابات")][0] == 2  # «انتخابات» and «الانتخابات»
    assert listed[lookup_key("أردوغان")] == [2, "1", "أردوغان", 2]


def test_word_lists_follow_edits_and_are_counted_per_shard(archive):
    archive.build()
    words = archive.public / "pagefind" / "words"
    key = lookup_key("برلمان")
    assert key not in read_bucket(words / f"{bucket_of(key)}.json.gz") \
        if (words / f"{bucket_of(key)}.json.gz").exists() else True
    archive.article("c", title="البرلمان", date="2020-01-01", body="اجتمع البرلمان.")
    run = archive.build()
    assert "words listed" in run.out
    assert read_bucket(words / f"{bucket_of(key)}.json.gz")[key][0] == 1
    # Nothing changed: the word lists are not computed again.
    assert "words listed" not in archive.build().out
    snapshot = load_engine(archive.root / "site.toml").snapshot
    assert len(snapshot.site.articles) == 3


def test_damaged_word_counts_in_the_cache_are_counted_again(archive):
    archive.build("--cache", str(archive.root / "cache"))
    saved = list((archive.root / "cache" / "search" / "words").glob("*.json.gz"))
    assert saved
    for file in saved:
        file.write_bytes(b"not gzip")
    archive.article("c", title="البرلمان", date="2019-03-21", body="اجتمع البرلمان.")
    archive.build("--cache", str(archive.root / "cache"))
    listed = {}
    for file in (archive.public / "pagefind" / "words").glob("*.json.gz"):
        listed.update(read_bucket(file))
    assert listed[lookup_key("برلمان")][0] == 1
    assert listed[lookup_key("أردوغان")][0] == 2  # the damaged shard was counted again


def test_only_reindexed_shards_are_counted_again(archive):
    archive.write_config(search_shard_size=1)
    cache = archive.root / "cache"
    archive.build("--cache", str(cache))
    files = {f.name: f.stat().st_mtime_ns for f in (cache / "search" / "words").glob("*.gz")}
    assert len(files) == 2  # one shard per article here
    archive.article("c", title="البرلمان", date="2020-01-01", body="اجتمع البرلمان.")
    archive.build("--cache", str(cache))
    after = {f.name: f.stat().st_mtime_ns for f in (cache / "search" / "words").glob("*.gz")}
    assert {name: after[name] for name in files} == files  # read from the cache
    assert len(after) == 3


def test_masks_name_the_shards_that_hold_a_word_or_an_entity(archive):
    archive.write_config(search_shard_size=1)  # one shard per article: a (oldest), b, c
    archive.article("c", title="البرلمان", date="2020-01-01", body="اجتمع البرلمان.")
    archive.build()
    listed, names = {}, {}
    for file in (archive.public / "pagefind" / "words").glob("*.json.gz"):
        listed.update(read_bucket(file))
    for file in (archive.public / "search" / "names").glob("*.json.gz"):
        names.update(read_bucket(file))
    assert listed[lookup_key("برلمان")][1] == "4"  # the newest shard only
    assert listed[lookup_key("انتخابات")][1] == "3"  # the two older ones
    assert names["اردوجان"][0]["shards"] == "3"

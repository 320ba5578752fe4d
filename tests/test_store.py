"""The record store's vocabularies: read once, then kept in step with writes and deletes."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from generator.store import RecordStore, pack_words


def test_vocabularies_stay_in_step_with_writes_and_deletes(tmp_path):
    store = RecordStore(tmp_path / "cache.sqlite")
    store.put_words("a.md", pack_words(" القاهره "))
    store.put_words("b.md", None)
    store.flush()
    assert store.vocabularies() == {"a.md": " القاهره ", "b.md": None}
    store.put_words("a.md", pack_words(" موسكو "))  # after the first read: kept in memory too
    assert store.vocabularies()["a.md"] == " موسكو "
    store.flush()
    store.forget([], ["b.md"])
    assert store.vocabularies() == {"a.md": " موسكو "}
    other = RecordStore(tmp_path / "cache.sqlite")  # another process sees what was written
    assert other.vocabularies() == {"a.md": " موسكو "}
    store.keep_only([], [])
    assert store.vocabularies() == {}
    store.close()
    other.close()


def _record(title="خبر", mentions=()):
    from datetime import datetime
    from pathlib import Path

    from generator.model import Article, Body, with_digest

    body = Body("<p>نص</p>", "نص")
    article = Article(source=Path("a.md"), slug="a", url="articles/a/", title=title,
                      date=datetime(2019, 3, 19), summary="", word_count=1, mentions=mentions)
    return with_digest(article, body), body


def _same(one, other) -> bool:
    """Records compare by identity; these compare by digest (of every field) and title."""
    return (one.digest, one.title) == (other.digest, other.title)


def test_mentions_load_without_the_rest_of_the_record(tmp_path):
    """Entity pages show one mention of each of their articles: neither the article nor its
    body is unpacked, and the records not in memory are read in one query."""
    import sqlite3

    from generator.model import Mention
    from generator.store import pack

    store = RecordStore(tmp_path / "cache.sqlite")
    records = {f"d{n}": _record(f"خبر {n}", (Mention(f"e{n}", n, "القاهرة", "في", "اليوم"),))
               for n in range(1, 4)}
    for digest, (article, body) in records.items():
        store.put(digest, None, pack(article, body))
    expected = {d: article.mentions for d, (article, _) in records.items()}
    assert store.mentions(["d3", "d1"]) == {"d3": expected["d3"], "d1": expected["d1"]}
    store.flush()
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:  # the rest cannot be unpacked
        db.execute("UPDATE article_records SET article = x'00', body = x'00'")
    fresh = RecordStore(tmp_path / "cache.sqlite")
    queries = []
    fresh._db().set_trace_callback(queries.append)
    assert fresh.mentions(["d1", "d2", "d3"]) == expected
    assert len(queries) == 1
    assert fresh.mentions(["d2"]) == {"d2": expected["d2"]}  # kept in memory once loaded
    assert len(queries) == 1
    with pytest.raises(zlib.error):  # the rest is read only when asked for
        fresh.record("d1")
    with pytest.raises(KeyError, match="d9"):
        fresh.mentions(["d1", "d9"])
    store.close()
    fresh.close()


def test_a_lost_record_is_named_by_its_article(tmp_path):
    from generator.errors import BuildError
    from generator.model import Entry

    store = RecordStore(tmp_path / "cache.sqlite")
    article, body = _record()
    store.put(article.digest, (article, body))
    lost = Entry.of(_record("آخر")[0])
    assert store.mentions_of([Entry.of(article)]) == [()]
    for load in (lambda: store.mentions_of([Entry.of(article), lost]),
                 lambda: store.of_entry(lost)):
        with pytest.raises(BuildError, match="lost an article's record") as failure:
            load()
        assert failure.value.path == Path(lost.source)
    store.close()


def test_missing_counts_the_records_the_store_cannot_give(tmp_path):
    store = RecordStore(tmp_path / "cache.sqlite")
    article, body = _record()
    store.put("d1", (article, body))
    assert store.missing(["d1", "d2"]) == 1  # d1 not written yet, but the store gives it
    store.flush()
    store.put("d3", (article, body))
    assert store.missing(["d1", "d3"]) == 0
    assert store.missing(["d1", "d2", "d2", "d4"]) == 2  # each digest counted once
    assert RecordStore(tmp_path / "cache.sqlite").missing(["d1", "d3"]) == 1  # d3 unwritten
    store.close()


@pytest.mark.parametrize("old", [
    "CREATE TABLE records (digest TEXT PRIMARY KEY, data BLOB)",  # records packed whole
    "CREATE TABLE articles (digest TEXT PRIMARY KEY, article BLOB, body BLOB)",  # no mentions
])
def test_a_cache_of_an_old_layout_is_replaced(tmp_path, old):
    """Records of an earlier layout are dropped: the state that used them is of another
    generator version and is discarded too."""
    import sqlite3

    path = tmp_path / "cache.sqlite"
    name = old.split()[2]
    with sqlite3.connect(path) as db:
        db.execute(old)
        db.execute(f"INSERT INTO {name} (digest) VALUES ('d1')")
    store = RecordStore(path)
    assert store.missing(["d1"]) == 1
    article, body = _record()
    store.put("d1", (article, body))
    store.flush()
    loaded, loaded_body = RecordStore(path).record("d1")
    assert _same(loaded, article) and loaded_body == body
    with sqlite3.connect(path) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert name not in tables and "article_records" in tables
    store.close()

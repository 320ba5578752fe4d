"""The record store's vocabularies: read once, then kept in step with writes and deletes."""

from __future__ import annotations

import zlib

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


def _record(title="خبر"):
    from datetime import datetime
    from pathlib import Path

    from generator.model import Article, Body, with_digest

    body = Body("<p>نص</p>", "نص")
    article = Article(source=Path("a.md"), slug="a", url="articles/a/", title=title,
                      date=datetime(2019, 3, 19), summary="", word_count=1)
    return with_digest(article, body), body


def _same(one, other) -> bool:
    """Records compare by identity; these compare by digest (of every field) and title."""
    return (one.digest, one.title) == (other.digest, other.title)


def test_an_article_loads_without_its_body(tmp_path):
    """Entity pages show an article's mentions, not its body: the body is not unpacked."""
    import sqlite3

    from generator.store import pack

    store = RecordStore(tmp_path / "cache.sqlite")
    article, body = _record()
    store.put("d1", None, pack(article, body))
    assert _same(store.article("d1"), article)  # from what is not written yet
    store.flush()
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:
        db.execute("UPDATE articles SET body = x'00'")  # a body that cannot be unpacked
    fresh = RecordStore(tmp_path / "cache.sqlite")
    assert _same(fresh.article("d1"), article)
    with pytest.raises(zlib.error):  # the body is read only when asked for
        fresh.record("d1")
    store.close()
    fresh.close()


def test_a_cache_of_the_old_layout_is_replaced(tmp_path):
    """Records packed whole (the layout before articles and bodies were apart) are dropped:
    the state that used them is of another generator version and is discarded too."""
    import sqlite3

    path = tmp_path / "cache.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE records (digest TEXT PRIMARY KEY, data BLOB)")
        db.execute("INSERT INTO records VALUES ('d1', x'00')")
    store = RecordStore(path)
    assert store.missing(["d1"]) == 1
    article, body = _record()
    store.put("d1", (article, body))
    store.flush()
    loaded, loaded_body = RecordStore(path).record("d1")
    assert _same(loaded, article) and loaded_body == body
    with sqlite3.connect(path) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert "records" not in tables and "articles" in tables
    store.close()

"""The record store's vocabularies: read once, then kept in step with writes and deletes."""

from __future__ import annotations

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

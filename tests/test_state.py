"""The state a build leaves for the next (``state.py``): how its rows hold the entries, and
how a build's first look at it serves its load."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

import pytest

from generator.config import load_config
from generator.model import Entry
from generator.state import StateStore, cache_folder, pack_entry, state_key, unpack_entry

MOMENTS = [
    datetime(2019, 3, 19),  # as written: no offset
    datetime(2019, 3, 19, 10, 30, 5, 120, tzinfo=timezone(timedelta(hours=3))),
    datetime(2018, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2020, 2, 29, 1, 2, 3, tzinfo=timezone(timedelta(hours=-4, minutes=-30))),
]


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("updated", [None, datetime(2021, 1, 1, 8, tzinfo=UTC)])
def test_an_entry_comes_back_from_its_row_as_it_was(moment, updated):
    entry = Entry("articles/2019/03/خبر/", "3fa2c1", "عنوان «الخبر»", "ملخص\nفي سطرين", moment,
                  updated, ("politics", "sport"), "skynews", ("iran",),
                  (("iran", 3), ("donald-trump", 1)), False, True,
                  "/content/articles/2019/03/خبر.md")
    back = unpack_entry(entry.source, pack_entry(entry))
    for name in (f.name for f in fields(Entry)):
        assert getattr(back, name) == getattr(entry, name), name
        assert type(getattr(back, name)) is type(getattr(entry, name)), name
    assert repr(back.date) == repr(moment)  # the same offset, or none: it sorts the same
    assert back.sort_key == entry.sort_key and back.day == entry.day
    assert back.entity_ids == ("iran", "donald-trump")


def test_a_damaged_row_is_an_error_the_state_store_catches():
    """``StateStore.load`` takes ValueError, EOFError and TypeError for a damaged state."""
    data = pack_entry(Entry("u", "d", "t", "s", MOMENTS[0], None, (), None, (), (), False,
                            False, "/x.md"))
    for damaged in (data[:7], b"not marshal at all"):
        with pytest.raises((ValueError, EOFError, TypeError)):
            unpack_entry("/x.md", damaged)


def test_a_load_uses_what_the_first_look_read_only_if_no_build_saved_since(site):
    """``survey`` peeks at the input signatures and output fingerprints; the load that
    follows takes them from the peek (not read twice), unless a state was saved in between:
    then what the peek read is out of date and the load reads its own."""
    site.article("one", title="الأول")
    site.article("two", title="الثاني", date="2019-04-02")
    site.build("--no-search")
    config = load_config(site.root / "site.toml")
    store, key = StateStore(cache_folder(config) / "cache.sqlite"), state_key(config, False)
    peeked, why = store.peek(key)
    assert why is None and peeked.serial
    assert any(file.startswith("articles/") for file in peeked.outputs)
    assert all(len(fingerprint) == 24 for fingerprint in peeked.outputs.values())
    state, _ = store.load(key, peeked)
    assert state.inputs is peeked.inputs and state.outputs is peeked.outputs
    assert state.serial == peeked.serial and len(state.entries) == 2

    edited = site.article("two", title="الثاني بعد التعديل", date="2019-04-02")
    site.build("--no-search")  # another build saves a state after the peek
    state, _ = store.load(key, peeked)
    assert state.serial != peeked.serial
    assert state.inputs is not peeked.inputs and state.outputs is not peeked.outputs
    assert state.inputs[str(edited)] != peeked.inputs[str(edited)]
    assert state.inputs == store.peek(key)[0].inputs

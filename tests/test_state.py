"""The state a build leaves for the next (``state.py``): how its rows hold the entries."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

import pytest

from generator.model import Entry
from generator.state import pack_entry, unpack_entry

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

"""Arabic dates (Babel), Hijri dates (hijridate), numerals and counted nouns."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from generator.config import Config, Paths
from generator.dates import Formatter, rfc3339


def formatter(**settings) -> Formatter:
    paths = Paths(*(["/tmp"] * 5))
    return Formatter(Config(title="t", base_url="/", paths=paths, **settings))


def test_gregorian_date_in_arabic():
    fmt = formatter()
    assert fmt.date(date(2019, 3, 19)) == "١٩ مارس ٢٠١٩"
    assert fmt.date(datetime(2019, 3, 19, 23, 0), "full") == "الثلاثاء، ١٩ مارس ٢٠١٩"
    assert formatter(locale="ar_SY", numerals="latn").date(date(2019, 3, 19)) == "19 آذار 2019"


def test_hijri_date():
    assert formatter().hijri(date(2019, 3, 19)) == "١٢ رجب ١٤٤٠ هـ"
    assert formatter(hijri=False).hijri(date(2019, 3, 19)) is None
    assert formatter().hijri(date(1900, 1, 1)) is None  # outside hijridate's range


@pytest.mark.parametrize("n, text", [(1, "مقال"), (2, "مقالان"), (3, "٣ مقالات"),
                                     (10, "١٠ مقالات"), (11, "١١ مقالًا"), (100, "١٠٠ مقال"),
                                     (0, "٠ مقالات")])
def test_counted_nouns_follow_arabic_plural_rules(n, text):
    assert formatter().count(n, "article") == text


def test_reading_time():
    assert formatter().reading_time(50) == "دقيقة"
    assert formatter().reading_time(900) == "٥ دقائق"


def test_rfc3339():
    assert rfc3339(datetime(2019, 3, 19)) == "2019-03-19T00:00:00+00:00"
    tz = timezone(timedelta(hours=3))
    assert rfc3339(datetime(2019, 3, 19, 10, tzinfo=tz)) == "2019-03-19T10:00:00+03:00"

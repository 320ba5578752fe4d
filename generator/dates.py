"""Dates and numbers as Arabic readers expect them.

Month names come from Babel's CLDR data for the configured locale (``ar``:
مارس, ``ar_SY``: آذار); Hijri dates from hijridate; digits are Arabic-Indic or
Latin by the ``numerals`` setting.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import hijridate
from babel import Locale
from babel.dates import format_date, get_month_names

from .config import Config

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# Arabic counted nouns by CLDR plural category. "one" and "two" stand without a number;
# "few" (3-10, and zero) takes the plural, "many" (11-99) the accusative singular,
# "other" (100, 1000...) the genitive singular. The search page counts with the same forms.
NOUNS = {
    "minute": {"one": "دقيقة", "two": "دقيقتان", "few": "دقائق", "many": "دقيقةً", "other": "دقيقة"},
    "article": {"one": "مقال", "two": "مقالان", "few": "مقالات", "many": "مقالًا", "other": "مقال"},
    "mention": {"one": "إشارة", "two": "إشارتان", "few": "إشارات", "many": "إشارةً",
                "other": "إشارة"},
    "result": {"one": "نتيجة واحدة", "two": "نتيجتان", "few": "نتائج", "many": "نتيجة",
               "other": "نتيجة"},
}


def rfc3339(moment: datetime) -> str:
    """Timestamps for Atom, the sitemap and JSON-LD; a naive time is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def utc_iso(moment: datetime) -> str:
    """A UTC timestamp that sorts as text (the search index's date sort key)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Formatter:
    """Locale-bound formatting used by templates (as filters) and feeds."""

    def __init__(self, config: Config):
        self.locale = Locale.parse(config.locale)
        self.arabic_digits = config.numerals == "arab"
        self.hijri_enabled = config.hijri
        self._months = get_month_names("wide", locale=self.locale)
        self._dates: dict[tuple[date, str], str] = {}

    def digits(self, value: object) -> str:
        text = str(value)
        return text.translate(_ARABIC_INDIC) if self.arabic_digits else text

    def date(self, value: date | datetime, style: str = "long") -> str:
        """«١٩ مارس ٢٠١٩» (``long``) or «الثلاثاء، ١٩ مارس ٢٠١٩» (``full``)."""
        day = value.date() if isinstance(value, datetime) else value
        key = (day, style)
        found = self._dates.get(key)
        if found is None:  # the same days recur on thousands of listing pages
            found = self._dates[key] = self.digits(format_date(day, style, locale=self.locale))
        return found

    def month(self, year: int, month: int) -> str:
        return self.digits(f"{self._months[month]} {year}")

    def month_name(self, month: int) -> str:
        return self._months[month]

    def hijri(self, value: date | datetime) -> str | None:
        """«١٢ رجب ١٤٤٠ هـ», or None when disabled or outside hijridate's range."""
        if not self.hijri_enabled:
            return None
        day = value.date() if isinstance(value, datetime) else value
        try:
            h = hijridate.Gregorian(day.year, day.month, day.day).to_hijri()
        except OverflowError:
            return None
        return self.digits(f"{h.day} {h.month_name('ar')} {h.year} {h.notation('ar')}")

    def count(self, number: int, noun: str) -> str:
        """A number with its noun in the right Arabic form: «مقالان», «٣ مقالات», «١١ مقالًا»."""
        forms = NOUNS[noun]
        form = self.locale.plural_form(number) if self.locale.language == "ar" else "other"
        if form in ("one", "two"):
            return forms[form]
        return f"{self.digits(number)} {forms['few' if form == 'zero' else form]}"

    def reading_time(self, words: int, per_minute: int = 180) -> str:
        return self.count(max(1, round(words / per_minute)), "minute")

"""Cleaning, slugs, summaries."""

from __future__ import annotations

import pytest

from generator.text import clean_line, clean_text, html_blocks, slugify, summarize


@pytest.mark.parametrize("raw, clean", [
    ("\u202b 1970: أبرز أفلام العام\u202c", "1970: أبرز أفلام العام"),  # bidi embedding
    ("تحويلات 26\u200e% يناير", "تحويلات 26% يناير"),  # LRM
    ("ﻗﺎﻝ ﻣﺼﺪﺭ ﻣﺴﺆﻭﻝ", "قال مصدر مسؤول"),  # presentation forms
    ("واﻷفلام", "والأفلام"),  # lam-alef ligature
    ("توزيع &#8220;موسوعة&#8221;", "توزيع \u201cموسوعة\u201d"),  # numeric entities
    ("&#39;عطاروت&#39;", "'عطاروت'"),
    ("أ&amp;quot;ب", 'أ"ب'),  # encoded twice
    ("\x1a\x1aمن احتفالات", "من احتفالات"),  # stray control characters
    ("\u200b\u200bأملهم", "أملهم"),  # zero-width spaces
    ("كلمة\u00a0\u00a0أخرى", "كلمة أخرى"),
    ("سطر\r\nسطر", "سطر\nسطر"),
    ("مُجمل البلديّن", "مُجمل البلديّن"),  # diacritics are words: kept
    ("لـ\"كسر", "لـ\"كسر"),  # tatweel kept
    ("٢٠١٩ و 2019", "٢٠١٩ و 2019"),
])
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_clean_line_joins_lines():
    assert clean_line(" عنوان\n  فرعي ") == "عنوان فرعي"


@pytest.mark.parametrize("title, slug", [
    ("وزير الخارجية الروسي يجري اتصالان بالجامعة العربية ومصر لـ\"كسر جمود الأزمة السورية\"",
     "وزير-الخارجية-الروسي-يجري-اتصالان-بالجامعة-العربية-ومصر"),
    ("مُجمل: الأزمة!", "مجمل-الأزمة"),
    ("#دارك_يالأخضر.. من \"تويتر\"", "دارك-يالأخضر-من-تويتر"),
    ("The Voice 2018", "the-voice-2018"),
    ("!!!", ""),
])
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_slug_is_bounded():
    assert len(slugify("كلمة " * 50)) <= 60


def test_summary_cuts_at_a_sentence_or_word():
    first = "الجملة الأولى " + "طويلة " * 15 + "."
    assert summarize([first + " " + "كلمة " * 80]) == first
    # A first sentence too short to stand alone is not used: cut at a word instead.
    assert summarize(["قصيرة. " + "كلمة " * 80]).endswith("كلمة…")
    long = summarize(["كلمة " * 100])
    assert long.endswith("…") and len(long) <= 221 and not long[:-1].endswith(" ")


def test_html_blocks_split_paragraphs():
    assert html_blocks("<h2>عنوان</h2><p>نص <b>مهم</b></p><ul><li>أ</li><li>ب</li></ul>") == \
        ["عنوان", "نص مهم", "أ", "ب"]


def test_the_diacritics_are_camel_tools_own():
    from camel_tools.utils.charsets import AR_DIAC_CHARSET
    from camel_tools.utils.dediac import dediac_ar

    from generator.text import AR_DIACRITICS, TATWEEL, strip_marks

    assert set(AR_DIACRITICS) == set(AR_DIAC_CHARSET)
    sample = "لافـــروفُ وَصَلَ إِلَى القاهِرَةِ، مُحَمَّدٌ ٰ" + "".join(map(chr, range(0x600, 0x700)))
    assert strip_marks(sample) == dediac_ar(sample).replace(TATWEEL, "")

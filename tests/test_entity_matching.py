"""Matching rules of the entity linker, with real Arabic examples (positive and negative)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from generator.config import load_config
from generator.entities.annotate import Annotator
from generator.entities.registry import load_registry

REGISTRY = {
    "person/sergey-lavrov": 'name = "سيرجي لافروف"\naliases = ["لافروف"]',
    "person/sameh-shoukry": 'name = "سامح شكري"\nshort_aliases = ["شكري"]',
    "person/shoukry-other": 'name = "شكري بلعيد"\nshort_aliases = ["شكري"]',
    "person/mustafa": 'name = "مصطفى مدبولي"',
    "person/amna": 'name = "آمنة محمد"',
    "organization/arab-league": ('name = "جامعة الدول العربية"\naliases = ["الجامعة العربية"]\n'
                                 'short_aliases = ["الجامعة"]'),
    "organization/arab-states": 'name = "الدول العربية"',
    "organization/shadow": 'name = "شارع مصر"\nlink = false',
    "place/egypt": 'name = "مصر"',
    "place/cairo": 'name = "القاهرة"',
    "place/baghdad": 'name = "بغداد"',
    "place/iran": 'name = "إيران"',
    "place/moscow": 'name = "موسكو"',
}


@pytest.fixture
def linker(site):
    for rel, text in REGISTRY.items():
        site.write(f"entities/{rel}.toml", text + "\n")
    config = load_config(site.write_config())
    registry = load_registry(config)

    def link(text: str, policy: str = "first", no_link=frozenset(), html: str | None = None):
        annotation = Annotator(registry, policy, lambda url: "/" + url).annotate(
            html if html is not None else f"<p>{text}</p>", frozenset(no_link))
        soup = BeautifulSoup(annotation.html, "html.parser")
        links = [(a["data-entity"], a.get_text()) for a in soup.find_all("a", class_="entity")]
        return links, {m.entity: m.count for m in annotation.mentions}, annotation, soup
    return link


@pytest.mark.parametrize("text, entity, surface", [
    ("قال ولافروف إن", "sergey-lavrov", "ولافروف"),  # و
    ("فلافروف قال", "sergey-lavrov", "فلافروف"),  # ف
    ("اتصل بالجامعة العربية أمس", "arab-league", "بالجامعة العربية"),  # ب + ال
    ("رسالة لمصر", "egypt", "لمصر"),  # ل
    ("زيارة للقاهرة", "cairo", "للقاهرة"),  # ل + ال with the alef elided
    ("وللقاهرة تاريخ", "cairo", "وللقاهرة"),  # و + ل + ال
    ("كمصر وغيرها", "egypt", "كمصر"),  # ك
    ("وبالقاهرة", "cairo", "وبالقاهرة"),  # و + ب + ال
    ("في ببغداد", "baghdad", "ببغداد"),
    ("في بغداد", "baghdad", "بغداد"),  # ب belongs to the name: the unsplit token first
    ("قال لافروف", "sergey-lavrov", "لافروف"),  # ل belongs to the name
    ("العلاقات مع ايران", "iran", "ايران"),  # إ written as ا
    ("العلاقات مع إيرانَ", "iran", "إيرانَ"),  # diacritics
    ("الوزير لافـــروف", "sergey-lavrov", "لافـــروف"),  # tatweel
    ("سيرجى لافروف", "sergey-lavrov", "سيرجى لافروف"),  # ى for ي
    ("مصطفي مدبولي", "mustafa", "مصطفي مدبولي"),  # ي for ى
    ("في القاهره", "cairo", "القاهره"),  # ه for ة
    ("امنة محمد", "amna", "امنة محمد"),  # آ written as ا
    ("اجتماع لجامعة الدول العربية", "arab-league", "لجامعة الدول العربية"),
])
def test_names_match_as_a_reader_reads_them(linker, text, entity, surface):
    links, counts, _, _ = linker(text)
    assert links == [(entity, surface)]
    assert counts == {entity: 1}


@pytest.mark.parametrize("text", [
    "الموقف المصري واضح",  # an adjective, not the country
    "مصرف لبنان",  # مصرف (bank) starts with مصر
    "القاهريون",
    "لم يحدث",  # a particle that is not a name after stripping ل
    "وزير الخارجية الروسي",
    "الدولي",
    "موسكوفيتش",
])
def test_other_words_do_not_match(linker, text):
    links, counts, _, _ = linker(text)
    assert links == [] and counts == {}


def test_longest_match_wins(linker):
    links, counts, _, _ = linker("وفد جامعة الدول العربية ووفد الدول العربية")
    assert links == [("arab-league", "جامعة الدول العربية"), ("arab-states", "الدول العربية")]


def test_first_mention_linked_all_counted(linker):
    text = "لافروف قال. ثم أضاف لافروف. وأكد سيرجي لافروف."
    links, counts, _, _ = linker(text)
    assert links == [("sergey-lavrov", "لافروف")] and counts == {"sergey-lavrov": 3}
    links, counts, _, _ = linker(text, policy="all")
    assert [surface for _, surface in links] == ["لافروف", "لافروف", "سيرجي لافروف"]


def test_short_alias_needs_the_full_name_first(linker):
    links, counts, _, _ = linker("قال شكري إن سامح شكري وصل، ثم قال شكري")
    assert links == [("sameh-shoukry", "سامح شكري")]
    assert counts == {"sameh-shoukry": 2}  # the first «شكري» came before the full name
    links, _, _, _ = linker("الجامعة مغلقة اليوم")
    assert links == []


def test_shared_short_alias_goes_to_the_latest_full_name(linker):
    _, counts, _, _ = linker("التقى سامح شكري مع شكري بلعيد. وقال شكري", policy="all")
    assert counts == {"sameh-shoukry": 1, "shoukry-other": 2}


def test_never_inside_links_headings_code_or_pre(linker):
    html = ('<h2>مصر</h2><p><a href="/x">مصر</a> <code>مصر</code></p><pre>مصر</pre>'
            '<p>وفي <em>القاهرة</em> وفي مصر</p>')
    links, counts, _, _ = linker("", html=html)
    assert links == [("cairo", "القاهرة"), ("egypt", "مصر")]
    assert counts == {"cairo": 1, "egypt": 1}


def test_linked_text_stays_exactly_as_written(linker):
    text = "وتلقى أحمد اتصالاً من سيرجي لافروف، وزير خارجية روسيا &amp; مصر."
    _, _, annotation, soup = linker(text)
    assert soup.get_text() == BeautifulSoup(f"<p>{text}</p>", "html.parser").get_text()
    assert annotation.html.count("<a ") == 2


def test_no_link_and_link_false(linker):
    links, counts, _, _ = linker("زار مصر ولافروف", no_link={"egypt"})
    assert links == [("sergey-lavrov", "ولافروف")] and "egypt" not in counts
    links, counts, _, _ = linker("في شارع مصر")  # registered without linking; blocks «مصر»
    assert links == [] and counts == {"shadow": 1}


def test_keyword_in_context(linker):
    _, _, annotation, _ = linker("وصل وزير الخارجية سيرجي لافروف إلى القاهرة صباح اليوم.")
    mention = annotation.mentions[0]
    assert (mention.before, mention.surface, mention.after) == \
        ("وصل وزير الخارجية ", "سيرجي لافروف", " إلى القاهرة صباح اليوم.")


def test_results_are_deterministic(linker):
    text = "لافروف ومصر والقاهرة وجامعة الدول العربية " * 20
    assert linker(text)[2] == linker(text)[2]


TOKEN_TEXTS = [
    "وصل سيرجي لافروف، وزير الخارجية الروسي، إلى القاهرة (مصر) أمس.",
    "قال «أبو الغيط»: الجامعة-العربية... 2019/03/19 — 100% تمام!؟",
    "نصٌّ مُشكَّل وتطويـــل و\u200dوصل و\u200cفصل\tو\u00a0مسافة",
    "Trump's \"deal\" (U.S.) & co. #tag @user a_b x+y=z",
]


@pytest.mark.parametrize("text", TOKEN_TEXTS)
def test_tokens_are_camel_tools_tokens(text):
    from camel_tools.tokenizers.word import simple_word_tokenize

    from generator.entities.matching import tokenize, words

    assert words(text) == simple_word_tokenize(text)
    assert [text[start:end] for start, end, _ in tokenize(text)] == simple_word_tokenize(text)


def test_surface_keys_invert_key_variants():
    from itertools import product

    from generator.entities.matching import key_variants, surface_keys

    stems = ["قاهره", "القاهره", "لافروف", "ليبيا", "لبنان", "اللاذقيه", "مصر", "ا", "لل", "بب"]
    prefixes = ["", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فل", "لل", "ولل", "بال", "وبال"]
    tokens = {p + s for p, s in product(prefixes, stems)}
    keys = tokens | set(stems)
    for token, key in product(tokens, keys):
        assert (key in key_variants(token)) == (token in surface_keys(key)), (token, key)


def test_a_few_names_are_searched_for_in_the_text_as_many_are_split_for():
    """An entity edit's few names are searched for in each vocabulary's text; thousands
    (discovery) are looked up among its words. Both find the same articles."""
    from itertools import product

    from generator.entities.link import _FEW_KEYS, mention_test, vocabulary_of
    from generator.entities.matching import surface_keys

    keys = ["القاهره", "المنافس", "لافروف", "ا", "لل", "مصر"]
    words = {w for key in keys for w in surface_keys(key)} | {
        "قاهره", "القاهرهي", "منافس", "المنافسه", "افروف", "سلافروف", "مصري", "عمصر", "لل"}
    vocabularies = [None, vocabulary_of([]), *(vocabulary_of([w]) for w in words),
                    *(vocabulary_of([a, b, "موسكو"]) for a, b in product(sorted(words), repeat=2))]
    padding = [f"زائد{n}" for n in range(_FEW_KEYS)]  # names no vocabulary holds
    for key in keys:
        few, many = mention_test([key]), mention_test([key, *padding])
        found = [v for v in vocabularies if few(v)]
        assert found == [v for v in vocabularies if many(v)], key
        assert None in found and vocabulary_of([]) not in found and len(found) < len(vocabularies)
    few, many = mention_test(keys[:2]), mention_test(keys[:2] + padding)
    assert [few(v) for v in vocabularies] == [many(v) for v in vocabularies]

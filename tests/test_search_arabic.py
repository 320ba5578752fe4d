"""Arabic query understanding on the search page, in Debian's Chromium: the article ال, phrases,
entity answers, English names, spelling variants and corrections, Arabic counts, the phone
layout, and the JavaScript rules agreeing with the Python ones."""

from __future__ import annotations

import http.server
from urllib.parse import quote, unquote, urlsplit

import pytest
from browser import chromium, serve
from conftest import TmpSite, run_generator

from generator.config import load_config
from generator.dates import Formatter
from generator.entities.matching import bare_forms, compound_variants, proclitic_stems
from generator.search_words import bucket_of, lookup_key

STATUS_DONE = ("() => { const s = document.querySelector('.search-status').textContent;"
               " return s && !s.startsWith('يبحث'); }")

ENTITIES = {
    "person/erdogan": 'name = "رجب طيب أردوغان"\naliases = ["أردوغان"]\n'
                      'name_en = "Recep Tayyip Erdoğan"\ndescription = "رئيس تركيا."\n',
    "person/donald-trump": 'name = "دونالد ترامب"\naliases = ["ترامب", "ترمب"]\n'
                           'name_en = "Donald Trump"\n',
    "person/vladimir-putin": 'name = "فلاديمير بوتين"\naliases = ["بوتين"]\n',
    "organization/arab-league": 'name = "جامعة الدول العربية"\naliases = ["الجامعة العربية"]\n'
                                'description = "منظمة إقليمية مقرها القاهرة."\n',
    "organization/hezbollah": 'name = "حزب الله"\n',
    "place/cairo": 'name = "القاهرة"\n',
    "organization/google": 'name = "غوغل"\nname_en = "Google"\n',
    "person/emmanuel-macron": 'name = "إيمانويل ماكرون"\naliases = ["ماكرون"]\n',
    "person/benjamin-netanyahu": 'name = "بنيامين نتنياهو"\naliases = ["نتنياهو"]\n',
    "person/netanyahu-spelling": 'name = "نتانياهو"\n',  # as discovery may leave it
    "place/egypt": 'name = "مصر"\n',
}
ARTICLES = [  # (slug, title, body, extra front matter)
    ("e1", "زيارة رسمية", "وصل الرئيس التركي رجب طيب أردوغان إلى القاهرة.", {}),
    ("e2", "قبل التصويت", "قال أردوغان إن الانتخابات المقبلة حاسمة.", {}),
    ("e3", "الوقود يرتفع", "رفع الأردن أسعار الوقود.", {}),
    ("e4", "رأي", "كتب المحلل عن أردوغان دون أن يسميه الموقع.", {"no_link": ["erdogan"]}),
    ("q1", "سوق الطاقة", "ارتفعت أسعار النفط اليوم.", {}),
    ("q2", "تقرير", "النفط متوفر لكن الأسعار مرتفعة.", {}),
    ("t1", "تهديد", "هدد ترامب بفرض رسوم.", {}),
    ("t2", "قمة هلسنكي", "التقى بوتين وترمب في هلسنكي.", {}),
    ("l1", "اجتماع طارئ", "اجتمعت الجامعة العربية في القاهرة.", {}),
    ("l2", "قسم جديد", "افتتحت الجامعة قسما للغة العربية.", {}),
    ("h1", "رد سريع", "رد حزب الله على الاتهامات.", {}),
    ("a1", "البلدية", "جرت انتخابات في البلدية.", {}),
    ("v1", "صلاة الجمعة", "زار المصلون المسجد الأقصى.", {}),
    ("g1", "هاتف جديد", "أطلقت غوغل هاتفا جديدا.", {}),
    ("x0", "خطأ مطبعي", "تباطأ نمو الاقتصد هذا العام.", {}),  # a slip the archive keeps
    *((f"x{n}", f"الربع {n}", f"نما الاقتصاد في الربع {n}.", {}) for n in range(1, 11)),
    *((f"m{n}", f"خطاب {n}", f"قال ماكرون في خطابه رقم {n}.", {}) for n in range(1, 6)),
    ("m6", "خطاب آخر", "قال ماكرن إن فرنسا ستشارك.", {}),  # a slip
    ("n1", "تصريح", "قال نتنياهو إن الحكومة باقية.", {}),
    ("n2", "تصريح آخر", "قال نتانياهو إن التصويت مبكر.", {}),  # another source's spelling
    ("eg1", "وفد رسمي", "زار الوفد مصر أمس.", {}),
    ("eg2", "اتفاق معلق", "مصير الاتفاق غامض.", {}),
]


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    root = tmp_path_factory.mktemp("arabic-search")
    site = TmpSite(root, capsys=None)
    site.write_config(base_url="https://example.org/archive/")
    for rel, text in ENTITIES.items():
        site.write(f"entities/{rel}.toml", text)
    for n, (slug, title, body, extra) in enumerate(ARTICLES):
        site.article(slug, title=title, date=f"2019-{1 + n // 28:02d}-{1 + n % 28:02d}",
                     body=body, **extra)
    result = run_generator("build", "--config", str(root / "site.toml"))
    assert result.returncode == 0, result.stderr
    with serve(site.public, prefix="/archive/") as url:
        yield url, site


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ar")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    context.close()
    assert not errors


TITLES = {slug: title for slug, title, _, _ in ARTICLES}


def search(page, url: str, query: str, **params: str) -> list[str]:
    """The slugs of the results shown for ``query``, in order."""
    extra = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    page.goto(f"{url}search/?q={quote(query)}{extra}")
    page.wait_for_function(STATUS_DONE, timeout=15_000)
    return shown(page)


def shown(page) -> list[str]:
    links = page.query_selector_all(".search-result .card-title a")
    return [urlsplit(a.get_attribute("href")).path.rstrip("/").rsplit("/", 1)[-1] for a in links]


def status(page) -> str:
    return page.inner_text(".search-status")


@pytest.mark.parametrize("query", ["انتخابات", "الانتخابات", "والانتخابات"])
def test_a_word_is_found_with_and_without_its_article(news, page, query):
    url, _ = news
    assert set(search(page, url, query)) == {"e2", "a1"}
    assert status(page) == f"نتيجتان لـ«{query}»"  # two: the dual


def test_a_quoted_phrase_needs_the_words_together(news, page):
    url, _ = news
    assert search(page, url, '"أسعار النفط"') == ["q1"]
    # Unquoted, articles with the words apart come after those with the phrase.
    assert search(page, url, "أسعار النفط") == ["q1", "q2"]


def test_an_entity_query_shows_its_card_and_linked_articles_first(news, page):
    url, _ = news
    assert search(page, url, "الجامعة العربية") == ["l1"]  # l2 has the words apart
    card = page.wait_for_selector(".search-answer:not([hidden])")
    link = card.query_selector("h2 a")
    assert link.inner_text() == "جامعة الدول العربية"
    assert urlsplit(link.get_attribute("href")).path == "/archive/entities/arab-league/"
    assert "منظمة إقليمية مقرها القاهرة." in card.inner_text()
    assert "مقال" in card.query_selector(".meta").inner_text()
    # «أردوغان» is in e4 too, where the editor turned its link off: it comes last, and the
    # card's switch keeps only the articles where the entity is linked.
    assert search(page, url, "أردوغان")[2:] == ["e4"]
    assert set(shown(page)[:2]) == {"e1", "e2"}
    page.check(".search-answer input[name=linked]")
    page.wait_for_function("document.querySelectorAll('.search-result').length === 2")
    assert set(shown(page)) == {"e1", "e2"}
    assert "linked=1" in page.url


@pytest.mark.parametrize("query, expected, entity", [
    ("Trump", {"t1", "t2"}, "دونالد ترامب"),  # an English surname
    ("donald trump", {"t1", "t2"}, "دونالد ترامب"),
    ("Erdogan", {"e1", "e2", "e4"}, "رجب طيب أردوغان"),  # «Erdoğan» registered
])
def test_english_names_find_the_entity(news, page, query, expected, entity):
    url, _ = news
    assert set(search(page, url, query)) >= expected - {"e4"}
    assert page.inner_text(".search-answer h2") == entity


@pytest.mark.parametrize("query, expected", [
    ("اردوجان", ["e1", "e2", "e4"]),  # غ written ج: the same key, not «الأردن»
    ("الاقصي", ["v1"]),  # ى written ي
    ("القاهره", ["e1", "l1"]),  # ة written ه
])
def test_spelling_variants_find_the_archive_spelling(news, page, query, expected):
    url, _ = news
    assert sorted(search(page, url, query)) == sorted(expected)
    assert page.is_hidden(".search-note")  # not a correction: the same word


@pytest.mark.parametrize("query, corrected, expected", [
    ("بوتن", "بوتين", ["t2"]),  # a letter missing
    ("حزبالله", "حزب الله", ["h1"]),  # a compound written joined
    ("قوقل", "غوغل", ["g1"]),  # G written ق
])
def test_a_misspelling_is_corrected(news, page, query, corrected, expected):
    url, _ = news
    assert search(page, url, query) == expected
    note = page.wait_for_selector(".search-note:not([hidden])")
    assert f"«{corrected}»" in note.inner_text()
    assert status(page) == f"نتيجة واحدة لـ«{corrected}»"
    # The reader can still search what they typed.
    note.query_selector("a").click()
    page.wait_for_function("(q) => { const s = document.querySelector('.search-status')"
                           ".textContent; return !s.startsWith('يبحث') && s.includes(`«${q}»`); }",
                           arg=query)
    assert page.is_hidden(".search-note") and "typed=1" in page.url
    if query != "حزبالله":  # (the entity answers to its name joined)
        assert shown(page) == []  # the archive has no such word


def test_a_name_spelt_with_other_long_vowels_is_searched_both_ways(news, page):
    url, _ = news
    assert set(search(page, url, "ماكرن")) == {f"m{n}" for n in range(1, 7)}
    assert "«ماكرون»" in page.wait_for_selector(".search-note:not([hidden])").inner_text()
    assert page.inner_text(".search-answer h2") == "إيمانويل ماكرون"


def test_a_name_another_source_spells_otherwise_finds_both_spellings(news, page):
    url, _ = news
    assert set(search(page, url, "نتانياهو")) == {"n1", "n2"}
    assert page.inner_text(".search-answer h2") == "بنيامين نتنياهو"


def test_a_common_word_is_not_taken_for_a_name_spelt_alike(news, page):
    url, _ = news
    assert search(page, url, "مصير") == ["eg2"]  # not «مصر»
    assert page.is_hidden(".search-note") and page.is_hidden(".search-answer")


def test_a_rare_word_next_to_a_common_one_offers_it(news, page):
    url, _ = news
    assert search(page, url, "الاقتصد") == ["x0"]  # searched as typed
    note = page.wait_for_selector(".search-note:not([hidden])")
    assert note.inner_text() == "هل تقصد «الاقتصاد»؟"  # written as the reader wrote it
    note.query_selector("a").click()
    page.wait_for_function("document.querySelectorAll('.search-result').length === 10")
    assert page.input_value("#search-q") == "الاقتصاد"
    assert page.is_hidden(".search-note")


def test_counts_agree_with_python(news, page):
    url, site = news
    formatter = Formatter(load_config(site.root / "site.toml"))
    page.goto(f"{url}search/")
    numbers = list(range(0, 250)) + [1000, 1001, 1002, 1003, 1011, 100000]
    for noun in ("result", "article", "mention"):
        js = page.evaluate("([numbers, noun]) => numbers.map((n) => window.archiveSearch.rules"
                           ".countOf(n, noun, (x) => String(x).replace(/\\d/g, (d) => "
                           "'٠١٢٣٤٥٦٧٨٩'[d])))", [numbers, noun])
        assert js == [formatter.count(n, noun) for n in numbers]
    assert formatter.count(1, "result") == "نتيجة واحدة"
    assert formatter.count(3, "result") == "٣ نتائج"
    assert formatter.count(11, "result") == "١١ نتيجة"


TRICKY = ["والانتخابات", "للقاهرة", "بالأقصى", "وبموسكو", "فلل", "كالأسد", "الله", "عبدالله",
          "نصرالله", "أبوبكر", "إلى", "مُؤتمر", "ـالقدسـ", "Erdoğan", "ÉCOLE", "ﻗﺎﻝ", "ئ", "ڤيينا",
          "پاريس", "گوگل", "کابل", "ی", "ال", "و", "بال", "لل"]


def test_javascript_rules_agree_with_python(news, page):
    url, site = news
    words = sorted({w for _, title, body, _ in ARTICLES for w in f"{title} {body}".split()}
                   | set(TRICKY))
    page.goto(f"{url}search/")
    js = page.evaluate("""(words) => {
        const r = window.archiveSearch.rules;
        return words.map((w) => [r.fold(w), r.bareForms(w), r.procliticStems(w),
                                 r.bucketOf(r.fold(w)), r.compoundVariants([r.fold(w)])]);
    }""", words)
    for word, (key, bare, stems, bucket, compounds) in zip(words, js, strict=True):
        assert key == lookup_key(word), word
        assert tuple(bare) == bare_forms(word), word
        assert tuple(stems) == proclitic_stems(word), word
        assert bucket == bucket_of(lookup_key(word)), word
        assert compounds == [" ".join(v) for v in compound_variants((lookup_key(word),))], word
    split = page.evaluate("(keys) => window.archiveSearch.rules.compoundVariants(keys)",
                          ["حسن", "نصر", "الله"])
    assert split == [" ".join(v) for v in compound_variants(("حسن", "نصر", "الله"))]


def test_phone_keeps_the_box_and_first_result_in_the_first_screen(browser, news):
    url, _ = news
    context = browser.new_context(locale="ar", viewport={"width": 360, "height": 740},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        assert search(page, url, "أردوغان")
        height = page.viewport_size["height"]
        box = page.query_selector("#search-q").bounding_box()
        first = page.query_selector(".search-result .card-title").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height
        assert first["y"] + first["height"] <= height, first
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"]  # nothing wider than the screen
    finally:
        context.close()


def test_word_lists_are_fetched_only_for_the_query(news, page):
    url, _ = news
    requests = []
    page.on("request", lambda request: requests.append(unquote(urlsplit(request.url).path)))
    search(page, url, "أردوغان")
    lists = [p for p in requests if p.endswith(".json.gz") and "/pagefind/" not in p[:18]]
    words = [p for p in requests if p.startswith("/archive/pagefind/words/")]
    names = [p for p in requests if p.startswith("/archive/search/names/")]
    assert words == [f"/archive/pagefind/words/{bucket_of(lookup_key('أردوغان'))}.json.gz"]
    assert names == [f"/archive/search/names/{bucket_of(lookup_key('أردوغان'))}.json.gz"]
    assert lists


class _UnpackingHost(http.server.SimpleHTTPRequestHandler):
    """A host that sends ``.gz`` files with "Content-Encoding: gzip" (Apache's ``AddEncoding
    gzip .gz``), so the browser unpacks the bucket files before the page sees them."""

    def end_headers(self):
        if urlsplit(self.path).path.endswith(".gz"):
            self.send_header("Content-Encoding", "gzip")
        super().end_headers()

    def log_message(self, *args):
        pass


def test_bucket_files_a_host_unpacks_are_read_too(news, page):
    _, site = news
    unpacked = []
    page.on("response", lambda r: unpacked.append(r.url) if r.url.endswith(".gz")
            and r.headers.get("content-encoding") == "gzip" else None)
    with serve(site.public, prefix="/archive/", host=_UnpackingHost) as url:
        # The correction needs the word list, the card the names bucket.
        assert search(page, url, "بوتن") == ["t2"]
        assert "«بوتين»" in page.wait_for_selector(".search-note:not([hidden])").inner_text()
        assert page.inner_text(".search-answer h2") == "فلاديمير بوتين"
    assert {urlsplit(u).path.split("/")[2] for u in unpacked} == {"pagefind", "search"}

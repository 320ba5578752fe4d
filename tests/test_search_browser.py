"""Search in a real browser: Debian's Chromium (Playwright) on sites served from 127.0.0.1."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

import pytest
from browser import chromium, serve
from conftest import TmpSite, run_generator

STATUS_DONE = ("() => { const s = document.querySelector('.search-status').textContent;"
               " return s && !s.startsWith('يبحث'); }")
FIRST_IS = "(title) => (document.querySelector('.search-result a') || {}).textContent === title"


def results(page) -> list[str]:
    page.wait_for_function(STATUS_DONE, timeout=15_000)
    return [a.inner_text() for a in page.query_selector_all(".search-result .card-title a")]


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ar")
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def default_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("default") / "public"
    result = run_generator("build", "--out", str(out), "--cache", str(out.parent / "cache"))
    assert result.returncode == 0, result.stderr
    with serve(out) as url:
        yield url


@pytest.mark.parametrize("query", ["لافروف", "ولافروف", "الجامعة العربية", "جامعة الدول العربية",
                                   "بموسكو"])
def test_default_site_finds_the_seed(default_site, page, query):
    page.goto(f"{default_site}search/?q={quote(query)}")
    (title,) = results(page)
    assert title.startswith("وزير الخارجية الروسي يجري اتصالان")
    marks = [m.inner_text() for m in page.query_selector_all(".search-result .excerpt mark")]
    assert marks, "the match is highlighted in the excerpt"
    assert page.query_selector(".search-result time").inner_text() == "١٩ مارس ٢٠١٩"


def test_only_title_and_body_are_indexed(default_site, page):
    page.goto(f"{default_site}search/")
    content = page.evaluate("""async () => {
        const search = await window.archiveSearch.ready();
        const found = await search.run(await window.archiveSearch.analyse('لافروف'));
        const [first] = await found.take(1);
        return (await search.load(first)).content; }""")
    visible = content.split("\u2063")[0]
    assert visible.startswith("وزير الخارجية الروسي يجري اتصالان")
    for outside in ("الرئيسية", "أعلام في هذا المقال", "مدة القراءة", "دليل الأعلام"):
        assert outside not in visible


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    """Five articles over three years and two categories, deployed under /archive/."""
    root = tmp_path_factory.mktemp("search")
    site = TmpSite(root, capsys=None)
    site.write_config(base_url="https://example.org/archive/", search_shard_size=2,
                      categories={"sport": "رياضة", "economy": "اقتصاد"})
    for rel, name in [("place/baghdad", "بغداد"), ("place/cairo", "القاهرة"),
                      ("place/moscow", "موسكو"), ("person/sergey-lavrov", "سيرجي لافروف"),
                      ("organization/arab-league", "جامعة الدول العربية")]:
        extra = '\naliases = ["لافروف"]' if "lavrov" in rel else \
            '\naliases = ["الجامعة العربية"]' if "league" in rel else ""
        site.write(f"entities/{rel}.toml", f'name = "{name}"{extra}\n')
    site.article("s1", title="فوز ثمين", date="2018-05-01", category="sport", source="skynews",
                 body="فاز الفريق ببغداد في المباراة النهائية.")
    site.article("s2", title="الأسعار ترتفع", date="2019-02-01", category="economy",
                 source="bbc", body="ارتفعت الأسعار في بغداد هذا العام.")
    site.article("s3", title="زيارة رسمية", date="2019-06-01", category="sport",
                 body="وصل سيرجي لافروف إلى موسكو أمس.")
    site.article("s4", title="اجتماع طارئ", date="2020-01-01", category="economy",
                 body="الجامعة العربية تجتمع في القاهرة.")
    site.article("s5", title="تأجيل مباراة", date="2020-03-01", category="sport",
                 body="تأجلت مباراة في القاهره بسبب المطر.")
    result = run_generator("build", "--config", str(root / "site.toml"))
    assert result.returncode == 0, result.stderr
    with serve(site.public, prefix="/archive/") as url:
        yield url


@pytest.mark.parametrize("query, expected", [
    ("بغداد", {"فوز ثمين", "الأسعار ترتفع"}),  # finds «ببغداد» too
    ("ببغداد", {"فوز ثمين", "الأسعار ترتفع"}),  # and the reverse
    ("لبغداد", {"فوز ثمين", "الأسعار ترتفع"}),
    ("لموسكو", {"زيارة رسمية"}),
    ("جامعة الدول العربية", {"اجتماع طارئ"}),  # an alias of what the article says
    ("القاهرة", {"اجتماع طارئ", "تأجيل مباراة"}),  # ة and ه
])
def test_clitics_aliases_and_spelling_variants(search_site, page, query, expected):
    page.goto(f"{search_site}search/")
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")
    assert set(results(page)) == expected
    for link in page.query_selector_all(".search-result .card-title a"):
        assert urlsplit(link.get_attribute("href")).path.startswith("/archive/articles/")


def test_category_filter_narrows_results(search_site, page):
    page.goto(f"{search_site}search/?q={quote('بغداد')}")
    assert len(results(page)) == 2
    page.select_option("select[data-filter='القسم']", "رياضة")
    page.wait_for_function("document.querySelectorAll('.search-result').length === 1")
    assert results(page) == ["فوز ثمين"]
    assert "%D8%B1%D9%8A%D8%A7%D8%B6%D8%A9" in page.url  # the filter is kept in the address


def test_a_query_loads_only_the_shards_that_hold_its_words(search_site, page):
    page.goto(f"{search_site}search/")
    shards = page.evaluate("JSON.parse(document.getElementById('search').dataset.shards)")
    assert shards == ["2020", "2019", "2018"]  # at most two articles each, newest first
    requests = []
    page.on("request", lambda request: requests.append(urlsplit(request.url).path))

    def loaded() -> set[str]:
        return {path.split("/")[3] for path in requests if path.endswith("pagefind-entry.json")}

    page.fill("#search-q", "القاهرة")
    page.press("#search-q", "Enter")
    assert set(results(page)) == {"اجتماع طارئ", "تأجيل مباراة"}
    assert loaded() == {"2020"}  # both articles are of 2020
    page.fill("#search-q", "بغداد")
    page.press("#search-q", "Enter")
    page.wait_for_function(FIRST_IS, arg="الأسعار ترتفع")
    assert results(page) == ["الأسعار ترتفع", "فوز ثمين"]
    assert loaded() == {"2020", "2019", "2018"}
    assert len([p for p in requests if p.endswith(".pagefind")]) == 1  # one wasm, shared


def test_relevance_loads_every_shard_holding_the_words(search_site, page):
    requests = []
    page.on("request", lambda request: requests.append(urlsplit(request.url).path))
    page.goto(f"{search_site}search/?q={quote('لافروف')}&sort=relevance")
    assert results(page) == ["زيارة رسمية"]
    assert {p.split("/")[3] for p in requests if p.endswith("pagefind-entry.json")} == {"2019"}


def test_results_sort_by_date_across_shards(search_site, page):
    page.goto(f"{search_site}search/?q={quote('بغداد')}&sort=desc")
    assert results(page) == ["الأسعار ترتفع", "فوز ثمين"]  # 2019, then 2018: two shards
    page.select_option("#search-sort", "asc")
    page.wait_for_function(FIRST_IS, arg="فوز ثمين")
    assert results(page) == ["فوز ثمين", "الأسعار ترتفع"]
    page.goto(f"{search_site}search/?q={quote('مباراة')}&sort=desc")
    assert results(page) == ["تأجيل مباراة", "فوز ثمين"]


def test_filter_without_words_browses_the_static_page(search_site, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{search_site}search/")
    page.select_option("select[data-filter='السنة']", "٢٠١٩")
    link = page.wait_for_selector(".search-results .browse a")
    assert urlsplit(link.get_attribute("href")).path == "/archive/archive/2019/"
    link.click()
    page.wait_for_load_state()
    assert unquote(urlsplit(page.url).path) == "/archive/archive/2019/"
    assert not [url for url in requests if "/pagefind/" in url]


def test_header_search_box_opens_the_search_page(search_site, page):
    page.goto(f"{search_site}articles/2018/05/s1/")
    page.fill("#site-search-q", "لافروف")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/archive/search/?q=*")
    assert results(page) == ["زيارة رسمية"]
    assert page.locator("html").get_attribute("dir") == "rtl"


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory):
    """Twelve articles of 2019 and twelve of 2018 naming Cairo, one search shard a year."""
    root = tmp_path_factory.mktemp("paged")
    site = TmpSite(root, capsys=None)
    site.write_config(search_shard_size=12)
    site.write("entities/place/cairo.toml", 'name = "القاهرة"\n')
    for year in (2018, 2019):
        for day in range(1, 13):
            site.article(f"a{year}-{day}", title=f"خبر {day} من {year}",
                         date=f"{year}-03-{day:02d}", body=f"اجتمع الوزراء في القاهرة يوم {day}.")
    result = run_generator("build", "--config", str(root / "site.toml"))
    assert result.returncode == 0, result.stderr
    with serve(site.public) as url:
        yield url


def test_newest_results_come_first_and_older_shards_load_when_asked(paged_site, page):
    requests = []
    page.on("request", lambda request: requests.append(urlsplit(request.url).path))

    def loaded() -> set[str]:
        return {path.split("/")[2] for path in requests if path.endswith("pagefind-entry.json")}

    page.goto(f"{paged_site}search/?q={quote('القاهرة')}")
    assert results(page) == [f"خبر {day} من 2019" for day in range(12, 2, -1)]  # newest first
    assert loaded() == {"2019"}  # the first page needs the newest shard only
    assert page.inner_text(".search-status").startswith("أكثر من ١٢ نتيجة")
    page.click(".search-more")
    page.wait_for_function("document.querySelectorAll('.search-result').length === 20")
    assert loaded() == {"2019", "2018"}
    assert results(page)[10:] == ["خبر 2 من 2019", "خبر 1 من 2019",
                                  *[f"خبر {day} من 2018" for day in range(12, 4, -1)]]
    # Every article is linked to Cairo: the unlinked ones are not searched for yet.
    assert page.inner_text(".search-status").startswith("أكثر من ٢٤ نتيجة")
    page.click(".search-more")
    page.wait_for_function("document.querySelectorAll('.search-result').length === 24")
    page.wait_for_selector(".search-more", state="hidden")
    assert page.inner_text(".search-status").startswith("٢٤ نتيجة")


@pytest.fixture(scope="module")
def stem_site(tmp_path_factory):
    """The newest article says «الكويت» only, which Pagefind's stemmer joins with «الكويتية»;
    one article of its shard (2020) and one of an older shard (2019) say «الكويتية»."""
    root = tmp_path_factory.mktemp("stems")
    site = TmpSite(root, capsys=None)
    site.write_config(search_shard_size=2)
    site.article("n1", title="زيارة رسمية", date="2020-02-01", body="زار الأمير الكويت أمس.")
    site.article("n2", title="قرار جديد", date="2020-01-01", body="أعلنت الحكومة الكويتية قرارا.")
    site.article("o1", title="قرار قديم", date="2019-01-01", body="قررت الحكومة الكويتية ذلك.")
    result = run_generator("build", "--config", str(root / "site.toml"))
    assert result.returncode == 0, result.stderr
    with serve(site.public) as url:
        yield url


def test_results_that_hold_the_word_come_before_stem_matches(stem_site, page):
    page.goto(f"{stem_site}search/?q={quote('الكويتية')}")
    # Newest first, but the articles that hold the word first, whatever their shard.
    assert results(page) == ["قرار جديد", "قرار قديم", "زيارة رسمية"]
    page.goto(f"{stem_site}search/?q={quote('الكويتية')}&sort=relevance")
    assert results(page)[2] == "زيارة رسمية"

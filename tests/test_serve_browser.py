"""Live reload and the error overlay in Debian's Chromium, on the real dev server."""

from __future__ import annotations

import pytest
from browser import chromium
from conftest import TmpSite
from devserver import dev_server

ARTICLE = "/articles/2019/03/a/"


@pytest.fixture
def site(tmp_path):
    site = TmpSite(tmp_path, capsys=None)
    site.write_config()
    site.article("a", title="قبل التعديل", date="2019-03-19", body="نص المقال.")
    return site


def test_page_reloads_itself_and_shows_then_clears_the_error_overlay(site):
    with dev_server(site.root / "site.toml") as server, chromium() as browser:
        page = browser.new_page()
        page.goto(server.base + ARTICLE)
        page.wait_for_selector("html[data-dev-server=connected]", state="attached")
        page.evaluate("window.notReloaded = true")

        site.article("a", title="بعد التعديل", date="2019-03-19", body="نص المقال.")
        page.wait_for_function("() => document.querySelector('h1').textContent === 'بعد التعديل'",
                               timeout=15_000)
        assert page.evaluate("window.notReloaded === undefined")  # a real reload

        site.write("articles/a.md", '+++\ntitle = "مكسور\ndate = 2019-03-19\n+++\n')
        overlay = page.wait_for_selector("#dev-overlay", timeout=15_000)
        assert overlay.is_visible()
        assert page.inner_text("#dev-overlay .dev-overlay-location").endswith(
            "content/articles/a.md:2")
        assert "invalid TOML" in page.inner_text("#dev-overlay .dev-overlay-message")
        assert page.inner_text("h1") == "بعد التعديل"  # the last good page, under the overlay

        site.article("a", title="بعد الإصلاح", date="2019-03-19", body="نص المقال.")
        page.wait_for_function("() => document.querySelector('h1').textContent === 'بعد الإصلاح'",
                               timeout=15_000)
        assert page.query_selector("#dev-overlay") is None


def test_an_open_page_shows_an_error_it_did_not_see_happen(site):
    with dev_server(site.root / "site.toml") as server, chromium() as browser:
        site.write("articles/a.md", "no front matter\n")
        server.wait_for_output("missing front matter")
        page = browser.new_page()
        page.goto(server.base + ARTICLE)
        page.wait_for_selector("#dev-overlay", timeout=15_000)
        assert "missing front matter" in page.inner_text("#dev-overlay")


def test_search_works_on_the_dev_server_and_follows_edits(site):
    """The index, word lists and entity names the dev server writes in the background."""
    site.write("entities/person/sergey-lavrov.toml",
               'name = "سيرجي لافروف"\naliases = ["لافروف"]\n')
    site.article("b", title="تصريح", date="2019-03-20", body="قال لافروف إن الانتخابات حاسمة.")
    with dev_server(site.root / "site.toml") as server, chromium() as browser:
        server.wait_for_output("and the search index")
        page = browser.new_page()
        done = ("() => { const s = document.querySelector('.search-status').textContent;"
                " return s && !s.startsWith('يبحث'); }")
        page.goto(server.base + "/search/?q=" + "انتخابات")
        page.wait_for_function(done, timeout=15_000)
        assert page.inner_text(".search-status") == "نتيجة واحدة لـ«انتخابات»"  # «الانتخابات»
        page.goto(server.base + "/search/?q=" + "لافرف")  # corrected from the word lists
        page.wait_for_function(done, timeout=15_000)
        assert page.inner_text(".search-answer h2") == "سيرجي لافروف"
        site.article("c", title="جديد", date="2019-03-21", body="أعلنت البرلمانات نتائجها.")
        server.wait_for_output("and the search index", count=2)
        page.goto(server.base + "/search/?q=" + "برلمانات")
        page.wait_for_function(done, timeout=15_000)
        assert page.inner_text(".search-result .card-title a") == "جديد"

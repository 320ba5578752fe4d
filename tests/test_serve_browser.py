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

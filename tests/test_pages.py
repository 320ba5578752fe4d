"""Pagination and the URL scheme."""

from __future__ import annotations

import pytest

from generator import urls
from generator.jobs import paginate


def test_paginate_splits_and_links():
    pagers = list(paginate(list(range(7)), 3, urls.category_url("sport")))
    assert [p.items for p in pagers] == [(0, 1, 2), (3, 4, 5), (6,)]
    assert pagers[0].previous_url is None and pagers[0].next_url == "categories/sport/page/2/"
    assert pagers[2].previous_url == "categories/sport/page/2/" and pagers[2].next_url is None
    assert [p.url for p in pagers] == [urls.category_url("sport", n) for n in (1, 2, 3)]


def test_empty_listing_has_one_page():
    (only,) = paginate([], 10, urls.home_url())
    assert (only.count, only.items) == (1, ())


def test_window_elides_distant_pages():
    pager = list(paginate(list(range(100)), 10, urls.home_url()))[4]
    numbers = [entry and entry[0] for entry in pager.window()]
    assert numbers == [1, None, 3, 4, 5, 6, 7, None, 10]


@pytest.mark.parametrize("segment, ok", [
    ("وزير-الخارجية", True), ("abc_1", True), ("٢٠١٩", True), ("a", True),
    ("..", False), ("a/b", False), ("a b", False), ("-a", False), (".hidden", False),
    ("", False), ("a\u064e", False), ("x" * 201, False),
])
def test_safe_segments(segment, ok):
    assert urls.is_safe_segment(segment) is ok


def test_output_files():
    assert urls.output_file("") == "index.html"
    assert urls.output_file("articles/2019/03/x/") == "articles/2019/03/x/index.html"
    assert urls.output_file("feed.xml") == "feed.xml"

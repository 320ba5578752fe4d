"""The search index: what each article gives Pagefind, and the Pagefind stage of the build."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from conftest import load_engine

from generator.errors import BuildError
from generator.search import SEPARATOR, search_terms
from generator.search_index import run_pagefind


@pytest.fixture
def small(site):
    site.write("entities/place/baghdad.toml", 'name = "بغداد"\naliases = ["دار السلام"]\n')
    site.write_config(categories={"sport": "رياضة"}, sources={"bbc": "بي بي سي"})
    site.article("a", title="فوز للقاهرة", date="2019-03-19T23:30:00-02:00", category="sport",
                 source="bbc", body="فاز الفريق ببغداد وللقاهرة، وكتب لافروف.")
    return site


def test_search_terms_hold_stripped_forms_and_entity_names(small):
    snapshot = load_engine(small.root / "site.toml").snapshot
    (entry,) = snapshot.site.articles
    entities = [snapshot.site.registry.entities[e] for e in entry.entity_ids]
    article, body = snapshot.resources.records(entry)
    terms = search_terms(article, body, entities)
    assert terms.startswith(SEPARATOR)
    words = terms[1:].split()
    # Without proclitics and ال: «ببغداد», «وللقاهرة», «الفريق»; and the entity's names.
    assert {"بغداد", "قاهرة", "فريق", "دار", "السلام"} <= set(words)
    assert "ببغداد" not in words  # the visible text already has it


def test_article_page_gives_pagefind_body_filters_and_sort(small):
    small.build("--no-search")
    soup = small.soup("articles/2019/03/a/")
    body = soup.find(attrs={"data-pagefind-body": True})
    assert body.name == "article"
    assert body.h1.get_text() == "فوز للقاهرة"
    assert body.find(class_="search-terms").has_attr("hidden")
    ignored = {tag.get("class", [""])[0]
               for tag in body.find_all(attrs={"data-pagefind-ignore": True})}
    assert {"kicker", "meta", "article-footer"} <= ignored
    assert soup.select_one(".entity-box").find_parent(attrs={"data-pagefind-body": True}) is None
    filters = {(m["data-pagefind-filter"], m["content"])
               for m in soup.find_all("meta", attrs={"data-pagefind-filter": True})}
    assert filters == {("القسم[content]", "رياضة"), ("السنة[content]", "٢٠١٩"),
                       ("المصدر[content]", "بي بي سي"), ("أماكن[content]", "بغداد")}
    sort = soup.find("meta", attrs={"data-pagefind-sort": "date[content]"})["content"]
    assert sort == "2019-03-20T01:30:00Z"  # UTC, so that dates sort as text


def test_search_page_offers_filters_linked_to_static_pages(small):
    small.build("--no-search")
    soup = small.soup("search/")
    selects = {s["data-filter"]: s for s in soup.select("select[data-filter]")}
    assert set(selects) == {"القسم", "السنة", "المصدر", "أماكن"}
    option = selects["أماكن"].find("option", value="بغداد")
    assert option["data-url"] == "/entities/baghdad/"
    assert selects["السنة"].find("option", value="٢٠١٩")["data-url"] == "/archive/2019/"
    assert not selects["المصدر"].find("option", value="بي بي سي").has_attr("data-url")
    assert soup.find("script", type="module")["src"].startswith("/static/js/search.")
    # The page's own box is the search: the header's is left out here, kept elsewhere.
    assert soup.find("form", class_="site-search") is None
    assert [f["action"] for f in soup.find_all("form", role="search")] == ["/search/"]
    assert small.soup("articles/2019/03/a/").find("form", class_="site-search")["action"] \
        == "/search/"


def test_build_runs_pagefind_and_no_search_skips_it(small):
    run = small.build("--no-search")
    assert not (small.public / "pagefind").exists()
    assert not any(line.split()[:1] == ["search"] for line in run.out.splitlines())
    run = small.build()
    entry = json.loads((small.public / "pagefind/2019/pagefind-entry.json").read_text())
    assert "ar" in entry["languages"] and entry["languages"]["ar"]["page_count"] == 1
    assert "1 page" in run.out and "1 shard, 1 indexed" in run.out
    shards = small.soup("search/").find(id="search")["data-shards"]
    assert json.loads(shards) == ["2019"]
    bundle = {p: p.stat().st_mtime_ns for p in (small.public / "pagefind").rglob("*")
              if p.is_file()}
    assert not [p for p in bundle if "ui" in p.name]  # only what the search page uses
    run = small.build()
    assert not any(line.split()[:1] == ["search"] for line in run.out.splitlines())
    small.write("pages/about.md", '+++\ntitle = "عن"\n+++\n\nنص.')
    run = small.build()
    assert "1 shard, 0 indexed" in run.out  # the article did not change: its shard stays
    assert {p: p.stat().st_mtime_ns for p in bundle} == bundle


def test_search_can_be_switched_off(small):
    small.write_config(search=False)
    small.build()
    soup = small.soup("articles/2019/03/a/")
    assert soup.find(attrs={"data-pagefind-body": True}) is None
    assert soup.find("form", class_="site-search") is None
    assert not (small.public / "search").exists() and not (small.public / "pagefind").exists()


def test_pagefind_failure_is_a_build_error(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "work").mkdir()
    with pytest.raises(BuildError) as error:
        run_pagefind(tmp_path / "site", tmp_path / "work" / "bundle", "2019")
    assert "Pagefind failed to index the 2019 shard" in error.value.message
    assert "not able to build an index" in error.value.message


def test_empty_archive_skips_indexing(site):
    site.write_config()
    (site.content / "articles").mkdir(parents=True)
    run = site.build()
    assert not (site.public / "pagefind").exists()
    assert BeautifulSoup((site.public / "index.html").read_text(), "html.parser").title
    assert "search" not in [line.split()[0] for line in run.out.splitlines() if line.strip()]


def _entries(dates):
    from datetime import datetime

    from generator.model import Entry

    items = [Entry(f"articles/{i}/", f"d{i}", "t", "s", datetime.fromisoformat(d), None, (),
                   None, (), (), False, False, "x.md") for i, d in enumerate(dates)]
    return tuple(sorted(items, key=lambda e: e.sort_key))


@pytest.mark.parametrize("size, names", [
    (100, ["2017"]),  # everything fits: one shard, named after its oldest year
    (5, ["2019", "2017"]),  # years gathered while they fit
    (4, ["2019-03", "2019-01", "2017"]),  # 2019 too large: its months, gathered
    (1, ["2019-03", "2019-02-11", "2019-02-10", "2019-01-20", "2019-01-01", "2017"]),  # days
])
def test_shards_are_runs_of_time_newest_first(size, names):
    from types import SimpleNamespace

    from generator.search_index import plan_shards

    dates = ["2017-05-01T10:00:00+00:00", "2019-01-01T10:00:00+00:00",
             "2019-01-20T10:00:00+00:00", "2019-02-10T10:00:00+00:00",
             "2019-02-11T10:00:00+00:00", "2019-03-05T23:30:00-02:00"]
    entries = _entries(dates)
    site = SimpleNamespace(articles=entries, config=SimpleNamespace(search_shard_size=size))
    shards = plan_shards(site)
    assert [s.name for s in shards] == names
    assert [a for s in shards for a in s.articles] == list(entries)  # runs of the site's order
    assert all(len(s.articles) <= size for s in shards)

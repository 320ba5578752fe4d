"""Whole builds of small sites in temporary folders, checked with an HTML parser."""

from __future__ import annotations

import hashlib
import os
import xml.etree.ElementTree as ET

from conftest import REPO, broken_links, parse_html, run_generator

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def three_articles(site):
    site.article("2019/one", title="الأول", date="2019-03-19T10:00:00+03:00",
                 categories=["sport"], body="مباراة في القاهرة.")
    site.article("2019/two", title="الثاني", date="2019-04-02", category="economy",
                 body="أسواق الخليج.")
    site.article("2020/three", title="الثالث", date="2020-01-05", categories=["sport", "economy"],
                 body="حدث رياضي واقتصادي.")


def test_every_page_is_rtl_arabic_and_links_resolve(site):
    three_articles(site)
    site.write("pages/about.md", '+++\ntitle = "عن الموقع"\n+++\n\nنص الصفحة.')
    site.build()
    pages = sorted(site.public.rglob("*.html"))
    assert len(pages) >= 12
    for page in pages:
        html = parse_html(page).find("html")
        assert (html.get("lang"), html.get("dir")) == ("ar", "rtl"), page
        assert parse_html(page).title.string.strip()
    assert broken_links(site.public) == []


def test_article_page_shows_title_dates_and_body(site):
    site.article("a", title="لقاء في موسكو", date="2019-03-19T10:30:00+03:00",
                 author="أحمد", source="skynews", source_url="https://example.com/a",
                 categories=["middleEast"], tags=["دبلوماسية"],
                 body="الفقرة الأولى.\n\nالفقرة الثانية.")
    site.write_config(categories={"middleEast": "الشرق الأوسط"}, sources={"skynews": "سكاي"})
    site.build()
    soup = site.soup("articles/2019/03/a/")
    assert soup.h1.get_text(strip=True) == "لقاء في موسكو"
    time = soup.find("time")
    assert time["datetime"] == "2019-03-19T10:30:00+03:00"
    assert time.get_text() == "الثلاثاء، ١٩ مارس ٢٠١٩"
    assert soup.find(class_="hijri").get_text() == "١٢ رجب ١٤٤٠ هـ"
    body = soup.find(class_="article-body")
    assert [p.get_text() for p in body.find_all("p")] == ["الفقرة الأولى.", "الفقرة الثانية."]
    source = soup.find(class_="source").a
    assert source["href"] == "https://example.com/a" and source.get_text() == "سكاي"
    assert soup.find(class_="byline").bdi.get_text() == "أحمد"
    assert soup.find(class_="kicker").a.get_text() == "الشرق الأوسط"
    assert [li.get_text() for li in soup.find(class_="tags").find_all("li")] == ["دبلوماسية"]
    assert "دقيقة" in soup.find(class_="reading-time").get_text()


def test_home_archives_and_categories_list_articles(site):
    three_articles(site)
    site.write_config(categories={"sport": "رياضة", "economy": "اقتصاد"})
    site.build()

    def titles(url):
        return [h.get_text(strip=True) for h in site.soup(url).select(".card-title")]

    assert titles("") == ["الثالث", "الثاني", "الأول"]
    assert titles("archive/2019/") == ["الثاني", "الأول"]
    assert titles("archive/2019/03/") == ["الأول"]
    assert titles("categories/sport/") == ["الثالث", "الأول"]
    assert site.soup("categories/sport/").h1.get_text() == "رياضة"
    assert site.soup("archive/2019/04/").h1.get_text() == "أرشيف أبريل ٢٠١٩"
    index = site.soup("categories/")
    assert {a.get_text() for a in index.select(".index-list a")} == {"رياضة", "اقتصاد"}
    years = [h.a.get_text() for h in site.soup("archive/").select(".archive-year h2")]
    assert years == ["٢٠٢٠", "٢٠١٩"]


def test_previous_and_next_follow_publication_order(site):
    three_articles(site)
    site.build()
    middle = site.soup("articles/2019/04/two/")
    assert middle.find("a", rel="next")["href"] == "/articles/2020/01/three/"
    assert middle.find("a", rel="prev")["href"] == "/articles/2019/03/one/"
    assert site.soup("articles/2020/01/three/").find("a", rel="next") is None


def test_listings_paginate(site):
    for n in range(5):
        site.article(f"a{n}", title=f"خبر {n}", date=f"2019-03-0{n + 1}")
    site.write_config(pagination={"home": 2})
    site.build()
    first, last = site.soup(""), site.soup("page/3/")
    assert len(first.select(".card")) == 2 and len(last.select(".card")) == 1
    assert first.find("a", rel="next")["href"] == "/page/2/"
    assert last.find("a", rel="prev")["href"] == "/page/2/"
    assert [a.get_text() for a in first.select(".pagination ol a")] == ["٢", "٣"]
    assert broken_links(site.public) == []


def test_feeds_and_sitemap_are_valid_and_complete(site):
    three_articles(site)
    site.build()
    feed = ET.parse(site.public / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["الثالث", "الثاني", "الأول"]
    assert entries[0].find(f"{ATOM}id").text == "https://example.org/articles/2020/01/three/"
    sport = ET.parse(site.public / "categories/sport/feed.xml").getroot()
    assert len(sport.findall(f"{ATOM}entry")) == 2

    root = ET.parse(site.public / "sitemap.xml").getroot()
    urls = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    html_pages = {"https://example.org/" + p.relative_to(site.public).as_posix()
                  .removesuffix("index.html") for p in site.public.rglob("*.html")}
    # Not listed: the 404 page and the search page (noindex).
    assert urls == html_pages - {"https://example.org/404.html", "https://example.org/search/"}
    robots = (site.public / "robots.txt").read_text()
    assert "Sitemap: https://example.org/sitemap.xml" in robots.splitlines()


def test_sub_path_deployment(site):
    three_articles(site)
    site.write_config(base_url="https://example.org/archive/")
    site.build()
    links = [a["href"] for a in site.soup("").find_all("a") if a["href"].startswith("/")]
    assert links and all(link.startswith("/archive/") for link in links)
    assert site.soup("").find("link", rel="stylesheet")["href"].startswith("/archive/static/")
    assert broken_links(site.public, base_path="/archive/") == []
    feed = ET.parse(site.public / "feed.xml").getroot()
    assert feed.find(f"{ATOM}entry/{ATOM}id").text.startswith("https://example.org/archive/")


def test_levantine_month_names_and_latin_digits(site):
    site.article("a", date="2019-03-19")
    site.write_config(locale="ar_SY", numerals="latn", hijri=False)
    site.build()
    soup = site.soup("articles/2019/03/a/")
    assert soup.find("time").get_text() == "الثلاثاء، 19 آذار 2019"
    assert soup.find(class_="hijri") is None


def test_content_is_escaped(site):
    site.article("a", title="<script>alert(1)</script> عنوان",
                 body='نص <script>alert(2)</script> <a href="javascript:alert(3)">رابط</a>')
    site.build()
    soup = site.soup("articles/2019/03/a/")
    assert soup.h1.get_text() == "<script>alert(1)</script> عنوان"
    scripts = [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"]
    assert scripts == []
    link = soup.find(class_="article-body").a
    assert link is not None and link.get("href") is None


def test_static_assets_are_fingerprinted(site):
    site.article("a")
    site.build()
    href = site.soup("").find("link", rel="stylesheet")["href"]
    name = href.rsplit("/", 1)[1]
    stem, digest, ext = name.split(".")
    assert (stem, ext, len(digest)) == ("site", "css", 10)
    served = (site.public / href.lstrip("/")).read_bytes()
    source = (REPO / "static/css/site.css").read_bytes()
    assert digest == hashlib.sha256(served).hexdigest()[:10]  # the name holds what is served
    # Minified: comments and spaces out, every rule kept.
    assert b"/*" in source and b"/*" not in served and len(served) < 0.9 * len(source)
    assert served.count(b"{") == source.count(b"{") and served.count(b"}") == source.count(b"}")


def test_drafts_are_skipped_unless_asked(site):
    site.article("a", title="منشور")
    site.article("b", title="مسودة", draft=True)
    site.build()
    assert not (site.public / "articles/2019/03/b/index.html").exists()
    site.build("--drafts")
    assert (site.public / "articles/2019/03/b/index.html").exists()


def test_rebuild_rewrites_only_changed_files(site):
    three_articles(site)
    site.build("--no-search")  # the search index has its own test (test_search.py)
    before = {p: p.stat().st_mtime_ns for p in site.public.rglob("*") if p.is_file()}
    run = site.build("--no-search")
    assert "0 written" in run.out
    assert {p: p.stat().st_mtime_ns for p in before} == before

    site.article("2019/two", title="الثاني معدل", date="2019-04-02", category="economy")
    site.build("--no-search")
    changed = {p.relative_to(site.public).as_posix() for p in before
               if p.stat().st_mtime_ns != before[p]}
    assert "articles/2019/04/two/index.html" in changed
    assert "articles/2020/01/three/index.html" in changed  # its "older" link shows the title
    assert "articles/2019/03/one/index.html" in changed
    assert "categories/sport/index.html" not in changed
    assert "archive/2020/index.html" not in changed


def test_removed_article_removes_its_pages(site):
    three_articles(site)
    site.build()
    os.remove(site.content / "articles/2020/three.md")
    run = site.build()
    assert not (site.public / "articles/2020").exists()
    assert not (site.public / "archive/2020").exists()
    assert "removed" in run.out
    assert broken_links(site.public) == []


def test_the_mirror_holds_the_new_site_after_each_build(site):
    """Beside the output lies its mirror (output.py): after every build each of its files is
    a hard link to the output's, and it holds nothing else, not even an empty folder."""
    from generator.config import load_config
    from generator.output import Output

    def assert_mirrors() -> None:
        config = load_config(site.root / "site.toml")
        mirror = Output(config.paths.output, config.paths.cache).next
        live = {p.relative_to(site.public).as_posix(): p.stat().st_ino
                for p in site.public.rglob("*") if p.is_file()}
        copy = {p.relative_to(mirror).as_posix(): p.stat().st_ino
                for p in mirror.rglob("*") if p.is_file()}
        assert copy == live
        assert [p for p in mirror.rglob("*") if p.is_dir() and not any(p.iterdir())] == []

    three_articles(site)
    site.build("--no-search")  # the first build links each file into a new mirror
    assert_mirrors()
    site.article("2019/two", title="الثاني معدل", date="2019-04-02", category="economy")
    site.article("2021/four", title="الرابع", date="2021-06-01", category="culture")
    os.remove(site.content / "articles/2020/three.md")
    run = site.build("--no-search")  # files changed, added in new folders and removed
    assert "removed" in run.out and not (site.public / "articles/2020").exists()
    assert_mirrors()
    os.remove(site.content / "articles/2021/four.md")
    site.build("--no-search")
    assert_mirrors()


def test_build_leaves_foreign_files_alone(site):
    site.article("a")
    site.public.mkdir()
    (site.public / "downloads").mkdir()
    (site.public / "downloads" / "report.pdf").write_text("kept")
    site.build()
    site.build()
    assert (site.public / "downloads" / "report.pdf").read_text() == "kept"


def test_output_holds_no_build_machine_path(site):
    three_articles(site)
    site.build()
    needle = str(site.root).encode()
    leaks = [p for p in site.public.rglob("*") if p.is_file() and needle in p.read_bytes()]
    assert leaks == []


def test_a_second_build_of_the_same_site_at_once_is_refused(site):
    from generator.config import load_config
    from generator.state import site_lock

    site.article("a")
    site.build()
    config = load_config(site.root / "site.toml")
    site.article("b")  # something to write
    with site_lock(config):  # a build (or dev server) in another process holds it
        result = run_generator("build", "--config", str(site.root / "site.toml"), "--no-search")
        assert result.returncode == 1
        assert f"(process {os.getpid()})" in result.stderr
        assert "another build or dev server" in result.stderr and "Traceback" not in result.stderr
    assert site.build().code == 0  # free again


def _collector_state(shared, items):
    import gc

    return [(gc.isenabled(), gc.get_threshold()[0]) for _ in items]


def test_the_collector_is_off_while_a_build_runs_here_and_on_in_its_workers(site):
    """What a build allocates in its own process lives until it ends: collecting it is pure
    cost (0.1 s of a one-article build of the whole corpus). Workers do collect (rendering
    leaves garbage), rarely; and the collector is back on after the build."""
    import gc
    import sys

    from generator.build import build
    from generator.config import load_config
    from generator.engine import Engine
    from generator.parallel import ForkPool
    from generator.report import Reporter
    from generator.state import survey

    three_articles(site)
    site.write_config()
    started = []

    work = {survey.__code__, Engine.load.__code__, Engine.publish.__code__}

    def count(phase, info):  # a collection that starts while the build works
        frame = sys._getframe(1)
        while frame is not None and frame.f_code not in work:
            frame = frame.f_back
        if phase == "start" and frame is not None:
            started.append(info["generation"])

    for step in ("first build", "one article added"):
        if step == "one article added":
            site.article("2020/four", title="الرابع", date="2020-02-01", body="خبر آخر.")
        config, reporter = load_config(site.root / "site.toml"), Reporter(quiet=True)
        threshold = gc.get_threshold()
        gc.set_threshold(50)  # a collection every 50 allocations, unless it is off
        gc.callbacks.append(count)
        try:
            build(config, reporter=reporter)
        finally:
            gc.callbacks.remove(count)
            gc.set_threshold(*threshold)
        assert (step, started, gc.isenabled()) == (step, [], True)
    gc.disable()  # as in a build
    try:
        states = list(ForkPool(2).map(_collector_state, None, list(range(400))))
    finally:
        gc.enable()
    assert set(states) == {(True, 200_000)}

"""The dev server's engine side, in this process: what a path is, batches applied in order,
failures kept on screen. Tests wait on the app's batch sequence number, never on a clock."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.request

import pytest
from conftest import REPO, TmpSite, load_engine, output_file, parse_html
from devserver import free_port

from generator.config import load_config
from generator.dev.app import PUBLISH_NICENESS, DevApp, _lower_priority
from generator.engine import Engine
from generator.inputs import kind_of
from generator.report import Reporter


@pytest.fixture
def app_site(tmp_path):
    site = TmpSite(tmp_path, capsys=None)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    site.write_config(paths={"templates": str(tmp_path / "templates")})
    site.write("entities/place/moscow.toml", 'name = "موسكو"\n')
    site.write("entities/person/sergey-lavrov.toml",
               'name = "سيرجي لافروف"\naliases = ["لافروف"]\n')
    for n in range(4):
        site.article(f"a{n}", title=f"خبر {n}", date=f"2019-03-0{n + 1}",
                     body="وصل لافروف إلى موسكو أمس.")
    return site


def start(site: TmpSite) -> DevApp:
    app = DevApp(Engine(site.root / "site.toml"), Reporter(quiet=True), site.root)
    app.load()
    app.start_threads(publish=False)
    return app


@pytest.mark.parametrize("rel, kind", [
    ("content/articles/2019/03/x.md", "article"), ("content/articles/x.md", "article"),
    ("content/pages/about.md", "page"), ("content/pages/sub/about.md", None),
    ("content/entities/place/cairo.toml", "entity"), ("content/entities/x.toml", "entity"),
    ("content/articles/x.txt", None), ("content/articles/.#x.md", None),
    ("content/articles/x.md~", None), ("content/articles/.x.md.swp", None),
    ("content/notes.md", None), ("templates/article.html", "template"),
    ("templates/partials/x.html", "template"), ("static/css/site.css", "static"),
    ("public/index.html", None), (".cache/state.pickle", None), ("site.toml", "config"),
])
def test_paths_are_classified_once(tmp_path, rel, kind):
    site = TmpSite(tmp_path, capsys=None)
    site.write_config(paths={"templates": "templates", "static": "static"})
    config = load_config(tmp_path / "site.toml")
    assert kind_of((tmp_path / rel).resolve(), config) == kind


def test_a_batch_applies_one_article(app_site):
    app = start(app_site)
    app_site.article("a1", title="خبر معدل", date="2019-03-02", body="نص جديد.")
    app.changed({app_site.content / "articles/a1.md"})
    assert app.wait(1)
    titles = [a.title for a in app.engine.snapshot.site.articles]
    assert "خبر معدل" in titles and app.error is None
    app.stop()


def test_overlapping_batches_never_mix_two_states(app_site):
    """An entity file and an article that names it, saved at the same moment from two
    threads, again and again: every snapshot's articles name only entities of its registry,
    and every page renders (the dev session this engine replaced raised KeyError here)."""
    app = start(app_site)
    entity = app_site.content / "entities/place/moscow.toml"
    article = app_site.content / "articles/a2.md"
    expected = 0
    for round_ in range(12):
        def save_entity(round_=round_):
            if round_ % 2:
                entity.write_text('name = "موسكو"\n', encoding="utf-8")
            else:
                entity.unlink()
            app.changed({entity})

        def save_article(round_=round_):
            app_site.article("a2", title=f"خبر {round_}", date="2019-03-03",
                             body=f"زار لافروف موسكو للمرة {round_}.")
            app.changed({article})

        threads = [threading.Thread(target=save_entity), threading.Thread(target=save_article)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        expected += 2
        assert app.wait(expected)
        assert app.error is None
        snapshot = app.engine.snapshot
        registry = snapshot.site.registry
        for item in snapshot.site.articles:
            assert set(item.entity_ids) <= set(registry.entities)
        for file in snapshot.jobs:
            assert snapshot.render(file) is not None
        assert ("entities/moscow/index.html" in snapshot.jobs) == entity.exists()
    app.stop()


def test_a_failed_batch_keeps_the_last_good_state_until_fixed(app_site):
    app = start(app_site)
    good = app.engine.snapshot
    broken = app_site.write("articles/a0.md", '+++\ntitle = "مكسور\ndate = 2019-03-01\n+++\n')
    app.changed({broken})
    assert app.wait(1)
    assert app.error is not None and app.error.line == 2
    assert app.engine.snapshot is good
    app_site.article("a3", title="تعديل آخر", date="2019-03-04")  # another file: still broken
    app.changed({app_site.content / "articles/a3.md"})
    assert app.wait(2)
    assert app.error is not None and app.engine.snapshot is good
    app_site.article("a0", title="أصلح", date="2019-03-01")
    app.changed({broken})
    assert app.wait(3)
    assert app.error is None
    assert {"أصلح", "تعديل آخر"} <= {a.title for a in app.engine.snapshot.site.articles}
    app.stop()


def test_a_page_that_fails_to_render_shows_the_error_and_the_server_goes_on(app_site):
    template = app_site.root / "templates/page.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{{ page.title }}</h1>", "{{ page.title }}{{ (1 // page.extra.zero) }}</h1>"),
        encoding="utf-8")
    app_site.write("pages/about.md", '+++\ntitle = "عن"\nzero = 0\n+++\n\nنص.')
    app = DevApp(Engine(app_site.root / "site.toml"), Reporter(quiet=True), app_site.root)
    server = app.start(free_port())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/about/", timeout=10)
        assert missing.value.code == 404  # the page could not be made: the error page
        assert "ZeroDivisionError" in app.error.message
        with urllib.request.urlopen(base + "/articles/2019/03/a0/", timeout=10) as response:
            assert response.status == 200  # other pages are served as before
        with urllib.request.urlopen(f"{base}/__dev/events?path=/about/", timeout=10) as events:
            lines = [events.readline().decode() for _ in range(4)]
        error = json.loads(next(line[6:] for line in lines if line.startswith("data: ")))
        assert "ZeroDivisionError" in error["message"]
    finally:
        app.stop()


def test_in_memory_snapshot_equals_a_load_of_the_same_inputs(app_site):
    app = start(app_site)
    app_site.article("a1", title="خبر معدل", date="2019-03-02", body="لافروف في موسكو.")
    app.changed({app_site.content / "articles/a1.md"})
    assert app.wait(1)
    snapshot = app.engine.snapshot
    app.stop()
    cold = load_engine(app_site.root / "site.toml").snapshot
    assert set(snapshot.jobs) == set(cold.jobs)
    assert [f for f in cold.jobs if snapshot.render(f) != cold.render(f)] == []


def test_publishing_an_older_snapshot_keeps_what_the_current_one_uses(app_site):
    """The publisher writes the output from the snapshot it took while edits go on; tidying
    the cache after it must not drop the records the newer snapshot renders from."""
    engine = Engine(app_site.root / "site.toml")
    engine.load()
    older = engine.snapshot
    app_site.article("a1", title="خبر معدل", date="2019-03-02", body="لافروف في موسكو اليوم.")
    app_site.write("entities/place/cairo.toml", 'name = "القاهرة"\n')
    engine.apply({app_site.content / "articles/a1.md",
                  app_site.content / "entities/place/cairo.toml"})
    engine.publish(search=False, snapshot=older)  # the publisher, one edit behind
    newer = engine.snapshot
    assert newer is not older
    assert all(newer.render(file) is not None for file in newer.jobs)
    assert {"خبر معدل"} <= {a.title for a in newer.site.articles}


def test_a_publish_waits_in_its_pause_and_the_output_keeps_the_old_site(app_site):
    """The dev server's publisher gives way to edits by blocking in ``pause``: while it is
    blocked, the output folder is still the old site; once let go, the new one."""
    engine = Engine(app_site.root / "site.toml")
    engine.load()
    engine.publish(search=False)
    page = app_site.root / "public" / output_file(engine.snapshot.site.articles[-1].url)
    app_site.article("a0", title="خبر معدل", date="2019-03-01", body="وصل لافروف أمس.")
    engine.apply({app_site.content / "articles/a0.md"})
    paused, go = threading.Event(), threading.Event()

    def pause():
        paused.set()
        go.wait()

    publishing = threading.Thread(target=engine.publish,
                                  kwargs={"search": False, "pause": pause})
    publishing.start()
    try:
        assert paused.wait(30)
        assert parse_html(page).h1.get_text(strip=True) == "خبر 0"
    finally:
        go.set()
        publishing.join()
    assert parse_html(page).h1.get_text(strip=True) == "خبر معدل"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own priority "
                    "is a Linux feature; elsewhere the publisher keeps the server's")
def test_the_publisher_and_what_it_starts_run_at_a_lower_priority():
    seen = {}

    def publisher():
        _lower_priority()
        seen["thread"] = os.getpriority(os.PRIO_PROCESS, 0)
        seen["child"] = int(subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpriority(os.PRIO_PROCESS, 0))"],
            capture_output=True, text=True, check=True).stdout)

    before = os.getpriority(os.PRIO_PROCESS, 0)
    thread = threading.Thread(target=publisher)
    thread.start()
    thread.join()
    lowered = min(before + PUBLISH_NICENESS, 19)
    assert seen == {"thread": lowered, "child": lowered}
    assert os.getpriority(os.PRIO_PROCESS, 0) == before  # the rest of the server keeps its own

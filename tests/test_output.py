"""The output folder changed by hand between builds (``output.py``, ``files.py``).

A build prepares the next site from the mirror of the output folder (the last build's files),
so a change made by hand to a folder the generator writes is undone by the switch, and must
stay undone by the builds after it (the old output folder becomes the mirror, changes and
all). What the generator does not write (``CNAME``, ``downloads/``) is the user's and is kept
as the user left it, build after build. Each case is checked over several builds, against a
cold build of the same inputs, and against the mirror.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
from pathlib import Path

import pytest
from conftest import REPO, TmpSite, load_engine, tree_digest
from test_engine import (
    BODIES,
    CATEGORIES,
    EDITS,
    assert_like_cold,
    seeds,
    theme_site,  # noqa: F401 (a fixture)
    write_article,
)

from generator import files
from generator.errors import BuildError
from generator.files import changed_since, exchange, folders_of, reconcile


def write_articles(site: TmpSite) -> None:
    site.article("one", title="الأول", date="2019-03-19", category="sport")
    site.article("two", title="الثاني", date="2019-04-02", category="economy")
    site.article("three", title="الثالث", date="2020-01-05", category="sport")


def edit_an_article(site: TmpSite, n: int) -> None:
    site.article("two", title=f"الثاني بعد التعديل {n}", date="2019-04-02", category="economy")


def mirror_of(site: TmpSite) -> Path:
    from generator.config import load_config
    from generator.output import Output

    config = load_config(site.root / "site.toml")
    return Output(config.paths.output, config.paths.cache).next


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino
            for p in root.rglob("*") if p.is_file()}


def assert_checked(site: TmpSite, foreign: dict[str, str] | None = None) -> None:
    """The output holds what a cold build of the same inputs writes, plus the user's files
    (``foreign``: file -> text) as they are; the mirror is made of its very files."""
    cold = site.root / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    site.build("--no-search", "--out", str(cold))
    foreign = foreign or {}
    tops = {file.split("/")[0] for file in foreign}
    built = {f: d for f, d in tree_digest(site.public).items() if f.split("/")[0] not in tops}
    assert built == tree_digest(cold)
    kept = {p.relative_to(site.public).as_posix(): p.read_text(encoding="utf-8")
            for top in tops for p in [site.public / top, *(site.public / top).rglob("*")]
            if p.is_file()}
    assert kept == foreign
    assert inodes(mirror_of(site)) == inodes(site.public)


def replace_file(path: Path, text: str) -> None:
    """As most editors and copying tools save: a new file renamed over the old one."""
    fresh = path.with_name(path.name + ".new")
    fresh.write_text(text, encoding="utf-8")
    os.replace(fresh, path)


def _folder_added(public: Path) -> None:
    (public / "categories/extra").mkdir()
    (public / "categories/extra/index.html").write_text("<p>صفحة باليد</p>", encoding="utf-8")


def _file_made_folder(public: Path) -> None:
    (public / "robots.txt").unlink()
    (public / "robots.txt").mkdir()
    (public / "robots.txt/inside.txt").write_text("x", encoding="utf-8")


def _folder_made_file(public: Path) -> None:
    shutil.rmtree(public / "archive/2019")
    (public / "archive/2019").write_text("x", encoding="utf-8")


HAND_CHANGES = {
    "a page deleted": lambda public: (public / "categories/index.html").unlink(),
    "an article's folder deleted": lambda public: shutil.rmtree(
        public / "articles/2019/03/one"),
    "a page replaced": lambda public: replace_file(public / "archive/index.html", "<p>باليد</p>"),
    "a file added": lambda public: (public / "articles/2019/03/one/notes.txt").write_text("x"),
    "a folder added": _folder_added,
    "a file made a folder": _file_made_folder,
    "a folder made a file": _folder_made_file,
}


@pytest.mark.parametrize("change", list(HAND_CHANGES))
def test_a_change_by_hand_to_the_generated_files_is_undone_for_good(site, change):
    write_articles(site)
    site.build("--no-search")
    HAND_CHANGES[change](site.public)
    run = site.build("--no-search")  # no input changed: the output still did
    assert "changed by hand since the last build" in run.out
    assert_checked(site)
    for n in range(2):  # the builds after it do not bring the change back
        edit_an_article(site, n)
        site.build("--no-search")
        assert_checked(site)
    assert "holds the site already" in site.build("--no-search").out


def test_a_look_at_the_output_is_used_again_only_for_the_same_files_and_journal_time(site):
    """A build looks at the output's folders once, early (``state.survey``, while its stat
    walk runs beside it), and the switch uses what it found: only for the same files of the
    last build and the same time in the journal; otherwise the output is looked at again."""
    from generator.config import load_config
    from generator.output import Output
    from generator.state import survey

    write_articles(site)
    site.build("--no-search")
    config = load_config(site.root / "site.toml")
    output = Output(config.paths.output, config.paths.cache)
    seen = survey(config, drafts=False, search=False)
    assert seen.same and seen.looked.folders == frozenset()
    known = seen.looked.known
    assert "articles/2019/03/one/index.html" in known
    _folder_added(site.public)  # after the look
    assert output.changed_by_hand(known, seen.looked) == set()  # what the look found
    assert output.changed_by_hand(known) == {"categories"}
    fewer = known - {"articles/2019/03/one/index.html"}
    assert output.changed_by_hand(fewer, seen.looked) == {"categories"}
    looked = output.look(known)
    assert looked.folders == {"categories"}
    edit_an_article(site, 0)
    site.build("--no-search")  # undoes the change and moves the journal's time on
    assert output.changed_by_hand(known, looked) == set()  # (not the old look's folders)


def test_the_files_the_generator_does_not_write_stay_as_the_user_left_them(site):
    write_articles(site)
    site.build("--no-search")
    (site.public / "CNAME").write_text("news.example.org", encoding="utf-8")
    (site.public / "downloads").mkdir()
    (site.public / "downloads/report.pdf").write_text("1", encoding="utf-8")
    foreign = {"CNAME": "news.example.org", "downloads/report.pdf": "1"}
    edit_an_article(site, 0)
    site.build("--no-search")
    assert_checked(site, foreign)

    (site.public / "downloads/second.pdf").write_text("2", encoding="utf-8")  # added
    replace_file(site.public / "downloads/report.pdf", "1 (revised)")
    replace_file(site.public / "CNAME", "archive.example.org")
    (site.public / "downloads/2019").mkdir()
    (site.public / "downloads/2019/old.pdf").write_text("old", encoding="utf-8")
    foreign = {"CNAME": "archive.example.org", "downloads/report.pdf": "1 (revised)",
               "downloads/second.pdf": "2", "downloads/2019/old.pdf": "old"}
    for n in (1, 2):
        edit_an_article(site, n)
        site.build("--no-search")
        assert_checked(site, foreign)

    shutil.rmtree(site.public / "downloads/2019")
    (site.public / "downloads/second.pdf").unlink()
    del foreign["downloads/2019/old.pdf"], foreign["downloads/second.pdf"]
    run = site.build("--no-search")  # no input changed, nothing of the generator's either
    assert "nothing changed: the output folder is left as it was" in run.out
    assert_checked(site, foreign)
    edit_an_article(site, 3)
    site.build("--no-search")
    assert_checked(site, foreign)
    assert "holds the site already" in site.build("--no-search").out


@pytest.mark.parametrize("change", list(HAND_CHANGES))
def test_a_failed_build_leaves_the_change_by_hand_for_the_next_one(site, tmp_path, change):
    """A build that fails after it started preparing the next site leaves the output as it
    was, changed by hand, and the next build (which writes every page into a new folder)
    still undoes that change."""
    templates = tmp_path / "theme"
    shutil.copytree(REPO / "templates", templates)
    site.write_config(paths={"templates": str(templates)})
    write_articles(site)
    site.build("--no-search")
    HAND_CHANGES[change](site.public)
    changed = tree_digest(site.public)
    page = templates / "page.html"
    good = page.read_text(encoding="utf-8")
    page.write_text("{% extends 'base.html' %}\n{% block main %}{{ page.no_such_field }}"
                    "{% endblock %}\n", encoding="utf-8")
    site.write("pages/about.md", '+++\ntitle = "عن الأرشيف"\n+++\nنص.')
    run = site.build("--no-search", check=False)
    assert run.code == 1 and "no_such_field" in run.err  # (failed while rendering)
    assert tree_digest(site.public) == changed
    page.write_text(good, encoding="utf-8")
    site.build("--no-search")
    assert_checked(site)
    edit_an_article(site, 0)
    site.build("--no-search")
    assert_checked(site)


def test_what_a_failed_build_wrote_never_reaches_a_later_site(site, tmp_path):
    """A build that fails while rendering has written some pages into the next site, and
    not all of them are recorded (workers write them). The edits are then undone and another
    made: the next build must not switch the failed build's pages in with its own. (The
    failed build put back what it may have written, so the next one writes only its own.)"""
    templates = tmp_path / "theme"
    shutil.copytree(REPO / "templates", templates)
    site.write_config(paths={"templates": str(templates)})
    for n in range(30):
        site.article(f"a{n}", title=f"الخبر {n}", date=f"2019-03-{1 + n % 28:02d}")
    site.build("--no-search")
    page = templates / "page.html"
    good = page.read_text(encoding="utf-8")
    site.article("a5", title="عنوان لن ينشر", date="2019-03-06")
    page.write_text("{% extends 'base.html' %}\n{% block main %}{{ page.no_such_field }}"
                    "{% endblock %}\n", encoding="utf-8")
    site.write("pages/about.md", '+++\ntitle = "عن الأرشيف"\n+++\nنص.')  # (in the menu)
    before = tree_digest(site.public)
    run = site.build("--no-search", check=False)
    assert run.code == 1 and "no_such_field" in run.err  # after the article pages
    assert tree_digest(site.public) == before
    site.article("a5", title="الخبر 5", date="2019-03-06")
    page.write_text(good, encoding="utf-8")
    (site.content / "pages/about.md").unlink()
    site.article("a20", title="تعديل آخر", date="2019-03-21")
    run = site.build("--no-search")
    assert "every file written anew" not in run.out and "(50 written)" not in run.out
    assert_checked(site)
    site.article("a21", title="تعديل ثالث", date="2019-03-22")
    assert "every file written anew" not in site.build("--no-search").out
    assert_checked(site)


def _restore(path: Path, text: str, times: int) -> None:
    """``path`` as it was: its text and its modification time (as a copy that keeps times)."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(times, times))


def test_a_change_by_hand_before_a_failed_build_is_undone_with_the_inputs_as_they_were(
        site, tmp_path):
    """A page deleted by hand, then a build that fails, then its template put back as it was
    (time and all): nothing differs from the saved state but the output, which must not be
    taken for the site."""
    templates = tmp_path / "theme"
    shutil.copytree(REPO / "templates", templates)
    site.write_config(paths={"templates": str(templates)})
    write_articles(site)
    site.build("--no-search")
    (site.public / "articles/2019/03/one/index.html").unlink()
    page = templates / "article.html"
    good, times = page.read_text(encoding="utf-8"), page.stat().st_mtime_ns
    page.write_text(good.replace("{{ article.title }}", "{{ article.title.no_such() }}", 1),
                    encoding="utf-8")
    run = site.build("--no-search", check=False)
    assert run.code == 1 and "no_such" in run.err
    _restore(page, good, times)
    run = site.build("--no-search")
    assert "holds the site already" not in run.out
    assert_checked(site)
    assert "holds the site already" in site.build("--no-search").out


@pytest.mark.parametrize("where", ["save", "switch"])
def test_a_build_that_stops_after_the_switch_leaves_no_site_taken_for_another(
        site, monkeypatch, where):
    """The output holds the new site, but the build's state is not saved: it failed while
    saving (a full disk), or was killed right after the switch. With the edit undone, the
    saved state's inputs are back, and the next build must still write the site they make;
    with it kept, too."""
    from generator import journal
    from generator.state import StateStore

    write_articles(site)
    site.build("--no-search")
    first = tree_digest(site.public)
    times = (site.content / "articles/two.md").stat().st_mtime_ns
    text = (site.content / "articles/two.md").read_text(encoding="utf-8")
    if where == "save":
        def refuse(store, state, previous):
            raise BuildError("cannot save the build's state: No space left on device", store.path)
        monkeypatch.setattr(StateStore, "save", refuse)
    else:
        real = journal.write

        def killed(path, live, following, phase, *args):
            if phase == "switched":
                raise SystemExit("killed")  # (as a kill: nothing after the switch happens)
            real(path, live, following, phase, *args)
        monkeypatch.setattr(journal, "write", killed)
    edit_an_article(site, 1)
    with contextlib.suppress(SystemExit):
        assert site.build("--no-search", check=False).code == 1
    assert tree_digest(site.public) != first  # the new site is in
    monkeypatch.undo()
    _restore(site.content / "articles/two.md", text, times)
    site.build("--no-search")
    assert tree_digest(site.public) == first
    assert_checked(site)
    edit_an_article(site, 2)
    site.build("--no-search")
    assert_checked(site)


@pytest.mark.parametrize("seed", seeds(1))
def test_randomised_edits_changes_by_hand_and_failures_keep_the_output_right(
        theme_site, seed):  # noqa: F811 (the fixture)
    """The dev server's path (one engine applying saved paths, then publishing), with changes
    made by hand to the output between publishes, and publishes that fail on a template
    error: after each step the output equals a cold build's."""
    site = theme_site
    server = load_engine(site.root / "site.toml")
    server.publish(search=False)
    rng = random.Random(seed)
    page = site.root / "templates/page.html"  # (the theme's own copy)
    good = page.read_text(encoding="utf-8")
    other_edits = [name for name in EDITS if name.startswith(("entity", "article"))]
    for step in range(10):
        paths = set()
        for _ in range(rng.randint(1, 3)):
            n = rng.randrange(16)
            path = site.content / f"articles/2019/a{n}.md"
            action = rng.random()
            if action < 0.15:
                path.unlink(missing_ok=True)
                paths.add(path)
            elif action < 0.6:
                write_article(site, n, body=rng.choice(BODIES) + f" {step}",
                              date=f"2019-0{rng.randint(1, 6)}-1{rng.randint(0, 9)}",
                              categories=[rng.choice(CATEGORIES)])
                paths.add(path)
            elif action < 0.8:
                with contextlib.suppress(OSError):  # (that part of the output may be gone)
                    HAND_CHANGES[rng.choice(list(HAND_CHANGES))](site.public)
            else:  # every file, before and after: the edit may delete or rename one
                paths.update(site.content.rglob("*.*"))
                with contextlib.suppress(AssertionError, FileNotFoundError):
                    EDITS[rng.choice(other_edits)](site)
                paths.update(site.content.rglob("*.*"))
        if rng.random() < 0.2:  # a publish that fails while rendering, then the fix
            page.write_text("{% extends 'base.html' %}{% block main %}{{ page.no_such_field }}"
                            "{% endblock %}", encoding="utf-8")
            server.apply(paths | {page})
            with pytest.raises(BuildError):
                server.publish(search=False)
            page.write_text(good, encoding="utf-8")
            paths = {page}
        server.apply(paths)
        server.publish(search=False)
        server.close()
        assert_like_cold(site)
        server = load_engine(site.root / "site.toml")
    server.close()


# -- the helpers, on small trees ----------------------------------------------------------------

def make_tree(root: Path, files: dict[str, str]) -> None:
    for file, text in files.items():
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        (root / file).write_text(text, encoding="utf-8")


def test_reconcile_makes_the_folders_given_hold_the_sources_entries(tmp_path):
    source, target = tmp_path / "source", tmp_path / "target"
    make_tree(source, {"same.txt": "s", "a/new.txt": "n", "a/b/deep.txt": "d", "c/d/e.txt": "e",
                       "kind": "a file"})
    shutil.copytree(source, target, copy_function=os.link)  # hard links, as a mirror is
    (target / "a/new.txt").unlink()  # lacking
    (target / "a/extra.txt").write_text("x")  # extra
    (target / "a/b/deep.txt").unlink()  # in a folder not given: left alone
    replace_file(target / "same.txt", "s")  # same bytes, another file
    shutil.rmtree(target / "c/d")  # a folder lacking
    (target / "c/gone").mkdir()  # a folder extra
    (target / "kind").unlink()
    (target / "kind").mkdir()  # a folder where the source has a file
    reconcile(source, target, {"", "a", "c", "no/such/folder"})
    assert inodes(target) == {f: i for f, i in inodes(source).items() if f != "a/b/deep.txt"}
    assert not (target / "c/gone").exists()


def a_moment_passed(folder: Path) -> int:
    """A change time after every change made until now, and before those made from now on
    (file-system clocks move in steps of a few milliseconds: wait for the next step, as a
    file written again shows it)."""
    mark = folder / "mark"
    mark.write_text("0")
    before = mark.stat().st_ctime_ns
    while mark.stat().st_ctime_ns <= before:
        mark.write_text("1")
    moment = mark.stat().st_ctime_ns
    mark.unlink()
    return moment


def test_folders_changed_since_a_moment_are_told(tmp_path):
    root, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    make_tree(root, {"a/b/one.txt": "1", "a/two.txt": "2", "c/three.txt": "3", "d/four.txt": "4"})
    folders = folders_of(["a/b/one.txt", "a/two.txt", "c/three.txt", "d/four.txt"])
    assert folders == {"", "a", "a/b", "c", "d"}
    make_tree(elsewhere, {"old/five.txt": "5"})
    moment = a_moment_passed(elsewhere)
    (root / "a/b/six.txt").write_text("6")  # added
    shutil.rmtree(root / "c")  # gone: told by the folder holding it
    shutil.copytree(elsewhere / "old", root / "d/old")  # made, with its old times
    os.utime(root / "d/old", ns=(moment - 10**9, moment - 10**9))
    (root / "a/two.txt").write_text("two")  # rewritten in place: not told
    assert changed_since(root, folders | {"d/old"}, moment) == {"", "a/b", "d", "d/old"}


def test_exchange_swaps_two_folders_or_leaves_both(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    make_tree(a, {"f": "a"})
    make_tree(b, {"f": "b"})
    exchange(a, b)
    assert (a / "f").read_text() == "b" and (b / "f").read_text() == "a"
    shutil.rmtree(a)
    with pytest.raises(FileNotFoundError):  # refused by the system: never half done by renames
        exchange(a, b)
    assert sorted(os.listdir(tmp_path)) == ["b"] and (b / "f").read_text() == "a"


def test_exchange_by_renames_puts_the_folder_back_when_it_cannot_finish(tmp_path, monkeypatch):
    """Where the system cannot exchange two folders, three renames do; when the second fails,
    the first is undone."""
    monkeypatch.setattr(files.sys, "platform", "elsewhere")
    a, b = tmp_path / "a", tmp_path / "b"
    make_tree(b, {"f": "b"})
    with pytest.raises(FileNotFoundError):
        exchange(a, b)
    assert sorted(os.listdir(tmp_path)) == ["b"] and (b / "f").read_text() == "b"
    make_tree(a, {"f": "a"})
    exchange(a, b)
    assert (a / "f").read_text() == "b" and (b / "f").read_text() == "a"
    assert sorted(os.listdir(tmp_path)) == ["a", "b"]

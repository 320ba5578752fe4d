"""Bad input: a message naming the file and line, exit 1, no traceback, output untouched."""

from __future__ import annotations

import pytest
from conftest import REPO, run_generator

GOOD = '+++\ntitle = "عنوان"\ndate = 2019-03-19\n+++\n\nنص.\n'

# (file content, expected line, words the message must contain)
BAD_ARTICLES = {
    "malformed front matter": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\ntags = [\n+++\nنص', 4,
                               "invalid TOML"),
    "unclosed front matter": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\nنص', 1, "not closed"),
    "no front matter": ("مجرد نص بلا حقول\n", 1, "missing front matter"),
    "missing title": ("+++\ndate = 2019-03-19\n+++\nنص", 1, "'title'"),
    "empty title": ('+++\ntitle = "  "\ndate = 2019-03-19\n+++\nنص', 2, "must not be empty"),
    "missing date": ('+++\ntitle = "عنوان"\n+++\nنص', 1, "'date'"),
    "unparsable date": ('+++\ntitle = "عنوان"\ndate = "19 مارس 2019"\n+++\nنص', 3,
                        "cannot parse"),
    "date of wrong type": ('+++\ntitle = "عنوان"\ndate = 2019\n+++\nنص', 3, "ISO 8601"),
    "unsafe slug": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\nslug = "../../etc"\n+++\nنص', 4,
                    "not a safe URL segment"),
    "slug with space": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\nslug = "a b"\n+++\nنص', 4,
                        "not a safe URL segment"),
    "tags not a list": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\ntags = 5\n+++\nنص', 4,
                        "list of strings"),
    "draft not a boolean": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\ndraft = "no"\n+++\nنص', 4,
                            "true or false"),
    "bad category key": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\ncategory = "a/b"\n+++\nنص', 4,
                         "category key"),
    "non-http source_url": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\n'
                            'source_url = "javascript:alert(1)"\n+++\nنص', 4, "http"),
    "date before year 1 in UTC": ('+++\ntitle = "عنوان"\ndate = 0001-01-01T00:30:00+01:00\n'
                                  '+++\nنص', 3, "out of range"),
    "date after 9999 in UTC": ('+++\ntitle = "عنوان"\ndate = 9999-12-31T23:59:59-12:00\n'
                               '+++\nنص', 3, "out of range"),
    "TOML nested too deeply": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\nx = ' + "[" * 2000
                               + "]" * 2000 + '\n+++\nنص', 4, "nested too deeply"),
    "block quotes nested too deeply": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\n+++\nنص\n'
                                       + "> " * 40 + "x", 6, "block quotes"),
    "lists nested too deeply": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\n+++\nنص\n\n'
                                + "\n".join("    " * n + "- x" for n in range(40)), 40,
                                "indented"),
    "brackets nested too deeply": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\n+++\nنص\n\n'
                                   + "[" * 5000 + "x" + "]" * 5000, 7, "brackets"),
    "body too large": ('+++\ntitle = "عنوان"\ndate = 2019-03-19\n+++\n' + "نص طويل " * 130_000,
                       5, "at most 1,000,000"),
}


@pytest.fixture
def built(site):
    """A site that built once; the test then breaks it and checks nothing changed."""
    site.write("articles/good.md", GOOD)
    site.build()
    return site, site.tree_digest()


def assert_failed(site, before, run, where, *words):
    assert run.code == 1
    assert run.err.startswith("error: "), run.err
    assert where in run.err, run.err
    for word in words:
        assert word in run.err, run.err
    assert "Traceback" not in run.err + run.out
    assert site.tree_digest() == before


@pytest.mark.parametrize("case", sorted(BAD_ARTICLES))
def test_bad_article_is_reported_at_its_line(built, case):
    site, before = built
    text, line, words = BAD_ARTICLES[case]
    path = site.write("articles/2019/bad.md", text)
    run = site.build(check=False)
    assert_failed(site, before, run, f"{path}:{line}:", words)


def test_non_utf8_file_names_the_line(built):
    site, before = built
    path = site.write("articles/latin1.md", GOOD.encode("utf-8") + "\nسطر\né\n".encode("cp1256"))
    run = site.build(check=False)
    assert_failed(site, before, run, f"{path}:8:", "UTF-8")


def test_duplicate_url_names_both_files(built):
    site, before = built
    site.write("articles/a/good.md", GOOD)
    run = site.build(check=False)
    assert_failed(site, before, run, "good.md:1:", "duplicate URL /articles/2019/03/good/")
    assert str(site.content / "articles/a/good.md") in run.err
    assert str(site.content / "articles/good.md") in run.err


def test_reserved_page_slug(built):
    site, before = built
    path = site.write("pages/archive.md", '+++\ntitle = "أرشيف"\n+++\nنص')
    run = site.build(check=False)
    assert_failed(site, before, run, f"{path}:1:", "reserved")


def test_missing_content_folder(site):
    site.write_config()
    run = site.build("--content", str(site.root / "nowhere"), check=False)
    assert run.code == 1 and "content folder not found" in run.err


@pytest.mark.parametrize("config, line, words", [
    ('title = "x"\ntitel = "y"\n', 2, "unknown key"),
    ('title = "x"\nhijri = "yes"\n', 2, "expected bool"),
    ('title = "x"\nnumerals = "roman"\n', 2, "'arab'"),
    ('title = "x"\nbase_url = "example.org"\n', 2, "base_url"),
    ('title = "x"\nlocale = "xx_YY"\n', 2, "unknown locale"),
    ('title = "x"\n[pagination]\nhome = 0\n', 3, "at least 1"),
    ('title = "x"\n[pagination]\nhomepage = 5\n', 3, "pagination.homepage"),
    ('title = "x"\n[categories]\nsport = 5\n', 3, "categories.sport"),
    ('title = "x\n', 1, "invalid TOML"),
    ('title = "x"\n\n[paths]\nextra = ' + "{a = " * 1500 + "1" + "}" * 1500 + "\n", 4,
     "nested too deeply"),
    ('title = "x"\nbase_url = "https://example.org/my archive/"\n', 2, "spaces"),
    ('title = "x"\nbase_url = "//example.org/"\n', 2, "protocol-relative"),
    ('title = "x"\nbase_url = "ftp://example.org/"\n', 2, "http(s) URL with a host"),
    ('title = "x"\nbase_url = "https:///archive/"\n', 2, "http(s) URL with a host"),
    ('title = "x"\n[paths]\noutput = "."\n', 3, "project folder"),
    ('title = "x"\n[paths]\noutput = "content"\n', 3, "the content folder"),
    ('title = "x"\n[paths]\noutput = "content/public"\n', 3, "inside the content folder"),
])
def test_bad_config_names_the_key_and_line(built, config, line, words):
    site, before = built
    path = site.write_config(config)
    run = site.build(check=False)
    assert_failed(site, before, run, f"{path}:{line}:", words)


def test_missing_config_file(site):
    run = site.cli("build", "--config", str(site.root / "missing.toml"))
    assert run.code == 1 and "config file not found" in run.err


def test_template_error_names_template_and_line(built, tmp_path):
    site, before = built
    templates = tmp_path / "theme"
    templates.mkdir()
    for source in (REPO / "templates").iterdir():
        (templates / source.name).write_bytes(source.read_bytes())
    (templates / "page.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{{ oops }\n")
    site.write_config(paths={"templates": str(templates)})
    site.write("pages/about.md", '+++\ntitle = "عن"\n+++\nنص')
    run = site.build(check=False)
    assert_failed(site, before, run, f"{templates / 'page.html'}:3:", "template")


def test_undefined_template_variable_names_template_and_line(built, tmp_path):
    site, before = built
    templates = tmp_path / "theme"
    templates.mkdir()
    for source in (REPO / "templates").iterdir():
        (templates / source.name).write_bytes(source.read_bytes())
    (templates / "page.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n<p>{{ page.no_such_field }}</p>\n"
        "{% endblock %}\n")
    site.write_config(paths={"templates": str(templates)})
    site.write("pages/about.md", '+++\ntitle = "عن"\n+++\nنص')
    run = site.build(check=False)
    assert_failed(site, before, run, f"{templates / 'page.html'}:3:", "no_such_field")


def test_real_process_prints_no_traceback(tmp_path):
    content = tmp_path / "content" / "articles"
    content.mkdir(parents=True)
    (content / "bad.md").write_text('+++\ntitle = "x"\n+++\n', encoding="utf-8")
    result = run_generator("build", "--config", str(REPO / "site.toml"),
                           "--content", str(tmp_path / "content"),
                           "--out", str(tmp_path / "public"), "--cache", str(tmp_path / "c"),
                           cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: content/articles/bad.md:1: missing required field "
                                      "'date' (ISO 8601, e.g. 2019-03-19)")
    assert not (tmp_path / "public").exists()


def test_entity_description_nested_too_deeply(built):
    site, before = built
    description = "\\n".join("> " * n + "x" for n in range(1, 41))
    path = site.write("entities/person/someone.toml",
                      f'name = "شخص"\ndescription = "{description}"\n')
    run = site.build(check=False)
    assert_failed(site, before, run, f"{path}:2:", "description", "block quotes")


@pytest.mark.parametrize("alias, line, words", [
    ("في", 3, "most common words"),  # a stop word (entities/stopwords.txt)
    ("الرئيس", 3, "most common words"),
    (".", 3, "only punctuation or digits"),
    ("2019", 3, "only punctuation or digits"),
    ("ب", 3, "single letter"),
    ("  ", 2, "empty name"),
])
def test_an_alias_that_would_link_everywhere_is_refused(built, alias, line, words):
    site, before = built
    path = site.write("entities/person/someone.toml",
                      f'name = "شخص معروف"\naliases = [\n    "{alias}",\n]\n')
    run = site.build(check=False)
    assert_failed(site, before, run, f"{path}:{line}:", words)


def test_base_url_without_its_final_slash_is_completed(site):
    site.write_config(base_url="https://example.org/archive")
    site.article("a")
    site.build("--no-search")
    assert site.soup("articles/2019/03/a/").find("link", rel="canonical")["href"] == \
        "https://example.org/archive/articles/2019/03/a/"


def test_urls_differing_only_in_letter_case_are_refused(built):
    site, before = built
    first = site.write("articles/2019/Report.md", GOOD)
    second = site.write("articles/2019/report.md", GOOD)
    run = site.build(check=False)
    assert_failed(site, before, run, ":1:", "only in letter case")
    assert str(first) in run.err and str(second) in run.err


def test_a_page_may_not_take_the_search_index_folder(built):
    site, before = built
    path = site.write("pages/pagefind.md", '+++\ntitle = "بحث"\n+++\nنص')
    run = site.build(check=False)
    assert_failed(site, before, run, f"{path}:1:", "reserved")


def test_a_symbolic_link_loop_or_to_nothing_is_refused(built):
    site, before = built
    loop = site.content / "articles" / "loop"
    loop.symlink_to(site.content)
    run = site.build(check=False)
    assert_failed(site, before, run, "loop/articles:", "leads back to a folder above it")
    loop.unlink()
    dangling = site.content / "articles" / "gone.md"
    dangling.symlink_to(site.root / "nowhere.md")
    run = site.build(check=False)
    assert_failed(site, before, run, "gone.md:", "leads to nothing")


def test_a_config_path_that_is_a_folder(site):
    (site.root / "folder.toml").mkdir()
    run = site.cli("build", "--config", str(site.root / "folder.toml"))
    assert run.code == 1 and "folder.toml: cannot read file" in run.err
    assert "Traceback" not in run.err


def test_a_cache_folder_in_the_way_is_reported_without_a_traceback(built):
    site, before = built
    blocker = site.root / "cache-file"
    blocker.write_text("not a folder", encoding="utf-8")
    run = site.build("--cache", str(blocker), check=False)
    assert_failed(site, before, run, "cache-file/sites/", "Not a directory")
    (database,) = (site.root / ".cache").rglob("cache.sqlite")
    for stale in database.parent.glob("cache.sqlite*"):
        stale.unlink()
    database.mkdir()  # a folder where the database must be
    run = site.build(check=False)
    assert_failed(site, before, run, "cache.sqlite:", "Is a directory")


def test_a_folder_where_an_output_file_must_go(built):
    """Something put a folder where a page goes: the generator's folders are its own, so the
    next build puts the page back, as a cold build would have it (tests/test_output.py),
    rather than failing on it."""
    site, _ = built
    page = site.public / "articles/2019/03/good/index.html"
    page.unlink()
    page.mkdir()
    (page / "stray.txt").write_text("x", encoding="utf-8")
    site.write("articles/good.md", GOOD.replace("نص.", "نص معدل."))
    run = site.build()
    assert "changed by hand" in run.out
    assert page.is_file() and "نص معدل." in page.read_text(encoding="utf-8")

"""Reading articles and pages: defaults, optional fields, unknown fields."""

from __future__ import annotations

from bs4 import BeautifulSoup
from conftest import load_engine


def read(site, **options):
    return load_engine(site.write_config(), **options).snapshot.site


def records(site, **options):
    snapshot = load_engine(site.write_config(), **options).snapshot
    return [snapshot.resources.records(entry)[0] for entry in snapshot.site.articles]


def test_defaults_and_optional_fields(site):
    site.article("2019/اسم-الملف", title="عنوان", date="2019-03-19T08:00:00+03:00",
                 body="الجملة الأولى من النص. " * 3, category="sport", categories=["economy"],
                 tags=["وسم", "وسم"], image="/img/a.jpg", author="كاتب",
                 source="bbc", source_url="https://example.com/x", updated="2019-03-20")
    (article,) = records(site)
    assert article.slug == "اسم-الملف"
    assert article.url == "articles/2019/03/اسم-الملف/"
    assert article.categories == ("sport", "economy")
    assert article.tags == ("وسم",)
    assert article.summary == ("الجملة الأولى من النص. " * 3).strip()
    assert article.word_count == 12
    assert (article.author, article.publisher, article.image) == ("كاتب", "bbc", "/img/a.jpg")
    assert article.updated.day == 20 and article.date.utcoffset().total_seconds() == 3 * 3600


def test_unknown_fields_are_kept_for_templates(site):
    site.article("a", slug="custom", summary="ملخص يدوي", import_id="x1", rating=4)
    (article,) = records(site)
    assert (article.slug, article.summary) == ("custom", "ملخص يدوي")
    assert dict(article.extra) == {"import_id": "x1", "rating": 4}


def test_markdown_body_is_rendered_and_sanitised(site):
    site.article("a", body="## عنوان فرعي\n\nنص **مهم** و<span onclick='x()'>ممتد</span>.")
    engine = load_engine(site.write_config())
    (article,) = engine.snapshot.site.articles
    body = BeautifulSoup(engine.snapshot.resources.body(article).html, "html.parser")
    assert body.h2.get_text() == "عنوان فرعي"
    assert body.strong.get_text() == "مهم"
    assert body.span.get_text() == "ممتد" and body.span.attrs == {}


def test_pages_and_drafts(site):
    site.write("pages/about.md", '+++\ntitle = "عن"\n+++\n\nنص.')
    site.write("pages/soon.md", '+++\ntitle = "قريبا"\ndraft = true\n+++\n\nنص.')
    site.article("a", draft=True)
    content = read(site)
    assert [p.url for p in content.pages] == ["about/"]
    assert content.articles == ()
    with_drafts = read(site, drafts=True)
    assert [p.url for p in with_drafts.pages] == ["about/", "soon/"]
    assert [a.url for a in with_drafts.articles] == ["articles/2019/03/a/"]


def test_editor_files_are_not_content(site):
    site.article("a")
    (site.content / "articles" / ".#a.md").symlink_to("user@host.1234:1700000000")  # Emacs lock
    site.write("articles/.a.md.swp", b"\x00binary")
    site.write("articles/.hidden.md", "no front matter")
    assert [a.slug for a in records(site)] == ["a"]


def test_windows_and_old_mac_line_endings_are_read(site):
    site.write("articles/crlf.md", "+++\r\ntitle = \"سطر ويندوز\"\r\ndate = 2019-03-19\r\n"
                                   "+++\r\n\r\nفقرة أولى.\r\n\r\nفقرة ثانية.\r\n")
    site.write("articles/cr.md", "+++\rtitle = \"سطر ماك\"\rdate = 2019-03-18\r+++\r\rنص.\r")
    engine = load_engine(site.write_config())
    titles = {a.title for a in engine.snapshot.site.articles}
    assert titles == {"سطر ويندوز", "سطر ماك"}
    crlf = next(a for a in engine.snapshot.site.articles if a.title == "سطر ويندوز")
    body = BeautifulSoup(engine.snapshot.resources.body(crlf).html, "html.parser")
    assert [p.get_text() for p in body.find_all("p")] == ["فقرة أولى.", "فقرة ثانية."]


def test_bidi_controls_in_hand_written_fields_are_dropped(site):
    site.article("a", title="عنوان \u202eمقلوب\u202c", author="\u2067كاتب\u2069",
                 tags=["\u200fوسم", "\u202d"])
    (article,) = records(site)
    assert article.title == "عنوان مقلوب"
    assert article.author == "كاتب" and article.tags == ("وسم",)
    site.build("--no-search")
    soup = site.soup("articles/2019/03/a/")
    assert soup.h1.get_text() == "عنوان مقلوب"
    assert not any(c in soup.title.get_text() for c in "\u202a\u202b\u202c\u202d\u202e")


def test_symbolic_links_to_files_and_folders_are_both_read(site, tmp_path):
    elsewhere = tmp_path / "shared-articles"
    (elsewhere / "folder").mkdir(parents=True)
    text = '+++\ntitle = "{}"\ndate = 2019-03-19\n+++\n\nنص.\n'
    (elsewhere / "folder" / "in-folder.md").write_text(text.format("من مجلد"), encoding="utf-8")
    (elsewhere / "file.md").write_text(text.format("من ملف"), encoding="utf-8")
    site.article("plain", title="عادي")
    (site.content / "articles" / "linked").symlink_to(elsewhere / "folder")
    (site.content / "articles" / "file.md").symlink_to(elsewhere / "file.md")
    assert {a.title for a in read(site).articles} == {"عادي", "من مجلد", "من ملف"}

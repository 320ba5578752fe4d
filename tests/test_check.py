"""`python -m generator check`: the built site proven, and each kind of problem caught.

Each failing case breaks one thing in a copy of the theme (or the content) and expects the check
to name the page and the element."""

from __future__ import annotations

import contextlib
import io
import shutil

import pytest
from conftest import REPO, TmpSite

from generator.check_tools import AXE, CHROMIUM, VNU
from generator.cli import main


@pytest.fixture
def themed(tmp_path):
    """A small site with its own copy of the templates, which a test may break."""
    site = TmpSite(tmp_path, capsys=None)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    site.write_config(base_url="https://example.org/archive/",
                      paths={"templates": str(tmp_path / "templates"),
                             "static": str(REPO / "static")},
                      categories={"sport": "رياضة"})
    site.write("entities/place/cairo.toml", 'name = "القاهرة"\ndescription = "عاصمة مصر."\n')
    site.article("a", title="خبر أول", category="sport", body="وصل الوفد إلى القاهرة.")
    site.article("b", title="خبر ثان", date="2020-01-02",
                 body="نص [الخبر الأول](../../../2019/03/a/).")
    return site


def check(site: TmpSite, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--config", str(site.root / "site.toml"), *args])
    return code, out.getvalue() + err.getvalue()


def needs_tools():
    if not VNU.is_file() or not AXE.is_file() or shutil.which("java") is None \
            or not CHROMIUM.exists():
        pytest.skip("the Nu HTML Checker, axe-core, Java or Chromium is missing (make check "
                    "and .ci/run install them)")


def edit(site: TmpSite, template: str, old: str, new: str) -> None:
    path = site.root / "templates" / template
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_sound_site_passes_every_check(themed):
    needs_tools()
    code, output = check(themed)
    assert code == 0, output
    assert "no problem" in output


def test_a_broken_link_and_anchor_are_named(themed):
    themed.article("c", title="روابط", date="2020-01-03",
                   body="[مفقود](/archive/articles/2030/01/none/) و[مرساة](#لا-يوجد)")
    code, output = check(themed, "--no-html", "--no-accessibility")
    assert code == 1
    page = "articles/2020/01/c/index.html"
    assert f'{page}: <a href="/archive/articles/2030/01/none/">: no such file' in output
    assert f'{page}: <a href="#لا-يوجد">: no id="لا-يوجد" on {page}' in output
    assert 'href="../../../2019/03/a/"' not in output  # a relative link that resolves


def test_a_page_missing_from_the_sitemap_is_named(themed):
    edit(themed, "sitemap.xml", "{% for url, lastmod in entries %}",
         "{% for url, lastmod in entries if 'categories/' not in url %}")
    code, output = check(themed, "--no-html", "--no-accessibility")
    assert code == 1
    assert "categories/sport/index.html: missing from the sitemap" in output
    assert "categories/index.html: missing from the sitemap" in output


def test_structure_problems_are_named(themed):
    edit(themed, "404.html", "<h1", "<h1>زائد</h1><h1")
    code, output = check(themed, "--no-html", "--no-accessibility")
    assert code == 1 and "404.html: <h1>: 2 on the page, expected one" in output


def test_invalid_html_is_named_by_the_nu_checker(themed):
    needs_tools()
    edit(themed, "404.html", "<h1", '<p><div>غير صالح</div></p><h1')
    code, output = check(themed, "--no-accessibility")
    assert code == 1
    assert "HTML:" in output and "404.html:" in output
    assert "No “p” element in scope" in output


def test_an_accessibility_violation_is_named(themed):
    needs_tools()
    edit(themed, "archive.html", "{% block main %}",
         '{% block main %}<img src="{{ asset(\'img/icon.svg\') }}">')
    code, output = check(themed, "--no-html")
    assert code == 1
    assert "archive/index.html (archive, light): img: image-alt (critical)" in output
    assert "archive/index.html (archive, dark): img: image-alt (critical)" in output


def test_json_ld_pointing_nowhere_is_named(themed):
    edit(themed, "article.html", '<script type="application/ld+json">{{ jsonld|tojson }}</script>',
         '<script type="application/ld+json">{"@context": "https://schema.org", '
         '"url": "https://example.org/archive/articles/2099/01/none/"}</script>')
    code, output = check(themed, "--no-html", "--no-accessibility")
    assert code == 1
    assert 'articles/2019/03/a/index.html: "url": ' \
           '"https://example.org/archive/articles/2099/01/none/": no such page' in output

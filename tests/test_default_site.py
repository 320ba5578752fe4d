"""The repository's own site: the seed article built with site.toml, as `make site` does."""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET

import pytest
import tomli_w
from conftest import REPO, SEED, broken_links, parse_html, run_generator

from generator.text import clean_text


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    out = tmp_path_factory.mktemp("public")
    result = run_generator("build", "--out", str(out), "--cache", str(out.parent / "cache"))
    assert result.returncode == 0, result.stderr
    for stage in ("read", "index", "render", "write"):
        assert any(line.split()[:1] == [stage] for line in result.stdout.splitlines()), stage
    # (the process leaves its objects to the system: what it printed last is still written)
    assert result.stdout.splitlines()[-1].startswith("built 1 article into "), result.stdout
    return out


def seed_article(public):
    pages = list((public / "articles").rglob("index.html"))
    assert len(pages) == 1
    return parse_html(pages[0])


def test_seed_article_page_has_its_full_text(public):
    lines = [line for line in clean_text(SEED.read_text(encoding="utf-8")).split("\n") if line]
    soup = seed_article(public)
    assert soup.h1.get_text() == lines[0]
    assert [p.get_text() for p in soup.find(class_="article-body").find_all("p")] == lines[1:]
    assert soup.find("time").get_text() == "الثلاثاء، ١٩ مارس ٢٠١٩"


def test_home_archives_categories_feed_and_sitemap_exist(public):
    title = seed_article(public).h1.get_text()
    for page in ("index.html", "archive/index.html", "archive/2019/03/index.html",
                 "categories/index.html", "categories/middleEast/index.html"):
        cards = [h.get_text(strip=True) for h in parse_html(public / page).select(".card-title")]
        assert cards == ([title] if "categories/index" not in page and
                         page != "archive/index.html" else []), page
    assert ET.parse(public / "feed.xml").getroot().tag.endswith("feed")
    assert len(list(ET.parse(public / "sitemap.xml").getroot())) >= 8
    assert (public / "about/index.html").is_file()
    assert broken_links(public) == []


# Every registered entity of the seed article, at its first mention, exactly as written.
SEED_LINKS = [
    ("sergey-lavrov", "سيرجي لافروف"), ("arab-league", "بالجامعة العربية"), ("egypt", "ومصر"),
    ("middle-east", "الشرق الأوسط"), ("ahmed-aboul-gheit", "أحمد أبو الغيط"),
    ("russia", "روسيا"), ("sameh-shoukry", "سامح شكري"), ("mahmoud-afifi", "محمود عفيفي"),
    ("russian-arab-cooperation-forum", "لمنتدى التعاون العربي الروسي"),
    ("arab-world", "العالم العربي"), ("moscow", "موسكو"), ("syria", "سوريا"), ("iran", "إيران"),
    ("ahmed-hafez", "أحمد حافظ"), ("egyptian-foreign-ministry", "وزارة الخارجية المصرية"),
    ("southern-military-district", "للمنطقة العسكرية الجنوبية الروسية"),
    ("vadim-astafyev", "فاديم أستافييف"), ("sputnik", "سبوتنيك"),
]


def test_seed_article_links_each_registered_entity_once(public):
    soup = seed_article(public)
    links = [(a["data-entity"], a.get_text()) for a in soup.select(".article-body a")]
    assert links == SEED_LINKS
    box = {a.get_text() for a in soup.select(".entity-box a")}
    assert len(box) == len(SEED_LINKS)


def test_each_linked_entity_page_lists_the_seed_with_a_snippet(public):
    title = seed_article(public).h1.get_text()
    for entity, surface in SEED_LINKS:
        page = parse_html(public / "entities" / entity / "index.html")
        (card,) = page.select(".entity-articles .card")
        assert card.select_one(".card-title").get_text(strip=True) == title
        assert card.select_one(".kwic mark").get_text() == surface, entity


def test_link_every_mention_when_the_policy_says_so(tmp_path):
    settings = tomllib.loads((REPO / "site.toml").read_text(encoding="utf-8"))
    settings["paths"] = {key: str(REPO / value) for key, value in settings["paths"].items()
                         if key in ("content", "templates", "static")}
    settings["entities"] = {"link": "all"}
    config = tmp_path / "site.toml"
    config.write_text(tomli_w.dumps(settings), encoding="utf-8")
    result = run_generator("build", "--config", str(config), "--out", str(tmp_path / "public"),
                           "--cache", str(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    soup = seed_article(tmp_path / "public")
    lavrov = [a.get_text() for a in soup.select('.article-body a[data-entity="sergey-lavrov"]')]
    assert lavrov == ["سيرجي لافروف", "سيرجي لافروف", "ولافروف", "لافروف", "سيرجي لافروف",
                      "ولافروف"]
    league = [a.get_text() for a in soup.select('.article-body a[data-entity="arab-league"]')]
    assert league == ["بالجامعة العربية", "لجامعة الدول العربية", "الجامعة", "الجامعة العربية"]

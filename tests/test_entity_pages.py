"""Entity pages, indexes, feeds and JSON; entity features of article pages. Parsed, not grepped."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from conftest import broken_links

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def entity_site(site):
    site.write("entities/person/sergey-lavrov.toml",
               'name = "سيرجي لافروف"\naliases = ["لافروف"]\nname_en = "Sergey Lavrov"\n'
               'description = "وزير **الخارجية** الروسي."\nwikidata = "Q11111"\n')
    site.write("entities/person/ahmed-aboul-gheit.toml",
               'name = "أحمد أبو الغيط"\naliases = ["أبو الغيط"]\n')
    site.write("entities/person/old-lavrov.toml",
               'name = "سيرغي لافروف"\nmerged_into = "sergey-lavrov"\n')
    site.write("entities/place/egypt.toml", 'name = "مصر"\nwikidata = "Q79"\n')
    site.write("entities/place/iraq.toml", 'name = "العراق"\n')
    site.write("entities/place/aden.toml", 'name = "عدن"\n')
    site.write("entities/place/ethiopia.toml", 'name = "إثيوبيا"\n')
    site.write("entities/place/bahrain.toml", 'name = "البحرين"\n')
    site.write("entities/organization/arab-league.toml", 'name = "جامعة الدول العربية"\n')
    site.article("a1", title="الأول", date="2019-01-10",
                 body="التقى سيرجي لافروف مع أحمد أبو الغيط في مصر. وقال لافروف إن مصر مهمة.")
    site.article("a2", title="الثاني", date="2019-03-05",
                 body="زار سيرغي لافروف العراق ثم عاد لافروف إلى موسكو.")
    site.article("a3", title="الثالث", date="2019-03-20",
                 body="قال أبو الغيط إن جامعة الدول العربية تدعم مصر.", entities=["sergey-lavrov"])
    site.article("a4", title="الرابع", date="2019-04-01", body="خبر عن إثيوبيا وعدن والبحرين.")
    site.write_config(pagination={"entity": 2})
    site.build()
    return site


def test_entity_page(entity_site):
    soup = entity_site.soup("entities/sergey-lavrov/")
    assert soup.h1.get_text() == "سيرجي لافروف"
    assert soup.find(class_="name-en").get_text() == "Sergey Lavrov"
    assert [a.get_text() for a in soup.select(".alias")] == ["لافروف", "سيرغي لافروف"]
    assert soup.select_one(".entity-description strong").get_text() == "الخارجية"
    assert soup.select_one("a.wikidata")["href"] == "https://www.wikidata.org/wiki/Q11111"
    assert soup.select_one(".mention-count").get_text() == "٤"
    assert soup.select_one(".article-count").get_text() == "٣"
    assert soup.select_one(".first-mention time")["datetime"].startswith("2019-01-10")
    assert soup.select_one(".last-mention time")["datetime"].startswith("2019-03-20")


def test_entity_articles_newest_first_with_snippets_and_pages(entity_site):
    first, second = entity_site.soup("entities/sergey-lavrov/"), \
        entity_site.soup("entities/sergey-lavrov/page/2/")
    titles = [h.get_text(strip=True) for h in first.select(".card-title")]
    assert titles == ["الثالث", "الثاني"]
    assert [h.get_text(strip=True) for h in second.select(".card-title")] == ["الأول"]
    cards = {c.select_one(".card-title").get_text(strip=True): c for c in
             first.select(".card") + second.select(".card")}
    assert cards["الثاني"].select_one(".kwic mark").get_text() == "سيرغي لافروف"
    assert cards["الثاني"].select_one(".kwic").get_text() == \
        "زار سيرغي لافروف العراق ثم عاد لافروف إلى موسكو."
    assert cards["الثالث"].select_one(".kwic") is None  # about it, without a mention
    assert first.find("a", rel="next")["href"] == "/entities/sergey-lavrov/page/2/"


def test_timeline_counts_mentions_per_month(entity_site):
    svg = entity_site.soup("entities/sergey-lavrov/").select_one("svg.timeline")
    bars = {rect.title.get_text() for rect in svg.find_all("rect")}
    assert bars == {"يناير ٢٠١٩: ٢", "مارس ٢٠١٩: ٣"}
    assert svg.desc.get_text()


def test_cooccurring_entities_ranked(entity_site):
    items = entity_site.soup("entities/sergey-lavrov/").select(".cooccurring li a")
    # Two shared articles each, then one each; ties in id order.
    assert [a.get_text() for a in items] == ["أحمد أبو الغيط", "مصر", "جامعة الدول العربية",
                                             "العراق"]


def test_entity_feed_json_and_jsonld(entity_site):
    feed = ET.parse(entity_site.public / "entities/sergey-lavrov/feed.xml").getroot()
    assert [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")] == \
        ["الثالث", "الثاني", "الأول"]
    data = json.loads((entity_site.public / "entities/sergey-lavrov/index.json").read_text())
    assert (data["id"], data["mentions"], data["article_count"]) == ("sergey-lavrov", 4, 3)
    assert [a["mentions"] for a in data["articles"]] == [0, 2, 2]
    ld = json.loads(entity_site.soup("entities/egypt/")
                    .find("script", type="application/ld+json").string)
    assert (ld["@type"], ld["sameAs"]) == ("Place", "https://www.wikidata.org/wiki/Q79")


def test_merged_entity_redirects(entity_site):
    soup = entity_site.soup("entities/old-lavrov/")
    refresh = soup.find("meta", attrs={"http-equiv": "refresh"})["content"]
    assert refresh.endswith("url=/entities/sergey-lavrov/")
    assert soup.find("link", rel="canonical")["href"] == \
        "https://example.org/entities/sergey-lavrov/"


def test_type_index_in_arabic_order_with_letters(entity_site):
    soup = entity_site.soup("entities/place/")
    names = [a.get_text() for a in soup.select(".entity-list a")]
    # إثيوبيا under ا (hamza forms), البحرين under ب, العراق under ع after عدن (ال ignored).
    assert names == ["إثيوبيا", "البحرين", "عدن", "العراق", "مصر"]
    assert [a.get_text() for a in soup.select(".letters a")] == ["ا", "ب", "ع", "م"]
    group = [a.get_text() for a in soup.find(id="letter-ع").select(".entity-list a")]
    assert group == ["عدن", "العراق"]


def test_overall_index_lists_most_mentioned(entity_site):
    soup = entity_site.soup("entities/")
    top = [a.get_text() for a in soup.select(".top-entities a")]
    assert top[:2] == ["سيرجي لافروف", "مصر"]
    assert {a.get_text() for a in soup.select(".entity-types a")} == \
        {"أشخاص", "مؤسسات", "أماكن"}


def test_article_page_entity_box_related_and_jsonld(entity_site):
    soup = entity_site.soup("articles/2019/01/a1/")
    box = {h.get_text(): [a.get_text() for a in h.find_next("ul").find_all("a")]
           for h in soup.select(".entity-box h3")}
    assert box == {"أشخاص": ["سيرجي لافروف", "أحمد أبو الغيط"], "أماكن": ["مصر"]}
    related = [a.get_text() for a in soup.select(".related a")]
    assert related[0] == "الثالث"  # shares Lavrov, Aboul Gheit and Egypt
    assert "الرابع" not in related
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert {m["name"] for m in ld["mentions"]} == {"سيرجي لافروف", "أحمد أبو الغيط", "مصر"}
    about = json.loads(entity_site.soup("articles/2019/03/a3/")
                       .find("script", type="application/ld+json").string)["about"]
    assert about == [{"@type": "Person", "@id": "https://example.org/entities/sergey-lavrov/",
                      "name": "سيرجي لافروف", "url": "https://example.org/entities/sergey-lavrov/",
                      "sameAs": "https://www.wikidata.org/wiki/Q11111"}]


def test_entity_pages_are_in_the_sitemap_and_links_resolve(entity_site):
    root = ET.parse(entity_site.public / "sitemap.xml").getroot()
    urls = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    for entity in ("sergey-lavrov", "egypt", "aden", "arab-league"):
        assert f"https://example.org/entities/{entity}/" in urls
    assert "https://example.org/entities/old-lavrov/" not in urls
    assert "https://example.org/entities/place/" in urls
    assert broken_links(entity_site.public) == []


def test_a_registry_change_relinks_only_the_articles_it_can_reach(entity_site):
    run = entity_site.build()
    assert "nothing changed since the last build" in run.out
    entity_site.write("entities/place/moscow.toml", 'name = "موسكو"\n')
    run = entity_site.build()
    # a2 holds the word; a3 declares the entities it is about, which a registry change can
    # resolve differently. a1 and a4 cannot name Moscow: their links are kept.
    assert "0 files read, 2 articles linked" in run.out
    links = entity_site.soup("articles/2019/03/a2/").select(".article-body a.entity")
    assert [a.get_text() for a in links] == ["سيرغي لافروف", "العراق", "موسكو"]


def test_names_without_an_arabic_initial_get_a_valid_anchor(site):
    site.write("entities/organization/bbc.toml", 'name = "BBC"\n')
    site.write("entities/organization/un.toml", 'name = "الأمم المتحدة"\n')
    site.article("a", body="قالت BBC إن الأمم المتحدة اجتمعت.")
    site.build("--no-search")
    soup = site.soup("entities/organization/")
    anchors = [a["href"] for a in soup.select(".letters a")]
    assert "#letter-other" in anchors and all(a.count("#") == 1 for a in anchors)
    assert soup.find(id="letter-other").select_one(".entity-list a").get_text() == "BBC"

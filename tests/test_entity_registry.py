"""Registry errors name the file (and line); a failing build leaves the output untouched."""

from __future__ import annotations

import pytest
from test_errors import GOOD, assert_failed


@pytest.fixture
def built(site):
    site.write("articles/good.md", GOOD)
    site.write("entities/place/egypt.toml", 'name = "مصر"\n')
    site.build()
    return site, site.tree_digest()


@pytest.mark.parametrize("rel, text, line, words", [
    ("person/nameless.toml", 'aliases = ["س"]\n', 1, "missing required field 'name'"),
    ("person/typo.toml", 'name = "س"\naliasses = ["ص"]\n', 2, "unknown field"),
    ("person/bad-wikidata.toml", 'name = "س"\nwikidata = "79"\n', 2, "Wikidata id"),
    ("person/bad-link.toml", 'name = "س"\nlink = "no"\n', 2, "true or false"),
    ("person/bad-toml.toml", 'name = "س\n', 1, "invalid TOML"),
    ("person/lost.toml", 'name = "س"\nmerged_into = "nobody"\n', 2, "no entity with id"),
])
def test_registry_errors(built, rel, text, line, words):
    site, before = built
    path = site.write(f"entities/{rel}", text)
    run = site.build(check=False)
    assert_failed(site, before, run, f"{path}:{line}:", words)


@pytest.mark.parametrize("rel, text", [
    ("place/misr.toml", 'name = "جمهورية مصر"\naliases = ["مصر"]\n'),
    ("person/egypt-person.toml", 'name = "مِصر"\n'),  # the same name once normalised
])
def test_one_name_for_two_entities(built, rel, text):
    site, before = built
    path = site.write(f"entities/{rel}", text)
    run = site.build(check=False)
    egypt = site.content / "entities/place/egypt.toml"
    assert_failed(site, before, run, "also registered", "short_aliases")
    assert f"{egypt}:1:" in run.err or f"{path}:" in run.err
    assert str(egypt) in run.err and str(path) in run.err


@pytest.mark.parametrize("rel, words", [
    ("event/summit.toml", "unknown entity type 'event'"),
    ("person/Bad_Id.toml", "lowercase ASCII slug"),
    ("place/person.toml", "not a type name"),
    ("egypt.toml", "content/entities/<type>/<id>.toml"),
])
def test_entity_file_placement_errors(built, rel, words):
    site, before = built
    path = site.write(f"entities/{rel}", 'name = "اسم"\n')
    run = site.build(check=False)
    assert_failed(site, before, run, str(path), words)


def test_duplicate_id_across_types(built):
    site, before = built
    path = site.write("entities/person/egypt.toml", 'name = "مصر الشخص"\n')
    run = site.build(check=False)
    assert_failed(site, before, run, "egypt.toml", "duplicate entity id 'egypt'")
    assert str(path) in run.err or str(site.content / "entities/place/egypt.toml") in run.err


def test_merge_loop(built):
    site, before = built
    site.write("entities/person/a.toml", 'name = "أ"\nmerged_into = "b"\n')
    site.write("entities/person/b.toml", 'name = "ب"\nmerged_into = "a"\n')
    run = site.build(check=False)
    assert_failed(site, before, run, "merged_into", "loop")


def test_article_naming_an_unknown_entity(built):
    site, before = built
    path = site.write("articles/about.md", '+++\ntitle = "ع"\ndate = 2019-03-19\n'
                      'entities = ["egypt", "atlantis"]\n+++\nنص')
    run = site.build(check=False)
    assert_failed(site, before, run, f"{path}:4:", "no entity with id 'atlantis'")


def test_shared_short_alias_is_allowed(site):
    site.write("entities/person/a.toml", 'name = "شكري أ"\nshort_aliases = ["شكري"]\n')
    site.write("entities/person/b.toml", 'name = "شكري ب"\nshort_aliases = ["شكري"]\n')
    site.write("articles/x.md", GOOD)
    site.build()


def test_entity_types_come_from_the_config(site):
    site.write_config(entities={"types": {"event": "أحداث", "person": "أشخاص"}})
    site.write("entities/event/world-cup-2018.toml", 'name = "كأس العالم 2018"\n')
    site.write("articles/x.md", GOOD.replace("نص.", "انطلقت كأس العالم 2018 في روسيا."))
    site.build()
    assert site.soup("entities/event/").h1.get_text() == "أحداث"
    links = site.soup("articles/2019/03/x/").select(".article-body a.entity-event")
    assert [a.get_text() for a in links] == ["كأس العالم 2018"]

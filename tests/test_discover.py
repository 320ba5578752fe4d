"""Entity discovery: grouping the tagger's names into candidates, recogniser-aware linking,
discovered entity pages, the editor's commands, and the engine re-tagging only what changed."""

from __future__ import annotations

import json

import pytest
from conftest import load_engine

from generator.entities.discover import discover, found_in, propose_id
from generator.entities.matching import compound_variants, name_keys, normalize
from generator.errors import BuildError

PERSON, PLACE = "PERS", "LOC"


def run(found: dict, registered: dict | None = None, types: dict | None = None,
        rejects=frozenset(), minimum: int = 1):
    registered = {name_keys(n): e for n, e in (registered or {}).items()}
    return discover(found, registered, types or {}, rejects,
                    ("person", "organization", "place"), minimum)


def names(*spans: tuple[str, str]):
    return found_in(spans)


def by_name(discovery):
    return {c.name: c for c in discovery.candidates}


def test_spellings_of_one_name_are_grouped():
    found = {
        "a.md": names(("كريستين لاغارد", PERSON), ("حسن نصر الله", PERSON)),
        "b.md": names(("كريستين لاجارد", PERSON), ("حسن نصرالله", PERSON)),
        "c.md": names(("وكريستين لاغارد", PERSON), ("حسن نصرالله", PERSON)),
    }
    candidates = by_name(run(found))
    assert set(candidates) == {"كريستين لاغارد", "حسن نصرالله"}
    lagarde = candidates["كريستين لاغارد"]
    assert lagarde.articles == 3
    # the proclitic is taken off (the name is recognised without it elsewhere)
    assert set(lagarde.forms) == {"كريستين لاغارد", "كريستين لاجارد"}
    assert candidates["حسن نصرالله"].forms == ("حسن نصرالله", "حسن نصر الله")


def test_a_short_form_after_the_full_name_counts_for_it():
    found = {"a.md": names(("سيرغي لافروف", PERSON), ("لافروف", PERSON), ("لافروف", PERSON)),
             "b.md": names(("سيرغي لافروف", PERSON))}
    candidates = by_name(run(found))
    assert set(candidates) == {"سيرغي لافروف"}
    assert candidates["سيرغي لافروف"].short_forms == ("لافروف",)
    assert candidates["سيرغي لافروف"].mentions == 4


def test_type_by_majority_and_given_names_left_out():
    found = {f"{n}.md": names(("نيوم", "ORG" if n < 3 else PLACE), ("محمد", PERSON),
                              ("محمد الجدعان", PERSON), ("محمد هنيدي", PERSON))
             for n in range(5)}
    candidates = by_name(run(found))
    assert candidates["نيوم"].type == "organization"
    assert "محمد" not in candidates  # seen more often as a first name than alone
    assert {"محمد الجدعان", "محمد هنيدي"} <= set(candidates)


def test_registered_rejected_and_contained_names():
    found = {"a.md": names(("أردوجان", PERSON), ("ميلانيا ترامب", PERSON),
                           ("واشنطن بوست", "ORG"), ("فيلق القدس", "ORG"), ("بروكسل", PLACE),
                           ("اليورو", "MISC"))}
    discovery = run(found, registered={"أردوغان": "erdogan", "ترامب": "trump",
                                       "واشنطن": "washington"},
                    types={"erdogan": "person", "trump": "person", "washington": "place"},
                    rejects=frozenset({"فيلقالقدس"}))
    candidates = by_name(discovery)
    assert "أردوجان" not in candidates  # the registered name, in another spelling
    assert "فيلق القدس" not in candidates  # rejected
    assert "اليورو" not in candidates  # MISC has no entity type
    assert candidates["ميلانيا ترامب"].contains == "trump"  # left to the editor
    assert not candidates["ميلانيا ترامب"].linkable
    assert candidates["واشنطن بوست"].contains is None  # a place inside a newspaper's name
    assert {c.name for c in discovery.linked()} == {"واشنطن بوست", "بروكسل"}


def test_the_minimum_number_of_articles():
    found = {"a.md": names(("بروكسل", PLACE), ("جنيف", PLACE)), "b.md": names(("بروكسل", PLACE))}
    discovery = run(found, minimum=2)
    assert [c.name for c in discovery.linked()] == ["بروكسل"]
    assert [c.name for c in discovery.candidates] == ["بروكسل", "جنيف"]


def test_proposed_ids_are_ascii_slugs():
    assert propose_id("سيرغي لافروف") == "syrghy-lafrwf"
    assert propose_id("وول ستريت جورنال") == "wwl-stryt-jwrnal"
    assert propose_id("؟؟") == "entity"


def test_letter_variants_and_compounds_fold_for_registered_names_too():
    assert normalize("أردوغان") == normalize("أردوجان")
    assert normalize("الكونغرس") == normalize("الكونجرس")
    assert normalize("ڤيينا") == normalize("فيينا")
    assert normalize("پاريس") == normalize("باريس")
    assert compound_variants(name_keys("حسن نصر الله")) == (name_keys("حسن نصرالله"),)
    assert compound_variants(name_keys("عبدالله")) == (name_keys("عبد الله"),)
    assert compound_variants(name_keys("سيرغي لافروف")) == ()


# -- in a build ---------------------------------------------------------------------------

BOMPEO = "التقى وزير الخارجية الأمريكي مايك بومبيو في جنيف نظيره، وقال بومبيو إن المحادثات جيدة."


@pytest.fixture
def archive(site):
    site.write_config(entities={"discover_min": 2})
    site.write("entities/person/donald-trump.toml",
               'name = "دونالد ترامب"\nname_en = "Donald Trump"\nshort_aliases = ["ترامب"]\n')
    site.write("entities/place/china.toml", 'name = "الصين"\n')
    site.write("entities/place/washington.toml", 'name = "واشنطن"\n')
    site.write("entities/person/erdogan.toml", 'name = "رجب طيب أردوغان"\naliases = ["أردوغان"]\n')
    site.write("entities/person/nasrallah.toml", 'name = "حسن نصر الله"\n')
    for n in range(3):
        site.article(f"p{n}", title=f"خبر {n}", date=f"2019-03-1{n}", body=BOMPEO)
    site.article("w", title="صحيفة", date="2019-04-01",
                 body="ذكرت صحيفة واشنطن بوست أن الرئيس غادر واشنطن أمس.\n\n"
                      "وتشهد منطقة بحر الصين توترا، وقالت الصين إنها سترد.")
    site.article("v", title="تركيا", date="2019-04-02",
                 body="قال الرئيس التركي أردوجان إن حسن نصرالله وعد بالتهدئة. "
                      "وقال الرئيس دونالد ترامب إن واشنطن بوست تكذب.")
    return site


def entity_links(soup) -> list[tuple[str, str]]:
    return [(a.get_text(), a["data-entity"]) for a in soup.select("a.entity")]


def test_discovered_entities_get_pages_links_and_a_mark(archive):
    archive.build()
    article = archive.soup("/articles/2019/03/p0/")
    links = entity_links(article)
    assert ("مايك بومبيو", "mayk-bwmbyw") in links
    page = archive.soup("/entities/mayk-bwmbyw/")
    assert page.h1.get_text() == "مايك بومبيو"
    assert page.find(attrs={"data-found": "auto"}) is not None
    data = json.loads((archive.public / "entities/mayk-bwmbyw/index.json").read_text())
    assert data["found_automatically"] is True and data["article_count"] == 3
    registered = json.loads((archive.public / "entities/donald-trump/index.json").read_text())
    assert registered["found_automatically"] is False
    assert archive.soup("/entities/donald-trump/").find(attrs={"data-found": "auto"}) is None


def test_a_name_inside_a_longer_recognised_name_is_not_linked(archive):
    archive.build()
    links = entity_links(archive.soup("/articles/2019/04/w/"))
    # «واشنطن» in «واشنطن بوست» (twice) is not the city; the city on its own still is
    washington = json.loads((archive.public / "entities/washington/index.json").read_text())
    assert (washington["mentions"], washington["article_count"]) == (1, 1)
    assert ("واشنطن", "washington") in links
    # «الصين» inside «بحر الصين» is not China; the country on its own is
    assert [t for t, e in links if e == "china"] == ["الصين"]
    china = json.loads((archive.public / "entities/china/index.json").read_text())
    assert china["mentions"] == 1


def test_letter_variants_and_joined_names_link_registered_entities(archive):
    archive.build()
    links = dict((e, t) for t, e in entity_links(archive.soup("/articles/2019/04/v/")))
    assert links["erdogan"] == "أردوجان"
    assert links["nasrallah"] == "نصرالله" or links["nasrallah"] == "حسن نصرالله"
    # «دونالد ترامب» is the registered person, not a new one
    assert links["donald-trump"] == "دونالد ترامب"


def test_english_names_are_in_the_search_text(archive):
    archive.build()
    hidden = archive.soup("/articles/2019/04/v/").find(attrs={"data-pagefind-body": True})
    assert "Donald Trump" in hidden.get_text()


def test_discovery_off_and_suggest_make_no_pages(archive):
    for mode in ("off", "suggest"):
        archive.write_config(entities={"discover_min": 2, "discover": mode})
        archive.build()
        assert not (archive.public / "entities/mayk-bwmbyw").exists()
        links = entity_links(archive.soup("/articles/2019/03/p0/"))
        assert "mayk-bwmbyw" not in [e for _, e in links]


def test_the_editor_loop(archive):
    archive.build()
    config = str(archive.root / "site.toml")
    run = archive.cli("entities", "suggest", "--config", config, "--min", "1")
    assert run.code == 0, run.err
    assert "مايك بومبيو" in run.out and "[mayk-bwmbyw]" in run.out and "linked" in run.out
    assert "«" in run.out  # contexts

    run = archive.cli("entities", "accept", "مايك بومبيو", "--id", "mike-pompeo",
                      "--config", config)
    assert run.code == 0, run.err
    written = archive.content / "entities/person/mike-pompeo.toml"
    assert 'name = "مايك بومبيو"' in written.read_text(encoding="utf-8")
    archive.build()
    assert ("مايك بومبيو", "mike-pompeo") in entity_links(archive.soup("/articles/2019/03/p0/"))
    assert archive.soup("/entities/mike-pompeo/").find(attrs={"data-found": "auto"}) is None
    assert not (archive.public / "entities/mayk-bwmbyw").exists()

    run = archive.cli("entities", "reject", "جنيف", "--config", config)
    assert run.code == 0, run.err
    archive.build()
    assert "جنيف" not in [t for t, _ in entity_links(archive.soup("/articles/2019/03/p1/"))]
    run = archive.cli("entities", "suggest", "--config", config, "--min", "1")
    assert "جنيف" not in run.out

    run = archive.cli("entities", "merge", "بحر الصين", "china", "--config", config)
    assert run.code == 0, run.err
    text = (archive.content / "entities/place/china.toml").read_text(encoding="utf-8")
    assert text.startswith('name = "الصين"\n') and 'aliases = ["بحر الصين"]' in text

    run = archive.cli("entities", "accept", "لا يوجد", "--config", config)
    assert run.code == 1 and "no discovered name" in run.err


def test_an_edit_tags_only_the_edited_article(archive):
    engine = load_engine(archive.root / "site.toml")
    try:
        assert engine.tagged == 5
        path = archive.article("p1", title="خبر 1", date="2019-03-11", body=BOMPEO + " وانتهى.")
        update = engine.apply([path])
        assert update.tagged == 1
        entity = archive.write("entities/place/geneva.toml", 'name = "جنيف"\n')
        update = engine.apply([entity])
        assert update.tagged == 0 and update.relinked >= 3
        links = [e for m in engine.snapshot.site.articles for e in m.entity_ids]
        assert "geneva" in links
    finally:
        engine.close()


def test_a_rejection_takes_effect_in_the_running_engine(archive):
    engine = load_engine(archive.root / "site.toml")
    try:
        assert "mayk-bwmbyw" in engine.snapshot.site.registry.entities
        path = archive.write("entities/rejected.toml", 'names = ["مايك بومبيو"]\n')
        update = engine.apply([path])
        assert update.tagged == 0
        assert "mayk-bwmbyw" not in engine.snapshot.site.registry.entities
        assert all("mayk-bwmbyw" not in a.entity_ids for a in engine.snapshot.site.articles)
        path.write_text('names = "not a list"\n', encoding="utf-8")
        with pytest.raises(BuildError, match="names ="):
            engine.apply([path])
    finally:
        engine.close()


def test_the_short_form_of_a_registered_name_is_not_a_candidate():
    found = {"a.md": names(("دونالد ترامب", PERSON), ("ترامب", PERSON), ("ترامب", PERSON)),
             "b.md": names(("ترامب", PERSON))}
    candidates = by_name(run(found, registered={"دونالد ترامب": "trump"},
                             types={"trump": "person"}))
    # after the registered full name, «ترامب» is that person; alone, it is left to be found
    assert candidates["ترامب"].articles == 1 and candidates["ترامب"].mentions == 1


def test_review_commands_report_bad_input_by_file(archive):
    config = str(archive.root / "site.toml")
    archive.write("entities/rejected.toml", 'names = ["بروكسل"\n')
    run = archive.cli("entities", "reject", "جنيف", "--config", config)
    assert run.code == 1 and "rejected.toml:" in run.err
    (archive.content / "entities/rejected.toml").unlink()
    run = archive.cli("entities", "accept", "مايك بومبيو", "--id", "Bad Id", "--config", config)
    assert run.code == 1 and "--id 'Bad Id'" in run.err
    run = archive.cli("entities", "merge", "مايك بومبيو", "nobody", "--config", config)
    assert run.code == 1 and "no registered entity with id 'nobody'" in run.err
    archive.write_config(entities={"discover": "off"})
    run = archive.cli("entities", "suggest", "--config", config)
    assert run.code == 1 and "discovery is off" in run.err


def test_a_deferred_discovery_completes_as_a_cold_load_would(archive, tmp_path):
    """The dev server applies an article first and groups names after (seconds on a large
    archive): the page reloads at once, and the completed snapshot is the cold one."""
    body = "وقالت كريستين لاغارد في برلين إن الاقتصاد يتعافى."
    engine = load_engine(archive.root / "site.toml")
    try:
        paths = [archive.article(f"n{n}", title=f"لاغارد {n}", date=f"2019-05-0{n}", body=body)
                 for n in (1, 2)]
        update = engine.apply(paths, defer_discovery=True)
        assert engine.discovery_stale and update.tagged == 2
        assert "krystyn-laghard" not in engine.snapshot.site.registry.entities
        stale, asked = engine.snapshot, []  # the next save arrives: the grouping gives way

        def cancelled() -> bool:
            # (while names are grouped, the current snapshot is still the stale one, and
            # says so: the dev server's publisher, reading it then, must not write it out)
            asked.append((engine.snapshot.discovery_stale, engine.discovery_stale))
            return True
        assert engine.rediscover(cancelled=cancelled).kind == "none"
        assert asked and set(asked) == {(True, True)}
        assert engine.snapshot is stale and engine.discovery_stale
        update = engine.rediscover()
        assert update.kind == "discovery" and not engine.discovery_stale
        assert engine.snapshot.site.registry.entities["krystyn-laghard"].found
        cold = load_engine(archive.root / "site.toml", overrides={"cache": tmp_path / "cold"})
        try:
            assert set(cold.snapshot.jobs) == set(engine.snapshot.jobs)
            for file in cold.snapshot.jobs:
                assert cold.snapshot.render(file) == engine.snapshot.render(file), file
        finally:
            cold.close()
        assert engine.rediscover().kind == "none"
    finally:
        engine.close()


def test_cached_spans_are_reused_only_for_the_same_bytes_and_generator(archive):
    from generator.inputs import content_sha
    from generator.reading import read_articles, tag_key
    from generator.state import generator_version

    engine = load_engine(archive.root / "site.toml")
    try:
        path = str(archive.content / "articles/p0.md")
        shared = (engine.snapshot.site.registry, engine.snapshot.config)
        sha = content_sha((archive.content / "articles/p0.md").read_bytes())
        cached = engine.store.recognitions([path])[path][1]
        for key, tagged in ((tag_key(generator_version(), sha), False),
                            (tag_key("another-version", sha), True),
                            (tag_key(generator_version(), "other-bytes"), True)):
            ((*_, spans, names),) = read_articles((*shared, {path: (key, cached)}), [path])
            assert (spans is not None) == tagged
            assert ((("مايك", "بومبيو"), "PERS", "مايك بومبيو", 1) in names)
    finally:
        engine.close()


def test_suggestion_contexts_are_whole_words(tmp_path):
    from generator.entities.discover import Candidate
    from generator.entities.review import contexts

    words = " ".join(f"كلمة{n}" for n in range(30))
    path = tmp_path / "a.md"
    path.write_text(f'+++\ntitle = "ع"\n+++\n\n{words} مايك بومبيو {words}\n', encoding="utf-8")
    candidate = Candidate("mike", "person", "مايك بومبيو", ("مايك بومبيو",), (), 1, 1,
                          (str(path), str(tmp_path / "missing.md")))
    (context,) = contexts(candidate, 2)
    assert "مايك بومبيو" in context and context.startswith("…") and context.endswith("…")
    inner = context.strip("…").split()
    assert all(w in words.split() or w in ("مايك", "بومبيو") for w in inner)


def test_grouping_is_called_off_when_asked_to_and_is_otherwise_the_same():
    from generator.entities.discover import CHECK_EVERY, Cancelled

    found = {f"{n:04}.md": names(("كريستين لاغارد", PERSON), (f"مدينة {n}", PLACE))
             for n in range(3 * CHECK_EVERY)}
    asked = []

    def after(times: int):
        def cancelled() -> bool:
            asked.append(True)
            return len(asked) >= times
        return cancelled
    with pytest.raises(Cancelled):
        discover(found, {}, {}, frozenset(), ("person", "place"), 1, after(2))
    assert len(asked) == 2  # (the first question, then one after CHECK_EVERY articles)
    asked.clear()
    kept = discover(found, {}, {}, frozenset(), ("person", "place"), 1, after(10**9))
    assert len(asked) >= 3 and kept == run(found)

"""2,000 real articles from ../shared/corpus, linked with the corpus registry (186 entities)."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import ANT_CORPUS, REPO, parse_html, require_shared, run_generator

REGISTRY = REPO / "tests/fixtures/corpus-registry/entities"


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    corpus = require_shared(ANT_CORPUS)
    root = tmp_path_factory.mktemp("corpus")
    content, public = root / "content", root / "public"
    result = run_generator("import", str(corpus), "--content", str(content), "--limit", "2000")
    assert result.returncode == 0, result.stderr
    shutil.copytree(REGISTRY, content / "entities")
    result = run_generator("build", "--content", str(content), "--out", str(public),
                           "--cache", str(public.parent / "cache"))
    assert result.returncode == 0, result.stderr
    return public, result.stdout


def test_registry_has_at_least_100_entities():
    assert len(list(REGISTRY.rglob("*.toml"))) >= 100


def test_articles_link_registered_entities(corpus_site):
    public, _ = corpus_site
    pages = sorted((public / "articles").rglob("index.html"))
    assert len(pages) == 2000
    sample = pages[::10]
    links = [a for page in sample for a in parse_html(page).select(".article-body a.entity")]
    assert len(links) / len(sample) >= 2  # measured: about 3.3 per article
    for link in links:
        target = public / link["href"].strip("/") / "index.html"
        assert target.is_file(), link["href"]
        assert link.get_text().strip()


def test_frequent_entity_pages(corpus_site):
    public, _ = corpus_site
    saudi = json.loads((public / "entities/saudi-arabia/index.json").read_text())
    assert saudi["article_count"] > 100 and saudi["mentions"] >= saudi["article_count"]
    page = parse_html(public / "entities/saudi-arabia/index.html")
    assert len(page.select(".entity-articles .card .kwic mark")) == 20  # one page of snippets
    assert page.select(".cooccurring li")

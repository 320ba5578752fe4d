"""The search index after incremental builds holds what a cold build's holds.

A build indexes again only the shards (runs of time) whose articles changed, keeps the others,
and counts the word lists again for the shards it indexed (``search_index.py``). After each
step of a randomised sequence of edits (bodies, dates that move articles across shards,
additions, deletions, entity files), the whole output, search index included, is compared with
a cold build of the same inputs: byte for byte, except Pagefind's own shard files, which are
compared by what they index (its fragment of each page, and the page count), since Pagefind
orders some of its files anew on each run.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import random
import shutil
from pathlib import Path

import pytest
from conftest import TmpSite, parse_html, tree_digest
from test_engine import BODIES, EDITS, ENTITIES, seeds, write_article

from generator.cli import main
from generator.search_words import WORDS_FOLDER
from generator.urls import SEARCH_FOLDER

ENTITY_EDITS = [name for name in EDITS if name.startswith("entity")]


@pytest.fixture
def search_site(tmp_path) -> TmpSite:
    site = TmpSite(tmp_path, capsys=None)
    site.write_config(search_shard_size=3, categories={"sport": "رياضة"})
    for rel, text in ENTITIES.items():
        site.write(f"entities/{rel}.toml", text)
    for n in range(10):
        write_article(site, n)
    return site


def build(site: TmpSite, *args: str) -> None:
    assert main(["build", "--config", str(site.root / "site.toml"), "-q", *args]) == 0


def shard_view(shard: Path) -> tuple:
    """What a Pagefind shard indexes: its page count and each page's fragment (URL, text,
    filters, meta)."""
    entry = json.loads((shard / "pagefind-entry.json").read_text(encoding="utf-8"))
    fragments = []
    for file in (shard / "fragment").iterdir():
        data = gzip.decompress(file.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragments.append(json.loads(data[len(b"pagefind_dcd"):]))
    pages = {language: value["page_count"] for language, value in entry["languages"].items()}
    return pages, sorted(fragments, key=lambda fragment: fragment["url"])


def site_view(public: Path) -> tuple[dict[str, str], dict[str, tuple]]:
    """Every file but Pagefind's shards (their digests), and each shard's view."""
    root = public / SEARCH_FOLDER
    shards = {p.name: shard_view(p) for p in root.iterdir() if p.name != WORDS_FOLDER}
    files = {file: digest for file, digest in tree_digest(public).items()
             if file.split("/")[0] != SEARCH_FOLDER or file.split("/")[1] == WORDS_FOLDER}
    return files, shards


def assert_like_cold(site: TmpSite) -> None:
    cold = site.root / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    build(site, "--out", str(cold))
    files, shards = site_view(site.public)
    cold_files, cold_shards = site_view(cold)
    assert files.keys() == cold_files.keys()
    assert [f for f in files if files[f] != cold_files[f]] == []
    assert shards.keys() == cold_shards.keys()
    assert [name for name in shards if shards[name] != cold_shards[name]] == []


@pytest.mark.parametrize("seed", seeds(3))
def test_randomised_edits_keep_the_search_index_equal_to_a_cold_builds(search_site, seed):
    site = search_site
    build(site)
    assert len(site_view(site.public)[1]) >= 3  # (several shards to keep or index again)
    rng = random.Random(seed)
    for step in range(6):
        for _ in range(rng.randint(1, 3)):
            n = rng.randrange(14)
            action = rng.random()
            if action < 0.55:
                write_article(site, n, body=rng.choice(BODIES) + f" {step}",
                              date=f"2019-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}")
            elif action < 0.75:
                (site.content / f"articles/2019/a{n}.md").unlink(missing_ok=True)
            else:
                with contextlib.suppress(AssertionError, FileNotFoundError):
                    EDITS[rng.choice(ENTITY_EDITS)](site)
        build(site)
        assert_like_cold(site)


def test_search_turned_off_drops_the_index_page_and_box_and_comes_back(search_site):
    site = search_site
    build(site)
    assert (site.public / "search/index.html").is_file()
    config = site.root / "site.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text("search = false\n" + text, encoding="utf-8")
    build(site)
    index = site.public / SEARCH_FOLDER
    assert not index.exists() or [p for p in index.rglob("*") if p.is_file()] == []
    assert not (site.public / "search/index.html").exists()
    for page in (site.public / "index.html", next((site.public / "articles").rglob("*.html"))):
        assert parse_html(page).find("form", role="search") is None, page
    cold = site.root / "cold-off"
    build(site, "--out", str(cold))
    assert tree_digest(site.public) == tree_digest(cold)
    config.write_text(text, encoding="utf-8")  # on again: the index is made anew
    build(site)
    assert parse_html(site.public / "index.html").find("form", role="search") is not None
    assert_like_cold(site)


def test_an_entity_description_edit_indexes_no_shard_again_and_a_name_edit_does(search_site,
                                                                                capsys):
    """Pagefind reads an entity's names and type (filters, hidden terms), not what only its
    page shows: a new description indexes nothing again (the index stays a cold build's),
    a new alias indexes the shards of the articles naming it."""
    site = search_site
    build(site)

    def indexed() -> int:
        capsys.readouterr()
        assert main(["build", "--config", str(site.root / "site.toml")]) == 0
        line = next(line for line in capsys.readouterr().out.splitlines()
                    if line.strip().startswith("search "))
        return int(line.split(" indexed")[0].rsplit(",", 1)[1].replace(",", ""))

    EDITS["entity description"](site)
    assert indexed() == 0
    assert_like_cold(site)
    EDITS["entity alias"](site)
    assert indexed() >= 1
    assert_like_cold(site)

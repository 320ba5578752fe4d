"""A build killed at any moment leaves the output folder as the old site or the new one.

The site is built (the old site), many of its inputs are changed, and a build of the new
site is started in a real process and killed (SIGKILL) after a delay; the output folder must
then equal the old site or a clean build of the new one, with every internal link resolving
and no temporary file left. The next build completes it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO, TmpSite, broken_links, parse_html, tree_digest

ARTICLES = 60


def site_files(public) -> dict[str, str]:
    """Every file but the search bundle (Pagefind orders its filters anew on each run)."""
    return {f: d for f, d in tree_digest(public).items() if not f.startswith("pagefind/")}


def write_site(site: TmpSite, version: int) -> None:
    for n in range(ARTICLES):
        if version == 2 and n % 7 == 0:
            (site.content / f"articles/a{n}.md").unlink(missing_ok=True)
            continue
        body = f"خبر رقم {n} عن القاهرة وموسكو." + (" ونص جديد." if version == 2 and n % 2 else "")
        site.article(f"a{n}", title=f"الخبر {n}" + (" معدل" if version == 2 and n % 3 == 0
                                                    else ""),
                     date=f"2019-{1 + n % 12:02d}-{1 + n % 28:02d}", body=body,
                     categories=["sport" if n % 2 else "economy"])
    if version == 2:
        for n in range(ARTICLES, ARTICLES + 10):
            site.article(f"a{n}", title=f"جديد {n}", date="2020-01-05", body="خبر جديد.")
    template = site.root / "templates/article.html"
    text = (REPO / "templates/article.html").read_text(encoding="utf-8")
    template.write_text(text if version == 1 else text.replace("مقالات ذات صلة", "اقرأ أيضًا"),
                        encoding="utf-8")


def build_process(site: TmpSite) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "-q", "--config",
                             str(site.root / "site.toml")], cwd=site.root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def build(site: TmpSite) -> None:
    process = build_process(site)
    assert process.wait(timeout=300) == 0, process.stderr.read()


def check_whole(public) -> None:
    assert broken_links(public) == []
    shards = json.loads(parse_html(public / "search/index.html").find(id="search")
                        ["data-shards"])
    for shard in shards:
        assert (public / "pagefind" / shard / "pagefind-entry.json").is_file()
    assert not [p for p in public.rglob(".tmp-*")]


@pytest.mark.slow
def test_a_killed_build_leaves_the_old_site_or_the_new_one(tmp_path):
    import shutil

    site = TmpSite(tmp_path, capsys=None)
    (tmp_path / "templates").mkdir()
    for file in (REPO / "templates").iterdir():
        shutil.copy(file, tmp_path / "templates" / file.name)
    site.write_config(paths={"templates": str(tmp_path / "templates")}, search_shard_size=20,
                      categories={"sport": "رياضة"})
    site.write("entities/place/cairo.toml", 'name = "القاهرة"\n')
    site.write("entities/place/moscow.toml", 'name = "موسكو"\n')

    # The new site, built cleanly elsewhere, to compare with.
    write_site(site, 2)
    build(site)
    new = site_files(site.public)
    shutil.rmtree(site.public)
    shutil.rmtree(tmp_path / ".cache")

    write_site(site, 1)
    build(site)
    old = site_files(site.public)
    assert old != new

    start = time.monotonic()
    write_site(site, 2)
    build(site)
    duration = time.monotonic() - start
    outcomes = set()
    for attempt in range(12):
        write_site(site, 1)
        build(site)
        assert site_files(site.public) == old
        write_site(site, 2)
        process = build_process(site)
        time.sleep(duration * (attempt + 0.5) / 12)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        now = site_files(site.public)
        assert now in (old, new), f"a mixture after a kill at attempt {attempt}"
        outcomes.add("new" if now == new else "old")
        check_whole(site.public)
        build(site)  # the next build completes the new site
        assert site_files(site.public) == new
        check_whole(site.public)
    assert "old" in outcomes  # at least one kill landed before the switch

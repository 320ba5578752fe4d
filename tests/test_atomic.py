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
from pathlib import Path

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


def stage_window(site: TmpSite) -> tuple[float, float]:
    """When, in seconds from its start, a build of the new site renders, writes, indexes and
    switches: from the build's own timing lines (the start-up before them is what the wall
    time leaves over)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--config",
                             str(site.root / "site.toml")], cwd=site.root, env=env,
                            capture_output=True, text=True, check=True)
    wall = time.monotonic() - start
    stages = []
    for line in result.stdout.splitlines():
        words = line.split()
        if line.startswith("  ") and len(words) >= 3 and words[-1] in ("ms", "s"):
            seconds = float(words[-2].replace(",", "")) / (1000 if words[-1] == "ms" else 1)
            stages.append((words[0], seconds))
    overhead = wall - sum(seconds for _, seconds in stages)
    before = overhead + sum(seconds for _, seconds in
                            stages[:[name for name, _ in stages].index("render")])
    until = before + sum(seconds for name, seconds in stages
                         if name in ("render", "write", "search", "switch"))
    return before, until


def pagefind_processes(root) -> list[str]:
    """Pagefind processes working on this test's site."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if args and b"pagefind" in args[0] and any(str(root).encode() in a for a in args):
            found.append(b" ".join(args).decode(errors="replace"))
    return found


@pytest.mark.slow
def test_a_killed_build_leaves_the_old_site_or_the_new_one(tmp_path):
    """Twenty kills spread over the render, write, search and switch stages."""
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

    write_site(site, 2)
    first, last = stage_window(site)
    # Twenty kills spread over render, write, search and switch, then four later ones, so that
    # some land after the switch however slow this machine is at the moment.
    delays = [first + (last - first) * n / 19 for n in range(20)] + \
        [last * factor for factor in (1.3, 1.6, 2.0, 3.0)]
    outcomes = set()
    for attempt, delay in enumerate(delays):
        write_site(site, 1)
        build(site)
        assert site_files(site.public) == old
        write_site(site, 2)
        process = build_process(site)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        now = site_files(site.public)
        assert now in (old, new), f"a mixture after a kill at attempt {attempt}"
        outcomes.add("new" if now == new else "old")
        check_whole(site.public)
        deadline = time.monotonic() + 10  # Pagefind dies with the build (its death signal)
        while pagefind_processes(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pagefind_processes(tmp_path) == []
        build(site)  # the next build completes the new site
        assert site_files(site.public) == new
        check_whole(site.public)
        leftovers = [p for p in (tmp_path / ".cache").rglob("*-*")
                     if p.is_dir() and p.parent.name == "search"]
        assert leftovers == []  # Pagefind's temporary folders were cleaned up
    assert outcomes == {"old", "new"}  # kills landed before and after the switch

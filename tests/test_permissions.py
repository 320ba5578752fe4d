"""Unreadable input, an unwritable cache and an output folder the build may not change: errors
naming the file, never a silent omission or a traceback, and the previous output untouched.

File permissions bind root only without its capability to override them, so as root the build
runs under `setpriv` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, TmpSite, tree_digest

DROP = "-dac_override,-dac_read_search"


def build(site: TmpSite, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "generator", "build", "--no-search", "--config",
               str(site.root / "site.toml"), *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv (util-linux): permissions not enforced")
        command = [setpriv, f"--inh-caps={DROP}", f"--bounding-set={DROP}", *command]
    return subprocess.run(command, cwd=site.root, env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def built(tmp_path):
    site = TmpSite(tmp_path, capsys=None)
    site.write_config()
    site.write("entities/place/cairo.toml", 'name = "القاهرة"\n')
    site.write("entities/person/someone.toml", 'name = "شخص معروف"\n')
    site.article("2019/a", body="وصل شخص معروف إلى القاهرة.")
    site.article("2020/b", date="2020-01-01", body="خبر آخر.")
    result = build(site)
    assert result.returncode == 0, result.stderr
    yield site, tree_digest(site.public)
    for path in tmp_path.rglob("*"):  # give pytest its folder back
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def assert_refused(site, before, result, where: str, words: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"{where}: " in result.stderr and words in result.stderr, result.stderr
    assert tree_digest(site.public) == before


def test_an_unreadable_article_folder_is_an_error(built):
    site, before = built
    folder = site.content / "articles" / "2020"
    folder.chmod(0)
    assert_refused(site, before, build(site), "content/articles/2020", "Permission denied")


def test_an_unreadable_entity_type_folder_is_an_error(built):
    site, before = built
    (site.content / "entities" / "person").chmod(0)
    assert_refused(site, before, build(site), "content/entities/person", "Permission denied")


def test_an_unreadable_entity_file_is_an_error(built):
    site, before = built
    path = site.write("entities/place/cairo.toml", 'name = "القاهرة"\naliases = ["مصر المحروسة"]\n')
    path.chmod(0)  # changed since the last build, and unreadable
    assert_refused(site, before, build(site), "content/entities/place/cairo.toml",
                   "cannot read file: Permission denied")


def test_a_read_only_cache_is_an_error(built):
    site, before = built
    site.article("2020/c", date="2020-02-01", body="خبر جديد.")
    for path in [site.root / ".cache", *(site.root / ".cache").rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    result = build(site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")
    assert tree_digest(site.public) == before


def test_a_disk_that_refuses_writes_is_an_error_and_changes_nothing(built):
    """Writes past a small file-size limit fail (EFBIG), as on a full disk."""
    import resource

    site, before = built
    site.article("2020/c", date="2020-02-01", body="خبر جديد " * 2000)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_384, 16_384))

    result = subprocess.run([sys.executable, "-m", "generator", "build", "--no-search",
                             "--config", str(site.root / "site.toml")], cwd=site.root,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=limit,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert tree_digest(site.public) == before
    assert build(site).returncode == 0  # with room again, the next build completes
    assert (site.public / "articles/2020/02/c/index.html").is_file()


# -- the output folder -----------------------------------------------------------------------


def assert_like_cold(site: TmpSite) -> None:
    """The output equals a cold build's (into new folders) of the same inputs."""
    cold = site.root.parent / "cold"
    result = build(site, "--out", str(cold / "public"), "--cache", str(cold / "cache"))
    assert result.returncode == 0, result.stderr
    assert tree_digest(site.public) == tree_digest(cold / "public")
    shutil.rmtree(cold)


def test_an_output_folder_the_build_may_not_replace_is_an_error(built):
    """A read-only ``public/`` cannot be switched (its parent link changes): the build says so
    and leaves it, with nothing beside it (no half-done switch by renames)."""
    site, before = built
    names = {p.name for p in site.root.iterdir()}
    site.article("2020/c", date="2020-02-01", body="خبر جديد.")
    site.public.chmod(0o555)
    result = build(site)
    site.public.chmod(0o755)
    assert_refused(site, before, result, "public", "cannot switch to the new output")
    assert "Permission denied" in result.stderr
    assert {p.name for p in site.root.iterdir()} == names
    assert build(site).returncode == 0  # once it may, the next build completes
    assert_like_cold(site)


def test_a_site_folder_the_build_may_not_change_is_an_error(built):
    site, before = built
    site.article("2020/c", date="2020-02-01", body="خبر جديد.")
    site.root.chmod(0o555)
    result = build(site)
    site.root.chmod(0o755)
    assert_refused(site, before, result, "public", "Permission denied")
    assert build(site).returncode == 0
    assert_like_cold(site)


def test_a_folder_of_the_output_the_build_may_not_read_is_an_error(built):
    site, before = built
    site.article("2020/c", date="2020-02-01", body="خبر جديد.")
    (site.public / "articles").chmod(0)
    result = build(site)
    (site.public / "articles").chmod(0o755)
    # (the folder named is the unreadable one, or the first folder looked for inside it)
    where = result.stderr.removeprefix("error: ").split(": ")[0]
    assert where == "public/articles" or where.startswith("public/articles/"), result.stderr
    assert_refused(site, before, result, where,
                   "cannot look into this folder of the output: Permission denied")
    assert build(site).returncode == 0
    assert_like_cold(site)


def test_a_folder_of_the_old_output_the_build_may_not_change_only_costs_the_mirror(built):
    """The new site is switched in; only the old one cannot become its mirror (a new page
    goes into a read-only folder of it): the build says so and succeeds, and the next one
    writes every file anew, leaving nothing of the old folder behind."""
    site, _ = built
    site.article("2020/c", date="2020-01-02", body="خبر جديد.")
    month = site.public / "articles/2020/01"
    month.chmod(0o555)
    result = build(site)
    assert result.returncode == 0, result.stderr
    switch = next(line for line in result.stdout.splitlines() if "switch" in line)
    assert "now holds the new site" in switch and "its mirror could not be made" in switch
    assert "Permission denied" in switch
    assert (site.public / "articles/2020/01/c/index.html").is_file()
    assert_like_cold(site)
    site.article("2020/d", date="2020-01-03", body="خبر آخر.")
    result = build(site)
    assert result.returncode == 0, result.stderr
    assert "every file written anew" in result.stdout
    assert "mirror could not be made" not in result.stdout
    assert_like_cold(site)
    area = next((site.root / ".cache" / "output").iterdir())
    assert sorted(p.name for p in area.iterdir()) == ["journal.json", "next"]  # no trash left

"""Dev-server latency: `make bench` (or `python tests/bench/bench_serve.py [--articles N]`).

Imports N articles of ../shared/corpus (0: all) with the corpus entity registry, builds the
site (so that the server starts from the saved state, as after `make site`), starts the real
dev server and measures its start-up (until it serves), then the time from saving a file to
the rebuilt page being served: the reload event received by a listener on the page, then the
page fetched with the change. Median of several edits, for an article and for an entity file.
Goals: 100 ms for an article edit at 2,000 articles, 200 ms at the whole corpus; start-up
within 10 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

CORPUS = REPO.parent / "shared" / "corpus" / "ant-v2.1-news.jsonl.gz"
REGISTRY = REPO / "tests" / "fixtures" / "corpus-registry" / "entities"


def timed_edit(server, events, page: str, write, marker: str) -> float:
    """Seconds from ``write()`` to the reload event and a fetch of ``page`` showing ``marker``."""
    events.drain()
    start = time.perf_counter()
    write()
    try:
        events.next("reload", timeout=30)
    except AssertionError as error:
        tail = "\n".join(server.output().splitlines()[-30:])
        raise SystemExit(f"{error} after saving for {marker!r}; the server's last lines:\n"
                         f"{tail}") from None
    while marker not in server.get(page)[1].decode("utf-8"):
        if time.perf_counter() - start > 30:
            raise SystemExit(f"{marker!r} never appeared in {page}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="0: the whole corpus")
    parser.add_argument("--edits", type=int, default=9)
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"skipped: {CORPUS} is absent (the shared data folder is not beside the repo)")
    from devserver import Events, dev_server

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        root = Path(tmp)
        limit = ["--limit", str(args.articles)] if args.articles else []
        subprocess.run([sys.executable, "-m", "generator", "import", str(CORPUS), "--content",
                        str(root / "content"), *limit], cwd=REPO, check=True,
                       capture_output=True)
        shutil.copytree(REGISTRY, root / "content" / "entities")
        config = root / "site.toml"
        config.write_text((REPO / "site.toml").read_text(encoding="utf-8").replace(
            'templates = "templates"', f'templates = "{REPO / "templates"}"').replace(
            'static = "static"', f'static = "{REPO / "static"}"'), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "generator", "build", "-q", "--config",
                        str(config)], cwd=REPO, check=True)

        files = sorted((root / "content" / "articles").rglob("*.md"))
        article = files[len(files) // 2]
        original = article.read_text(encoding="utf-8")
        year, month = article.parent.parent.name, article.parent.name
        page = f"/articles/{year}/{month}/{article.stem}/"

        started = time.perf_counter()
        with dev_server(config) as server:
            startup = time.perf_counter() - started
            server.wait_for_output("wrote public/", timeout=600)
            server.get(page)
            events = Events(server, page)
            article_times = []
            for n in range(args.edits):
                marker = f"تعديل رقم {n}"
                article_times.append(timed_edit(server, events, page, lambda m=marker: (
                    article.write_text(original + f"\n\n{m}\n", encoding="utf-8")), marker))
            # A new entity named after a word of the page: the page gains a link to it.
            word = next(w for w in original.split("+++", 2)[2].split()[20:]
                        if w.isalpha() and len(w) >= 5)
            folder = root / "content" / "entities" / "organization"
            entity_times = []
            for n in range(args.edits):
                def swap(n=n):
                    (folder / f"bench-{n - 1}.toml").unlink(missing_ok=True)
                    (folder / f"bench-{n}.toml").write_text(f'name = "{word}"\n', encoding="utf-8")
                entity_times.append(timed_edit(server, events, page, swap,
                                               f'data-entity="bench-{n}"'))
            output = server.output()
    ms = lambda seconds: f"{seconds * 1000:.0f} ms"  # noqa: E731
    print(f"dev server: {len(files):,} corpus articles, {args.edits} edits each, "
          f"start-up after a build {startup:.1f} s")
    print(f"  article edit → page served: median {ms(statistics.median(article_times))}, "
          f"min {ms(min(article_times))}, max {ms(max(article_times))}")
    print(f"  entity edit  → page served: median {ms(statistics.median(entity_times))}, "
          f"min {ms(min(entity_times))}, max {ms(max(entity_times))}")
    rebuilds = [line.strip() for line in output.splitlines() if "rebuilt (" in line]
    print(f"  server's own lines: {rebuilds[args.edits]}\n                      {rebuilds[-1]}")


if __name__ == "__main__":
    main()

"""Search quality: `make bench` (or `python tests/bench/search_quality.py [--articles N]`).

Builds a site from N articles of ../shared/corpus with the corpus entity registry and its
Pagefind index, then runs queries with known answers in Debian's Chromium over a local HTTP
server, through the search page's own code (window.archiveSearch) and through Pagefind alone.

Known answers are computed from the articles themselves:
- a word query («ببغداد», «ايران», «القاهره»...) should find every article with any clitic form
  of the word (camel-tools normalisation: hamza forms, ى/ي, ة/ه, diacritics);
- an entity query (an alias such as «أمريكا», a multi-word name such as «جامعة الدول العربية»)
  should find every article that mentions the entity by any of its names.

Reports recall per query and overall, and the bytes a cold query downloads (new browser
profile: the search page, its script and what Pagefind fetches).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

CORPUS = REPO.parent / "shared" / "corpus" / "ant-v2.1-news.jsonl.gz"
REGISTRY = REPO / "tests" / "fixtures" / "corpus-registry" / "entities"

# (query, what it should find): ("word", bare form) or ("entity", id)
QUERIES = [
    ("بغداد", "clitic", ("word", "بغداد")),
    ("ببغداد", "clitic", ("word", "بغداد")),
    ("موسكو", "clitic", ("word", "موسكو")),
    ("لموسكو", "clitic", ("word", "موسكو")),
    ("روسيا", "clitic", ("word", "روسيا")),
    ("لروسيا", "clitic", ("word", "روسيا")),
    ("وإيران", "clitic", ("word", "إيران")),
    ("مصر", "clitic", ("word", "مصر")),
    ("بمصر", "clitic", ("word", "مصر")),
    ("للقاهرة", "clitic", ("word", "القاهرة")),
    ("ايران", "hamza", ("word", "إيران")),
    ("اسرائيل", "hamza", ("word", "إسرائيل")),
    ("القاهره", "ta marbuta", ("word", "القاهرة")),
    ("السعوديه", "ta marbuta", ("word", "السعودية")),
    ("أمريكا", "alias", ("entity", "united-states")),
    ("ترامب", "alias", ("entity", "donald-trump")),
    ("الناتو", "alias", ("entity", "nato")),
    ("تنظيم الدولة", "alias", ("entity", "isis")),
    ("دونالد ترمب", "multi-word", ("entity", "donald-trump")),
    ("جامعة الدول العربية", "multi-word", ("entity", "arab-league")),
    ("الأمم المتحدة", "multi-word", ("entity", "united-nations")),
    ("مجلس الأمن", "multi-word", ("entity", "un-security-council")),
    ("ولي العهد السعودي", "multi-word", ("word-all", "ولي العهد السعودي")),
]


def build_site(root: Path, articles: int, shard_size: int | None) -> tuple[Path, Path]:
    content, public = root / "content", root / "public"
    run = [sys.executable, "-m", "generator"]
    limit = ["--limit", str(articles)] if articles else []
    subprocess.run([*run, "import", str(CORPUS), "--content", str(content), *limit],
                   cwd=REPO, check=True, capture_output=True)
    shutil.copytree(REGISTRY, content / "entities")
    config = REPO / "site.toml"
    if shard_size:
        config = root / "site.toml"
        text = (REPO / "site.toml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^search_shard_size = \d+", f"search_shard_size = {shard_size}", text)
        for key in ("templates", "static"):
            text = text.replace(f'{key} = "{key}"', f'{key} = "{REPO / key}"')
        config.write_text(text, encoding="utf-8")
    subprocess.run([*run, "build", "--config", str(config), "--content", str(content), "--out",
                    str(public), "-q", "--cache", str(root / "cache")], cwd=REPO, check=True)
    return content, public


def ground_truth(content: Path, public: Path) -> dict[str, set[str]]:
    from generator.config import load_config
    from generator.engine import Engine
    from generator.entities.matching import key_variants, normalize, tokenize

    config = load_config(REPO / "site.toml", {"content": content, "output": public,
                                              "cache": public.parent / "cache"})
    engine = Engine.for_config(config)
    engine.load()
    keys_of = {}
    for entry in engine.snapshot.site.articles:
        text = f"{entry.title}\n{engine.snapshot.resources.body(entry).text}"
        keys = set()
        for token in tokenize(text):
            keys.update(key_variants(token[2]))
        keys_of["/" + entry.url] = keys
    truth = {}
    for query, _, (kind, target) in QUERIES:
        if kind == "entity":
            data = json.loads((public / "entities" / target / "index.json").read_text())
            prefix = len("https://example.org")
            truth[query] = {unquote(a["url"][prefix:]) for a in data["articles"]}
        else:
            wanted = [normalize(word) for word in target.split()]
            truth[query] = {url for url, keys in keys_of.items() if all(w in keys for w in wanted)}
    return truth


RUN_ALL = """async ([query, raw]) => {
  const search = await window.archiveSearch.ready();
  if (raw) {
    const found = await search.pagefind.search(query);
    return Promise.all(found.results.map(async (r) => (await r.data()).url));
  }
  const found = await search.run(query);
  return Promise.all(found.map(async (r) => (await search.load(r)).url));
}"""


def measure(public: Path, truth: dict[str, set[str]]) -> list[dict]:
    from browser import chromium, serve

    rows = []
    with serve(public) as url, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{url}search/")
        for query, kind, _ in QUERIES:
            relevant = truth[query]
            ours = {unquote(u) for u in page.evaluate(RUN_ALL, [query, False])}
            alone = {unquote(u) for u in page.evaluate(RUN_ALL, [query, True])}
            size, seconds = cold_query(browser, url, query)
            rows.append({"query": query, "kind": kind, "relevant": len(relevant),
                         "alone": len(alone & relevant), "ours": len(ours & relevant),
                         "extra": len(ours - relevant), "bytes": size, "seconds": seconds})
    return rows


def cold_query(browser, url: str, query: str) -> tuple[int, float]:
    """Bytes downloaded by a first visit to /search/?q=... with an empty cache, and the
    seconds from the page's load to the results being shown."""
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(f"{url}search/?q={quote(query)}")
    start = time.perf_counter()
    page.wait_for_function("() => { const s = document.querySelector('.search-status').textContent;"
                           " return s && !s.startsWith('يبحث'); }", timeout=60_000, polling=20)
    seconds = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    total = sum(request.sizes()["responseBodySize"] for request in requests)
    context.close()
    return total, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="0: the whole corpus")
    parser.add_argument("--shard-size", type=int, help="search_shard_size (default: site.toml's)")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"skipped: {CORPUS} is absent (the shared data folder is not beside the repo)")
    with tempfile.TemporaryDirectory(prefix="search-quality-") as tmp:
        content, public = build_site(Path(tmp), args.articles, args.shard_size)
        truth = ground_truth(content, public)
        rows = measure(public, truth)
        index_bytes = sum(p.stat().st_size for p in (public / "pagefind").rglob("*") if p.is_file())
        shards = len([p for p in (public / "pagefind").iterdir() if p.is_dir()])
        count = len(list((content / "articles").rglob("*.md")))
    print(f"search quality: {count:,} corpus articles, index {index_bytes / 1e6:.1f} MB in "
          f"{shards} shards")
    print("  as typed: Pagefind's search for the query as typed (on the expanded index);")
    print("  expanded: the search page's queries (clitic, ة/ه, ى/ي variants), merged;")
    print("  extra: found but not in the known answer (often Pagefind's stemming: مصر → المصري)")
    print(f"  {'query':<22} {'kind':<11} {'relevant':>8} {'as typed':>9} {'expanded':>9} "
          f"{'extra':>6} {'cold kB':>8}")
    for row in rows:
        alone = row["alone"] / row["relevant"] if row["relevant"] else 1
        ours = row["ours"] / row["relevant"] if row["relevant"] else 1
        print(f"  {row['query']:<22} {row['kind']:<11} {row['relevant']:>8} {alone:>9.0%} "
              f"{ours:>9.0%} {row['extra']:>6} {row['bytes'] / 1000:>8.0f}")
    relevant = sum(r["relevant"] for r in rows)
    print(f"  overall recall: as typed {sum(r['alone'] for r in rows) / relevant:.1%}, "
          f"expanded {sum(r['ours'] for r in rows) / relevant:.1%}")
    sizes = sorted(r["bytes"] for r in rows)
    print(f"  cold query download: median {sizes[len(sizes) // 2] / 1000:.0f} kB, "
          f"max {sizes[-1] / 1000:.0f} kB")
    times = sorted(r["seconds"] for r in rows)
    print(f"  cold query time (page loaded → results shown): median "
          f"{times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()

"""Search quality: `make bench` (or `python tests/bench/search_quality.py [--articles N]`).

Builds a site from N articles of ../shared/corpus with the corpus entity registry and its
Pagefind index, then types queries with known answers into the search page in Debian's
Chromium over a local HTTP server, each in a new browser profile (a cold query).

Known answers are computed from the articles' own text (title and body), tokenised and folded
as the linker does (camel-tools: hamza forms, ى/ي, ة/ه, diacritics), each word with its
proclitics (و ف ب ل ك) and its article ال taken off:
- word: every article with the word in any of those forms («انتخابات» finds «والانتخابات»);
- phrase: the words one after the other (punctuation breaks a phrase);
- entity: every article where the entity is linked (its ``index.json``).

Per query class: recall (of everything the page finds, all pages of results), precision of
the first page shown (10 results), how often the first result is relevant, and the bytes a
cold query downloads (the search page, its script and what Pagefind fetches).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

CORPUS = REPO.parent / "shared" / "corpus" / "ant-v2.1-news.jsonl.gz"
REGISTRY = REPO / "tests" / "fixtures" / "corpus-registry" / "entities"
PAGE = 10  # results on the first page

# (query, class, what it should find): ("word", word), ("phrase", words) or ("entity", id)
QUERIES = [
    ("انتخابات", "no article", ("word", "انتخابات")),
    ("عقوبات", "no article", ("word", "عقوبات")),
    ("مفاوضات", "no article", ("word", "مفاوضات")),
    ("صادرات", "no article", ("word", "صادرات")),
    ("نفط", "no article", ("word", "نفط")),
    ("حكومة", "no article", ("word", "حكومة")),
    ("ولي العهد", "phrase", ("phrase", "ولي العهد")),
    ("وزير الخارجية", "phrase", ("phrase", "وزير الخارجية")),
    ('"الحرب التجارية"', "phrase", ("phrase", "الحرب التجارية")),
    ('"أسعار النفط"', "phrase", ("phrase", "أسعار النفط")),
    ("البنك المركزي", "phrase", ("phrase", "البنك المركزي")),
    ("كأس العالم", "phrase", ("phrase", "كأس العالم")),
    ("الجامعة العربية", "alias", ("entity", "arab-league")),
    ("أمريكا", "alias", ("entity", "united-states")),
    ("الناتو", "alias", ("entity", "nato")),
    ("تنظيم الدولة", "alias", ("entity", "isis")),
    ("مجلس الأمن", "alias", ("entity", "un-security-council")),
    ("ترامب", "alias", ("entity", "donald-trump")),
    ("الاقصي", "ة/ه ى/ي", ("word", "الأقصى")),
    ("القاهره", "ة/ه ى/ي", ("word", "القاهرة")),
    ("السعوديه", "ة/ه ى/ي", ("word", "السعودية")),
    ("مصطفي", "ة/ه ى/ي", ("word", "مصطفى")),
    ("الكويتيه", "ة/ه ى/ي", ("word", "الكويتية")),
    ("الدوحه", "ة/ه ى/ي", ("word", "الدوحة")),
    ("Trump", "English", ("entity", "donald-trump")),
    ("Erdogan", "English", ("entity", "erdogan")),
    ("Putin", "English", ("entity", "vladimir-putin")),
    ("Google", "English", ("entity", "google")),
    ("NATO", "English", ("entity", "nato")),
    ("Hezbollah", "English", ("entity", "hezbollah")),
    ("اردوجان", "misspelling", ("entity", "erdogan")),
    ("بوتن", "misspelling", ("entity", "vladimir-putin")),
    ("ماكرن", "misspelling", ("entity", "emmanuel-macron")),
    ("نتانياهو", "misspelling", ("entity", "benjamin-netanyahu")),
    ("جوغل", "misspelling", ("entity", "google")),
    ("حزبالله", "misspelling", ("entity", "hezbollah")),
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


def _forms(key: str) -> frozenset[str]:
    """A token's key, without its proclitics, and each of those without ال."""
    from generator.entities.matching import proclitic_stems

    out = {key, *proclitic_stems(key)}
    return frozenset(out | {f[2:] for f in out if f.startswith("ال") and len(f) >= 4})


def _bare(word: str) -> str:
    from generator.entities.matching import normalize

    key = normalize(word)
    return key[2:] if key.startswith("ال") and len(key) >= 4 else key


def ground_truth(content: Path, public: Path) -> dict[str, set[str]]:
    from generator.config import load_config
    from generator.engine import Engine
    from generator.entities.matching import tokenize

    config = load_config(REPO / "site.toml", {"content": content, "output": public,
                                              "cache": public.parent / "cache"})
    engine = Engine.for_config(config)
    engine.load()
    tokens_of = {}
    for entry in engine.snapshot.site.articles:
        text = f"{entry.title}\n{engine.snapshot.resources.body(entry).text}"
        tokens_of["/" + entry.url] = [_forms(key) for _, _, key in tokenize(text)]
    truth = {}
    for query, _, (kind, target) in QUERIES:
        if kind == "entity":
            data = json.loads((public / "entities" / target / "index.json").read_text())
            truth[query] = {unquote(urlsplit(a["url"]).path) for a in data["articles"]}
            continue
        wanted = [_bare(word) for word in target.split()]
        n = len(wanted)
        truth[query] = {url for url, tokens in tokens_of.items()
                        if any(all(wanted[j] in tokens[i + j] for j in range(n))
                               for i in range(len(tokens) - n + 1))}
    return truth


STATUS_DONE = ("() => { const s = document.querySelector('.search-status').textContent;"
               " return s && !s.startsWith('يبحث'); }")
# Every result the search page finds for a query, in its order (the page's own API).
ALL_RESULTS = """async (query) => {
  const api = window.archiveSearch;
  if (api.allResults) return api.allResults(query);
  const search = await api.ready();
  const found = await search.run(query);
  return Promise.all(found.map(async (r) => (await search.load(r)).url));
}"""


def measure(public: Path, truth: dict[str, set[str]]) -> list[dict]:
    from browser import chromium, serve

    rows = []
    with serve(public) as url, chromium() as browser:
        for query, kind, _ in QUERIES:
            relevant = truth[query]
            shown, everything, size, served, seconds = cold_query(browser, url, query)
            rows.append({"query": query, "kind": kind, "relevant": len(relevant),
                         "found": len(everything & relevant), "extra": len(everything - relevant),
                         "shown": len(shown), "precise": len([u for u in shown if u in relevant]),
                         "first": bool(shown) and shown[0] in relevant,
                         "bytes": size, "served": served, "seconds": seconds})
    return rows


def cold_query(browser, url: str, query: str) -> tuple[list[str], set[str], int, int, float]:
    """A first visit to /search/?q=... with an empty cache: the first page of results shown,
    every result the page finds, the bytes downloaded until the first page was shown (as this
    server sends them, and as a host compressing text would), and the seconds from the page's
    load to the results being shown."""
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(f"{url}search/?q={quote(query)}")
    start = time.perf_counter()
    page.wait_for_function(STATUS_DONE, timeout=60_000, polling=20)
    seconds = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    total = sum(request.sizes()["responseBodySize"] for request in requests)
    served = sum(_compressed(request) for request in requests)
    shown = [unquote(urlsplit(a.get_attribute("href")).path)
             for a in page.query_selector_all(".search-result .card-title a")][:PAGE]
    everything = {unquote(urlsplit(u).path) for u in page.evaluate(ALL_RESULTS, query)}
    context.close()
    return shown, everything, total, served, seconds


def _size(*folders: Path) -> tuple[int, int]:
    """Bytes and files under the folders."""
    files = [p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def _compressed(request) -> int:
    """The bytes a host that compresses text (gzip, level 6) would send for a response;
    Pagefind's own files are compressed already."""
    response = request.response()
    body = response.body() if response else b""
    kind = (response.headers.get("content-type", "") if response else "").split(";")[0]
    textual = kind.startswith("text/") or kind in ("application/javascript", "application/json")
    return len(gzip.compress(body, 6)) if textual else len(body)


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
        folders = [p for p in (public / "pagefind").iterdir() if p.is_dir()]
        shards = [p for p in folders if p.name[:1].isdigit()]
        index = _size(*shards)
        words, names = _size(public / "pagefind" / "words"), _size(public / "search" / "names")
        count = len(list((content / "articles").rglob("*.md")))
    print(f"search quality: {count:,} corpus articles; Pagefind index {index[0] / 1e6:.1f} MB "
          f"({index[1]:,} files) in {len(shards)} shards; word lists {words[0] / 1e6:.2f} MB "
          f"({words[1]:,} files); entity names {names[0] / 1e6:.2f} MB ({names[1]:,} files)")
    print("  recall: of all results; precision: of the first page shown; first: first result "
          "relevant; extra: found but not in the known answer")
    print(f"  {'query':<22} {'class':<12} {'relevant':>8} {'recall':>7} {'precision':>9} "
          f"{'first':>5} {'extra':>6} {'cold kB':>8} {'gzip kB':>8}")
    for row in rows:
        recall = row["found"] / row["relevant"] if row["relevant"] else 1
        precision = row["precise"] / row["shown"] if row["shown"] else 0
        print(f"  {row['query']:<22} {row['kind']:<12} {row['relevant']:>8} {recall:>7.0%} "
              f"{precision:>9.0%} {'yes' if row['first'] else 'no':>5} {row['extra']:>6} "
              f"{row['bytes'] / 1000:>8.0f} {row['served'] / 1000:>8.0f}")
    by_class = defaultdict(list)
    for row in rows:
        by_class[row["kind"]].append(row)
    print(f"  {'class':<12} {'recall':>7} {'precision':>9} {'first':>6} {'cold kB (median)':>17}")
    for kind, group in by_class.items():
        relevant = sum(r["relevant"] for r in group)
        shown = sum(r["shown"] for r in group)
        sizes = sorted(r["bytes"] for r in group)
        print(f"  {kind:<12} {sum(r['found'] for r in group) / relevant:>7.1%} "
              f"{(sum(r['precise'] for r in group) / shown if shown else 0):>9.1%} "
              f"{sum(r['first'] for r in group):>3}/{len(group):<2} "
              f"{sizes[len(sizes) // 2] / 1000:>17.0f}")
    relevant = sum(r["relevant"] for r in rows)
    shown = sum(r["shown"] for r in rows)
    print(f"  all          {sum(r['found'] for r in rows) / relevant:>7.1%} "
          f"{sum(r['precise'] for r in rows) / shown:>9.1%} "
          f"{sum(r['first'] for r in rows):>3}/{len(rows)}")
    for key, label in (("bytes", "as sent here"), ("served", "text gzipped by the host")):
        sizes = sorted(r[key] for r in rows)
        over = sum(size > 300_000 for size in sizes)
        print(f"  cold query download ({label}): median {sizes[len(sizes) // 2] / 1000:.0f} kB, "
              f"max {sizes[-1] / 1000:.0f} kB, {over} of {len(sizes)} over 300 kB")
    times = sorted(r["seconds"] for r in rows)
    print(f"  cold query time (page loaded → results shown): median "
          f"{times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()

"""Build benchmark: `make bench` (or `python tests/bench/bench_build.py [--articles N]`).

Imports N articles of ../shared/corpus into a temporary folder with the corpus entity registry,
then times cold builds (empty output and cache) and warm rebuilds (nothing changed), each in a
fresh process, and reports medians per stage, linking cost per article, links per article and
peak memory. Timings on these shared machines are noisy: compare medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "ant-v2.1-news.jsonl.gz"
REGISTRY = REPO / "tests" / "fixtures" / "corpus-registry" / "entities"


def child(config: str, content: str, out: str, cache: str) -> None:
    """One build in this process; prints its timings and peak memory as JSON."""
    sys.path.insert(0, str(REPO))
    from generator.build import build
    from generator.config import load_config
    from generator.report import Reporter

    cfg = load_config(Path(config), {"content": Path(content), "output": Path(out),
                                     "cache": Path(cache)})
    result = build(cfg, reporter=Reporter(quiet=True))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"timings": result.timings, "articles": result.articles,
                      "written": result.stats.written, "peak_mb": peak_mb}))


def run_build(content: Path, out: Path, cache: Path) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", str(REPO / "site.toml"),
                             str(content), str(out), str(cache)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stderr}")
    return json.loads(result.stdout)


def count_links(public: Path) -> tuple[int, int]:
    sys.path.insert(0, str(REPO))
    from bs4 import BeautifulSoup

    pages = sorted((public / "articles").rglob("index.html"))
    links = sum(len(BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
                    .select(".article-body a.entity")) for p in pages)
    return len(pages), links


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=4, metavar=("CONFIG", "CONTENT", "OUT", "CACHE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if not CORPUS.exists():
        sys.exit(f"skipped: {CORPUS} is absent (the shared data folder is not beside the repo)")

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp)
        content = root / "content"
        subprocess.run([sys.executable, "-m", "generator", "import", str(CORPUS), "--content",
                        str(content), "--limit", str(args.articles)], cwd=REPO, check=True,
                       capture_output=True)
        shutil.copytree(REGISTRY, content / "entities")

        cold, warm = [], []
        for run in range(args.runs):  # each cold run: a new output folder and an empty cache
            out, cache = root / f"public-{run}", root / f"cache-{run}"
            cold.append(run_build(content, out, cache))
            warm.append(run_build(content, out, cache))
        articles, links = count_links(root / "public-0")

    def median(samples: list[dict], stage: str | None = None) -> float:
        values = [sum(s["timings"].values()) if stage is None else s["timings"][stage]
                  for s in samples]
        return statistics.median(values)

    n = cold[0]["articles"]
    print(f"build benchmark: {n:,} corpus articles, {len(list(REGISTRY.rglob('*.toml')))} "
          f"entities, median of {args.runs} runs")
    print(f"  {'stage':<10} {'cold':>10} {'warm':>10}")
    for stage in cold[0]["timings"]:
        print(f"  {stage:<10} {median(cold, stage):>9.3f}s {median(warm, stage):>9.3f}s")
    print(f"  {'total':<10} {median(cold):>9.3f}s {median(warm):>9.3f}s "
          f"(warm/cold {median(warm) / median(cold):.2f})")
    print(f"  linking: {median(cold, 'entities') / n * 1000:.2f} ms per article cold, "
          f"{median(warm, 'entities') / n * 1000:.3f} ms cached; "
          f"{links / articles:.2f} links per article")
    print(f"  peak memory: {statistics.median(s['peak_mb'] for s in cold):.0f} MB cold")
    print(f"  files written: {cold[0]['written']:,} cold, {warm[0]['written']:,} warm")


if __name__ == "__main__":
    main()

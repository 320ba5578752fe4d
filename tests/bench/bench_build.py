"""Build benchmark: `make bench` (or `python tests/bench/bench_build.py [--articles N] ...`).

Imports N articles of ../shared/corpus/ant-v2.1-news.jsonl.gz (0: all of them) with the corpus
entity registry into a temporary folder, then measures, each build in a new process and each
time the median of --runs runs, with the peak memory of the build's whole process tree
(the build and its workers, proportional set sizes summed, so pages that forked workers
share count once; Pagefind's own processes included when it runs). Memory is sampled in one
more run of each, not in the timed ones: reading a large process's memory map every 50 ms
slows it (Hugo's cold build by about a fifth here: 13.4–17.2 s against 14.9–19.3 s sampled).
The rows:

- cold builds (no output, no cache), without and with the search index;
- a rebuild when nothing changed;
- rebuilds after editing one article's body (without and with its search shard), adding one
  article, deleting one, editing one entity file, one template, the stylesheet;
- Hugo (Debian's `hugo`, installed with apt-get when missing) building the same Markdown with a
  category taxonomy, cold, and our times divided by Hugo's. Hugo's runs alternate with our
  cold builds without search, and that ratio is also given as the median of each pair's: the
  machine's speed drifts over a bench by more than the difference being measured.

These run with entity discovery off (`[entities] discover = "off"`, the engine's own cost);
then, with discovery on (the default, `"link"`): a cold build and a rebuild after one body
edit, the number of entities discovered, and (with --write) the 100 found in most articles,
written to tests/bench/DISCOVERED.md for anyone to judge by reading.

Prints a Markdown table; --write appends it to tests/bench/RESULTS.md. Timings on these shared
machines are noisy: compare medians and ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "ant-v2.1-news.jsonl.gz"
REGISTRY = REPO / "tests" / "fixtures" / "corpus-registry" / "entities"
RESULTS = REPO / "tests" / "bench" / "RESULTS.md"
DISCOVERED = REPO / "tests" / "bench" / "DISCOVERED.md"
HUGO_LAYOUT = {
    "single.html": '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
                   "<title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>"
                   '<p>{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}'
                   "{{ with .Params.categories }}<ul>{{ range . }}<li><a href=\"{{ \"categories/\" "
                   '| relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>{{ end }}'
                   "</body></html>",
    "list.html": '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
                 "<title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1><ol>"
                 '{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> '
                 "{{ .Summary | plainify | truncate 200 }}</li>{{ end }}</ol>"
                 '{{ template "_internal/pagination.html" . }}</body></html>',
}


class PeakMemory:
    """The largest sum of resident memory of a process and its descendants, sampled."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, tree_rss(self.pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def tree_rss(root: int) -> int:
    """Memory of ``root`` and every process descending from it: the sum of their proportional
    set sizes (a page shared by forked workers counts once, split between them)."""
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                parents[int(entry.name)] = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


# Commands run as on an editor's machine, where Python keeps the generator's compiled code
# between runs: a harness that turns that off (PYTHONDONTWRITEBYTECODE) would add the
# compiling of the generator, 0.1-0.2 s, to every build timed.
ENVIRONMENT = {name: value for name, value in os.environ.items()
               if name != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], cwd: Path, sample: bool = False) -> tuple[float, int, str]:
    """(seconds, peak bytes of the process tree if ``sample``, else 0, output) of one
    command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=ENVIRONMENT)
    memory = PeakMemory(process.pid) if sample else None
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    peak = memory.stop() if memory else 0
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{output}")
    return seconds, peak, output


class Bench:
    def __init__(self, root: Path, runs: int):
        self.root, self.runs = root, runs
        self.content, self.public = root / "content", root / "public"
        self.config = root / "site.toml"
        self.rows: list[tuple[str, float, int, str]] = []

    def setup(self, articles: int) -> None:
        limit = ["--limit", str(articles)] if articles else []
        subprocess.run([sys.executable, "-m", "generator", "import", str(CORPUS), "--content",
                        str(self.content), *limit], cwd=REPO, check=True, capture_output=True)
        shutil.copytree(REGISTRY, self.content / "entities")
        shutil.copytree(REPO / "templates", self.root / "templates")
        shutil.copytree(REPO / "static", self.root / "static")
        text = (REPO / "site.toml").read_text(encoding="utf-8")
        for key in ("content", "output", "templates", "static", "cache"):
            text = text.replace(f'{key} = "', f'{key} = "{self.root}/', 1) \
                if key != "cache" else text.replace('cache = ".cache"', 'cache = "cache"')
        self.config.write_text(text + '\n[entities]\ndiscover = "off"\n', encoding="utf-8")

    def discover(self, mode: str) -> None:
        text = self.config.read_text(encoding="utf-8")
        head = text[:text.index('discover = "')]
        self.config.write_text(f'{head}discover = "{mode}"\n', encoding="utf-8")

    def discovery(self) -> None:
        """Cold and one-edit builds with discovery on, and what it found."""
        self.discover("link")
        self.measure("cold build without search, discovery on", self.cold, "--no-search")
        articles = sorted((self.content / "articles").rglob("*.md"))
        article = articles[len(articles) // 3]
        original = article.read_text(encoding="utf-8")

        def body_edit() -> None:
            article.write_text(original + f"\n\nسطر {time.time_ns()}.\n", encoding="utf-8")
        self.measure("one article's body edited, discovery on", body_edit, "--no-search")
        article.write_text(original, encoding="utf-8")
        self.build("--no-search")

    def found(self) -> tuple[int, int, int, list[str]]:
        """Candidates, entities linked, and a table of the 100 in most articles."""
        sys.path.insert(0, str(REPO))
        from generator.engine import Engine

        engine = Engine(self.config)
        engine.load()
        discovery = engine.snapshot.state.discovery
        engine.close()
        linked = discovery.linked()
        rows = ["| # | name | type | articles | spellings |", "| ---: | --- | --- | ---: | --- |"]
        rows += [f"| {n} | {c.name} | {c.type} | {c.articles} | {'، '.join(c.forms[1:4])} |"
                 for n, c in enumerate(linked[:100], start=1)]
        return len(discovery.candidates), len(linked), discovery.minimum, rows

    def build(self, *args: str, sample: bool = False) -> tuple[float, int, str]:
        return timed([sys.executable, "-m", "generator", "build", "--config", str(self.config),
                      *args], REPO, sample)

    def measure(self, label: str, prepare, *args: str, note: str = "") -> float:
        times = []
        for _ in range(self.runs):
            prepare()
            times.append(self.build(*args)[0])
        prepare()  # one more run, for its memory
        peak = self.build(*args, sample=True)[1]
        return self.row(label, statistics.median(times), peak, note)

    def row(self, label: str, median: float, peak: int, note: str = "") -> float:
        """A row of the table, printed as it is measured."""
        self.rows.append((label, median, peak, note))
        print(f"  {label:<46} {median:>8.2f} s  {peak / 2**20:>6.0f} MB {note}", flush=True)
        return median

    def cold(self) -> None:
        self.set_aside(self.public, self.root / "cache")

    def set_aside(self, *folders: Path) -> None:
        """Move the output of the last run out of the way instead of deleting it: deleting
        100,000 files just before a build makes ext4 skip their inodes while it allocates new
        ones (`recently_deleted`): 27,000 folders with a file each then cost 11–14 s of system
        time here, against 5–7 s otherwise. A first build on a new machine does not pay that;
        Hugo's runs are set aside the same way. Deleted at the end, with the bench's folder."""
        trash = self.root / "set-aside"
        trash.mkdir(exist_ok=True)
        for folder in folders:
            if folder.exists():
                folder.rename(trash / f"{folder.name}-{time.time_ns()}")

    def edits(self) -> None:
        articles = sorted((self.content / "articles").rglob("*.md"))
        article = articles[len(articles) // 2]
        original = article.read_text(encoding="utf-8")
        entity = self.content / "entities/place/egypt.toml"
        entity_text = entity.read_text(encoding="utf-8")
        template = self.root / "templates/article.html"
        template_text = template.read_text(encoding="utf-8")
        css = self.root / "static/css/site.css"
        css_text = css.read_text(encoding="utf-8")
        added = article.with_name("bench-added.md")
        counter = iter(range(10**6))

        def restore() -> None:
            article.write_text(original, encoding="utf-8")
            entity.write_text(entity_text, encoding="utf-8")
            template.write_text(template_text, encoding="utf-8")
            css.write_text(css_text, encoding="utf-8")
            added.unlink(missing_ok=True)
            self.build("-q")

        def body_edit() -> None:
            restore()
            article.write_text(original + f"\n\nفقرة مضافة رقم {next(counter)}.\n",
                               encoding="utf-8")

        def add() -> None:
            restore()
            added.write_text(original.replace("+++\n\n", f"+++\n\nمقال جديد {next(counter)}. ",
                                              1), encoding="utf-8")

        def delete() -> None:
            restore()
            article.unlink()

        def entity_edit() -> None:
            restore()
            entity.write_text(entity_text + f'\ndescription = "تعديل {next(counter)}"\n',
                              encoding="utf-8")

        def template_edit() -> None:
            restore()
            template.write_text(template_text.replace("مقالات ذات صلة",
                                                      f"ذات صلة {next(counter)}"),
                                encoding="utf-8")

        def css_edit() -> None:
            restore()
            # A rule, not a comment: minifying drops comments, so the served bytes would not
            # change and nothing would be rebuilt.
            css.write_text(css_text + f"\n.bench-{next(counter)} {{ margin: 0; }}\n",
                           encoding="utf-8")

        self.measure("rebuild, nothing changed", restore)
        self.measure("one article's body edited", body_edit, "--no-search")
        self.measure("one article's body edited, with its search shard", body_edit)
        self.measure("one article added", add, "--no-search")
        self.measure("one article deleted", delete, "--no-search")
        self.measure("one entity file edited", entity_edit, "--no-search")
        self.measure("one template edited (article.html)", template_edit, "--no-search")
        self.measure("the stylesheet edited", css_edit, "--no-search")
        restore()

    def hugo_site(self) -> Path | None:
        """The Hugo site of the same Markdown (None if Hugo cannot be installed)."""
        if shutil.which("hugo") is None:
            subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], check=False,
                           capture_output=True)
        if shutil.which("hugo") is None:
            print("  hugo: not available (apt-get install hugo failed)")
            return None
        site = self.root / "hugo"
        (site / "layouts/_default").mkdir(parents=True, exist_ok=True)
        for name, text in HUGO_LAYOUT.items():
            (site / "layouts/_default" / name).write_text(text, encoding="utf-8")
        (site / "hugo.toml").write_text('baseURL = "https://example.org/"\nlanguageCode = "ar"\n'
                                        'title = "أرشيف"\ndisableKinds = ["RSS"]\n'
                                        '[taxonomies]\ncategory = "categories"\n',
                                        encoding="utf-8")
        content = site / "content"
        if not content.exists():
            content.symlink_to(self.content / "articles")
        return site

    def cold_against_hugo(self, hugo: Path | None) -> tuple[float | None, float, float | None]:
        """Cold builds without search, each run right after a cold Hugo build (when Hugo is
        there): Hugo's median, ours, and the median of the pairs' ratios."""
        def hugo_cold(sample: bool = False) -> tuple[float, int, str]:
            self.set_aside(hugo / "public", hugo / "resources")
            return timed(["hugo", "--quiet"], hugo, sample)

        def our_cold(sample: bool = False) -> tuple[float, int, str]:
            self.cold()
            return self.build("--no-search", sample=sample)

        ours, theirs = [], []
        for _ in range(self.runs):
            if hugo is not None:
                theirs.append(hugo_cold()[0])
            ours.append(our_cold()[0])
        if hugo is not None:  # one more run of each, for its memory
            self.row("Hugo 0.111, same Markdown, categories, cold", statistics.median(theirs),
                     hugo_cold(sample=True)[1])
        median = self.row("cold build without search", statistics.median(ours),
                          our_cold(sample=True)[1])
        if hugo is None:
            return None, median, None
        return (statistics.median(theirs), median,
                statistics.median(a / b for a, b in zip(ours, theirs, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="0: the whole corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--write", action="store_true", help="append to tests/bench/RESULTS.md")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"skipped: {CORPUS} is absent (the shared data folder is not beside the repo)")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        bench = Bench(Path(tmp), args.runs)
        bench.setup(args.articles)
        count = len(list((bench.content / "articles").rglob("*.md")))
        print(f"build benchmark: {count:,} corpus articles, "
              f"{len(list(REGISTRY.rglob('*.toml')))} entities, median of {args.runs} runs, "
              f"{os.cpu_count()} cores", flush=True)
        hugo, cold, paired = bench.cold_against_hugo(None if args.no_hugo
                                                     else bench.hugo_site())
        bench.measure("cold build with search", bench.cold)
        bench.edits()
        bench.discovery()
        candidates, linked, minimum, top = bench.found()
        print(f"  discovery: {candidates:,} candidates, {linked:,} entities in "
              f"{minimum}+ articles", flush=True)
    table = ["", f"### {count:,} articles ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
                 f"median of {args.runs})", "",
             "| build | seconds | × Hugo cold | peak memory |", "| --- | ---: | ---: | ---: |"]
    for label, seconds, peak, _ in bench.rows:
        ratio = f"{seconds / hugo:.2f}" if hugo else "—"
        table.append(f"| {label} | {seconds:.2f} | {ratio} | {peak / 2**20:.0f} MB |")
    print("\n".join(table))
    if hugo:
        table.append(f"\nCold build without search / Hugo's cold build, each pair run back to "
                     f"back: {paired:.2f} (median of the pairs' ratios; {cold / hugo:.2f} "
                     "from the medians).")
        print(table[-1].strip())
    table.append(f"\nDiscovery (minimum {minimum} articles): {linked:,} entities linked, "
                 f"{candidates:,} candidates.")
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(table) + "\n")
        if args.articles == 0:
            DISCOVERED.write_text(
                "# The 100 entities discovered in most articles\n\n"
                f"The whole ANT corpus ({count:,} articles) with the corpus registry "
                f"({len(list(REGISTRY.rglob('*.toml')))} entities), `discover = \"link\"`, "
                f"minimum {minimum} articles: {linked:,} entities linked of {candidates:,} "
                f"candidates ({time.strftime('%Y-%m-%d')}). Written by `make bench`.\n\n"
                + "\n".join(top) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

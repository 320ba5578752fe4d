"""Command line: ``python -m generator build|check|serve|import|ner|entities``.

Every user-fixable problem arrives here as a :class:`BuildError` and is printed
as ``error: path:line: message`` with exit status 1, never as a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path

from .errors import BuildError

DEFAULT_CONFIG = Path("site.toml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Build a right-to-left static site from an archive of Arabic news articles.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build", help="build the site into the output folder",
        description="Read the articles and pages, render every page and write only the files "
                    "whose bytes changed. A failed build leaves the previous output untouched.")
    _common(build)
    build.add_argument("--out", type=Path, metavar="DIR",
                       help="output folder (default: [paths] output in the config, 'public')")
    build.add_argument("--cache", type=Path, metavar="DIR",
                       help="folder for what one build keeps for the next (default: [paths] "
                            "cache in the config, '.cache')")
    build.add_argument("--drafts", action="store_true",
                       help="include articles and pages marked draft = true")
    build.add_argument("--no-search", action="store_true",
                       help="skip building the Pagefind search index (faster; the previous "
                            "index stays in place)")
    build.add_argument("--quiet", "-q", action="store_true", help="print only errors")

    check = commands.add_parser(
        "check", help="build if needed, then verify the output (links, sitemap, feeds, HTML5, "
                      "accessibility)",
        description="Build the site (only what changed), then check every page: internal links "
                    "and anchors resolve under the base URL, one <h1>, a title, lang and dir; the "
                    "sitemap lists every page and only existing ones; feeds and JSON-LD parse; "
                    "the Nu HTML Checker finds no error; axe-core finds no serious violation on "
                    "any page type, light or dark. Exits 1 naming each problem.")
    _common(check)
    check.add_argument("--out", type=Path, metavar="DIR", help="output folder")
    check.add_argument("--cache", type=Path, metavar="DIR", help="cache folder")
    check.add_argument("--no-html", action="store_true", help="skip the Nu HTML Checker")
    check.add_argument("--no-accessibility", action="store_true", help="skip axe-core")

    serve = commands.add_parser(
        "serve", help="build, serve on 127.0.0.1 and rebuild while you edit",
        description="Build the site, serve it on 127.0.0.1, watch content/, templates/, static/ "
                    "and site.toml, rebuild what an edit changes and reload the browser. A "
                    "failed rebuild keeps serving the last good site and shows the error in "
                    "the browser.")
    _common(serve)
    serve.add_argument("--out", type=Path, metavar="DIR",
                       help="output folder, refreshed in the background (default: [paths] "
                            "output in the config)")
    serve.add_argument("--cache", type=Path, metavar="DIR",
                       help="cache folder (default: [paths] cache in the config)")
    serve.add_argument("--port", type=int, metavar="N",
                       help=f"port on 127.0.0.1 (default: {8000}, or the next free one)")
    serve.add_argument("--open", action="store_true", help="open the site in a web browser")
    serve.add_argument("--drafts", action="store_true",
                       help="include articles and pages marked draft = true")

    imp = commands.add_parser(
        "import", help="import plain-text or JSONL articles as Markdown",
        description="Turn plain-text articles (first line the title, paragraphs separated by "
                    "blank lines) and JSONL/JSONL.gz corpora into Markdown articles under "
                    "<content>/articles/<YYYY>/<MM>/<slug>.md. Re-importing is idempotent "
                    "and keeps articles edited since they were imported.")
    imp.add_argument("sources", nargs="+", type=Path, metavar="SRC",
                     help="a .txt, .jsonl or .jsonl.gz file, or a folder of them")
    _common(imp)
    imp.add_argument("--limit", type=int, metavar="N",
                     help="import at most N articles (after merging duplicates)")
    imp.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD",
                     help="publication date for plain-text articles, whose text carries none")
    imp.add_argument("--category", action="append", default=[], metavar="KEY",
                     help="category key for plain-text articles (repeatable)")
    imp.add_argument("--overwrite", action="store_true",
                     help="replace imported articles edited since they were imported (kept "
                          "and listed otherwise)")

    ner = commands.add_parser(
        "ner", help="tag people, places and organisations in a JSONL file",
        description="Run the shipped named-entity model over a JSONL file whose lines are "
                    '{"id": ..., "text": "..."}; write {"id": ..., "entities": [{"start", '
                    '"end", "type", "text"}]} lines (character offsets into text).')
    ner.add_argument("--in", dest="source", type=Path, required=True, metavar="FILE")
    ner.add_argument("--out", dest="target", type=Path, required=True, metavar="FILE")

    entities = commands.add_parser(
        "entities", help="review the names the tagger discovered",
        description="List the names the tagger found that the registry lacks, and record "
                    "decisions about them as files under content/entities/.")
    actions = entities.add_subparsers(dest="action", required=True, metavar="ACTION")
    suggest = actions.add_parser("suggest", help="list candidates ranked by articles")
    suggest.add_argument("--min", type=int, metavar="N",
                         help="only names found in at least N articles (default: "
                              "[entities] discover_min)")
    suggest.add_argument("--type", metavar="T", help="only this entity type")
    suggest.add_argument("--limit", type=int, default=50, metavar="N",
                         help="show at most N candidates (default 50)")
    accept = actions.add_parser("accept", help="register a candidate as an entity")
    accept.add_argument("name", metavar="NAME|ID")
    accept.add_argument("--id", dest="entity_id", metavar="ID", help="the entity's id")
    accept.add_argument("--type", metavar="T", help="the entity's type")
    reject = actions.add_parser("reject", help="never link or suggest these names again")
    reject.add_argument("names", nargs="+", metavar="NAME")
    merge = actions.add_parser("merge", help="add a candidate's spellings to an entity")
    merge.add_argument("name", metavar="NAME|ID")
    merge.add_argument("into", metavar="INTO", help="id of the registered entity")
    for action in (suggest, accept, reject, merge):
        _common(action)
        action.add_argument("--cache", type=Path, metavar="DIR",
                            help="cache folder (default: [paths] cache in the config)")
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, metavar="FILE",
                        help="site configuration (default: site.toml)")
    parser.add_argument("--content", type=Path, metavar="DIR",
                        help="content folder (default: [paths] content in the config, 'content')")


def _iso_date(value: str) -> date | datetime:
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date: {value!r}") from None


def main(argv: list[str] | None = None, exiting: bool = False) -> int:
    """Run a command; ``exiting``: the process ends when this returns (``python -m
    generator``), so what a build loaded need not be freed."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return _build(args, exiting)
        if args.command == "serve":
            return _serve(args)
        if args.command == "check":
            return _check(args)
        if args.command == "ner":
            return _ner(args)
        if args.command == "entities":
            return _entities(args)
        return _import(args)
    except BuildError as exc:
        print(f"error: {exc.format(Path.cwd())}", file=sys.stderr)
        return 1
    except OSError as exc:  # the machine's, not the content's: a full disk, a file in the way
        where = BuildError("", exc.filename).display_path(Path.cwd()) if exc.filename else ""
        detail = exc.strerror or str(exc)
        print(f"error: {where + ': ' if where else ''}{detail}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"error: the cache database failed ({exc}); pass another --cache folder or "
              "delete the cache folder", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _overrides(args: argparse.Namespace) -> dict[str, Path]:
    overrides = {}
    if args.content is not None:
        overrides["content"] = args.content
    if getattr(args, "out", None) is not None:
        overrides["output"] = args.out
    if getattr(args, "cache", None) is not None:
        overrides["cache"] = args.cache
    return overrides


def _build(args: argparse.Namespace, exiting: bool = False) -> int:
    from .build import build
    from .config import load_config
    from .report import Reporter, plural

    config = load_config(args.config, _overrides(args))
    result = build(config, drafts=args.drafts, search=not args.no_search,
                   reporter=Reporter(quiet=args.quiet), exiting=exiting)
    if not args.quiet:
        total = sum(result.timings.values())
        print(f"built {plural(result.articles, 'article')} into {plural(result.files, 'file')} "
              f"({result.stats.written:,} written) in {total:.2f} s")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .build import build
    from .check import check_site
    from .config import load_config
    from .report import Reporter

    config = load_config(args.config, _overrides(args))
    build(config, reporter=Reporter(quiet=True))
    report = check_site(config, html=not args.no_html, accessibility=not args.no_accessibility)
    for line in report.lines():
        print(line, file=sys.stderr if report.count else sys.stdout)
    if report.count:
        print(f"error: {report.count:,} problem{'s' if report.count != 1 else ''} in "
              f"{config.paths.output}", file=sys.stderr)
        return 1
    print(f"checked {config.paths.output}: no problem")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .config import load_config
    from .dev.app import serve
    from .engine import Engine
    from .report import Reporter
    from .state import site_lock

    if not args.config.exists():
        raise BuildError("config file not found", args.config)
    if args.port is not None and not 0 < args.port < 65536:
        raise BuildError(f"--port must be between 1 and 65535, got {args.port}")
    reporter = Reporter()
    engine = Engine(args.config, _overrides(args), drafts=args.drafts,
                    reporter=Reporter(quiet=True))
    try:
        lock = site_lock(load_config(args.config, _overrides(args)))  # no build beside it
    except BuildError:
        lock = contextlib.nullcontext()  # a broken site.toml: the server shows it until fixed
    with lock:
        return serve(engine, reporter, args.port, args.open, Path.cwd())


def _import(args: argparse.Namespace) -> int:
    from .importer import import_sources

    if args.limit is not None and args.limit < 0:
        raise BuildError("--limit must be zero or more")
    content = args.content
    if content is None:
        from .config import load_config

        exists = args.config.exists()
        content = load_config(args.config).paths.content if exists else Path("content")
    stats = import_sources(args.sources, content, limit=args.limit, default_date=args.date,
                           categories=args.category, overwrite=args.overwrite)
    print(f"imported into {content}: {stats.line() or 'nothing'}")
    _print_some((f"skipped {reason}" for reason in stats.refused), len(stats.refused))
    if stats.edited:
        print(f"kept {len(stats.edited)} article(s) edited since they were imported "
              f"(import --overwrite replaces them):")
        _print_some(map(str, stats.edited), len(stats.edited))
    return 0


def _print_some(lines, total: int, shown: int = 20) -> None:
    """The first ``shown`` of ``total`` lines, indented, then how many more there are."""
    for line in itertools.islice(lines, shown):
        print(f"  {line}")
    if total > shown:
        print(f"  … and {total - shown} more")


def _ner(args: argparse.Namespace) -> int:
    from .ner.jsonl import tag_file

    count = tag_file(args.source, args.target)
    print(f"tagged {count:,} texts into {args.target}")
    return 0


def _entities(args: argparse.Namespace) -> int:
    from .entities import review

    if not args.config.exists():
        raise BuildError("config file not found", args.config)
    config, discovery = review.candidates(args.config, _overrides(args))
    if args.action == "suggest":
        minimum = args.min if args.min is not None else config.entities.discover_min
        print("\n".join(review.suggest(discovery, minimum, args.type, args.limit)))
    elif args.action == "accept":
        path = review.accept(config, discovery, args.name, args.entity_id, args.type)
        print(f"registered {args.name!r} in {path}")
    elif args.action == "reject":
        path = review.reject(config, discovery, args.names)
        print(f"rejected {len(args.names)} name(s) in {path}")
    else:
        path = review.merge(config, discovery, args.name, args.into)
        print(f"merged {args.name!r} into {path}")
    return 0

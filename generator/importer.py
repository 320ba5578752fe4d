"""Importing plain-text and JSONL news into Markdown articles.

Sources: the seed's plain-text format (first line the title, then paragraphs
separated by blank lines) and JSONL / JSONL.gz in the corpus format (``id``,
``title``, ``body``, ``date``, ``category``, ``source``, ``url``, ``author``,
``abstract``). Each article becomes ``content/articles/<YYYY>/<MM>/<slug>.md``.
Importing is idempotent: the same input writes the same files, and a file is
rewritten only when its bytes change.

Editors correct imported articles, so a re-import never overwrites a file that is no longer
what the importer wrote: each file carries ``import_digest``, a digest of the rest of its
text as written; a file whose text no longer matches it (or that has none) is kept and
reported, and replaced only with ``overwrite=True`` (``import --overwrite``). An article the
build would refuse (a category key with a space, a ``javascript:`` URL, a date out of range...)
is not written: it is counted and reported with its source line, by the build's own reader.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import tomli_w

from . import frontmatter
from .content import read_article
from .errors import BuildError, decode_utf8, read_file
from .inputs import content_sha
from .markup import MarkdownRenderer
from .text import clean_line, clean_text, slugify


@dataclass
class Record:
    """One article as read from a source, cleaned, before it gets a file."""

    import_id: str
    title: str
    paragraphs: list[str]
    date: date | datetime
    categories: list[str] = field(default_factory=list)
    source: str | None = None
    url: str | None = None
    author: str | None = None
    summary: str | None = None
    origin: str = ""  # where it was read: "file" or "file:line"


@dataclass
class ImportStats:
    counts: Counter = field(default_factory=Counter)
    edited: list[Path] = field(default_factory=list)  # kept: changed since they were imported
    refused: list[str] = field(default_factory=list)  # "source:line: why", the build's rules

    def line(self) -> str:
        order = ("written", "unchanged", "kept_edited", "merged", "skipped_empty_body",
                 "skipped_no_title", "skipped_bad_date", "skipped_invalid")
        return ", ".join(f"{self.counts[k]} {k.replace('_', ' ')}" for k in order if self.counts[k])


def import_sources(sources: list[Path], content_dir: Path, limit: int | None = None,
                   default_date: date | datetime | None = None,
                   categories: list[str] | None = None, overwrite: bool = False) -> ImportStats:
    """Import ``sources`` into ``content_dir``; ``default_date`` and ``categories`` apply to
    plain-text files, whose text carries neither. Files edited since they were imported are
    kept (``stats.edited``) unless ``overwrite``."""
    stats = ImportStats()
    unique: dict[str, Record] = {}
    for source in sources:
        for record in _read_source(source, default_date, categories or [], stats):
            key = record.url or record.import_id
            if key in unique:
                kept = unique[key]
                kept.categories.extend(c for c in record.categories if c not in kept.categories)
                stats.counts["merged"] += 1
            else:
                unique[key] = record
    records = list(unique.values())[:limit] if limit is not None else list(unique.values())
    taken: set[Path] = set()
    renderer = MarkdownRenderer()
    for record in records:
        path = _path_for(record, content_dir / "articles", taken)
        data = render_article(record).encode("utf-8")
        try:  # what the build would refuse is not written
            read_article(path, renderer, data)
        except BuildError as exc:
            stats.counts["skipped_invalid"] += 1
            stats.refused.append(f"{record.origin}: {exc.message}")
            continue
        taken.add(path)
        if path.is_file():
            existing = path.read_bytes()
            if existing == data:
                stats.counts["unchanged"] += 1
                continue
            if not overwrite and not as_imported(existing):
                stats.counts["kept_edited"] += 1
                stats.edited.append(path)
                continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stats.counts["written"] += 1
    return stats


def _read_source(path: Path, default_date: date | datetime | None, categories: list[str],
                 stats: ImportStats) -> Iterator[Record]:
    if not path.exists():
        raise BuildError("no such file or folder", path)
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.name.endswith((".txt", ".jsonl", ".jsonl.gz")):
                yield from _read_source(child, default_date, categories, stats)
        return
    if path.name.endswith((".jsonl", ".jsonl.gz")):
        yield from _read_jsonl(path, stats)
    else:
        record = _read_plain_text(path, default_date, categories, stats)
        if record:
            yield record


def _read_plain_text(path: Path, default_date: date | datetime | None, categories: list[str],
                     stats: ImportStats) -> Record | None:
    text = clean_text(decode_utf8(read_file(path), path))
    lines = text.split("\n")
    title, paragraphs = lines[0].strip(), [line for line in lines[1:] if line.strip()]
    if not title:
        stats.counts["skipped_no_title"] += 1
        return None
    if not paragraphs:
        stats.counts["skipped_empty_body"] += 1
        return None
    if default_date is None:
        raise BuildError("plain-text articles carry no date: pass --date YYYY-MM-DD", path)
    return Record(import_id=path.stem, title=title, paragraphs=paragraphs, date=default_date,
                  categories=list(categories), origin=str(path))


def _read_jsonl(path: Path, stats: ImportStats) -> Iterator[Record]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                record = _parse_json_line(raw, path, number, stats)
                if record:
                    yield record
    except (OSError, EOFError) as exc:
        raise BuildError(f"cannot read: {exc}", path) from None


def _parse_json_line(raw: bytes, path: Path, number: int, stats: ImportStats) -> Record | None:
    try:
        item = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BuildError(f"not a JSON object: {exc}", path, number) from None
    if not isinstance(item, dict):
        raise BuildError("expected a JSON object per line", path, number)

    def text(key: str) -> str:
        value = item.get(key)
        return value if isinstance(value, str) else ""

    title = clean_line(text("title"))
    paragraphs = [p for p in clean_text(text("body")).split("\n") if p]
    if not title:
        stats.counts["skipped_no_title"] += 1
        return None
    if not paragraphs:
        stats.counts["skipped_empty_body"] += 1
        return None
    try:
        moment = datetime.fromisoformat(text("date").strip())
    except ValueError:
        stats.counts["skipped_bad_date"] += 1
        return None
    abstract = clean_line(text("abstract"))
    body_start = " ".join(" ".join(paragraphs).split())[: len(abstract)]
    category = clean_line(text("category"))
    return Record(
        import_id=clean_line(text("id")) or f"{path.name}:{number}",
        title=title,
        paragraphs=paragraphs,
        date=moment,
        categories=[category] if category else [],
        source=clean_line(text("source")) or None,
        url=text("url").strip() or None,
        author=clean_line(text("author")) or None,
        summary=abstract if abstract and abstract != body_start else None,
        origin=f"{path}:{number}",
    )


def _path_for(record: Record, articles_dir: Path, taken: set[Path]) -> Path:
    """A free file for the record: same slug as before on re-import, suffixed on collision."""
    folder = articles_dir / f"{record.date.year:04d}" / f"{record.date.month:02d}"
    base = slugify(record.title) or slugify(record.import_id) or "article"
    for n in range(1, 1000):
        path = folder / (f"{base}.md" if n == 1 else f"{base}-{n}.md")
        if path in taken:
            continue
        if not path.exists() or _import_id_of(path) == record.import_id:
            return path
    raise BuildError(f"too many articles with the slug {base!r}", folder)


def _import_id_of(path: Path) -> str | None:
    try:
        meta, _, _ = frontmatter.split(decode_utf8(path.read_bytes(), path), path)
    except BuildError:
        return None
    value = meta.data.get("import_id")
    return value if isinstance(value, str) else None


def render_article(record: Record) -> str:
    meta = {"title": record.title, "date": record.date}
    optional = {"author": record.author, "source": record.source, "source_url": record.url,
                "categories": record.categories or None, "summary": record.summary,
                "import_id": record.import_id}
    meta.update({k: v for k, v in optional.items() if v})
    body = "\n\n".join(escape_markdown(p) for p in record.paragraphs)
    delimiter = frontmatter.DELIMITER
    fields = tomli_w.dumps(meta)
    text = f"{delimiter}\n{fields}{delimiter}\n\n{body}\n"
    return f'{delimiter}\n{fields}{_DIGEST_KEY} = "{_digest(text)}"\n{delimiter}\n\n{body}\n'


_DIGEST_KEY = "import_digest"
_DIGEST_LINE_RE = re.compile(rf'^{_DIGEST_KEY} = "([0-9a-f]{{16}})"\n', re.MULTILINE)


def _digest(text: str) -> str:
    return content_sha(text.encode("utf-8"))[:16]


def as_imported(data: bytes) -> bool:
    """Whether a file is what the importer wrote (its ``import_digest`` matches the rest of
    its text, whatever its line endings): False once an editor changed it, or for a file
    without one."""
    try:
        text = data.decode("utf-8").replace("\r\n", "\n")  # line endings are not an edit
    except UnicodeDecodeError:
        return False
    found = _DIGEST_LINE_RE.search(text)
    return bool(found) and _digest(text[:found.start()] + text[found.end():]) == found.group(1)


# Python-Markdown's backslash escapes cover these; "<" has none, so it becomes an entity.
_INLINE_SPECIAL = str.maketrans({**{c: "\\" + c for c in "\\`*_[]{}>"}, "<": "&lt;"})
_ENTITY_LIKE_RE = re.compile(r"&(?=#?\w+;)")
_BLOCK_START_RE = re.compile(r"^(?:[#>+-]|[0-9]+[.)](?:\s|$))")
_UNESCAPABLE_START = {":": "&#58;", "~": "&#126;"}


def escape_markdown(paragraph: str) -> str:
    """Escape a plain-text paragraph so that Markdown shows it exactly as written."""
    text = _ENTITY_LIKE_RE.sub("&amp;", paragraph).translate(_INLINE_SPECIAL)
    match = _BLOCK_START_RE.match(text)
    if match:  # would start a heading, quote, list or rule
        cut = len(match.group().rstrip()) - 1 if text[0] in "0123456789" else 0
        text = text[:cut] + "\\" + text[cut:]
    elif text[:1] in _UNESCAPABLE_START:  # definition list / fenced code markers
        text = _UNESCAPABLE_START[text[0]] + text[1:]
    return text

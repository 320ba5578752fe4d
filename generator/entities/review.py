"""The editor's loop over discovered names: ``python -m generator entities …``.

- ``suggest`` lists the candidates ranked by articles, with two contexts each;
- ``accept NAME|ID`` writes ``content/entities/<type>/<id>.toml`` with every spelling seen;
- ``reject NAME…`` adds names to ``content/entities/rejected.toml``: never linked or
  suggested again;
- ``merge NAME|ID INTO`` adds a candidate's spellings to an existing entity's aliases.

Every decision is a file under ``content/entities/``, kept in git with the articles. The
candidates come from the engine (its saved state when a build left one, so this is quick
after ``make site``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import tomli_w

from ..config import Config
from ..errors import BuildError, parse_toml
from ..frontmatter import line_in_file, split
from .discover import Candidate, Discovery, fold, read_names
from .matching import name_keys
from .registry import ID_RE, REJECTS_FILE

CONTEXT = 45  # characters on each side of a name in a suggestion's context


def candidates(config_path: Path, overrides: dict) -> tuple[Config, Discovery]:
    """The archive's candidates, as the engine finds them."""
    from ..engine import Engine

    engine = Engine(config_path, overrides)
    try:
        engine.load()
        state = engine.snapshot.state
        if state.discovery is None:
            raise BuildError('discovery is off: set [entities] discover = "link" or "suggest"',
                             config_path, line_in_file(config_path, "discover"))
        return engine.snapshot.config, state.discovery
    finally:
        engine.close()


def suggest(discovery: Discovery, minimum: int, kind: str | None,
            limit: int | None) -> list[str]:
    """Lines describing the candidates found in at least ``minimum`` articles."""
    lines = []
    shown = [c for c in discovery.candidates
             if c.articles >= minimum and (kind is None or c.type == kind)]
    for candidate in shown[:limit]:
        status = "linked" if candidate.linkable and candidate.articles >= discovery.minimum \
            else ("contains " + candidate.contains if candidate.contains else "not linked")
        lines.append(f"{candidate.articles:>6}  {candidate.type:<13} {candidate.name}  "
                     f"[{candidate.id}] ({candidate.mentions} mentions, {status})")
        if len(candidate.forms) > 1 or candidate.short_forms:
            lines.append("        spellings: " + "، ".join(
                candidate.forms + tuple(f"{s} (short)" for s in candidate.short_forms)))
        for context in contexts(candidate, 2):
            lines.append(f"        «{context}»")
    lines.append(f"{len(shown):,} candidates in {minimum}+ articles "
                 f"(of {len(discovery.candidates):,}); linked from {discovery.minimum}+")
    return lines


def contexts(candidate: Candidate, count: int) -> list[str]:
    """Up to ``count`` snippets of articles around the candidate's first spelling found."""
    out = []
    for source in candidate.sources:
        try:
            _, body, _ = split(Path(source).read_text(encoding="utf-8"), Path(source))
        except (OSError, UnicodeDecodeError, BuildError):
            continue
        text = " ".join(body.split())
        for form in candidate.forms:
            at = text.find(form)
            if at >= 0:  # whole words around the name
                start, end = max(0, at - CONTEXT), min(len(text), at + len(form) + CONTEXT)
                if start:
                    start = text.find(" ", start, at) + 1 or start
                if end < len(text):
                    end = text.rfind(" ", at + len(form), end) if " " in text[
                        at + len(form):end] else end
                out.append(("…" if start else "") + text[start:end].strip()
                           + ("…" if end < len(text) else ""))
                break
        if len(out) == count:
            break
    return out


def find(discovery: Discovery, wanted: str) -> Candidate:
    """The candidate with this id, or one of whose spellings this is."""
    key = fold(name_keys(wanted))
    for candidate in discovery.candidates:
        if candidate.id == wanted or key in {fold(name_keys(f)) for f in candidate.forms}:
            return candidate
    raise BuildError(f"no discovered name or id {wanted!r}: `entities suggest` lists them")


def accept(config: Config, discovery: Discovery, wanted: str, entity_id: str | None,
           kind: str | None) -> Path:
    """Register a candidate: its file, with every spelling seen as an alias."""
    candidate = find(discovery, wanted)
    entity_id = entity_id or candidate.id
    kind = kind or candidate.type
    if not ID_RE.match(entity_id):
        raise BuildError(f"--id {entity_id!r}: an id is a lowercase ASCII slug such as "
                         "'sergey-lavrov'")
    if kind not in config.entities.types:
        raise BuildError(f"--type {kind!r}: not one of {', '.join(config.entities.types)}")
    root = config.paths.content / "entities"
    existing = [p for p in root.glob(f"*/{entity_id}.toml")]
    if existing:
        raise BuildError(f"an entity with id {entity_id!r} exists already (choose another "
                         "with --id, or merge into it)", existing[0])
    data = {"name": candidate.name}
    if candidate.forms[1:]:
        data["aliases"] = list(candidate.forms[1:])
    if candidate.short_forms:
        data["short_aliases"] = list(candidate.short_forms)
    path = root / kind / f"{entity_id}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def reject(config: Config, discovery: Discovery | None, names: Iterable[str]) -> Path:
    """Add names (or every spelling of the candidates with these ids) to the rejects file."""
    path = config.paths.content / "entities" / REJECTS_FILE
    listed = read_names(path)
    for wanted in names:
        if not name_keys(wanted):
            raise BuildError(f"{wanted!r} has no letters to match")
        match = [c for c in discovery.candidates if c.id == wanted] if discovery else []
        listed += list(match[0].forms) if match else [wanted]
    listed = sorted(dict.fromkeys(listed))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Names the tagger found that are not entities: never linked or suggested "
                    "again.\n# Written by `python -m generator entities reject`; edit freely.\n"
                    + tomli_w.dumps({"names": listed}, multiline_strings=False),
                    encoding="utf-8")
    return path


def merge(config: Config, discovery: Discovery, wanted: str, into: str) -> Path:
    """Add a candidate's spellings to the aliases of the registered entity ``into``."""
    candidate = find(discovery, wanted)
    files = sorted((config.paths.content / "entities").glob(f"*/{into}.toml"))
    if not files:
        raise BuildError(f"no registered entity with id {into!r} in content/entities/")
    path = files[0]
    text = path.read_text(encoding="utf-8")
    data = parse_toml(text, path)
    known = {fold(name_keys(n)) for n in [data.get("name", ""), *data.get("aliases", []),
                                          *data.get("short_aliases", [])] if name_keys(n)}
    new = [f for f in candidate.forms if fold(name_keys(f)) not in known]
    if not new:
        return path
    aliases = [*data.get("aliases", []), *new]
    # (a JSON string is a valid TOML basic string)
    line = f"aliases = [{', '.join(json.dumps(a, ensure_ascii=False) for a in aliases)}]\n"
    lines = text.splitlines(keepends=True)
    at = line_in_file(path, "aliases")
    if at is not None and lines[at - 1].rstrip().endswith("]"):
        lines[at - 1] = line  # a one-line list, replaced in place (comments elsewhere kept)
    elif at is None:
        after = line_in_file(path, "name") or len(lines)
        if lines and not lines[after - 1].endswith("\n"):
            lines[after - 1] += "\n"
        lines.insert(after, line)
    else:  # a list over several lines: the file is written again
        data["aliases"] = aliases
        lines = [tomli_w.dumps(data)]
    path.write_text("".join(lines), encoding="utf-8")
    return path

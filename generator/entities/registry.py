"""The entity registry: one TOML file per entity, ``content/entities/<type>/<id>.toml``.

The file stem is the entity's id (a lowercase ASCII slug, its URL forever); the
folder is its type, one of ``[entities.types]`` in ``site.toml``. Problems name
the file and line: a missing name, an unknown type or field, a duplicate id, or
one name registered for two entities without a rule to tell them apart.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import BuildError, decode_utf8, parse_toml, read_file
from ..frontmatter import FrontMatter, line_in_file
from ..frozen import FrozenDict
from ..markup import MarkdownRenderer, MarkupLimit
from ..model import with_digest
from ..urls import entity_url
from .matching import Matcher, Name, compound_variants, name_keys
from .stopwords import stop_keys

REJECTS_FILE = "rejected.toml"  # content/entities/rejected.toml: names never to discover
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*$")
FIELDS = frozenset({"name", "aliases", "short_aliases", "name_en", "description", "wikidata",
                    "image", "link", "merged_into"})


@dataclass(frozen=True, eq=False, repr=False)
class Entity:
    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    short_aliases: tuple[str, ...] = ()  # link only after a full name occurred in the article
    name_en: str | None = None
    description_html: str = ""
    wikidata: str | None = None
    image: str | None = None
    link: bool = True
    merged_into: str | None = None
    found: bool = False  # discovered by the tagger, not registered by an editor
    source: Path | None = None
    names: tuple[str, ...] = ()  # every name it answers to, those of entities merged into it too
    digest: str = ""  # of every field above (set by the registry)

    def __repr__(self) -> str:
        return f"Entity({self.id}@{self.digest})"

    @property
    def url(self) -> str:
        return entity_url(self.id)

    @property
    def wikidata_url(self) -> str | None:
        return f"https://www.wikidata.org/wiki/{self.wikidata}" if self.wikidata else None


@dataclass(frozen=True)
class Registry:
    entities: Mapping[str, Entity]  # every entity by id, merged ones included
    survivors: Mapping[str, str]  # id -> id it was (transitively) merged into; itself otherwise
    matcher: Matcher
    digest: str  # changes whenever anything that affects matching changes

    def live(self) -> list[Entity]:
        return [e for e in self.entities.values() if e.merged_into is None]

    def resolve(self, entity_id: str) -> Entity | None:
        survivor = self.survivors.get(entity_id)
        return self.entities[survivor] if survivor else None


def load_registry(config: Config) -> Registry:
    root = config.paths.content / "entities"
    renderer = MarkdownRenderer()
    entities: dict[str, Entity] = {}
    for path in sorted(root.rglob("*.toml")) if root.is_dir() else []:
        if path.parent == root and path.name == REJECTS_FILE:
            continue  # names editors rejected (see discover.py)
        entity = read_entity(path, root, config, renderer)
        if entity.id in entities:
            raise BuildError(f"duplicate entity id {entity.id!r}: also defined in "
                             f"{entities[entity.id].source}", path, 1)
        entities[entity.id] = entity
    survivors = _resolve_merges(entities)
    return _index(entities, survivors)


def with_found(registry: Registry, found: list[Entity]) -> Registry:
    """The registry with entities the tagger discovered (whose names it does not have)."""
    if not found:
        return registry
    entities = {e.id: replace(e, names=(), digest="") for e in registry.entities.values()}
    entities.update((e.id, e) for e in found)
    return _index(entities, {**registry.survivors, **{e.id: e.id for e in found}})


def read_entity(path: Path, root: Path, config: Config, renderer: MarkdownRenderer) -> Entity:
    relative = path.relative_to(root)
    if len(relative.parts) != 2:
        raise BuildError("entity files go in content/entities/<type>/<id>.toml", path)
    kind, entity_id = relative.parts[0], path.stem
    if kind not in config.entities.types:
        known = ", ".join(config.entities.types)
        raise BuildError(f"unknown entity type {kind!r} (known: {known}; add types in site.toml "
                         "under [entities.types])", path)
    if not ID_RE.match(entity_id) or entity_id in config.entities.types:
        raise BuildError(f"entity id {entity_id!r} (the file name) must be a lowercase ASCII slug "
                         "such as 'sergey-lavrov', and not a type name", path)
    text = decode_utf8(read_file(path), path)
    data = parse_toml(text, path)
    meta = FrontMatter(path, data, tuple(text.split("\n")), first_line=1)
    for key in data:
        if key not in FIELDS:
            raise meta.error(key, f"unknown field (allowed: {', '.join(sorted(FIELDS))})")
    wikidata = meta.string("wikidata")
    if wikidata and not WIKIDATA_RE.match(wikidata):
        raise meta.error("wikidata", f"expected a Wikidata id such as 'Q79', got {wikidata!r}")
    merged_into = meta.string("merged_into")
    if merged_into is not None and not ID_RE.match(merged_into):
        raise meta.error("merged_into", f"expected an entity id, got {merged_into!r}")
    for key in ("aliases", "short_aliases"):
        listed = data.get(key)
        if isinstance(listed, list) and any(isinstance(v, str) and not v.strip() for v in listed):
            raise meta.error(key, "an empty name; remove it")
    description = meta.string("description")
    try:
        description_html = renderer.render(description) if description else ""
    except MarkupLimit as exc:
        raise meta.error("description", str(exc)) from None
    return Entity(
        id=entity_id, type=kind, name=meta.string("name", required=True),
        aliases=meta.strings("aliases"), short_aliases=meta.strings("short_aliases"),
        name_en=meta.string("name_en"),
        description_html=description_html,
        wikidata=wikidata, image=meta.string("image"), link=meta.boolean("link", True),
        merged_into=merged_into, source=path,
    )


def _resolve_merges(entities: dict[str, Entity]) -> dict[str, str]:
    survivors = {}
    for entity in entities.values():
        seen, current = [entity.id], entity
        while current.merged_into is not None:
            target = entities.get(current.merged_into)
            if target is None:
                raise BuildError(f"merged_into: no entity with id {current.merged_into!r}",
                                 current.source, _line(current, "merged_into"))
            if target.id in seen:
                raise BuildError(f"merged_into: entities merged into each other in a loop: "
                                 f"{' → '.join(seen + [target.id])}",
                                 current.source, _line(current, "merged_into"))
            seen.append(target.id)
            current = target
        survivors[entity.id] = current.id
    return survivors


def _line(entity: Entity, key: str) -> int | None:
    """The line defining ``key`` in the entity's file (for errors found after parsing)."""
    return line_in_file(entity.source, key) if entity.source else None


def _line_of_form(entity: Entity, form: str) -> int | None:
    """The line of the entity's file that lists the name ``form``."""
    text = entity.source.read_text(encoding="utf-8") if entity.source else ""
    return next((n for n, line in enumerate(text.split("\n"), 1) if f'"{form}"' in line), None)


def _index(entities: dict[str, Entity], survivors: dict[str, str]) -> Registry:
    names: list[Name] = []
    owners: dict[tuple[str, ...], list[tuple[Entity, str, bool]]] = {}
    all_names: dict[str, list[str]] = {}
    # A survivor's own names come before those of entities merged into it.
    for entity in sorted(entities.values(), key=lambda e: (e.merged_into is not None, e.id)):
        survivor = survivors[entity.id]
        forms = [(entity.name, False)] + [(a, False) for a in entity.aliases] + \
                [(a, True) for a in entity.short_aliases]
        for form, short in forms:
            keys = name_keys(form)
            problem = unusable(keys)
            if problem and entity.found:
                continue  # the tagger's: left out (discovery skips such names anyway)
            if problem:
                raise BuildError(f"the name {form!r} {problem}", entity.source,
                                 _line_of_form(entity, form)
                                 or _line(entity, "short_aliases" if short else "aliases"))
            owners.setdefault(keys, []).append((entity, form, short))
            all_names.setdefault(survivor, [])
            if form not in all_names[survivor]:
                all_names[survivor].append(form)
    for keys, registered in owners.items():
        targets = {survivors[e.id] for e, _, _ in registered}
        if len(targets) > 1 and not all(short for _, _, short in registered):
            (first, form_a, _), (second, form_b, _) = _two_owners(registered, survivors)
            raise BuildError(
                f"the name {form_b!r} is also registered for {first.id!r} ({first.source}) as "
                f"{form_a!r}; one name can belong to two entities only as a short alias of "
                "both (list it under short_aliases), so that the full name decides",
                second.source, _line_of_form(second, form_b))
        for target in sorted(targets):
            short = all(s for e, _, s in registered if survivors[e.id] == target)
            names.append(Name(keys, target, short))
    # Joined and split spellings of compounds, where no entity registered them as written.
    variants: dict[tuple[str, ...], set[Name]] = {}
    for name in names:
        for variant in compound_variants(name.keys):
            if variant not in owners:
                variants.setdefault(variant, set()).add(Name(variant, name.entity, name.short))
    names += [next(iter(found)) for found in variants.values() if len(found) == 1]
    digest = hashlib.sha256(json.dumps(
        sorted((n.keys, n.entity, n.short) for n in names) +
        sorted((e.id, e.link) for e in entities.values()), ensure_ascii=False).encode()
    ).hexdigest()
    final = {entity_id: with_digest(replace(entity, names=tuple(all_names.get(entity_id, ()))))
             for entity_id, entity in sorted(entities.items())}
    return Registry(
        entities=FrozenDict(final),
        survivors=FrozenDict(survivors),
        matcher=Matcher(names),
        digest=digest,
    )


def unusable(keys: tuple[str, ...]) -> str | None:
    """Why a name with these token keys cannot be matched in text, or None: no letters, a
    single letter, or a word so common (``stopwords.py``) that it would be linked everywhere."""
    if not any(map(str.isalpha, "".join(keys))):
        return "has no letters to match" if not keys else "is only punctuation or digits"
    if len(keys) == 1 and len(keys[0]) == 1:
        return "is a single letter"
    if len(keys) == 1 and keys[0] in stop_keys():
        return ("is one of the archive's most common words (entities/stopwords.txt): as a "
                "name on its own it would be linked everywhere")
    return None


def _two_owners(registered: list[tuple[Entity, str, bool]], survivors: Mapping[str, str]) -> Any:
    first = registered[0]
    second = next(r for r in registered if survivors[r[0].id] != survivors[first[0].id])
    return first, second

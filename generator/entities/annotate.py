"""Linking entity mentions inside an article's HTML.

The article body is sanitised HTML (see ``markup.py``), so it splits cleanly
into tags and text. Names are matched in text only, never inside links,
headings, code or preformatted blocks (nor in the title, which is not part
of the body). The link wraps the whole surface form as written, clitics
included («<a>ولافروف</a>»): splitting an Arabic word across elements can
break its letter joining.

Policy (``[entities] link`` in ``site.toml``): ``first`` links the first
mention of each entity per article, ``all`` every mention; all are counted.
A short alias links only after a full name of its entity occurred earlier in
the same article; a short alias shared by several entities goes to the one
whose full name occurred most recently.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..model import Mention
from .discover import ENTITY_TYPES
from .matching import Match, name_keys
from .registry import Registry

_TAG_RE = re.compile(r"(<[^>]*>)")
_NAME_RE = re.compile(r"^</?\s*([a-zA-Z0-9]+)")
_SKIP = frozenset({"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "script", "style"})
_VOID = frozenset({"br", "hr", "img", "wbr", "col", "area", "input", "source"})
CONTEXT = 70  # characters of keyword-in-context on each side


Spans = tuple[tuple[int, int, str], ...]  # recognised names in one text part: start, end, type


@dataclass(frozen=True)
class Annotation:
    html: str
    mentions: tuple[Mention, ...]
    recognised: tuple[Spans, ...] = ()  # per text part scanned, in order
    names: tuple[tuple[str, str], ...] = ()  # every recognised name: surface, type


@dataclass
class _State:
    counts: dict[str, int] = field(default_factory=dict)
    first: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # surface, before, after
    linked: set[str] = field(default_factory=set)
    full_seen: dict[str, int] = field(default_factory=dict)  # entity -> order of its last full name
    order: int = 0


class Annotator:
    def __init__(self, registry: Registry, policy: str, href):
        self.registry = registry
        self.policy = policy
        self.href = href  # site path -> link, e.g. Urls.href

    def annotate(self, body_html: str, no_link: frozenset[str] = frozenset(),
                 seen: set[str] | None = None, recognise=None,
                 recognised: tuple[Spans, ...] | None = None) -> Annotation:
        """Link ``body_html``; ``seen`` collects the keys of every token that was scanned.
        With a recogniser (``recognise(text) -> Spans``), or what it found in this body
        before (``recognised``), a name inside a longer recognised name of something else
        is not linked, and the recognised names are returned."""
        if seen is None and not self.registry.entities and recognise is None:
            return Annotation(body_html, ())  # nothing to find: skip tokenising
        state = _State()
        parts = _TAG_RE.split(body_html)
        skipping: list[str] = []
        found: list[Spans] = []
        names: list[tuple[str, str]] = []
        for index, part in enumerate(parts):
            if not part:
                continue
            if part.startswith("<"):
                _track(part, skipping)
            elif not skipping:
                if recognised is not None and len(found) < len(recognised):
                    spans = recognised[len(found)]
                else:
                    spans = recognise(part) if recognise is not None else ()
                found.append(spans)
                names += [(html.unescape(part[s:e]), kind) for s, e, kind in spans]
                parts[index] = self._text(part, state, no_link, seen, spans)
        mentions = tuple(Mention(entity, state.counts[entity], *state.first[entity])
                         for entity in state.first)
        if recognise is None and recognised is None:
            return Annotation("".join(parts), mentions)
        return Annotation("".join(parts), mentions, tuple(found), tuple(names))

    def _text(self, text: str, state: _State, no_link: frozenset[str],
              seen: set[str] | None, spans: Spans = ()) -> str:
        out, cursor = [], 0
        for match in self.registry.matcher.scan(text, seen):
            entity = self._choose(match, state, no_link)
            if entity is None:
                continue
            if spans and _inside_other_name(text, match, entity, spans):
                continue
            surface = text[match.start:match.end]
            state.counts[entity.id] = state.counts.get(entity.id, 0) + 1
            if entity.id not in state.first:
                state.first[entity.id] = (html.unescape(surface),
                                          _context_before(text[:match.start]),
                                          _context_after(text[match.end:]))
            if not entity.link or (self.policy == "first" and entity.id in state.linked):
                continue
            state.linked.add(entity.id)
            out.append(text[cursor:match.start])
            out.append(f'<a class="entity entity-{entity.type}" data-entity="{entity.id}" '
                       f'href="{html.escape(self.href(entity.url))}">{surface}</a>')
            cursor = match.end
        if not out:
            return text
        out.append(text[cursor:])
        return "".join(out)

    def _choose(self, match: Match, state: _State, no_link: frozenset[str]):
        full = [n for n in match.names if not n.short and n.entity not in no_link]
        if full:
            entity_id = full[0].entity
            state.order += 1
            state.full_seen[entity_id] = state.order
            return self.registry.entities[entity_id]
        introduced = [n.entity for n in match.names
                      if n.entity in state.full_seen and n.entity not in no_link]
        if not introduced:
            return None
        return self.registry.entities[max(introduced, key=state.full_seen.__getitem__)]


def _inside_other_name(text: str, match: Match, entity, spans: Spans) -> bool:
    """Whether the match lies inside a longer recognised name of something else: «القدس» in
    «فيلق القدس», «الصين» in «بحر الصين الجنوبي». A person's name at the end of a longer
    person's name is taken for the same person with more of the name («دونالد ترامب»)."""
    for start, end, kind in spans:
        if start <= match.start and match.end <= end and end - start > match.end - match.start:
            if ENTITY_TYPES.get(kind) == entity.type == "person" and match.end == end:
                return False
            return name_keys(text[start:end]) not in {name_keys(n) for n in entity.names}
    return False


def _track(tag: str, skipping: list[str]) -> None:
    match = _NAME_RE.match(tag)
    if not match:
        return
    name = match.group(1).lower()
    if tag.startswith("</"):
        if skipping and skipping[-1] == name:
            skipping.pop()
    elif name in _SKIP and name not in _VOID and not tag.endswith("/>"):
        skipping.append(name)


def _context_before(text: str) -> str:
    raw = html.unescape(text)
    text = " ".join(raw.split()) + (" " if raw[-1:].isspace() else "")
    if len(text) <= CONTEXT:
        return text.lstrip()
    cut = text[-CONTEXT:]
    space = cut.find(" ")
    return "…" + (cut[space + 1:] if 0 <= space < CONTEXT // 2 else cut)


def _context_after(text: str) -> str:
    raw = html.unescape(text)
    text = (" " if raw[:1].isspace() else "") + " ".join(raw.split())
    if len(text) <= CONTEXT:
        return text.rstrip()
    cut = text[:CONTEXT]
    space = cut.rfind(" ")
    return (cut[:space] if space > CONTEXT // 2 else cut) + "…"

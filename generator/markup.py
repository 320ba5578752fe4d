"""Markdown to safe HTML: Python-Markdown, then nh3 to sanitise.

One :class:`markdown.Markdown` instance is reused (``reset()`` between
documents), which ../shared/FINDINGS.md measured as the cheapest way to run it. Raw HTML
in an article is allowed but sanitised, so imported or pasted text can never
inject scripts into the archive.

Most of an archive is imported text: paragraphs of plain words, with the few characters
Markdown would read as syntax escaped by the importer. For a body made only of such
paragraphs, :class:`PlainParagraphs` gives the text Python-Markdown would write, and the
renderer serialises it as nh3 would, several times faster; anything else goes through
Python-Markdown and nh3. ``tests/test_markup.py`` checks the two agree on generated text
and on the corpus.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3

_EXTENSIONS = ["extra", "sane_lists"]
# Python-Markdown recurses per level of block quotes and lists (past a few hundred levels:
# RecursionError, and gigabytes on the way) and is quadratic in nested brackets, so a body is
# refused before it sees it when it is larger or deeper than any article needs.
MAX_BODY = 1_000_000  # characters
MAX_DEPTH = 32  # levels of block quotes, of list indentation, of brackets in a paragraph
_DEEP_QUOTES_RE = re.compile(rf"^(?:[ \t]*>){{{MAX_DEPTH + 1}}}", re.MULTILINE)
_DEEP_INDENT_RE = re.compile(rf"^[ \t>]{{{4 * (MAX_DEPTH + 1)},}}", re.MULTILINE)
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")


class MarkupLimit(ValueError):
    """A body too large or too deeply nested to render; ``line`` counts from the body's first."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


def check_bounds(text: str) -> None:
    """Raise :class:`MarkupLimit` if ``text`` is larger or more deeply nested than allowed."""
    if len(text) > MAX_BODY:
        raise MarkupLimit(f"the body has {len(text):,} characters; an article may have at most "
                          f"{MAX_BODY:,} (split it)")
    for pattern, what in ((_DEEP_QUOTES_RE, "block quotes"), (_DEEP_INDENT_RE, "indented lists")):
        found = pattern.search(text)
        if found:
            raise MarkupLimit(f"{what} nested more than {MAX_DEPTH} levels deep",
                              text.count("\n", 0, found.start()) + 1)
    if text.count("[") > MAX_DEPTH:
        start = 0
        for paragraph in _PARAGRAPH_RE.split(text):
            if paragraph.count("[") > MAX_DEPTH and _bracket_depth(paragraph) > MAX_DEPTH:
                line = text.count("\n", 0, text.find(paragraph, start)) + 1
                raise MarkupLimit(f"brackets nested more than {MAX_DEPTH} levels deep", line)
            start += len(paragraph)


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in re.sub(r"\\.|[^\[\]]", "", text):
        depth = depth + 1 if char == "[" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest
_GLOBAL_ATTRIBUTES = {"id", "class", "dir", "lang", "title"}
_ATTRIBUTES = {tag: set(attrs) | _GLOBAL_ATTRIBUTES
               for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_TAGS = set(nh3.ALLOWED_TAGS) | {"section", "sup", "hr"}


class MarkdownRenderer:
    """Renders article bodies; not thread-safe (one per worker)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
        self._plain = PlainParagraphs(self._md.ESCAPED_CHARS)

    def render(self, text: str) -> str:
        return self.render_blocks(text)[0]

    def render_blocks(self, text: str) -> tuple[str, list[str] | None]:
        """The sanitised HTML of ``text``, and the text of its paragraphs when it is made
        only of plain paragraphs (None otherwise: ``text.html_blocks`` finds them)."""
        paragraphs = self._plain(text)
        if paragraphs is None:
            check_bounds(text)
            self._md.reset()
            try:
                return sanitize(self._md.convert(text)), None
            except RecursionError:
                raise MarkupLimit("the Markdown is nested too deeply to render") from None
        # What nh3 makes of Markdown's <p>…</p>: character references decoded, then only
        # &, <, > and no-break spaces escaped (html5ever's serialisation of text).
        texts = [html.unescape(p) for p in paragraphs]
        clean = "\n".join(f"<p>{_serialise(t)}</p>" for t in texts)
        return clean, [" ".join(t.split()) for t in texts]


class PlainParagraphs:
    """Python-Markdown's output for text made only of plain paragraphs, else None.

    A plain paragraph is one line, with no leading or trailing space, no line start that
    begins a block (heading, quote, list, rule, table, definition), and none of the
    characters that start inline syntax or raw HTML unless escaped by a backslash. In it,
    Markdown drops the escaping backslashes, keeps character references, and escapes a bare
    ``&`` and ``>``. A numeric reference without its semicolon (``&#65``) is left to
    Markdown: its HTML parser takes it for a reference, or not, by the character after it."""

    _BLOCK_START = re.compile(r"[#>+\-=:|*]|\d+[.)](?:\s|$)")
    _SYNTAX = re.compile(r"[`*_\[\]<{}|~\\\t\r]")
    _OPEN_REFERENCE = re.compile(r"&#(?![0-9]+;|[xX][0-9a-fA-F]+;)")

    def __init__(self, escapable):
        chars = re.escape("".join(sorted(escapable)))
        self._escape = re.compile(rf"\\[{chars}]")
        self._inline = re.compile(rf"\\([{chars}])|(&(?:#[0-9]+|#[xX][0-9a-fA-F]+|"
                                  rf"[a-zA-Z0-9]+);)|(&)|(>)")

    def __call__(self, text: str) -> list[str] | None:
        """The inner HTML of each paragraph, as Markdown writes it, or None."""
        paragraphs = []
        previous_blank = True
        for line in text.split("\n"):
            if not line:
                previous_blank = True
                continue
            if not previous_blank or line != line.strip() or self._BLOCK_START.match(line) \
                    or self._SYNTAX.search(self._escape.sub("", line)) \
                    or self._OPEN_REFERENCE.search(line):
                return None
            previous_blank = False
            paragraphs.append(self._inline.sub(self._convert, line))
        return paragraphs

    def html(self, text: str) -> str | None:
        """Python-Markdown's output for ``text`` if it is plain paragraphs, else None."""
        paragraphs = self(text)
        return None if paragraphs is None else "\n".join(f"<p>{p}</p>" for p in paragraphs)

    @staticmethod
    def _convert(match: re.Match) -> str:
        escaped, entity, amp, _ = match.groups()
        if escaped is not None:
            return html.escape(escaped, quote=False)
        if entity is not None:
            return entity
        return "&amp;" if amp is not None else "&gt;"


def _serialise(text: str) -> str:
    # (str.replace runs in C over the whole text; str.translate looks up every character)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\u00a0", "&nbsp;"))


def sanitize(html_text: str) -> str:
    return nh3.clean(
        html_text,
        tags=_TAGS,
        attributes={**{tag: _GLOBAL_ATTRIBUTES for tag in _TAGS}, **_ATTRIBUTES},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )

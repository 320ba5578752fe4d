"""Markdown to safe HTML: Python-Markdown, then nh3 to sanitise.

One :class:`markdown.Markdown` instance is reused (``reset()`` between
documents), which ../shared/FINDINGS.md measured as the cheapest way to run it. Raw HTML
in an article is allowed but sanitised, so imported or pasted text can never
inject scripts into the archive.
"""

from __future__ import annotations

import markdown
import nh3

_EXTENSIONS = ["extra", "sane_lists"]
_GLOBAL_ATTRIBUTES = {"id", "class", "dir", "lang", "title"}
_ATTRIBUTES = {tag: set(attrs) | _GLOBAL_ATTRIBUTES
               for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_TAGS = set(nh3.ALLOWED_TAGS) | {"section", "sup", "hr"}


class MarkdownRenderer:
    """Renders article bodies; not thread-safe (one per worker)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")

    def render(self, text: str) -> str:
        self._md.reset()
        html = self._md.convert(text)
        return sanitize(html)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={**{tag: _GLOBAL_ATTRIBUTES for tag in _TAGS}, **_ATTRIBUTES},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )

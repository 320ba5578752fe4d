"""Markdown: the plain-paragraph fast path writes exactly what Python-Markdown writes."""

from __future__ import annotations

import gzip
import json
import random

import markdown
import pytest
from conftest import ANT_CORPUS, require_shared
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.importer import escape_markdown
from generator.markup import MarkdownRenderer, PlainParagraphs, sanitize
from generator.text import clean_text, html_blocks

RENDERER = MarkdownRenderer()
SLOW = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")


def python_markdown(text: str) -> str:
    SLOW.reset()
    return sanitize(SLOW.convert(text))


def check(text: str) -> bool:
    """Both paths agree on ``text``; True if the fast one took it."""
    html, blocks = RENDERER.render_blocks(text)
    assert html == python_markdown(text)
    if blocks is not None:
        assert blocks == html_blocks(html)
    return blocks is not None


CHARACTERS = list("مصرلافروفالقاهرة 0123456789.،:؛!?()\"'%/-+=#>*_`[]{}|~<&\\;")
ALPHABET = CHARACTERS + list("\n\n\n") + ["&amp;", "&lt;", "&#58;", "&copy;", "\\*", "\\_",
                                          "\\#", "\\\\", "\\>", "1. ", "- ", "  ", "\t"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=40))
def test_generated_text_renders_the_same_on_both_paths(pieces):
    check("".join(pieces))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(CHARACTERS), min_size=1, max_size=30),
                min_size=1, max_size=5))
def test_imported_paragraphs_render_the_same_on_both_paths(paragraphs):
    check("\n\n".join(escape_markdown(clean_text(p)) for p in paragraphs if clean_text(p)))


@pytest.mark.parametrize("text, fast", [
    ("فقرة أولى.\n\nفقرة ثانية.", True),
    ("سفن #الرحلات\\_البحرية و\\*نجمة\\* و1\\. رقم", True),
    ("&lt;b&gt; و &#58; و AT&T و &copy; و &foo; و &#x41; و &#0; و \u00a0 و \"x\"", True),
    ("\\# ليس عنوانا", True),
    ("&#0 و &#65 و &#x41g و &#65a و &#", False),  # references without their semicolon
    ("# عنوان", False),
    ("سطر\nمتصل", False),
    ("- بند", False),
    ("نص **غامق**", False),
    ("", True),
])
def test_which_text_takes_the_fast_path(text, fast):
    assert check(text) is fast


def test_the_fast_path_knows_markdowns_escapes():
    plain = PlainParagraphs(SLOW.ESCAPED_CHARS)
    assert plain.html("أ\\|ب") == "<p>أ|ب</p>"  # "|" is escapable once tables extension runs
    assert plain.html("أ\\xب") is None  # a backslash before anything else: Markdown's path


@pytest.mark.corpus
def test_corpus_articles_render_the_same_on_both_paths():
    require_shared(ANT_CORPUS)
    rng = random.Random(4)
    fast = total = 0
    with gzip.open(ANT_CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            if rng.random() > 0.05:
                continue
            item = json.loads(line)
            paragraphs = [p for p in clean_text(item.get("body") or "").split("\n") if p]
            fast += check("\n\n".join(escape_markdown(p) for p in paragraphs))
            total += 1
    assert total > 1000 and fast / total > 0.99

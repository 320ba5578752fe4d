"""Hostile and careless input, generated: whatever an article's front matter and body hold, the
build either succeeds or fails cleanly (exit 1, `error: file:line: …`, no traceback), and a
failed build leaves the previous output as it was."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

import tomli_w
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآةى"
MARKDOWN = "#*_`[]()<>!|\\-+=.:~>\n \t&;\"'/{}"
CONTROLS = "\u202e\u2066\u200f\u0000\u0007\ufeff\r"
TEXT = st.text(alphabet=st.sampled_from(list(ARABIC + MARKDOWN + CONTROLS + "ab19")), max_size=80)
DATES = st.one_of(
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    st.dates(),
    st.sampled_from(["2019-03-19", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-12:00",
                     "yesterday", "", "2019-02-30"]),
    TEXT)
VALUES = st.recursive(st.one_of(TEXT, st.integers(), st.booleans(), DATES),
                      lambda inner: st.one_of(st.lists(inner, max_size=3),
                                              st.dictionaries(TEXT, inner, max_size=2)),
                      max_leaves=6)
FIELDS = st.fixed_dictionaries(
    {"title": st.one_of(TEXT, VALUES), "date": DATES},
    optional={"slug": st.one_of(TEXT, VALUES), "categories": st.one_of(st.lists(TEXT), VALUES),
              "source_url": st.one_of(TEXT, st.sampled_from(["javascript:alert(1)", "//x",
                                                             "https://example.com/a b"])),
              "tags": st.one_of(st.lists(TEXT), VALUES), "draft": VALUES,
              "entities": VALUES, "no_link": VALUES, "author": VALUES, "summary": VALUES})
BODIES = st.one_of(
    TEXT,
    st.builds(lambda n, s: s * n, st.integers(1, 300), st.sampled_from(["> ", "[", "    - x\n",
                                                                        "*", "<div>", "```\n"])),
    st.builds(lambda t: "\n\n".join(t), st.lists(TEXT, max_size=5)))


def _front_matter(fields: dict) -> str | None:
    try:
        return tomli_w.dumps(fields)
    except (TypeError, ValueError):
        return None  # not representable in TOML: then it is written by hand below


def _build(root: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["build", "--config", str(root / "site.toml"), "--no-search", "-q"])
    return code, err.getvalue()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fields=FIELDS, body=BODIES, raw=TEXT)
def test_any_article_builds_or_fails_cleanly(fields, body, raw):
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        root = Path(tmp)
        (root / "site.toml").write_text(tomli_w.dumps({
            "title": "أرشيف", "base_url": "https://example.org/",
            "paths": {"templates": str(REPO / "templates"), "static": str(REPO / "static")}}),
            encoding="utf-8")
        articles = root / "content" / "articles"
        articles.mkdir(parents=True)
        (articles / "good.md").write_text('+++\ntitle = "سليم"\ndate = 2019-03-19\n+++\n\nنص.\n',
                                          encoding="utf-8")
        code, err = _build(root)
        assert code == 0, err
        before = {p: p.read_bytes() for p in (root / "public").rglob("*") if p.is_file()}
        front = _front_matter(fields)
        text = f"+++\n{front if front is not None else raw}\n+++\n\n{body}"
        (articles / "hostile.md").write_bytes(text.encode("utf-8", "surrogatepass"))
        code, err = _build(root)
        assert "Traceback" not in err
        assert code in (0, 1), err
        if code == 1:
            assert err.startswith("error: "), err
            after = {p: p.read_bytes() for p in (root / "public").rglob("*") if p.is_file()}
            assert after == before  # a failed build changed nothing
        shutil.rmtree(root / ".cache", ignore_errors=True)

"""The importer: seed plain text, JSONL corpora, cleaning, merging, idempotency."""

from __future__ import annotations

import gzip
import json
import tomllib

import pytest
from conftest import ANT_CORPUS, SEED, parse_html, require_shared

from generator.importer import escape_markdown
from generator.markup import MarkdownRenderer
from generator.text import clean_text, html_blocks


def read_front_matter(path):
    text = path.read_text(encoding="utf-8")
    _, meta, body = text.split("+++\n", 2)
    return tomllib.loads(meta), body


def seed_paragraphs():
    lines = clean_text(SEED.read_text(encoding="utf-8")).split("\n")
    return lines[0], [line for line in lines[1:] if line]


def test_seed_becomes_one_article_with_every_paragraph(site):
    run = site.cli("import", str(SEED), "--content", str(site.content), "--date", "2019-03-19",
                   "--category", "middleEast")
    assert run.code == 0, run.err
    files = list((site.content / "articles").rglob("*.md"))
    assert len(files) == 1 and files[0].parent.relative_to(site.content).as_posix() == \
        "articles/2019/03"
    meta, _ = read_front_matter(files[0])
    title, paragraphs = seed_paragraphs()
    assert meta["title"] == title
    assert str(meta["date"]) == "2019-03-19" and meta["categories"] == ["middleEast"]

    site.build()
    slug = files[0].stem
    soup = site.soup(f"articles/2019/03/{slug}/")
    shown = [p.get_text() for p in soup.find(class_="article-body").find_all("p")]
    assert shown == paragraphs and len(shown) == 10


def test_reimport_is_idempotent(site):
    args = ("import", str(SEED), "--content", str(site.content), "--date", "2019-03-19")
    assert site.cli(*args).code == 0
    before = {p: p.read_bytes() for p in site.content.rglob("*.md")}
    run = site.cli(*args)
    assert "1 unchanged" in run.out and "written" not in run.out
    assert {p: p.read_bytes() for p in site.content.rglob("*.md")} == before


def test_reimport_keeps_what_an_editor_corrected(site, tmp_path):
    source = write_jsonl(tmp_path / "news.jsonl", [record(n) for n in range(1, 4)])
    args = ("import", str(source), "--content", str(site.content))
    assert "2 written" in site.cli(*args, "--limit", "2").out
    first, second = sorted((site.content / "articles").rglob("*.md"))
    corrected = first.read_text(encoding="utf-8").replace("فقرة أولى", "فقرة أولى مصححة", 1)
    first.write_text(corrected, encoding="utf-8")
    second.write_bytes(second.read_bytes().replace(b"\n", b"\r\n"))  # saved on Windows
    # The source changed since (a new field on every record): untouched files follow it.
    source = write_jsonl(tmp_path / "news.jsonl",
                         [record(n, author="الكاتب") for n in range(1, 4)])
    run = site.cli(*args, "--limit", "3")
    assert run.code == 0, run.err
    # The corrected file is kept; the one whose line endings alone changed is not an edit.
    assert "2 written" in run.out and "1 kept edited" in run.out
    assert str(first) in run.out and str(second) not in run.out
    assert first.read_text(encoding="utf-8") == corrected  # the correction survives
    assert read_front_matter(second)[0]["author"] == "الكاتب"
    assert len(list(site.content.rglob("*.md"))) == 3  # no duplicate of the CRLF file
    assert "--overwrite" in run.out
    run = site.cli(*args, "--limit", "3", "--overwrite")
    assert "1 written" in run.out and "kept" not in run.out
    assert read_front_matter(first)[0]["author"] == "الكاتب"
    assert "3 unchanged" in site.cli(*args).out


def test_an_article_imported_before_digests_is_kept_if_it_differs(site, tmp_path):
    source = write_jsonl(tmp_path / "news.jsonl", [record(1)])
    args = ("import", str(source), "--content", str(site.content))
    site.cli(*args)
    (path,) = (site.content / "articles").rglob("*.md")
    old = "".join(line for line in path.read_text(encoding="utf-8").splitlines(True)
                  if not line.startswith("import_digest"))
    path.write_text(old.replace("فقرة", "فقرة قديمة", 1), encoding="utf-8")
    assert "1 kept edited" in site.cli(*args).out
    assert path.read_text(encoding="utf-8") == old.replace("فقرة", "فقرة قديمة", 1)


def test_plain_text_needs_a_date(site):
    run = site.cli("import", str(SEED), "--content", str(site.content))
    assert run.code == 1 and f"{SEED.name}: " in run.err and "--date" in run.err


def write_jsonl(path, records, compress=False):
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def record(n, **fields):
    base = {"id": f"r{n}", "title": f"عنوان رقم {n}", "body": f"فقرة أولى {n}.\nفقرة ثانية.",
            "date": "2018-02-18T21:35:43+04:00", "category": "sport", "source": "skynews",
            "url": f"https://example.com/{n}", "author": "مراسل", "abstract": ""}
    base.update(fields)
    return base


def test_jsonl_merges_duplicate_urls_and_skips_empty_bodies(site, tmp_path):
    source = write_jsonl(tmp_path / "news.jsonl.gz", [
        record(1), record(1, id="r1b", category="economy"), record(2, body="  \n "),
        record(3, title=""), record(4, date="yesterday"), record(5),
    ], compress=True)
    run = site.cli("import", str(source), "--content", str(site.content))
    assert run.code == 0, run.err
    assert "2 written" in run.out and "1 merged" in run.out
    assert "1 skipped empty body" in run.out and "1 skipped no title" in run.out
    assert "1 skipped bad date" in run.out
    metas = {read_front_matter(p)[0]["import_id"]: read_front_matter(p)[0]
             for p in site.content.rglob("*.md")}
    assert metas["r1"]["categories"] == ["sport", "economy"]
    assert metas["r1"]["source_url"] == "https://example.com/1"
    assert metas["r1"]["date"].utcoffset().total_seconds() == 4 * 3600


def test_what_the_build_would_refuse_is_not_imported(site, tmp_path):
    source = write_jsonl(tmp_path / "news.jsonl", [
        record(1), record(2, category="a b"), record(3, category="../x"),
        record(4, url="javascript:alert(1)"), record(5, date="0001-01-01T00:30:00+01:00"),
        record(6)])
    run = site.cli("import", str(source), "--content", str(site.content))
    assert run.code == 0, run.err
    assert "2 written" in run.out and "4 skipped invalid" in run.out
    for line, words in ((2, "category key"), (3, "category key"), (4, "http"),
                        (5, "out of range")):
        reason = next(r for r in run.out.splitlines() if f"news.jsonl:{line}:" in r)
        assert words in reason, reason
    assert site.build().code == 0  # what was written builds


def test_limit_counts_unique_articles(site, tmp_path):
    source = write_jsonl(tmp_path / "news.jsonl", [record(1), record(1, category="x"),
                                                    record(2), record(3)])
    site.cli("import", str(source), "--content", str(site.content), "--limit", "2")
    assert len(list(site.content.rglob("*.md"))) == 2


def test_same_title_gets_a_suffixed_slug(site, tmp_path):
    source = write_jsonl(tmp_path / "news.jsonl", [record(1, title="خبر"), record(2, title="خبر")])
    site.cli("import", str(source), "--content", str(site.content))
    names = sorted(p.name for p in site.content.rglob("*.md"))
    assert names == ["خبر-2.md", "خبر.md"]
    site.cli("import", str(source), "--content", str(site.content))  # again: same files
    assert sorted(p.name for p in site.content.rglob("*.md")) == names
    site.build()


def test_malformed_json_line_is_reported(site, tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps(record(1)) + "\n{not json\n", encoding="utf-8")
    run = site.cli("import", str(source), "--content", str(site.content))
    assert run.code == 1 and f"{source}:2:" in run.err and "Traceback" not in run.err


def test_messy_text_is_cleaned_but_words_kept(site, tmp_path):
    body = ("\u202bﻗﺎﻝ ﻣﺼﺪﺭ\u202c إن 80\u200e% من &quot;المشروع&quot; اكتمل\x1a\x1a.\n"
            "واﻷفلام\u200b\u200b كثيرة &amp;amp; متنوعة")
    source = write_jsonl(tmp_path / "messy.jsonl",
                         [record(1, title="\u200bعنوان&#8220;مقتبس&#8221;", body=body)])
    site.cli("import", str(source), "--content", str(site.content))
    site.build()
    soup = parse_html(next((site.public / "articles").rglob("index.html")))
    assert soup.h1.get_text() == "عنوان\u201cمقتبس\u201d"
    paragraphs = [p.get_text() for p in soup.find(class_="article-body").find_all("p")]
    assert paragraphs == ['قال مصدر إن 80% من "المشروع" اكتمل .', "والأفلام كثيرة & متنوعة"]


@pytest.mark.parametrize("paragraph", [
    "#هيفاء_وهبي قررت أن ترد", "# عنوان", "1. أولا", "2) ثانيا", "- بند", "+ بند", "> اقتباس",
    "**حقوق النشر محفوظة**", "* ماذا تم في لقائكم", "a_b_c و *x* و `code`", "<script>x</script>",
    "&amp; و &lt; و AT&T", "[رابط](http://x)", ": تعريف", "~~~", "===", "2019. عام", "{: .cls}",
    "ـــ تطويل", "نص عادي \\ مع شرطة مائلة",
])
def test_escaped_paragraph_renders_exactly_as_written(paragraph):
    html = MarkdownRenderer().render(escape_markdown(paragraph))
    assert html_blocks(html) == [paragraph]


def test_corpus_sample_imports_and_builds(site):
    corpus = require_shared(ANT_CORPUS)
    run = site.cli("import", str(corpus), "--content", str(site.content), "--limit", "300")
    assert run.code == 0, run.err
    files = list((site.content / "articles").rglob("*.md"))
    assert len(files) == 300
    categories = [read_front_matter(p)[0].get("categories", []) for p in files]
    assert all(categories)
    site.build()
    assert len(list((site.public / "articles").rglob("index.html"))) == 300


def test_corrupt_gzip_is_reported(site, tmp_path):
    source = tmp_path / "broken.jsonl.gz"
    source.write_bytes(gzip.compress(b'{"id": "1"}\n')[:-8] + b"garbage!")
    run = site.cli("import", str(source), "--content", str(site.content))
    assert run.code == 1 and f"{source}:" in run.err and "cannot read" in run.err


def test_non_utf8_plain_text_names_the_line(site, tmp_path):
    source = tmp_path / "old.txt"
    source.write_bytes("عنوان\n\nفقرة\n".encode() + "نص قديم\n".encode("cp1256"))
    run = site.cli("import", str(source), "--content", str(site.content), "--date", "2019-01-01")
    assert run.code == 1 and f"{source}:4:" in run.err and "UTF-8" in run.err


def test_missing_source_and_negative_limit(site, tmp_path):
    run = site.cli("import", str(tmp_path / "nothing.jsonl"), "--content", str(site.content))
    assert run.code == 1 and "no such file or folder" in run.err
    run = site.cli("import", str(SEED), "--content", str(site.content), "--limit", "-1")
    assert run.code == 1 and "--limit" in run.err

"""Shared helpers: small sites built in temporary folders, and HTML checks with a parser."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pytest
import tomli_w
from bs4 import BeautifulSoup

from generator import urls
from generator.cli import main

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "seeds" / "000_b13ded825dd51055.txt"
ANT_CORPUS = SHARED / "corpus" / "ant-v2.1-news.jsonl.gz"
SNN_CORPUS = SHARED / "corpus" / "saudinewsnet.jsonl.gz"


def run_generator(*args: str, cwd: Path = REPO, timeout: float = 300,
                  **kwargs) -> subprocess.CompletedProcess:
    """``python -m generator ARGS`` in a real process, from any working folder."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, **kwargs)


TRAINING_TEST = "test_training_rebuilds_the_shipped_model_byte_for_byte"
TRAINING = pytest.StashKey[tuple[subprocess.Popen, Path]]()


@pytest.hookimpl(trylast=True)  # (after -k and -m have deselected)
def pytest_collection_modifyitems(session, config, items):
    """Training the named-entity model takes minutes on one core: when its test is to run,
    the training starts with the session, beside the other tests, and the test waits for it
    (``training_run``), so that the suite's time is not the sum of both."""
    data = SHARED / "ner" / "anercorp-train.jsonl"
    if config.option.collectonly or not data.exists() \
            or importlib.util.find_spec("numpy") is None \
            or not any(item.name == TRAINING_TEST for item in items):
        return
    out = Path(tempfile.mkdtemp(prefix="ner-training-"))
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.ner.train", "--data", str(SHARED / "ner"),
         "--corpus", str(SHARED / "corpus"), "--out", str(out)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    config.stash[TRAINING] = (process, out)


def pytest_unconfigure(config):
    process, out = config.stash.get(TRAINING, (None, None))
    if process is not None:
        if process.poll() is None:  # (a session stopped before its test waited for it)
            process.kill()
        process.communicate()
        shutil.rmtree(out, ignore_errors=True)


@pytest.fixture
def training_run(request) -> tuple[subprocess.CompletedProcess, Path]:
    """The training started with the session, once it has finished, and its output folder."""
    process, out = request.config.stash[TRAINING]
    stdout, stderr = process.communicate(timeout=1200)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), out


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared data folder (../shared) is not beside the repo")
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class TmpSite:
    """A site in a temporary folder using the repository's templates and static files."""

    root: Path
    capsys: pytest.CaptureFixture
    config: dict = field(default_factory=dict)

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def public(self) -> Path:
        return self.root / "public"

    def write_config(self, text: str | None = None, **settings) -> Path:
        """Write site.toml: ``text`` as is, or the settings given, using the repo's theme."""
        path = self.root / "site.toml"
        if text is None:
            values = {"title": "أرشيف الاختبار", "base_url": "https://example.org/", **settings}
            values["paths"] = {"templates": str(REPO / "templates"),
                               "static": str(REPO / "static"), **values.get("paths", {})}
            text = tomli_w.dumps(values)
        path.write_text(text, encoding="utf-8")
        return path

    def article(self, name: str, title: str | None = "عنوان", date: str | None = "2019-03-19",
                body: str = "نص المقال.", **fields) -> Path:
        lines = []
        if title is not None:
            lines.append(f"title = {_toml(title)}")
        if date is not None:
            lines.append(f"date = {date}")
        lines += [f"{key} = {_toml(value)}" for key, value in fields.items()]
        return self.write(f"articles/{name}.md", "+++\n" + "\n".join(lines) + "\n+++\n\n" + body)

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            text = textwrap.dedent(text) if text.startswith("\n") else text
            text = text.encode("utf-8")
        path.write_bytes(text)
        return path

    def cli(self, *args: str) -> Run:
        self.capsys.readouterr()
        code = main(list(args))
        captured = self.capsys.readouterr()
        return Run(code, captured.out, captured.err)

    def build(self, *args: str, check: bool = True) -> Run:
        if not (self.root / "site.toml").exists():
            self.write_config()
        run = self.cli("build", "--config", str(self.root / "site.toml"), *args)
        if check:
            assert run.code == 0, run.err
        return run

    def soup(self, url: str) -> BeautifulSoup:
        return parse_html(self.public / output_file(url))

    def tree_digest(self) -> dict[str, str]:
        return tree_digest(self.public)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def output_file(url: str) -> str:
    """The output file of a site path written with or without its leading "/" or escapes."""
    return urls.output_file(unquote(url).lstrip("/"))


def parse_html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def broken_links(public: Path, base_path: str = "/") -> list[tuple[str, str]]:
    """(page, problem) for every internal link, asset or anchor that resolves to nothing
    (`python -m generator check`'s own rule)."""
    from generator.check import Site, link_problems, read_pages

    site = Site(public, base_path)
    return list(link_problems(site, read_pages(site)))


@pytest.fixture
def site(tmp_path: Path, capsys: pytest.CaptureFixture) -> TmpSite:
    return TmpSite(tmp_path, capsys)


def load_engine(config: Path, **options):
    """An engine over the site of ``config``, loaded (nothing written but its cache)."""
    from generator.engine import Engine

    engine = Engine(config, **options)
    engine.load()
    return engine

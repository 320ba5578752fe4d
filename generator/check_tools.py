"""The checks ``check.py`` runs through other tools: the Nu HTML Checker and axe-core.

Both come from npm at pinned versions (``[tool.archive] npm`` in pyproject.toml), installed by
``make check`` into ``.venv/node``; vnu needs Java, axe-core runs in Debian's Chromium through
Playwright, on the site served from 127.0.0.1 under its base path. A missing tool is an error
saying how to install it, never a check silently skipped.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .check import Page, Report, Site
from .errors import BuildError

NODE = Path(sys.prefix) / "node" / "node_modules"
VNU = NODE / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NODE / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's (Playwright cannot download browsers here)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
INSTALL = "run `make check`, which installs them"
# One page of each type: the first file matching each prefix (in sorted order).
PAGE_TYPES = (("home", "index.html"), ("article", "articles/"), ("entity", "entities/*/"),
              ("entity index", "entities/index.html"), ("archive", "archive/index.html"),
              ("year", "archive/*/"), ("category", "categories/*/"),
              ("categories", "categories/index.html"), ("search", "search/index.html"),
              ("not found", "404.html"))
SERIOUS = ("serious", "critical")


def check_html(site: Site, report: Report) -> None:
    """Every page through the Nu HTML Checker (errors only)."""
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        raise BuildError(f"the Nu HTML Checker needs Java and {VNU}: {INSTALL}")
    result = subprocess.run([java, "-Xss4m", "-jar", str(VNU), "--errors-only", "--skip-non-html",
                             "--exit-zero-always", "--format", "json", str(site.root)],
                            capture_output=True, text=True, check=False)
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (ValueError, KeyError):
        raise BuildError(f"the Nu HTML Checker failed: {result.stderr.strip()[-300:]}") from None
    for message in messages:
        url = message.get("url", "")
        path = url.removeprefix("file:")
        try:
            name = Path(path).resolve().relative_to(site.root.resolve()).as_posix()
        except ValueError:
            name = path
        if name.startswith("pagefind/"):
            continue
        report.add("HTML", f"{name}:{message.get('lastLine', '?')}",
                   message.get("message", "").strip())


def sample_pages(pages: dict[str, Page]) -> list[tuple[str, str]]:
    """(type, page) for one page of each type present."""
    chosen = []
    for kind, pattern in PAGE_TYPES:
        head, star, tail = pattern.partition("*/")
        for name in sorted(pages):
            if (name == pattern) or (not star and pattern.endswith("/") and
                                     name.startswith(pattern) and name.endswith("index.html")) \
                    or (star and name.startswith(head) and name.count("/") == head.count("/") + 1
                        and name.endswith("/index.html") and name != f"{head}index.html"):
                chosen.append((kind, name))
                break
    return chosen


def check_accessibility(site: Site, pages: dict[str, Page], report: Report) -> None:
    """axe-core's WCAG 2 A and AA rules on one page of each type, in light and dark: no
    serious or critical violation."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BuildError(f"the accessibility check needs Playwright: {INSTALL}") from None
    if not CHROMIUM.exists() or not AXE.is_file():
        raise BuildError(f"the accessibility check needs {CHROMIUM} and {AXE}: {INSTALL}")
    samples = sample_pages(pages)
    with _serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for scheme in ("light", "dark"):
                context = browser.new_context(color_scheme=scheme)
                page = context.new_page()
                failed: list[str] = []  # what the page asked for in vain, and its errors
                page.on("response", lambda r, out=failed: r.status >= 400 and out.append(
                    f"{r.request.url}: {r.status}"))
                page.on("console", lambda m, out=failed: m.type == "error" and out.append(
                    f"console: {m.text}"))
                for kind, name in samples:
                    failed.clear()
                    page.goto(base + name.removesuffix("index.html"))
                    page.wait_for_load_state("networkidle")
                    if kind != "not found":
                        for problem in dict.fromkeys(failed):
                            report.add("requests", f"{name} ({scheme})", problem)
                    page.add_script_tag(path=str(AXE))
                    found = page.evaluate("async () => (await axe.run(document, {runOnly: "
                                          "['wcag2a', 'wcag2aa']})).violations.map((v) => "
                                          "[v.id, v.impact, v.help, v.nodes.map((n) => "
                                          "n.target.join(' '))])")
                    for rule, impact, help_text, targets in found:
                        if impact in SERIOUS:
                            report.add("accessibility", f"{name} ({kind}, {scheme})",
                                       f"{', '.join(targets[:3])}: {rule} ({impact}): "
                                       f"{help_text}")
                context.close()
        finally:
            browser.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve_folder(root: Path, base_path: str = "/",
                 host: type[http.server.SimpleHTTPRequestHandler] = _Quiet) -> Iterator[str]:
    """``root`` served on 127.0.0.1 under ``base_path`` (as a host would serve a site whose
    base URL has that path): yields the URL of ``base_path``. ``host``: the request handler
    to serve with (another host's headers, say)."""
    prefix = base_path.rstrip("/")

    class Handler(host):
        def translate_path(self, path: str) -> str:
            if prefix and not path.startswith(prefix + "/"):
                return str(root / "__outside__")
            return super().translate_path(path[len(prefix):])

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}/"
    finally:
        server.shutdown()
        server.server_close()


def _serve(site: Site):
    return serve_folder(site.root, site.base_path)

"""A real HTTP server on 127.0.0.1 and Debian's Chromium driven by Playwright, for browser tests."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path, prefix: str = "/"):
    """Serve ``directory`` at ``http://127.0.0.1:<port><prefix>`` (a sub-path works too)."""
    root = directory
    if prefix != "/":  # mount the site under the prefix, as a host would
        root = directory.parent / f"{directory.name}-mount"
        shutil.rmtree(root, ignore_errors=True)
        (root / prefix.strip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / prefix.strip("/")).symlink_to(directory.resolve())
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()

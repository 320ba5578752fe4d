"""A real HTTP server on 127.0.0.1 and Debian's Chromium driven by Playwright, for browser tests."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.check_tools import CHROMIUM, CHROMIUM_ARGS, serve_folder


def serve(directory: Path, prefix: str = "/", **options):
    """Serve ``directory`` at ``http://127.0.0.1:<port><prefix>`` (a sub-path works too);
    ``options``: those of ``serve_folder`` (``host``)."""
    return serve_folder(directory, prefix, **options)


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

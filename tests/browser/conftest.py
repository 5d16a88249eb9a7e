"""The published site in Debian's Chromium, driven by Playwright.

The site is built once per session through the council-build pipeline (its
HTML and search steps) and served over http://127.0.0.1 from a thread. The
browser is the system's ``/usr/bin/chromium``: no browser is downloaded.
Every page is opened in a context that aborts any request leaving the site's
origin and records it, so a page that needs the outside world fails.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

from helpers import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML that council-build publishes, with its Pagefind index.

    ``COUNCIL_SITE_HTML=<dir>`` tests an already built site instead.
    """
    from council_publish import cli as publish

    prebuilt = os.environ.get("COUNCIL_SITE_HTML")
    if prebuilt:
        return Path(prebuilt)

    assert publish.index_and_check_step in publish.STEPS, "council-build no longer indexes the site"
    output = tmp_path_factory.mktemp("browser") / "site"
    publish.build(REPO, output, steps=[publish.build_html, publish.build_search_index])
    return output / "html"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make system-deps)")
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """A browser context confined to the site's origin."""

    context: object
    site_url: str
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str, width: int = 1280, height: int = 900):
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.on("pageerror", lambda exc: self.errors.append(f"{path}: {exc}"))
        response = page.goto(self.site_url + path)
        assert response is not None and response.ok, f"{path}: HTTP {response.status if response else '-'}"
        return page


def _confine(visit: Visit, route) -> None:
    url = route.request.url
    host = urlparse(url).hostname
    if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
        route.continue_()
    else:
        visit.external.append(url)
        route.abort()


@pytest.fixture
def visit(browser, site_url: str) -> Iterator[Visit]:
    context = browser.new_context(locale="ja-JP")
    result = Visit(context=context, site_url=site_url)
    context.route("**/*", functools.partial(_confine, result))
    try:
        yield result
    finally:
        context.close()

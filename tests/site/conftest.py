"""The real site, built once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from helpers import REPO


@pytest.fixture(scope="session")
def site_app(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    """The real project built to HTML with warnings as errors."""
    builddir = tmp_path_factory.mktemp("site")
    app = SphinxTestApp("html", srcdir=REPO, builddir=builddir, warningiserror=True)
    try:
        app.build()
    finally:
        app.cleanup()
    return app


@pytest.fixture(scope="session")
def site_html(site_app: SphinxTestApp) -> Path:
    return Path(site_app.outdir)


@pytest.fixture(scope="session")
def needs(site_html: Path) -> dict[str, dict]:
    data = json.loads((site_html / "needs.json").read_text(encoding="utf-8"))
    return data["versions"][data["current_version"]]["needs"]

"""The real site, built once for the open-data tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from helpers import REPO


def build_site(builddir: Path) -> Path:
    app = SphinxTestApp("html", srcdir=REPO, builddir=builddir, warningiserror=True)
    try:
        app.build()
    finally:
        app.cleanup()
    return Path(app.outdir)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML output of the real project (warnings are errors)."""
    return build_site(tmp_path_factory.mktemp("opendata-site"))

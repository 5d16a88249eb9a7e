"""Shared fixtures: small Sphinx projects built with sphinx.testing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import json

import pytest
from sphinx.testing.util import SphinxTestApp

from helpers import build_real_site, copy_project

pytest_plugins = ["sphinx.testing.fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="rewrite the doctree snapshots under tests/snapshots/ from the current output")


@pytest.fixture(scope="session")
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    """Whether the snapshot tests rewrite their files instead of comparing (``--update-snapshots``)."""
    return request.config.getoption("--update-snapshots")


@pytest.fixture
def build_project(make_app: Callable[..., SphinxTestApp], tmp_path: Path):
    """Build a test project with warnings as errors; return the finished app."""

    def _build(name: str, buildername: str = "html", **kwargs) -> SphinxTestApp:
        src = copy_project(name, tmp_path)
        app = make_app(buildername, srcdir=src, warningiserror=True, **kwargs)
        app.build()
        return app

    return _build


# ------------------------------------------------------------------ the real site
# Built once per test session and shared by every test directory (mark the
# tests that use it with ``pytest.mark.site``).


@pytest.fixture(scope="session")
def site_app(tmp_path_factory: pytest.TempPathFactory) -> SphinxTestApp:
    """The real project built to HTML with warnings as errors."""
    return build_real_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def site_html(site_app: SphinxTestApp) -> Path:
    return Path(site_app.outdir)


@pytest.fixture(scope="session")
def needs(site_html: Path) -> dict[str, dict]:
    data = json.loads((site_html / "needs.json").read_text(encoding="utf-8"))
    return data["versions"][data["current_version"]]["needs"]

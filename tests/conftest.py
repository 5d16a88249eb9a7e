"""Shared fixtures: small Sphinx projects built with sphinx.testing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from helpers import copy_project

pytest_plugins = ["sphinx.testing.fixtures"]


@pytest.fixture
def build_project(make_app: Callable[..., SphinxTestApp], tmp_path: Path):
    """Build a test project with warnings as errors; return the finished app."""

    def _build(name: str, buildername: str = "html", **kwargs) -> SphinxTestApp:
        src = copy_project(name, tmp_path)
        app = make_app(buildername, srcdir=src, warningiserror=True, **kwargs)
        app.build()
        return app

    return _build

"""The open-data tests read the real site built once per session (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def site(site_html: Path) -> Path:
    """The HTML output of the real project (warnings are errors)."""
    return site_html

"""The doctree snapshot tests: their marker (run them alone with ``pytest tests/snapshots``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "snapshots: compares the doctrees of the snapshot project with tests/snapshots/")

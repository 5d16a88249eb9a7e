"""The real-site session fixtures of tests/site, shared with these tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

# tests/site is not a package (and "site" names a standard module): load its
# conftest by path and re-export the fixtures.
_spec = importlib.util.spec_from_file_location(
    "council_site_fixtures", Path(__file__).resolve().parents[1] / "site" / "conftest.py"
)
_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_site)

site_app = _site.site_app
site_html = _site.site_html
needs = _site.needs

"""The real site passes the output scan: its theme's and templates' scripts are recognised."""

from __future__ import annotations

from council_publish.output_scan import scan_site
from helpers import REPO


def test_real_site_passes_the_output_scan(site_html):
    assert [str(f) for f in scan_site(site_html, REPO)] == []
    # the graphs (graphviz <object> of an SVG) and the theme's scripts were there to be allowed
    assert list(site_html.glob("_images/*.svg"))
    assert "<script>" in (site_html / "index.html").read_text(encoding="utf-8")

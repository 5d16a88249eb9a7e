"""The real site: no broken internal link or anchor in the built HTML."""

from __future__ import annotations

from council_publish.linkcheck import check_site

# Targets that later publish steps add to the HTML output (the PDFs, the
# search bundle); council-build's own link-check step runs after them.
LATER_STEPS = ("pdf/", "pagefind/")


def test_real_site_has_no_broken_internal_link(site_html):
    broken = [b for b in check_site(site_html) if not any(s in b.target for s in LATER_STEPS)]
    assert [str(b) for b in broken] == []

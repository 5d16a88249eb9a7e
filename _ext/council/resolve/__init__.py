"""Resolution: what a page becomes once every need of the project is known.

Directives leave placeholders at read time; when a page is written, the
post-transforms of this stage replace them (the traceability views, the
cases relying on a clause or checklist item). :mod:`council.resolve.order`
lists every post-transform and ``doctree-resolved`` handler of the site in
the order they run, and gives them their priorities.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from council.resolve import order
from council.resolve.relying_cases import RelyingCases
from council.resolve.trace_views import ResolveTraceViews, page_scripts


def setup_resolve(app: Sphinx) -> None:
    order.setup_order(app)
    app.add_post_transform(ResolveTraceViews)
    app.add_post_transform(RelyingCases)
    app.connect("html-page-context", page_scripts)
    app.add_css_file("council-trace.css")

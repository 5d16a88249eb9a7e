"""Sphinx extension of the privacy-council traceability site.

``setup`` only wires the components; each lives in its own module.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from . import browse, incremental, latex, layouts, navigation, search, ui_text, validation
from . import print_record, privacy, reproducible, safety, sources
from . import cjk, exports, gc_policy, render, trace_directives, upstream


def setup(app: Sphinx) -> dict[str, Any]:
    upstream.setup_upstream(app)
    gc_policy.setup_gc_policy(app)
    cjk.setup_cjk(app)
    layouts.setup_layouts(app)
    render.setup_render(app)
    validation.setup_validation(app)
    sources.setup_sources(app)
    safety.setup_safety(app)
    privacy.setup_privacy(app)
    reproducible.setup_reproducible(app)
    latex.setup_latex(app)
    print_record.setup_print_record(app)
    browse.setup_browse(app)
    search.setup_search(app)
    ui_text.setup_ui_text(app)
    incremental.setup_incremental(app)
    navigation.setup_navigation(app)
    trace_directives.setup_trace_directives(app)
    exports.setup_exports(app)
    return {
        "version": "1.0",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

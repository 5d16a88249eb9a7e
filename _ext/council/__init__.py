"""Sphinx extension of the privacy-council traceability site.

``setup`` only wires the stages, in the order a page goes through them
(docs/architecture.md): configuration and upstream workarounds, reading
(source checks, the content profile, text transforms), directives, rules,
views and their resolution, HTML and LaTeX output, exports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    # imported here, not when the package is: a tool that reads one module of it
    # (the one-case check's ID scan, council-build's steps) does not load the
    # whole extension, which took most of a second
    from council import compat, config, incremental
    from council.directives import a11y_report, browse, licence
    from council.directives import trace as trace_directives
    from council.html import case_page, layouts, navigation, render, search, ui_text, webmeta
    from council.latex import documents as latex
    from council.latex import print_record
    from council.model.need_index import setup_need_index
    from council.outputs import exports, opendata, reproducible
    from council.read import cjk, confined_reads, privacy, profile_enforcement, sources
    from council.read import raw_markup
    from council.resolve import setup_resolve
    from council.rules import suspect, validation
    from council.views import history

    app.setup_extension("sphinx_needs")
    config.setup_config(app)
    compat.setup_compat(app)
    setup_need_index(app)
    confined_reads.setup_confined_reads(app)
    cjk.setup_cjk(app)
    layouts.setup_layouts(app)
    render.setup_render(app)
    case_page.setup_case_page(app)
    validation.setup_validation(app)
    sources.setup_sources(app)
    raw_markup.setup_safety(app)
    profile_enforcement.setup_content_profile(app)
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
    setup_resolve(app)
    exports.setup_exports(app)
    suspect.setup_suspect(app)
    licence.setup_licence(app)
    webmeta.setup_webmeta(app)
    opendata.setup_opendata(app)
    history.setup_history(app)
    a11y_report.setup_a11y_report(app)
    # pages with these are rewritten whenever a page with needs changes
    incremental.register_dynamic_nodes(
        app, trace_directives.trace_placeholder, browse.cases_placeholder, browse.figures_placeholder,
        suspect.suspect_placeholder,
    )
    # ... but a case's own view only when the checklist or the clauses change
    incremental.exempt_dynamic_nodes(app, trace_directives.is_case_view)
    return {
        "version": "1.0",
        # bump when what this extension keeps in the environment changes shape
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }

"""Japanese for the few interface strings that Sphinx's own catalog leaves in English.

Sphinx writes the permalink signs' tooltips (``title="Link to this heading"``)
and furo labels its navigation switches with strings that no Japanese catalog
translates; readers see them on hover and hear them in screen readers. The
rest of furo's text is in the templates under ``_templates/``.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

#: English attribute text written by Sphinx's HTML translator → Japanese.
REPLACEMENTS = {
    'title="Link to this heading"': 'title="この見出しへのリンク"',
    'title="Link to this definition"': 'title="この定義へのリンク"',
    'title="Link to this table"': 'title="この表へのリンク"',
    'title="Link to this image"': 'title="この図へのリンク"',
    'title="Link to this code"': 'title="このコードへのリンク"',
    'title="Link to this equation"': 'title="この式へのリンク"',
}


def translate(body: str) -> str:
    for english, japanese in REPLACEMENTS.items():
        body = body.replace(english, japanese)
    return body


#: Furo's sidebar tree labels its expand switches in English.
NAVIGATION_REPLACEMENTS = {'aria-label="Toggle navigation of ': 'aria-label="下位のページを開閉: '}


def translate_navigation(tree: str) -> str:
    for english, japanese in NAVIGATION_REPLACEMENTS.items():
        tree = tree.replace(english, japanese)
    return tree


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if isinstance(context.get("body"), str):
        context["body"] = translate(context["body"])
    if isinstance(context.get("furo_navigation_tree"), str):
        context["furo_navigation_tree"] = translate_navigation(context["furo_navigation_tree"])


def setup_ui_text(app: Sphinx) -> None:
    # After furo's own handler (default priority), which builds the navigation tree.
    app.connect("html-page-context", _page_context, priority=900)

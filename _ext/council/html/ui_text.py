"""Japanese for the few interface strings that Sphinx's own catalog leaves in English.

Sphinx writes the permalink signs' tooltips (``title="Link to this heading"``)
and furo labels its navigation switches with strings that no Japanese catalog
translates; readers see them on hover and hear them in screen readers. The
rest of furo's text is in the templates under ``_templates/``. Two gaps in
the generated markup found by axe-core are closed here as well: toctree
captions get a heading level, graph figures a text alternative, and table
header cells a ``scope``.
"""

from __future__ import annotations

import re
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


#: Sphinx marks toctree captions as headings without a level (WAI-ARIA requires one).
CAPTION_HEADING = ('<p class="caption" role="heading">', '<p class="caption" role="heading" aria-level="2">')

#: Graphviz figures are embedded as <object> without a text alternative.
_GRAPH_OBJECT = re.compile(r'<object (data="[^"]*" type="image/svg\+xml" class="graphviz[^"]*")>')
GRAPH_LABEL = "関係図（同じ内容は本文と表にも掲載しています）"


#: Sphinx writes header cells without ``scope``; screen readers then guess
#: which cells a header labels (column heads, and stub columns as row heads).
_HEADER_CELL = re.compile(r'<th class="(head|stub)((?: [^"]*)?)"')


def _scope(match: re.Match[str]) -> str:
    scope = "col" if match.group(1) == "head" else "row"
    return f'<th scope="{scope}" class="{match.group(1)}{match.group(2)}"'


#: Furo wraps every table in a box that scrolls sideways on a phone; a keyboard
#: user can scroll it only if it can take the focus (axe: scrollable-region-focusable).
_TABLE_WRAPPER = re.compile(r'<div class="table-wrapper([^"]*)">')
TABLE_WRAPPER_LABEL = "表（横にスクロールできます）"


def translate(body: str) -> str:
    for english, japanese in REPLACEMENTS.items():
        body = body.replace(english, japanese)
    body = body.replace(*CAPTION_HEADING)
    body = _HEADER_CELL.sub(_scope, body)
    body = _TABLE_WRAPPER.sub(
        rf'<div class="table-wrapper\1" tabindex="0" role="region" aria-label="{TABLE_WRAPPER_LABEL}">', body)
    return _GRAPH_OBJECT.sub(rf'<object \1 role="img" aria-label="{GRAPH_LABEL}">', body)


#: Furo's sidebar tree labels its expand switches in English.
NAVIGATION_REPLACEMENTS = {'aria-label="Toggle navigation of ': 'aria-label="下位のページを開閉: '}


def translate_navigation(tree: str) -> str:
    for english, japanese in NAVIGATION_REPLACEMENTS.items():
        tree = tree.replace(english, japanese)
    return tree.replace(*CAPTION_HEADING)


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if isinstance(context.get("body"), str):
        context["body"] = translate(context["body"])
    if isinstance(context.get("furo_navigation_tree"), str):
        context["furo_navigation_tree"] = translate_navigation(context["furo_navigation_tree"])


def setup_ui_text(app: Sphinx) -> None:
    # After furo's own handler (default priority), which builds the navigation tree.
    app.connect("html-page-context", _page_context, priority=900)

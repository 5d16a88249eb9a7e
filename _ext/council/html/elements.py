"""HTML elements that docutils lacks, and the HTML forms of the neutral need nodes.

The need rendering builds neutral nodes (:mod:`council.html.neutral_nodes`)
that every builder can render. In HTML only:

- ``council-details`` containers become ``<details>``/``<summary>`` (the
  GOV.UK details pattern, no script), and editorial notes become such toggles;
- text copied from other pages is marked for the search indexer to skip;
- need IDs may break only after an underscore (``<wbr>``);
- a wide table sits in its own keyboard-focusable scroll region, a list of
  links in a labelled ``<nav>``.

Other builders render these nodes as the containers they are or never see
them (the case page's post-transform is HTML only).
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from council.compat.docutils_findall import any_of
from council.html.neutral_nodes import COPIED, DETAILS, DETAILS_SUMMARY, NEED_ID

NEED_ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
#: Words read out after a short summary so that its accessible name says what opens.
SUMMARY_SUFFIX = {"本文": "（チェックリスト項目と特記事項の条項）"}


# ------------------------------------------------------------------ nodes


class details(nodes.General, nodes.Element):
    """``<details>``; only HTML pages carry it."""


class details_summary(nodes.General, nodes.TextElement):
    """``<summary>``."""


class nav_region(nodes.General, nodes.Element):
    """``<nav aria-label=…>``."""


class scroll_region(nodes.container):
    """A wide table in its own keyboard-focusable scroll region (HTML); other
    builders render it as the container it is."""


class copied_text(nodes.container):
    """Text copied from other pages: HTML marks it for the search indexer to skip."""


class need_id_text(nodes.inline):
    """A need ID that may break only after its underscores (HTML)."""


def _visit_copied(self: Any, node: copied_text) -> None:
    self.body.append(self.starttag(node, "div", "", **{"data-pagefind-ignore": "all"}))


def _depart_copied(self: Any, node: copied_text) -> None:
    self.body.append("</div>\n")


def _visit_details(self: Any, node: details) -> None:
    # text copied from other pages is not indexed for search here (Pagefind)
    extra = {"data-pagefind-ignore": "all"} if COPIED in node["classes"] else {}
    self.body.append(self.starttag(node, "details", "", **extra))


def _depart_details(self: Any, node: details) -> None:
    self.body.append("</details>\n")


def _visit_summary(self: Any, node: details_summary) -> None:
    self.body.append(self.starttag(node, "summary", ""))


def _depart_summary(self: Any, node: details_summary) -> None:
    self.body.append("</summary>\n")


def _visit_nav(self: Any, node: nav_region) -> None:
    self.body.append(self.starttag(node, "nav", "", **{"aria-label": node["label"]}))


def _depart_nav(self: Any, node: nav_region) -> None:
    self.body.append("</nav>\n")


def _visit_scroll(self: Any, node: scroll_region) -> None:
    self.body.append(self.starttag(node, "div", "", tabindex="0", role="region",
                                   **{"aria-label": node["label"]}))


def _depart_scroll(self: Any, node: scroll_region) -> None:
    self.body.append("</div>\n")


def _visit_id(self: Any, node: need_id_text) -> None:
    parts = [html.escape(p) for p in node.astext().split("_")]
    self.body.append(self.starttag(node, "span", "") + "_<wbr>".join(parts) + "</span>")
    raise nodes.SkipNode


def scroll_wrap(node: nodes.Node, label: str) -> scroll_region:
    region = scroll_region(classes=["council-scroll-region"])
    region["label"] = label
    region += node
    return region


# ------------------------------------------------------------ HTML forms


def _details(container: nodes.container) -> details:
    node = details(classes=[c for c in container["classes"] if c != DETAILS])
    node["ids"] = list(container["ids"])
    children = list(container.children)
    if children and isinstance(children[0], nodes.paragraph) and DETAILS_SUMMARY in children[0]["classes"]:
        head = children.pop(0)
        summary = details_summary("", "", *head.children, classes=["council-details-summary"])
        suffix = SUMMARY_SUFFIX.get(head.astext())
        if suffix:
            summary += nodes.inline("", suffix, classes=["council-visually-hidden"])
    else:
        summary = details_summary("", "詳細を表示")
    node += summary
    node.extend(children)
    return node


def admonition_title(node: nodes.Element) -> str:
    title = node.next_node(nodes.title)
    return title.astext() if title is not None else "注記"


def admonition_details(node: nodes.Element, ids: list[str]) -> details:
    """An editorial note as a toggle titled by its own title."""
    title = admonition_title(node)
    estimate = "warning" in node["classes"]
    kept = [c for c in node.children if not isinstance(c, nodes.title)]
    summary = details_summary("", title, classes=["council-details-summary"])
    box = details(classes=["council-note", *(["council-note-estimate"] if estimate else [])])
    box["ids"] = ids or list(node["ids"])
    box += summary
    box.extend(kept)
    return box


#: The nodes :func:`html_forms` changes, found in one walk of the page.
_FORM_NODES = any_of(nodes.container, nodes.reference, nodes.literal)


def html_forms(document: nodes.document) -> None:
    """The neutral nodes of *document* in their HTML forms: toggles, text the
    search skips, IDs that break after underscores.

    One walk finds the three kinds on every page (three walks were 1.8 % of the
    page-writing workers' CPU time at N = 1,000). The toggles are made first:
    they keep the nodes they hold (:func:`_details`), so the links and literals
    found before are those a walk after them would find; a literal inside a need
    ID's link is left out of the page with the link's text either way."""
    containers: list[nodes.container] = []
    refs: list[nodes.reference] = []
    literals: list[nodes.literal] = []
    for node in document.findall(_FORM_NODES):
        if isinstance(node, nodes.container):
            containers.append(node)
        elif isinstance(node, nodes.reference):
            refs.append(node)
        else:
            literals.append(node)
    for container in containers:
        if DETAILS in container["classes"] and container.parent is not None:
            container.replace_self(_details(container))
        elif COPIED in container["classes"] and container.parent is not None:
            copied = copied_text(classes=container["classes"])
            copied.extend(container.children)
            container.replace_self(copied)
    for ref in refs:
        if NEED_ID in ref["classes"]:
            text = ref.astext()
            ref.children = []
            ref += need_id_text(text, text)
    for literal in literals:
        text = literal.astext()
        if NEED_ID_PATTERN.match(text):
            literal.children = []
            literal += need_id_text(text, text)


def setup_elements(app: Sphinx) -> None:
    app.add_node(details, html=(_visit_details, _depart_details))
    app.add_node(details_summary, html=(_visit_summary, _depart_summary))
    app.add_node(nav_region, html=(_visit_nav, _depart_nav))
    app.add_node(scroll_region, html=(_visit_scroll, _depart_scroll))
    app.add_node(need_id_text, html=(_visit_id, None))
    app.add_node(copied_text, html=(_visit_copied, _depart_copied))

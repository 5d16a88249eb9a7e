"""The neutral parts a rendered need is made of, for every builder.

The need rendering (:mod:`council.html.render`) and the case page build their
output from plain docutils nodes that every builder can render: summary lists,
headings that are not sections, status tags and collapsed parts. A collapsed
part is a ``container`` with the class :data:`DETAILS` whose first child (class
:data:`DETAILS_SUMMARY`) is its summary line; :mod:`council.html.elements` turns
it into ``<details>`` for HTML only, so LaTeX prints it open. The class names
here are that contract between the stages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from docutils import nodes

#: Classes of the neutral nodes that the HTML transform specialises.
DETAILS = "council-details"
DETAILS_SUMMARY = "council-details-summary"
NEED_ID = "council-need-id"
#: Text copied from other pages (link lists, linked texts): left out of the search index.
COPIED = "council-copied"

#: Tags shown on a measure or link, only where they apply.
TAG_ESTIMATED = "推定"
TAG_UNCONFIRMED = "未確認"
TAG_SUSPECT = "要再確認"
_TAG_KEYS = {TAG_ESTIMATED: "estimated", TAG_UNCONFIRMED: "unconfirmed", TAG_SUSPECT: "suspect"}


def element(cls: type[nodes.Element], children: list[nodes.Node] | None = None,
            classes: list[str] | None = None) -> Any:
    """``cls("", "", *children, classes=classes)`` for a new subtree, twice as fast.

    The children are adopted without :meth:`~docutils.nodes.Element.setup_child`,
    which climbs the parents to look for the document the node belongs to: a
    subtree being built belongs to none, so it would only set the parent."""
    node = cls()
    if classes:
        node["classes"] = list(classes)
    if children:
        node.children = list(children)
        for child in node.children:
            child.parent = node
    return node


def heading(text: str, level: int) -> nodes.rubric:
    """A heading that is not a section (so the page's table of contents stays as written)."""
    node = element(nodes.rubric, [nodes.Text(text)], ["council-heading"])
    node["heading-level"] = level
    return node


def summary_list(rows: Iterable[tuple[str, list[nodes.Node] | str]],
                 classes: list[str] | None = None) -> nodes.definition_list:
    """A GOV.UK-style summary list: key, value, one row each (empty values left out)."""
    items = []
    for label, value in rows:
        if not value:
            continue
        if isinstance(value, str):
            value = [element(nodes.paragraph, [nodes.Text(value)])]
        items.append(element(nodes.definition_list_item, [
            element(nodes.term, [nodes.Text(label)]),
            element(nodes.definition, value),
        ]))
    return element(nodes.definition_list, items, ["council-summary-list", *(classes or [])])


def details(summary: str, body: list[nodes.Node], classes: list[str] | None = None) -> nodes.container:
    """A collapsed part: its summary line, then *body*."""
    head = element(nodes.paragraph, [nodes.Text(summary)], [DETAILS_SUMMARY])
    return element(nodes.container, [head, *body], [DETAILS, *(classes or [])])


def tag(label: str) -> nodes.inline:
    """A status tag: the word itself (not a colour)."""
    return element(nodes.inline, [nodes.Text(f"［{label}］")], ["council-tag", f"council-tag-{_TAG_KEYS[label]}"])


def tags_line(tags: list[nodes.Node]) -> list[nodes.Node]:
    """The paragraph of a measure's tags, or nothing when none applies."""
    return [element(nodes.paragraph, tags, ["council-tags"])] if tags else []

"""Placeholders left by directives, replaced when the page is written.

A directive whose content depends on every need of the project (a matrix, a
case list, the suspect links) can only leave a placeholder node at read time.
:class:`PlaceholderResolver` is the post-transform that finds the placeholders
of its classes on a page and replaces each with the content it stands for.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform


class PlaceholderResolver(SphinxPostTransform):
    """Replaces every node of :attr:`placeholders` on the page with :meth:`content`.

    Placeholders are visited class by class, each class in document order;
    :meth:`context` is computed once per page, and only when a placeholder is found.
    """

    placeholders: tuple[type[nodes.Element], ...] = ()

    def run(self, **kwargs: Any) -> None:
        if not self.wanted():
            return
        found = [node for cls in self.placeholders for node in self.document.findall(cls)]
        if not found:
            return
        context = self.context()
        for serial, node in enumerate(found, start=1):
            node.replace_self(self.content(node, serial, context))

    def wanted(self) -> bool:
        """Whether the page can hold placeholders at all (saves walking the others)."""
        return True

    def context(self) -> Any:
        """What every placeholder of the page is made from (the needs, usually)."""
        return None

    def content(self, node: nodes.Element, serial: int, context: Any) -> list[nodes.Node] | nodes.Node:
        """The nodes that replace *node*, the *serial*-th placeholder of the page."""
        raise NotImplementedError

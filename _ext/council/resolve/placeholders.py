"""Placeholders left by directives, replaced when the page is written.

A directive whose content depends on every need of the project (a matrix, a
case list, the suspect links) can only leave a placeholder node at read time.
:class:`PlaceholderResolver` is the post-transform that finds the placeholders
of its classes on a page and replaces each with the content it stands for.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform


class PlaceholderResolver(SphinxPostTransform):
    """Replaces every node of :attr:`placeholders` on the page with :meth:`content`.

    Placeholders are visited class by class, each class in document order;
    :meth:`context` is computed once per page, and only when a placeholder is found.
    """

    placeholders: tuple[type[nodes.Element], ...] = ()
    #: The page metadata key its directives set (:func:`mark_page`); a page
    #: without it holds no placeholder and is not walked. Empty: every page is.
    page_mark: str = ""

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
        return not self.page_mark or page_marked(self.app, self.page_mark)

    def context(self) -> Any:
        """What every placeholder of the page is made from (the needs, usually)."""
        return None

    def content(self, node: nodes.Element, serial: int, context: Any) -> list[nodes.Node] | nodes.Node:
        """The nodes that replace *node*, the *serial*-th placeholder of the page."""
        raise NotImplementedError


def mark_page(env: BuildEnvironment, key: str) -> None:
    """Record in the metadata of the page being read that it holds a placeholder of
    the kind *key* (Sphinx forgets it when the page is read again; the front matter
    cannot set it: the content profile allows a few other keys only)."""
    env.metadata[env.docname][key] = True


def marked_pages(env: BuildEnvironment, key: str) -> list[str]:
    """Every page marked *key* (:func:`mark_page`), sorted: for a step that rewrites them all."""
    return sorted(doc for doc, meta in env.metadata.items() if meta.get(key))


def page_marked(app: Sphinx, key: str) -> bool:
    """Whether the page being written may hold a placeholder of the kind *key*: it
    was marked when it was read, or the builder joins pages into one tree (LaTeX,
    a single HTML page: the tree written holds the pages of a whole volume)."""
    if hasattr(app.builder, "assemble_doctree"):
        return True
    return bool(app.env.metadata.get(app.env.docname, {}).get(key))

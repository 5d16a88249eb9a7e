"""A fix to docutils 0.22.4 for large pages: a tree walked with one loop, not a generator per node.

``Node.findall`` walks a document's tree in document order: every transform,
post-transform and ``doctree-resolved`` handler that looks for its nodes walks
the whole page. docutils makes a generator for each node it visits and hands
each node up through one ``yield from`` per level of the tree; for a condition
that is a function (not a class), each level also calls ``findall`` again with
its keywords. The site's pages are large (a case page holds its measures and
three tables of its trace), and each is walked some twenty times while it is
written: at N = 1,000, 50 s of the 235 s the workers spent writing pages were
these walks, 12 s of them sphinx-needs' walk with a condition function
(``docs/performance.md``).

:func:`findall` walks the same nodes in the same order with one loop over a
stack of the children lists' iterators, for the usual call (the node itself
and its descendants: ``include_self``, ``descend``, neither ``siblings`` nor
``ascend``); other calls go to the original. Like the original it is lazy and
reads each node's ``children`` list as it goes, so a caller that changes the
tree while walking it (replacing the node it was given, adding or removing
children further on) meets the same nodes as before:
``tests/compat/test_compat.py`` compares both on such walks.
Patch: ``docutils-0.22.4-findall.diff``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from docutils import nodes

from council.compat import Workaround

PATCHED_VERSION = "0.22.4"

_original_findall = nodes.Node.findall


def any_of(*classes: type[nodes.Node]) -> Callable[[nodes.Node], bool]:
    """A ``findall`` condition: the nodes of any of *classes*. Every ``findall``
    takes it (a function); this one's walk checks the classes itself, one
    ``isinstance`` per node, not a call of a Python function per node."""

    def condition(node: nodes.Node) -> bool:
        return isinstance(node, classes)

    condition.council_classes = classes  # type: ignore[attr-defined]
    return condition


def findall(self: nodes.Node, condition: Any = None, include_self: bool = True, descend: bool = True,
            siblings: bool = False, ascend: bool = False) -> Iterator[nodes.Node]:
    """As the original (the same nodes in the same order), walked with one loop."""
    if include_self and descend and not siblings and not ascend:
        classes = getattr(condition, "council_classes", None)
        if classes is not None:
            return _walk_classes(self, classes)
        if type(condition) is type:  # a plain class: type.__instancecheck__ is isinstance()'s check
            condition = condition.__instancecheck__
        elif isinstance(condition, type):  # a class of another metaclass
            cls = condition
            condition = lambda node: isinstance(node, cls)  # noqa: E731
        return _walk(self, condition)
    return _original_findall(self, condition, include_self, descend, siblings, ascend)


def _walk(node: nodes.Node, check: Callable[[nodes.Node], Any] | None) -> Iterator[nodes.Node]:
    """*node* and its descendants in document order, those for which *check* holds (all
    without one), reading each node's children as the walk reaches them."""
    if check is None or check(node):
        yield node
    stack = [iter(node.children)]
    push, pop = stack.append, stack.pop
    while stack:
        for child in stack[-1]:
            if check is None or check(child):
                yield child
            if child.children:
                push(iter(child.children))
                break
        else:
            pop()


def _walk_classes(node: nodes.Node, classes: tuple[type[nodes.Node], ...]) -> Iterator[nodes.Node]:
    """:func:`_walk` for the nodes of *classes* (the condition of :func:`any_of`).

    The same loop as :func:`_walk`, with the check written in it: a loop shared
    by both would call a function for each node, the cost this one saves."""
    if isinstance(node, classes):
        yield node
    stack = [iter(node.children)]
    push, pop = stack.append, stack.pop
    while stack:
        for child in stack[-1]:
            if isinstance(child, classes):
                yield child
            if child.children:
                push(iter(child.children))
                break
        else:
            pop()


def _install() -> None:
    nodes.Node.findall = findall  # type: ignore[method-assign]


def _remove() -> None:
    nodes.Node.findall = _original_findall  # type: ignore[method-assign]


WORKAROUNDS = [
    Workaround(
        "docutils-findall", "docutils", PATCHED_VERSION,
        "a tree walked with one loop over a stack, not a generator per node and level",
        _install, _remove,
        patch="docutils-0.22.4-findall.diff",
    ),
]

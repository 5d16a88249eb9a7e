"""Join source line breaks inside Japanese sentences.

A line break inside a Markdown paragraph becomes a space in HTML and LaTeX,
which is right between English words but shows as a stray gap between
Japanese characters. This transform drops such a break when the character on
either side of it is Japanese (CJK, kana or full-width punctuation).
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

_CJK = r"\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_BREAK = re.compile(rf"[ \t]*\n[ \t]*(?=[{_CJK}])|(?<=[{_CJK}])[ \t]*\n[ \t]*")

#: Text in these stays exactly as written.
_VERBATIM = (nodes.FixedTextElement, nodes.literal, nodes.raw, nodes.comment, nodes.math)


def join_cjk_lines(text: str) -> str:
    """Remove line breaks adjacent to a Japanese character."""
    return _BREAK.sub("", text)


def _edge(node: nodes.Node, last: bool) -> str:
    """The last (or first) character of *node*'s text, unless it is a space."""
    text = node.astext()
    char = text[-1:] if last else text[:1]
    return "" if not char or char.isspace() else char


class JoinCJKLines(SphinxTransform):
    """MyST makes each soft line break a text node of its own (``"\n"``), so
    the characters around a break are read from the neighbouring nodes."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        for node in list(self.document.findall(nodes.Text)):
            parent = node.parent
            if parent is None or "\n" not in node or isinstance(parent, _VERBATIM):
                continue
            index = next((i for i, child in enumerate(parent.children) if child is node), None)
            if index is None:
                continue
            before = _edge(parent[index - 1], last=True) if index > 0 else ""
            after = _edge(parent[index + 1], last=False) if index + 1 < len(parent) else ""
            text = str(node)
            joined = join_cjk_lines(before + text + after)
            # only spaces and line breaks are removed, so the context characters remain
            joined = joined[len(before): len(joined) - len(after)]
            if joined != text:
                parent[index] = nodes.Text(joined)


def setup_cjk(app: Sphinx) -> None:
    app.add_transform(JoinCJKLines)

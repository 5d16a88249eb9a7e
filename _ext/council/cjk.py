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


class JoinCJKLines(SphinxTransform):
    default_priority = 400

    def apply(self, **kwargs) -> None:
        for node in list(self.document.findall(nodes.Text)):
            if "\n" not in node or isinstance(node.parent, _VERBATIM):
                continue
            joined = join_cjk_lines(str(node))
            if joined != str(node):
                node.parent.replace(node, nodes.Text(joined))


def setup_cjk(app: Sphinx) -> None:
    app.add_transform(JoinCJKLines)

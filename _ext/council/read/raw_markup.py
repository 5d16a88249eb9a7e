"""No script injection: raw HTML in content pages is refused and removed.

MyST turns HTML blocks and inline HTML into ``nodes.raw`` with format
``html``, as do the ``{raw}`` directive and ``.. raw::`` inside ``{eval-rst}``.
Every such node is reported as ``council.raw_html`` at its file and line (so
``-W`` fails the build) and removed from the doctree, so that even a build
that does not treat warnings as errors never writes the markup unescaped.
Raw LaTeX is refused likewise: it would reach the PDF unchecked.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Raw output formats that content pages may not carry.
REFUSED_FORMATS = frozenset({"html", "latex"})


def refused_format(node: nodes.raw) -> str | None:
    """The refused format of a raw node, or None when it is harmless."""
    formats = set(node.get("format", "").lower().split())
    hit = sorted(formats & REFUSED_FORMATS)
    return hit[0] if hit else None


def _excerpt(text: str, limit: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class RefuseRawMarkup(SphinxTransform):
    """Report and drop raw HTML/LaTeX nodes right after parsing."""

    # Early: before sphinx-needs and any other transform copy content around.
    default_priority = 100

    def apply(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.raw)):
            fmt = refused_format(node)
            if fmt is None:
                continue
            what = "HTML" if fmt == "html" else "LaTeX"
            logger.warning(
                f"生の {what}（{_excerpt(node.astext())}）は掲載できません。"
                "Markdown の書式で書いてください",
                type="council",
                subtype="raw_html",
                location=node,
            )
            node.parent.remove(node)


def setup_safety(app: Sphinx) -> None:
    app.add_transform(RefuseRawMarkup)

"""A fix to Sphinx 9.0.4 for large sites: an SVG without links is not parsed to mend its links.

``sphinx.ext.graphviz`` writes each graph it renders as SVG and then parses the
file (:func:`~sphinx.ext.graphviz.fix_svg_relative_paths`) to make the relative
links of its ``<a>`` and ``<image>`` elements relative to the image directory. A
graph with no link has nothing to mend, but is parsed all the same: each case
page's trace graph is a 200 KB SVG without links, and at N = 1,000 the parsing
took 8 s of the 235 s the workers spent writing pages (``docs/performance.md``).

:func:`fix_svg_relative_paths` leaves a file in which ``href`` does not occur
as it is (an element the original changes carries an ``xlink:href`` attribute,
whatever its prefix is called); any other file goes to the original.
Patch: ``sphinx-9.0.4-svg-links.diff``.
"""

from __future__ import annotations

import os
from typing import Any

import sphinx.ext.graphviz

from council.compat import Workaround

PATCHED_VERSION = "9.0.4"

_original_fix_svg_relative_paths = sphinx.ext.graphviz.fix_svg_relative_paths


def fix_svg_relative_paths(self: Any, filepath: str | os.PathLike[str]) -> None:
    """As the original, without parsing a file that has no link."""
    with open(filepath, "rb") as svg:
        if b"href" not in svg.read():
            return
    _original_fix_svg_relative_paths(self, filepath)


def _install() -> None:
    sphinx.ext.graphviz.fix_svg_relative_paths = fix_svg_relative_paths


def _remove() -> None:
    sphinx.ext.graphviz.fix_svg_relative_paths = _original_fix_svg_relative_paths


WORKAROUNDS = [
    Workaround(
        "sphinx-graphviz-svg-links", "sphinx", PATCHED_VERSION,
        "a graph's SVG without links is not parsed to mend its relative links",
        _install, _remove,
        patch="sphinx-9.0.4-svg-links.diff",
    ),
]

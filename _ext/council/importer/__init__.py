"""Importer: from a council document (extracted text) to a traced case page.

Parsing and rendering are pure functions (``parse_document``, ``render_page``);
``cli.main`` is the ``council-import`` command that ties them to files.
"""

from .document import Cleanup, Clause, Document, DocumentError, Safeguard, SpecialTerms, Work
from .parse import parse_document
from .render import render_page

__all__ = [
    "Cleanup",
    "Clause",
    "Document",
    "DocumentError",
    "Safeguard",
    "SpecialTerms",
    "Work",
    "parse_document",
    "render_page",
]

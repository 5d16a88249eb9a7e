"""Importer: from a council document (extracted text) to a traced case page.

Parsing and rendering are pure functions (``parse_document``, ``render_page``);
``cli.main`` is the ``council-import`` command that ties them to files.
"""

from council_import.document import Cleanup, Clause, Document, DocumentError, Safeguard, SpecialTerms, Work
from council_import.parse import parse_document
from council_import.render import render_page

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

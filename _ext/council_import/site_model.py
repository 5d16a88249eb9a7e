"""The content model of the site the importer writes pages for.

The importer is a tool of this site: the need types, the councils and
procedures, the work types and their required fields and the link types are
read from the site's ``ubproject.toml`` through :mod:`council.model`, never
spelled here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from council.model.content_model import ContentModel, load_model

#: The site this package belongs to (``_ext/council_import/`` is inside it).
SITE = Path(__file__).resolve().parents[2]


@cache
def site_model() -> ContentModel:
    """The site's content model, read once."""
    return load_model(SITE / "ubproject.toml")

"""Whether a fact shown on a page is the source's or the site's own reading.

Readers see 推定 / 未確認 tags and one line pointing to the site's estimates.
The enumerations behind them are declared in the content model: the first
value of ``grouping`` (原典) and of ``trace`` (確認済) is the source's own or a
confirmed reading; any later declared value (推定, 提案) is the site's. The
code asks the model for the values instead of spelling them.
"""

from __future__ import annotations

from typing import Any

from council.model.content_model import ContentModel


def _site_reading(model: ContentModel, need: Any, field: str) -> bool:
    value = need.get(field)
    return bool(value) and value in model.field_values(field)[1:]


def grouping_estimated(model: ContentModel, need: Any) -> bool:
    """The measure's actor × aspect is the site's estimate, not the source's grouping."""
    return _site_reading(model, need, "grouping")


def trace_unconfirmed(model: ContentModel, need: Any) -> bool:
    """The measure's links were proposed on import and are not confirmed yet."""
    return _site_reading(model, need, "trace")


def flagged(need: Any, field: str) -> bool:
    """A boolean field such as ``terms_assumed`` (front matter may give it as text)."""
    return need.get(field) in (True, "true", "True")

"""Need layouts with Japanese labels, generated from the field declarations.

Sphinx-needs' default layout prints field names (``actor: 区``); readers need
the labels declared once as each field's ``description`` in ubproject.toml.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config

from .model import model_for

LAYOUT_NAME = "council"

# Fields that are shown elsewhere (the head line) or are internal.
_HIDDEN = {"grouping", "trace", "terms_assumed"}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def build_layout(field_labels: dict[str, str]) -> dict:
    meta = [
        f'<<meta("{name}", prefix="{_escape(label)}: ")>>'
        for name, label in field_labels.items()
        if name not in _HIDDEN
    ]
    meta.append("<<meta_links_all()>>")
    return {
        "grid": "simple",
        "layout": {
            "head": ['<<meta("type_name")>>: **<<meta("title")>>** <<meta_id()>>'],
            "meta": meta,
        },
    }


def _configure(app: Sphinx, config: Config) -> None:
    model = model_for(app)
    layouts = dict(getattr(config, "needs_layouts", {}) or {})
    layouts[LAYOUT_NAME] = build_layout(model.field_labels)
    config.needs_layouts = layouts
    config.needs_default_layout = LAYOUT_NAME


def setup_layouts(app: Sphinx) -> None:
    # After sphinx-needs has read ubproject.toml (priority 10), before it
    # compiles layouts (priority 550).
    app.connect("config-inited", _configure, priority=20)

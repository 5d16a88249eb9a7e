"""Need layouts with Japanese labels, generated from the field declarations.

Sphinx-needs' default layout prints field names (``actor: 区``); readers need
the labels declared once as each field's ``description`` in ubproject.toml.
Each need type gets a layout of its own fields only: a layout function is
evaluated for every need, so one layout listing every field of every type
cost a fifth of a large build.
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.config import Config

from council.model.content_model import model_for

LAYOUT_NAME = "council"

# Internal fields: the proposal state is shown by the importer's notice, and
# an assumed edition by its terms_note and the page's warning; the fingerprints
# of a confirmed trace by the 要再確認 tag when they no longer match; an
# inferred 資料番号 by the page's note (the case summary marks it as well).
_HIDDEN = {"trace", "terms_assumed", "confirmed_against", "material_inferred"}


def _escape(text: str) -> str:
    """*text* as a literal in a layout function call, shown as written: the
    layout reads the argument as reStructuredText."""
    rst = re.sub(r"([\\*`|_\[\]])", r"\\\1", text)
    return rst.replace("\\", "\\\\").replace('"', '\\"')


def shown_fields(field_labels: dict[str, str]) -> list[tuple[str, str]]:
    """The (name, label prefix) of each field a layout shows, in order."""
    return [(name, f"{label}: ") for name, label in field_labels.items() if name not in _HIDDEN]


def build_layout(field_labels: dict[str, str]) -> dict:
    """A layout showing *field_labels* (name to label), then every link."""
    meta = [
        f'<<meta("{name}", prefix="{_escape(label)}")>>'
        for name, label in shown_fields(field_labels)
    ]
    meta.append("<<meta_links_all()>>")
    return {
        "grid": "simple",
        "layout": {
            "head": ['<<meta("type_name")>>: **<<meta("title")>>** <<meta_id()>>'],
            "meta": meta,
        },
    }


def layout_labels(app: Sphinx) -> dict[str, dict[str, str]]:
    """Each council layout's name and the fields (name to label) it shows."""
    model = model_for(app)
    # The fallback for a type the model does not list: every field.
    labels = {LAYOUT_NAME: dict(model.field_labels)}
    for need_type in model.type_titles:
        labels[f"{LAYOUT_NAME}_{need_type}"] = {
            f: model.field_label(f) for f in model.type_fields(need_type)
        }
    return labels


def layout_fields(app: Sphinx) -> dict[str, list[tuple[str, str]]]:
    """Each council layout's name and its shown fields, as :func:`shown_fields`."""
    return {name: shown_fields(labels) for name, labels in layout_labels(app).items()}


def _configure(app: Sphinx, config: Config) -> None:
    layouts = dict(getattr(config, "needs_layouts", {}) or {})
    predicates = []
    for name, labels in layout_labels(app).items():
        layouts[name] = build_layout(labels)
        if name != LAYOUT_NAME:
            need_type = name.removeprefix(f"{LAYOUT_NAME}_")
            predicates.append((f"type == '{need_type}'", name))
    config.needs_layouts = layouts
    config.needs_default_layout = LAYOUT_NAME
    fields = dict(getattr(config, "needs_fields", {}) or {})
    fields["layout"] = {**fields.get("layout", {}), "predicates": predicates}
    config.needs_fields = fields


def setup_layouts(app: Sphinx) -> None:
    # After sphinx-needs has read ubproject.toml (priority 10), before it
    # compiles layouts (priority 550).
    app.connect("config-inited", _configure, priority=20)

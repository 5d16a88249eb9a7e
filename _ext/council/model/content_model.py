"""The content model as declared in ``ubproject.toml``.

Sphinx-needs reads the ``[needs]`` table itself; this module gives the rest of
the extension (and the tests) the same declarations as plain Python data.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

@dataclass(frozen=True)
class Roles:
    """The need types by their part in the domain (``[council.roles]``)."""

    case: str = ""
    works: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    exemptions: tuple[str, ...] = ()
    checkitem: str = ""
    edition: str = ""
    clause: str = ""

    @property
    def work_children(self) -> tuple[str, ...]:
        """What a work item holds: its measures and its exemptions."""
        return (*self.measures, *self.exemptions)


@dataclass(frozen=True)
class ContentModel:
    """Need types, field schemas and the project's own rules."""

    type_titles: dict[str, str]
    field_schemas: dict[str, dict[str, Any]]
    field_labels: dict[str, str]
    link_labels: dict[str, tuple[str, str]]
    link_targets: dict[tuple[str, str], tuple[str, ...]]
    id_schemes: dict[str, str]
    required_fields: dict[str, tuple[str, ...]]
    required_links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    optional_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Fill colour of each need type (graphs, legends).
    type_colors: dict[str, str] = field(default_factory=dict)
    #: ``[council.roles]``: what each need type is in the domain.
    roles: Roles = field(default_factory=lambda: Roles())

    def type_fields(self, need_type: str) -> list[str]:
        """The fields of a need type, in declaration order."""
        own = {*self.required_fields.get(need_type, ()), *self.optional_fields.get(need_type, ())}
        return [name for name in self.field_labels if name in own]

    def type_title(self, need_type: str) -> str:
        return self.type_titles.get(need_type, need_type)

    def field_label(self, name: str) -> str:
        return self.field_labels.get(name, name)

    def field_values(self, name: str) -> tuple[str, ...]:
        """The allowed values of an enumerated field (or of its items), in declared order."""
        schema = self.field_schemas.get(name, {})
        return tuple(schema.get("enum") or schema.get("items", {}).get("enum") or ())

    def links_of(self, need_type: str) -> tuple[str, ...]:
        """The link types a need type declares, in declaration order."""
        return tuple(link for kind, link in self.link_targets if kind == need_type)

    def type_color(self, need_type: str) -> str:
        return self.type_colors.get(need_type, "#FFFFFF")


def load_model(path: Path) -> ContentModel:
    """Read the content model from a ``ubproject.toml`` file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    needs = data.get("needs", {})
    rules = data.get("council", {})
    types = needs.get("types", {})
    fields = needs.get("fields", {})
    links = needs.get("links", {})
    link_targets: dict[tuple[str, str], tuple[str, ...]] = {}
    for type_name, type_decl in types.items():
        for link_name, link_decl in type_decl.get("links", {}).items():
            if "target_types" in link_decl:
                link_targets[(type_name, link_name)] = tuple(link_decl["target_types"])
    role_decl = rules.get("roles", {})
    roles = Roles(**{
        name: tuple(value) if isinstance(value, list) else value
        for name, value in role_decl.items()
    })
    return ContentModel(
        type_titles={name: decl.get("title", name) for name, decl in types.items()},
        type_colors={name: decl["color"] for name, decl in types.items() if "color" in decl},
        roles=roles,
        field_schemas={name: decl.get("schema", {}) for name, decl in fields.items()},
        field_labels={name: decl.get("description", name) for name, decl in fields.items()},
        link_labels={
            name: (decl.get("outgoing", name), decl.get("incoming", name))
            for name, decl in links.items()
        },
        link_targets=link_targets,
        id_schemes=dict(rules.get("id_schemes", {})),
        required_fields={k: tuple(v) for k, v in rules.get("required_fields", {}).items()},
        required_links={k: tuple(v) for k, v in rules.get("required_links", {}).items()},
        optional_fields={k: tuple(v) for k, v in rules.get("optional_fields", {}).items()},
    )


@cache
def _cached_model(path: Path, mtime: float) -> ContentModel:
    return load_model(path)


def model_for(app: Any) -> ContentModel:
    """The content model of a Sphinx application (its ``needs_from_toml`` file)."""
    path = Path(app.confdir, app.config.needs_from_toml or "ubproject.toml").resolve()
    return _cached_model(path, path.stat().st_mtime)


#: The project's own declaration, beside the ``_ext`` folder of this package.
PROJECT_TOML = Path(__file__).resolve().parents[3] / "ubproject.toml"


def project_model() -> ContentModel:
    """The content model of this project, for code that runs without a Sphinx
    application (views over ``needs.json``, hand-made needs in tests)."""
    return _cached_model(PROJECT_TOML, PROJECT_TOML.stat().st_mtime)

"""The needs of one build, indexed once: by type, by parent, and by their role in
the content model.

The views (:mod:`council.views`) are pure functions over the needs (a mapping
``id -> need`` as sphinx-needs holds it, or as ``needs.json`` stores it). A
build indexes its needs once (:func:`need_index`) and passes the index in place
of the mapping; a plain mapping passed instead is indexed on each call.

Only outgoing links are read (``part_of``, ``satisfies``, ``binds``,
``waives``, ``terms``, ``revises``): back-links are derived here, so the views
work on hand-made need dicts as well.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from council.model.content_model import ContentModel, Roles, model_for, project_model

Needs = Mapping[str, Mapping[str, Any]]


def links(need: Mapping[str, Any], name: str) -> list[str]:
    """The targets of one link of a need (a list, whatever the stored shape)."""
    value = need.get(name) or []
    return [value] if isinstance(value, str) else list(value)


def number(need: Mapping[str, Any]) -> int:
    """The need's number in its source (0 when it has none)."""
    try:
        return int(need.get("number") or 0)
    except (TypeError, ValueError):
        return 0


class NeedIndex(Mapping[str, Mapping[str, Any]]):
    """The needs of one build with their grouping by type and by parent.

    Built once per build (:func:`need_index`) and passed to the views in place
    of the needs mapping. An index is a snapshot: a need added to the mapping
    later is not in it (the module-level caches this replaces returned stale
    children in that case).
    """

    def __init__(self, needs: Needs, model: ContentModel | None = None) -> None:
        self._needs = needs
        self.model = model or project_model()
        self.by_type: dict[str, list[Mapping[str, Any]]] = {}
        self.children: dict[str, list[Mapping[str, Any]]] = {}
        for need in needs.values():
            self.by_type.setdefault(need.get("type"), []).append(need)
            for parent in links(need, "part_of"):
                self.children.setdefault(parent, []).append(need)
        for kids in self.children.values():
            kids.sort(key=lambda n: n["id"])
        self._memo: dict[Any, Any] = {}

    @property
    def roles(self) -> Roles:
        """The need types by their part in the domain."""
        return self.model.roles

    def memo(self, key: Any, compute):
        """``compute()`` once per index: what it derives cannot change, the index being a snapshot."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def __getitem__(self, key: str) -> Mapping[str, Any]:
        return self._needs[key]

    def __iter__(self):
        return iter(self._needs)

    def __len__(self) -> int:
        return len(self._needs)


def index(needs: Needs) -> NeedIndex:
    """*needs* as a :class:`NeedIndex` (itself when it is one)."""
    return needs if isinstance(needs, NeedIndex) else NeedIndex(needs)


def indexed(fn):
    """Index a plain needs mapping once for the whole call of *fn* (not per helper)."""
    @functools.wraps(fn)
    def wrapper(needs: Needs, *args: Any, **kwargs: Any) -> Any:
        return fn(index(needs), *args, **kwargs)
    return wrapper


#: Attribute of the Sphinx application holding the index of the current build.
INDEX_ATTR = "_council_need_index"


def need_index(app: Any) -> NeedIndex:
    """The needs of this build, indexed once (reset when the environment is updated)."""
    cached = getattr(app, INDEX_ATTR, None)
    if cached is None:
        from sphinx_needs.data import SphinxNeedsData

        cached = NeedIndex(SphinxNeedsData(app.env).get_needs_view(), model_for(app))
        setattr(app, INDEX_ATTR, cached)
    return cached


def reset_need_index(app: Any, env: Any = None) -> list[str]:
    """Forget the index when the environment changes (``env-updated``): never a stale one."""
    setattr(app, INDEX_ATTR, None)
    return []


def setup_need_index(app: Any) -> None:
    app.connect("env-updated", reset_need_index)


# ------------------------------------------------------ queries by role


def of_type(needs: Needs, need_type: str) -> list[Mapping[str, Any]]:
    """The needs of one type."""
    return list(index(needs).by_type.get(need_type, []))


def of_types(needs: Needs, types: Iterable[str]) -> list[Mapping[str, Any]]:
    """The needs of several types, type by type."""
    return [n for t in types for n in of_type(needs, t)]


def children(needs: Needs, parent_id: str, types: Iterable[str]) -> list[Mapping[str, Any]]:
    """The needs of *types* that are ``part_of`` *parent_id*, by ID."""
    wanted = set(types)
    return [n for n in index(needs).children.get(parent_id, []) if n.get("type") in wanted]


def fiscal_year(case: Mapping[str, Any]) -> int | None:
    try:
        return int(case.get("fiscal_year"))
    except (TypeError, ValueError):
        return None


def cases(needs: Needs) -> list[Mapping[str, Any]]:
    """Cases, oldest first (fiscal year, then ID)."""
    needs = index(needs)
    return sorted(of_type(needs, needs.roles.case), key=lambda n: (fiscal_year(n) or 0, n["id"]))


def works(needs: Needs, case_id: str) -> list[Mapping[str, Any]]:
    """The work items (entrustments, developments) of a case."""
    needs = index(needs)
    return children(needs, case_id, needs.roles.works)


def measures(needs: Needs, work_id: str) -> list[Mapping[str, Any]]:
    """The measures (safeguards) of a work item."""
    needs = index(needs)
    return children(needs, work_id, needs.roles.measures)


def work_children(needs: Needs, work_id: str) -> list[Mapping[str, Any]]:
    """The measures and the exemptions of a work item, by ID."""
    needs = index(needs)
    return children(needs, work_id, needs.roles.work_children)


def checkitems(needs: Needs) -> list[Mapping[str, Any]]:
    """Checklist items in checklist order: the actors, then the aspects, in the
    order the model declares them (区 before 受託者, 運用 before システム)."""
    needs = index(needs)
    model = needs.model
    order = {
        (actor, aspect): i * len(model.field_values("aspect")) + j
        for i, actor in enumerate(model.field_values("actor"))
        for j, aspect in enumerate(model.field_values("aspect"))
    }
    return sorted(
        of_type(needs, needs.roles.checkitem),
        key=lambda n: (order.get((n.get("actor"), n.get("aspect")), len(order)), number(n), n["id"]),
    )

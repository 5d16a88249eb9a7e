"""Plain records of the cases, derived from the needs, for index pages and search.

Pure functions over need mappings (as in ``needs.json`` or sphinx-needs'
needs view), so the grouping and the site figures are tested without a build.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from council.model.content_model import ContentModel, project_model


@dataclass(frozen=True)
class CaseRecord:
    id: str
    title: str
    docname: str
    fiscal_year: int | None
    department: str
    council: str
    procedure: tuple[str, ...]
    legal_basis: tuple[str, ...]
    business: str
    contractors: tuple[str, ...]
    start: str  # the earliest start date of its works ("" when none)

    @property
    def council_procedure(self) -> str:
        """The body and the procedure, as one browsing key: 審議会（報告）."""
        procedure = "・".join(self.procedure)
        return f"{self.council}（{procedure}）" if procedure else self.council


def _list(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value if str(v))


def _year(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def records_from_needs(
    needs: Iterable[Mapping[str, Any]], model: ContentModel | None = None,
) -> list[CaseRecord]:
    """One record per case, with the contractors and start of its works."""
    roles = (model or project_model()).roles
    needs = list(needs)
    works: dict[str, list[Mapping[str, Any]]] = {}
    for need in needs:
        if need.get("type") in roles.works:
            for case_id in _list(need.get("part_of")):
                works.setdefault(case_id, []).append(need)
    records = []
    for need in needs:
        if need.get("type") != roles.case:
            continue
        own = works.get(need["id"], [])
        contractors: list[str] = []
        for work in own:
            name = str(work.get("contractor") or "").strip()
            if name and name not in contractors:
                contractors.append(name)
        starts = sorted(str(w.get("start")) for w in own if w.get("start"))
        records.append(
            CaseRecord(
                id=need["id"],
                title=str(need.get("title") or need["id"]),
                docname=str(need.get("docname") or ""),
                fiscal_year=_year(need.get("fiscal_year")),
                department=str(need.get("department") or ""),
                council=str(need.get("council") or ""),
                procedure=_list(need.get("procedure")),
                legal_basis=_list(need.get("legal_basis")),
                business=str(need.get("business") or ""),
                contractors=tuple(contractors),
                start=starts[0] if starts else "",
            )
        )
    return records


def latest_first(records: Iterable[CaseRecord]) -> list[CaseRecord]:
    """Newest fiscal year first; within a year the latest start, then the ID."""
    ordered = sorted(records, key=lambda r: r.id)
    ordered.sort(key=lambda r: r.start, reverse=True)
    ordered.sort(key=lambda r: r.fiscal_year or 0, reverse=True)
    return ordered


#: Browsing keys: the label readers see, and how to get a record's values.
GROUPINGS: dict[str, tuple[str, Any]] = {
    "fiscal_year": ("開始年度", lambda r: [f"{r.fiscal_year}年度"] if r.fiscal_year else []),
    "department": ("担当部課", lambda r: [r.department] if r.department else []),
    "legal_basis": ("根拠規定", lambda r: list(r.legal_basis)),
    "contractor": ("委託先", lambda r: list(r.contractors)),
    "council": ("審議機関・手続", lambda r: [r.council_procedure] if r.council else []),
}


def group_records(records: Iterable[CaseRecord], key: str) -> list[tuple[str, list[CaseRecord]]]:
    """Cases grouped by one browsing key; a case with several values is in each.

    Fiscal years run newest first; other groups in Japanese code-point order.
    Cases within a group run latest first.
    """
    if key not in GROUPINGS:
        raise KeyError(key)
    values_of = GROUPINGS[key][1]
    groups: dict[str, list[CaseRecord]] = {}
    for record in records:
        for value in values_of(record):
            groups.setdefault(value, []).append(record)
    names = sorted(groups, reverse=key == "fiscal_year")
    return [(name, latest_first(groups[name])) for name in names]


def site_figures(
    needs: Iterable[Mapping[str, Any]], model: ContentModel | None = None,
) -> list[tuple[str, int]]:
    """The counts shown on the top page, computed from the needs: each role
    under its type's title (the works together, as readers count them)."""
    model = model or project_model()
    roles = model.roles
    counts: dict[str, int] = {}
    for need in needs:
        counts[need.get("type", "")] = counts.get(need.get("type", ""), 0) + 1

    def count(types: Iterable[str]) -> int:
        return sum(counts.get(t, 0) for t in types)

    return [
        (model.type_title(roles.case), count([roles.case])),
        ("業務委託・開発", count(roles.works)),
        ("・".join(model.type_title(t) for t in roles.measures), count(roles.measures)),
        (model.type_title(roles.checkitem), count([roles.checkitem])),
        (model.type_title(roles.clause), count([roles.clause])),
    ]


def env_needs(env: Any) -> list[Mapping[str, Any]]:
    """The needs of a Sphinx environment, as mappings."""
    from sphinx_needs.data import SphinxNeedsData

    return list(SphinxNeedsData(env).get_needs_view().values())


#: The last needs view and its case records: every HTML page asks for them
#: (council.html.search), and scanning all needs per page is quadratic in the site.
_RECORDS: tuple[Any, list[CaseRecord]] | None = None


def case_records(env: Any) -> list[CaseRecord]:
    global _RECORDS
    from sphinx_needs.data import SphinxNeedsData

    view = SphinxNeedsData(env).get_needs_view()
    if _RECORDS is None or _RECORDS[0] is not view:
        _RECORDS = (view, records_from_needs(view.values()))
    return _RECORDS[1]

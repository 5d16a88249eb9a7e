"""Views across cases: which cases rely on each clause and cover each checklist
item.

Two shapes of every cross-case view. The summaries (``*-summary``) have one
row per clause / checklist item / data kind and aggregate columns only, so a
page stays the same size whatever the number of cases; they are what the
pages show. The grids (``clause-case``, ``checkitem-case``, ``data-case``)
give each case a column and are written to CSV/XLSX only, with the long
format ``trace-long`` beside them. The relying cases of one clause or item are
listed on its own page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from council.model.need_index import (
    Needs, cases, checkitems, fiscal_year, indexed, links, number, of_type, of_types, works,
)
from council.views.cells import COVERED, GAP, NOT_APPLICABLE, Cell, Percent, Ref, Refs, Status, Table, int_or_text, refs
from council.views.coverage import (
    CHECKITEM_HEADERS, RETROSPECTIVE_LABEL, checkitem_columns, coverage, is_retrospective,
)
from council.views.labels import clause_title, edition_label, edition_name, full_text


def case_header(case: Mapping[str, Any]) -> str:
    """Column heading of a case in the cross-case grids: its title, then its ID."""
    suffix = "、遡及・参考" if is_retrospective(case) else ""
    return f"{case.get('title') or case['id']}（{case['id']}{suffix}）"


def fiscal_years(needs: Needs) -> list[int]:
    """The fiscal years of the cases, oldest first (one count column each)."""
    return sorted({y for c in cases(needs) if (y := fiscal_year(c)) is not None})


def newest_first(case_list: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Cases by fiscal year, newest first, then by ID."""
    return sorted(case_list, key=lambda c: (-(fiscal_year(c) or 0), c["id"]))


def case_of_work(needs: Needs) -> dict[str, Mapping[str, Any]]:
    """work item ID -> its case."""
    return {w["id"]: c for c in cases(needs) for w in works(needs, c["id"])}


def case_refs(needs: Needs, case_list: Iterable[Mapping[str, Any]]) -> Refs:
    """The cases as references labelled with their titles, newest first."""
    return Refs(Ref(c["id"], str(c.get("title") or c["id"])) for c in newest_first(case_list))


def aggregates(relying: list[Mapping[str, Any]], population: int, years: list[int]) -> tuple[Cell, ...]:
    """Count, share of *population*, latest fiscal year and the count per year."""
    per_year = {y: 0 for y in years}
    for case in relying:
        year = fiscal_year(case)
        if year in per_year:
            per_year[year] += 1
    latest = max((y for y in per_year if per_year[y]), default=None)
    return (
        len(relying),
        Percent(len(relying) / population) if population else "－",
        latest if latest is not None else "",
        *(per_year[y] for y in years),
    )


def year_headers(years: list[int]) -> tuple[str, ...]:
    return tuple(f"{y}年度" for y in years)


def _sorted_clauses(needs: Needs) -> list[Mapping[str, Any]]:
    return sorted(
        of_type(needs, needs.roles.clause),
        key=lambda n: (links(n, "part_of")[:1], number(n), n["id"]),
    )


def _clause_binding(needs: Needs) -> dict[str, dict[str, list[str]]]:
    """clause ID -> case ID -> the IDs of the case's safeguards binding it."""
    work_case = case_of_work(needs)
    binding: dict[str, dict[str, list[str]]] = {}
    for sg in of_types(needs, needs.roles.measures):
        case = next((work_case[p] for p in links(sg, "part_of") if p in work_case), None)
        if case is None:
            continue
        for clause_id in links(sg, "binds"):
            binding.setdefault(clause_id, {}).setdefault(case["id"], []).append(sg["id"])
    for by_case in binding.values():
        for ids in by_case.values():
            ids.sort()
    return binding


@indexed
def clause_summary_table(needs: Needs) -> Table:
    """Per clause: how many cases rely on it, their share, latest year, count per year."""
    case_list = cases(needs)
    by_id = {c["id"]: c for c in case_list}
    years = fiscal_years(needs)
    binding = _clause_binding(needs)
    # Cases whose contracts use an edition: the population a clause's share is taken of.
    using: dict[str, set[str]] = {}
    for case in case_list:
        for work in works(needs, case["id"]):
            for edition in links(work, "terms"):
                using.setdefault(edition, set()).add(case["id"])
    rows = []
    for clause in _sorted_clauses(needs):
        relying = [by_id[c] for c in binding.get(clause["id"], {})]
        editions = links(clause, "part_of")
        population = len(set().union(*(using.get(e, set()) for e in editions))) if editions else 0
        rows.append((
            Refs([Ref(clause["id"], " ".join((*(edition_name(needs, e) for e in editions),
                                               clause_title(clause))))]),
            ", ".join(edition_label(needs, e) for e in editions),
            int_or_text(clause.get("number")),
            clause.get("heading") or "",
            population,
            *aggregates(relying, population, years),
            case_refs(needs, relying),
        ))
    strip_start = 8
    return Table(
        name="clause-summary",
        title="特記事項の条項ごとの依拠する案件",
        headers=("条項", "版", "番号", "見出し", "対象案件数", "依拠する案件数", "割合", "最新年度",
                 *year_headers(years), "依拠する案件"),
        rows=tuple(rows),
        strip=tuple(range(strip_start, strip_start + len(years))),
        strip_header="年度別の案件数",
        expand=strip_start + len(years),
        expand_label="依拠する案件",
        page_hidden=(1, 2, 3, 4),
    )


@indexed
def checkitem_summary_table(needs: Needs) -> Table:
    """Per checklist item: the cases covering it, waiving it, leaving it open."""
    case_list = cases(needs)
    years = fiscal_years(needs)
    coverages = [(c, coverage(needs, c["id"])) for c in case_list]
    rows = []
    for item in checkitems(needs):
        states = [(c, cov.status_of(item["id"]).status) for c, cov in coverages]
        covered = [c for c, s in states if s == COVERED]
        waived = sum(s == NOT_APPLICABLE for _, s in states)
        gaps = sum(s == GAP for _, s in states)
        rows.append((
            Refs([Ref(item["id"], full_text(item))]),
            *(item.get(k) or "" for k in ("actor", "aspect", "category")),
            full_text(item),
            waived,
            gaps,
            *aggregates(covered, len(case_list) - waived, years),
            case_refs(needs, covered),
        ))
    strip_start = 10
    return Table(
        name="checkitem-summary",
        title="チェックリスト項目ごとの対策のある案件",
        headers=(*CHECKITEM_HEADERS,
                 "対策不要の案件数", "未対応の案件数", "対策ありの案件数", "割合", "最新年度",
                 *year_headers(years), "対策のある案件"),
        rows=tuple(rows),
        note=_retrospective_share_note(case_list),
        strip=tuple(range(strip_start, strip_start + len(years))),
        strip_header="年度別の案件数（対策あり）",
        expand=strip_start + len(years),
        expand_label="対策のある案件",
        page_hidden=(1, 2, 4),
    )


def _retrospective_share_note(case_list: list[Mapping[str, Any]]) -> str:
    old = sum(is_retrospective(c) for c in case_list)
    if not old:
        return ""
    return (f"{len(case_list)} 件のうち {old} 件はチェックリスト様式より前の案件で、その充足状況は"
            f"{RETROSPECTIVE_LABEL}です。")


@indexed
def clause_case_table(needs: Needs) -> Table:
    """The full grid: the safeguards of each case binding each clause (exports only)."""
    case_list = cases(needs)
    binding = _clause_binding(needs)
    rows = []
    for clause in _sorted_clauses(needs):
        by_case = binding.get(clause["id"], {})
        cells = [refs(needs, by_case.get(c["id"], [])) for c in case_list]
        rows.append((
            Refs([Ref(clause["id"], clause_title(clause))]),
            ", ".join(edition_label(needs, e) for e in links(clause, "part_of")),
            int_or_text(clause.get("number")),
            clause.get("heading") or "",
            *cells,
            sum(bool(cell) for cell in cells),
        ))
    return Table(
        name="clause-case",
        title="特記事項の条項 × 案件",
        headers=("条項", "版", "番号", "見出し", *(case_header(c) for c in case_list), "案件数"),
        rows=tuple(rows),
    )


@indexed
def checkitem_case_table(needs: Needs) -> Table:
    """Coverage state of every checklist item in every case: the full grid (exports only)."""
    case_list = cases(needs)
    coverages = [coverage(needs, c["id"]) for c in case_list]
    rows = []
    for item in checkitems(needs):
        rows.append((
            *checkitem_columns(item),
            *(Status(cov.status_of(item["id"]).status) for cov in coverages),
        ))
    return Table(
        name="checkitem-case",
        title="チェックリスト項目 × 案件",
        headers=(*CHECKITEM_HEADERS, *(case_header(c) for c in case_list)),
        rows=tuple(rows),
        note=_retrospective_share_note(case_list),
    )


# ------------------------------------------------ relying cases of a need


@dataclass(frozen=True)
class RelyingCase:
    """A case whose safeguards link to a clause or checklist item, with those safeguards."""

    case: Mapping[str, Any]
    safeguards: tuple[Mapping[str, Any], ...]


#: Cases listed with their measures under a clause or checklist item, newest
#: first: those pages list every clause or item and must not grow with the site.
RELYING_SHOWN = 20


@indexed
def relying_cases(needs: Needs, target_id: str, link: str) -> list[tuple[int | None, list[RelyingCase]]]:
    """The cases whose safeguards link to *target_id* through *link* (``binds`` for
    a clause, ``satisfies`` for a checklist item), grouped by fiscal year, newest
    first; within a year by case ID, the safeguards by ID."""
    work_case = needs.memo("case_of_work", lambda: case_of_work(needs))

    def linking() -> dict[str, list[Mapping[str, Any]]]:
        result: dict[str, list[Mapping[str, Any]]] = {}
        for sg in of_types(needs, needs.roles.measures):
            for target in links(sg, link):
                result.setdefault(target, []).append(sg)
        return result

    found: dict[str, list[Mapping[str, Any]]] = {}
    cases_by_id: dict[str, Mapping[str, Any]] = {}
    for sg in needs.memo(("linking", link), linking).get(target_id, []):
        case = next((work_case[p] for p in links(sg, "part_of") if p in work_case), None)
        if case is not None:
            found.setdefault(case["id"], []).append(sg)
            cases_by_id[case["id"]] = case
    groups: dict[int | None, list[RelyingCase]] = {}
    for case_id in sorted(found):
        case = cases_by_id[case_id]
        sgs = tuple(sorted(found[case_id], key=lambda n: n["id"]))
        groups.setdefault(fiscal_year(case), []).append(RelyingCase(case, sgs))
    return sorted(groups.items(), key=lambda kv: -(kv[0] or 0))

"""Coverage of the standard checklist by a case: which items its safeguards
satisfy, which it marks not applicable, which it leaves open; the per-case
coverage tables and their figures per safety-management category."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from council.model.need_index import Needs, checkitems, indexed, links, work_children, works
from council.views.cells import COVERED, GAP, NOT_APPLICABLE, Cell, Percent, Ref, Refs, Status, Table, refs, slug
from council.views.labels import full_text

#: The value of a case's ``form`` field when its measures follow the checklist.
CHECKLIST_FORM = "チェックリスト"

#: Label of a coverage computed for a case that predates the checklist.
RETROSPECTIVE_LABEL = "遡及的なギャップ分析（参考）"

#: The note every export of a retrospective coverage carries (as the page does).
RETROSPECTIVE_NOTE = (
    f"{RETROSPECTIVE_LABEL}: チェックリスト様式より前の案件を、本サイトが後からチェックリストに"
    "照らした参考の分析です。「未対応」は当時の区の対策の不備を意味しません。"
)


def is_retrospective(case: Mapping[str, Any]) -> bool:
    """A case written before the checklist form is measured against it only for reference."""
    return case.get("form") != CHECKLIST_FORM


@dataclass(frozen=True)
class ItemCoverage:
    checkitem: str
    status: str
    safeguards: tuple[str, ...] = ()
    exemptions: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figures:
    """Counts of a coverage; ``applicable`` excludes the items marked not applicable."""

    total: int
    covered: int
    not_applicable: int
    gaps: int

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def ratio(self) -> str:
        """``covered/applicable`` as shown to readers, e.g. ``48/48``."""
        return f"{self.covered}/{self.applicable}"

    @property
    def percent(self) -> str:
        if not self.applicable:
            return "－"
        return f"{100 * self.covered / self.applicable:.0f}%"


@dataclass(frozen=True)
class Coverage:
    """Coverage of the standard checklist by one case (or one of its work items)."""

    subject: str
    retrospective: bool
    items: tuple[ItemCoverage, ...]
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def figures(self, category: str | None = None) -> Figures:
        items = [
            i for i in self.items
            if category is None or i.checkitem in self.categories.get(category, ())
        ]
        return Figures(
            total=len(items),
            covered=sum(i.status == COVERED for i in items),
            not_applicable=sum(i.status == NOT_APPLICABLE for i in items),
            gaps=sum(i.status == GAP for i in items),
        )

    def status_of(self, checkitem_id: str) -> ItemCoverage:
        return next(i for i in self.items if i.checkitem == checkitem_id)


@indexed
def coverage(needs: Needs, case_id: str, work_id: str | None = None) -> Coverage:
    """Each checklist item: covered by a safeguard, waived by an exemption, or a gap.

    A case-level coverage merges its work items: an item counts as covered if
    any safeguard of the case satisfies it, as not applicable if it is only
    waived.
    """
    case = needs[case_id]
    scope = [w for w in works(needs, case_id) if work_id is None or w["id"] == work_id]
    kids = [k for w in scope for k in work_children(needs, w["id"])]
    satisfied: dict[str, list[str]] = {}
    waived: dict[str, list[Mapping[str, Any]]] = {}
    for kid in kids:
        for item in links(kid, "satisfies"):
            satisfied.setdefault(item, []).append(kid["id"])
        for item in links(kid, "waives"):
            waived.setdefault(item, []).append(kid)
    result = []
    categories: dict[str, list[str]] = {}
    for item in checkitems(needs):
        categories.setdefault(item.get("category") or "", []).append(item["id"])
        exemptions = waived.get(item["id"], [])
        if item["id"] in satisfied:
            status = COVERED
        elif exemptions:
            status = NOT_APPLICABLE
        else:
            status = GAP
        result.append(ItemCoverage(
            checkitem=item["id"],
            status=status,
            safeguards=tuple(sorted(satisfied.get(item["id"], []))),
            exemptions=tuple(sorted(e["id"] for e in exemptions)),
            reasons=tuple(e.get("reason") or "" for e in sorted(exemptions, key=lambda e: e["id"])),
        ))
    return Coverage(
        subject=work_id or case_id,
        retrospective=is_retrospective(case),
        items=tuple(result),
        categories={k: tuple(v) for k, v in categories.items()},
    )


#: The columns that identify a checklist item in every coverage table.
CHECKITEM_HEADERS = ("チェックリスト項目", "実施主体", "種別", "安全管理措置の区分", "項目")


def checkitem_columns(item: Mapping[str, Any]) -> tuple[Cell, ...]:
    """The columns that identify a checklist item in every coverage table (its whole text)."""
    return (Refs([Ref(item["id"], full_text(item))]),
            *(item.get(k) or "" for k in ("actor", "aspect", "category")), full_text(item))


@indexed
def coverage_table(needs: Needs, case_id: str) -> Table:
    cov = coverage(needs, case_id)
    rows = []
    for item_cov in cov.items:
        item = needs[item_cov.checkitem]
        rows.append((
            *checkitem_columns(item),
            Status(item_cov.status),
            refs(needs, item_cov.safeguards),
            refs(needs, item_cov.exemptions),
            " / ".join(r for r in item_cov.reasons if r),
            *((RETROSPECTIVE_LABEL,) if cov.retrospective else ()),
        ))
    prefix = f"{RETROSPECTIVE_LABEL} " if cov.retrospective else ""
    return Table(
        name=f"{slug(case_id)}-coverage",
        title=f"{prefix}{case_id} チェックリストの充足状況",
        headers=(*CHECKITEM_HEADERS,
                 "状態", "対応する情報保護対策", "対策不要（－）", "対策不要の理由",
                 *(("分析の種類",) if cov.retrospective else ())),
        rows=tuple(rows),
        note=RETROSPECTIVE_NOTE if cov.retrospective else "",
        page_hidden=(4,),  # the item's text names the row
    )


@indexed
def coverage_summary_table(needs: Needs, case_id: str) -> Table:
    """Figures per safety-management category, the whole case and each work item."""
    cov = coverage(needs, case_id)

    def row(label: str, fig: Figures) -> tuple[Cell, ...]:
        share = Percent(fig.covered / fig.applicable) if fig.applicable else "－"
        return (label, fig.total, fig.covered, fig.not_applicable, fig.gaps, fig.ratio, share,
                *((RETROSPECTIVE_LABEL,) if cov.retrospective else ()))

    rows = [row(f"{c}安全管理措置", cov.figures(c))
            for c in needs.model.field_values("category") if cov.categories.get(c)]
    rows.append(row(f"合計（{case_id}）", cov.figures()))
    work_list = works(needs, case_id)
    if len(work_list) > 1:
        rows.extend(row(f"うち {w['id']}", coverage(needs, case_id, w["id"]).figures()) for w in work_list)
    prefix = f"{RETROSPECTIVE_LABEL} " if cov.retrospective else ""
    return Table(
        name=f"{slug(case_id)}-coverage-summary",
        title=f"{prefix}{case_id} 充足状況の集計",
        headers=("区分", "項目数", "対策あり", "対策不要", "未対応", "充足（対策あり/対象項目）", "充足率",
                 *(("分析の種類",) if cov.retrospective else ())),
        rows=tuple(rows),
        note=RETROSPECTIVE_NOTE if cov.retrospective else "",
    )

"""Traceability matrices, checklist coverage and edition diffs.

Pure functions over the needs (a mapping ``id -> need`` as sphinx-needs holds
it, or as ``needs.json`` stores it). They return plain data; the same
:class:`Table` values are rendered on the pages (``trace_directives``) and
written as CSV/XLSX (``exports``), so a page and its download never differ.

Only outgoing links are read (``part_of``, ``satisfies``, ``binds``,
``waives``, ``terms``, ``revises``): back-links are derived here, so the
functions work on hand-made need dicts as well.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Needs = Mapping[str, Mapping[str, Any]]

WORK_TYPES = ("entrustment", "development")

#: Coverage states of a checklist item, with the reader-facing label.
COVERED, NOT_APPLICABLE, GAP = "covered", "not_applicable", "gap"
STATUS_LABELS = {COVERED: "対策あり", NOT_APPLICABLE: "対策不要", GAP: "未対応"}

#: Safety-management categories in the order of the checklist guidance.
CATEGORIES = ("組織的", "人的", "物理的", "技術的", "外的環境")

#: Label of a coverage computed for a case that predates the checklist.
RETROSPECTIVE_LABEL = "遡及的なギャップ分析（参考）"


def links(need: Mapping[str, Any], name: str) -> list[str]:
    value = need.get(name) or []
    return [value] if isinstance(value, str) else list(value)


def _number(need: Mapping[str, Any]) -> int:
    try:
        return int(need.get("number") or 0)
    except (TypeError, ValueError):
        return 0


class NeedIndex(Mapping[str, Mapping[str, Any]]):
    """The needs of one build with their grouping by type and by parent.

    Built once per build (``trace_directives.need_index``) and passed to the
    functions of this module in place of the needs mapping. A plain mapping
    passed instead is indexed on each call: correct, but linear per call. An
    index is a snapshot: a need added to the mapping later is not in it (the
    module-level caches this replaces returned stale children in that case).
    """

    def __init__(self, needs: Needs) -> None:
        self._needs = needs
        self.by_type: dict[str, list[Mapping[str, Any]]] = {}
        self.children: dict[str, list[Mapping[str, Any]]] = {}
        for need in needs.values():
            self.by_type.setdefault(need.get("type"), []).append(need)
            for parent in links(need, "part_of"):
                self.children.setdefault(parent, []).append(need)
        for kids in self.children.values():
            kids.sort(key=lambda n: n["id"])
        self._memo: dict[Any, Any] = {}

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


def _indexed(fn):
    """Index a plain needs mapping once for the whole call of *fn* (not per helper)."""
    @functools.wraps(fn)
    def wrapper(needs: Needs, *args: Any, **kwargs: Any) -> Any:
        return fn(index(needs), *args, **kwargs)
    return wrapper


def of_type(needs: Needs, need_type: str) -> list[Mapping[str, Any]]:
    """The needs of one type."""
    return list(index(needs).by_type.get(need_type, []))


def cases(needs: Needs) -> list[Mapping[str, Any]]:
    """Cases, oldest first (fiscal year, then ID)."""
    return sorted(of_type(needs, "case"), key=lambda n: (int(n.get("fiscal_year") or 0), n["id"]))


def checkitems(needs: Needs) -> list[Mapping[str, Any]]:
    """Checklist items in checklist order: 区 before 受託者, 運用 before システム."""
    order = {("区", "運用"): 0, ("区", "システム"): 1, ("受託者", "運用"): 2, ("受託者", "システム"): 3}
    return sorted(
        of_type(needs, "checkitem"),
        key=lambda n: (order.get((n.get("actor"), n.get("aspect")), 9), _number(n), n["id"]),
    )


def children(needs: Needs, parent_id: str, types: Iterable[str]) -> list[Mapping[str, Any]]:
    wanted = set(types)
    return [n for n in index(needs).children.get(parent_id, []) if n.get("type") in wanted]


def works(needs: Needs, case_id: str) -> list[Mapping[str, Any]]:
    """The entrustments and developments of a case."""
    return children(needs, case_id, WORK_TYPES)


def is_retrospective(case: Mapping[str, Any]) -> bool:
    """A case written before the checklist form is measured against it only for reference."""
    return case.get("form") != "チェックリスト"


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class Ref:
    """A need named in a cell: its ID, and the text readers see for it."""

    id: str
    label: str = ""  # shown on pages; the ID when empty
    exported: str = ""  # written to CSV/XLSX; the ID when empty

    @property
    def text(self) -> str:
        return self.exported or self.id


class Refs(tuple):
    """A cell naming needs (a tuple of :class:`Ref`); exported as ``ID, ID``."""

    def __str__(self) -> str:
        return ", ".join(r.text for r in self)


class Percent(float):
    """A share between 0 and 1, written as a number with a % format in XLSX."""

    def __new__(cls, value: float) -> Percent:
        return super().__new__(cls, round(value, 4))

    def __str__(self) -> str:
        return f"{100 * self:.0f}%"


@dataclass(frozen=True)
class Status:
    """A coverage state: styled by its code, shown and exported as its label."""

    code: str

    def __str__(self) -> str:
        return STATUS_LABELS[self.code]


@dataclass(frozen=True)
class Diff:
    """A character diff; exported as 〔－deleted〕〔＋inserted〕 (:func:`marked_text`)."""

    segments: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return marked_text(self.segments)


Cell = str | int | float | Refs | Status | Diff


def export_value(cell: Cell) -> str | int | float:
    """A cell as a CSV/XLSX value: numbers stay numbers, the rest is text."""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int):
        return int(cell)
    if isinstance(cell, float):
        return float(cell)  # a Percent as its plain value, not its "67%" display
    return str(cell)


@dataclass(frozen=True)
class Table:
    """A matrix of typed cells, shown on the pages and written as CSV/XLSX."""

    name: str  # file stem of the export, ASCII
    title: str  # Japanese caption
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    #: A note every export of the table carries (e.g. the 遡及・参考 caveat).
    note: str = ""
    #: Columns shown on pages as one strip (per-year counts), with the strip's header.
    strip: tuple[int, ...] = ()
    strip_header: str = ""
    #: A column of references shown on pages as an expandable list under the row's first cell.
    expand: int | None = None
    expand_label: str = ""
    #: The first column names the row (a row header).
    row_headers: bool = True
    #: Columns written to CSV/XLSX but left off the page (the row header already says them).
    page_hidden: tuple[int, ...] = ()

    def column(self, header: str) -> list[Cell]:
        index = self.headers.index(header)
        return [row[index] for row in self.rows]

    def text_rows(self) -> list[list[str | int | float]]:
        return [[export_value(c) for c in row] for row in self.rows]


def _refs(needs: Needs, ids: Iterable[str], label=None, exported=None) -> Refs:
    """References to *ids*; *label* / *exported* map a need to its texts."""
    out = []
    for need_id in ids:
        need = needs.get(need_id) or {"id": need_id}
        out.append(Ref(need_id, label(need) if label else "", exported(need) if exported else ""))
    return Refs(out)


def full_text(need: Mapping[str, Any]) -> str:
    """A need's whole text (its title may be cut with 「…」)."""
    content = re.sub(r"\s+", " ", str(need.get("content") or "")).strip()
    return content or str(need.get("title") or "")


def excerpt(need: Mapping[str, Any], limit: int = 60) -> str:
    """The start of a need's text, for link texts (the whole text is on the need's page)."""
    text = full_text(need)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------ per-case matrix


def clause_label(needs: Needs, clause_id: str) -> str:
    clause = needs.get(clause_id) or {}
    heading = clause.get("heading")
    return f"{clause_id} {heading}" if heading else clause_id


def edition_name(needs: Needs, edition_id: str) -> str:
    """The short name readers know an edition by (「21項版」), from its title."""
    edition = needs.get(edition_id) or {}
    title = str(edition.get("title") or "").removeprefix("特記事項").strip()
    return title or str(edition.get("label") or edition_id)


def edition_label(needs: Needs, edition_id: str) -> str:
    edition = needs.get(edition_id) or {}
    label = edition.get("label")
    return f"{edition_id} {label}" if label else edition_id


@_indexed
def case_matrix(needs: Needs, case_id: str) -> Table:
    """One row per safeguard: its checklist items, clauses and their edition."""
    rows = []
    for work in works(needs, case_id):
        for sg in children(needs, work["id"], ("safeguard",)):
            clause_ids = links(sg, "binds")
            editions = sorted({e for c in clause_ids for e in links(needs.get(c) or {}, "part_of")})
            rows.append((
                Refs([Ref(sg["id"], full_text(sg))]),
                Refs([Ref(work["id"], str(work.get("title") or ""))]),
                sg.get("actor") or "",
                sg.get("aspect") or "",
                _int_or_text(sg.get("number")),
                sg.get("title") or "",
                _refs(needs, links(sg, "satisfies"), label=full_text),
                _refs(needs, clause_ids, label=clause_title, exported=lambda n: clause_label(needs, n["id"])),
                _refs(needs, editions, label=lambda n: edition_label(needs, n["id"]),
                      exported=lambda n: edition_label(needs, n["id"])),
            ))
    return Table(
        name=f"{_slug(case_id)}-trace",
        title=f"{case_id} 情報保護対策 → チェックリスト項目 → 特記事項の条項",
        headers=("情報保護対策", "業務委託・開発", "実施主体", "種別", "原典の番号", "見出し",
                 "チェックリスト項目", "特記事項の条項", "特記事項の版"),
        rows=tuple(rows),
        page_hidden=(5,),  # the measure's text names the row
    )


def _int_or_text(value: Any) -> int | str:
    """A number field as a number; empty or non-numeric values as text."""
    if isinstance(value, int):
        return value
    text = str(value or "")
    return int(text) if text.isdigit() else text


def _slug(need_id: str) -> str:
    return need_id.lower().replace("_", "-")


# ------------------------------------------------------------ coverage


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


@_indexed
def coverage(needs: Needs, case_id: str, work_id: str | None = None) -> Coverage:
    """Each checklist item: covered by a safeguard, waived by an exemption, or a gap.

    A case-level coverage merges its work items: an item counts as covered if
    any safeguard of the case satisfies it, as not applicable if it is only
    waived.
    """
    case = needs[case_id]
    scope = [w for w in works(needs, case_id) if work_id is None or w["id"] == work_id]
    kids = [k for w in scope for k in children(needs, w["id"], ("safeguard", "exemption"))]
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


def _checkitem_columns(item: Mapping[str, Any]) -> tuple[Cell, ...]:
    """The columns that identify a checklist item in every coverage table (its whole text)."""
    return (Refs([Ref(item["id"], full_text(item))]),
            *(item.get(k) or "" for k in ("actor", "aspect", "category")), full_text(item))


#: The note every export of a retrospective coverage carries (as the page does).
RETROSPECTIVE_NOTE = (
    f"{RETROSPECTIVE_LABEL}: チェックリスト様式より前の案件を、本サイトが後からチェックリストに"
    "照らした参考の分析です。「未対応」は当時の区の対策の不備を意味しません。"
)


@_indexed
def coverage_table(needs: Needs, case_id: str) -> Table:
    cov = coverage(needs, case_id)
    rows = []
    for item_cov in cov.items:
        item = needs[item_cov.checkitem]
        rows.append((
            *_checkitem_columns(item),
            Status(item_cov.status),
            _refs(needs, item_cov.safeguards),
            _refs(needs, item_cov.exemptions),
            " / ".join(r for r in item_cov.reasons if r),
            *((RETROSPECTIVE_LABEL,) if cov.retrospective else ()),
        ))
    prefix = f"{RETROSPECTIVE_LABEL} " if cov.retrospective else ""
    return Table(
        name=f"{_slug(case_id)}-coverage",
        title=f"{prefix}{case_id} チェックリストの充足状況",
        headers=("チェックリスト項目", "実施主体", "種別", "安全管理措置の区分", "項目",
                 "状態", "対応する情報保護対策", "対策不要（－）", "対策不要の理由",
                 *(("分析の種類",) if cov.retrospective else ())),
        rows=tuple(rows),
        note=RETROSPECTIVE_NOTE if cov.retrospective else "",
        page_hidden=(4,),  # the item's text names the row
    )


@_indexed
def coverage_summary_table(needs: Needs, case_id: str) -> Table:
    """Figures per safety-management category, the whole case and each work item."""
    cov = coverage(needs, case_id)

    def row(label: str, fig: Figures) -> tuple[Cell, ...]:
        share = Percent(fig.covered / fig.applicable) if fig.applicable else "－"
        return (label, fig.total, fig.covered, fig.not_applicable, fig.gaps, fig.ratio, share,
                *((RETROSPECTIVE_LABEL,) if cov.retrospective else ()))

    rows = [row(f"{c}安全管理措置", cov.figures(c)) for c in CATEGORIES if cov.categories.get(c)]
    rows.append(row(f"合計（{case_id}）", cov.figures()))
    work_list = works(needs, case_id)
    if len(work_list) > 1:
        rows.extend(row(f"うち {w['id']}", coverage(needs, case_id, w["id"]).figures()) for w in work_list)
    prefix = f"{RETROSPECTIVE_LABEL} " if cov.retrospective else ""
    return Table(
        name=f"{_slug(case_id)}-coverage-summary",
        title=f"{prefix}{case_id} 充足状況の集計",
        headers=("区分", "項目数", "対策あり", "対策不要", "未対応", "充足（対策あり/対象項目）", "充足率",
                 *(("分析の種類",) if cov.retrospective else ())),
        rows=tuple(rows),
        note=RETROSPECTIVE_NOTE if cov.retrospective else "",
    )


# ------------------------------------------------------ cross-case views
#
# Two shapes of every cross-case view. The summaries (``*-summary``) have one
# row per clause / checklist item / data kind and aggregate columns only, so a
# page stays the same size whatever the number of cases; they are what the
# pages show. The grids (``clause-case``, ``checkitem-case``, ``data-case``)
# give each case a column and are written to CSV/XLSX only, with the long
# format ``trace-long`` beside them.


def case_header(case: Mapping[str, Any]) -> str:
    """Column heading of a case in the cross-case grids: its title, then its ID."""
    suffix = "、遡及・参考" if is_retrospective(case) else ""
    return f"{case.get('title') or case['id']}（{case['id']}{suffix}）"


def fiscal_year(case: Mapping[str, Any]) -> int | None:
    try:
        return int(case.get("fiscal_year"))
    except (TypeError, ValueError):
        return None


def fiscal_years(needs: Needs) -> list[int]:
    """The fiscal years of the cases, oldest first (one count column each)."""
    return sorted({y for c in cases(needs) if (y := fiscal_year(c)) is not None})


def _case_of_work(needs: Needs) -> dict[str, Mapping[str, Any]]:
    return {w["id"]: c for c in cases(needs) for w in works(needs, c["id"])}


def _case_refs(needs: Needs, case_list: Iterable[Mapping[str, Any]]) -> Refs:
    """The cases as references labelled with their titles, newest first."""
    ordered = sorted(case_list, key=lambda c: (-(fiscal_year(c) or 0), c["id"]))
    return Refs(Ref(c["id"], str(c.get("title") or c["id"])) for c in ordered)


def _aggregates(relying: list[Mapping[str, Any]], population: int, years: list[int]) -> tuple[Cell, ...]:
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


def _year_headers(years: list[int]) -> tuple[str, ...]:
    return tuple(f"{y}年度" for y in years)


def _sorted_clauses(needs: Needs) -> list[Mapping[str, Any]]:
    return sorted(
        of_type(needs, "clause"),
        key=lambda n: (links(n, "part_of")[:1], _number(n), n["id"]),
    )


def clause_title(clause: Mapping[str, Any]) -> str:
    """「第10項 再委託の禁止」: how readers name a clause."""
    number, heading = clause.get("number"), clause.get("heading")
    name = f"第{number}項" if number not in (None, "") else clause["id"]
    return f"{name} {heading}" if heading else name


def _clause_binding(needs: Needs) -> dict[str, dict[str, list[str]]]:
    """clause ID -> case ID -> the IDs of the case's safeguards binding it."""
    work_case = _case_of_work(needs)
    binding: dict[str, dict[str, list[str]]] = {}
    for sg in of_type(needs, "safeguard"):
        case = next((work_case[p] for p in links(sg, "part_of") if p in work_case), None)
        if case is None:
            continue
        for clause_id in links(sg, "binds"):
            binding.setdefault(clause_id, {}).setdefault(case["id"], []).append(sg["id"])
    for by_case in binding.values():
        for ids in by_case.values():
            ids.sort()
    return binding


@_indexed
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
            _int_or_text(clause.get("number")),
            clause.get("heading") or "",
            population,
            *_aggregates(relying, population, years),
            _case_refs(needs, relying),
        ))
    strip_start = 8
    return Table(
        name="clause-summary",
        title="特記事項の条項ごとの依拠する案件",
        headers=("条項", "版", "番号", "見出し", "対象案件数", "依拠する案件数", "割合", "最新年度",
                 *_year_headers(years), "依拠する案件"),
        rows=tuple(rows),
        strip=tuple(range(strip_start, strip_start + len(years))),
        strip_header="年度別の案件数",
        expand=strip_start + len(years),
        expand_label="依拠する案件",
        page_hidden=(1, 2, 3, 4),
    )


@_indexed
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
            *_aggregates(covered, len(case_list) - waived, years),
            _case_refs(needs, covered),
        ))
    strip_start = 10
    return Table(
        name="checkitem-summary",
        title="チェックリスト項目ごとの対策のある案件",
        headers=("チェックリスト項目", "実施主体", "種別", "安全管理措置の区分", "項目",
                 "対策不要の案件数", "未対応の案件数", "対策ありの案件数", "割合", "最新年度",
                 *_year_headers(years), "対策のある案件"),
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


@_indexed
def clause_case_table(needs: Needs) -> Table:
    """The full grid: the safeguards of each case binding each clause (exports only)."""
    case_list = cases(needs)
    binding = _clause_binding(needs)
    rows = []
    for clause in _sorted_clauses(needs):
        by_case = binding.get(clause["id"], {})
        cells = [_refs(needs, by_case.get(c["id"], [])) for c in case_list]
        rows.append((
            Refs([Ref(clause["id"], clause_title(clause))]),
            ", ".join(edition_label(needs, e) for e in links(clause, "part_of")),
            _int_or_text(clause.get("number")),
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


@_indexed
def checkitem_case_table(needs: Needs) -> Table:
    """Coverage state of every checklist item in every case: the full grid (exports only)."""
    case_list = cases(needs)
    coverages = [coverage(needs, c["id"]) for c in case_list]
    rows = []
    for item in checkitems(needs):
        rows.append((
            *_checkitem_columns(item),
            *(Status(cov.status_of(item["id"]).status) for cov in coverages),
        ))
    return Table(
        name="checkitem-case",
        title="チェックリスト項目 × 案件",
        headers=("チェックリスト項目", "実施主体", "種別", "安全管理措置の区分", "項目",
                 *(case_header(c) for c in case_list)),
        rows=tuple(rows),
        note=_retrospective_share_note(case_list),
    )


@_indexed
def trace_long_table(needs: Needs) -> Table:
    """Every trace in long format: one row per safeguard × checklist item × clause."""
    rows = []
    for case in cases(needs):
        for work in works(needs, case["id"]):
            for sg in children(needs, work["id"], ("safeguard",)):
                items = links(sg, "satisfies") or [""]
                clauses = links(sg, "binds") or [""]
                for item_id in items:
                    item = needs.get(item_id) or {}
                    for clause_id in clauses:
                        clause = needs.get(clause_id) or {}
                        rows.append((
                            Refs([Ref(case["id"])]),
                            str(case.get("title") or ""),
                            fiscal_year(case) or "",
                            str(case.get("department") or ""),
                            Refs([Ref(work["id"])]),
                            Refs([Ref(sg["id"])]),
                            _int_or_text(sg.get("number")),
                            sg.get("actor") or "",
                            sg.get("aspect") or "",
                            full_text(sg),
                            Refs([Ref(item_id)]) if item_id else Refs(),
                            full_text(item) if item else "",
                            Refs([Ref(clause_id)]) if clause_id else Refs(),
                            clause_title(clause) if clause else "",
                            ", ".join(edition_label(needs, e) for e in links(clause, "part_of")),
                            RETROSPECTIVE_LABEL if is_retrospective(case) else "",
                        ))
    return Table(
        name="trace-long",
        title="情報保護対策・チェックリスト項目・特記事項の条項（縦持ち形式）",
        headers=("案件", "案件名", "開始年度", "担当部課", "業務委託・開発", "情報保護対策", "原典の番号",
                 "実施主体", "種別", "対策の本文", "チェックリスト項目", "項目の本文", "条項",
                 "条項の見出し", "特記事項の版", "分析の種類"),
        rows=tuple(rows),
    )


# ------------------------------------------------------ case comparison

#: At most this many cases are compared side by side on a page.
COMPARE_LIMIT = 4


def default_comparison(needs: Needs) -> list[str]:
    """The cases compared when none are chosen: the newest ones."""
    ordered = sorted(cases(needs), key=lambda c: (-(fiscal_year(c) or 0), c["id"]))
    return [c["id"] for c in ordered[:COMPARE_LIMIT]]


@_indexed
def compare_table(needs: Needs, case_ids: Iterable[str]) -> Table:
    """The checklist coverage of a few chosen cases side by side."""
    chosen = [needs[c] for c in list(case_ids)[:COMPARE_LIMIT]]
    coverages = [coverage(needs, c["id"]) for c in chosen]
    rows: list[tuple[Cell, ...]] = [
        ("充足（対策あり/対象項目）", *(cov.figures().ratio for cov in coverages)),
    ]
    for item in checkitems(needs):
        rows.append((
            Refs([Ref(item["id"], full_text(item))]),
            *(Status(cov.status_of(item["id"]).status) for cov in coverages),
        ))
    return Table(
        name="compare",
        title="選んだ案件のチェックリスト充足状況",
        headers=("チェックリスト項目", *(case_header(c) for c in chosen)),
        rows=tuple(rows),
    )


@_indexed
def compare_data(needs: Needs) -> dict[str, Any]:
    """What the comparison page's script needs to compare any cases (``exports/compare.json``)."""
    items = checkitems(needs)
    return {
        "items": [{"id": i["id"], "text": full_text(i), "href": f"{i.get('docname', '')}.html#{i['id']}"}
                  for i in items],
        "statuses": STATUS_LABELS,
        "cases": [
            {
                "id": c["id"],
                "title": str(c.get("title") or c["id"]),
                "header": case_header(c),
                "year": fiscal_year(c),
                "department": str(c.get("department") or ""),
                "href": f"{c.get('docname', '')}.html#{c['id']}",
                "ratio": (cov := coverage(needs, c["id"])).figures().ratio,
                "status": [cov.status_of(i["id"]).status for i in items],
            }
            for c in sorted(cases(needs), key=lambda c: (-(fiscal_year(c) or 0), c["id"]))
        ],
    }


# ------------------------------------------------ relying cases of a need


@dataclass(frozen=True)
class RelyingCase:
    """A case whose safeguards link to a clause or checklist item, with those safeguards."""

    case: Mapping[str, Any]
    safeguards: tuple[Mapping[str, Any], ...]


@_indexed
def relying_cases(needs: Needs, target_id: str, link: str) -> list[tuple[int | None, list[RelyingCase]]]:
    """The cases whose safeguards link to *target_id* through *link* (``binds`` for
    a clause, ``satisfies`` for a checklist item), grouped by fiscal year, newest
    first; within a year by case ID, the safeguards by ID."""
    work_case = needs.memo("case_of_work", lambda: _case_of_work(needs))

    def linking() -> dict[str, list[Mapping[str, Any]]]:
        result: dict[str, list[Mapping[str, Any]]] = {}
        for sg in of_type(needs, "safeguard"):
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


# ------------------------------------------------------ personal data


#: Kinds of personal data, each recognised by keywords in an item's text.
#: Order matters only for display. Documented in docs/open-data.md.
DATA_KINDS: dict[str, tuple[str, ...]] = {
    "氏名": ("氏名", "名前", "ふりがな", "フリガナ", "姓名"),
    "住所": ("住所", "郵便番号", "居所", "所在地"),
    "生年月日": ("生年月日",),
    "電話番号": ("電話", "FAX", "ファクス", "携帯"),
    "住民番号": ("住民番号", "宛名番号", "個人番号", "マイナンバー"),
    "口座情報": ("口座", "金融機関"),
    "要配慮": ("障害", "病", "健康", "医療", "診断", "介護", "服薬", "犯罪", "信条", "人種"),
}
OTHER_KIND = "その他"
#: Text that only refers to another document for the items.
_REFERENCE = re.compile(r"(資料|別紙)[0-9０-９\-－ー]*(の|に記載の)?とおり")
_HEADER = re.compile(r"《[^》]*》|【[^】]*】|※[0-9０-９]*…[^、]*|※[0-9０-９]+")
_NUMBERING = re.compile(r"^[0-9０-９]+\s+\S+\s+|^[①-⑳]")


def data_item_tokens(text: str) -> list[str]:
    """The listed items of a ``data_items`` text (split on 「、」 outside brackets)."""
    text = _HEADER.sub(" ", text or "")
    if "記録項目" in text:  # "1 個人の範囲 … 2 記録項目 …": the items follow the heading
        text = text.split("記録項目", 1)[1]
    tokens, depth, current = [], 0, ""
    for char in text:
        if char in "(（":
            depth += 1
        elif char in ")）":
            depth = max(0, depth - 1)
        if char in "、,，" and depth == 0:
            tokens.append(current)
            current = ""
        else:
            current += char
    tokens.append(current)
    cleaned = (re.sub(r"[（(]\s*[)）]", "", re.sub(r"\s+", " ", t)).strip() for t in tokens)
    return [t for t in cleaned if t]


def classify_data_items(text: str) -> dict[str, list[str]]:
    """Kinds of personal data named in a ``data_items`` text, with the matching items.

    A kind is found when a keyword of :data:`DATA_KINDS` occurs in the text;
    items matching no keyword are listed under 「その他」. A text that only
    refers to another document (「資料61-5のとおり」) yields no kind.
    """
    result: dict[str, list[str]] = {}
    if _REFERENCE.search(text or ""):
        return result
    whole = text or ""
    for kind, keywords in DATA_KINDS.items():
        if any(k in whole for k in keywords):
            result[kind] = []
    for token in data_item_tokens(whole):
        kinds = [k for k, words in DATA_KINDS.items() if any(w in token for w in words)]
        for kind in kinds:
            result[kind].append(token)
        if not kinds:
            result.setdefault(OTHER_KIND, []).append(token)
    return result


def data_reference(text: str) -> str:
    """The reference to another document, when the items are not listed."""
    match = _REFERENCE.search(text or "")
    return match.group(0) if match else ""


@_indexed
def data_work_table(needs: Needs) -> Table:
    """The kinds of personal data of each entrustment/development."""
    rows = []
    for case in cases(needs):
        for work in works(needs, case["id"]):
            text = work.get("data_items") or ""
            found = classify_data_items(text)
            reference = data_reference(text)
            rows.append((
                Refs([Ref(work["id"])]),
                Refs([Ref(case["id"])]),
                "業務委託" if work["type"] == "entrustment" else "開発・変更",
                *("○" if k in found else "" for k in DATA_KINDS),
                "、".join(found.get(OTHER_KIND, [])),
                f"項目の記載なし（{reference}）" if reference else "",
                text,
            ))
    return Table(
        name="data-work",
        title="業務委託・開発ごとの個人情報の種類",
        headers=("業務委託・開発", "案件", "区分", *DATA_KINDS, "その他の項目", "注記",
                 "処理させる情報項目（原典）"),
        rows=tuple(rows),
    )


def _data_kinds(needs: Needs) -> tuple[list[str], dict[str, dict[str, list[str]]]]:
    """The row labels, and kind -> case ID -> IDs of the case's works listing it."""
    found: dict[str, dict[str, list[str]]] = {}
    for case in cases(needs):
        for work in works(needs, case["id"]):
            text = work.get("data_items") or ""
            if data_reference(text):
                found.setdefault(UNLISTED_KIND, {}).setdefault(case["id"], []).append(work["id"])
            for kind in classify_data_items(text):
                found.setdefault(kind, {}).setdefault(case["id"], []).append(work["id"])
    return [*DATA_KINDS, OTHER_KIND, UNLISTED_KIND], found


#: The row of the works whose items are listed in another document only.
UNLISTED_KIND = "項目の記載なし（別資料）"


@_indexed
def data_summary_table(needs: Needs) -> Table:
    """Per kind of personal data: how many cases hand it over, their share, per year."""
    case_list = cases(needs)
    by_id = {c["id"]: c for c in case_list}
    years = fiscal_years(needs)
    kinds, found = _data_kinds(needs)
    rows = []
    for kind in kinds:
        relying = [by_id[c] for c in found.get(kind, {})]
        rows.append((kind, *_aggregates(relying, len(case_list), years), _case_refs(needs, relying)))
    return Table(
        name="data-summary",
        title="個人情報の種類ごとの案件",
        headers=("個人情報の種類", "案件数", "割合", "最新年度", *_year_headers(years), "案件"),
        rows=tuple(rows),
        strip=tuple(range(4, 4 + len(years))),
        strip_header="年度別の案件数",
        expand=4 + len(years),
        expand_label="案件",
    )


@_indexed
def data_case_table(needs: Needs) -> Table:
    """Which cases hand which kinds of personal data, through which works (exports only)."""
    case_list = cases(needs)
    kinds, found = _data_kinds(needs)
    rows = [
        (kind, *(_refs(needs, found.get(kind, {}).get(c["id"], [])) for c in case_list))
        for kind in kinds
    ]
    return Table(
        name="data-case",
        title="個人情報の種類 × 案件",
        headers=("個人情報の種類", *(case_header(c) for c in case_list)),
        rows=tuple(rows),
    )


# ------------------------------------------------------- edition diff


ADDED, REMOVED, REWORDED, RETITLED, UNCHANGED = "added", "removed", "reworded", "retitled", "unchanged"
DIFF_LABELS = {ADDED: "追加", REMOVED: "削除", REWORDED: "文言の変更", RETITLED: "見出しのみの変更",
               UNCHANGED: "変更なし"}


@dataclass(frozen=True)
class ClauseDiff:
    status: str
    old: str | None  # clause ID in the older edition
    new: str | None  # clause ID in the newer edition
    #: ``(op, text)`` with op ``equal`` / ``delete`` / ``insert``.
    segments: tuple[tuple[str, str], ...] = ()
    #: The diff of the headings (見出し), empty when they are equal.
    heading: tuple[tuple[str, str], ...] = ()


def text_segments(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Character-level diff (Japanese has no spaces between words)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", old[i1:i2]))
            continue
        if i2 > i1:
            segments.append(("delete", old[i1:i2]))
        if j2 > j1:
            segments.append(("insert", new[j1:j2]))
    return tuple(segments)


def _content(need: Mapping[str, Any]) -> str:
    return re.sub(r"\s+", "", need.get("content") or "")


@_indexed
def edition_diff(needs: Needs, old_edition: str, new_edition: str) -> list[ClauseDiff]:
    """Clause by clause, following the ``revises`` links of the newer edition."""
    def clauses_of(edition: str) -> list[Mapping[str, Any]]:
        return sorted(
            (n for n in of_type(needs, "clause") if edition in links(n, "part_of")),
            key=lambda n: (_number(n), n["id"]),
        )

    old_clauses = clauses_of(old_edition)
    old_ids = {c["id"] for c in old_clauses}
    result: list[ClauseDiff] = []
    matched: set[str] = set()
    for clause in clauses_of(new_edition):
        previous = [p for p in links(clause, "revises") if p in old_ids]
        if not previous:
            result.append(ClauseDiff(ADDED, None, clause["id"], (("insert", _content(clause)),)))
            continue
        old = needs[previous[0]]
        matched.add(old["id"])
        segments = text_segments(_content(old), _content(clause))
        old_heading, new_heading = str(old.get("heading") or ""), str(clause.get("heading") or "")
        heading = text_segments(old_heading, new_heading) if old_heading != new_heading else ()
        if any(op != "equal" for op, _ in segments):
            status = REWORDED
        else:
            status = RETITLED if heading else UNCHANGED
        result.append(ClauseDiff(status, old["id"], clause["id"], segments, heading))
    for clause in old_clauses:
        if clause["id"] not in matched:
            result.append(ClauseDiff(REMOVED, clause["id"], None, (("delete", _content(clause)),)))
    return result


def marked_text(segments: Iterable[tuple[str, str]]) -> str:
    """A diff as plain text: 〔－deleted〕〔＋inserted〕 (for CSV and the PDF)."""
    parts = []
    for op, text in segments:
        if op == "delete":
            parts.append(f"〔－{text}〕")
        elif op == "insert":
            parts.append(f"〔＋{text}〕")
        else:
            parts.append(text)
    return "".join(parts)


def edition_diff_table(needs: Needs, old_edition: str, new_edition: str) -> Table:
    rows = []
    for diff in edition_diff(needs, old_edition, new_edition):
        old, new = needs.get(diff.old or "") or {}, needs.get(diff.new or "") or {}
        body_changed = diff.status in (ADDED, REMOVED, REWORDED)
        rows.append((
            Refs([Ref(diff.old)]) if diff.old else Refs(),
            _int_or_text(old.get("number")),
            Refs([Ref(diff.new)]) if diff.new else Refs(),
            _int_or_text(new.get("number")),
            new.get("heading") or old.get("heading") or "",
            Diff(diff.heading) if diff.heading else "",
            DIFF_LABELS[diff.status],
            Diff(diff.segments) if body_changed else "",
        ))
    return Table(
        name=f"edition-diff-{_slug(old_edition)}-{_slug(new_edition)}",
        title=f"特記事項の版の比較 {old_edition} → {new_edition}",
        # Unique headers: a CSV column is named by its header (datapackage.json).
        headers=(f"{old_edition} の条項", f"{old_edition} の番号", f"{new_edition} の条項", f"{new_edition} の番号",
                 "見出し", "見出しの変更（〔－削除〕〔＋追加〕）", "変更", "変更箇所（〔－削除〕〔＋追加〕）"),
        rows=tuple(rows),
    )


def edition_pairs(needs: Needs) -> list[tuple[str, str]]:
    """(older, newer) for every edition that ``revises`` another."""
    return sorted(
        (old, e["id"]) for e in of_type(needs, "edition") for old in links(e, "revises")
        if old in needs
    )


# ------------------------------------------------------------ all tables


@_indexed
def case_tables(needs: Needs, case_id: str) -> list[Table]:
    return [
        case_matrix(needs, case_id),
        coverage_table(needs, case_id),
        coverage_summary_table(needs, case_id),
    ]


@_indexed
def cross_tables(needs: Needs) -> list[Table]:
    return [
        clause_summary_table(needs),
        checkitem_summary_table(needs),
        data_summary_table(needs),
        clause_case_table(needs),
        checkitem_case_table(needs),
        data_case_table(needs),
        data_work_table(needs),
        trace_long_table(needs),
        *(edition_diff_table(needs, old, new) for old, new in edition_pairs(needs)),
    ]


def all_tables(needs: Needs) -> list[Table]:
    """Every matrix of the site, per case then across cases."""
    needs = index(needs)
    return [t for c in cases(needs) for t in case_tables(needs, c["id"])] + cross_tables(needs)

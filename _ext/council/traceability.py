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


#: The last needs mapping and its needs by type (see _children_index).
_TYPE_INDEX: tuple[Needs, dict[str, list[Mapping[str, Any]]]] | None = None


def of_type(needs: Needs, need_type: str) -> list[Mapping[str, Any]]:
    """The needs of one type, indexed once per needs mapping (called per case)."""
    global _TYPE_INDEX
    if _TYPE_INDEX is None or _TYPE_INDEX[0] is not needs or sum(map(len, _TYPE_INDEX[1].values())) != len(needs):
        index: dict[str, list[Mapping[str, Any]]] = {}
        for need in needs.values():
            index.setdefault(need.get("type"), []).append(need)
        _TYPE_INDEX = (needs, index)
    return list(_TYPE_INDEX[1].get(need_type, []))


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


#: The last needs mapping and its children by parent ID (``part_of``), sorted by ID.
#: Holding the mapping keeps its identity valid; one build has one needs view.
_CHILDREN_INDEX: tuple[Needs, dict[str, list[Mapping[str, Any]]]] | None = None


def _children_index(needs: Needs) -> dict[str, list[Mapping[str, Any]]]:
    """Children of every need, built once per needs mapping (linear, not per call)."""
    global _CHILDREN_INDEX
    if _CHILDREN_INDEX is None or _CHILDREN_INDEX[0] is not needs or len(_CHILDREN_INDEX[0]) != len(needs):
        index: dict[str, list[Mapping[str, Any]]] = {}
        for need in needs.values():
            for parent in links(need, "part_of"):
                index.setdefault(parent, []).append(need)
        for kids in index.values():
            kids.sort(key=lambda n: n["id"])
        _CHILDREN_INDEX = (needs, index)
    return _CHILDREN_INDEX[1]


def children(needs: Needs, parent_id: str, types: Iterable[str]) -> list[Mapping[str, Any]]:
    wanted = set(types)
    return [n for n in _children_index(needs).get(parent_id, []) if n.get("type") in wanted]


def works(needs: Needs, case_id: str) -> list[Mapping[str, Any]]:
    """The entrustments and developments of a case."""
    return children(needs, case_id, WORK_TYPES)


def is_retrospective(case: Mapping[str, Any]) -> bool:
    """A case written before the checklist form is measured against it only for reference."""
    return case.get("form") != "チェックリスト"


def case_title(case: Mapping[str, Any]) -> str:
    """Column heading of a case in cross-case matrices."""
    suffix = "（遡及・参考）" if is_retrospective(case) else ""
    return f"{case['id']}{suffix}"


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class Table:
    """A matrix as reader-facing rows of text; cells may name need IDs."""

    name: str  # file stem of the export, ASCII
    title: str  # Japanese caption
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: Index of the column holding a coverage state label, if any.
    status_columns: tuple[int, ...] = ()

    def column(self, header: str) -> list[str]:
        index = self.headers.index(header)
        return [row[index] for row in self.rows]


def _ids(values: Iterable[str]) -> str:
    return ", ".join(values)


# ------------------------------------------------------ per-case matrix


def clause_label(needs: Needs, clause_id: str) -> str:
    clause = needs.get(clause_id) or {}
    heading = clause.get("heading")
    return f"{clause_id} {heading}" if heading else clause_id


def edition_label(needs: Needs, edition_id: str) -> str:
    edition = needs.get(edition_id) or {}
    label = edition.get("label")
    return f"{edition_id} {label}" if label else edition_id


def case_matrix(needs: Needs, case_id: str) -> Table:
    """One row per safeguard: its checklist items, clauses and their edition."""
    rows = []
    for work in works(needs, case_id):
        for sg in children(needs, work["id"], ("safeguard",)):
            clause_ids = links(sg, "binds")
            editions = sorted({e for c in clause_ids for e in links(needs.get(c) or {}, "part_of")})
            rows.append((
                sg["id"],
                work["id"],
                sg.get("actor") or "",
                sg.get("aspect") or "",
                str(sg.get("number") or ""),
                sg.get("title") or "",
                _ids(links(sg, "satisfies")),
                _ids(clause_label(needs, c) for c in clause_ids),
                _ids(edition_label(needs, e) for e in editions),
            ))
    return Table(
        name=f"{_slug(case_id)}-trace",
        title=f"{case_id} 情報保護対策 → チェックリスト項目 → 特記事項の条項",
        headers=("情報保護対策", "業務委託・開発", "実施主体", "種別", "原典の番号", "見出し",
                 "チェックリスト項目", "特記事項の条項", "特記事項の版"),
        rows=tuple(rows),
    )


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


def _checkitem_columns(item: Mapping[str, Any]) -> tuple[str, ...]:
    """The columns that identify a checklist item in every coverage table."""
    return tuple(item.get(k) or "" for k in ("id", "actor", "aspect", "category", "title"))


def coverage_table(needs: Needs, case_id: str) -> Table:
    cov = coverage(needs, case_id)
    rows = []
    for item_cov in cov.items:
        item = needs[item_cov.checkitem]
        rows.append((
            *_checkitem_columns(item),
            STATUS_LABELS[item_cov.status],
            _ids(item_cov.safeguards),
            _ids(item_cov.exemptions),
            " / ".join(r for r in item_cov.reasons if r),
        ))
    prefix = f"{RETROSPECTIVE_LABEL} " if cov.retrospective else ""
    return Table(
        name=f"{_slug(case_id)}-coverage",
        title=f"{prefix}{case_id} チェックリストの充足状況",
        headers=("チェックリスト項目", "実施主体", "種別", "安全管理措置の区分", "項目",
                 "状態", "対応する情報保護対策", "対策不要（－）", "対策不要の理由"),
        rows=tuple(rows),
        status_columns=(5,),
    )


def coverage_summary_table(needs: Needs, case_id: str) -> Table:
    """Figures per safety-management category, the whole case and each work item."""
    cov = coverage(needs, case_id)

    def row(label: str, fig: Figures) -> tuple[str, ...]:
        return (label, str(fig.total), str(fig.covered), str(fig.not_applicable),
                str(fig.gaps), fig.ratio, fig.percent)

    rows = [row(f"{c}安全管理措置", cov.figures(c)) for c in CATEGORIES if cov.categories.get(c)]
    rows.append(row(f"合計（{case_id}）", cov.figures()))
    work_list = works(needs, case_id)
    if len(work_list) > 1:
        rows.extend(row(f"うち {w['id']}", coverage(needs, case_id, w["id"]).figures()) for w in work_list)
    prefix = f"{RETROSPECTIVE_LABEL} " if cov.retrospective else ""
    return Table(
        name=f"{_slug(case_id)}-coverage-summary",
        title=f"{prefix}{case_id} 充足状況の集計",
        headers=("区分", "項目数", "対策あり", "対策不要", "未対応", "充足（対策あり/対象項目）", "充足率"),
        rows=tuple(rows),
    )


# ------------------------------------------------------ cross-case views


def clause_case_table(needs: Needs) -> Table:
    """Which cases bind each clause, through which safeguards."""
    case_list = cases(needs)
    work_case = {w["id"]: c["id"] for c in case_list for w in works(needs, c["id"])}
    binding: dict[tuple[str, str], list[str]] = {}
    for sg in of_type(needs, "safeguard"):
        case_id = next((work_case[p] for p in links(sg, "part_of") if p in work_case), None)
        if case_id is None:
            continue
        for clause_id in links(sg, "binds"):
            binding.setdefault((clause_id, case_id), []).append(sg["id"])
    clauses = sorted(
        of_type(needs, "clause"),
        key=lambda n: (links(n, "part_of")[:1], _number(n), n["id"]),
    )
    rows = []
    for clause in clauses:
        cells = [_ids(sorted(binding.get((clause["id"], c["id"]), []))) for c in case_list]
        rows.append((
            clause["id"],
            _ids(edition_label(needs, e) for e in links(clause, "part_of")),
            str(clause.get("number") or ""),
            clause.get("heading") or "",
            *cells,
            str(sum(bool(cell) for cell in cells)),
        ))
    return Table(
        name="clause-case",
        title="特記事項の条項 × 案件",
        headers=("条項", "版", "番号", "見出し", *(c["id"] for c in case_list), "案件数"),
        rows=tuple(rows),
    )


def checkitem_case_table(needs: Needs) -> Table:
    """Coverage state of every checklist item in every case (a heat map)."""
    case_list = cases(needs)
    coverages = [coverage(needs, c["id"]) for c in case_list]
    rows = []
    for item in checkitems(needs):
        rows.append((
            *_checkitem_columns(item),
            *(STATUS_LABELS[cov.status_of(item["id"]).status] for cov in coverages),
        ))
    return Table(
        name="checkitem-case",
        title="チェックリスト項目 × 案件",
        headers=("チェックリスト項目", "実施主体", "種別", "安全管理措置の区分", "項目",
                 *(case_title(c) for c in case_list)),
        rows=tuple(rows),
        status_columns=tuple(range(5, 5 + len(case_list))),
    )


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


def data_work_table(needs: Needs) -> Table:
    """The kinds of personal data of each entrustment/development."""
    rows = []
    for case in cases(needs):
        for work in works(needs, case["id"]):
            text = work.get("data_items") or ""
            found = classify_data_items(text)
            reference = data_reference(text)
            rows.append((
                work["id"],
                case["id"],
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


def data_case_table(needs: Needs) -> Table:
    """Which cases hand which kinds of personal data, through which work items."""
    case_list = cases(needs)
    found: dict[tuple[str, str], list[str]] = {}
    unlisted: dict[str, list[str]] = {}
    for case in case_list:
        for work in works(needs, case["id"]):
            text = work.get("data_items") or ""
            if data_reference(text):
                unlisted.setdefault(case["id"], []).append(work["id"])
            for kind in classify_data_items(text):
                found.setdefault((kind, case["id"]), []).append(work["id"])
    rows = [
        (kind, *(_ids(found.get((kind, c["id"]), [])) for c in case_list))
        for kind in (*DATA_KINDS, OTHER_KIND)
    ]
    rows.append(("項目の記載なし（別資料）", *(_ids(unlisted.get(c["id"], [])) for c in case_list)))
    return Table(
        name="data-case",
        title="個人情報の種類 × 案件",
        headers=("個人情報の種類", *(c["id"] for c in case_list)),
        rows=tuple(rows),
    )


# ------------------------------------------------------- edition diff


ADDED, REMOVED, REWORDED, UNCHANGED = "added", "removed", "reworded", "unchanged"
DIFF_LABELS = {ADDED: "追加", REMOVED: "削除", REWORDED: "文言の変更", UNCHANGED: "変更なし"}


@dataclass(frozen=True)
class ClauseDiff:
    status: str
    old: str | None  # clause ID in the older edition
    new: str | None  # clause ID in the newer edition
    #: ``(op, text)`` with op ``equal`` / ``delete`` / ``insert``.
    segments: tuple[tuple[str, str], ...] = ()


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
        status = UNCHANGED if all(op == "equal" for op, _ in segments) else REWORDED
        result.append(ClauseDiff(status, old["id"], clause["id"], segments))
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
        rows.append((
            diff.old or "",
            str(old.get("number") or ""),
            diff.new or "",
            str(new.get("number") or ""),
            new.get("heading") or old.get("heading") or "",
            DIFF_LABELS[diff.status],
            marked_text(diff.segments) if diff.status != UNCHANGED else "",
        ))
    return Table(
        name=f"edition-diff-{_slug(old_edition)}-{_slug(new_edition)}",
        title=f"特記事項の版の比較 {old_edition} → {new_edition}",
        # Unique headers: a CSV column is named by its header (datapackage.json).
        headers=(f"{old_edition} の条項", f"{old_edition} の番号", f"{new_edition} の条項", f"{new_edition} の番号", "見出し",
                 "変更", "変更箇所（〔－削除〕〔＋追加〕）"),
        rows=tuple(rows),
    )


def edition_pairs(needs: Needs) -> list[tuple[str, str]]:
    """(older, newer) for every edition that ``revises`` another."""
    return sorted(
        (old, e["id"]) for e in of_type(needs, "edition") for old in links(e, "revises")
        if old in needs
    )


# ------------------------------------------------------------ all tables


def case_tables(needs: Needs, case_id: str) -> list[Table]:
    return [
        case_matrix(needs, case_id),
        coverage_table(needs, case_id),
        coverage_summary_table(needs, case_id),
    ]


def cross_tables(needs: Needs) -> list[Table]:
    return [
        clause_case_table(needs),
        checkitem_case_table(needs),
        data_case_table(needs),
        data_work_table(needs),
        *(edition_diff_table(needs, old, new) for old, new in edition_pairs(needs)),
    ]


def all_tables(needs: Needs) -> list[Table]:
    """Every matrix of the site, per case then across cases."""
    return [t for c in cases(needs) for t in case_tables(needs, c["id"])] + cross_tables(needs)

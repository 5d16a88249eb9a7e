"""The traces themselves: each safeguard with the checklist items it satisfies
and the clauses it binds, per case (the case's matrix) and for the whole site
in long format (one row per safeguard × checklist item × clause)."""

from __future__ import annotations

from council.model.need_index import Needs, cases, fiscal_year, indexed, links, measures, works
from council.views.cells import Ref, Refs, Table, int_or_text, refs, slug
from council.views.coverage import RETROSPECTIVE_LABEL, is_retrospective
from council.views.labels import clause_label, clause_title, edition_label, full_text


def case_matrix_name(case_id: str) -> str:
    """The name (and export file stem) of a case's matrix, without making the matrix."""
    return f"{slug(case_id)}-trace"


@indexed
def case_matrix(needs: Needs, case_id: str) -> Table:
    """One row per safeguard: its checklist items, clauses and their edition."""
    rows = []
    for work in works(needs, case_id):
        for sg in measures(needs, work["id"]):
            clause_ids = links(sg, "binds")
            editions = sorted({e for c in clause_ids for e in links(needs.get(c) or {}, "part_of")})
            rows.append((
                Refs([Ref(sg["id"], full_text(sg))]),
                Refs([Ref(work["id"], str(work.get("title") or ""))]),
                sg.get("actor") or "",
                sg.get("aspect") or "",
                int_or_text(sg.get("number")),
                sg.get("title") or "",
                refs(needs, links(sg, "satisfies"), label=full_text),
                refs(needs, clause_ids, label=clause_title, exported=lambda n: clause_label(needs, n["id"])),
                refs(needs, editions, label=lambda n: edition_label(needs, n["id"]),
                     exported=lambda n: edition_label(needs, n["id"])),
            ))
    title = needs.model.type_title
    roles = needs.roles
    measure = "・".join(title(t) for t in roles.measures)
    item, clause, edition = title(roles.checkitem), title(roles.clause), title(roles.edition)
    return Table(
        name=case_matrix_name(case_id),
        title=f"{case_id} {measure} → {item} → {clause}",
        headers=(measure, "業務委託・開発", "実施主体", "種別", "原典の番号", "見出し",
                 item, clause, edition),
        rows=tuple(rows),
        page_hidden=(5,),  # the measure's text names the row
    )


@indexed
def trace_long_table(needs: Needs) -> Table:
    """Every trace in long format: one row per safeguard × checklist item × clause."""
    rows = []
    for case in cases(needs):
        for work in works(needs, case["id"]):
            for sg in measures(needs, work["id"]):
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
                            int_or_text(sg.get("number")),
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
    title = needs.model.type_title
    roles = needs.roles
    measure = "・".join(title(t) for t in roles.measures)
    item, clause = title(roles.checkitem), title(roles.clause)
    return Table(
        name="trace-long",
        title=f"{measure}・{item}・{clause}（縦持ち形式）",
        headers=(title(roles.case), "案件名", "開始年度", "担当部課", "業務委託・開発", measure, "原典の番号",
                 "実施主体", "種別", "対策の本文", item, "項目の本文", "条項",
                 "条項の見出し", title(roles.edition), "分析の種類"),
        rows=tuple(rows),
    )

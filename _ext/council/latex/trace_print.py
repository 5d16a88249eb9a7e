"""A case's traceability section in print: tables in place of the web's graph and matrices.

The web page shows the trace as a graph and as wide matrices of IDs in their
own scroll regions. A page cannot scroll: printed, the graph's labels shrink
below legibility and the matrices squeeze Japanese into columns a few
characters wide. The PDF therefore gives the same facts as tables made for
the page, with names rather than IDs:

- the coverage summary: per safety-management category, the whole case and
  each work item;
- per work item (委託/開発), each measure and the checklist items and clauses
  it relies on (this replaces the graph and the measure matrix); items and
  clauses link into the appendix, measures to their text;
- the checklist, each item with its full text, its state and the measures
  that meet it or the reason it does not apply (the coverage matrix).

Each table has a few columns of given widths, repeats its header on every
page it runs over and is numbered as in the case's volume.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docutils import nodes

from council.latex.record_layout import (
    APPENDIX_PREFIX, checkitem_label, clause_name, estimate_box, estimate_mark,
    internal_ref, joined, measure_label, measure_place, para, print_table, text_paragraphs, work_label,
)
from council.views import traceability as tr

#: Column widths (in proportion) of the printed tables.
SUMMARY_WIDTHS = [30, 10, 10, 10, 10, 18, 10]
RELIANCE_WIDTHS = [21, 33, 46]
CHECKLIST_WIDTHS = [50, 11, 39]


class TracePrint:
    """The traceability section of one case, from the needs data."""

    def __init__(self, needs: Mapping[str, Any], case: Mapping[str, Any],
                 works: list[Mapping[str, Any]], cited: set[str]) -> None:
        self.needs = needs
        self.case = case
        self.works = works
        #: IDs of the clauses and checklist items printed in the case's appendix
        self.cited = cited

    def section(self) -> list[nodes.Node]:
        cov = tr.coverage(self.needs, self.case["id"])
        fig = cov.figures()
        result: list[nodes.Node] = []
        if cov.retrospective:
            result.append(estimate_box(tr.RETROSPECTIVE_LABEL, "：この案件の資料はチェックリストより前の"
                                       "記述様式です。以下は、本サイトが各対策に付した対応に基づき、"
                                       "後からチェックリストに照らした参考の分析です。"))
        result.append(para(
            f"チェックリスト {fig.total} 項目のうち、対策あり {fig.covered} 項目、対策不要 "
            f"{fig.not_applicable} 項目、未対応 {fig.gaps} 項目（充足 {fig.ratio}、{fig.percent}）。"))
        result.append(self.summary(cov))
        for work in self.works:
            result.append(self.reliance(work))
        result.append(self.checklist(cov))
        return result

    def _anchor(self) -> str:
        return self.case["id"].lower().replace("_", "-")

    # -- the tables ----------------------------------------------------------
    def summary(self, cov: tr.Coverage) -> nodes.Node:
        """Figures per category, for the case and for each of its work items."""
        def row(label: str, fig: tr.Figures) -> list[list[nodes.Node]]:
            return [[nodes.Text(str(v))] for v in
                    (label, fig.total, fig.covered, fig.not_applicable, fig.gaps, fig.ratio, fig.percent)]

        rows = [row(f"{c}安全管理措置", cov.figures(c)) for c in tr.index(self.needs).model.field_values("category")
                if cov.categories.get(c)]
        rows.append(row("合計", cov.figures()))
        if len(self.works) > 1:
            rows += [row(f"うち {work_label(w)}", tr.coverage(self.needs, self.case["id"], w["id"]).figures())
                     for w in self.works]
        return print_table(
            ["区分", "項目数", "対策あり", "対策不要", "未対応", "充足（対策あり/対象項目）", "充足率"],
            SUMMARY_WIDTHS, rows, title="充足状況の集計", ids=[f"print-summary-{self._anchor()}"])

    def reliance(self, work: Mapping[str, Any]) -> nodes.Node:
        """Each measure of *work* and the checklist items and clauses it relies on."""
        rows = []
        for sg in sorted(tr.children(self.needs, work["id"], ("safeguard",)), key=_source_order):
            place: list[nodes.Node] = [internal_ref(sg["id"], measure_place(sg))]
            if sg.get("trace") == "提案":
                place += [nodes.Text(" "), estimate_mark()]
            items = [self._cited(i, checkitem_label(self.needs[i]).removeprefix("チェックリスト "))
                     for i in tr.links(sg, "satisfies") if i in self.needs]
            clauses = [self._cited(c, clause_name(self.needs[c]))
                       for c in tr.links(sg, "binds") if c in self.needs]
            rows.append([place, _lines(items), _lines(clauses)])
        editions = "、".join(tr.edition_name(self.needs, e) for e in tr.links(work, "terms"))
        title = f"{work_label(work)} の対策が依拠する項目・条項"
        if editions:
            title += f"（特記事項 {editions}）"
        model = tr.index(self.needs).model
        headers = ["対策", *(model.type_title(kind) for kind in (model.roles.checkitem, model.roles.clause))]
        return print_table(headers, RELIANCE_WIDTHS, rows,
                           title=title, ids=[f"print-reliance-{work['id'].lower().replace('_', '-')}"])

    def checklist(self, cov: tr.Coverage) -> nodes.Node:
        """Every checklist item: its full text, its state, and what meets it."""
        rows = []
        for item_cov in cov.items:
            item = self.needs[item_cov.checkitem]
            label = checkitem_label(item).removeprefix("チェックリスト ")
            head = para(self._cited(item["id"], nodes.strong(label, label)))
            text = text_paragraphs(item.get("content", "")) or [para(tr.full_text(item))]
            cited_by = sorted((self.needs[i] for i in item_cov.safeguards if i in self.needs), key=self._order)
            measures = [internal_ref(sg["id"], measure_label(self.needs, sg)) for sg in cited_by]
            met: list[nodes.Node] = []
            if measures:
                met.append(para(*joined(measures)))
            for reason in item_cov.reasons:
                met.append(para(f"対策不要：{reason}" if reason else "対策不要"))
            rows.append([[head, *text], [nodes.Text(str(tr.Status(item_cov.status)))], met or [para("－")]])
        title = "チェックリスト項目ごとの充足状況"
        if cov.retrospective:
            title += f"（{tr.RETROSPECTIVE_LABEL}）"
        return print_table(["チェックリスト項目", "状態", "対応する対策・対策不要の理由"], CHECKLIST_WIDTHS,
                           rows, title=title, ids=[f"print-checklist-{self._anchor()}"])

    def _order(self, sg: Mapping[str, Any]) -> tuple[int, int]:
        """Measures in the order the case prints them: by work item, then as in the source."""
        work = (sg.get("part_of") or [""])[0]
        index = next((n for n, w in enumerate(self.works) if w["id"] == work), len(self.works))
        return index, _source_order(sg)

    def _cited(self, need_id: str, label: str | nodes.Node) -> nodes.Node:
        """*label*, a link to the need's text in the appendix when the appendix prints it."""
        node = nodes.Text(label) if isinstance(label, str) else label
        return internal_ref(APPENDIX_PREFIX + need_id, node) if need_id in self.cited else node


def _source_order(need: Mapping[str, Any]) -> int:
    """Where a need stands on its page (the measures' order in the source)."""
    return int(need.get("lineno") or 0)


def _lines(items: list[nodes.Node]) -> list[nodes.Node]:
    """One paragraph per item (a cell's list of names)."""
    return [para(item) for item in items] or [para("－")]


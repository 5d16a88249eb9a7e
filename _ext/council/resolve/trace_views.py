"""The traceability views that replace the placeholders of ``council.directives.trace``.

When a page is written, every need of the project is known: each
:class:`~council.directives.trace.trace_placeholder` becomes its view, made
of the nodes of :class:`~council.resolve.view_nodes.ViewNodes`: a case's
coverage, matrices, graph and downloads (``case-trace``), a cross-case
summary, the comparison of cases or the list of exports (``trace-matrix``),
the comparison of two clause editions (``edition-diff``).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from council.directives.trace import (
    CROSS_VIEWS, VIEW_GRIDS, expandable, expandable_summary, trace_placeholder,
)
from council.model.need_index import need_index
from council.resolve.order import priority
from council.resolve.placeholders import PlaceholderResolver
from council.resolve.view_nodes import EXPORT_DIR, ViewNodes
from council.views import traceability as tr
from council.views.graph import graph_node

logger = logging.getLogger(__name__)

#: The data of the comparison page's script, beside the other exports.
COMPARE_DATA = f"{EXPORT_DIR}/compare.json"
COMPARE_SCRIPT = "council-compare.js"
_COMPARE_PAGES = "_council_compare_pages"


class TraceViews(ViewNodes):
    """The views of the traceability directives, on one page."""

    def case(self, case_id: str) -> list[nodes.Node]:
        """Reviewer material of a case page: coverage figures, the tables (each in
        its own scroll region on HTML), the graph and the downloads."""
        from council.html.elements import scroll_wrap

        case = self.needs[case_id]
        tables = tr.case_tables(self.needs, case_id)
        matrix, cov_table, summary = tables
        result: list[nodes.Node] = []
        if tr.is_retrospective(case):
            note = nodes.admonition(classes=["warning", "council-retrospective"])
            note += nodes.title(tr.RETROSPECTIVE_LABEL, tr.RETROSPECTIVE_LABEL)
            note += nodes.paragraph("", (
                "この案件の資料は、業務委託にかかる個人情報保護対策チェックリストより前の"
                "記述様式です。以下の充足状況は、本サイトが各対策に付したチェックリスト項目との"
                "対応に基づき、この案件を後からチェックリストに照らした参考の分析です。"
                "「未対応」は、原典の記述に対応する対策が見当たらないことを示し、"
                "当時の区の対策の不備を意味するものではありません。"
            ))
            result.append(note)
        figures = tr.coverage(self.needs, case_id).figures()
        result.append(nodes.paragraph("", (
            f"チェックリスト {figures.total} 項目のうち、対策あり {figures.covered} 項目、"
            f"対策不要 {figures.not_applicable} 項目、未対応 {figures.gaps} 項目"
            f"（充足 {figures.ratio}、{figures.percent}）。"
        ), classes=["council-coverage-figure"]))
        for heading, table in (("充足状況の集計", summary),
                               ("情報保護対策 → チェックリスト項目 → 特記事項の条項", matrix),
                               ("チェックリスト項目ごとの充足状況", cov_table)):
            result.append(nodes.rubric("", heading))
            rendered = self.table(table)
            result.append(scroll_wrap(rendered, table.title) if self.html else rendered)
        result.append(nodes.rubric("", "トレーサビリティ図"))
        result.append(nodes.paragraph("", (
            "案件 → 業務委託・開発 → 情報保護対策 → チェックリスト項目・特記事項の条項の順に"
            "結び付きを示します。"
        )))
        graph = graph_node(self.needs, case_id, self.docname)
        result.append(scroll_wrap(graph, "トレーサビリティ図") if self.html else graph)
        result.append(nodes.rubric("", "ダウンロード"))
        result += self.downloads(tables)
        return result

    def cross(self, view: str) -> list[nodes.Node]:
        table = CROSS_VIEWS[view](self.needs)
        grid = VIEW_GRIDS[view](self.needs)
        result: list[nodes.Node] = []
        if table.note:
            result.append(nodes.paragraph("", table.note, classes=["council-retrospective-note"]))
        result.append(self.table(table))
        result.append(nodes.paragraph("", (
            "案件ごとの列をもつ表（すべての案件 × すべての行）は、次の CSV・XLSX で提供します。"
            "見出し行と1列目を固定し、案件名を列見出しに、本文を省略せずに収めています。"
        )))
        extra = [tr.data_work_table(self.needs)] if view == "data-summary" else [tr.trace_long_table(self.needs)]
        result += self.downloads([table, grid, *extra])
        return result

    def compare(self) -> list[nodes.Node]:
        """The newest cases side by side; a script (``council-compare.js``) lets readers
        choose up to four cases, filtered by year and department, from ``compare.json``."""
        chosen = tr.default_comparison(self.needs)
        result: list[nodes.Node] = []
        controls = nodes.container(ids=["council-compare-controls"], classes=["council-compare-controls"])
        result.append(controls)
        result.append(nodes.paragraph("", (
            f"案件を選ばないときは、開始年度の新しい {len(chosen)} 件を比較しています。"
            "案件の選択にはブラウザーのスクリプトを使います。スクリプトを使えないときは、"
            "すべての案件の表（CSV・XLSX）をご利用ください。"
        ), classes=["council-compare-default"]))
        table = tr.compare_table(self.needs, chosen)
        result.append(nodes.container("", self.table(table), ids=["council-compare-result"]))
        grid = tr.checkitem_case_table(self.needs)
        result += self.downloads([grid], [(COMPARE_DATA, "比較用のデータ（JSON）")])
        if self.html:
            pages = getattr(self.app, _COMPARE_PAGES, set())
            pages.add(self.docname)
            setattr(self.app, _COMPARE_PAGES, pages)
        return result

    def exports(self) -> list[nodes.Node]:
        """The cross-case tables, then each case's tables under its fiscal year (closed)."""
        result: list[nodes.Node] = [nodes.rubric("", "案件を横断する表")]
        result += self.downloads(tr.cross_tables(self.needs), [
            ("needs.json", "サイト全体の needs.json"), (COMPARE_DATA, "案件の比較用のデータ（JSON）")])
        result.append(nodes.rubric("", "案件ごとの表"))
        case_count = len(tr.cases(self.needs))
        outer = expandable(classes=["council-case-downloads"])
        outer += expandable_summary("", f"案件ごとの表（{case_count}件、開始年度別）")
        result.append(outer)
        by_year: dict[int | None, list] = {}
        for case in tr.cases(self.needs):
            by_year.setdefault(tr.fiscal_year(case), []).append(case)
        for year in sorted(by_year, key=lambda y: -(y or 0)):
            box = expandable(classes=["council-year-downloads"])
            label = f"{year}年度" if year else "年度不明"
            box += expandable_summary("", f"{label}（{len(by_year[year])}件）")
            items = nodes.bullet_list()
            for case in by_year[year]:
                item = nodes.list_item()
                item += nodes.paragraph("", "", self.ref(tr.Ref(case["id"], str(case.get("title") or ""))))
                item += self.downloads(tr.case_tables(self.needs, case["id"]), html_only=True)
                items += item
            box += items
            outer += box
        return result

    def edition_diff(self, old: str, new: str) -> list[nodes.Node]:
        table = tr.edition_diff_table(self.needs, old, new)
        diffs = tr.edition_diff(self.needs, old, new)
        counts = {label: sum(d.status == key for d in diffs) for key, label in tr.DIFF_LABELS.items()}
        summary = "、".join(f"{label} {n} 条項" for label, n in counts.items())
        return [
            nodes.paragraph("", (
                f"{tr.edition_label(self.needs, old)} → {tr.edition_label(self.needs, new)}: {summary}。"
                "見出しと条文の変更箇所は〔－削除された文字〕〔＋追加された文字〕で示します。"
            )),
            self.table(table),
            *self.downloads([table]),
        ]


class ResolveTraceViews(PlaceholderResolver):
    """Every ``trace_placeholder`` of the page becomes its view (an unknown ID a warning)."""

    default_priority = priority("trace-views")
    placeholders = (trace_placeholder,)

    def context(self) -> tr.NeedIndex:
        return need_index(self.app)

    def content(self, node: nodes.Element, serial: int, needs: tr.NeedIndex) -> list[nodes.Node]:
        views = TraceViews(self.app, self.env.docname, needs)
        view, args = node["view"], node["args"]
        missing = [a for a in args if a not in needs]
        if missing:
            logger.warning(
                f"{node['directive']}: ID {', '.join(repr(m) for m in missing)} のニーズがありません",
                type="council", subtype="trace_unknown", location=node,
            )
            return []
        if view == "case":
            if needs[args[0]]["type"] != "case":
                logger.warning(f"case-trace: ID '{args[0]}' は案件 (case) ではありません",
                               type="council", subtype="trace_unknown", location=node)
                return []
            return views.case(args[0])
        if view == "edition-diff":
            return views.edition_diff(*args)
        if view == "exports":
            return views.exports()
        if view == "compare":
            return views.compare()
        return views.cross(view)


def page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """The comparison script, on the pages that compare cases only."""
    if pagename in getattr(app, _COMPARE_PAGES, set()):
        app.add_js_file(COMPARE_SCRIPT, loading_method="defer")

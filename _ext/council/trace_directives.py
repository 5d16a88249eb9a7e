"""Directives that show traceability matrices, coverage, graphs and diffs.

A directive only leaves a placeholder; at ``doctree-resolved``, when every
need of the project is known, the placeholder becomes neutral docutils nodes
(tables, rubrics, a ``graphviz`` node), so HTML and LaTeX both render them.

```{case-trace} CASE_ID``` per case page; ```{trace-matrix} VIEW``` for the
cross-case views (``clause-case``, ``checkitem-case``, ``data-case``,
``data-work``, ``exports``); ```{edition-diff} OLD NEW```.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode
from sphinx.util.osutil import relative_uri

from . import traceability as tr
from .graph import graph_node

logger = logging.getLogger(__name__)

EXPORT_DIR = "exports"
STATUS_CLASSES = {label: f"council-status-{key.replace('_', '-')}" for key, label in tr.STATUS_LABELS.items()}
_NEED_ID = re.compile(r"(?<![A-Za-z0-9_])([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])(?![A-Za-z0-9_])")
_DIFF_MARK = re.compile(r"〔([－＋])(.*?)〕", re.S)

CROSS_VIEWS: dict[str, Callable[[tr.Needs], tr.Table]] = {
    "clause-case": tr.clause_case_table,
    "checkitem-case": tr.checkitem_case_table,
    "data-case": tr.data_case_table,
    "data-work": tr.data_work_table,
}


class trace_placeholder(nodes.General, nodes.Element):
    """Replaced at doctree-resolved; never reaches a writer.

    Being a node of this package, it makes ``council.incremental`` rewrite its
    page whenever a page with needs changes, so matrices never go stale.
    """


class _TraceDirective(SphinxDirective):
    view = ""

    def placeholder(self, *args: str) -> list[nodes.Node]:
        node = trace_placeholder(view=self.view, args=list(args), directive=self.name)
        self.set_source_info(node)
        return [node]


class CaseTrace(_TraceDirective):
    """Matrix, coverage, graph and downloads of one case."""

    required_arguments = 1
    view = "case"

    def run(self) -> list[nodes.Node]:
        return self.placeholder(self.arguments[0])


class TraceMatrix(_TraceDirective):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if name not in (*CROSS_VIEWS, "exports"):
            raise self.error(
                f"trace-matrix: 表 '{name}' はありません（使える表: "
                f"{', '.join((*CROSS_VIEWS, 'exports'))}）"
            )
        self.view = name
        return self.placeholder()


class EditionDiff(_TraceDirective):
    required_arguments = 2
    view = "edition-diff"

    def run(self) -> list[nodes.Node]:
        return self.placeholder(*self.arguments)


# ------------------------------------------------------------ rendering


class _Renderer:
    def __init__(self, app: Sphinx, docname: str, needs: tr.Needs) -> None:
        self.app = app
        self.docname = docname
        self.needs = needs
        self.html = app.builder.format == "html"

    def text(self, text: str) -> list[nodes.Node]:
        """Text with every known need ID turned into a link to the need."""
        result: list[nodes.Node] = []
        pos = 0
        for match in _NEED_ID.finditer(text):
            need = self.needs.get(match.group(1))
            if not need or not need.get("docname"):
                continue
            if match.start() > pos:
                result.append(nodes.Text(text[pos:match.start()]))
            result.append(make_refnode(
                self.app.builder, self.docname, need["docname"], need["id"],
                nodes.literal(match.group(1), match.group(1)), need.get("title") or None,
            ))
            pos = match.end()
        if pos < len(text):
            result.append(nodes.Text(text[pos:]))
        return result

    def diff_text(self, text: str) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        pos = 0
        for match in _DIFF_MARK.finditer(text):
            if match.start() > pos:
                result.append(nodes.Text(text[pos:match.start()]))
            deleted = match.group(1) == "－"
            result.append(nodes.inline(
                match.group(0), match.group(0),
                classes=["council-diff-del" if deleted else "council-diff-ins"],
            ))
            pos = match.end()
        if pos < len(text):
            result.append(nodes.Text(text[pos:]))
        return result

    def table(self, table: tr.Table, diff_columns: tuple[int, ...] = ()) -> nodes.table:
        node = nodes.table(classes=["council-matrix"])
        # Captioned tables are numbered: each needs an ID, unique on its page.
        node["ids"].append(f"council-{table.name}")
        node += nodes.title(table.title, table.title)
        group = nodes.tgroup(cols=len(table.headers))
        node += group
        for header in table.headers:
            group += nodes.colspec(colwidth=max(4, min(30, len(header) * 2)))
        head = nodes.thead()
        group += head
        head += self._row(table.headers)
        body = nodes.tbody()
        group += body
        for row in table.rows:
            body += self._row(row, table.status_columns, diff_columns)
        return node

    def _row(self, cells: tuple[str, ...], status_columns: tuple[int, ...] = (),
             diff_columns: tuple[int, ...] = ()) -> nodes.row:
        row = nodes.row()
        for index, cell in enumerate(cells):
            entry = nodes.entry()
            if index in status_columns and cell in STATUS_CLASSES:
                entry["classes"].append(STATUS_CLASSES[cell])
            para = nodes.paragraph()
            para.extend(self.diff_text(cell) if index in diff_columns else self.text(cell))
            entry += para
            row += entry
        return row

    def downloads(self, tables: list[tr.Table], extra: list[tuple[str, str]] = ()) -> list[nodes.Node]:
        """Links to the CSV/XLSX of *tables* (HTML), or their file names (other builders)."""
        items = nodes.bullet_list()
        for table in tables:
            item = nodes.list_item()
            para = nodes.paragraph()
            para += nodes.Text(f"{table.title}: ")
            for n, ext in enumerate(("csv", "xlsx")):
                if n:
                    para += nodes.Text(" / ")
                para += self._file_link(f"{EXPORT_DIR}/{table.name}.{ext}", ext.upper())
            item += para
            items += item
        for path, label in extra:
            item = nodes.list_item()
            para = nodes.paragraph()
            para += nodes.Text(f"{label}: ")
            para += self._file_link(path, path.rsplit("/", 1)[-1])
            item += para
            items += item
        result: list[nodes.Node] = [items]
        if not self.html:
            result.insert(0, nodes.paragraph(
                "", "次のファイルは、ウェブ版のサイトからダウンロードできます。"))
        return result

    def _file_link(self, path: str, label: str) -> nodes.Node:
        if not self.html:
            return nodes.literal(path, path)
        uri = relative_uri(self.app.builder.get_target_uri(self.docname), path)
        return nodes.reference(label, label, refuri=uri, classes=["council-download"])

    # ---------------------------------------------------------- views

    def case(self, case_id: str) -> list[nodes.Node]:
        """Reviewer material of a case page: coverage figures, the tables (each in
        its own scroll region on HTML), the graph and the downloads."""
        from .case_page import scroll_wrap

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
        result: list[nodes.Node] = []
        if view == "checkitem-case":
            result.append(nodes.paragraph("", (
                "凡例: 「対策あり」＝対応する情報保護対策がある、「対策不要」＝原典が「－」"
                "（対策の必要がない）とした、「未対応」＝どちらでもない。"
                f"「（遡及・参考）」の列は、チェックリスト様式より前の案件の{tr.RETROSPECTIVE_LABEL}です。"
            )))
        result.append(self.table(table))
        result += self.downloads([table])
        return result

    def exports(self) -> list[nodes.Node]:
        return self.downloads(
            tr.all_tables(self.needs),
            [("needs.json", "サイト全体の needs.json")],
        )

    def edition_diff(self, old: str, new: str) -> list[nodes.Node]:
        table = tr.edition_diff_table(self.needs, old, new)
        diffs = tr.edition_diff(self.needs, old, new)
        counts = {label: sum(d.status == key for d in diffs) for key, label in tr.DIFF_LABELS.items()}
        summary = "、".join(f"{label} {n} 条項" for label, n in counts.items())
        return [
            nodes.paragraph("", (
                f"{tr.edition_label(self.needs, old)} → {tr.edition_label(self.needs, new)}: {summary}。"
                "変更箇所は〔－削除された文字〕〔＋追加された文字〕で示します。"
            )),
            self.table(table, diff_columns=(len(table.headers) - 1,)),
            *self.downloads([table]),
        ]


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(trace_placeholder))
    if not placeholders:
        return
    from sphinx_needs.data import SphinxNeedsData

    needs = SphinxNeedsData(app.env).get_needs_view()
    for node in placeholders:
        renderer = _Renderer(app, docname, needs)
        view, args = node["view"], node["args"]
        missing = [a for a in args if a not in needs]
        if missing:
            logger.warning(
                f"{node['directive']}: ID {', '.join(repr(m) for m in missing)} のニーズがありません",
                type="council", subtype="trace_unknown", location=node,
            )
            node.replace_self([])
            continue
        if view == "case":
            if needs[args[0]]["type"] != "case":
                logger.warning(f"case-trace: ID '{args[0]}' は案件 (case) ではありません",
                               type="council", subtype="trace_unknown", location=node)
                node.replace_self([])
                continue
            new = renderer.case(args[0])
        elif view == "edition-diff":
            new = renderer.edition_diff(*args)
        elif view == "exports":
            new = renderer.exports()
        else:
            new = renderer.cross(view)
        node.replace_self(new)


def setup_trace_directives(app: Sphinx) -> None:
    app.setup_extension("sphinx.ext.graphviz")
    app.add_node(trace_placeholder)
    app.add_directive("case-trace", CaseTrace)
    app.add_directive("trace-matrix", TraceMatrix)
    app.add_directive("edition-diff", EditionDiff)
    app.connect("doctree-resolved", _resolve)
    app.add_css_file("council-trace.css")

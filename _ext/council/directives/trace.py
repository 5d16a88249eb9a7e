"""Directives that show traceability matrices, coverage, graphs and diffs.

A directive only leaves a placeholder; at ``doctree-resolved``, when every
need of the project is known, the placeholder becomes neutral docutils nodes
(tables, rubrics, a ``graphviz`` node), so HTML and LaTeX both render them.

```{case-trace} CASE_ID``` per case page; ```{trace-matrix} VIEW``` for the
cross-case views (``clause-summary``, ``checkitem-summary``, ``data-summary``,
``exports``); ```{edition-diff} OLD NEW```.

Cross-case views have one row per clause, checklist item or kind of data and
aggregate columns, whatever the number of cases; each row expands
(``expandable``: ``<details>`` in HTML, a plain block elsewhere) to the cases.
The grids with a column per case are only written to CSV/XLSX.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_needs.data import SphinxNeedsData
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode
from sphinx.util.osutil import relative_uri

from council.views import traceability as tr
from council.views.graph import graph_node

logger = logging.getLogger(__name__)

EXPORT_DIR = "exports"
#: Cell classes keyed by coverage state code (not by the label readers see).
STATUS_CLASSES = {key: f"council-status-{key.replace('_', '-')}" for key in tr.STATUS_LABELS}

CROSS_VIEWS: dict[str, Callable[[tr.Needs], tr.Table]] = {
    "clause-summary": tr.clause_summary_table,
    "checkitem-summary": tr.checkitem_summary_table,
    "data-summary": tr.data_summary_table,
}
#: The grid (exports only) offered beside each view's summary.
VIEW_GRIDS: dict[str, Callable[[tr.Needs], tr.Table]] = {
    "clause-summary": tr.clause_case_table,
    "checkitem-summary": tr.checkitem_case_table,
    "data-summary": tr.data_case_table,
}
#: Views of ``trace-matrix`` that are not one table.
OTHER_VIEWS = ("compare", "exports")
#: The data of the comparison page's script, beside the other exports.
COMPARE_DATA = f"{EXPORT_DIR}/compare.json"
COMPARE_SCRIPT = "council-compare.js"
_COMPARE_PAGES = "_council_compare_pages"

#: Years shown one by one in a row's strip; earlier years are added up in one block.
STRIP_YEARS = 6
#: Levels of the per-year bars (CSS classes council-level-0 .. council-level-5).
BAR_LEVELS = 5

_INDEX_ATTR = "_council_need_index"


def need_index(app: Sphinx) -> tr.NeedIndex:
    """The needs of this build, indexed once (reset when the environment is updated)."""
    cached = getattr(app, _INDEX_ATTR, None)
    if cached is None:
        from sphinx_needs.data import SphinxNeedsData

        cached = tr.NeedIndex(SphinxNeedsData(app.env).get_needs_view())
        setattr(app, _INDEX_ATTR, cached)
    return cached


def _reset_index(app: Sphinx, env) -> list[str]:
    setattr(app, _INDEX_ATTR, None)
    return []


class expandable(nodes.container):
    """A block that starts closed in HTML (``<details>``); other builders show it whole."""


class expandable_summary(nodes.paragraph):
    """The always visible line of an :class:`expandable` (``<summary>``)."""


def _visit_expandable(self, node: expandable) -> None:
    self.body.append(self.starttag(node, "details", CLASS="council-expandable"))


def _depart_expandable(self, node: expandable) -> None:
    self.body.append("</details>\n")


def _visit_summary(self, node: expandable_summary) -> None:
    self.body.append(self.starttag(node, "summary", ""))


def _depart_summary(self, node: expandable_summary) -> None:
    self.body.append("</summary>\n")


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


class CaseTraceSection(SphinxTransform):
    """Every case page gets its 「トレーサビリティ」 section, written or not.

    An author who forgets the ``case-trace`` directive (the importer did not
    write it) would publish a case without its coverage, matrix and graph;
    this adds the section at the end of the page for each case that has none.
    """

    # after sphinx-needs has made the need nodes of the page
    default_priority = 880

    def apply(self, **kwargs: Any) -> None:
        from sphinx_needs.nodes import Need

        needs = SphinxNeedsData(self.env).get_needs_mutable()
        shown = {node["args"][0] for node in self.document.findall(trace_placeholder)
                 if node.get("view") == "case" and node.get("args")}
        section = next(iter(self.document.findall(nodes.section)), None)
        for node in list(self.document.findall(Need)):
            need = needs.get(node["ids"][0]) if node["ids"] else None
            if need is None or need["type"] != "case" or need["id"] in shown or section is None:
                continue
            title = "トレーサビリティ"
            new = nodes.section("", nodes.title(title, title), ids=[f"council-trace-{need['id'].lower()}"],
                                names=[])
            placeholder = trace_placeholder(view="case", args=[need["id"]], directive="case-trace")
            placeholder.source, placeholder.line = node.source, node.line
            new += placeholder
            section += new
            shown.add(need["id"])


class TraceMatrix(_TraceDirective):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if name not in (*CROSS_VIEWS, *OTHER_VIEWS):
            raise self.error(
                f"trace-matrix: 表 '{name}' はありません（使える表: "
                f"{', '.join((*CROSS_VIEWS, *OTHER_VIEWS))}）"
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

    def ref(self, ref: tr.Ref) -> nodes.Node:
        """A link to a need, its label as text (the ID when it has none)."""
        need = self.needs.get(ref.id)
        label = ref.label or ref.id
        text: nodes.Node = nodes.Text(label) if ref.label else nodes.literal(label, label)
        if not need or not need.get("docname"):
            return text
        return make_refnode(self.app.builder, self.docname, need["docname"], need["id"], text,
                            ref.id if ref.label else (need.get("title") or None))

    def refs(self, refs: tr.Refs) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for n, ref in enumerate(refs):
            if n:
                result.append(nodes.Text(", "))
            result.append(self.ref(ref))
        return result

    def cell(self, value: tr.Cell) -> list[nodes.Node]:
        if isinstance(value, tr.Refs):
            return self.refs(value)
        if isinstance(value, tr.Diff):
            return self.diff(value.segments)
        return [nodes.Text(str(value))]

    def diff(self, segments) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for op, text in segments:
            if op == "equal":
                result.append(nodes.Text(text))
                continue
            marked = f"〔{'－' if op == 'delete' else '＋'}{text}〕"
            result.append(nodes.inline(marked, marked, classes=[
                "council-diff-del" if op == "delete" else "council-diff-ins"]))
        return result

    def case_list(self, refs: tr.Refs, label: str) -> nodes.Node:
        """The cases of a row, closed under 「label（n件）」."""
        box = expandable(classes=["council-row-cases"])
        box += expandable_summary("", f"{label}（{len(refs)}件）")
        items = nodes.bullet_list(classes=["council-case-list"])
        for ref in refs:
            items += nodes.list_item("", nodes.paragraph("", "", self.ref(ref)))
        box += items
        return box

    def strip(self, counts: list[int], headers: list[str]) -> list[nodes.Node]:
        """The per-year counts as one line of labelled numbers with a bar level each.

        At most :data:`STRIP_YEARS` years are shown one by one; the years before
        them are added up in one block 「〜YYYY」, so that a row stays the same
        size however many years the site covers (the exports have every year)."""
        labels = [h.removesuffix("年度") for h in headers]
        if len(counts) > STRIP_YEARS:
            cut = len(counts) - STRIP_YEARS + 1
            counts = [sum(counts[:cut]), *counts[cut:]]
            labels = [f"〜{labels[cut - 1]}", *labels[cut:]]
        top = max(counts, default=0)
        para = nodes.paragraph(classes=["council-year-strip"])
        for count, label in zip(counts, labels, strict=True):
            level = 0 if not count else max(1, round(BAR_LEVELS * count / top))
            year = nodes.inline(classes=["council-year", f"council-level-{level}"])
            year += nodes.inline("", label, classes=["council-year-label"])
            year += nodes.Text(" ")
            year += nodes.inline("", str(count), classes=["council-year-count"])
            para += year
            para += nodes.Text(" ")
        return [para]

    def table(self, table: tr.Table) -> nodes.table:
        """*table* as a docutils table: hidden columns left out, the year columns
        as one strip, the expand column as a closed list under the row header."""
        shown = [i for i in range(len(table.headers))
                 if i not in table.page_hidden and i not in table.strip and i != table.expand]
        headers = [table.headers[i] for i in shown]
        if table.strip:
            headers.append(table.strip_header)
        summary = bool(table.strip or table.expand is not None)
        labelled = summary and self.html  # the labels serve the stacked rows of a phone
        # A summary stacks its rows on a phone, each value with its column's label.
        node = nodes.table(classes=["council-matrix", *(["council-summary"] if summary else [])])
        # Captioned tables are numbered: each needs an ID, unique on its page.
        node["ids"].append(f"council-{table.name}")
        node += nodes.title(table.title, table.title)
        group = nodes.tgroup(cols=len(headers))
        node += group
        for n, header in enumerate(headers):
            spec = nodes.colspec(colwidth=max(4, min(30, len(header) * 2)))
            if n == 0 and table.row_headers:
                spec["stub"] = 1
            group += spec
        head = nodes.thead()
        group += head
        head += self._row([[nodes.Text(h)] for h in headers])
        body = nodes.tbody()
        group += body
        for row in table.rows:
            cells: list[list[nodes.Node]] = []
            classes: list[list[str]] = []
            for i in shown:
                content = self.cell(row[i])
                if labelled and i != shown[0]:
                    content = [nodes.inline("", table.headers[i], classes=["council-cell-label"]), *content]
                if i == shown[0] and table.expand is not None and row[table.expand]:
                    content = [nodes.paragraph("", "", *content), self.case_list(row[table.expand],
                                                                                 table.expand_label)]
                cells.append(content)
                value = row[i]
                classes.append([STATUS_CLASSES[value.code]] if isinstance(value, tr.Status) else [])
            if table.strip:
                label = nodes.paragraph("", "", nodes.inline("", table.strip_header, classes=["council-cell-label"]))
                cells.append([*([label] if labelled else []),
                              *self.strip([int(row[i]) for i in table.strip], [table.headers[i] for i in table.strip])])
                classes.append(["council-year-cell"])
            body += self._row(cells, classes)
        return node

    def _row(self, cells: list[list[nodes.Node]], classes: list[list[str]] | None = None) -> nodes.row:
        row = nodes.row()
        for index, content in enumerate(cells):
            entry = nodes.entry(classes=list((classes or [])[index:index + 1] and classes[index]))
            if content and all(isinstance(c, nodes.Body) and not isinstance(c, nodes.Inline) for c in content):
                entry.extend(content)
            else:
                entry += nodes.paragraph("", "", *content)
            row += entry
        return row

    def downloads(self, tables: list[tr.Table], extra: list[tuple[str, str]] = (),
                  html_only: bool = False) -> list[nodes.Node]:
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
        if not self.html and not html_only:
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


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(trace_placeholder))
    if not placeholders:
        return
    needs = need_index(app)
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
        elif view == "compare":
            new = renderer.compare()
        else:
            new = renderer.cross(view)
        node.replace_self(new)


#: Need types whose page lists the cases relying on them: the link followed, and the wording.
RELYING = {
    "clause": ("binds", "この条項に依拠する案件"),
    "checkitem": ("satisfies", "この項目に対応する案件"),
}


def relying_block(renderer: _Renderer, need) -> list[nodes.Node]:
    """The editions of a clause, and the cases relying on a clause or checklist item
    by fiscal year, each with excerpts of its safeguards linking to them."""
    needs = renderer.needs
    link, wording = RELYING[need["type"]]
    result: list[nodes.Node] = []
    if need["type"] == "clause":
        result += _editions_line(renderer, need)
    groups = tr.relying_cases(needs, need["id"], link)
    total = sum(len(cases) for _, cases in groups)
    if not total:
        result.append(nodes.paragraph("", f"{wording}はありません。", classes=["council-relying"]))
        return result
    if not renderer.html:
        # Printed volumes give the count; the list (which grows with the site) is on the web.
        result.append(nodes.paragraph("", f"{wording}: {total}件（一覧はウェブ版のこのページにあります）。",
                                      classes=["council-relying"]))
        return result
    box = expandable(classes=["council-relying"], ids=[f"{need['id']}-cases"])
    box += expandable_summary("", f"{wording}（{total}件）")
    for year, cases in groups:
        box += nodes.paragraph("", "", nodes.strong("", f"{year}年度（{len(cases)}件）" if year else
                                                    f"年度不明（{len(cases)}件）"),
                               classes=["council-relying-year"])
        items = nodes.bullet_list(classes=["council-case-list"])
        for relying in cases:
            case = relying.case
            item = nodes.list_item()
            item += nodes.paragraph("", "", renderer.ref(tr.Ref(case["id"], str(case.get("title") or ""))))
            measures = nodes.bullet_list(classes=["council-relying-measures"])
            for sg in relying.safeguards:
                measures += nodes.list_item("", nodes.paragraph("", "", renderer.ref(
                    tr.Ref(sg["id"], tr.excerpt(sg)))))
            item += measures
            items += item
        box += items
    result.append(box)
    return result


def _editions_line(renderer: _Renderer, clause) -> list[nodes.Node]:
    """「各版: 19項版 第10項 再委託の禁止 → 21項版 第10項 再委託の禁止」 when the clause has other editions."""
    needs = renderer.needs
    chain = [clause]
    seen = {clause["id"]}
    while True:  # older editions
        older = [p for p in tr.links(chain[0], "revises") if p in needs and p not in seen]
        if not older:
            break
        chain.insert(0, needs[older[0]])
        seen.add(older[0])
    while True:  # newer editions
        newer = [n for n in tr.index(needs).memo("revised_by", lambda: _revised_by(needs)).get(chain[-1]["id"], [])
                 if n not in seen]
        if not newer:
            break
        chain.append(needs[newer[0]])
        seen.add(newer[0])
    if len(chain) < 2:
        return []
    para = nodes.paragraph("", "各版の条項: ", classes=["council-clause-editions"])
    for n, version in enumerate(chain):
        if n:
            para += nodes.Text(" → ")
        editions = tr.links(version, "part_of")
        edition = tr.edition_name(needs, editions[0]) if editions else ""
        label = f"{edition} {tr.clause_title(version)}".strip()
        para += nodes.strong("", label) if version is clause else renderer.ref(tr.Ref(version["id"], label))
    return [para]


def _revised_by(needs) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for clause in tr.of_type(needs, "clause"):
        for old in tr.links(clause, "revises"):
            result.setdefault(old, []).append(clause["id"])
    return result


def _add_relying_cases(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """After each clause and checklist item, the cases relying on it (before the needs are laid out)."""
    from sphinx_needs.nodes import Need

    found = [n for n in doctree.findall(Need)]
    if not found:
        return
    needs = need_index(app)
    renderer = None
    for node in found:
        need = needs.get(node["ids"][0]) if node["ids"] else None
        if need is None or need.get("type") not in RELYING:
            continue
        renderer = renderer or _Renderer(app, docname, needs)
        parent = node.parent
        position = parent.index(node) + 1
        for offset, block in enumerate(relying_block(renderer, need)):
            parent.insert(position + offset, block)


class RelyingCases(SphinxPostTransform):
    """Adds the relying cases after each clause and checklist item.

    A post-transform, not a ``doctree-resolved`` handler: :mod:`council.html.render`
    replaces the need nodes in a post-transform (priority 600), which runs
    before any ``doctree-resolved`` handler."""

    default_priority = 590  # after references are resolved (10), before council.html.render (600)

    def run(self, **kwargs) -> None:
        _add_relying_cases(self.app, self.document, self.env.docname)


def _page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The comparison script, on the pages that compare cases only."""
    if pagename in getattr(app, _COMPARE_PAGES, set()):
        app.add_js_file(COMPARE_SCRIPT, loading_method="defer")


def setup_trace_directives(app: Sphinx) -> None:
    app.setup_extension("sphinx.ext.graphviz")
    app.add_node(trace_placeholder)
    app.add_node(expandable, html=(_visit_expandable, _depart_expandable))
    app.add_node(expandable_summary, html=(_visit_summary, _depart_summary))
    app.add_directive("case-trace", CaseTrace)
    app.add_transform(CaseTraceSection)
    app.add_directive("trace-matrix", TraceMatrix)
    app.add_directive("edition-diff", EditionDiff)
    app.connect("doctree-resolved", _resolve)
    # Before the needs are laid out (council.html.render's post-transform at 600).
    app.add_post_transform(RelyingCases)
    app.connect("env-updated", _reset_index)
    app.connect("html-page-context", _page_scripts)
    app.add_css_file("council-trace.css")

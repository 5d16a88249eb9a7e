"""Directives that show traceability matrices, coverage, graphs and diffs.

A directive only leaves a placeholder (:class:`trace_placeholder`); when the
page is written and every need of the project is known,
:mod:`council.resolve.trace_views` replaces it with neutral docutils nodes
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
from sphinx_needs.data import SphinxNeedsData
from sphinx.util.docutils import SphinxDirective

from council.views import traceability as tr

#: The cross-case views of ``trace-matrix``: one summary table each.
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
#: Key of a page's metadata listing the ``trace-matrix`` views it shows.
VIEW_PAGES = "council_views"
#: Views of ``trace-matrix`` that are not one table.
OTHER_VIEWS = ("compare", "exports")

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
    """Replaced by :mod:`council.resolve.trace_views`; never reaches a writer.

    Being a node of this package, it makes ``council.incremental`` rewrite its
    page whenever a page with needs changes, so matrices never go stale. A
    case's own view (:func:`is_case_view`) shows that case's needs, what they
    link to and every checklist item, clause and edition (its coverage counts
    them all), and no other case: its page is rewritten when those change
    (:func:`mark_case_view`), not on every edit of another case.
    """


def is_case_view(node: nodes.Node) -> bool:
    return isinstance(node, trace_placeholder) and node.get("view") == "case"


def mark_case_view(env: Any, docname: str) -> None:
    """The page *docname* shows a case's view: rewritten when a checklist item, clause or edition changes."""
    from council.incremental import mark_shows_types
    from council.model.content_model import model_for

    roles = model_for(env.app).roles
    mark_shows_types(env, docname, [t for t in (roles.checkitem, roles.clause, roles.edition) if t])


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
        mark_case_view(self.env, self.env.docname)
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
            mark_case_view(self.env, self.env.docname)


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
        # where each cross-case view is shown, for the pages that point readers to it
        self.env.metadata[self.env.docname].setdefault(VIEW_PAGES, []).append(name)
        return self.placeholder()


class EditionDiff(_TraceDirective):
    required_arguments = 2
    view = "edition-diff"

    def run(self) -> list[nodes.Node]:
        return self.placeholder(*self.arguments)


def setup_trace_directives(app: Sphinx) -> None:
    app.setup_extension("sphinx.ext.graphviz")
    app.add_node(trace_placeholder)
    app.add_node(expandable, html=(_visit_expandable, _depart_expandable))
    app.add_node(expandable_summary, html=(_visit_summary, _depart_summary))
    app.add_directive("case-trace", CaseTrace)
    app.add_transform(CaseTraceSection)
    app.add_directive("trace-matrix", TraceMatrix)
    app.add_directive("edition-diff", EditionDiff)

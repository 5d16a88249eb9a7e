"""Browsing pages and top-page figures, generated from the needs.

``{council-cases}`` lists the cases grouped by one key (``:group-by:``
fiscal_year, department, legal_basis, contractor or council) or, with
``:latest: N``, the N newest cases. ``{council-figures}`` shows the site's
counts. Both leave a placeholder at read time, because the needs of other
pages are known only when every page has been read, and are filled in when
the page is written (:class:`ResolveBrowseLists`); the pages holding them are
re-read on every build so an incremental build never shows stale lists.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import NoUri
from sphinx.util.docutils import SphinxDirective

from council.resolve.order import priority
from council.resolve.placeholders import PlaceholderResolver, mark_page, marked_pages

from council.views.catalog import GROUPINGS, CaseRecord, group_records, latest_first, records_from_needs, site_figures, env_needs

#: Page metadata: the page holds case lists or figures (only such a page is walked for them,
#: and each is written again on every build: the lists show every case).
PAGE_MARK = "council_browse"


class cases_placeholder(nodes.General, nodes.Element):
    """Replaced by the case list when the page is resolved."""


class figures_placeholder(nodes.General, nodes.Element):
    """Replaced by the site figures when the page is resolved."""


def _group_by(argument: str) -> str:
    value = directives.unchanged_required(argument).strip()
    if value not in GROUPINGS:
        raise ValueError(f"'{value}' は分類に使えません（{', '.join(GROUPINGS)} のいずれか）")
    return value


class CasesDirective(SphinxDirective):
    has_content = False
    option_spec = {"group-by": _group_by, "latest": directives.positive_int}

    def run(self) -> list[nodes.Node]:
        if ("group-by" in self.options) == ("latest" in self.options):
            raise self.error("council-cases には :group-by: か :latest: のどちらか一つを指定してください")
        mark_page(self.env, PAGE_MARK)
        node = cases_placeholder()
        node["group_by"] = self.options.get("group-by")
        node["latest"] = self.options.get("latest")
        self.set_source_info(node)
        return [node]


class FiguresDirective(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        mark_page(self.env, PAGE_MARK)
        node = figures_placeholder()
        self.set_source_info(node)
        return [node]


def _case_item(app: Sphinx, fromdocname: str, record: CaseRecord) -> nodes.list_item:
    para = nodes.paragraph()
    try:
        uri = app.builder.get_relative_uri(fromdocname, record.docname) + "#" + record.id
    except NoUri:  # a case outside the document being written (a PDF)
        para += nodes.inline("", record.title)
    else:
        para += nodes.reference("", record.title, refuri=uri, internal=True)
    details = [f"{record.fiscal_year}年度" if record.fiscal_year else "", record.department, record.council_procedure]
    para += nodes.inline("", "（" + "／".join(d for d in details if d) + "）", classes=["council-case-details"])
    return nodes.list_item("", para)


def _case_list(app: Sphinx, fromdocname: str, records: list[CaseRecord]) -> nodes.bullet_list:
    items = nodes.bullet_list(classes=["council-case-list"])
    for record in records:
        items += _case_item(app, fromdocname, record)
    return items


def _grouped(app: Sphinx, fromdocname: str, records: list[CaseRecord], key: str, serial: int) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    groups = group_records(records, key)
    if not groups:
        return [nodes.paragraph("", "該当する案件はありません。")]
    for index, (name, members) in enumerate(groups, start=1):
        section = nodes.section(ids=[f"group-{serial}-{index}"], classes=["council-case-group"])
        section += nodes.title("", f"{name}（{len(members)}件）")
        section += _case_list(app, fromdocname, members)
        out.append(section)
    return out


def _figures(needs: list[Any]) -> nodes.Node:
    figures = nodes.bullet_list(classes=["council-figures"])
    for label, count in site_figures(needs):
        para = nodes.paragraph()
        para += nodes.inline("", label, classes=["council-figure-label"])
        para += nodes.inline("", f"{count:,}", classes=["council-figure-value"])
        figures += nodes.list_item("", para)
    return figures


class ResolveBrowseLists(PlaceholderResolver):
    """The case lists, then the figures, of a page with browse directives."""

    default_priority = priority("browse-lists")
    placeholders = (cases_placeholder, figures_placeholder)
    page_mark = PAGE_MARK

    def context(self) -> tuple[list[Any], list[CaseRecord]]:
        needs = env_needs(self.env)
        return needs, records_from_needs(needs)

    def content(self, node: nodes.Element, serial: int,
                context: tuple[list[Any], list[CaseRecord]]) -> nodes.Node | list[nodes.Node]:
        needs, records = context
        docname = self.env.docname
        if isinstance(node, figures_placeholder):
            return _figures(needs)
        if node["latest"]:
            return _case_list(self.app, docname, latest_first(records)[: node["latest"]])
        return _grouped(self.app, docname, records, node["group_by"], serial)


def _outdated(app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    return [doc for doc in marked_pages(env, PAGE_MARK) if doc not in removed]


def setup_browse(app: Sphinx) -> None:
    app.add_node(cases_placeholder)
    app.add_node(figures_placeholder)
    app.add_directive("council-cases", CasesDirective)
    app.add_directive("council-figures", FiguresDirective)
    app.add_post_transform(ResolveBrowseLists)
    app.connect("env-get-outdated", _outdated)

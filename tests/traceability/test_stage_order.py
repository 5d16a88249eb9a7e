"""The work on a written page: post-transforms in one listed order, placeholders gone
before ``doctree-resolved``, and links to pages outside a PDF named without a link."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from docutils import nodes
from sphinx.errors import NoUri

from council.directives.browse import _case_item, cases_placeholder, figures_placeholder
from council.directives.trace import trace_placeholder
from council.resolve import order
from council.resolve.view_nodes import ViewNodes
from council.rules.suspect import suspect_placeholder
from council.views import traceability as tr
from council.views.catalog import CaseRecord

PLACEHOLDERS = (trace_placeholder, cases_placeholder, figures_placeholder, suspect_placeholder)


def _name(obj: object) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


@pytest.mark.site
def test_the_site_registers_exactly_the_listed_post_transforms_in_their_order(site_app):
    registered = {_name(cls): cls for cls in site_app.registry.get_post_transforms()
                  if cls.__module__.startswith("council")}
    assert sorted(registered) == sorted(step.target for step in order.POST_TRANSFORMS)
    priorities = [registered[step.target].default_priority for step in order.POST_TRANSFORMS]
    assert priorities == [order.priority(step.name) for step in order.POST_TRANSFORMS]
    assert priorities == sorted(set(priorities)), "one priority per step, increasing with the list"
    for step in order.POST_TRANSFORMS:
        assert tuple(getattr(registered[step.target], "formats", ())) == step.formats, step.name
    # Upstream anchors of the band: references resolved, furo's table wrappers made.
    upstream = {_name(cls): cls.default_priority for cls in site_app.registry.get_post_transforms()}
    assert upstream["sphinx.transforms.post_transforms:ReferencesResolver"] < priorities[0]
    assert upstream["furo:WrapTableAndMathInAContainerTransform"] < priorities[0]


@pytest.mark.site
def test_the_site_handles_doctree_resolved_only_where_listed(site_app):
    handlers = {_name(listener.handler): listener.priority
                for listener in site_app.events.listeners["doctree-resolved"]
                if getattr(listener.handler, "__module__", "").startswith("council")}
    assert handlers == {step.target: step.at for step in order.DOCTREE_RESOLVED}
    at = [step.at for step in order.DOCTREE_RESOLVED]
    assert at == sorted(at), "listed in the order they run"


def _classed(kind: type[nodes.Element], cls: str):
    return lambda node: isinstance(node, kind) and cls in node["classes"]


def _suspect_list(node: nodes.Node) -> bool:
    """The table of suspect links, or the sentence saying there is none."""
    return (_classed(nodes.table, "council-suspect-links")(node)
            or isinstance(node, nodes.paragraph) and node.astext() == "要再確認の対応付けはありません。")


@pytest.mark.site
@pytest.mark.parametrize(("docname", "made"), [
    ("cases/2019-jiritsu", _classed(nodes.table, "council-matrix")),
    ("traceability/clause-case", _classed(nodes.table, "council-matrix")),
    ("clauses/diff", _classed(nodes.table, "council-matrix")),
    ("browse/department", _classed(nodes.bullet_list, "council-case-list")),
    ("index", _classed(nodes.bullet_list, "council-figures")),
    ("docs/review", _suspect_list),
])
def test_placeholders_are_resolved_by_post_transforms_before_doctree_resolved(site_app, docname, made):
    seen: dict[str, object] = {}

    def probe(app, doctree: nodes.document, name: str) -> None:
        seen["left"] = [type(n).__name__ for cls in PLACEHOLDERS for n in doctree.findall(cls)]
        seen["made"] = sum(1 for n in doctree.findall(nodes.Element) if made(n))

    listener = site_app.connect("doctree-resolved", probe, priority=0)
    try:
        site_app.env.get_and_resolve_doctree(docname, site_app.builder)
    finally:
        site_app.disconnect(listener)
    assert seen["left"] == []
    assert seen["made"]


class _PrintBuilder:
    """A builder writing one PDF: the pages outside it have no URI."""

    format = "latex"

    def get_relative_uri(self, fromdocname: str, docname: str) -> str:
        if docname != fromdocname:
            raise NoUri(docname)
        return ""


def test_a_need_outside_the_document_written_is_named_without_a_link():
    app = SimpleNamespace(builder=_PrintBuilder())
    needs = {"CL_B_10": {"id": "CL_B_10", "docname": "clauses/edition-b", "title": "再委託の禁止"}}
    named = ViewNodes(app, "cases/2019-jiritsu", needs).ref(tr.Ref("CL_B_10", "第10項 再委託の禁止"))
    assert not list(named.findall(nodes.reference))
    assert named.astext() == "第10項 再委託の禁止"


def test_a_case_listed_outside_the_document_written_is_named_without_a_link():
    app = SimpleNamespace(builder=_PrintBuilder())
    record = CaseRecord(id="CASE_2019_JIRITSU", title="自立支援", docname="cases/2019-jiritsu", fiscal_year=2019,
                        department="", council="", procedure=(), legal_basis=(), business="",
                        contractors=(), start="")
    item = _case_item(app, "browse/department", record)
    assert not list(item.findall(nodes.reference))
    assert item.astext().startswith("自立支援")

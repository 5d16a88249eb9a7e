"""The links of the trace tables: the node Sphinx's make_refnode makes, each page's
address worked out once per page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sphinx.errors import NoUri
from sphinx.util.nodes import make_refnode

from council.resolve.view_nodes import ViewNodes
from council.views.cells import Ref

NEEDS = {
    "CL_B_10": {"id": "CL_B_10", "docname": "clauses/edition-b", "title": "第10項 再委託の禁止"},
    "SG_2020_A_01": {"id": "SG_2020_A_01", "docname": "cases/a", "title": "委託先の監査"},
    "CHK_WO_01": {"id": "CHK_WO_01", "docname": "checklist/wo", "title": ""},
}


class _Builder:
    format = "html"

    def __init__(self, refuse: str = "") -> None:
        self.asked: list[tuple[str, str]] = []
        self.refuse = refuse

    def get_relative_uri(self, from_: str, to: str) -> str:
        self.asked.append((from_, to))
        if to == self.refuse:
            raise NoUri(to)
        return f"../{to}.html"


def _views(builder: _Builder) -> ViewNodes:
    return ViewNodes(SimpleNamespace(builder=builder), "cases/a", NEEDS)


def _original(builder: _Builder, ref: Ref):
    from docutils import nodes

    need = NEEDS[ref.id]
    label = ref.label or ref.id
    text = nodes.Text(label) if ref.label else nodes.literal(label, label)
    try:
        return make_refnode(builder, "cases/a", need["docname"], need["id"], text,
                            ref.id if ref.label else (need.get("title") or None))
    except NoUri:
        return nodes.inline("", "", text)


@pytest.mark.parametrize("ref", [Ref("CL_B_10", "第10項 再委託の禁止"), Ref("CL_B_10"), Ref("SG_2020_A_01"),
                                 Ref("CHK_WO_01"), Ref("CHK_WO_01", "WO-01")])
@pytest.mark.parametrize("refuse", ["", "clauses/edition-b"])
def test_a_link_is_the_node_make_refnode_makes(ref: Ref, refuse: str) -> None:
    made = _views(_Builder(refuse)).ref(ref)
    expected = _original(_Builder(refuse), ref)
    assert made.pformat() == expected.pformat()
    assert made.attributes == expected.attributes


def test_each_page_address_is_asked_once_per_page() -> None:
    builder = _Builder()
    views = _views(builder)
    for _ in range(3):
        views.refs([Ref("CL_B_10"), Ref("CHK_WO_01"), Ref("SG_2020_A_01")])
    assert builder.asked == [("cases/a", "clauses/edition-b"), ("cases/a", "checklist/wo")]

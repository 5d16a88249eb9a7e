"""The building blocks of the printed record.

Paragraphs, the ward's label | content tables, links within the PDF, the
mark and frame of the site's own estimates, and how a checklist item, a
clause and a measure are named in print.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from docutils import nodes

#: Reader-facing label of the site's own estimates in print.
ESTIMATE_LABEL = "【本サイトの推定】"
#: Prefix of the appendix anchors (one per clause and checklist item) of a case.
APPENDIX_PREFIX = "print-"


def para(*children: nodes.Node | str, classes: Iterable[str] = ()) -> nodes.paragraph:
    node = nodes.paragraph("", "", *(nodes.Text(c) if isinstance(c, str) else c for c in children))
    node["classes"].extend(classes)
    return node


def text_paragraphs(text: str) -> list[nodes.Node]:
    """The text of a clause or checklist item: a paragraph per blank-line block,
    a Markdown list (``- (1) …``) as one paragraph per item, the marker dropped."""
    result: list[nodes.Node] = []
    for block in str(text or "").split("\n\n"):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines and all(line.startswith(("- ", "* ")) for line in lines):
            result += [para(line[2:].strip(), classes=["council-list-item"]) for line in lines]
        elif lines:
            result.append(para("".join(lines) if _cjk_join(lines) else " ".join(lines)))
    return result


def _cjk_join(lines: list[str]) -> bool:
    """Lines of Japanese text join without a space (a line break is not a word break)."""
    return all(line and ord(line[-1]) > 0x2E7F for line in lines[:-1])


def internal_ref(anchor: str, *children: nodes.Node | str) -> nodes.reference:
    """A link to *anchor* in the current file of the LaTeX document."""
    node = nodes.reference("", "", *(nodes.Text(c) if isinstance(c, str) else c for c in children),
                           internal=True, refid=anchor)
    return node


def label_table(rows: list[tuple[str, list[nodes.Node]]], classes: Iterable[str] = ()) -> nodes.table:
    """A two-column table label | content, as the ward lays out its 審議資料."""
    table = nodes.table(classes=["council-print-fields", "colwidths-given", *classes])
    group = nodes.tgroup(cols=2)
    table += group
    group += nodes.colspec(colwidth=22)
    group += nodes.colspec(colwidth=78)
    body = nodes.tbody()
    group += body
    for label, content in rows:
        row = nodes.row()
        row += nodes.entry("", para(nodes.strong(label, label)))
        row += nodes.entry("", *(content or [para("")]))
        body += row
    return table


def print_table(headers: list[str], widths: list[int], rows: list[list[list[nodes.Node]]],
                title: str = "", ids: Iterable[str] = ()) -> nodes.container:
    """A table laid out for the page: given column widths (in proportion), a header
    row repeated on every page it runs over, set in a smaller type with ragged
    lines (LaTeX ``sphinxclasscouncilprinttable``: no letter-spaced Japanese in
    narrow columns). A *title* numbers it (表 2.1)."""
    table = nodes.table(classes=["council-print-table", "colwidths-given", "longtable"], ids=list(ids))
    if title:
        table += nodes.title(title, title)
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    body = nodes.tbody()
    group += body
    for target, cells in ((head, [[nodes.Text(h)] for h in headers]), *((body, r) for r in rows)):
        row = nodes.row()
        for content in cells:
            blocks = all(isinstance(c, nodes.Body) for c in content) and content
            row += nodes.entry("", *(content if blocks else [para(*content)]))
        target += row
    return nodes.container("", table, classes=["councilprinttable"])


def estimate_mark() -> nodes.inline:
    return nodes.inline(ESTIMATE_LABEL, ESTIMATE_LABEL, classes=["council-estimate-mark"])


def estimate_box(*text: nodes.Node | str) -> nodes.container:
    """A framed paragraph led by the estimate label (LaTeX ``sphinxclasscouncilestimate``)."""
    return nodes.container("", para(estimate_mark(), *text), classes=["councilestimate"])


def joined(items: Iterable[nodes.Node], sep: str = "、") -> list[nodes.Node]:
    result: list[nodes.Node] = []
    for index, item in enumerate(items):
        if index:
            result.append(nodes.Text(sep))
        result.append(item)
    return result


def checkitem_code(item: Mapping[str, Any]) -> str:
    """``CHK_WO_01`` → ``WO-01``: the item's number in the checklist."""
    return item["id"].removeprefix("CHK_").replace("_", "-")


def checkitem_label(item: Mapping[str, Any]) -> str:
    """``CHK_WO_01`` → ``チェックリスト WO-01（区・運用 1）``."""
    return (f"チェックリスト {checkitem_code(item)}（{item.get('actor', '')}・{item.get('aspect', '')} "
            f"{item.get('number', '')}）")


def clause_label(clause: Mapping[str, Any]) -> str:
    """``CL_B_10`` → ``特記事項 第10項（再委託の禁止）``."""
    return f"特記事項 第{clause.get('number', '')}項（{clause.get('heading', '')}）"


def clause_name(clause: Mapping[str, Any]) -> str:
    """``CL_B_10`` → ``第10項 再委託の禁止``: a clause within its edition."""
    return f"第{clause.get('number', '')}項 {clause.get('heading', '')}".strip()


def measure_place(sg: Mapping[str, Any]) -> str:
    """``区・運用 2``: a measure within its work item, in the source's numbering."""
    return f"{sg.get('actor', '')}・{sg.get('aspect', '')} {sg.get('number', '')}"


def work_label(work: Mapping[str, Any]) -> str:
    """``業務委託1``: a work item within its case, as the source numbers it."""
    kind = "業務委託" if work.get("type") == "entrustment" else "開発・変更"
    return f"{kind}{str(work.get('id', '')).rsplit('_', 1)[-1]}"


def measure_label(needs: Mapping[str, Any], sg: Mapping[str, Any]) -> str:
    """``業務委託1 区・運用 2``: where a measure sits in its case, in the source's numbering."""
    work = needs.get((sg.get("part_of") or [""])[0]) or {}
    return f"{work_label(work)} {measure_place(sg)}"

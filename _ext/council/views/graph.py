"""Trace graph of a case as Graphviz code, rendered by ``sphinx.ext.graphviz``.

Sphinx-needs' ``needflow`` is dropped from LaTeX; Sphinx's own ``graphviz``
node renders in HTML (SVG) and in the PDF alike.
"""

from __future__ import annotations

from sphinx.ext.graphviz import graphviz

from council.model.need_index import Needs, index, links, work_children, works

FONT = "Noto Sans CJK JP"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _short(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def case_dot(needs: Needs, case_id: str) -> str:
    """case → entrustment/development → safeguards → checklist items / clauses.

    Nodes are filled with the colours the content model gives their types.
    """
    needs = index(needs)
    model = needs.model
    lines = [
        "digraph trace {",
        "  rankdir=LR; ranksep=0.6; nodesep=0.08;",
        f"  node [shape=box, style=\"rounded,filled\", fontname={_quote(FONT)}, fontsize=9];",
        f"  edge [fontname={_quote(FONT)}, fontsize=8, color=\"#666666\"];",
    ]
    declared: set[str] = set()

    def node(need_id: str, label: str) -> None:
        if need_id in declared:
            return
        declared.add(need_id)
        need_type = (needs.get(need_id) or {}).get("type", "")
        color = model.type_color(need_type)
        lines.append(f"  {_quote(need_id)} [label={_quote(label)}, fillcolor={_quote(color)}];")

    node(case_id, f"{case_id}\n{model.type_title(needs.roles.case)}")
    for work in works(needs, case_id):
        node(work["id"], f"{work['id']}\n{model.type_title(work['type'])}")
        lines.append(f"  {_quote(case_id)} -> {_quote(work['id'])};")
        for kid in work_children(needs, work["id"]):
            label = "対策" if kid["type"] in needs.roles.measures else "対策不要"
            node(kid["id"], f"{kid['id']}\n{label}")
            lines.append(f"  {_quote(work['id'])} -> {_quote(kid['id'])};")
            for item in links(kid, "satisfies"):
                node(item, item)
                lines.append(f"  {_quote(kid['id'])} -> {_quote(item)};")
            for item in links(kid, "waives"):
                node(item, item)
                lines.append(f"  {_quote(kid['id'])} -> {_quote(item)} [style=dashed];")
            for clause in links(kid, "binds"):
                heading = (needs.get(clause) or {}).get("heading") or ""
                node(clause, f"{clause}\n{_short(heading)}")
                lines.append(f"  {_quote(kid['id'])} -> {_quote(clause)} [color=\"#7B68AE\"];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_node(needs: Needs, case_id: str, docname: str) -> graphviz:
    node = graphviz()
    node["code"] = case_dot(needs, case_id)
    node["options"] = {"docname": docname}
    node["alt"] = f"{case_id} のトレーサビリティ図"
    node["classes"] = ["council-trace-graph"]
    return node

"""The cases relying on a clause or checklist item, on that clause's or item's page.

Council members ask "which cases rely on clause 10?": after each clause and
checklist item, :class:`RelyingCases` adds the clause's editions and the cases
whose safeguards bind the clause (satisfy the item), by fiscal year, each
with excerpts of its safeguards. Print gives the count only: the list grows
with the site and is on the web.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from council.directives.trace import VIEW_PAGES, expandable, expandable_summary
from council.model.content_model import Roles
from council.model.need_index import need_index
from council.views.cross_case import RELYING_SHOWN
from council.resolve.order import priority
from council.resolve.view_nodes import ViewNodes
from council.views import traceability as tr

def relying_links(roles: Roles) -> dict[str, tuple[str, str]]:
    """Need types whose page lists the cases relying on them: the link followed, and the wording."""
    return {
        roles.clause: ("binds", "この条項に依拠する案件"),
        roles.checkitem: ("satisfies", "この項目に対応する案件"),
    }




def relying_block(renderer: ViewNodes, need) -> list[nodes.Node]:
    """The editions of a clause, and the cases relying on a clause or checklist item
    by fiscal year, each with excerpts of its safeguards linking to them."""
    needs = renderer.needs
    link, wording = relying_links(needs.roles)[need["type"]]
    result: list[nodes.Node] = []
    if need["type"] == needs.roles.clause:
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
    # The newest cases with their measures; beyond RELYING_SHOWN, each year's count
    # only: a page lists every clause or item, and must not grow with the site.
    budget = RELYING_SHOWN
    for year, cases in groups:
        box += nodes.paragraph("", "", nodes.strong("", f"{year}年度（{len(cases)}件）" if year else
                                                    f"年度不明（{len(cases)}件）"),
                               classes=["council-relying-year"])
        if budget <= 0:
            continue
        items = nodes.bullet_list(classes=["council-case-list"])
        for relying in cases[:budget]:
            case = relying.case
            item = nodes.list_item()
            item += nodes.paragraph("", "", renderer.ref(tr.Ref(case["id"], str(case.get("title") or ""))))
            measures = nodes.bullet_list(classes=["council-relying-measures"])
            for sg in relying.safeguards:
                measures += nodes.list_item("", nodes.paragraph("", "", renderer.ref(
                    tr.Ref(sg["id"], tr.excerpt(sg)))))
            item += measures
            items += item
        budget -= len(cases)
        box += items
    if total > RELYING_SHOWN:
        box += _rest_note(renderer, need, total - RELYING_SHOWN)
    result.append(box)
    return result


def _rest_note(renderer: ViewNodes, need, hidden: int) -> nodes.Node:
    """Where the cases not listed here are: the cross-case view and its downloads."""
    view = "clause-summary" if need["type"] == renderer.needs.roles.clause else "checkitem-summary"
    env = renderer.app.env
    pages = renderer.needs.memo("view_pages", lambda: {
        name: docname for docname in sorted(env.metadata)
        for name in env.metadata[docname].get(VIEW_PAGES, [])
    })
    para = nodes.paragraph("", f"ほかの {hidden} 件は、年度ごとの件数だけを示しています。すべての案件は",
                           classes=["council-relying-rest"])
    page = pages.get(view)
    if page is None:
        para += nodes.Text("、案件をまたぐ表のダウンロード（CSV・XLSX）にあります。")
        return para
    title = env.titles[page].astext() if page in env.titles else page
    uri = renderer.app.builder.get_relative_uri(renderer.docname, page)
    para += nodes.Text("「")
    para += nodes.reference("", title, refuri=uri)
    para += nodes.Text("」の表とダウンロード（CSV・XLSX）にあります。")
    return para


def _editions_line(renderer: ViewNodes, clause) -> list[nodes.Node]:
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
    for clause in tr.of_type(needs, needs.roles.clause):
        for old in tr.links(clause, "revises"):
            result.setdefault(old, []).append(clause["id"])
    return result


class RelyingCases(SphinxPostTransform):
    """After each clause and checklist item, the cases relying on it.

    It inserts its blocks after the need nodes, so it runs before
    :mod:`council.html.render` replaces them (see :mod:`council.resolve.order`)."""

    default_priority = priority("relying-cases")

    def run(self, **kwargs: Any) -> None:
        from sphinx_needs.nodes import Need

        found = list(self.document.findall(Need))
        if not found:
            return
        needs = need_index(self.app)
        renderer = None
        relying = relying_links(needs.roles)
        for node in found:
            need = needs.get(node["ids"][0]) if node["ids"] else None
            if need is None or need.get("type") not in relying:
                continue
            renderer = renderer or ViewNodes(self.app, self.env.docname, needs)
            parent = node.parent
            position = parent.index(node) + 1
            for offset, block in enumerate(relying_block(renderer, need)):
                parent.insert(position + offset, block)

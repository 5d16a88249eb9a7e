"""The reader-first case page in HTML: its reading order.

:mod:`council.html.render` renders needs as neutral nodes for every builder.
This post-transform (``formats = ("html",)``) lays out a case page, in order:
breadcrumb, caption (年度 · 審議機関 · 手続), title, the case's summary list,
downloads (:mod:`council.html.downloads`), a contents list with counts, one
line pointing to the site's estimates, 事業の概要, the measures. Editorial
notes move into a collapsed 注記 section after the measures, and the reviewer
material (trace tables, graph) is collapsed. Then every page's neutral nodes
take their HTML forms (:mod:`council.html.elements`).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from council.compat.docutils_findall import any_of
from council.directives.trace import trace_placeholder
from council.views import traceability as tr
from council.html import downloads, elements
from council.html.elements import (
    admonition_details, admonition_title, details, details_summary, html_forms, nav_region,
)
from council.html.measure_list import is_measure
from council.html.neutral_nodes import heading
from council.html.provenance import flagged, grouping_estimated, trace_unconfirmed
from council.model.content_model import model_for
from council.resolve.order import priority
from council.model.need_index import need_index


class CasePageLayout(SphinxPostTransform):
    """HTML: the case page's reading order, details toggles, breakable IDs."""

    default_priority = priority("case-page-layout")
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        docname = self.env.docname
        case_box = f"council-need-{model_for(self.app).roles.case}"
        for box in list(self.document.findall(nodes.container)):
            if case_box in box["classes"]:
                self.case_page(box, docname)
                break
        html_forms(self.document)

    def case_page(self, box: nodes.container, docname: str) -> None:
        app = self.app
        # the build's index of the needs: a plain view is indexed again by every
        # helper of council.views (all needs, several times per page): quadratic
        needs = need_index(app)
        case = needs.get(box["ids"][0])
        section = box.parent
        if case is None or not isinstance(section, nodes.section):
            return
        # breadcrumb and caption above the title
        top = section.index(section[0]) if isinstance(section[0], nodes.title) else None
        if top is not None:
            section.insert(0, self.caption(case))
            section.insert(0, self.breadcrumb(case, docname))
        # editorial notes of the case: out of the reading path, into one collapsed section
        notes: list[nodes.Element] = []
        for child in list(section.children):
            if isinstance(child, nodes.admonition | nodes.note | nodes.warning | nodes.important):
                notes.append(child)
                section.remove(child)
        note_ids: list[tuple[str, nodes.Element]] = []
        notes_section = None
        if notes:
            notes_section = nodes.section(ids=["council-notes"])
            notes_section += nodes.title("", "注記（原典からの修正・本サイトによる推定）")
            for index, note in enumerate(notes, 1):
                ident = f"council-note-{index}"
                note_ids.append((ident, note))
                notes_section += admonition_details(note, [ident])
            trace = next((s for s in section.children if isinstance(s, nodes.section)
                          and any(True for _ in s.findall(trace_placeholder))), None)
            if trace is not None:
                section.insert(section.index(trace), notes_section)
            else:
                section += notes_section
        # one walk finds the work sections and the trace placeholders (a toggle keeps
        # the nodes it holds, so collapsing the admonitions first moves none away)
        subs: list[nodes.section] = []
        placeholders: list[trace_placeholder] = []
        for node in section.findall(_SECTION_OR_PLACEHOLDER):
            (subs if isinstance(node, nodes.section) else placeholders).append(node)
        # admonitions inside the work sections are collapsed where they are
        for sub in subs:
            for child in list(sub.children):
                if isinstance(child, nodes.admonition | nodes.note | nodes.warning):
                    child.replace_self(admonition_details(child, []))
        # reviewer material collapsed
        for placeholder in placeholders:
            wrapper = details(classes=["council-reviewer"])
            wrapper += details_summary("", "審査用の資料（対応表・充足状況・関係図・ダウンロード）",
                                       classes=["council-details-summary"])
            placeholder.replace_self(wrapper)
            wrapper += placeholder
        # downloads, contents and the estimates line, after the summary list
        extra: list[nodes.Node] = [downloads.downloads(app, case, docname)]
        extra.append(self.contents(section, notes_section))
        estimate = self.estimates_line(case, needs, note_ids)
        if estimate is not None:
            extra.append(estimate)
        summary_list = next((c for c in box.children if isinstance(c, nodes.definition_list)), None)
        at = box.index(summary_list) + 1 if summary_list is not None else 0
        for offset, node in enumerate(extra):
            box.insert(at + offset, node)

    def breadcrumb(self, case: Any, docname: str) -> nav_region:
        builder = self.app.builder
        root = self.app.config.root_doc
        items = [(root, "トップ")]
        index = f"{docname.rsplit('/', 1)[0]}/index" if "/" in docname else None
        if index and index in self.env.all_docs:
            title = self.env.titles.get(index)
            items.append((index, title.astext() if title is not None else "一覧"))
        lst = nodes.bullet_list(classes=["council-breadcrumb-list"])
        for target, label in items:
            ref = nodes.reference(label, label, internal=True,
                                  refuri=builder.get_relative_uri(docname, target))
            lst += nodes.list_item("", nodes.paragraph("", "", ref))
        nav = nav_region(classes=["council-breadcrumb"])
        nav["label"] = "パンくずリスト"
        nav += lst
        return nav

    def caption(self, case: Any) -> nodes.paragraph:
        procedure = case.get("procedure") or []
        parts = [f"{case.get('fiscal_year')}年度" if case.get("fiscal_year") else "",
                 case.get("council") or "",
                 "・".join(procedure) if isinstance(procedure, list) else str(procedure)]
        return nodes.paragraph("", " · ".join(p for p in parts if p), classes=["council-caption"])

    def contents(self, section: nodes.section, notes_section: nodes.section | None) -> nodes.Node:
        lst = nodes.bullet_list(classes=["council-contents-list"])
        for sub in section.children:
            if not isinstance(sub, nodes.section) or not sub["ids"]:
                continue
            title = sub.next_node(nodes.title).astext()
            count, groups = _measures_by_actor_and_aspect(sub)
            label = f"{title}（対策 {count} 件）" if count else title
            para = nodes.paragraph("", "", nodes.reference(label, label, internal=True, refid=sub["ids"][0]))
            entry = nodes.list_item("", para)
            if len(groups) > 1:
                entry += nodes.paragraph("", "、".join(groups), classes=["council-contents-groups"])
            lst += entry
        nav = nav_region(classes=["council-contents"])
        nav["label"] = "この案件の目次"
        nav += heading("目次", 2)
        nav += lst
        return nav

    def estimates_line(self, case: Any, needs: Any, note_ids: list[tuple[str, nodes.Element]]) -> nodes.Node | None:
        model = model_for(self.app)
        works = tr.works(needs, case["id"])
        measures = [n for w in works for n in tr.children(needs, w["id"], model.roles.measures)]
        grouped = sum(1 for m in measures if grouping_estimated(model, m))
        proposed = sum(1 for m in measures if trace_unconfirmed(model, m))
        assumed = any(flagged(w, "terms_assumed") for w in works)
        estimate_notes = [(i, n) for i, n in note_ids if "warning" in n["classes"]]
        if not (grouped or proposed or assumed or estimate_notes or tr.is_retrospective(case)):
            return None
        parts = []
        if tr.is_retrospective(case):
            parts.append("対策とチェックリスト項目・特記事項の条項との対応付けは本サイトによるものです")
        if grouped:
            parts.append(f"{grouped} 件の対策の実施主体・種別の区分は本サイトの推定です（［推定］）")
        if assumed:
            parts.append("適用する特記事項の版は本サイトの推定です")
        if proposed:
            parts.append(f"{proposed} 件の対策の対応付けは未確認です（［未確認］）")
        para = nodes.paragraph("", "", classes=["council-estimates"])
        para += nodes.strong("", "本サイトによる推定: ")
        para += nodes.Text("。".join(parts) + "。" if parts else "")
        for ident, note in estimate_notes:
            title = admonition_title(note)
            para += nodes.Text(" 詳しくは ")
            para += nodes.reference(title, f"注記「{title}」", internal=True, refid=ident)
            para += nodes.Text("。")
        return para


def _measures_by_actor_and_aspect(section: nodes.Element) -> tuple[int, list[str]]:
    """The number of measures in *section*, and 「区・運用 4」…: those with a
    group counted by who acts and the kind (one walk of the section)."""
    total = 0
    counts: dict[str, int] = {}
    for box in section.findall(nodes.container):
        if is_measure(box):
            total += 1
            if box.get("council_group"):
                counts[box["council_group"]] = counts.get(box["council_group"], 0) + 1
    return total, [f"{group} {n}" for group, n in counts.items()]


_SECTION_OR_PLACEHOLDER = any_of(nodes.section, trace_placeholder)


def setup_case_page(app: Sphinx) -> None:
    elements.setup_elements(app)
    app.add_post_transform(CasePageLayout)
    downloads.setup_downloads(app)

"""One case as the ward's 審議資料: cover, work items, measures, appendix, colophon.

:class:`CasePrint` renders the needs of one case document from the needs
data: the cover in the ward's form, each entrustment or development as
label | content, each measure numbered as in the source followed by the
checklist items and clauses it relies on (links into the appendix, which
prints their full text and links back), the traceability section (its tables
are :mod:`council.latex.trace_print`), and a colophon
saying where the record is published and where its SHA-256 is listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docutils import nodes
from sphinx.util import texescape
from sphinx_needs.nodes import Need

from council.latex.dates import date_label, fiscal_year_label, publication_date
from council.latex.record_layout import (
    APPENDIX_PREFIX, ESTIMATE_LABEL, checkitem_label, clause_label, estimate_box, estimate_mark,
    internal_ref, label_table, measure_label, para, text_paragraphs,
)
from council.latex.trace_print import TracePrint
from council.views import traceability as tr

#: Where the SHA-256 of every published file is listed (relative to the site root).
CHECKSUMS = "SHA256SUMS"


class CasePrint:
    """The print rendering of the needs of one case document."""

    def __init__(self, needs: Mapping[str, Any], case: Mapping[str, Any], public_url: str,
                 epoch: int | None = None) -> None:
        self.epoch = epoch
        self.needs = needs
        self.case = case
        self.public_url = public_url.rstrip("/")
        self.works = tr.works(needs, case["id"])
        self.measures = [sg for w in self.works for sg in tr.children(needs, w["id"], ("safeguard",))]

    # -- the relied-on texts ---------------------------------------------
    def cited_checkitems(self) -> list[Mapping[str, Any]]:
        ids = {i for sg in self.measures for i in tr.links(sg, "satisfies")}
        return [c for c in tr.checkitems(self.needs) if c["id"] in ids]

    def editions(self) -> list[Mapping[str, Any]]:
        """The 特記事項 editions the case's work items use, and those its measures cite."""
        ids: list[str] = []
        for work in self.works:
            ids += tr.links(work, "terms")
        for sg in self.measures:
            for clause in tr.links(sg, "binds"):
                ids += tr.links(self.needs.get(clause) or {}, "part_of")
        return [self.needs[i] for i in dict.fromkeys(ids) if i in self.needs]

    def clauses_of(self, edition_id: str) -> list[Mapping[str, Any]]:
        clauses = [n for n in tr.of_type(self.needs, "clause") if edition_id in tr.links(n, "part_of")]
        return sorted(clauses, key=lambda n: int(n.get("number") or 0))

    def citing(self, target_id: str, link: str) -> list[Mapping[str, Any]]:
        return [sg for sg in self.measures if target_id in tr.links(sg, link)]

    # -- needs --------------------------------------------------------------
    def cover(self, node: Need) -> list[nodes.Node]:
        case = self.case
        procedure = "・".join(case.get("procedure") or [])
        rows: list[tuple[str, list[nodes.Node]]] = [
            ("審議機関", [para(case.get("council", ""))]),
            ("手続", [para(procedure)]),
            ("根拠規定", [para("、".join(case.get("legal_basis") or []))]),
            ("担当部課", [para(case.get("department", ""))]),
        ]
        material = case.get("material")
        if material:
            content = [para(material)]
            if case.get("material_inferred"):
                content = [para(material, " ", estimate_mark())]
            rows.append(("資料番号", content))
        else:
            rows.append(("資料番号", [para("本サイトに記録がありません。")]))
        if case.get("meeting"):
            rows.append(("開催回", [para(case["meeting"])]))
        if case.get("meeting_date"):
            rows.append(("開催日", [para(date_label(case["meeting_date"]))]))
        if case.get("outcome"):
            rows.append(("結果", [para(case["outcome"])]))
        rows.append(("公開日", [para(publication_date(self.epoch))]))
        if case.get("fiscal_year"):
            rows.append(("開始年度", [para(fiscal_year_label(int(case["fiscal_year"])))]))
        heading = para(f"{case.get('council', '')}　{procedure}事項", classes=["council-cover-kind"])
        title = nodes.container("", para(case.get("title", "")), classes=["councilcovertitle"])
        head = f"{case.get('council', '')}　{procedure}"
        if case.get("fiscal_year"):
            head += f"　{fiscal_year_label(int(case['fiscal_year']))}"
        running = nodes.raw("", rf"\gdef\councilrunninghead{{{texescape.escape(head)}}}", format="latex")
        cover = nodes.container("", running, heading, title, label_table(rows), classes=["councilcover"])
        overview = label_table([
            ("事業名", [para(case.get("business", ""))]),
            ("担当課", [para(case.get("section", ""))]),
            ("目的", [para(case.get("purpose", ""))]),
            ("対象者", [para(case.get("subjects", ""))]),
            ("事業内容", list(node.children) or [para("")]),
        ])
        return [nodes.target("", "", ids=[case["id"]]), cover,
                nodes.rubric("", "事業の概要"), overview]

    def work(self, node: Need, work: Mapping[str, Any]) -> list[nodes.Node]:
        fields = [
            ("保有課", "holder"), ("登録業務の名称", "registered_business"), ("委託先", "contractor"),
            ("委託先の認証等", "certification"), ("処理させる情報項目", "data_items"),
            ("記録媒体", "media"), ("記録するコンピュータ", "computer"),
            ("理由", "reason"), ("内容", "scope"), ("期間・時期", "period"),
        ]
        rows = [(label, [para(str(work[name]))]) for label, name in fields if work.get(name)]
        editions = [self.needs[e] for e in tr.links(work, "terms") if e in self.needs]
        if editions:
            content: list[nodes.Node | str] = ["、".join(
                f"{e.get('title', e['id'])}（{e.get('label', '')}）" for e in editions)]
            if work.get("terms_assumed"):
                content += [" ", estimate_mark()]
            rows.append(("適用する特記事項", [para(*content)]))
        if work.get("terms_note"):
            rows.append(("特記事項の注記", [para(work["terms_note"])]))
        result: list[nodes.Node] = [nodes.target("", "", ids=[work["id"]]), label_table(rows)]
        if node.children:
            result += list(node.children)
        return result

    def measure(self, node: Need, sg: Mapping[str, Any]) -> list[nodes.Node]:
        """The measure numbered as in the source, then what it relies on (links to the appendix)."""
        number = nodes.strong(f"{sg.get('number', '')}　", f"{sg.get('number', '')}　")
        body = [child for child in node.children]
        # the anchor inside the kept-together box: before it, a link landed at
        # the foot of the previous page whenever the box moved to the next
        anchor = nodes.target("", "", ids=[sg["id"]])
        if body and isinstance(body[0], nodes.paragraph):
            body[0].insert(0, number)
            body[0].insert(0, anchor)
        else:
            body.insert(0, para(anchor, number))
        marks: list[nodes.Node] = []
        if sg.get("grouping") == "推定":
            marks.append(estimate_box("実施主体・種別の区分は本サイトの推定です。"))
        relied = nodes.bullet_list(classes=["council-relies"])
        for item_id in tr.links(sg, "satisfies"):
            item = self.needs.get(item_id)
            if item:
                relied += nodes.list_item("", para(
                    "対応する項目: ", internal_ref(APPENDIX_PREFIX + item_id, checkitem_label(item))))
        for clause_id in tr.links(sg, "binds"):
            clause = self.needs.get(clause_id)
            if clause:
                relied += nodes.list_item("", para(
                    "根拠とする条項: ", internal_ref(APPENDIX_PREFIX + clause_id, clause_label(clause))))
        if sg.get("trace") == "提案":
            marks.append(estimate_box("この対策と項目・条項の対応付けは確認前の提案です。"))
        # the ID, for reviewers matching the print with the exports
        ident = para(nodes.literal(sg["id"], sg["id"]), classes=["council-need-id"])
        box = nodes.container("", *body, *marks, relied, ident, classes=["councilmeasure"])
        return [box]

    def exemption(self, node: Need, need: Mapping[str, Any]) -> list[nodes.Node]:
        items = [self.needs[i] for i in tr.links(need, "waives") if i in self.needs]
        text = "、".join(checkitem_label(i) for i in items)
        return [nodes.target("", "", ids=[need["id"]]),
                para(nodes.strong("－　", "－　"), f"対策不要（{text}）：", need.get("reason", ""))]

    # -- appendix, coverage, colophon --------------------------------------
    def appendix(self) -> nodes.section:
        section = nodes.section(ids=[f"{APPENDIX_PREFIX}appendix"])
        section += nodes.title("", "付録　依拠する特記事項とチェックリスト項目")
        section += para("各対策が依拠する特記事項の全文とチェックリスト項目を掲げます。"
                         "各条項・項目の末尾に、この案件でそれに依拠する対策を示します。")
        for edition in self.editions():
            sub = nodes.section(ids=[f"{APPENDIX_PREFIX}{edition['id']}"])
            sub += nodes.title("", f"特記事項 {edition.get('label') or edition.get('title', edition['id'])} 全文")
            for clause in self.clauses_of(edition["id"]):
                sub += self._appendix_entry(clause, clause_label(clause), "binds")
            section += sub
        items = self.cited_checkitems()
        if items:
            sub = nodes.section(ids=[f"{APPENDIX_PREFIX}checklist"])
            sub += nodes.title("", "業務委託にかかる個人情報保護対策チェックリスト（依拠する項目）")
            for item in items:
                sub += self._appendix_entry(item, checkitem_label(item), "satisfies")
            section += sub
        return section

    def _appendix_entry(self, need: Mapping[str, Any], label: str, link: str) -> list[nodes.Node]:
        citing = self.citing(need["id"], link)
        back: list[nodes.Node | str] = ["この案件で依拠する対策: "]
        for index, sg in enumerate(citing):
            if index:
                back.append("、")
            back.append(internal_ref(sg["id"], measure_label(self.needs, sg)))
        if not citing:
            back.append("なし")
        # the anchor inside the heading: after a paragraph, a lone target
        # would join the heading to that paragraph in LaTeX
        # one entry (LaTeX ``sphinxclasscouncilentry``): its head never alone at a page's foot
        return [nodes.container(
            "",
            para(nodes.target("", "", ids=[APPENDIX_PREFIX + need["id"]]), nodes.strong(label, label),
                 classes=["council-appendix-head"]),
            *text_paragraphs(need.get("content", "")),
            para(*back, classes=["council-backlinks"]),
            classes=["councilentry"],
        )]

    def coverage(self) -> list[nodes.Node]:
        """The traceability section: coverage and reliance as tables for the page."""
        cited = {i["id"] for i in self.cited_checkitems()}
        cited |= {c["id"] for e in self.editions() for c in self.clauses_of(e["id"])}
        return TracePrint(self.needs, self.case, self.works, cited).section()

    def colophon(self, docname: str) -> nodes.section:
        stem = docname.rsplit("/", 1)[-1]
        page = f"{docname}.html"
        pdf = f"pdf/{stem}.pdf"
        section = nodes.section(ids=[f"{APPENDIX_PREFIX}colophon"])
        section += nodes.title("", "この文書について")
        if self.public_url:
            where = [nodes.reference("", f"{self.public_url}/{page}", refuri=f"{self.public_url}/{page}")]
            sums = f"{self.public_url}/{CHECKSUMS}"
        else:
            where = [nodes.Text(f"公開サイトの {page}")]
            sums = f"公開サイトの {CHECKSUMS}"
        section += label_table([
            ("公開場所", [para(*where)]),
            ("公開日（この案件の最終更新）", [para(publication_date(self.epoch))]),
            ("この PDF", [para(f"{pdf}（SHA-256 は {sums} に掲載しています）")]),
            ("推定の表示", [para(ESTIMATE_LABEL, "と枠で示した箇所は、原典に記載がなく本サイトが付した対応付け・"
                                "区分です。")]),
        ])
        return section

"""The printed record: each case as the ward's 審議資料, rendered for LaTeX.

The HTML layout of a need is made for the screen (toggles, tags, short
titles). For print, a LaTeX-only pass replaces every need node, before any
layout runs, by neutral docutils nodes built from the needs data itself:

- the case: a cover block in the ward's form (審議機関, 手続, 根拠規定, 担当部課,
  資料番号, dates in 和暦 and 西暦), then the overview as label | content;
- an entrustment or development: its fields as label | content;
- a measure: its number as in the source and its verbatim text, followed by
  the checklist items and clauses it relies on, each a link into the case's
  appendix, which prints their full text and links back to every measure;
- the coverage view (``case-trace``): the figures and the summary table (the
  graph and the downloads are for the web);
- a colophon: where the record is published, when, and where its SHA-256 is.

The site's own estimates (a measure's grouping, a proposed trace, an assumed
edition, the ``warning`` notes) carry the label 【本サイトの推定】 and a frame
(see ``LATEX_PREAMBLE``) that survive black-and-white printing.
"""

from __future__ import annotations

from pathlib import Path

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from council.html.webmeta import JST, commit_dates
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import texescape
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.nodes import Need

from council.views import traceability as tr
from council.config import council_config

#: Reader-facing label of the site's own estimates in print.
ESTIMATE_LABEL = "【本サイトの推定】"
#: Prefix of the appendix anchors (one per clause and checklist item) of a case.
APPENDIX_PREFIX = "print-"
#: Where the SHA-256 of every published file is listed (relative to the site root).
CHECKSUMS = "SHA256SUMS"

_ERAS = (  # (first day, name)
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
)


# ------------------------------------------------------------------ dates


def wareki_year(year: int, month: int = 12, day: int = 31) -> str:
    """``2019`` → ``令和元年``: the era year of a date (its last day by default)."""
    date = dt.date(year, month, day)
    for start, name in _ERAS:
        if date >= start:
            number = year - start.year + 1
            return f"{name}{'元' if number == 1 else number}年"
    return f"{year}年"


def fiscal_year_label(year: int) -> str:
    """``2019`` → ``令和元年度（2019年度）``.

    The era is the one in force at the fiscal year's end, as the ward counts:
    FY2019 is 令和元年度 although April 2019 was 平成31年.
    """
    end = dt.date(year + 1, 3, 31)
    for start, name in _ERAS:
        number = year - start.year + 1
        if end >= start and number >= 1:
            return f"{name}{'元' if number == 1 else number}年度（{year}年度）"
    return f"{year}年度"


def date_label(iso: str) -> str:
    """``2019-11-21`` → ``令和元年11月21日（2019年11月21日）``; other text unchanged."""
    try:
        date = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    return (f"{wareki_year(date.year, date.month, date.day)}{date.month}月{date.day}日"
            f"（{date.year}年{date.month}月{date.day}日）")


def page_epoch(app: Sphinx, docname: str) -> int | None:
    """When a case page last changed: its last commit, else the build's source date.

    A PDF carries its own page's date rather than the whole site's, so that a
    publish after an unrelated change leaves its LaTeX input, and its PDF, unchanged.
    """
    dates = getattr(app.builder, "_council_page_dates", None)
    if dates is None:  # once per build (the builder is new on every build)
        dates = app.builder._council_page_dates = commit_dates(Path(app.srcdir))  # type: ignore[attr-defined]
    path = app.env.doc2path(docname, False)
    epoch = dates.get(str(path))
    if epoch is None:
        env_epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        epoch = int(env_epoch) if env_epoch.isdigit() and env_epoch != "0" else None
    return epoch


def publication_date(epoch: int | None) -> str:
    """The date of *epoch* as a date label (和暦 and 西暦)."""
    if epoch is None:
        return "（公開時に記入）"
    # the ward's date (JST), as the pages and the 更新履歴 give it
    date = dt.datetime.fromtimestamp(epoch, JST).date()
    return date_label(date.isoformat())


# ------------------------------------------------------------- node kit


def _para(*children: nodes.Node | str, classes: Iterable[str] = ()) -> nodes.paragraph:
    node = nodes.paragraph("", "", *(nodes.Text(c) if isinstance(c, str) else c for c in children))
    node["classes"].extend(classes)
    return node


def _text_paragraphs(text: str) -> list[nodes.Node]:
    """The text of a clause or checklist item: a paragraph per blank-line block,
    a Markdown list (``- (1) …``) as one paragraph per item, the marker dropped."""
    result: list[nodes.Node] = []
    for block in str(text or "").split("\n\n"):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines and all(line.startswith(("- ", "* ")) for line in lines):
            result += [_para(line[2:].strip(), classes=["council-list-item"]) for line in lines]
        elif lines:
            result.append(_para("".join(lines) if _cjk_join(lines) else " ".join(lines)))
    return result


def _cjk_join(lines: list[str]) -> bool:
    """Lines of Japanese text join without a space (a line break is not a word break)."""
    return all(line and ord(line[-1]) > 0x2E7F for line in lines[:-1])


def _ref(anchor: str, *children: nodes.Node | str) -> nodes.reference:
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
        row += nodes.entry("", _para(nodes.strong(label, label)))
        row += nodes.entry("", *(content or [_para("")]))
        body += row
    return table


def estimate_mark() -> nodes.inline:
    return nodes.inline(ESTIMATE_LABEL, ESTIMATE_LABEL, classes=["council-estimate-mark"])


def estimate_box(*text: nodes.Node | str) -> nodes.container:
    """A framed paragraph led by the estimate label (LaTeX ``sphinxclasscouncilestimate``)."""
    return nodes.container("", _para(estimate_mark(), *text), classes=["councilestimate"])


# ------------------------------------------------------------ the renderer


def checkitem_label(item: Mapping[str, Any]) -> str:
    """``CHK_WO_01`` → ``チェックリスト WO-01（区・運用 1）``."""
    code = item["id"].removeprefix("CHK_").replace("_", "-")
    return f"チェックリスト {code}（{item.get('actor', '')}・{item.get('aspect', '')} {item.get('number', '')}）"


def clause_label(clause: Mapping[str, Any]) -> str:
    """``CL_B_10`` → ``特記事項 第10項（再委託の禁止）``."""
    return f"特記事項 第{clause.get('number', '')}項（{clause.get('heading', '')}）"


def measure_label(needs: Mapping[str, Any], sg: Mapping[str, Any]) -> str:
    """``業務委託1 区・運用 2``: where a measure sits in its case, in the source's numbering."""
    work = needs.get((sg.get("part_of") or [""])[0]) or {}
    kind = "業務委託" if work.get("type") == "entrustment" else "開発・変更"
    index = str(work.get("id", "")).rsplit("_", 1)[-1]
    return f"{kind}{index} {sg.get('actor', '')}・{sg.get('aspect', '')} {sg.get('number', '')}"


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
            ("審議機関", [_para(case.get("council", ""))]),
            ("手続", [_para(procedure)]),
            ("根拠規定", [_para("、".join(case.get("legal_basis") or []))]),
            ("担当部課", [_para(case.get("department", ""))]),
        ]
        material = case.get("material")
        if material:
            content = [_para(material)]
            if case.get("material_inferred"):
                content = [_para(material, " ", estimate_mark())]
            rows.append(("資料番号", content))
        else:
            rows.append(("資料番号", [_para("本サイトに記録がありません。")]))
        if case.get("meeting"):
            rows.append(("開催回", [_para(case["meeting"])]))
        if case.get("meeting_date"):
            rows.append(("開催日", [_para(date_label(case["meeting_date"]))]))
        if case.get("outcome"):
            rows.append(("結果", [_para(case["outcome"])]))
        rows.append(("公開日", [_para(publication_date(self.epoch))]))
        if case.get("fiscal_year"):
            rows.append(("開始年度", [_para(fiscal_year_label(int(case["fiscal_year"])))]))
        heading = _para(f"{case.get('council', '')}　{procedure}事項", classes=["council-cover-kind"])
        title = nodes.container("", _para(case.get("title", "")), classes=["councilcovertitle"])
        head = f"{case.get('council', '')}　{procedure}"
        if case.get("fiscal_year"):
            head += f"　{fiscal_year_label(int(case['fiscal_year']))}"
        running = nodes.raw("", rf"\gdef\councilrunninghead{{{texescape.escape(head)}}}", format="latex")
        cover = nodes.container("", running, heading, title, label_table(rows), classes=["councilcover"])
        overview = label_table([
            ("事業名", [_para(case.get("business", ""))]),
            ("担当課", [_para(case.get("section", ""))]),
            ("目的", [_para(case.get("purpose", ""))]),
            ("対象者", [_para(case.get("subjects", ""))]),
            ("事業内容", list(node.children) or [_para("")]),
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
        rows = [(label, [_para(str(work[name]))]) for label, name in fields if work.get(name)]
        editions = [self.needs[e] for e in tr.links(work, "terms") if e in self.needs]
        if editions:
            content: list[nodes.Node | str] = ["、".join(
                f"{e.get('title', e['id'])}（{e.get('label', '')}）" for e in editions)]
            if work.get("terms_assumed"):
                content += [" ", estimate_mark()]
            rows.append(("適用する特記事項", [_para(*content)]))
        if work.get("terms_note"):
            rows.append(("特記事項の注記", [_para(work["terms_note"])]))
        result: list[nodes.Node] = [nodes.target("", "", ids=[work["id"]]), label_table(rows)]
        if node.children:
            result += list(node.children)
        return result

    def measure(self, node: Need, sg: Mapping[str, Any]) -> list[nodes.Node]:
        """The measure numbered as in the source, then what it relies on (links to the appendix)."""
        number = nodes.strong(f"{sg.get('number', '')}　", f"{sg.get('number', '')}　")
        body = [child for child in node.children]
        if body and isinstance(body[0], nodes.paragraph):
            body[0].insert(0, number)
        else:
            body.insert(0, _para(number))
        marks: list[nodes.Node] = []
        if sg.get("grouping") == "推定":
            marks.append(estimate_box("実施主体・種別の区分は本サイトの推定です。"))
        relied = nodes.bullet_list(classes=["council-relies"])
        for item_id in tr.links(sg, "satisfies"):
            item = self.needs.get(item_id)
            if item:
                relied += nodes.list_item("", _para(
                    "対応する項目: ", _ref(APPENDIX_PREFIX + item_id, checkitem_label(item))))
        for clause_id in tr.links(sg, "binds"):
            clause = self.needs.get(clause_id)
            if clause:
                relied += nodes.list_item("", _para(
                    "根拠とする条項: ", _ref(APPENDIX_PREFIX + clause_id, clause_label(clause))))
        if sg.get("trace") == "提案":
            marks.append(estimate_box("この対策と項目・条項の対応付けは確認前の提案です。"))
        # the ID, for reviewers matching the print with the exports
        ident = _para(nodes.literal(sg["id"], sg["id"]), classes=["council-need-id"])
        box = nodes.container("", *body, *marks, relied, ident, classes=["councilmeasure"])
        return [nodes.target("", "", ids=[sg["id"]]), box]

    def exemption(self, node: Need, need: Mapping[str, Any]) -> list[nodes.Node]:
        items = [self.needs[i] for i in tr.links(need, "waives") if i in self.needs]
        text = "、".join(checkitem_label(i) for i in items)
        return [nodes.target("", "", ids=[need["id"]]),
                _para(nodes.strong("－　", "－　"), f"対策不要（{text}）：", need.get("reason", ""))]

    # -- appendix, coverage, colophon --------------------------------------
    def appendix(self) -> nodes.section:
        section = nodes.section(ids=[f"{APPENDIX_PREFIX}appendix"])
        section += nodes.title("", "付録　依拠する特記事項とチェックリスト項目")
        section += _para("各対策が依拠する特記事項の全文とチェックリスト項目を掲げます。"
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
            back.append(_ref(sg["id"], measure_label(self.needs, sg)))
        if not citing:
            back.append("なし")
        # the anchor inside the heading: after a paragraph, a lone target
        # would join the heading to that paragraph in LaTeX
        return [
            _para(nodes.target("", "", ids=[APPENDIX_PREFIX + need["id"]]), nodes.strong(label, label),
                  classes=["council-appendix-head"]),
            *_text_paragraphs(need.get("content", "")),
            _para(*back, classes=["council-backlinks"]),
        ]

    def coverage(self) -> list[nodes.Node]:
        cov = tr.coverage(self.needs, self.case["id"])
        fig = cov.figures()
        result: list[nodes.Node] = []
        if cov.retrospective:
            result.append(estimate_box(tr.RETROSPECTIVE_LABEL, "：この案件の資料はチェックリストより前の"
                                       "記述様式です。以下は、本サイトが各対策に付した対応に基づき、"
                                       "後からチェックリストに照らした参考の分析です。"))
        result.append(_para(
            f"チェックリスト {fig.total} 項目のうち、対策あり {fig.covered} 項目、対策不要 "
            f"{fig.not_applicable} 項目、未対応 {fig.gaps} 項目（充足 {fig.ratio}、{fig.percent}）。"))
        summary = tr.coverage_summary_table(self.needs, self.case["id"])
        table = nodes.table(classes=["council-print-summary"])
        group = nodes.tgroup(cols=len(summary.headers))
        table += group
        for _ in summary.headers:
            group += nodes.colspec(colwidth=10)
        head = nodes.thead()
        group += head
        body = nodes.tbody()
        group += body
        for target, cells in ((head, summary.headers), *((body, r) for r in summary.rows)):
            row = nodes.row()
            for cell in cells:
                row += nodes.entry("", _para(str(cell)))
            target += row
        result.append(table)
        gaps = [i for i in cov.items if i.status == tr.GAP]
        if gaps:
            result.append(_para("未対応の項目: ", *_joined(
                nodes.Text(checkitem_label(self.needs[i.checkitem])) for i in gaps)))
        return result

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
            ("公開場所", [_para(*where)]),
            ("公開日（この案件の最終更新）", [_para(publication_date(self.epoch))]),
            ("この PDF", [_para(f"{pdf}（SHA-256 は {sums} に掲載しています）")]),
            ("推定の表示", [_para(ESTIMATE_LABEL, "と枠で示した箇所は、原典に記載がなく本サイトが付した対応付け・"
                                "区分です。")]),
        ])
        return section


def _joined(items: Iterable[nodes.Node], sep: str = "、") -> list[nodes.Node]:
    result: list[nodes.Node] = []
    for index, item in enumerate(items):
        if index:
            result.append(nodes.Text(sep))
        result.append(item)
    return result


# --------------------------------------------------------- the transform


def _case_of(needs: Mapping[str, Any], docname: str) -> Mapping[str, Any] | None:
    return next((n for n in tr.of_type(needs, "case") if n.get("docname") == docname), None)


def _file_roots(doctree: nodes.document, docname: str) -> list[tuple[str, nodes.Element]]:
    """Each document inlined into the LaTeX document, with the node holding its content."""
    roots: list[tuple[str, nodes.Element]] = [(docname, doctree)]
    from sphinx import addnodes

    roots += [(n["docname"], n) for n in doctree.findall(addnodes.start_of_file)]
    return roots


def _print_case_needs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace every need node of a LaTeX document by its print rendering."""
    if app.builder.format != "latex":
        return
    needs = SphinxNeedsData(app.env).get_needs_view()
    public_url = council_config(app).public_url or app.config.html_baseurl or ""
    prints: dict[str, CasePrint] = {}

    def printer(doc: str) -> CasePrint | None:
        if doc not in prints:
            case = _case_of(needs, doc)
            prints[doc] = (CasePrint(needs, case, public_url, page_epoch(app, doc))  # type: ignore[assignment]
                           if case else None)
        return prints[doc]

    for node in list(doctree.findall(Need)):
        need = needs.get(node["ids"][0]) if node["ids"] else None
        if need is None or node.parent is None:
            continue
        printed = printer(need["docname"])
        kind = need["type"]
        if printed is None:
            new = _reference_need(node, need)
        elif kind == "case":
            new = printed.cover(node)
        elif kind in tr.WORK_TYPES:
            new = printed.work(node, need)
        elif kind == "safeguard":
            new = printed.measure(node, need)
        elif kind == "exemption":
            new = printed.exemption(node, need)
        else:
            new = _reference_need(node, need)
        node.replace_self(new)

    from council.directives.trace import trace_placeholder

    for node in list(doctree.findall(trace_placeholder)):
        if node["view"] == "case" and node["args"] and node["args"][0] in needs:
            case = needs[node["args"][0]]
            printed = printer(case["docname"])
            if printed is not None:
                node.replace_self(printed.coverage())

    for doc, root in _file_roots(doctree, docname):
        printed = printer(doc)
        if printed is None:
            continue
        section = next((s for s in root.children if isinstance(s, nodes.section)), None)
        if section is None:
            continue
        section += printed.appendix()
        section += printed.colophon(doc)
        if printed.epoch is not None:
            # read by council_publish.pdf_jobs: the PDF's SOURCE_DATE_EPOCH
            section += nodes.raw("", f"\n% council-source-date-epoch: {printed.epoch}\n", format="latex")
    _mark_estimate_notes(doctree)
    if printer(docname) is not None:
        _volume_numbering(app, doctree, docname)
    document = getattr(app.builder, "council_document", None)
    title = document[2] if document else app.config.project
    # read by council.latex.documents.VolumeLaTeXBuilder when it writes this document
    app.builder.council_pdf_info = _pdf_metadata(  # type: ignore[attr-defined]
        title, app.config.author, printer(docname), [p for p in prints.values() if p is not None])


def _volume_numbering(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A case PDF numbers its sections and tables as its chapter in its volume does
    (chapter 2 of the volume: sections 2.1, 2.1.1, table 2.1)."""
    from council.latex.documents import Volume

    for entry in app.config.latex_documents:
        volume = entry[5] if len(entry) > 5 else None
        if isinstance(volume, Volume) and docname in volume:
            chapter = volume.index(docname) + 1
            doctree.insert(0, nodes.raw("", "".join(
                rf"\renewcommand\the{counter}{{{chapter}.\arabic{{{counter}}}}}"
                for counter in ("section", "table", "figure")
            ), format="latex"))
            return


def _pdf_metadata(title: str, author: str, own: CasePrint | None, printed: list[CasePrint]) -> str:
    """The PDF's Title, Author, Subject and Keywords, as a ``\hypersetup`` for the
    preamble (after the first page, hyperref no longer changes them)."""
    if own is not None:
        case = own.case
        subject = f"{case.get('council', '')} {'・'.join(case.get('procedure') or [])}事項（審議資料）"
        keywords = [case["id"], case.get("department", ""), *(case.get("legal_basis") or []),
                    *(w.get("contractor", "") for w in own.works)]
    else:
        subject = "個人情報保護 審議案件の記録（印刷版）"
        keywords = [p.case["id"] for p in printed] or ["特記事項", "チェックリスト"]
    values = ", ".join(texescape.escape(k) for k in dict.fromkeys(keywords) if k)
    info = {"pdftitle": title, "pdfauthor": author, "pdfsubject": subject}
    setup = ",".join(f"{key}={{{texescape.escape(value)}}}" for key, value in info.items())
    return rf"\hypersetup{{{setup},pdfkeywords={{{values}}}}}"


def _reference_need(node: Need, need: Mapping[str, Any]) -> list[nodes.Node]:
    """A clause, checklist item or edition on a reference page: heading and text."""
    if need["type"] == "clause":
        head = clause_label(need)
    elif need["type"] == "checkitem":
        head = f"{checkitem_label(need)}　{need.get('category', '')}的安全管理措置".replace("的的", "的")
    else:
        head = need.get("title", need["id"])
    return [_para(nodes.target("", "", ids=[need["id"]]), nodes.strong(head, head),
                  classes=["council-appendix-head"]),
            *node.children]


def _mark_estimate_notes(doctree: nodes.document) -> None:
    """The site's own notes (``warning`` admonitions) carry the estimate label in print."""
    for note in doctree.findall(nodes.Admonition):
        if "warning" in note["classes"] or isinstance(note, nodes.warning):
            title = note.next_node(nodes.title)
            if title is not None and not title.astext().startswith(ESTIMATE_LABEL):
                title.insert(0, nodes.Text(ESTIMATE_LABEL))
            elif title is None:
                note.insert(0, _para(estimate_mark()))


class PrintNeeds(SphinxPostTransform):
    """LaTeX only: every need printed from the needs data, before the site's need
    rendering (council.html.render's post-transform, 600) or sphinx-needs lay it out."""

    default_priority = 595
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        _print_case_needs(self.app, self.document, self.env.docname)


def setup_print_record(app: Sphinx) -> None:
    app.add_post_transform(PrintNeeds)

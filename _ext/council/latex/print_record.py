"""The printed record: every need of a LaTeX document rendered from the needs data.

The HTML layout of a need is made for the screen (toggles, tags, short
titles). For print, a LaTeX-only post-transform replaces every need node,
before any layout runs, by neutral docutils nodes: a case's needs as the
ward's 審議資料 (:mod:`council.latex.case_record`), clauses, checklist items
and editions of the reference pages as heading and text. It also gives the
document its PDF metadata and a case PDF the numbering of its volume.

The site's own estimates (a measure's grouping, a proposed trace, an assumed
edition, the ``warning`` notes) carry the label 【本サイトの推定】 and a frame
(see ``PRINT_PREAMBLE`` in :mod:`council.latex.documents`) that survive
black-and-white printing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import texescape
from sphinx_needs.nodes import Need

from council.config import council_config
from council.latex.case_record import CasePrint
from council.latex.dates import page_epoch
from council.latex.record_layout import ESTIMATE_LABEL, checkitem_label, clause_label, estimate_mark, para
from council.views import traceability as tr
from council.model.content_model import model_for
from council.resolve.order import priority
from council.model.need_index import need_index


def _case_of(needs: Mapping[str, Any], docname: str) -> Mapping[str, Any] | None:
    return next((n for n in tr.of_type(needs, "case") if n.get("docname") == docname), None)


def _file_roots(doctree: nodes.document, docname: str) -> list[tuple[str, nodes.Element]]:
    """Each document inlined into the LaTeX document, with the node holding its content."""
    roots: list[tuple[str, nodes.Element]] = [(docname, doctree)]
    roots += [(n["docname"], n) for n in doctree.findall(addnodes.start_of_file)]
    return roots


def _print_case_needs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace every need node of a LaTeX document by its print rendering
    (only LaTeX builders run :class:`PrintNeeds`)."""
    # the build's index of the needs: a plain view is indexed again by every
    # helper of council.views (all needs, several times per page): quadratic
    needs = need_index(app)
    roles = model_for(app).roles
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
        elif kind == roles.case:
            new = printed.cover(node)
        elif kind in roles.works:
            new = printed.work(node, need)
        elif kind in roles.measures:
            new = printed.measure(node, need)
        elif kind in roles.exemptions:
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
    # a fiscal year's volume (its front matter here) names the cases it holds
    held = [_case_of(needs, doc) for doc in document[5]] if document and len(document) > 5 and \
        isinstance(document[5], tuple) else []
    case_ids = [p.case["id"] for p in prints.values() if p is not None] or \
        [case["id"] for case in held if case is not None]
    # read by council.latex.documents.VolumeLaTeXBuilder when it writes this document
    app.builder.council_pdf_info = _pdf_metadata(  # type: ignore[attr-defined]
        title, app.config.author, printer(docname), case_ids)


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


def _pdf_metadata(title: str, author: str, own: CasePrint | None, case_ids: list[str]) -> str:
    """The PDF's Title, Author, Subject and Keywords, as a ``\hypersetup`` for the
    preamble (after the first page, hyperref no longer changes them)."""
    if own is not None:
        case = own.case
        subject = f"{case.get('council', '')} {'・'.join(case.get('procedure') or [])}事項（審議資料）"
        keywords = [case["id"], case.get("department", ""), *(case.get("legal_basis") or []),
                    *(w.get("contractor", "") for w in own.works)]
    else:
        subject = "個人情報保護 審議案件の記録（印刷版）"
        keywords = case_ids or ["特記事項", "チェックリスト"]
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
    # one entry (LaTeX ``sphinxclasscouncilentry``): its head never alone at a page's foot
    return [nodes.container("", para(nodes.target("", "", ids=[need["id"]]), nodes.strong(head, head),
                                     classes=["council-appendix-head"]),
                            *node.children, classes=["councilentry"])]


def _mark_estimate_notes(doctree: nodes.document) -> None:
    """The site's own notes (``warning`` admonitions) carry the estimate label in print."""
    for note in doctree.findall(nodes.Admonition):
        if "warning" in note["classes"] or isinstance(note, nodes.warning):
            title = note.next_node(nodes.title)
            if title is not None and not title.astext().startswith(ESTIMATE_LABEL):
                title.insert(0, nodes.Text(ESTIMATE_LABEL))
            elif title is None:
                note.insert(0, para(estimate_mark()))


class PrintNeeds(SphinxPostTransform):
    """LaTeX only: every need printed from the needs data, before the site's need
    rendering (council.html.render's post-transform, 600) or sphinx-needs lay it out."""

    default_priority = priority("print-needs")
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        _print_case_needs(self.app, self.document, self.env.docname)


def setup_print_record(app: Sphinx) -> None:
    app.add_post_transform(PrintNeeds)

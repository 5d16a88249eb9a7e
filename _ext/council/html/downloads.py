"""A case page's downloads: its PDF with the PDF's size, its tables, its source text.

The case page (:mod:`council.html.case_page`) lists them after the case's
summary list. The PDF size is only known once the PDF step ran: the page
carries an empty ``council-pdf-size`` element that :func:`fill_pdf_sizes` (a
publish step) fills in. Each case's source text is published beside the pages
(``sources/``) when the HTML build finishes.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.osutil import relative_uri
from sphinx_needs.data import SphinxNeedsData

from council.views import traceability as tr
from council.latex.documents import CASES_DIR, PDF_DIR, case_pdf_name, pdf_names
from council.resolve.order import priority
from council.html.neutral_nodes import element, heading

SOURCE_DIR = "sources"
_PDF_SIZE = re.compile(r'<span class="council-pdf-size" data-council-pdf="([^"/]+\.pdf)"></span>')


class pdf_size(nodes.inline):
    """Filled in with the PDF's size once the PDF exists (see fill_pdf_sizes)."""


def _visit_pdf_size(self: Any, node: pdf_size) -> None:
    self.body.append(f'<span class="council-pdf-size" data-council-pdf="{html.escape(node["pdf"])}"></span>')
    raise nodes.SkipNode


def source_file(case: Any) -> str:
    """The case's source file name when it is a plain file name of ``sources/``."""
    name = case.get("source") or ""
    return name if re.fullmatch(r"[A-Za-z0-9_.-]+\.txt", name) else ""


def downloads(app: Sphinx, case: Any, docname: str) -> nodes.Node:
    """The downloads section of a case page: PDF (its size filled in later),
    the per-measure table as CSV / XLSX, the source text."""
    builder = app.builder
    here = builder.get_target_uri(docname)
    items = nodes.bullet_list(classes=["council-download-list"])

    def item(label: str, path: str, note: list[nodes.Node] | None = None) -> None:
        ref = nodes.reference(label, label, refuri=relative_uri(here, path), classes=["council-download"])
        items.append(nodes.list_item("", nodes.paragraph("", "", ref, *(note or []))))

    name = case_pdf_name(docname)
    known = getattr(builder, "_council_pdf_names", None)
    if known is None:
        known = builder._council_pdf_names = frozenset(pdf_names(app))
    if name in known:
        size = pdf_size()
        size["pdf"] = f"{name}.pdf"
        item("PDF（この案件の印刷用文書）", f"{PDF_DIR}/{name}.pdf", [size])
    # the per-measure table here; every table is among the reviewer material's downloads
    matrix = tr.case_matrix_name(case["id"])
    para = nodes.paragraph("", "", nodes.Text("対策の対応表（チェックリスト項目・特記事項）: "))
    for n, ext in enumerate(("csv", "xlsx")):
        if n:
            para += nodes.Text(" / ")
        label = ext.upper()
        para += nodes.reference(label, label, refuri=relative_uri(here, f"exports/{matrix}.{ext}"),
                                classes=["council-download"])
    items.append(nodes.list_item("", para))
    source = source_file(case)
    if source and Path(app.srcdir, SOURCE_DIR, source).is_file():
        item("原典の抽出テキスト（TXT、審議会資料の PDF から抽出した文字）", f"{SOURCE_DIR}/{source}")
    return element(nodes.container, [heading("ダウンロード", 2), items], ["council-downloads"])


def _add_pdf_link(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put a link to the case's PDF under the title of a case page that does not
    list it among its downloads (the page laid out by sphinx-needs itself)."""
    if not docname.startswith(f"{CASES_DIR}/"):
        return
    if next(iter(doctree.findall(pdf_size)), None) is not None:
        return
    name = case_pdf_name(docname)
    # computed once per build: a list of every PDF for every page grew with
    # the square of the number of cases
    known = getattr(app.builder, "_council_pdf_names", None)
    if known is None:
        known = app.builder._council_pdf_names = frozenset(pdf_names(app))
    if name not in known:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    uri = relative_uri(app.builder.get_target_uri(docname), f"{PDF_DIR}/{name}.pdf")
    link = nodes.reference("", "", nodes.Text("PDF をダウンロード"), refuri=uri)
    para = nodes.paragraph(
        "", "", link, nodes.Text(f"（{name}.pdf：この案件の公式の印刷用文書）"),
        classes=["council-pdf-link"],
    )
    section.insert(1, para)


class PdfLink(SphinxPostTransform):
    """HTML: the link to a case's PDF under the title of its page, where the
    downloads do not list it; after the case page layout (council.resolve.order)."""

    default_priority = priority("pdf-link")
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        _add_pdf_link(self.app, self.document, self.env.docname)


def _copy_sources(app: Sphinx, exception: Exception | None) -> None:
    """Publish each case's source text next to the pages, as a download."""
    if exception is not None or app.builder.format != "html":
        return
    needs = SphinxNeedsData(app.env).get_needs_view()
    srcdir = Path(app.srcdir, SOURCE_DIR)
    for case in tr.cases(needs):
        name = source_file(case)
        if name and (srcdir / name).is_file():
            target = Path(app.outdir, SOURCE_DIR)
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(srcdir / name, target / name)


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def fill_pdf_sizes(ctx: Any) -> None:
    """Publish step: write each case PDF's size into the pages that link to it."""
    pdf_dir = ctx.html / PDF_DIR
    for page in sorted(ctx.html.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if "council-pdf-size" not in text:
            continue

        def size(match: re.Match[str]) -> str:
            pdf = pdf_dir / match.group(1)
            if not pdf.is_file():
                return ""
            return f'<span class="council-pdf-size">（PDF、{_size_label(pdf.stat().st_size)}）</span>'

        new = _PDF_SIZE.sub(size, text)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup_downloads(app: Sphinx) -> None:
    app.add_node(pdf_size, html=(_visit_pdf_size, None))
    app.add_post_transform(PdfLink)
    app.connect("build-finished", _copy_sources)

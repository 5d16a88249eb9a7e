"""The reader-first case page in HTML, and the HTML forms of the neutral need nodes.

:mod:`council.html.render` renders needs as neutral nodes for every builder. This
module holds what only HTML has, as a post-transform with
``formats = ("html",)``:

- a case page gets, in order: breadcrumb, caption (年度 · 審議機関 · 手続),
  title, the case's summary list, downloads (PDF with its size, CSV/XLSX,
  the source text), a contents list with counts, one line pointing to the
  site's estimates, 事業の概要, the measures; editorial notes move into a
  collapsed 注記 section after the measures, and the reviewer material (trace
  tables, graph) is collapsed;
- ``council-details`` containers become ``<details>``/``<summary>`` (the
  GOV.UK details pattern, no script);
- need IDs may break only after an underscore (``<wbr>``).

The PDF size is only known once the PDF step ran: the page carries an empty
``council-pdf-size`` element that :func:`fill_pdf_sizes` (a publish step)
fills in.
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
from council.latex.documents import PDF_DIR, case_pdf_name, pdf_names
from council.html.render import COPIED, DETAILS, DETAILS_SUMMARY, NEED_ID, _el, _heading

SOURCE_DIR = "sources"
NEED_ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_PDF_SIZE = re.compile(r'<span class="council-pdf-size" data-council-pdf="([^"/]+\.pdf)"></span>')


# ------------------------------------------------------------------ nodes


class details(nodes.General, nodes.Element):
    """``<details>``; only HTML pages carry it."""


class details_summary(nodes.General, nodes.TextElement):
    """``<summary>``."""


class nav_region(nodes.General, nodes.Element):
    """``<nav aria-label=…>``."""


class scroll_region(nodes.container):
    """A wide table in its own keyboard-focusable scroll region (HTML); other
    builders render it as the container it is."""


class copied_text(nodes.container):
    """Text copied from other pages: HTML marks it for the search indexer to skip."""


def _visit_copied(self: Any, node: copied_text) -> None:
    self.body.append(self.starttag(node, "div", "", **{"data-pagefind-ignore": "all"}))


def _depart_copied(self: Any, node: copied_text) -> None:
    self.body.append("</div>\n")


class need_id_text(nodes.inline):
    """A need ID that may break only after its underscores (HTML)."""


class pdf_size(nodes.inline):
    """Filled in with the PDF's size once the PDF exists (see fill_pdf_sizes)."""


def _visit_details(self: Any, node: details) -> None:
    # text copied from other pages is not indexed for search here (Pagefind)
    extra = {"data-pagefind-ignore": "all"} if COPIED in node["classes"] else {}
    self.body.append(self.starttag(node, "details", "", **extra))


def _depart_details(self: Any, node: details) -> None:
    self.body.append("</details>\n")


def _visit_summary(self: Any, node: details_summary) -> None:
    self.body.append(self.starttag(node, "summary", ""))


def _depart_summary(self: Any, node: details_summary) -> None:
    self.body.append("</summary>\n")


def _visit_nav(self: Any, node: nav_region) -> None:
    self.body.append(self.starttag(node, "nav", "", **{"aria-label": node["label"]}))


def _depart_nav(self: Any, node: nav_region) -> None:
    self.body.append("</nav>\n")


def _visit_scroll(self: Any, node: scroll_region) -> None:
    self.body.append(self.starttag(node, "div", "", tabindex="0", role="region",
                                   **{"aria-label": node["label"]}))


def _depart_scroll(self: Any, node: scroll_region) -> None:
    self.body.append("</div>\n")


def _visit_id(self: Any, node: need_id_text) -> None:
    parts = [html.escape(p) for p in node.astext().split("_")]
    self.body.append(self.starttag(node, "span", "") + "_<wbr>".join(parts) + "</span>")
    raise nodes.SkipNode


def _visit_pdf_size(self: Any, node: pdf_size) -> None:
    self.body.append(f'<span class="council-pdf-size" data-council-pdf="{html.escape(node["pdf"])}"></span>')
    raise nodes.SkipNode


def scroll_wrap(node: nodes.Node, label: str) -> scroll_region:
    region = scroll_region(classes=["council-scroll-region"])
    region["label"] = label
    region += node
    return region


# --------------------------------------------------------- the transform


#: Words read out after a short summary so that its accessible name says what opens.
SUMMARY_SUFFIX = {"本文": "（チェックリスト項目と特記事項の条項）"}


def _details(container: nodes.container) -> details:
    node = details(classes=[c for c in container["classes"] if c != DETAILS])
    node["ids"] = list(container["ids"])
    children = list(container.children)
    if children and isinstance(children[0], nodes.paragraph) and DETAILS_SUMMARY in children[0]["classes"]:
        head = children.pop(0)
        summary = details_summary("", "", *head.children, classes=["council-details-summary"])
        suffix = SUMMARY_SUFFIX.get(head.astext())
        if suffix:
            summary += nodes.inline("", suffix, classes=["council-visually-hidden"])
    else:
        summary = details_summary("", "詳細を表示")
    node += summary
    node.extend(children)
    return node


def _admonition_title(node: nodes.Element) -> str:
    title = node.next_node(nodes.title)
    return title.astext() if title is not None else "注記"


def _admonition_details(node: nodes.Element, ids: list[str]) -> details:
    title = _admonition_title(node)
    estimate = "warning" in node["classes"]
    kept = [c for c in node.children if not isinstance(c, nodes.title)]
    summary = details_summary("", title, classes=["council-details-summary"])
    box = details(classes=["council-note", *(["council-note-estimate"] if estimate else [])])
    box["ids"] = ids or list(node["ids"])
    box += summary
    box.extend(kept)
    return box


class CasePageLayout(SphinxPostTransform):
    """HTML: the case page's reading order, details toggles, breakable IDs."""

    default_priority = 700  # after council.html.render (600)
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        docname = self.env.docname
        for box in list(self.document.findall(nodes.container)):
            if "council-need-case" in box["classes"]:
                self.case_page(box, docname)
                break
        for container in list(self.document.findall(nodes.container)):
            if DETAILS in container["classes"] and container.parent is not None:
                container.replace_self(_details(container))
            elif COPIED in container["classes"] and container.parent is not None:
                copied = copied_text(classes=container["classes"])
                copied.extend(container.children)
                container.replace_self(copied)
        for ref in list(self.document.findall(nodes.reference)):
            if NEED_ID in ref["classes"]:
                text = ref.astext()
                ref.children = []
                ref += need_id_text(text, text)
        for literal in list(self.document.findall(nodes.literal)):
            text = literal.astext()
            if NEED_ID_PATTERN.match(text):
                literal.children = []
                literal += need_id_text(text, text)

    # -- case pages ---------------------------------------------------------
    def case_page(self, box: nodes.container, docname: str) -> None:
        app = self.app
        needs = SphinxNeedsData(app.env).get_needs_view()
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
                notes_section += _admonition_details(note, [ident])
            trace = next((s for s in section.children if isinstance(s, nodes.section)
                          and any(True for _ in s.findall(_trace_placeholder_class()))), None)
            if trace is not None:
                section.insert(section.index(trace), notes_section)
            else:
                section += notes_section
        # admonitions inside the work sections are collapsed where they are
        for sub in section.findall(nodes.section):
            for child in list(sub.children):
                if isinstance(child, nodes.admonition | nodes.note | nodes.warning):
                    child.replace_self(_admonition_details(child, []))
        # reviewer material collapsed
        for placeholder in list(section.findall(_trace_placeholder_class())):
            wrapper = details(classes=["council-reviewer"])
            wrapper += details_summary("", "審査用の資料（対応表・充足状況・関係図・ダウンロード）",
                                       classes=["council-details-summary"])
            placeholder.replace_self(wrapper)
            wrapper += placeholder
        # downloads, contents and the estimates line, after the summary list
        extra: list[nodes.Node] = [self.downloads(case, docname, needs)]
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

    def downloads(self, case: Any, docname: str, needs: Any) -> nodes.Node:
        builder = self.app.builder
        here = builder.get_target_uri(docname)
        items = nodes.bullet_list(classes=["council-download-list"])

        def item(label: str, path: str, note: list[nodes.Node] | None = None) -> None:
            ref = nodes.reference(label, label, refuri=relative_uri(here, path), classes=["council-download"])
            items.append(nodes.list_item("", nodes.paragraph("", "", ref, *(note or []))))

        name = case_pdf_name(docname)
        known = getattr(builder, "_council_pdf_names", None)
        if known is None:
            known = builder._council_pdf_names = frozenset(pdf_names(self.app))
        if name in known:
            size = pdf_size()
            size["pdf"] = f"{name}.pdf"
            item("PDF（この案件の印刷用文書）", f"{PDF_DIR}/{name}.pdf", [size])
        # the per-measure table here; every table is among the reviewer material's downloads
        for table in tr.case_tables(needs, case["id"])[:1]:
            para = nodes.paragraph("", "", nodes.Text("対策の対応表（チェックリスト項目・特記事項）: "))
            for n, ext in enumerate(("csv", "xlsx")):
                if n:
                    para += nodes.Text(" / ")
                label = ext.upper()
                para += nodes.reference(label, label, refuri=relative_uri(here, f"exports/{table.name}.{ext}"),
                                        classes=["council-download"])
            items.append(nodes.list_item("", para))
        source = source_file(case)
        if source and Path(self.app.srcdir, SOURCE_DIR, source).is_file():
            item("原典の抽出テキスト（TXT、審議会資料の PDF から抽出した文字）", f"{SOURCE_DIR}/{source}")
        return _el(nodes.container, [_heading("ダウンロード", 2), items], ["council-downloads"])

    def contents(self, section: nodes.section, notes_section: nodes.section | None) -> nodes.Node:
        lst = nodes.bullet_list(classes=["council-contents-list"])
        for sub in section.children:
            if not isinstance(sub, nodes.section) or not sub["ids"]:
                continue
            title = sub.next_node(nodes.title).astext()
            count = _measures_in(sub)
            label = f"{title}（対策 {count} 件）" if count else title
            para = nodes.paragraph("", "", nodes.reference(label, label, internal=True, refid=sub["ids"][0]))
            entry = nodes.list_item("", para)
            groups = _counts_by_actor_and_aspect(sub)
            if len(groups) > 1:
                entry += nodes.paragraph("", "、".join(groups), classes=["council-contents-groups"])
            lst += entry
        nav = nav_region(classes=["council-contents"])
        nav["label"] = "この案件の目次"
        nav += _heading("目次", 2)
        nav += lst
        return nav

    def estimates_line(self, case: Any, needs: Any, note_ids: list[tuple[str, nodes.Element]]) -> nodes.Node | None:
        measures = [n for w in tr.works(needs, case["id"]) for n in tr.children(needs, w["id"], ("safeguard",))]
        grouped = sum(1 for m in measures if m.get("grouping") == "推定")
        proposed = sum(1 for m in measures if m.get("trace") == "提案")
        assumed = any(w.get("terms_assumed") in (True, "true", "True") for w in tr.works(needs, case["id"]))
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
            title = _admonition_title(note)
            para += nodes.Text(" 詳しくは ")
            para += nodes.reference(title, f"注記「{title}」", internal=True, refid=ident)
            para += nodes.Text("。")
        return para


def _counts_by_actor_and_aspect(section: nodes.Element) -> list[str]:
    """「区・運用 4」…: the measures of a work counted by who acts and the kind."""
    counts: dict[str, int] = {}
    for box in section.findall(nodes.container):
        if "council-measure" in box["classes"] and box.get("council_group"):
            counts[box["council_group"]] = counts.get(box["council_group"], 0) + 1
    return [f"{group} {n}" for group, n in counts.items()]


def _measures_in(section: nodes.Element) -> int:
    return sum(1 for c in section.findall(nodes.container) if "council-measure" in c["classes"])


def _trace_placeholder_class() -> type:
    from council.directives.trace import trace_placeholder

    return trace_placeholder


def source_file(case: Any) -> str:
    """The case's source file name when it is a plain file name of ``sources/``."""
    name = case.get("source") or ""
    return name if re.fullmatch(r"[A-Za-z0-9_.-]+\.txt", name) else ""


def _drop_pdf_paragraph(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The case page lists its PDF among the downloads: the separate PDF line goes."""
    if app.builder.format != "html":
        return
    if next(iter(doctree.findall(pdf_size)), None) is None:
        return
    for para in list(doctree.findall(nodes.paragraph)):
        if "council-pdf-link" in para["classes"]:
            para.parent.remove(para)


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


def setup_case_page(app: Sphinx) -> None:
    app.add_node(details, html=(_visit_details, _depart_details))
    app.add_node(details_summary, html=(_visit_summary, _depart_summary))
    app.add_node(nav_region, html=(_visit_nav, _depart_nav))
    app.add_node(scroll_region, html=(_visit_scroll, _depart_scroll))
    app.add_node(need_id_text, html=(_visit_id, None))
    app.add_node(copied_text, html=(_visit_copied, _depart_copied))
    app.add_node(pdf_size, html=(_visit_pdf_size, None))
    app.add_post_transform(CasePageLayout)
    # after council.latex.documents adds its PDF line (default priority)
    app.connect("doctree-resolved", _drop_pdf_paragraph, priority=600)
    app.connect("build-finished", _copy_sources)

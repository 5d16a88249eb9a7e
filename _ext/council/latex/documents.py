"""The printed record's documents: volumes, case PDFs, their links and builder.

The record is printed as volumes rather than one ever-growing book: one per
fiscal year (that year's cases) and one reference volume (special terms,
their comparison, the checklist, the reader's guide); each page in
``cases/`` also gets its own PDF. A fiscal year's volume is its front matter
(:mod:`council.latex.volume_front`) followed by its cases' own PDFs, joined by
:mod:`council_publish.volumes`: no case is typeset twice. All are derived
from the files, so a new case is printed without touching ``conf.py``. Every HTML case page links to
its PDF. How a case is printed is :mod:`council.latex.print_record`; its
tables, :mod:`council.latex.print_tables`; the LaTeX set-up,
:mod:`council.latex.preamble`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.utils import new_document
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.builders.latex import LaTeXBuilder
from sphinx.util.console import darkgreen
from sphinx.util.nodes import inline_all_toctrees

from council.latex.kept_tex import KeptTex, setup_kept_tex
from council.latex.preamble import LATEX_ELEMENTS
from council.latex.print_tables import need_box, print_tables
from council.read.confined_reads import is_confined_page

#: Directory of the case pages, relative to the source directory.
CASES_DIR = "cases"
#: Where the published site keeps the PDFs, relative to the HTML root.
PDF_DIR = "pdf"
#: File names (without ``.pdf``) of the volumes: one per fiscal year
#: (``council-fy2019``) and the reference volume.
VOLUME_PREFIX = "council-fy"
REFERENCE_VOLUME = "council-reference"
#: The reference volume: the special terms, their comparison and the
#: checklist (``clauses/index`` and its pages), and the reader's guide.
#: Author, performance, verification and architecture pages stay web-only.
REFERENCE_DOCS = ("clauses/index", "docs/reader-guide")
REFERENCE_TITLE = "特記事項・チェックリスト・閲覧の手引き"
#: The end of the preamble that the documents of one class share: before it,
#: nothing depends on the document (mylatexformat dumps up to this mark; run
#: without a format, the undefined control sequence is \relax).
PREAMBLE_END = r"\csname endofdump\endcsname"
#: What hyperref's dvipdfmx driver writes while it is read (PDF 1.5; keep named
#: destinations that no link uses): material on the page list, which a format
#: does not hold, so written again after the mark (twice without a format: no change).
AFTER_PREAMBLE = (r"\makeatletter\special{pdf:majorversion \Hy@pdf@majorversion}"
                  r"\special{pdf:minorversion \Hy@pdf@minorversion}"
                  r"\special{dvipdfmx:config C 0x0010}\makeatother")

_HEADING = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)
_FISCAL_YEAR = re.compile(r"^fiscal_year:\s*([0-9]{4})\s*$", re.MULTILINE)


def page_title(path: Path) -> str:
    """The first Markdown heading of *path*: the case's title (else the file name).

    Runs while conf.py is read, so it never fails: a broken page is reported
    by the build itself, with its file and line.
    """
    text = path.read_text(encoding="utf-8", errors="replace")
    match = _HEADING.search(text)
    return match.group(1) if match else path.stem


def case_pages(srcdir: Path) -> list[Path]:
    """The case pages (every ``cases/*.md`` but the index), sorted by name."""
    return sorted(
        path for path in (srcdir / CASES_DIR).glob("*.md")
        # Runs while conf.py is read: links out, devices and folders are
        # refused later by council.read.confined_reads, with the path.
        if path.stem != "index" and is_confined_page(path, srcdir)
    )


def case_pdf_name(docname: str) -> str:
    """``cases/2019-jiritsu`` → ``2019-jiritsu`` (the PDF is ``pdf/2019-jiritsu.pdf``)."""
    return docname.split("/", 1)[1]


def case_fiscal_year(path: Path) -> int | None:
    """The ``fiscal_year`` of the case on *path* (its front matter), else its file name's year."""
    text = path.read_text(encoding="utf-8", errors="replace")
    match = _FISCAL_YEAR.search(text) or re.match(r"([0-9]{4})-", path.name)
    return int(match.group(1)) if match else None


class Volume(tuple):
    """The documents of one volume, in order: ``latex_documents``' sixth item.

    Sphinx passes that item (``toctree_only``) to the builder's
    ``assemble_doctree``; :class:`VolumeLaTeXBuilder` reads a volume from it
    and assembles exactly these documents, as chapters, under the volume's
    title, instead of the start document's table of contents.
    """

    __slots__ = ()


class CaseVolume(Volume):
    """A fiscal year's volume: its LaTeX document is the front matter only
    (:mod:`council.latex.volume_front`); each case's own PDF is appended to it
    (:mod:`council_publish.volumes`), so no case is typeset twice."""

    __slots__ = ()


#: Written by :class:`VolumeLaTeXBuilder` beside the LaTeX files: each fiscal
#: year's volume and the case PDFs it holds, in order (read by council_publish.volumes).
VOLUMES_FILE = "volumes.json"
#: The LaTeX documents written so far, one file name a line, each added once
#: its ``.tex`` is whole: council_publish.pdf_jobs compiles them while the
#: next ones are written.
WRITTEN_FILE = "written.txt"


def latex_documents_for(srcdir: Path, title: str, author: str) -> list[tuple[str, str, str, str, str, object]]:
    """``latex_documents``: one volume per fiscal year, the reference volume,
    then one ``howto`` document per case.

    A volume never grows with the years: each holds one fiscal year's cases.
    """
    from council.latex.dates import fiscal_year_label

    by_year: dict[int, list[str]] = {}
    cases = []
    for path in case_pages(srcdir):
        docname = f"{CASES_DIR}/{path.stem}"
        cases.append((docname, f"{case_pdf_name(docname)}.tex", page_title(path), author, "howto", False))
        year = case_fiscal_year(path)
        if year is not None:
            by_year.setdefault(year, []).append(docname)
    documents: list[tuple[str, str, str, str, str, object]] = [
        ("index", f"{VOLUME_PREFIX}{year}.tex", f"審議案件 {fiscal_year_label(year)}", author, "manual",
         CaseVolume(docs))
        for year, docs in sorted(by_year.items())
    ]
    reference = [doc for doc in REFERENCE_DOCS if (srcdir / f"{doc}.md").is_file()]
    if reference:
        documents.append(("index", f"{REFERENCE_VOLUME}.tex", REFERENCE_TITLE, author, "manual",
                          Volume(reference)))
    return documents + cases


def pdf_names(app: Sphinx) -> list[str]:
    """Names (without ``.pdf``) of the PDFs the LaTeX build produces."""
    return [Path(doc[1]).stem for doc in app.config.latex_documents]


def _print_needs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """LaTeX: lay out needs that sphinx-needs made into tables as boxes, and set
    every table for the page."""
    if app.builder.format != "latex":
        return
    for table in list(doctree.findall(nodes.table)):
        if "need" in table["classes"] and table.parent is not None:
            table.replace_self(need_box(table))
    print_tables(doctree)


class VolumeLaTeXBuilder(LaTeXBuilder):
    """Sphinx's LaTeX builder that assembles a :class:`Volume` from its documents."""

    def update_context(self) -> None:
        super().update_context()
        # no build date in the LaTeX input: a PDF changes only with its pages
        # (a case PDF dates itself from its page, see council.latex.print_record)
        self.context["date"] = ""
        # the document's own PDF metadata (council.latex.print_record)
        base = self.__dict__.setdefault("_council_preamble", self.context.get("preamble", ""))
        info = getattr(self, "council_pdf_info", "")
        # what every document of a kind shares ends here: council_publish.pdf_jobs
        # loads it from a LaTeX format instead of reading it again for each PDF
        self.context["preamble"] = f"{base}\n{PREAMBLE_END}\n{AFTER_PREAMBLE}" + (f"\n{info}" if info else "")
        self.council_pdf_info = ""
        # a fiscal year's volume lists its 審議資料 itself (council.latex.volume_front);
        # each case PDF brings its own contents
        document = getattr(self, "council_document", None)
        if document is not None and isinstance(document[5], CaseVolume):
            self.context["tableofcontents"] = ""

    def write_documents(self, docnames: Any) -> None:
        # the message catalogue (sphinxmessages.sty, which every preamble reads)
        # before the first document, not after the last (Sphinx writes it again then)
        self.write_message_catalog()
        self._council_written = Path(self.outdir) / WRITTEN_FILE
        self._council_written.write_text("", encoding="utf-8")
        self._council_writing: str | None = None
        # a document whose pages did not change since the last publication is
        # copied from it (council.latex.kept_tex), listed at once as whole
        documents = list(self.document_data)
        self._council_kept = KeptTex.open(self.app)
        if self._council_kept is not None:
            self.document_data = [entry for entry in documents if not self._restored(entry)]
        try:
            super().write_documents(docnames)
        finally:
            self.document_data = documents
        self._written()
        if self._council_kept is not None:
            self._council_kept.save(Path(self.outdir))
        plan = {
            Path(entry[1]).stem: [case_pdf_name(doc) for doc in entry[5] if doc in self.env.all_docs]
            for entry in self.document_data if len(entry) > 5 and isinstance(entry[5], CaseVolume)
        }
        (Path(self.outdir) / VOLUMES_FILE).write_text(
            json.dumps(plan, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    def _restored(self, entry: Any) -> bool:
        if not self._council_kept.restore(entry, Path(self.outdir)):
            return False
        with open(self._council_written, "a", encoding="utf-8") as written:
            written.write(f"{entry[1]}\n")
        return True

    def _parts(self, indexfile: str, docs: list[str] | None) -> None:
        """Record the pages the document being written is assembled from (council.latex.kept_tex)."""
        if getattr(self, "_council_kept", None) is not None and self.council_document is not None:
            # a volume's start page only anchors its contents; a case page is its own start page
            parts = self.docnames - {indexfile} | set(docs) if docs is not None else set(self.docnames)
            self._council_kept.written(self.council_document, parts)

    def _written(self) -> None:
        """The document written last is whole: listed in :data:`WRITTEN_FILE`."""
        if self._council_writing is not None:
            with open(self._council_written, "a", encoding="utf-8") as written:
                written.write(f"{self._council_writing}\n")
        self._council_writing = None

    def assemble_doctree(self, indexfile: str, toctree_only: bool, appendices: list[str]) -> nodes.document:
        # Sphinx assembles each document once the one before is written
        self._written()
        # the document being written, for council.latex.print_record's PDF metadata
        self.council_document = next(
            (entry for entry in self.document_data if len(entry) > 5 and entry[5] is toctree_only
             and entry[0] == indexfile), None)
        self._council_writing = self.council_document[1] if self.council_document else None
        if not isinstance(toctree_only, Volume):
            tree = super().assemble_doctree(indexfile, toctree_only, appendices)
            self._parts(indexfile, None)
            return tree
        docs = [doc for doc in toctree_only if doc in self.env.all_docs]
        if isinstance(toctree_only, CaseVolume):
            tree = self._volume_front(indexfile, docs)
            self._parts(indexfile, docs)
            return tree
        self.docnames = {indexfile, *docs}
        tree = new_document("<latex output>")
        section = nodes.section()
        section += nodes.title("<Set title in conf.py>", "<Set title in conf.py>")
        toctree = addnodes.toctree()
        toctree["parent"] = indexfile
        toctree["entries"] = [(None, doc) for doc in docs]
        toctree["includefiles"] = docs
        toctree["maxdepth"] = 2
        toctree["glob"] = False
        toctree["hidden"] = False
        toctree["numbered"] = 0
        section += toctree
        tree += section
        largetree = inline_all_toctrees(self, self.docnames, indexfile, tree, darkgreen, [indexfile])
        largetree["docname"] = indexfile
        self._parts(indexfile, docs)
        self.env.resolve_references(largetree, indexfile, self)
        for pending in list(largetree.findall(addnodes.pending_xref)):
            text = pending.get("refsectname") or pending.astext()
            pending.replace_self(nodes.emphasis(text, text))
        return largetree

    def _volume_front(self, indexfile: str, docs: list[str]) -> nodes.document:
        """A fiscal year's volume before its cases: the list of its 審議資料."""
        from council.latex.volume_front import volume_front

        self.docnames = {indexfile}
        tree = new_document("<latex output>")
        tree["docname"] = indexfile
        tree.extend(volume_front(self.app, docs, [case_pdf_name(doc) for doc in docs]))
        self.env.resolve_references(tree, indexfile, self)
        return tree


def _configure(app: Sphinx, config: Config) -> None:
    """The PDFs follow the pages: conf.py holds configuration only, no extension code."""
    config.latex_documents = latex_documents_for(Path(app.srcdir), config.project, config.author)
    config.latex_elements = {**LATEX_ELEMENTS, **config.latex_elements}


def setup_latex(app: Sphinx) -> None:
    app.add_builder(VolumeLaTeXBuilder, override=True)
    setup_kept_tex(app)
    app.connect("config-inited", _configure)
    # Stays a doctree-resolved handler, after sphinx-needs (500) lays out its
    # needs: it sets every table, the views' included, for the page
    # (council.resolve.order).
    app.connect("doctree-resolved", _print_needs, priority=900)

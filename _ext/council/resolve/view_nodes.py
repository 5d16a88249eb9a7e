"""Docutils nodes of the views: typed cells, tables, year strips, downloads.

:mod:`council.views.traceability` computes tables of typed cells (links to
needs, coverage states, text diffs); :class:`ViewNodes` turns them into
neutral docutils nodes that every builder renders, on one page
(``docname``): links to needs by their label, tables with their hidden
columns left out, the per-year counts as one strip, the cases of a row as a
closed list, and the links to the CSV/XLSX files (their names in print).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import NoUri
from sphinx.util.osutil import relative_uri

from council.directives.trace import expandable, expandable_summary
from council.html.neutral_nodes import element
from council.views import traceability as tr

#: Where the CSV/XLSX files are published, relative to the HTML root.
EXPORT_DIR = "exports"
#: Cell classes keyed by coverage state code (not by the label readers see).
STATUS_CLASSES = {key: f"council-status-{key.replace('_', '-')}" for key in tr.STATUS_LABELS}
#: Years shown one by one in a row's strip; earlier years are added up in one block.
STRIP_YEARS = 6
#: Levels of the per-year bars (CSS classes council-level-0 .. council-level-5).
BAR_LEVELS = 5


class ViewNodes:
    """The nodes of views shown on the page *docname*, made from *needs*."""

    def __init__(self, app: Sphinx, docname: str, needs: tr.Needs) -> None:
        self.app = app
        self.docname = docname
        self.needs = needs
        self.html = app.builder.format == "html"
        self._uris: dict[str, str | None] = {}

    def ref(self, ref: tr.Ref) -> nodes.Node:
        """A link to a need, its label as text (the ID when it has none).

        A need on a page outside the document being written (a case PDF does not
        hold the clause pages) is named without a link."""
        need = self.needs.get(ref.id)
        label = ref.label or ref.id
        text: nodes.Node = nodes.Text(label) if ref.label else nodes.literal(label, label)
        if not need or not need.get("docname"):
            return text
        # make_refnode's node, built detached, with each page's address worked out once per
        # page: a case's tables link to the same few clause and checklist pages thousands of times
        node = element(nodes.reference, [text])
        node["internal"] = True
        if need["docname"] == self.docname:
            node["refid"] = need["id"]
        else:
            uri = self._uri(need["docname"])
            if uri is None:
                return element(nodes.inline, [text])
            node["refuri"] = f"{uri}#{need['id']}"
        title = ref.id if ref.label else (need.get("title") or None)
        if title:
            node["reftitle"] = title
        return node

    def _uri(self, docname: str) -> str | None:
        """The address of *docname* from this page (None: the builder has none)."""
        try:
            return self._uris[docname]
        except KeyError:
            pass
        try:
            uri: str | None = self.app.builder.get_relative_uri(self.docname, docname)
        except NoUri:
            uri = None
        self._uris[docname] = uri
        return uri

    def refs(self, refs: tr.Refs) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for n, ref in enumerate(refs):
            if n:
                result.append(nodes.Text(", "))
            result.append(self.ref(ref))
        return result

    def cell(self, value: tr.Cell) -> list[nodes.Node]:
        if isinstance(value, tr.Refs):
            return self.refs(value)
        if isinstance(value, tr.Diff):
            return self.diff(value.segments)
        return [nodes.Text(str(value))]

    def diff(self, segments) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for op, text in segments:
            if op == "equal":
                result.append(nodes.Text(text))
                continue
            marked = f"〔{'－' if op == 'delete' else '＋'}{text}〕"
            result.append(nodes.inline(marked, marked, classes=[
                "council-diff-del" if op == "delete" else "council-diff-ins"]))
        return result

    def case_list(self, refs: tr.Refs, label: str) -> nodes.Node:
        """The cases of a row, closed under 「label（n件）」."""
        box = expandable(classes=["council-row-cases"])
        box += expandable_summary("", f"{label}（{len(refs)}件）")
        items = nodes.bullet_list(classes=["council-case-list"])
        for ref in refs:
            items += nodes.list_item("", nodes.paragraph("", "", self.ref(ref)))
        box += items
        return box

    def strip(self, counts: list[int], headers: list[str]) -> list[nodes.Node]:
        """The per-year counts as one line of labelled numbers with a bar level each.

        At most :data:`STRIP_YEARS` years are shown one by one; the years before
        them are added up in one block 「〜YYYY」, so that a row stays the same
        size however many years the site covers (the exports have every year)."""
        labels = [h.removesuffix("年度") for h in headers]
        if len(counts) > STRIP_YEARS:
            cut = len(counts) - STRIP_YEARS + 1
            counts = [sum(counts[:cut]), *counts[cut:]]
            labels = [f"〜{labels[cut - 1]}", *labels[cut:]]
        top = max(counts, default=0)
        para = nodes.paragraph(classes=["council-year-strip"])
        for count, label in zip(counts, labels, strict=True):
            level = 0 if not count else max(1, round(BAR_LEVELS * count / top))
            year = nodes.inline(classes=["council-year", f"council-level-{level}"])
            year += nodes.inline("", label, classes=["council-year-label"])
            year += nodes.Text(" ")
            year += nodes.inline("", str(count), classes=["council-year-count"])
            para += year
            para += nodes.Text(" ")
        return [para]

    def table(self, table: tr.Table) -> nodes.table:
        """*table* as a docutils table: hidden columns left out, the year columns
        as one strip, the expand column as a closed list under the row header."""
        shown = [i for i in range(len(table.headers))
                 if i not in table.page_hidden and i not in table.strip and i != table.expand]
        headers = [table.headers[i] for i in shown]
        if table.strip:
            headers.append(table.strip_header)
        summary = bool(table.strip or table.expand is not None)
        labelled = summary and self.html  # the labels serve the stacked rows of a phone
        # A summary stacks its rows on a phone, each value with its column's label.
        node = nodes.table(classes=["council-matrix", *(["council-summary"] if summary else [])])
        # Captioned tables are numbered: each needs an ID, unique on its page.
        node["ids"].append(f"council-{table.name}")
        node += nodes.title(table.title, table.title)
        group = nodes.tgroup(cols=len(headers))
        node += group
        for n, header in enumerate(headers):
            spec = nodes.colspec(colwidth=max(4, min(30, len(header) * 2)))
            if n == 0 and table.row_headers:
                spec["stub"] = 1
            group += spec
        head = nodes.thead()
        group += head
        head += self._row([[nodes.Text(h)] for h in headers])
        body = nodes.tbody()
        group += body
        for row in table.rows:
            cells: list[list[nodes.Node]] = []
            classes: list[list[str]] = []
            for i in shown:
                content = self.cell(row[i])
                if labelled and i != shown[0]:
                    content = [self._label(table.headers[i]), *content]
                if i == shown[0] and table.expand is not None and row[table.expand]:
                    content = [element(nodes.paragraph, content), self.case_list(row[table.expand],
                                                                                table.expand_label)]
                cells.append(content)
                value = row[i]
                classes.append([STATUS_CLASSES[value.code]] if isinstance(value, tr.Status) else [])
            if table.strip:
                label = nodes.paragraph("", "", nodes.inline("", table.strip_header, classes=["council-cell-label"]))
                cells.append([*([label] if labelled else []),
                              *self.strip([int(row[i]) for i in table.strip], [table.headers[i] for i in table.strip])])
                classes.append(["council-year-cell"])
            body += self._row(cells, classes)
        return node

    @staticmethod
    def _label(header: str) -> nodes.inline:
        """``inline("", header, classes=["council-cell-label"])``, built detached."""
        return element(nodes.inline, [nodes.Text(header)] if header else None, ["council-cell-label"])

    def _row(self, cells: list[list[nodes.Node]], classes: list[list[str]] | None = None) -> nodes.row:
        # element(): a table of a large case has thousands of cells, each built detached
        entries = []
        for index, content in enumerate(cells):
            entry_classes = classes[index] if classes and index < len(classes) else None
            if content and all(isinstance(c, nodes.Body) and not isinstance(c, nodes.Inline) for c in content):
                entries.append(element(nodes.entry, content, entry_classes))
            else:
                entries.append(element(nodes.entry, [element(nodes.paragraph, content)], entry_classes))
        return element(nodes.row, entries)

    def downloads(self, tables: list[tr.Table], extra: list[tuple[str, str]] = (),
                  html_only: bool = False) -> list[nodes.Node]:
        """Links to the CSV/XLSX of *tables* (HTML), or their file names (other builders)."""
        items = nodes.bullet_list()
        for table in tables:
            item = nodes.list_item()
            para = nodes.paragraph()
            para += nodes.Text(f"{table.title}: ")
            for n, ext in enumerate(("csv", "xlsx")):
                if n:
                    para += nodes.Text(" / ")
                para += self._file_link(f"{EXPORT_DIR}/{table.name}.{ext}", ext.upper())
            item += para
            items += item
        for path, label in extra:
            item = nodes.list_item()
            para = nodes.paragraph()
            para += nodes.Text(f"{label}: ")
            para += self._file_link(path, path.rsplit("/", 1)[-1])
            item += para
            items += item
        result: list[nodes.Node] = [items]
        if not self.html and not html_only:
            result.insert(0, nodes.paragraph(
                "", "次のファイルは、ウェブ版のサイトからダウンロードできます。"))
        return result

    def _file_link(self, path: str, label: str) -> nodes.Node:
        if not self.html:
            return nodes.literal(path, path)
        uri = relative_uri(self.app.builder.get_target_uri(self.docname), path)
        return nodes.reference(label, label, refuri=uri, classes=["council-download"])

"""Tables laid out for the page: breakable, with column widths for Japanese, never letter-spaced.

Sphinx gives every column of a long table the same width, and justifies the
cells: in a matrix of eight columns, Japanese text stood five characters to
a line with wide gaps between the characters. In print, every top-level
table here breaks across pages repeating its header, takes column widths
from its content (a column of long text gets the room, a column of numbers
little), and sets its cells ragged (LaTeX environments
``sphinxclasscouncilragged`` / ``councilwide`` / ``councilverywide``).
A need laid out as a one-column table becomes a breakable box.
"""

from __future__ import annotations

import re

from docutils import nodes

#: Tables with this many columns or more are set in a smaller type (LaTeX
#: environments ``sphinxclasscouncilwide`` / ``sphinxclasscouncilverywide``).
WIDE_COLUMNS = 6
VERY_WIDE_COLUMNS = 10


def _columns(table: nodes.table) -> int:
    group = table.next_node(nodes.tgroup)
    return int(group["cols"]) if group is not None else 0


def print_tables(doctree: nodes.document) -> None:
    """Let top-level tables break across pages (repeating their header), and
    set wide matrices in a smaller type so that IDs fit their columns.

    Sphinx prints a table as ``longtable`` only past 30 rows; matrices are
    shorter but often longer than what is left of a page. Tables nested in
    other boxes cannot be long tables in LaTeX, so they keep the default.
    Runs at ``doctree-resolved`` because the matrices are made there.
    """
    for table in list(doctree.findall(nodes.table)):
        if _nested(table):
            continue
        if "longtable" not in table["classes"]:
            table["classes"].append("longtable")
        cols = _columns(table)
        # the print's own tables have their widths and type (council.latex.record_layout)
        if "council-print-table" in table["classes"] or "council-print-fields" in table["classes"]:
            continue
        if "colwidths-given" not in table["classes"]:
            content_widths(table)
        if cols >= WIDE_COLUMNS:
            size = "councilverywide" if cols >= VERY_WIDE_COLUMNS else "councilwide"
        else:
            size = "councilragged"
        table.replace_self(nodes.container("", table.deepcopy(), classes=[size]))


#: A column's width (in ems) counts its longest line up to this; longer text wraps.
MAX_COLUMN_EMS = 30
#: A column whose longest line is up to this wide (ems) gets its width.
SHORT_COLUMN_EMS = 8.0
#: Cell text up to this width (ems) is not broken.
SHORT_TEXT_EMS = 6.0
#: The narrowest column, in ems.
MIN_COLUMN_EMS = 2.5
_UNBREAKABLE = re.compile(r"[\x21-\x7e]+")


def text_ems(text: str) -> float:
    """The width of *text* in ems: a Japanese character one, a Latin one about half."""
    return sum(1.0 if ord(char) > 0x2E7F else 0.55 for char in text)


def content_widths(table: nodes.table) -> None:
    """Column widths from the content: each column its longest line (up to
    :data:`MAX_COLUMN_EMS`; a header counts a third, it may take three lines), and at
    least its longest unbreakable word, fitted to the line (:func:`fitted`)."""
    group = table.next_node(nodes.tgroup)
    if group is None:
        return
    specs = [spec for spec in group.children if isinstance(spec, nodes.colspec)]
    natural = [MIN_COLUMN_EMS] * len(specs)
    minimum = [MIN_COLUMN_EMS] * len(specs)
    amount = [0.0] * len(specs)
    for part in group.children:
        if not isinstance(part, (nodes.thead, nodes.tbody)):
            continue
        for row in part.children:
            column = 0
            for entry in row.children:
                span = int(entry.get("morecols", 0))
                if not span and column < len(specs):
                    text = entry.astext()
                    lines = [text_ems(line) for line in text.splitlines()] or [0.0]
                    # IDs and file names break after "_" and "-" (see LATEX_ELEMENTS)
                    words = [text_ems(piece) for word in _UNBREAKABLE.findall(text)
                             for piece in re.split(r"(?<=[_-])", word)]
                    longest = max(lines) / (3 if isinstance(part, nodes.thead) else 1)
                    # a short value (an ID, a state, a number) stays on one line
                    short = [w for w in lines if w <= SHORT_TEXT_EMS and not isinstance(part, nodes.thead)]
                    minimum[column] = max([minimum[column], *words, *short])
                    natural[column] = max(natural[column], min(longest, MAX_COLUMN_EMS))
                    if isinstance(part, nodes.tbody):
                        amount[column] += sum(lines)
                column += 1 + span
    for spec, width in zip(specs, fitted(natural, minimum, amount), strict=True):
        spec["colwidth"] = max(1, round(10 * width))
    table["classes"].append("colwidths-given")


#: The text width (pt) and the type size (pt) of tables by their number of columns
#: (LaTeX environments councilragged, councilwide, councilverywide).
TEXT_WIDTH_PT = 452.97
CELL_PADDING_PT = {0: 12.0, WIDE_COLUMNS: 6.0, VERY_WIDE_COLUMNS: 4.0}
TYPE_SIZE_PT = {0: 10.0, WIDE_COLUMNS: 8.0, VERY_WIDE_COLUMNS: 7.0}


def fitted(natural: list[float], minimum: list[float], amount: list[float]) -> list[float]:
    """Column widths (ems, each with its cell padding) that fill the line.

    A column whose longest line is short (:data:`SHORT_COLUMN_EMS`: IDs,
    numbers, states, headings) gets that width; the long-text columns share
    the rest in proportion to how much text they hold; every column gets at
    least its longest word."""
    cols = len(natural)
    level = max(k for k in TYPE_SIZE_PT if cols >= k)
    padding = CELL_PADDING_PT[level] / TYPE_SIZE_PT[level]
    room = TEXT_WIDTH_PT / TYPE_SIZE_PT[level] - cols * padding
    natural = [max(n, m) for n, m in zip(natural, minimum, strict=True)]
    long = [c for c in range(cols) if natural[c] > SHORT_COLUMN_EMS]
    widths = [minimum[c] if c in long else natural[c] for c in range(cols)]
    spare = room - sum(widths)
    if long and spare > 0:
        total = sum(amount[c] for c in long) or len(long)
        for c in long:
            widths[c] += spare * (amount[c] or 1) / total
        # a long column given more than its longest line passes the excess on
        excess = sum(max(0.0, widths[c] - natural[c]) for c in long)
        for c in long:
            widths[c] = min(widths[c], natural[c])
        wanting = [c for c in long if widths[c] < natural[c]]
        for c in wanting:
            widths[c] += excess / len(wanting)
    return [width + padding for width in widths]


def _nested(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, (nodes.table, nodes.Admonition, nodes.sidebar, nodes.topic)):
            return True
        parent = parent.parent
    return False


def need_box(table: nodes.table) -> list[nodes.Node]:
    """A need as a page-breakable box: head line as title, non-empty meta lines, content.

    sphinx-needs lays a need out as a one-column table; LaTeX cannot break a
    table row across pages, so a need with a long back-link list ran off the
    page, and the empty lines of unset fields left large gaps.
    """
    title = nodes.title()
    body: list[nodes.Node] = []
    for row in table.findall(nodes.row):
        kind = set(row["classes"])
        entry = row.next_node(nodes.entry)
        if entry is None:
            continue
        if "head" in kind:
            for line in _lines(entry):
                title.extend(child.deepcopy() for child in line.children)
        elif "meta" in kind:
            for line in _lines(entry):
                body.append(nodes.paragraph("", "", *(c.deepcopy() for c in line.children),
                                            classes=["need-meta"]))
        else:
            body.extend(child.deepcopy() for child in entry.children)
    box = nodes.admonition("", title, *body, classes=["need", *table["classes"]])
    target = nodes.target("", "", ids=list(table["ids"]))
    return [target, box]


def _lines(entry: nodes.Element) -> list[nodes.line]:
    """The innermost non-empty lines of a layout cell (link lists nest line blocks)."""
    return [
        line for line in entry.findall(nodes.line)
        if line.astext().strip() and next(iter(line.findall(nodes.line, include_self=False)), None) is None
    ]

"""The front matter of a fiscal year's volume: its title page and the list of its 審議資料.

A fiscal year's volume is not typeset case by case again: its LaTeX document
is this front matter only, and :mod:`council_publish.volumes` appends each
case's own PDF after it (the same pages, numbering and links as the case PDF).
The list names each 審議資料 by its number in the volume (資料 2 is the
case whose sections are numbered 2.1, 2.2), its title, council and procedure,
and department; each title links to the case's first page (a
``council-case:<name>`` link, made internal when the volume is joined).
"""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes
from sphinx.application import Sphinx

from council.latex.dates import page_epoch
from council.latex.record_layout import para, print_table
from council.model.content_model import model_for
from council.model.need_index import need_index
from council.views import traceability as tr

#: The URI scheme of a link from the front matter to a case of the volume.
CASE_LINK = "council-case:"
#: The heading of the list, and its columns (widths in proportion).
CONTENTS_TITLE = "収録した審議資料"
HEADERS = ["資料", "件名", "審議機関・手続", "担当部課"]
WIDTHS = [8, 52, 22, 18]


def volume_front(app: Sphinx, docs: Sequence[str], pdf_names: Sequence[str]) -> list[nodes.Node]:
    """The list of the volume's 審議資料, in the volume's order (*docs*, their PDFs *pdf_names*)."""
    needs = need_index(app)
    case_type = model_for(app).roles.case
    cases = {n.get("docname"): n for n in tr.of_type(needs, case_type)}
    rows = []
    for number, (doc, pdf) in enumerate(zip(docs, pdf_names, strict=True), start=1):
        case = cases.get(doc, {})
        title = case.get("title") or app.env.titles[doc].astext()
        link = nodes.reference("", title, refuri=f"{CASE_LINK}{pdf}")
        procedure = "・".join(case.get("procedure") or [])
        rows.append([
            [nodes.Text(f"資料{number}")],
            [link],
            [nodes.Text("　".join(part for part in (case.get("council", ""), procedure) if part))],
            [nodes.Text(case.get("department", ""))],
        ])
    note = para("各審議資料は、区の審議資料の形のまま（表紙、目次、本文、付録、この文書について）収め、"
                "ページ番号も審議資料ごとに 1 から数えます。節と表の番号は資料の番号から始まります"
                "（資料 2 の節は 2.1、2.2）。")
    result = [nodes.rubric(CONTENTS_TITLE, CONTENTS_TITLE), note, print_table(HEADERS, WIDTHS, rows)]
    # the volume is as new as its newest case (council_publish.pdf_jobs reads it:
    # the front matter's SOURCE_DATE_EPOCH), not the whole site
    epochs = [epoch for epoch in (page_epoch(app, doc) for doc in docs) if epoch is not None]
    if epochs:
        result.append(nodes.raw("", f"\n% council-source-date-epoch: {max(epochs)}\n", format="latex"))
    return result

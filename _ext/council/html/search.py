"""Full-text search in Japanese with Pagefind.

Sphinx's own search index does not segment Japanese, so queries typed without
spaces (個人情報, 再委託) find nothing. Pagefind's *extended* build segments
Japanese; it runs over the finished HTML in ``council-build``
(:mod:`council_publish.search_index`) and writes its index and UI into
``html/pagefind/``, served from the site itself.

During the HTML build this module tells the page template, for every page,
whether it is to be indexed and which facets (filters) and metadata its cases
carry; the template turns them into ``data-pagefind-*`` attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from council.html.parallel_build import ParallelBuild
from council.views.catalog import CaseRecord, case_records

#: Pagefind filter names (shown to readers as facet headings) per case field.
FILTERS: tuple[tuple[str, str], ...] = (
    ("fiscal_year", "開始年度"),
    ("department", "担当部課"),
    ("council", "審議機関"),
    ("procedure", "手続"),
    ("legal_basis", "根拠規定"),
    ("contractors", "委託先"),
)

#: Pages that are navigation aids, not content: kept out of the index.
NOT_INDEXED = frozenset({"search", "genindex", "py-modindex", "needs"})

#: Where the index and UI go, relative to the HTML root.
BUNDLE_DIR = "pagefind"

#: Parts of a page that only point to other pages (tables of contents, the
#: generated case lists) or are decoration (permalink signs): indexing them
#: would rank the lists above the cases they list. A case's reviewer material
#: (its matrices, coverage figures and downloads, collapsed under the case) is
#: left out too: it repeats the checklist's and the clauses' names in every
#: case, so it was half of each case's index entry and of the index's time
#: (N = 1,000: 115 -> 70 s CPU, index 37 -> 17 MB), and a result's excerpt
#: taken from a matrix told the reader nothing. Those names stay searchable on
#: the checklist and clause pages, and in a case's own measures.
EXCLUDED = (".toctree-wrapper", ".council-case-group", ".council-case-list", ".headerlink", ".council-reviewer")


def _values(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v)]
    return [str(value)]


def page_filters(records: Iterable[CaseRecord]) -> list[tuple[str, str]]:
    """The (filter, value) pairs of the cases on one page, without repeats."""
    pairs: list[tuple[str, str]] = []
    for record in records:
        for field, name in FILTERS:
            for value in _values(getattr(record, field)):
                value = f"{value}年度" if field == "fiscal_year" else value
                if (name, value) not in pairs:
                    pairs.append((name, value))
    return pairs


def page_meta(records: list[CaseRecord]) -> list[tuple[str, str]]:
    """Metadata shown with a search result: the kind of page and the case."""
    if not records:
        return []
    first = records[0]
    return [
        ("種別", "案件"),
        ("開始年度", f"{first.fiscal_year}年度"),
        ("担当部課", first.department),
    ]


def page_keywords(records: Iterable[CaseRecord]) -> str:
    """The identifying fields of the cases on one page, for weighted search."""
    words: list[str] = []
    for record in records:
        for value in (record.department, record.business, *record.contractors):
            if value and value not in words:
                words.append(value)
    return " ".join(words)


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    records = [r for r in case_records(app.env) if r.docname == pagename]
    context["council_search_indexed"] = doctree is not None and pagename not in NOT_INDEXED
    context["council_search_filters"] = page_filters(records)
    context["council_search_meta"] = page_meta(records)
    context["council_search_keywords"] = page_keywords(records)
    context["council_search_bundle"] = BUNDLE_DIR


class PagefindHTMLBuilder(ParallelBuild, StandaloneHTMLBuilder):
    """Sphinx's HTML builder without its own search index: readers search with Pagefind.

    Feeding Sphinx's index costs a fifth of a large build (its Japanese
    splitter runs on every word of every page) and the index is never
    loaded. The search page itself is still written (``search = True``),
    with this site's template. With ``-j N`` its pages are resolved and
    written by N workers, and read by N workers in a first build
    (:mod:`council.html.parallel_build`).
    """

    name = "html"

    def load_indexer(self, docnames: Iterable[str]) -> None:
        pass

    def index_page(self, pagename: str, doctree: Any, title: str) -> None:
        pass

    def dump_search_index(self) -> None:
        pass


def setup_search(app: Sphinx) -> None:
    app.add_builder(PagefindHTMLBuilder, override=True)
    app.connect("html-page-context", _page_context)

"""Every matrix of the site: the tables of each case, then the tables across
cases, as shown on the pages (``council.directives.trace``) and written as
CSV/XLSX (``council.outputs.exports``).

The views are pure functions over the needs (see :mod:`council.model.need_index`),
one module per concept: typed cells (:mod:`.cells`), how needs are named
(:mod:`.labels`), checklist coverage (:mod:`.coverage`), the traces of the
safeguards (:mod:`.trace_matrix`), the clause × case and item × case views
(:mod:`.cross_case`), the comparison of cases (:mod:`.comparison`), the kinds
of personal data (:mod:`.data_kinds`) and the edition diff (:mod:`.edition_diff`).
The other stages read the views through this module's names (``tr.…``).
"""

from __future__ import annotations

from collections.abc import Iterator

from council.model.need_index import (
    NeedIndex, Needs, cases, checkitems, children, fiscal_year, index, indexed, links, of_type, works,
)
from council.views.cells import (
    COVERED, GAP, NOT_APPLICABLE, STATUS_LABELS, Cell, Diff, Percent, Ref, Refs, Status, Table,
    export_value, marked_text,
)
from council.views.comparison import COMPARE_LIMIT, compare_data, compare_table, default_comparison
from council.views.coverage import (
    RETROSPECTIVE_LABEL, RETROSPECTIVE_NOTE, Coverage, Figures, ItemCoverage, coverage,
    coverage_summary_table, coverage_table, is_retrospective,
)
from council.views.cross_case import (
    RelyingCase, case_header, checkitem_case_table, checkitem_summary_table, clause_case_table,
    clause_summary_table, fiscal_years, relying_cases,
)
from council.views.data_kinds import (
    DATA_KINDS, OTHER_KIND, UNLISTED_KIND, classify_data_items, data_case_table, data_item_tokens,
    data_reference, data_summary_table, data_work_table,
)
from council.views.edition_diff import (
    ADDED, DIFF_LABELS, REMOVED, RETITLED, REWORDED, UNCHANGED, ClauseDiff, edition_diff,
    edition_diff_table, edition_pairs, text_segments,
)
from council.views.labels import clause_label, clause_title, edition_label, edition_name, excerpt, full_text
from council.views.trace_matrix import case_matrix, case_matrix_name, trace_long_table

__all__ = [
    "ADDED", "COMPARE_LIMIT", "COVERED", "DATA_KINDS", "DIFF_LABELS", "GAP", "NOT_APPLICABLE",
    "OTHER_KIND", "REMOVED", "RETITLED", "RETROSPECTIVE_LABEL", "RETROSPECTIVE_NOTE", "REWORDED",
    "STATUS_LABELS", "UNCHANGED", "UNLISTED_KIND",
    "Cell", "ClauseDiff", "Coverage", "Diff", "Figures", "ItemCoverage", "NeedIndex", "Needs",
    "Percent", "Ref", "Refs", "RelyingCase", "Status", "Table",
    "all_tables", "case_header", "case_matrix", "case_matrix_name", "case_tables", "cases", "checkitem_case_table",
    "checkitem_summary_table", "checkitems", "children", "classify_data_items", "clause_case_table",
    "clause_label", "clause_summary_table", "clause_title", "compare_data", "compare_table", "coverage",
    "coverage_summary_table", "coverage_table", "cross_tables", "data_case_table", "data_item_tokens",
    "data_reference", "data_summary_table", "data_work_table", "default_comparison", "edition_diff",
    "edition_diff_table", "edition_label", "edition_name", "edition_pairs", "excerpt", "export_value",
    "fiscal_year", "fiscal_years", "full_text", "index", "iter_case_tables", "iter_cross_tables", "is_retrospective", "links", "marked_text",
    "of_type", "relying_cases", "text_segments", "trace_long_table", "works",
]


def iter_case_tables(needs: Needs, case_id: str) -> Iterator[Table]:
    """The tables of one case, one at a time: its trace matrix, its coverage and the coverage's figures."""
    needs = index(needs)
    yield case_matrix(needs, case_id)
    yield coverage_table(needs, case_id)
    yield coverage_summary_table(needs, case_id)


@indexed
def case_tables(needs: Needs, case_id: str) -> list[Table]:
    """The tables of one case (:func:`iter_case_tables`) as a list."""
    return list(iter_case_tables(needs, case_id))


def iter_cross_tables(needs: Needs) -> Iterator[Table]:
    """The tables across cases, one at a time: the summaries, the grids, the long format,
    the edition diffs."""
    needs = index(needs)
    yield clause_summary_table(needs)
    yield checkitem_summary_table(needs)
    yield data_summary_table(needs)
    yield clause_case_table(needs)
    yield checkitem_case_table(needs)
    yield data_case_table(needs)
    yield data_work_table(needs)
    yield trace_long_table(needs)
    for old, new in edition_pairs(needs):
        yield edition_diff_table(needs, old, new)


@indexed
def cross_tables(needs: Needs) -> list[Table]:
    """The tables across cases (:func:`iter_cross_tables`) as a list."""
    return list(iter_cross_tables(needs))


def all_tables(needs: Needs) -> Iterator[Table]:
    """Every matrix of the site, per case then across cases, made one at a time: at
    1,000 cases they hold about as much memory as the needs themselves, so a caller
    that writes each one and lets it go never holds them all."""
    needs = index(needs)
    for case in cases(needs):
        yield from iter_case_tables(needs, case["id"])
    yield from iter_cross_tables(needs)

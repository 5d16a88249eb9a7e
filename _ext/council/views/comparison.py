"""The checklist coverage of a few chosen cases side by side (the comparison
page), and the data its script needs to compare any cases."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from council.model.need_index import Needs, cases, checkitems, fiscal_year, indexed
from council.views.cells import STATUS_LABELS, Cell, Ref, Refs, Status, Table
from council.views.coverage import coverage
from council.views.cross_case import case_header, newest_first
from council.views.labels import full_text

#: At most this many cases are compared side by side on a page.
COMPARE_LIMIT = 4


def default_comparison(needs: Needs) -> list[str]:
    """The cases compared when none are chosen: the newest ones."""
    return [c["id"] for c in newest_first(cases(needs))[:COMPARE_LIMIT]]


@indexed
def compare_table(needs: Needs, case_ids: Iterable[str]) -> Table:
    """The checklist coverage of a few chosen cases side by side."""
    chosen = [needs[c] for c in list(case_ids)[:COMPARE_LIMIT]]
    coverages = [coverage(needs, c["id"]) for c in chosen]
    rows: list[tuple[Cell, ...]] = [
        ("充足（対策あり/対象項目）", *(cov.figures().ratio for cov in coverages)),
    ]
    for item in checkitems(needs):
        rows.append((
            Refs([Ref(item["id"], full_text(item))]),
            *(Status(cov.status_of(item["id"]).status) for cov in coverages),
        ))
    return Table(
        name="compare",
        title="選んだ案件のチェックリスト充足状況",
        headers=("チェックリスト項目", *(case_header(c) for c in chosen)),
        rows=tuple(rows),
    )


@indexed
def compare_data(needs: Needs) -> dict[str, Any]:
    """What the comparison page's script needs to compare any cases (``exports/compare.json``)."""
    items = checkitems(needs)
    return {
        "items": [{"id": i["id"], "text": full_text(i), "href": f"{i.get('docname', '')}.html#{i['id']}"}
                  for i in items],
        "statuses": STATUS_LABELS,
        "cases": [
            {
                "id": c["id"],
                "title": str(c.get("title") or c["id"]),
                "header": case_header(c),
                "year": fiscal_year(c),
                "department": str(c.get("department") or ""),
                "href": f"{c.get('docname', '')}.html#{c['id']}",
                "ratio": (cov := coverage(needs, c["id"])).figures().ratio,
                "status": [cov.status_of(i["id"]).status for i in items],
            }
            for c in newest_first(cases(needs))
        ],
    }

"""Case records, browsing groups, figures and search facets, from plain needs."""

from __future__ import annotations

import pytest

from council.views.catalog import group_records, latest_first, records_from_needs, site_figures
from council.html.search import page_filters

NEEDS = [
    {"id": "CASE_2019_A", "type": "case", "title": "A", "docname": "cases/a", "fiscal_year": 2019,
     "department": "福祉部甲課", "council": "審議会", "procedure": ["報告"],
     "legal_basis": ["条例第14条第1項", "条例第16条第1項"]},
    {"id": "CASE_2025_B", "type": "case", "title": "B", "docname": "cases/b", "fiscal_year": 2025,
     "department": "福祉部乙課", "council": "会議", "procedure": ["付議"], "legal_basis": ["要綱第3条"]},
    {"id": "CASE_2019_C", "type": "case", "title": "C", "docname": "cases/c", "fiscal_year": 2019,
     "department": "福祉部甲課", "council": "審議会", "procedure": ["諮問", "報告"], "legal_basis": []},
    {"id": "ENT_2019_A_1", "type": "entrustment", "part_of": ["CASE_2019_A"], "contractor": "株式会社X",
     "start": "2019-10-01"},
    {"id": "ENT_2019_A_2", "type": "entrustment", "part_of": ["CASE_2019_A"], "contractor": "株式会社X",
     "start": "2019-07"},
    {"id": "DEV_2019_C_1", "type": "development", "part_of": ["CASE_2019_C"], "start": "2020-01-01"},
    {"id": "SG_1", "type": "safeguard"}, {"id": "SG_2", "type": "safeguard"},
    {"id": "CHK_WO_01", "type": "checkitem"}, {"id": "CL_A_01", "type": "clause"},
]


def test_records_collect_contractors_and_earliest_start():
    records = {r.id: r for r in records_from_needs(NEEDS)}
    assert records["CASE_2019_A"].contractors == ("株式会社X",)
    assert records["CASE_2019_A"].start == "2019-07"
    assert records["CASE_2019_C"].contractors == ()
    assert records["CASE_2019_C"].council_procedure == "審議会（諮問・報告）"


def test_latest_first_orders_by_year_then_start():
    assert [r.id for r in latest_first(records_from_needs(NEEDS))] == ["CASE_2025_B", "CASE_2019_C", "CASE_2019_A"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("fiscal_year", [("2025年度", ["CASE_2025_B"]), ("2019年度", ["CASE_2019_C", "CASE_2019_A"])]),
        ("department", [("福祉部乙課", ["CASE_2025_B"]), ("福祉部甲課", ["CASE_2019_C", "CASE_2019_A"])]),
        ("legal_basis", [("条例第14条第1項", ["CASE_2019_A"]), ("条例第16条第1項", ["CASE_2019_A"]),
                         ("要綱第3条", ["CASE_2025_B"])]),
        ("contractor", [("株式会社X", ["CASE_2019_A"])]),
        ("council", [("会議（付議）", ["CASE_2025_B"]), ("審議会（報告）", ["CASE_2019_A"]),
                     ("審議会（諮問・報告）", ["CASE_2019_C"])]),
    ],
)
def test_groups(key, expected):
    groups = group_records(records_from_needs(NEEDS), key)
    assert [(name, [r.id for r in members]) for name, members in groups] == expected


def test_unknown_grouping_is_refused():
    with pytest.raises(KeyError):
        group_records(records_from_needs(NEEDS), "colour")


def test_figures_are_counted_from_needs():
    assert site_figures(NEEDS) == [
        ("案件", 3), ("業務委託・開発", 3), ("情報保護対策", 2), ("チェックリスト項目", 1), ("特記事項の条項", 1),
    ]


def test_search_facets_of_a_case_page():
    record = [r for r in records_from_needs(NEEDS) if r.id == "CASE_2019_A"]
    assert page_filters(record) == [
        ("開始年度", "2019年度"), ("担当部課", "福祉部甲課"), ("審議機関", "審議会"), ("手続", "報告"),
        ("根拠規定", "条例第14条第1項"), ("根拠規定", "条例第16条第1項"), ("委託先", "株式会社X"),
    ]

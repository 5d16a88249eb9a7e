"""Traceability pages and exports of the real site, with the figures they must show."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from council import traceability as tr
from helpers import REPO

pytestmark = pytest.mark.site

from council.importer.pages import read_dir

#: The case pages, in the column order of the cross-case exports (by ID).
PAGE_NEEDS = read_dir(REPO / "cases")
CASES = sorted(n.id for n in PAGE_NEEDS if n.type == "case")
CHECKLIST_SIZE = sum(1 for n in read_dir(REPO / "clauses") if n.type == "checkitem")


def covered_on_pages(case_id: str, work_id: str | None = None) -> int:
    """Checklist items a case's pages mark covered (satisfies) or waived (－)."""
    works = {n.id for n in PAGE_NEEDS if n.type in ("entrustment", "development")
             and n.links.get("part_of") == [case_id] and work_id in (None, n.id)}
    return len({t for n in PAGE_NEEDS if n.links.get("part_of", [""])[0] in works
                for t in n.links.get("satisfies", []) + n.links.get("waives", [])})


def read_csv(site_html: Path, name: str) -> list[list[str]]:
    raw = (site_html / "exports" / f"{name}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), name
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def page(site_html: Path, docname: str) -> BeautifulSoup:
    return BeautifulSoup((site_html / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def trace_section(site_html: Path, docname: str):
    """The section 「トレーサビリティ」 that the case-trace directive fills."""
    heading = page(site_html, docname).find(
        lambda tag: tag.name == "h2" and tag.get_text().startswith("トレーサビリティ"))
    assert heading is not None, docname
    return heading.find_parent("section")


def test_checklist_case_covers_every_item(needs):
    figures = tr.coverage(needs, "CASE_2025_HOGO_INJI").figures()
    assert (figures.covered, figures.not_applicable, figures.gaps, figures.ratio) == (48, 0, 0, "48/48")


def test_coverage_figures_of_every_case(needs):
    ratios = {c: tr.coverage(needs, c).figures().ratio for c in CASES}
    assert ratios == {c: f"{covered_on_pages(c)}/{CHECKLIST_SIZE}" for c in CASES}
    assert ratios["CASE_2025_HOGO_INJI"] == "48/48"
    # fureai's backups on the ward's server no longer claim CHK_CS_09 (issue 16).
    assert ratios["CASE_2018_FUREAI"] == "9/48"
    fureai = tr.coverage(needs, "CASE_2018_FUREAI")
    assert fureai.retrospective
    assert {c: fureai.figures(c).ratio for c in tr.CATEGORIES} == {
        "組織的": "4/18", "人的": "0/0", "物理的": "3/8", "技術的": "2/20", "外的環境": "0/2",
    }
    # Per work item: the development and the maintenance entrustment.
    assert tr.coverage(needs, "CASE_2018_FUREAI", "DEV_2018_FUREAI_1").figures().ratio == "5/48"
    assert tr.coverage(needs, "CASE_2018_FUREAI", "ENT_2018_FUREAI_1").figures().ratio == "8/48"


def test_case_page_shows_coverage_matrix_graph_and_downloads(site_html):
    section = trace_section(site_html, "cases/2025-hogo-inji")
    text = section.get_text()
    assert "対策あり 48 項目、対策不要 0 項目、未対応 0 項目（充足 48/48、100%）" in text
    assert tr.RETROSPECTIVE_LABEL not in text
    assert len(section.find_all("table", class_="council-matrix")) == 3
    assert section.find(class_="council-trace-graph") is not None
    links = [a["href"] for a in section.find_all("a", class_="council-download")]
    assert "../exports/case-2025-hogo-inji-trace.xlsx" in links
    for href in links:
        assert (site_html / "cases" / href).resolve().is_file(), href
    # Each safeguard row names the edition of the clauses it binds.
    row = next(tr_ for tr_ in section.find_all("tr") if "SG_2025_HOGO_INJI_E1_CO_04" in tr_.get_text())
    assert "ED_C 21項版" in row.get_text()


def test_old_case_page_is_labelled_retrospective(site_html):
    section = trace_section(site_html, "cases/2018-fureai")
    assert tr.RETROSPECTIVE_LABEL in section.find(class_="council-retrospective").get_text()
    assert "（充足 9/48、19%）" in section.get_text()


def test_graph_is_an_svg_of_the_whole_trace(site_html):
    section = trace_section(site_html, "cases/2018-fureai")
    obj = section.find(class_="council-trace-graph")
    src = obj.get("data") or obj.find("img")["src"]
    svg = (site_html / "cases" / src).resolve().read_text(encoding="utf-8")
    for node in ("CASE_2018_FUREAI", "DEV_2018_FUREAI_1", "SG_2018_FUREAI_D1_WO_04", "CHK_WO_02", "CL_A_14"):
        assert node in svg


def test_clause_back_links_across_cases(site_html):
    rows = read_csv(site_html, "clause-case")
    assert rows[0] == ["条項", "版", "番号", "見出し", *CASES, "案件数"]
    cl_b_13 = next(r for r in rows if r[0] == "CL_B_13")
    assert cl_b_13[4:] == [
        "SG_2018_FUREAI_E1_CO_01",
        "SG_2019_JIRITSU_E1_CO_01, SG_2019_JIRITSU_E1_CS_01, SG_2019_JIRITSU_E2_CO_01, "
        "SG_2019_JIRITSU_E2_CS_01",
        "SG_2019_SASAEAI_E1_CO_01, SG_2019_SASAEAI_E1_CS_01, SG_2019_SASAEAI_E1_CS_07, "
        "SG_2019_SASAEAI_E1_WS_01, SG_2019_SASAEAI_E1_WS_06",
        "",  # the FY2020 case binds edition C
        "",  # hogo-inji assumes edition C, the newest one a source prints
        "3",
    ]
    cl_c_13 = next(r for r in rows if r[0] == "CL_C_13")
    assert cl_c_13[-3:] == ["", "SG_2025_HOGO_INJI_E1_CO_04, SG_2025_HOGO_INJI_E1_WO_04", "1"]
    # Edition A binds only the 2018 development.
    cl_a_14 = next(r for r in rows if r[0] == "CL_A_14")
    assert cl_a_14[4:] == ["SG_2018_FUREAI_D1_WO_04", "", "", "", "", "1"]
    html = page(site_html, "traceability/clause-case").get_text()
    assert "SG_2019_SASAEAI_E1_CS_07" in html


def test_checkitem_heat_map_xlsx(site_html):
    sheet = load_workbook(site_html / "exports" / "checkitem-case.xlsx").active
    assert [c.value for c in sheet[1]] == [
        "チェックリスト項目", "実施主体", "種別", "安全管理措置の区分", "項目",
        "CASE_2018_FUREAI（遡及・参考）", "CASE_2019_JIRITSU（遡及・参考）",
        "CASE_2019_SASAEAI（遡及・参考）", "CASE_2020_JIDO（遡及・参考）", "CASE_2025_HOGO_INJI",
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J49"
    assert sheet.max_row == 49
    row = {c.value: c.row for c in sheet["A"]}["CHK_WO_03"]
    assert [sheet.cell(row, col).value for col in range(6, 11)] == ["未対応", "未対応", "未対応", "未対応", "対策あり"]
    statuses = [sheet.cell(r, 10).value for r in range(2, 50)]
    assert statuses.count("対策あり") == 48
    html = page(site_html, "traceability/checkitem-case")
    gaps = sum(CHECKLIST_SIZE - covered_on_pages(c) for c in CASES)
    assert len(html.find_all("td", class_="council-status-gap")) == gaps


def test_personal_data_kinds_per_case(site_html):
    rows = {r[0]: r[1:] for r in read_csv(site_html, "data-case")[1:]}
    jido = "DEV_2020_JIDO_1, ENT_2020_JIDO_1"
    assert rows["住民番号"] == ["DEV_2018_FUREAI_1, ENT_2018_FUREAI_1", "", "", jido, ""]
    assert rows["氏名"] == ["DEV_2018_FUREAI_1, ENT_2018_FUREAI_1", "", "ENT_2019_SASAEAI_1", jido, "ENT_2025_HOGO_INJI_1"]
    assert rows["要配慮"] == ["DEV_2018_FUREAI_1, ENT_2018_FUREAI_1", "", "", "", ""]
    assert rows["口座情報"] == ["", "", "", jido, ""]  # 支払口座情報
    assert rows["項目の記載なし（別資料）"] == ["", "ENT_2019_JIRITSU_1, ENT_2019_JIRITSU_2", "", "", ""]


def test_edition_diff(site_html):
    rows = read_csv(site_html, "edition-diff-ed-a-ed-b")
    by_new = {r[2]: r for r in rows[1:]}
    assert by_new["CL_B_15"][5] == "追加" and by_new["CL_B_16"][5] == "追加"
    assert by_new["CL_B_17"][0] == "CL_A_15"
    assert by_new["CL_B_21"][6] == (
        "乙は、第1項から第1〔－7〕〔＋9〕項までに掲げる事項に違反し、又は怠ったことにより"
        "甲又は第三者に損害を与えたときは、その損害を賠償するものとする。"
    )
    assert [r[5] for r in rows[1:]].count("変更なし") == 16
    soup = page(site_html, "clauses/diff")
    assert soup.find(class_="council-diff-ins").get_text().startswith("〔＋")


def test_needs_json_carries_the_site_version(site_html):
    data = json.loads((site_html / "needs.json").read_text(encoding="utf-8"))
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert data["current_version"] == version
    assert data["versions"][version]["needs"]["CASE_2018_FUREAI"]["type"] == "case"


def test_every_export_is_linked_and_documented(site_html, needs):
    downloads = page(site_html, "traceability/downloads")
    hrefs = {a["href"] for a in downloads.find_all("a", class_="council-download")}
    files = {f"../exports/{p.name}" for p in (site_html / "exports").iterdir()}
    assert files and files <= hrefs
    assert "../needs.json" in hrefs
    guide = (REPO / "docs" / "open-data.md").read_text(encoding="utf-8")
    for table in tr.all_tables(needs):
        for header in table.headers:
            if header.startswith(("CASE_", "ED_")):
                continue  # per-case / per-edition columns are described generically
            assert header in guide, (table.name, header)

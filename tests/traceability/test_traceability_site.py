"""Traceability pages and exports of the real site, with the figures they must show."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from council import traceability as tr
from helpers import REPO

pytestmark = pytest.mark.site

CASES = ["CASE_2018_FUREAI", "CASE_2019_JIRITSU", "CASE_2019_SASAEAI", "CASE_2025_HOGO_INJI"]


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
    assert ratios == {
        "CASE_2018_FUREAI": "10/48",
        "CASE_2019_JIRITSU": "21/48",
        "CASE_2019_SASAEAI": "24/48",
        "CASE_2025_HOGO_INJI": "48/48",
    }
    fureai = tr.coverage(needs, "CASE_2018_FUREAI")
    assert fureai.retrospective
    assert {c: fureai.figures(c).ratio for c in tr.CATEGORIES} == {
        "組織的": "4/18", "人的": "0/0", "物理的": "3/8", "技術的": "3/20", "外的環境": "0/2",
    }
    # Per work item: the development and the maintenance entrustment.
    assert tr.coverage(needs, "CASE_2018_FUREAI", "DEV_2018_FUREAI_1").figures().ratio == "5/48"
    assert tr.coverage(needs, "CASE_2018_FUREAI", "ENT_2018_FUREAI_1").figures().ratio == "9/48"


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
    row = next(tr_ for tr_ in section.find_all("tr")
               if tr_.find("a", href="#SG_2025_HOGO_INJI_E1_CO_04"))
    assert "ED_B 21項版" in row.get_text()
    # Links name their targets: the measure's text, the item's text, the clause's number and heading.
    texts = [a.get_text() for a in row.find_all("a")]
    assert texts[0] == "取扱責任者及び取扱者をあらかじめ指定させ、区に報告させる。"
    assert "第13項 個人情報を取り扱う従事者の指定" in texts
    assert not [t for t in texts if re.fullmatch(r"[A-Z]+_[A-Z0-9_]+", t)]


def test_old_case_page_is_labelled_retrospective(site_html):
    section = trace_section(site_html, "cases/2018-fureai")
    assert tr.RETROSPECTIVE_LABEL in section.find(class_="council-retrospective").get_text()
    assert "（充足 10/48、21%）" in section.get_text()


def test_graph_is_an_svg_of_the_whole_trace(site_html):
    section = trace_section(site_html, "cases/2018-fureai")
    obj = section.find(class_="council-trace-graph")
    src = obj.get("data") or obj.find("img")["src"]
    svg = (site_html / "cases" / src).resolve().read_text(encoding="utf-8")
    for node in ("CASE_2018_FUREAI", "DEV_2018_FUREAI_1", "SG_2018_FUREAI_D1_WO_04", "CHK_WO_02", "CL_A_14"):
        assert node in svg


def case_headers(needs) -> list[str]:
    """The grid's case column headings: title, then ID (and 遡及・参考 before the checklist)."""
    ordered = sorted((needs[c] for c in CASES), key=lambda n: (n["fiscal_year"], n["id"]))
    return [f"{n['title']}（{n['id']}{'、遡及・参考' if n.get('form') != 'チェックリスト' else ''}）"
            for n in ordered]


def test_clause_back_links_across_cases(site_html, needs):
    rows = read_csv(site_html, "clause-case")
    assert rows[0] == ["条項", "版", "番号", "見出し", *case_headers(needs), "案件数"]
    cl_b_13 = next(r for r in rows if r[0] == "CL_B_13")
    assert cl_b_13[4:] == [
        "SG_2018_FUREAI_E1_CO_01",
        "SG_2019_JIRITSU_E1_CO_01, SG_2019_JIRITSU_E1_CS_01, SG_2019_JIRITSU_E2_CO_01, "
        "SG_2019_JIRITSU_E2_CS_01",
        "SG_2019_SASAEAI_E1_CO_01, SG_2019_SASAEAI_E1_CS_01, SG_2019_SASAEAI_E1_CS_07, "
        "SG_2019_SASAEAI_E1_WS_01, SG_2019_SASAEAI_E1_WS_06",
        "SG_2025_HOGO_INJI_E1_CO_04, SG_2025_HOGO_INJI_E1_WO_04",
        "4",
    ]
    # Edition A binds only the 2018 development.
    cl_a_14 = next(r for r in rows if r[0] == "CL_A_14")
    assert cl_a_14[4:] == ["SG_2018_FUREAI_D1_WO_04", "", "", "", "1"]


def summary_rows(site_html: Path, docname: str, name: str) -> tuple[list[str], dict[str, object]]:
    """The headers of a summary table on a page, and each row by the need ID its first cell links to."""
    table = page(site_html, docname).find("table", id=f"council-{name}")
    headers = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    labels = [label.extract() for label in table.find_all(class_="council-cell-label")]
    # Every value carries its column's label, for the stacked rows on a phone.
    assert labels and {label.get_text() for label in labels} <= set(headers)
    rows = {}
    for row in table.find("tbody").find_all("tr"):
        first = row.find(["th", "td"])
        link = first.find("a")
        key = link["href"].rsplit("#", 1)[-1] if link else first.get_text(strip=True)
        rows[key] = row
    return headers, rows


def test_clause_page_shows_aggregates_not_a_column_per_case(site_html, needs):
    headers, rows = summary_rows(site_html, "traceability/clause-case", "clause-summary")
    assert headers == ["条項", "依拠する案件数", "割合", "最新年度", "年度別の案件数"]
    row = rows["CL_B_13"]
    cells = [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"], recursive=False)]
    # Named by edition, number and heading; every case using edition B relies on it.
    assert cells[0].startswith("21項版 第13項 個人情報を取り扱う従事者の指定")
    assert cells[1:4] == ["4", "100%", "2025"]
    years = {y.find(class_="council-year-label").get_text(): y.find(class_="council-year-count").get_text()
             for y in row.find_all(class_="council-year")}
    assert years == {"2018": "1", "2019": "2", "2025": "1"}
    # The row expands to the case titles, linking to the cases.
    details = row.find("details")
    assert details.find("summary").get_text() == "依拠する案件（4件）"
    titles = [a.get_text() for a in details.find_all("a")]
    assert sorted(titles) == sorted(needs[c]["title"] for c in CASES)
    assert all(a["href"].startswith("../cases/") for a in details.find_all("a"))
    # No case ID is a column heading or a link text on the page.
    text = page(site_html, "traceability/clause-case").find("article").get_text()
    assert not any(c in text for c in CASES)


def test_checkitem_page_and_exports(site_html, needs):
    headers, rows = summary_rows(site_html, "traceability/checkitem-case", "checkitem-summary")
    assert headers == ["チェックリスト項目", "安全管理措置の区分", "対策不要の案件数", "未対応の案件数",
                       "対策ありの案件数", "割合", "最新年度", "年度別の案件数（対策あり）"]
    first = rows["CHK_WO_01"].find(["th", "td"]).find("a").get_text()
    assert first == needs["CHK_WO_01"]["content"].strip()  # whole text, not the title cut with 「…」
    # The full grid: case titles as headings, frozen header row and first column.
    sheet = load_workbook(site_html / "exports" / "checkitem-case.xlsx").active
    assert [c.value for c in sheet[1]] == [
        "チェックリスト項目", "実施主体", "種別", "安全管理措置の区分", "項目", *case_headers(needs)]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:I49"
    row = {c.value: c.row for c in sheet["A"]}["CHK_WO_03"]
    assert [sheet.cell(row, col).value for col in range(6, 10)] == ["未対応", "未対応", "未対応", "対策あり"]
    assert not any("…" in str(c.value) for c in sheet["E"])


def test_summary_exports_store_numbers(site_html):
    sheet = load_workbook(site_html / "exports" / "clause-summary.xlsx").active
    header = [c.value for c in sheet[1]]
    row = {c.value: c.row for c in sheet["A"]}["CL_B_13"]
    values = {h: sheet.cell(row, n + 1).value for n, h in enumerate(header)}
    assert (values["依拠する案件数"], values["割合"], values["最新年度"]) == (4, 1.0, 2025)
    assert sheet.cell(row, header.index("割合") + 1).number_format == "0%"
    summary = load_workbook(site_html / "exports" / "case-2018-fureai-coverage-summary.xlsx").active
    for row in summary.iter_rows(min_row=2, max_col=5):
        assert all(isinstance(c.value, int) for c in row[1:]), [c.value for c in row]


def test_long_format_csv(site_html, needs):
    rows = read_csv(site_html, "trace-long")
    assert rows[0][:6] == ["案件", "案件名", "開始年度", "担当部課", "業務委託・開発", "情報保護対策"]
    sg = next(r for r in rows if r[5] == "SG_2019_JIRITSU_E1_CO_01")
    assert sg[:2] == ["CASE_2019_JIRITSU", needs["CASE_2019_JIRITSU"]["title"]]
    assert (sg[10], sg[12]) == ("CHK_CO_04", "CL_B_13")
    safeguards = [n for n in needs.values() if n["type"] == "safeguard"]
    assert {r[5] for r in rows[1:]} == {n["id"] for n in safeguards}


def test_retrospective_coverage_exports_carry_the_caveat(site_html):
    rows = read_csv(site_html, "case-2018-fureai-coverage")
    assert rows[0][-1] == "分析の種類"
    assert {r[-1] for r in rows[1:]} == {tr.RETROSPECTIVE_LABEL}
    summary = load_workbook(site_html / "exports" / "case-2018-fureai-coverage-summary.xlsx").active
    assert summary.cell(2, summary.max_column).value == tr.RETROSPECTIVE_LABEL
    assert "分析の種類" not in read_csv(site_html, "case-2025-hogo-inji-coverage")[0]


def test_clause_and_checkitem_pages_list_relying_cases(site_html, needs):
    soup = page(site_html, "clauses/edition-b")
    block = soup.find(id="CL_B_13-cases")
    assert block.name == "details"
    assert block.find("summary").get_text() == "この条項に依拠する案件（4件）"
    years = [p.get_text() for p in block.find_all(class_="council-relying-year")]
    assert years == ["2025年度（1件）", "2019年度（2件）", "2018年度（1件）"]
    links = {a["href"]: a.get_text() for a in block.find_all("a")}
    assert links["../cases/2019-jiritsu.html#CASE_2019_JIRITSU"] == needs["CASE_2019_JIRITSU"]["title"]
    measure = links["../cases/2019-jiritsu.html#SG_2019_JIRITSU_E1_CO_01"]
    assert measure == needs["SG_2019_JIRITSU_E1_CO_01"]["content"].strip()
    assert not any(text in needs for text in links.values())  # no bare ID as link text
    editions = soup.find(id="CL_B_06").find_next(class_="council-clause-editions").get_text()
    assert editions == "各版の条項: 19項版 第6項 持ち出しの禁止 → 21項版 第6項 持出しの禁止"
    checklist = page(site_html, "clauses/checklist").find(id="CHK_WO_03-cases")
    assert checklist.find("summary").get_text() == "この項目に対応する案件（1件）"


def test_personal_data_kinds_per_case(site_html, needs):
    rows = {r[0]: r[1:] for r in read_csv(site_html, "data-case")[1:]}
    assert rows["住民番号"] == ["DEV_2018_FUREAI_1, ENT_2018_FUREAI_1", "", "", ""]
    assert rows["氏名"] == ["DEV_2018_FUREAI_1, ENT_2018_FUREAI_1", "", "ENT_2019_SASAEAI_1", "ENT_2025_HOGO_INJI_1"]
    assert rows["要配慮"] == ["DEV_2018_FUREAI_1, ENT_2018_FUREAI_1", "", "", ""]
    assert rows["口座情報"] == ["", "", "", ""]
    assert rows["項目の記載なし（別資料）"] == ["", "ENT_2019_JIRITSU_1, ENT_2019_JIRITSU_2", "", ""]
    summary = {r[0]: r for r in read_csv(site_html, "data-summary")[1:]}
    assert summary["氏名"][1:4] == ["3", "0.75", "2025"]


def test_edition_diff(site_html):
    rows = read_csv(site_html, "edition-diff-ed-a-ed-b")
    by_new = {r[2]: r for r in rows[1:]}
    assert by_new["CL_B_15"][6] == "追加" and by_new["CL_B_16"][6] == "追加"
    assert by_new["CL_B_17"][0] == "CL_A_15"
    assert by_new["CL_B_21"][7] == (
        "乙は、第1項から第1〔－7〕〔＋9〕項までに掲げる事項に違反し、又は怠ったことにより"
        "甲又は第三者に損害を与えたときは、その損害を賠償するものとする。"
    )
    # Heading changes are shown, not only bodies.
    assert {r[2]: r[5] for r in rows[1:] if r[5]} == {
        "CL_B_06": "持〔－ち〕出しの禁止", "CL_B_17": "監査〔＋等〕", "CL_B_20": "公表〔＋等〕"}
    assert by_new["CL_B_06"][6] == "見出しのみの変更"
    assert [r[6] for r in rows[1:]].count("変更なし") == 15
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
    # Each case's tables are listed under its fiscal year, closed.
    outer = downloads.find("details", class_="council-case-downloads")
    assert outer.find("summary").get_text() == "案件ごとの表（4件、開始年度別）"
    assert [d.find("summary").get_text() for d in outer.find_all("details", class_="council-year-downloads")] == [
        "2025年度（1件）", "2019年度（2件）", "2018年度（1件）"]
    files = {f"../exports/{p.name}" for p in (site_html / "exports").iterdir()}
    assert files and files <= hrefs
    assert "../needs.json" in hrefs
    guide = (REPO / "docs" / "open-data.md").read_text(encoding="utf-8")
    for table in tr.all_tables(needs):
        for header in table.headers:
            if header.startswith("ED_") or "（CASE_" in header or re.fullmatch(r"[0-9]{4}年度", header):
                continue  # per-edition, per-case and per-year columns are described generically
            assert header in guide, (table.name, header)


def test_no_number_is_stored_as_text_in_any_xlsx(site_html):
    number = re.compile(r"[0-9]+(\.[0-9]+)?%?")
    for path in sorted((site_html / "exports").glob("*.xlsx")):
        sheet = load_workbook(path).active
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert not (isinstance(cell.value, str) and number.fullmatch(cell.value)), (path.name, cell)

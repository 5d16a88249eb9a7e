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
from openpyxl.utils import get_column_letter

from council.model.content_model import project_model
from council.views import traceability as tr
from council_import.pages import read_dir
from council_import.parse import parse_document
from helpers import REPO

pytestmark = pytest.mark.site

#: The needs of the case pages: the expected figures are derived from them, not pinned.
PAGE_NEEDS = read_dir(REPO / "cases")
BY_ID = {n.id: n for n in PAGE_NEEDS}
CASES = sorted(n.id for n in PAGE_NEEDS if n.type == "case")
CHECKLIST_SIZE = sum(1 for n in read_dir(REPO / "clauses") if n.type == "checkitem")


def case_of(need_id: str) -> str:
    """The case a safeguard or work item is part of, following part_of."""
    while BY_ID[need_id].type != "case":
        need_id = BY_ID[need_id].links["part_of"][0]
    return need_id


def fiscal_year(case_id: str) -> int:
    return int(BY_ID[case_id].options["fiscal_year"])


def covered_on_pages(case_id: str, work_id: str | None = None) -> int:
    """Checklist items a case's pages mark covered (satisfies) or waived (－)."""
    works = {n.id for n in PAGE_NEEDS if n.type in ("entrustment", "development")
             and n.links.get("part_of") == [case_id] and work_id in (None, n.id)}
    return len({t for n in PAGE_NEEDS if n.links.get("part_of", [""])[0] in works
                for t in n.links.get("satisfies", []) + n.links.get("waives", [])})


def relying_on_pages(target: str, link: str) -> dict[str, list[str]]:
    """Each case whose safeguards link to a clause (binds) or item (satisfies): those safeguards."""
    result: dict[str, list[str]] = {}
    for n in PAGE_NEEDS:
        if n.type == "safeguard" and target in n.links.get(link, []):
            result.setdefault(case_of(n.id), []).append(n.id)
    return {c: sorted(sgs) for c, sgs in result.items()}


def years_of(cases, strip: bool = False) -> dict[str, str]:
    """Cases per fiscal year; a year strip shows every year of the site's cases (0 where none)."""
    years = [fiscal_year(c) for c in cases]
    shown = {fiscal_year(c) for c in CASES} if strip else set(years)
    return {str(y): str(years.count(y)) for y in sorted(shown)}


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%"


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


def marked_in_source(case_id: str) -> tuple[set[str], set[str]]:
    """The checklist items a checklist-form source marks ○ and －."""
    source = (REPO / "sources" / BY_ID[case_id].options["source"]).read_text(encoding="utf-8")
    rows = [sg for work in parse_document(source).works for sg in work.safeguards if sg.checkitem]
    return {sg.checkitem for sg in rows if sg.applies}, {sg.checkitem for sg in rows if not sg.applies}


def test_checklist_case_covers_what_its_source_marks(needs):
    covered, waived = marked_in_source("CASE_2025_HOGO_INJI")
    figures = tr.coverage(needs, "CASE_2025_HOGO_INJI").figures()
    assert (figures.covered, figures.not_applicable) == (len(covered), len(waived))
    assert figures.gaps == CHECKLIST_SIZE - len(covered | waived)


def test_coverage_figures_of_every_case(needs):
    ratios = {c: tr.coverage(needs, c).figures().ratio for c in CASES}
    assert ratios == {c: f"{covered_on_pages(c)}/{CHECKLIST_SIZE}" for c in CASES}
    fureai = tr.coverage(needs, "CASE_2018_FUREAI")
    assert fureai.retrospective
    # per category: the items of the category that the pages mark, over those not waived
    marked = {t for n in PAGE_NEEDS if n.type == "safeguard" and case_of(n.id) == "CASE_2018_FUREAI"
              for t in n.links.get("satisfies", [])}
    items = [n for n in read_dir(REPO / "clauses") if n.type == "checkitem"]
    for category in project_model().field_values("category"):
        in_category = {n.id for n in items if n.options.get("category") == category}
        expected = f"{len(in_category & marked)}/{len(in_category)}" if in_category else "0/0"
        assert fureai.figures(category).ratio == expected, category
    # Per work item: the development and the maintenance entrustment.
    for work in ("DEV_2018_FUREAI_1", "ENT_2018_FUREAI_1"):
        assert tr.coverage(needs, "CASE_2018_FUREAI", work).figures().ratio == (
            f"{covered_on_pages('CASE_2018_FUREAI', work)}/{CHECKLIST_SIZE}")


def test_case_page_shows_coverage_matrix_graph_and_downloads(site_html):
    section = trace_section(site_html, "cases/2025-hogo-inji")
    text = section.get_text()
    covered, waived = marked_in_source("CASE_2025_HOGO_INJI")
    gaps = CHECKLIST_SIZE - len(covered | waived)
    applicable = CHECKLIST_SIZE - len(waived)
    assert (f"対策あり {len(covered)} 項目、対策不要 {len(waived)} 項目、未対応 {gaps} 項目"
            f"（充足 {len(covered)}/{applicable}、{percent(len(covered), applicable)}）") in text
    assert tr.RETROSPECTIVE_LABEL not in text
    assert len(section.find_all("table", class_="council-matrix")) == 3
    assert section.find(class_="council-trace-graph") is not None
    links = [a["href"] for a in section.find_all("a", class_="council-download")]
    assert "../exports/case-2025-hogo-inji-trace.xlsx" in links
    for href in links:
        assert (site_html / "cases" / href).resolve().is_file(), href
    # Each safeguard row names the edition of the clauses it binds (hogo-inji: edition C).
    row = next(tr_ for tr_ in section.find_all("tr")
               if tr_.find("a", href="#SG_2025_HOGO_INJI_E1_CO_04"))
    assert "ED_C 21項版" in row.get_text()
    # Links name their targets: the measure's text, the item's text, the clause's number and heading.
    texts = [a.get_text() for a in row.find_all("a")]
    assert texts[0] == "取扱責任者及び取扱者をあらかじめ指定させ、区に報告させる。"
    assert "第13項 個人情報を取り扱う従事者の指定" in texts
    assert not [t for t in texts if re.fullmatch(r"[A-Z]+_[A-Z0-9_]+", t)]


def test_old_case_page_is_labelled_retrospective(site_html):
    section = trace_section(site_html, "cases/2018-fureai")
    assert tr.RETROSPECTIVE_LABEL in section.find(class_="council-retrospective").get_text()
    covered = covered_on_pages("CASE_2018_FUREAI")
    assert f"（充足 {covered}/{CHECKLIST_SIZE}、{percent(covered, CHECKLIST_SIZE)}）" in section.get_text()


@pytest.mark.parametrize("case", CASES)
def test_every_case_page_has_its_trace_section(site_html, case):
    """Written with the case-trace directive or not (cases/2020-jido.md has none):
    the extension adds the section to every case page."""
    docname = Path(BY_ID[case].path).relative_to(REPO).with_suffix("").as_posix()
    section = trace_section(site_html, docname)
    covered = covered_on_pages(case)
    assert f"（充足 {covered}/{CHECKLIST_SIZE}、{percent(covered, CHECKLIST_SIZE)}）" in section.get_text()
    slug = docname.rsplit("/", 1)[-1]
    assert f"../exports/case-{slug}-trace.xlsx" in [a["href"] for a in section.find_all("a", class_="council-download")]


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
    columns = sorted(CASES, key=lambda c: (fiscal_year(c), c))

    def cells(relying: dict[str, str]) -> list[str]:
        return [relying.get(c, "") for c in columns] + [str(len(relying))]

    cl_b_13 = next(r for r in rows if r[0] == "CL_B_13")
    assert cl_b_13[4:] == cells({
        "CASE_2018_FUREAI": "SG_2018_FUREAI_E1_CO_01",
        "CASE_2019_JIRITSU": "SG_2019_JIRITSU_E1_CO_01, SG_2019_JIRITSU_E1_CS_01, SG_2019_JIRITSU_E2_CO_01, "
                             "SG_2019_JIRITSU_E2_CS_01",
        "CASE_2019_SASAEAI": "SG_2019_SASAEAI_E1_CO_01, SG_2019_SASAEAI_E1_CS_01, SG_2019_SASAEAI_E1_CS_07, "
                             "SG_2019_SASAEAI_E1_WS_01, SG_2019_SASAEAI_E1_WS_06",
        # jido and hogo-inji bind edition C, the newest one a source prints
    })
    assert cl_b_13[4:] == cells({c: ", ".join(s) for c, s in relying_on_pages("CL_B_13", "binds").items()})
    cl_c_13 = next(r for r in rows if r[0] == "CL_C_13")
    assert cl_c_13[4:] == cells({c: ", ".join(s) for c, s in relying_on_pages("CL_C_13", "binds").items()})
    assert "SG_2025_HOGO_INJI_E1_CO_04, SG_2025_HOGO_INJI_E1_WO_04" in cl_c_13
    # Edition A binds only the 2018 development.
    cl_a_14 = next(r for r in rows if r[0] == "CL_A_14")
    assert cl_a_14[4:] == cells({"CASE_2018_FUREAI": "SG_2018_FUREAI_D1_WO_04"})


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
    relying = relying_on_pages("CL_B_13", "binds")
    edition_b = {case_of(n.id) for n in PAGE_NEEDS if "ED_B" in n.links.get("terms", [])}
    assert set(relying) == edition_b
    assert cells[1:4] == [str(len(relying)), "100%", str(max(fiscal_year(c) for c in relying))]
    years = {y.find(class_="council-year-label").get_text(): y.find(class_="council-year-count").get_text()
             for y in row.find_all(class_="council-year")}
    assert years == years_of(relying, strip=True)
    # The row expands to the case titles, linking to the cases.
    details = row.find("details")
    assert details.find("summary").get_text() == f"依拠する案件（{len(relying)}件）"
    titles = [a.get_text() for a in details.find_all("a")]
    assert sorted(titles) == sorted(needs[c]["title"] for c in relying)
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
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(5 + len(CASES))}{1 + CHECKLIST_SIZE}"
    assert sheet.max_row == 1 + CHECKLIST_SIZE
    columns = sorted(CASES, key=lambda c: (fiscal_year(c), c))
    row = {c.value: c.row for c in sheet["A"]}["CHK_WO_03"]
    satisfied = relying_on_pages("CHK_WO_03", "satisfies")
    assert [sheet.cell(row, 6 + n).value for n in range(len(columns))] == [
        "対策あり" if c in satisfied else "未対応" for c in columns]
    assert sheet.cell(row, 6 + columns.index("CASE_2025_HOGO_INJI")).value == "対策あり"
    hogo = [sheet.cell(r, 6 + columns.index("CASE_2025_HOGO_INJI")).value for r in range(2, 2 + CHECKLIST_SIZE)]
    assert hogo.count("対策あり") == CHECKLIST_SIZE
    assert not any("…" in str(c.value) for c in sheet["E"])
    # The page's summary counts, item by item, what the case pages cover and leave open.
    assert len(rows) == CHECKLIST_SIZE
    counts = {key: [int(td.get_text(strip=True)) for td in row.find_all("td")[1:4]] for key, row in rows.items()}
    assert sum(gaps for _, gaps, _ in counts.values()) == sum(CHECKLIST_SIZE - covered_on_pages(c) for c in CASES)
    assert counts["CHK_WO_03"][2] == len(satisfied)
    assert all(sum(n) == len(CASES) for n in counts.values())


def test_summary_exports_store_numbers(site_html):
    sheet = load_workbook(site_html / "exports" / "clause-summary.xlsx").active
    header = [c.value for c in sheet[1]]
    row = {c.value: c.row for c in sheet["A"]}["CL_B_13"]
    values = {h: sheet.cell(row, n + 1).value for n, h in enumerate(header)}
    relying = relying_on_pages("CL_B_13", "binds")
    assert (values["依拠する案件数"], values["割合"], values["最新年度"]) == (
        len(relying), 1.0, max(fiscal_year(c) for c in relying))
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
    relying = relying_on_pages("CL_B_13", "binds")
    assert block.find("summary").get_text() == f"この条項に依拠する案件（{len(relying)}件）"
    years = [p.get_text() for p in block.find_all(class_="council-relying-year")]
    assert years == [f"{y}年度（{n}件）" for y, n in reversed(years_of(relying).items())]
    assert years[-1] == "2018年度（1件）"
    links = {a["href"]: a.get_text() for a in block.find_all("a")}
    assert links["../cases/2019-jiritsu.html#CASE_2019_JIRITSU"] == needs["CASE_2019_JIRITSU"]["title"]
    measure = links["../cases/2019-jiritsu.html#SG_2019_JIRITSU_E1_CO_01"]
    assert measure == needs["SG_2019_JIRITSU_E1_CO_01"]["content"].strip()
    assert not any(text in needs for text in links.values())  # no bare ID as link text
    editions = soup.find(id="CL_B_06").find_next(class_="council-clause-editions").get_text()
    assert editions == ("各版の条項: 19項版 第6項 持ち出しの禁止 → 21項版 第6項 持出しの禁止"
                        " → 21項版（版 C） 第6項 持出しの禁止")
    checklist = page(site_html, "clauses/checklist").find(id="CHK_WO_03-cases")
    satisfied = relying_on_pages("CHK_WO_03", "satisfies")
    assert checklist.find("summary").get_text() == f"この項目に対応する案件（{len(satisfied)}件）"
    assert "CASE_2025_HOGO_INJI" in satisfied


def test_personal_data_kinds_per_case(site_html, needs):
    table = read_csv(site_html, "data-case")
    columns = sorted(CASES, key=lambda c: (fiscal_year(c), c))
    assert table[0][1:] == case_headers(needs)
    rows = {r[0]: r[1:] for r in table[1:]}

    def cells(works: dict[str, str]) -> list[str]:
        return [works.get(c, "") for c in columns]

    fureai = "DEV_2018_FUREAI_1, ENT_2018_FUREAI_1"
    jido = "DEV_2020_JIDO_1, ENT_2020_JIDO_1"
    assert rows["住民番号"] == cells({"CASE_2018_FUREAI": fureai, "CASE_2020_JIDO": jido})
    assert rows["氏名"] == cells({"CASE_2018_FUREAI": fureai, "CASE_2019_SASAEAI": "ENT_2019_SASAEAI_1",
                                 "CASE_2020_JIDO": jido, "CASE_2025_HOGO_INJI": "ENT_2025_HOGO_INJI_1"})
    assert rows["要配慮"] == cells({"CASE_2018_FUREAI": fureai})
    assert rows["口座情報"] == cells({"CASE_2020_JIDO": jido})  # 支払口座情報
    assert rows["項目の記載なし（別資料）"] == cells({"CASE_2019_JIRITSU": "ENT_2019_JIRITSU_1, ENT_2019_JIRITSU_2"})
    summary = {r[0]: r for r in read_csv(site_html, "data-summary")[1:]}
    with_names = [c for c, cell in zip(columns, rows["氏名"]) if cell]
    assert summary["氏名"][1] == str(len(with_names))
    assert float(summary["氏名"][2]) == pytest.approx(len(with_names) / len(CASES))
    assert summary["氏名"][3] == str(max(fiscal_year(c) for c in with_names))


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
    assert outer.find("summary").get_text() == f"案件ごとの表（{len(CASES)}件、開始年度別）"
    assert [d.find("summary").get_text() for d in outer.find_all("details", class_="council-year-downloads")] == [
        f"{y}年度（{n}件）" for y, n in reversed(years_of(CASES).items())]
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

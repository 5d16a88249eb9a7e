"""CSV and XLSX writers on a small table."""

from __future__ import annotations

import csv

from openpyxl import load_workbook

from council.outputs.exports import site_version, write_exports
from council.views.cells import COVERED, GAP, Percent, Ref, Refs, Status, Table

TABLE = Table(
    name="sample",
    title="見本",
    headers=("チェックリスト項目", "状態"),
    rows=((Refs([Ref("CHK_WO_01", "項目の本文")]), Status(COVERED)), (Refs([Ref("CHK_WO_02")]), Status(GAP))),
)
#: Counts and shares: numbers in both files.
FIGURES = Table(
    name="figures",
    title="集計",
    headers=("区分", "案件数", "割合", "対策", "最新年度"),
    rows=(("組織的", 3, Percent(2 / 3), Refs([Ref("SG_A"), Ref("SG_B")]), 2019),
          ("人的", 0, "－", Refs(), "")),
)


def test_csv_is_utf8_with_bom_for_excel(tmp_path):
    write_exports([TABLE], tmp_path)
    raw = (tmp_path / "exports" / "sample.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows == [["チェックリスト項目", "状態"], ["CHK_WO_01", "対策あり"], ["CHK_WO_02", "未対応"]]


def test_xlsx_has_japanese_headers_frozen_row_and_filter(tmp_path):
    write_exports([TABLE], tmp_path)
    sheet = load_workbook(tmp_path / "exports" / "sample.xlsx").active
    assert [c.value for c in sheet[1]] == ["チェックリスト項目", "状態"]
    # The header row and the first column stay in view.
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:B3"
    assert sheet["B3"].value == "未対応"
    assert sheet["B3"].fill.start_color.rgb.endswith("FFC7CE")


def test_stale_exports_are_removed(tmp_path):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "case-gone-trace.csv").write_text("old")
    write_exports([TABLE], tmp_path)
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == ["sample.csv", "sample.xlsx"]


def test_site_version_from_pyproject(tmp_path):
    assert site_version(tmp_path) == ""
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "2.3.4"\n')
    assert site_version(tmp_path) == "2.3.4"


def test_xlsx_keeps_text_exactly_and_names_columns_past_z(tmp_path):
    from council.outputs.xlsx import _col, write_workbook

    assert [_col(n) for n in (1, 26, 27, 52, 53, 105)] == ["A", "Z", "AA", "AZ", "BA", "DA"]
    headers = [f"列{n}" for n in range(1, 29)]
    row = ["<a & b>", " 前後に空白 ", 'quote "q"', "改行\nあり", *["x"] * 24]
    path = tmp_path / "t.xlsx"
    write_workbook(path, sheet="a/b:c*d?e[f]g-long-name-over-thirty-one-chars", headers=headers,
                   rows=[row], title="表 <1>", creator="council-trace")
    book = load_workbook(path)
    sheet = book.active
    assert sheet.title == "a_b_c_d_e_f_g-long-name-over-th"
    assert [c.value for c in sheet[2]] == row
    assert sheet.auto_filter.ref == "A1:AB2"
    assert sheet["AB1"].value == "列28" and sheet["AB1"].font.b
    assert book.properties.title == "表 <1>"


def test_xlsx_is_byte_identical_when_written_twice(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write_exports([TABLE], tmp_path / "one")
    write_exports([TABLE], tmp_path / "two")
    one = (tmp_path / "one" / "exports" / "sample.xlsx").read_bytes()
    assert one == (tmp_path / "two" / "exports" / "sample.xlsx").read_bytes()
    book = load_workbook(tmp_path / "one" / "exports" / "sample.xlsx")
    assert book.properties.created.year == 2023


def test_numbers_are_numbers_in_csv_and_xlsx(tmp_path):
    write_exports([FIGURES], tmp_path)
    raw = (tmp_path / "exports" / "figures.csv").read_bytes().decode("utf-8-sig")
    assert list(csv.reader(raw.splitlines())) == [
        ["区分", "案件数", "割合", "対策", "最新年度"],
        ["組織的", "3", "0.6667", "SG_A, SG_B", "2019"],
        ["人的", "0", "－", "", ""],
    ]
    sheet = load_workbook(tmp_path / "exports" / "figures.xlsx").active
    assert [c.value for c in sheet[2]] == ["組織的", 3, 0.6667, "SG_A, SG_B", 2019]
    assert sheet["C2"].number_format == "0%"
    assert sheet["B3"].value == 0 and sheet["C3"].value == "－"
    # No number stored as text anywhere.
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert not (isinstance(cell.value, str) and cell.value.replace(".", "").isdigit()), cell


def test_exports_keep_outlines_for_the_data_descriptions(tmp_path):
    from council.outputs.opendata import datapackage

    from council.directives.licence import LICENCES

    outlines = write_exports(iter([TABLE, FIGURES]), tmp_path)
    assert [(o.name, o.headers) for o in outlines] == [(TABLE.name, TABLE.headers), (FIGURES.name, FIGURES.headers)]
    # counts are integers; the share column holds "－" for an empty category, so it is text
    assert outlines[1].types == ("string", "integer", "string", "string", "integer")
    licence = LICENCES["PDL1.0"]
    assert datapackage(outlines, licence, title="t") == datapackage([TABLE, FIGURES], licence, title="t")


def test_a_build_writes_its_exports_once(tmp_path, monkeypatch):
    """The open-data page's JSON-LD and build-finished both ask for the exports: made once."""
    from types import SimpleNamespace

    import council.model.need_index as need_index
    from council.outputs import exports

    made = []
    monkeypatch.setattr(exports, "dated_export_tables",
                        lambda needs, updated, *kept, **version: made.append(needs) or iter([TABLE]))
    index = object()
    monkeypatch.setattr(need_index, "need_index", lambda app: index)
    app = SimpleNamespace(outdir=str(tmp_path / "html"), doctreedir=str(tmp_path / "doctrees"), confdir=str(tmp_path))
    (tmp_path / "doctrees").mkdir()
    first = exports.exported(app)
    assert exports.exported(app) is first and made == [index]
    assert sorted(p.name for p in (tmp_path / "html" / "exports").iterdir()) == ["sample.csv", "sample.xlsx"]
    # a new environment (a new index) is a new set of tables
    monkeypatch.setattr(need_index, "need_index", lambda app: object())
    exports.exported(app)
    assert len(made) == 2


def test_a_long_sheet_is_written_in_pieces_and_reads_back_whole(tmp_path, monkeypatch):
    """The sheet's XML is streamed into the archive a few hundred rows at a time
    (the long table of a large site is hundreds of megabytes as one text)."""
    import zipfile

    from council.outputs import xlsx

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    rows = [[f"行{n}", n, "改行\nあり" if n % 7 == 0 else "x"] for n in range(1, 1_234)]
    pieces = list(xlsx._sheet(["名前", "番号", "メモ"], rows, [8, 8, 8], {}))
    assert len(pieces) == len(rows) // xlsx._ROWS_PER_PIECE + 1
    path = tmp_path / "long.xlsx"
    xlsx.write_workbook(path, sheet="long", headers=["名前", "番号", "メモ"], rows=rows, widths=[8, 8, 8])
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/worksheets/sheet1.xml").decode("utf-8") == "".join(pieces)
    sheet = load_workbook(path).active
    assert sheet.max_row == len(rows) + 1
    assert [c.value for c in sheet[len(rows) + 1]] == rows[-1]
    assert sheet.auto_filter.ref == f"A1:C{len(rows) + 1}"


def test_a_needs_digest_depends_on_the_values_not_on_which_objects_hold_them():
    """Equal fields held in different objects (as after a build reads a page again) give
    the same case key; any changed value, or a value type marshal cannot write, another."""
    from council.outputs.exports import _needs_digest

    shared = "第10項 再委託の禁止"
    one = {"id": "SG_1", "title": shared, "binds": ["CL_B_10"], "note": shared, "ok": True, "n": 1}
    other = {"id": "SG_1", "title": "".join(["第10項 ", "再委託の禁止"]), "binds": ["CL_B_10"],
             "note": "第10項 再委託の禁止", "ok": True, "n": 1}
    assert one["title"] is one["note"] and other["title"] is not other["note"]
    assert _needs_digest([one], "v") == _needs_digest([other], "v")
    assert _needs_digest([{**one, "ok": 1}], "v") != _needs_digest([one], "v")  # True is not 1
    assert _needs_digest([{**one, "binds": ["CL_B_11"]}], "v") != _needs_digest([one], "v")
    assert _needs_digest([one], "w") != _needs_digest([one], "v")
    assert _needs_digest([{**one, "when": object()}], "v")  # written as JSON, not refused
    assert _needs_digest([{**one, "SG_1_back": ["X"]}], "v") == _needs_digest([one], "v")

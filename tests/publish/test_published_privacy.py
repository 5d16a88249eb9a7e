"""The privacy scan of the published output, on planted files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from council_publish import cli as publish
from council_publish.pipeline import BuildContext, BuildFailed
from council_publish.published_privacy import scan_file, scan_published_step, scan_site
from council.outputs.xlsx import write_workbook

PHONE = "03-5555-0123"
PAGE = """<!DOCTYPE html>
<html><head><title>案件</title>
<script>var phone = "03-5555-0999";</script>
<style>.x::after { content: "03-5555-0998"; }</style>
</head><body>
<p>事業の概要</p>
<table><tr><td>03</td><td>5555</td><td>0100</td></tr></table>
<p>問合せは <strong>03-5555-</strong>
0123 まで</p>
<img src="x.png" alt="山田太郎（45歳）">
</body></html>
"""


@pytest.fixture
def site(tmp_path: Path) -> BuildContext:
    ctx = BuildContext(source=tmp_path / "src", staging=tmp_path / "staging", env={})
    ctx.source.mkdir()
    ctx.html.mkdir(parents=True)
    (ctx.html / "index.html").write_text("<html><body><p>区民の皆様へ</p></body></html>", encoding="utf-8")
    return ctx


def test_html_rendered_text_is_scanned_with_its_source_line(tmp_path: Path):
    page = tmp_path / "case.html"
    page.write_text(PAGE, encoding="utf-8")
    found = [(where, f.kind, f.masked) for where, f in scan_file(page)]
    # the phone split by inline markup and a line break is found, on the line
    # where it starts; table cells do not run together into a number; script
    # and style are not rendered text.
    assert found == [("8", "電話番号", "0*-****- ****"), ("10", "氏名と年齢", "山********")]


def test_needs_json_names_the_need_and_field(tmp_path: Path):
    needs = tmp_path / "needs.json"
    needs.write_text(json.dumps({
        "current_version": "1.0",
        "versions": {"1.0": {"needs": {
            "CASE_2020_TEST": {"id": "CASE_2020_TEST", "contractor": "株式会社テスト",
                               "content": "連絡先 taro(at)example.jp"},
            "SG_2020_TEST_E1_CO_01": {"id": "SG_2020_TEST_E1_CO_01", "tags": ["番号 555500001110"]},
        }}},
    }, ensure_ascii=True), encoding="utf-8")
    found = [(where, f.kind, f.masked) for where, f in scan_file(needs)]
    assert found == [
        ("CASE_2020_TEST.content", "メールアドレス", "t***(**)*******.**"),
        ("SG_2020_TEST_E1_CO_01.tags[0]", "個人番号", "5***********"),
    ]


def test_csv_cells_are_scanned(tmp_path: Path):
    export = tmp_path / "trace.csv"
    export.write_text("\ufeff案件,委託先\nCASE_2020_TEST,生年月日：昭和50年1月2日\n", encoding="utf-8")
    found = [(where, f.kind) for where, f in scan_file(export)]
    assert found == [("2:2列", "生年月日")]


def test_xlsx_of_the_site_writer_is_scanned(tmp_path: Path):
    book = tmp_path / "trace.xlsx"
    write_workbook(book, sheet="対策", headers=["案件", "備考"],
                   rows=[["CASE_2020_TEST", "区民の皆様"], ["CASE_2020_TEST", f"電話 {PHONE}"]])
    found = [(where, f.kind, f.masked) for where, f in scan_file(book)]
    assert found == [("対策!B3", "電話番号", "0*-****-****")]


def test_xlsx_shared_strings_and_numbers_are_scanned(tmp_path: Path):
    book = tmp_path / "other.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "一覧"
    sheet.append(["氏名", "番号"])
    sheet.append(["架空区見本町1-2-3 山田太郎", 555500001110])
    workbook.save(book)
    found = [(where, f.kind) for where, f in scan_file(book)]
    assert found == [("一覧!A2", "住所と氏名"), ("一覧!B2", "個人番号")]


@pytest.mark.parametrize("plain", [True, False], ids=["plain-xml", "other-xml"])
def test_xlsx_cells_are_read_alike_by_both_readers(tmp_path: Path, monkeypatch, plain: bool):
    """Plain sheet XML is read by regular expressions (in pieces cut after a row; small
    pieces here), other XML by ElementTree: the same cells, the same findings."""
    import zipfile

    import council_publish.published_privacy as privacy

    monkeypatch.setattr(privacy, "_PIECE", 50)
    book = tmp_path / "other.xlsx"
    workbook = Workbook()
    workbook.active.title = "一覧"
    workbook.active.append(["氏名", "番号", "備考"])
    workbook.active.append(["架空区見本町1-2-3 山田太郎", 555500001110, "区民の皆様"])
    workbook.active.append(["区民", "", f"電話 {PHONE}"])
    workbook.save(book)
    with zipfile.ZipFile(book) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet].replace(b'<c r="C2"', b'<c data-x="a>b" r="C2"')
    if not plain:
        members[sheet] = members[sheet].replace(b"</sheetData>", b"<!-- x --></sheetData>")
    with zipfile.ZipFile(book, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert privacy._workbook_sheets(zipfile.ZipFile(book))[1] == [("一覧", sheet)]
    assert privacy._sheet_is_plain(zipfile.ZipFile(book), sheet) is plain
    found = [(where, f.kind) for where, f in scan_file(book)]
    assert found == [("一覧!A2", "住所と氏名"), ("一覧!B2", "個人番号"), ("一覧!C3", "電話番号")]


def test_step_fails_naming_every_file_and_masks_values(site: BuildContext, capsys):
    (site.html / "cases").mkdir()
    (site.html / "cases" / "x.html").write_text(f"<p>電話 {PHONE}</p>", encoding="utf-8")
    (site.html / "exports").mkdir()
    (site.html / "exports" / "t.csv").write_text(f"a\n{PHONE}\n", encoding="utf-8")
    # files that are not published text are not read
    (site.html / "_static").mkdir()
    (site.html / "_static" / "x.js").write_text(f'"{PHONE}"', encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        scan_published_step(site)
    assert str(failed.value) == (
        "privacy scan: 2 件の個人情報と思われる値が公開される出力にあります（cases/x.html, exports/t.csv）"
    )
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "council-privacy: cases/x.html:1: 公開される出力に個人情報と思われる電話番号（0*-****-****）があります。"
        "元の原稿から取り除くか、公開情報であれば privacy-allowlist.toml に理由と確認者を添えて登録してください",
        "council-privacy: exports/t.csv:2:1列: 公開される出力に個人情報と思われる電話番号（0*-****-****）があります。"
        "元の原稿から取り除くか、公開情報であれば privacy-allowlist.toml に理由と確認者を添えて登録してください",
    ]
    assert PHONE not in str(failed.value) and "5555" not in "".join(err)


def test_step_passes_a_clean_site_and_honours_the_allowlist(site: BuildContext):
    scan_published_step(site)  # nothing to report
    (site.html / "about.html").write_text(f"<p>代表 {PHONE}</p>", encoding="utf-8")
    with pytest.raises(BuildFailed):
        scan_published_step(site)
    (site.source / "privacy-allowlist.toml").write_text(
        f'[[allow]]\nvalue = "{PHONE}"\nreason = "区の代表電話（公開）"\nreviewer = "事務局"\n',
        encoding="utf-8",
    )
    scan_published_step(site)
    assert scan_site(site.html) != []  # without the allow-list it is still found


def test_step_scans_the_finished_output_before_it_is_checksummed():
    from council_publish.checks import WHILE_INDEXING

    steps = publish.STEPS
    assert scan_published_step in WHILE_INDEXING  # with the search index, which it leaves out
    assert steps.index(publish.index_and_check_step) < steps.index(publish.write_manifest_step)


@pytest.mark.site
def test_publication_fails_on_data_that_went_around_the_source_lint(tmp_path: Path, capsys):
    """A value that no page holds (here the configuration's html_title) is
    still found in the rendered pages; a clean project publishes."""
    from helpers import copy_project

    project = copy_project("site-minimal", tmp_path)
    output = tmp_path / "out" / "site"
    steps = [publish.build_html, scan_published_step]
    publish.build(project, output, steps)
    before = sorted(p.relative_to(output) for p in output.rglob("*"))

    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'\nhtml_title = "問合せ {PHONE}"\n')
    with pytest.raises(BuildFailed, match=r"^privacy scan: \d+ 件の個人情報と思われる値が公開される出力にあります（"):
        publish.build(project, output, steps)
    err = capsys.readouterr().err
    assert "council-privacy: index.html:" in err and "電話番号（0*-****-****）" in err
    assert PHONE not in err
    assert sorted(p.relative_to(output) for p in output.rglob("*")) == before


def test_svg_text_plain_text_are_scanned_and_assets_are_not(site: BuildContext):
    (site.html / "graph.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><polygon points="0 5555 0123 4 0 5555 0124"/>'
        f'<g><title>CASE_2020_TEST</title><text x="0" y="5555">連絡 {PHONE}</text></g></svg>',
        encoding="utf-8",
    )
    (site.html / "_sources").mkdir()
    (site.html / "_sources" / "a.md.txt").write_text(f"# 見出し\n\n電話 {PHONE}\n", encoding="utf-8")
    (site.html / "_static").mkdir()
    (site.html / "_static" / "LICENSE.txt").write_text(f"{PHONE}\n", encoding="utf-8")
    (site.html / "pagefind").mkdir()
    (site.html / "pagefind" / "pagefind-entry.json").write_text(f'{{"x": "{PHONE}"}}', encoding="utf-8")
    found = [(f.path, f.where, f.kind) for f in scan_site(site.html)]
    assert found == [("_sources/a.md.txt", "3", "電話番号"), ("graph.svg", "1", "電話番号")]


def test_a_value_repeated_in_the_data_is_checked_once_and_reported_everywhere(tmp_path: Path, monkeypatch):
    """The open data repeat a few values millions of times (council_publish.published_privacy.ValueFindings):
    each distinct value is checked once per scan, each occurrence still reported at its place."""
    from council_publish import published_privacy

    checked: list[str] = []
    real = published_privacy.find_personal_data
    monkeypatch.setattr(published_privacy, "find_personal_data", lambda text, allowed=(): checked.append(text) or real(text, allowed))
    root = tmp_path / "html"
    root.mkdir()
    (root / "a.csv").write_text(f"案件,備考\nCASE_1,電話 {PHONE}\nCASE_2,電話 {PHONE}\n", encoding="utf-8")
    (root / "b.json").write_text(json.dumps({"x": [f"電話 {PHONE}", "CASE_1"]}, ensure_ascii=False), encoding="utf-8")
    found = [(f.path, f.where, f.kind) for f in scan_site(root)]
    assert found == [("a.csv", "2:2列", "電話番号"), ("a.csv", "3:2列", "電話番号"), ("b.json", "x[0]", "電話番号")]
    assert len(checked) == len(set(checked))
    # the key "x" may be checked too: the first pass over a file's distinct values includes keys
    assert set(checked) - {"x"} == {"案件", "備考", "CASE_1", "CASE_2", f"電話 {PHONE}"}


def test_the_values_kept_are_bounded(monkeypatch):
    from council_publish.published_privacy import ValueFindings

    monkeypatch.setattr(ValueFindings, "MOST_KEPT", 2)
    values = ValueFindings()
    assert [len(values(v)) for v in ("a", "b", f"電話 {PHONE}", f"電話 {PHONE}")] == [0, 0, 1, 1]
    assert sorted(values.known) == ["a", "b"]

"""Suspect links: a confirmed trace whose clause or checklist-item text changed."""

from __future__ import annotations

import csv
from pathlib import Path

from bs4 import BeautifulSoup

from helpers import copy_project, warning_lines

from council_import.confirm import main as confirm_main
from council.rules.suspect import fingerprint, need_fingerprint, suspect_links

CLAUSE = {"id": "CL_B_13", "type": "clause", "heading": "個人情報を取り扱う従事者の指定", "content": "乙は、取扱者を指定する。"}
ITEM = {"id": "CHK_CO_04", "type": "checkitem", "content": "取扱責任者を指定させる。"}


def _needs(clause_text: str, recorded: str | None, binds=("CL_B_13",)) -> dict:
    sg = {"id": "SG_X", "type": "safeguard", "satisfies": ["CHK_CO_04"], "binds": list(binds)}
    if recorded is not None:
        sg["confirmed_against"] = recorded
    return {
        "SG_X": sg,
        "CL_B_13": {**CLAUSE, "content": clause_text},
        "CL_B_14": {**CLAUSE, "id": "CL_B_14", "heading": "業務に関する報告"},
        "CHK_CO_04": ITEM,
    }


def _recorded() -> str:
    return f"CHK_CO_04@{need_fingerprint(ITEM)}, CL_B_13@{need_fingerprint(CLAUSE)}"


def test_unchanged_texts_are_not_suspect():
    assert suspect_links(_needs(CLAUSE["content"], _recorded())) == {}


def test_a_changed_clause_text_flags_the_link():
    assert suspect_links(_needs("乙は、取扱者を指定し、甲に報告する。", _recorded())) == {"SG_X": {"CL_B_13"}}


def test_rewrapping_a_clause_is_not_a_change():
    assert suspect_links(_needs("乙は、\n取扱者を 指定する。", _recorded())) == {}


def test_a_link_added_after_confirmation_is_suspect():
    assert suspect_links(_needs(CLAUSE["content"], _recorded(), binds=("CL_B_13", "CL_B_14"))) == {"SG_X": {"CL_B_14"}}


def test_a_trace_never_confirmed_is_not_checked():
    assert suspect_links(_needs("別の文言", None)) == {}


def test_fingerprint_includes_the_heading():
    assert fingerprint("監査", "本文") != fingerprint("監査等", "本文")


def test_changed_clause_flags_measures_without_failing_the_build(make_app, tmp_path: Path, capsys):
    src = copy_project("site-minimal", tmp_path)
    page = src / "cases" / "case.md"
    assert confirm_main([str(page), "--project", str(src)]) == 0
    assert "confirmed_against: CHK_CO_04@" in page.read_text(encoding="utf-8")
    assert confirm_main(["--check", "--project", str(src)]) == 0
    # The build sees the same fingerprints as the command: nothing to review.
    app = make_app("html", srcdir=src, warningiserror=True)
    app.build()
    assert "確認後に対応先の文言が変わった対応付け" not in app.status.getvalue()  # no notice
    assert "council-suspect-links" not in (Path(app.outdir) / "cases" / "case.html").read_text(encoding="utf-8")
    # The reviewer's list of links to confirm again.
    index = src / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n```{suspect-links}\n```\n", encoding="utf-8")
    # A later amendment of the clause the measure was confirmed against.
    edition = src / "clauses" / "edition-b.md"
    old = "個人情報を取り扱わせる取扱責任者及び取扱者を指定し、甲に報告するものとする。"
    text = edition.read_text(encoding="utf-8")
    assert old in text
    edition.write_text(text.replace(old, "個人情報を取り扱わせる取扱責任者及び取扱者を指定し、書面により甲に報告するものとする。"), encoding="utf-8")
    capsys.readouterr()
    assert confirm_main(["--check", "--project", str(src)]) == 1
    out = capsys.readouterr().out
    assert "cases/case: 要再確認: SG_2020_TEST_E1_CO_01 → CL_B_13（確認後に CL_B_13 の文言が変わりました）" in out

    app.build()  # the same project, rebuilt after the amendment
    assert warning_lines(app) == []
    status = app.status.getvalue()
    assert "確認後に対応先の文言が変わった対応付けが 1 件あります（要再確認）" in status
    assert "SG_2020_TEST_E1_CO_01 → CL_B_13" in status
    html = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    assert "SG_2020_TEST_E1_CO_01" in html and "要再確認" in html
    # the case page tags the link itself, next to the clause it names
    case = BeautifulSoup((Path(app.outdir) / "cases" / "case.html").read_text(encoding="utf-8"), "html.parser")
    links = case.find(id="SG_2020_TEST_E1_CO_01").find(class_="council-trace-links")
    clause_line = next(li for li in links.find_all("li") if "特記事項" in li.get_text())
    assert "要再確認" in clause_line.get_text()
    checklist_line = next(li for li in links.find_all("li") if "チェックリスト" in li.get_text())
    assert "要再確認" not in checklist_line.get_text()
    with open(Path(app.outdir) / "exports" / "case-2020-test-trace.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][-1] == "要再確認"
    assert rows[1][0] == "SG_2020_TEST_E1_CO_01" and rows[1][-1] == "要再確認: CL_B_13"

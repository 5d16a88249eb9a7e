"""Special-terms edition detection and writing a new edition."""

from __future__ import annotations

import shutil

from importer_sources import source_text
from helpers import REPO

from council_import import parse_document
from council_import.editions import Difference, detect, load_editions
from council_import.pages import read_needs


def _blocks(name):
    return parse_document(source_text(name)).special_terms


def test_exact_match_names_the_edition():
    editions = load_editions(REPO)
    assert [detect(b, editions).edition for b in _blocks("003_0cb8053224550498.txt")] == ["ED_A", "ED_B"]
    assert [detect(b, editions).edition for b in _blocks("001_226f9b6f33957b40.txt")] == ["ED_B"]


def test_difference_is_reported_clause_by_clause():
    (block,) = _blocks("000_bad3504de82e16e0.txt")
    result = detect(block, load_editions(REPO))
    assert result.edition is None and result.closest == "ED_B"
    assert result.differences == [
        Difference(17, "changed", "条文が異なる: 原典「…いて甲の立入調査等に…」／版「…いて甲の立入り調査等に…」")
    ]


def test_added_removed_and_changed_headings():
    (block,) = _blocks("001_226f9b6f33957b40.txt")
    block.clauses[5].heading = "持ち出しの禁止"
    del block.clauses[-1]
    diffs = detect(block, {"ED_B": load_editions(REPO)["ED_B"]}).differences
    assert [(d.number, d.kind) for d in diffs] == [(6, "changed"), (21, "removed")]
    assert str(diffs[0]) == "第6項: 見出し「持ち出しの禁止」（ED_B は「持出しの禁止」）"


def test_nearest_edition_is_used_and_explained_without_write_edition(run_import):
    code, err, out = run_import(source_text("000_bad3504de82e16e0.txt"), slug="JIRITSU")
    assert code == 0
    assert (
        "<tmp>/doc.txt:58: 特記事項が既知の版と一致しません。最も近い版 ED_B との違い: "
        "第17項: 条文が異なる: 原典「…いて甲の立入調査等に…」／版「…いて甲の立入り調査等に…」"
    ) in err.splitlines()
    page = out.read_text(encoding="utf-8")
    assert page.count("terms: ED_B\n") == 2


def test_write_edition_adds_a_revising_edition(tmp_path, capsys):
    from council_import.cli import main

    project = tmp_path / "site"
    shutil.copytree(REPO / "clauses", project / "clauses")
    # The project as it was before a third edition: editions A and B only.
    (project / "clauses" / "edition-c.md").unlink(missing_ok=True)
    index = project / "clauses" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("edition-c\n", ""), encoding="utf-8")
    (project / "cases").mkdir()
    src = tmp_path / "000.txt"
    src.write_text(source_text("000_bad3504de82e16e0.txt"), encoding="utf-8")
    assert main([str(src), "--slug", "JIRITSU", "--project", str(project), "--write-edition"]) == 0
    err = capsys.readouterr().err.replace(str(tmp_path), "<tmp>")
    assert "<tmp>/site/clauses/edition-c.md: 新しい特記事項の版 ED_C を書き出しました" in err
    assert "<tmp>/site/clauses/index.md: 目次に edition-c を加えました" in err
    needs = {n.id: n for n in read_needs((project / "clauses" / "edition-c.md").read_text(encoding="utf-8"))}
    assert needs["ED_C"].links["revises"] == ["ED_B"]
    # The edition names its origin in the ward's terms, never this repository's file name.
    edition_page = (project / "clauses" / "edition-c.md").read_text(encoding="utf-8")
    assert ".txt" not in edition_page
    assert needs["ED_C"].options["label"] == "21項版（2019年度の資料に掲げられたもの）"
    assert "案件「自立相談支援事業の実施に係る業務の委託等について（受託者の追加）」の資料（資料61、本サイトの読み取り）に掲げられた条文" in edition_page
    clauses = [n for n in needs.values() if n.type == "clause"]
    assert len(clauses) == 21
    assert all(n.links["revises"] == [f"CL_B_{n.options['number'].zfill(2)}"] for n in clauses)
    assert "甲の立入調査等による監査" in needs["CL_C_17"].content
    assert needs["CL_C_05"].content.endswith("- (4) その他区民の個人的秘密が侵害されるおそれがあると甲が認めた事項")
    assert "\nedition-c\n" in (project / "clauses" / "index.md").read_text(encoding="utf-8")
    page = (project / "cases" / "2019-jiritsu.md").read_text(encoding="utf-8")
    assert page.count("terms: ED_C\n") == 2 and "CL_B_" not in page

"""council_bench.site_diff: only the declared volatile parts are set aside."""

from __future__ import annotations

import zipfile
from pathlib import Path

from council_bench.site_diff import differences, main


def _site(root: Path, page: str, core: str = "2026", sheet: str = "a") -> Path:
    (root / "cases").mkdir(parents=True)
    (root / "cases" / "x.html").write_text(page, encoding="utf-8")
    with zipfile.ZipFile(root / "t.xlsx", "w") as book:
        book.writestr("docProps/core.xml", core)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
    return root


PAGE = '<link href="../_static/council.css?v={v}"/><p>第10項 再委託の禁止</p><span>（PDF、{kb} KB）</span>'


def test_cache_busters_pdf_sizes_and_workbook_times_are_set_aside(tmp_path: Path) -> None:
    old = _site(tmp_path / "old", PAGE.format(v="e11f31ec", kb=307), core="2025")
    new = _site(tmp_path / "new", PAGE.format(v="dffc09e0", kb=344), core="2026")
    assert differences(old, new) == []
    assert main([str(old), str(new)]) == 0


def test_a_changed_word_or_cell_is_reported(tmp_path: Path) -> None:
    old = _site(tmp_path / "old", PAGE.format(v="e11f31ec", kb=307))
    new = _site(tmp_path / "new", PAGE.format(v="e11f31ec", kb=307).replace("第10項", "第11項"), sheet="b")
    (new / "extra.html").write_text("", encoding="utf-8")
    assert differences(old, new) == ["differs: cases/x.html", "only in new: extra.html", "differs: t.xlsx"]
    assert main([str(old), str(new)]) == 1

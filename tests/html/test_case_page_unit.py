"""Small pure parts of the case page: PDF sizes filled in after the PDF step,
header-cell scopes, link names of checklist items and clauses."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from council.html import downloads, link_names, ui_text
from council.model.content_model import load_model
from helpers import REPO


def test_pdf_size_is_written_once_the_pdf_exists(tmp_path: Path) -> None:
    html = tmp_path / "html"
    (html / "pdf").mkdir(parents=True)
    (html / "cases").mkdir()
    (html / "pdf" / "a.pdf").write_bytes(b"x" * 150_000)
    page = html / "cases" / "a.html"
    page.write_text('<a href="../pdf/a.pdf">PDF</a><span class="council-pdf-size" data-council-pdf="a.pdf"></span>'
                    '<span class="council-pdf-size" data-council-pdf="missing.pdf"></span>', encoding="utf-8")
    downloads.fill_pdf_sizes(SimpleNamespace(html=html))
    assert page.read_text(encoding="utf-8") == (
        '<a href="../pdf/a.pdf">PDF</a><span class="council-pdf-size">（PDF、146 KB）</span>')


def test_header_cells_get_a_scope() -> None:
    body = '<tr><th class="head">条項</th><th class="stub council-x">第1項</th></tr>'
    assert ui_text.translate(body) == (
        '<tr><th scope="col" class="head">条項</th><th scope="row" class="stub council-x">第1項</th></tr>')


def test_links_name_their_target() -> None:
    item = {"id": "CHK_WO_01", "type": "checkitem",
            "title": "契約にあたり、「特記事項」を付すとともに、個人情報保護法及び新宿区情報セキュリテ…"}
    clause = {"id": "CL_B_10", "type": "clause", "number": 10, "heading": "再委託の禁止"}
    roles = load_model(REPO / "ubproject.toml").roles
    assert link_names.target_name(item, roles) == "チェックリスト: WO-01 契約にあたり、「特記事項」を付すと…"
    assert link_names.target_name(clause, roles) == "特記事項: 第10項 再委託の禁止"


def test_source_file_is_only_a_plain_name() -> None:
    assert downloads.source_file({"source": "000_bad3504de82e16e0.txt"}) == "000_bad3504de82e16e0.txt"
    assert downloads.source_file({"source": "../conf.py"}) == ""
    assert downloads.source_file({"source": "a/b.txt"}) == ""

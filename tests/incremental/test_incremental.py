"""Incremental builds rewrite every page that shows data of an edited case.

Sphinx rewrites only changed sources; the clause page's back-links ("この条項に
依拠する情報保護対策") and sphinx-needs tables on other pages used to stay stale.
Each test builds a small project, edits the case, rebuilds incrementally into
the same output and doctree directories, and reads the other pages again.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import copy_project

SG = "SG_2020_TEST_E1_CO_01"

TABLE_PAGE = """# 対策と条項

```{needtable}
:types: safeguard
:columns: id, binds
```
"""


def _need_block(html: Path, need_id: str) -> str:
    """The text of the rendered need *need_id* (its block), from a built page."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    anchor = soup.find(id=need_id)
    assert anchor is not None, f"{need_id} not on {html.name}"
    if "council-need" in anchor.get("class", []):
        return " ".join(anchor.get_text(" ", strip=True).split()) + " " + " ".join(
            a["href"].rsplit("#", 1)[-1] for a in anchor.find_all("a", href=True))
    block = anchor.find_parent("table") or anchor.find_parent("div")
    return block.get_text(" ", strip=True)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    # Newer than the first build even on coarse file-system clocks.
    future = time.time() + 5
    os.utime(path, (future, future))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = copy_project("site-minimal", tmp_path)
    (src / "table.md").write_text(TABLE_PAGE, encoding="utf-8")
    index = src / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("clauses/index\n", "clauses/index\ntable\n"),
                     encoding="utf-8")
    return src


def _build(make_app, src: Path):
    app = make_app("html", srcdir=src, warningiserror=True)
    app.build()
    return app


def test_editing_binds_moves_the_back_link_on_the_clause_page(make_app, project: Path) -> None:
    app = _build(make_app, project)
    clause_page = Path(app.outdir) / "clauses" / "edition-b.html"
    assert SG in _need_block(clause_page, "CL_B_13")
    assert SG not in _need_block(clause_page, "CL_B_10")

    _edit(project / "cases" / "case.md", "binds: CL_B_13", "binds: CL_B_10")
    again = _build(make_app, project)
    assert again.outdir == app.outdir

    assert SG in _need_block(clause_page, "CL_B_10")
    assert SG not in _need_block(clause_page, "CL_B_13")


def test_editing_binds_updates_a_needtable_on_another_page(make_app, project: Path) -> None:
    app = _build(make_app, project)
    table_page = Path(app.outdir) / "table.html"
    assert "CL_B_13" in table_page.read_text(encoding="utf-8")

    _edit(project / "cases" / "case.md", "binds: CL_B_13", "binds: CL_B_10")
    _build(make_app, project)

    text = table_page.read_text(encoding="utf-8")
    assert "CL_B_10" in text
    assert "CL_B_13" not in text


def test_a_confirmation_recorded_on_a_case_updates_the_suspect_list_on_another_page(
        make_app, project: Path) -> None:
    (project / "review.md").write_text("# 要再確認\n\n```{suspect-links}\n```\n", encoding="utf-8")
    _edit(project / "index.md", "table\n", "table\nreview\n")
    app = _build(make_app, project)
    review = Path(app.outdir) / "review.html"
    assert "要再確認の対応付けはありません" in review.read_text(encoding="utf-8")

    # A fingerprint that is not the clause's: the confirmed link is now suspect.
    _edit(project / "cases" / "case.md", "binds: CL_B_13\n", "binds: CL_B_13\nconfirmed_against: CL_B_13@000000000000\n")
    _build(make_app, project)

    table = BeautifulSoup(review.read_text(encoding="utf-8"), "html.parser").find(class_="council-suspect-links")
    assert table is not None and SG in table.get_text(" ")


def _with_notes(project: Path) -> Path:
    notes = project / "notes.md"
    notes.write_text("# メモ\n\n本文。\n", encoding="utf-8")
    (project / "index.md").write_text(
        (project / "index.md").read_text(encoding="utf-8").replace("table\n", "table\nnotes\n"), encoding="utf-8")
    return notes


def _sidebar(page: Path) -> str:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return soup.find(class_="sidebar-tree").get_text(" ", strip=True)


def test_an_unrelated_edit_rewrites_no_clause_page(make_app, project: Path) -> None:
    """Only pages with needs trigger the rewrite: editing plain text does not."""
    notes = _with_notes(project)
    app = _build(make_app, project)
    clause_page = Path(app.outdir) / "clauses" / "edition-b.html"
    before = clause_page.stat().st_mtime_ns

    _edit(notes, "本文。", "本文を直した。")
    _build(make_app, project)

    assert "本文を直した。" in (Path(app.outdir) / "notes.html").read_text(encoding="utf-8")
    assert clause_page.stat().st_mtime_ns == before


@pytest.mark.parametrize("change", ["a page added", "a title changed"])
def test_the_navigation_of_every_page_follows_new_pages_and_titles(make_app, project: Path, change: str) -> None:
    """Every page's sidebar lists every page by its title: a page that shows no need
    of the changed page is rewritten too."""
    notes = _with_notes(project) if change == "a title changed" else project / "notes.md"
    app = _build(make_app, project)
    clause_page = Path(app.outdir) / "clauses" / "edition-b.html"
    if change == "a page added":
        assert "メモ" not in _sidebar(clause_page)
        _with_notes(project)
        _edit(project / "index.md", "notes\n", "notes\n")
    else:
        assert "メモ" in _sidebar(clause_page)
        _edit(notes, "# メモ", "# 会議のメモ")
    _build(make_app, project)
    assert ("会議のメモ" if change == "a title changed" else "メモ") in _sidebar(clause_page)


def test_a_renamed_need_leaves_no_trace_of_its_old_id(make_app, project: Path) -> None:
    """Documents read again are purged of their needs when reading starts
    (``council.upstream.purge_before_reading``): the old ID is gone everywhere."""
    import json

    app = _build(make_app, project)
    _edit(project / "cases" / "case.md", f"id: {SG}", "id: SG_2020_TEST_E1_CO_99")
    again = _build(make_app, project)
    data = json.loads((Path(app.outdir) / "needs.json").read_text(encoding="utf-8"))
    needs = data["versions"][data["current_version"]]["needs"]
    assert "SG_2020_TEST_E1_CO_99" in needs and SG not in needs
    clause_text = (Path(app.outdir) / "clauses" / "edition-b.html").read_text(encoding="utf-8")
    assert SG not in clause_text and "SG_2020_TEST_E1_CO_99" in clause_text
    assert not hasattr(again.env, "_council_purged_docs")


def _second_case(project: Path, *, with_directive: bool) -> Path:
    """Another case, with its own IDs (and, if asked, an explicit ``case-trace``)."""
    text = (project / "cases" / "case.md").read_text(encoding="utf-8")
    text = text.replace("# テスト案件", "# 二つ目の案件").replace("_TEST", "_TESTB")
    if with_directive:
        text += "\n## トレーサビリティ\n\n```{case-trace} CASE_2020_TESTB\n```\n"
    other = project / "cases" / "case2.md"
    other.write_text(text, encoding="utf-8")
    return other


@pytest.mark.parametrize("with_directive", [True, False], ids=["case-trace written", "case-trace added"])
def test_editing_one_case_does_not_rewrite_another_case(make_app, project: Path, with_directive: bool) -> None:
    """A case page shows its own needs, what they link to and the checklist: another
    case's edit leaves it as it is (at 1,000 cases, rewriting them all took minutes)."""
    _second_case(project, with_directive=with_directive)
    app = _build(make_app, project)
    other = Path(app.outdir) / "cases" / "case2.html"
    written = other.stat().st_mtime_ns
    _edit(project / "cases" / "case.md", "事業内容。", "事業内容を直した。")
    _build(make_app, project)
    assert "事業内容を直した。" in (Path(app.outdir) / "cases" / "case.html").read_text(encoding="utf-8")
    assert other.stat().st_mtime_ns == written


def test_a_reworded_checklist_item_reaches_every_case_page(make_app, project: Path) -> None:
    """A case's coverage lists every checklist item in its words, linked by its safeguards or not."""
    app = _build(make_app, project)
    page = Path(app.outdir) / "cases" / "case.html"
    assert "区が作成した業務フローに基づき、業務を行わせる。" in page.read_text(encoding="utf-8")
    _edit(project / "clauses" / "checklist.md", "\n区が作成した業務フローに基づき、業務を行わせる。",
          "\n区が作成した業務フローに基づき、業務を行わせること。")
    _build(make_app, project)
    assert "区が作成した業務フローに基づき、業務を行わせること。" in page.read_text(encoding="utf-8")

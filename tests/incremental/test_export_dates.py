"""Each workbook is dated by its data, not by the commit being published.

Dated by the publication (``SOURCE_DATE_EPOCH``, the last commit), every
workbook changed at every commit, so a one-case edit rewrote, re-scanned and
re-published all of them. A workbook's date is the newest commit of the pages
whose needs it shows (:func:`council.outputs.exports.dated_export_tables`).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from helpers import add_other_case, copy_project, git_commit

def _commit(project: Path, when: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # dated as council-build dates a publication: by the last commit's time
    monkeypatch.setenv("SOURCE_DATE_EPOCH", git_commit(project, when, message))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    src = copy_project("site-minimal", tmp_path)
    add_other_case(src)
    _commit(src, "2024-04-01T12:00:00+09:00", "first", monkeypatch)
    return src


def _exports(make_app, project: Path) -> dict[str, tuple[str, int]]:
    """Each workbook's ``dcterms:modified`` and its file's modification time, after a build."""
    app = make_app("html", srcdir=project, warningiserror=True)
    app.build()
    found = {}
    for path in sorted((Path(app.outdir) / "exports").glob("*.xlsx")):
        with zipfile.ZipFile(path) as book:
            core = book.read("docProps/core.xml").decode()
            members = {info.date_time for info in book.infolist()}
        modified = re.search(r"<dcterms:modified[^>]*>([^<]*)<", core).group(1)
        assert members == {tuple(int(n) for n in re.split(r"[-T:Z]", modified)[:6])}, path.name
        found[path.stem] = (modified, path.stat().st_mtime_ns)
    return found


def test_a_workbook_is_dated_by_the_newest_commit_of_its_data(make_app, project: Path, monkeypatch) -> None:
    first = _exports(make_app, project)
    case_books = [name for name in first if name.startswith("case-")]
    assert {name.split("-")[2] for name in case_books} == {"test", "other"} and len(first) > len(case_books)
    assert {modified for modified, _ in first.values()} == {"2024-04-01T03:00:00Z"}

    # a commit that changes no page: no workbook is written again
    (project / "notes.txt").write_text("not a page\n", encoding="utf-8")
    _commit(project, "2024-06-03T12:00:00+09:00", "another file", monkeypatch)
    assert _exports(make_app, project) == first

    # a clause page's commit dates the case's workbooks (they show its text) and those across cases
    clause_page = next(p for p in sorted((project / "clauses").glob("*.md")) if p.stem != "index")
    clause_page.write_text(clause_page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _commit(project, "2024-07-01T12:00:00+09:00", "clause page touched", monkeypatch)
    later = _exports(make_app, project)
    assert {modified for modified, _ in later.values()} == {"2024-07-01T03:00:00Z"}

    # a case's own commit dates its workbooks and those across cases, not the other case's
    case = project / "cases" / "other.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")
    _commit(project, "2024-08-05T12:00:00+09:00", "edit", monkeypatch)
    edited = _exports(make_app, project)
    assert {name: modified for name, (modified, _) in edited.items() if modified != "2024-08-05T03:00:00Z"} == {
        name: "2024-07-01T03:00:00Z" for name in case_books if name.startswith("case-2020-test-")}
    assert all(edited[name] == later[name] for name in case_books if name.startswith("case-2020-test-"))

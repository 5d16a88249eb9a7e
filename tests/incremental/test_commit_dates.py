"""An incremental build rewrites the pages whose dates come from a commit Sphinx did not see.

A page shows its 更新日 (the last commit that touched its source) and a case
page labels its unpublished changes with the date of the commit being
published. A commit changes neither source on disk, so Sphinx, which compares
modification times, would keep the old pages: an author who builds, commits,
then publishes from the same build directory (``council_publish.kept_build``)
would publish yesterday's dates.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import add_other_case, copy_project, git_commit

def _commit(project: Path, when: str, message: str) -> None:
    git_commit(project, when, message)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = copy_project("site-minimal", tmp_path)
    _commit(src, "2024-04-01T12:00:00+09:00", "first")
    return src


def _page(make_app, project: Path) -> tuple[BeautifulSoup, Path]:
    app = make_app("html", srcdir=project, warningiserror=True)
    app.build()
    page = Path(app.outdir) / "cases" / "case.html"
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser"), page


def _updated(soup: BeautifulSoup) -> str:
    return soup.find("div", class_="last-updated").get_text(" ", strip=True)


def _history_labels(soup: BeautifulSoup) -> list[str]:
    section = soup.find(id="council-case-history")
    return [item.find("p").get_text(strip=True) for item in section.find("ul").find_all("li", recursive=False)]


def test_committing_an_edit_already_built_updates_the_page_date(make_app, project: Path) -> None:
    case = project / "cases" / "case.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")
    soup, page = _page(make_app, project)
    assert _updated(soup) == "更新日: 2024年4月1日"  # not committed yet: the last commit's date
    written = page.stat().st_mtime_ns

    _commit(project, "2024-05-20T12:00:00+09:00", "edit")  # the file on disk is unchanged
    soup, page = _page(make_app, project)
    assert page.stat().st_mtime_ns > written
    assert _updated(soup) == "更新日: 2024年5月20日"


def test_a_new_commit_relabels_the_unpublished_changes_on_case_pages(make_app, project: Path) -> None:
    soup, _ = _page(make_app, project)
    assert _history_labels(soup) == ["2024年4月1日の公開（この版）"]

    (project / "notes.txt").write_text("not a page\n", encoding="utf-8")
    _commit(project, "2024-06-03T12:00:00+09:00", "another file")
    soup, _ = _page(make_app, project)
    assert _history_labels(soup) == ["2024年6月3日の公開（この版）"]
    assert _updated(soup) == "更新日: 2024年4月1日"  # its own source's commit


def test_nothing_is_read_again_when_no_date_changed(make_app, project: Path) -> None:
    _, page = _page(make_app, project)
    written = page.stat().st_mtime_ns
    _, page = _page(make_app, project)
    assert page.stat().st_mtime_ns == written


def test_a_kept_release_rewrites_the_history_and_only_the_case_pages_it_dates(make_app, project: Path) -> None:
    """After each publication ``council-release`` keeps its needs, and the record is
    committed: the cases it dates get their history relabelled, the others are not written."""
    from council.views.history import main as council_release

    add_other_case(project)
    _commit(project, "2024-04-01T13:00:00+09:00", "another case")

    def publish(when: str) -> Path:
        app = make_app("html", srcdir=project, warningiserror=True)
        app.build()
        assert council_release(["--source", str(project), "--needs", str(Path(app.outdir) / "needs.json")]) == 0
        _commit(project, when, "release kept")
        return Path(app.outdir)

    publish("2024-04-02T12:00:00+09:00")
    other = project / "cases" / "other.md"
    other.write_text(other.read_text(encoding="utf-8").replace("事業内容。", "改めた事業内容。"), encoding="utf-8")
    _commit(project, "2024-05-01T12:00:00+09:00", "edit")
    outdir = publish("2024-05-02T12:00:00+09:00")
    written = {p.name: p.stat().st_mtime_ns for p in (outdir / "cases").glob("*.html")}

    app = make_app("html", srcdir=project, warningiserror=True)
    app.build()
    pages = Path(app.outdir) / "cases"
    soup = BeautifulSoup((pages / "other.html").read_text(encoding="utf-8"), "html.parser")
    assert _history_labels(soup) == ["2024年5月1日の公開", "2024年4月1日の公開"]
    assert (pages / "other.html").stat().st_mtime_ns > written["other.html"]
    assert (pages / "case.html").stat().st_mtime_ns == written["case.html"]
    soup = BeautifulSoup((pages / "case.html").read_text(encoding="utf-8"), "html.parser")
    assert _history_labels(soup) == ["2024年4月1日の公開"]

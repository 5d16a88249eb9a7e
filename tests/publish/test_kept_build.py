"""The Sphinx build kept between publications is reused only when it cannot be stale.

Unit tests of :mod:`council_publish.kept_build` (no Sphinx build); a
publication after one edit compared with one from nothing is
``tests/publish/test_publish_after_edit.py``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from council_publish import kept_build


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "project"
    for rel, text in {
        "_ext/ext.py": "X = 1\n", "conf.py": "project = 'x'\n", "sources/a.txt": "原文\n",
        "cases/a.md": "# a\n", "cases/b.md": "# b\n", "tests/test_x.py": "T = 1\n",
    }.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    return src


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    versions = tmp_path / ".site.versions"
    versions.mkdir()
    return versions / "staging"


def _publish_once(staging: Path, project: Path, env: dict[str, str] | None = None) -> Path:
    kept = kept_build.open_kept(staging, project, env or {})
    (kept.path / "doctrees").mkdir(exist_ok=True)
    (kept.path / "doctrees" / "environment.pickle").write_text("env")
    kept_build.close_kept(kept)
    return kept.path


def _reused(staging: Path, project: Path, env: dict[str, str] | None = None) -> bool:
    kept = kept_build.open_kept(staging, project, env or {})
    return (kept.path / "doctrees" / "environment.pickle").is_file()


def _edit(path: Path, text: str, *, seconds: float) -> None:
    """Write *text* into *path* dated *seconds* from now (negative: an older copy)."""
    path.write_text(text, encoding="utf-8")
    when = time.time() + seconds
    os.utime(path, (when, when))


def test_reused_after_a_publication_whatever_the_commit_date(staging: Path, project: Path) -> None:
    _publish_once(staging, project, {"SOURCE_DATE_EPOCH": "1700000000"})
    _edit(project / "cases" / "a.md", "# a edited\n", seconds=5)  # Sphinx sees this one itself
    (project / "cases" / "c.md").write_text("# c\n")  # a new page: Sphinx reads it
    (project / "tests" / "test_x.py").write_text("T = 2\n")  # not part of the site
    assert _reused(staging, project, {"SOURCE_DATE_EPOCH": "1800000000"})


def test_reused_after_a_release_snapshot_is_committed(staging: Path, project: Path) -> None:
    """council-release keeps each publication's needs in releases/, committed after it;
    the history compares them itself (tests/incremental/test_commit_dates.py)."""
    from council.views.releases import RELEASES_DIR

    assert kept_build._RELEASES == RELEASES_DIR
    _publish_once(staging, project)
    (project / RELEASES_DIR).mkdir()
    (project / RELEASES_DIR / "2025-04-01-0123456789ab.json").write_text("{}\n", encoding="utf-8")
    assert _reused(staging, project)


def test_not_reused_after_a_failed_build(staging: Path, project: Path) -> None:
    _publish_once(staging, project)
    kept_build.open_kept(staging, project, {})  # a build that never reached close_kept
    assert not _reused(staging, project)


@pytest.mark.parametrize("change", ["code", "config", "source document", "removed page", "renamed page",
                                    "page copied with an older date"])
def test_not_reused_when_sphinx_would_not_notice(staging: Path, project: Path, change: str) -> None:
    _publish_once(staging, project)
    if change == "code":
        (project / "_ext" / "ext.py").write_text("X = 2\n")
    elif change == "config":
        (project / "conf.py").write_text("project = 'y'\n")
    elif change == "source document":
        (project / "sources" / "a.txt").write_text("原文（差し替え）\n", encoding="utf-8")
    elif change == "removed page":
        (project / "cases" / "b.md").unlink()
    elif change == "renamed page":
        (project / "cases" / "b.md").rename(project / "cases" / "b2.md")
    else:
        _edit(project / "cases" / "a.md", "# a, an older copy\n", seconds=-3600)
    assert not _reused(staging, project)


def test_the_state_is_the_project_when_the_build_started(staging: Path, project: Path) -> None:
    """A page changed during the build, with an older date, is not trusted next time."""
    kept = kept_build.open_kept(staging, project, {})
    (kept.path / "doctrees").mkdir()
    (kept.path / "doctrees" / "environment.pickle").write_text("env")
    _edit(project / "cases" / "a.md", "# a, during the build\n", seconds=-1)
    kept_build.close_kept(kept)
    assert not _reused(staging, project)


def test_off_by_environment(staging: Path, project: Path) -> None:
    assert kept_build.open_kept(staging, project, {"COUNCIL_KEPT_BUILD": "0"}) is None


def test_images_and_downloads_no_page_names_are_removed(tmp_path: Path) -> None:
    html = tmp_path / "html"
    (html / "_images").mkdir(parents=True)
    (html / "_downloads" / "abc").mkdir(parents=True)
    for name in ("graphviz-new.svg", "graphviz-old.svg", "inner.png"):
        (html / "_images" / name).write_text("<svg/>")
    (html / "_downloads" / "abc" / "資料.pdf").write_bytes(b"%PDF")
    (html / "_downloads" / "abc" / "old.pdf").write_bytes(b"%PDF")
    (html / "cases").mkdir()
    (html / "cases" / "a.html").write_text(
        '<object data="../_images/graphviz-new.svg"></object>'
        '<a href="../_downloads/abc/%E8%B3%87%E6%96%99.pdf">資料</a>', encoding="utf-8")
    (html / "_images" / "graphviz-new.svg").write_text('<svg><image href="inner.png"/><a href="_images/inner.png"/></svg>')
    removed = kept_build.prune_unreferenced(html)
    assert removed == ["_downloads/abc/old.pdf", "_images/graphviz-old.svg"]
    assert sorted(p.name for p in html.rglob("*") if p.is_file()) == ["a.html", "graphviz-new.svg", "inner.png", "資料.pdf"]


def test_not_reused_when_the_extension_installed_elsewhere_changed(staging: Path, project: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A project built with an extension installed outside it (the synthetic corpus of
    ``make bench``): the extension's code is part of the state."""
    package = tmp_path / "site-packages" / "council"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(package.parent))
    monkeypatch.delitem(__import__("sys").modules, "council", raising=False)
    _publish_once(staging, project)
    (package / "__init__.py").write_text("X = 2\n")
    assert not _reused(staging, project)

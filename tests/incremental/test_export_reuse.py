"""An incremental build makes again only the tables of the cases whose data changed.

A case's tables (its matrix and coverage) are made from its page's needs, the
checklist's and clauses' needs, its date, the extension's code and the
project's settings (:func:`council.outputs.exports.dated_export_tables`). When
none of those changed, the files written at the last build are kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import two_case_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return two_case_project(tmp_path)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cases whose tables a build makes for its exports."""
    from council.outputs import exports, forked_exports
    from council.views import traceability

    cases: list[str] = []

    class Spy:
        def __getattr__(self, name: str):
            return getattr(traceability, name)

        def iter_case_tables(self, needs, case_id):
            cases.append(case_id)
            return traceability.iter_case_tables(needs, case_id)

    monkeypatch.setattr(exports, "tr", Spy())
    # made here, where the spy sees them, not in the forked process of a build (council.outputs.forked_exports)
    monkeypatch.setattr(forked_exports, "forks", lambda app: False)
    return cases


def _build(make_app, project: Path, outdir: Path | None = None) -> dict[str, bytes]:
    kwargs = {"builddir": outdir} if outdir is not None else {}
    app = make_app("html", srcdir=project, warningiserror=True, **kwargs)
    app.build()
    exports = Path(app.outdir) / "exports"
    return {p.name: p.read_bytes() for p in sorted(exports.iterdir())}


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_only_the_edited_cases_tables_are_made_again(make_app, project: Path, made: list[str], tmp_path) -> None:
    _build(make_app, project)
    assert sorted(made) == ["CASE_2020_OTHER", "CASE_2020_TEST"]

    made.clear()
    assert _build(make_app, project)  # nothing changed
    assert made == []

    made.clear()
    _edit(project / "cases" / "other.md", "binds: CL_B_13", "binds: CL_B_10")
    after = _build(make_app, project)
    assert made == ["CASE_2020_OTHER"]
    fresh = _build(make_app, project, tmp_path / "fresh")
    assert after == fresh and "case-2020-other-trace.csv" in after


@pytest.mark.parametrize("changed", ["clause page", "settings"])
def test_a_change_every_case_shows_makes_every_case_again(make_app, project: Path, made: list[str],
                                                          changed: str) -> None:
    _build(make_app, project)
    made.clear()
    if changed == "clause page":
        page = next(p for p in sorted((project / "clauses").glob("*.md")) if "乙は" in p.read_text(encoding="utf-8"))
        _edit(page, "乙は", "受託者は")
    else:
        with (project / "ubproject.toml").open("a", encoding="utf-8") as toml:
            toml.write("\n# a comment\n")
    _build(make_app, project)
    assert sorted(made) == ["CASE_2020_OTHER", "CASE_2020_TEST"]


def test_a_deleted_export_is_written_again(make_app, project: Path, made: list[str]) -> None:
    first = _build(make_app, project)
    exports = next(Path(project).parent.rglob("exports/case-2020-test-trace.xlsx")).parent
    (exports / "case-2020-test-trace.xlsx").unlink()
    made.clear()
    assert _build(make_app, project) == first
    assert made == ["CASE_2020_TEST"]
    shutil.rmtree(exports)

"""Helpers shared by the tests: test projects and their warnings."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_escape_sequences

REPO = Path(__file__).resolve().parents[1]
ROOTS = REPO / "tests" / "roots"

#: What every test project shares with the real site unless it brings its own:
#: the configuration, the content model and the standard texts (clauses, checklist).
SHARED = ("conf.py", "ubproject.toml", "clauses", "_static", "_templates")


def copy_project(name: str, dest: Path) -> Path:
    """Copy ``tests/roots/test-<name>`` into *dest*, completed with the shared files."""
    src = dest / name
    shutil.copytree(ROOTS / f"test-{name}", src)
    for shared in SHARED:
        target = src / shared
        if target.exists() or not (REPO / shared).exists():
            continue
        if (REPO / shared).is_dir():
            shutil.copytree(REPO / shared, target)
        else:
            shutil.copy2(REPO / shared, target)
    return src


def warning_lines(app: SphinxTestApp) -> list[str]:
    """The build's warnings, one per line, with the source directory as ``<srcdir>``."""
    text = strip_escape_sequences(app.warning.getvalue())
    text = text.replace(str(app.srcdir), "<srcdir>")
    return [line for line in text.splitlines() if re.match(r"^(<srcdir>|WARNING|ERROR)", line)]


def build_real_site(builddir: Path, **overrides) -> SphinxTestApp:
    """The real project built to HTML into *builddir*, warnings as errors."""
    app = SphinxTestApp("html", srcdir=REPO, builddir=builddir, warningiserror=True,
                        confoverrides=overrides or None)
    try:
        app.build()
    finally:
        app.cleanup()
    return app


def add_other_case(project: Path) -> Path:
    """A second case in a copy of ``site-minimal``: its case with other IDs and title."""
    case = (project / "cases" / "case.md").read_text(encoding="utf-8")
    other = project / "cases" / "other.md"
    other.write_text(case.replace("TEST", "OTHER").replace("テスト案件", "別の案件"), encoding="utf-8")
    return other


def two_case_project(dest: Path) -> Path:
    """A copy of ``site-minimal`` in *dest* with a second case (:func:`add_other_case`)."""
    src = copy_project("site-minimal", dest)
    add_other_case(src)
    return src


def git_commit(project: Path, when: str, message: str) -> str:
    """Commit everything in *project* (made a repository on first use) dated *when*
    (ISO 8601); the commit's time as ``SOURCE_DATE_EPOCH`` would carry it."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.jp", "-c", "commit.gpgsign=false"]
    if not (project / ".git").is_dir():
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "PATH": "/usr/bin:/bin"}
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", message], cwd=project, check=True, env=env)
    return subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=project, capture_output=True, text=True,
                          check=True).stdout.strip()

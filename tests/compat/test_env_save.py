"""The environment pickled by a forked child while the build goes on
(council.compat.sphinx_env_save)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from sphinx.application import ENV_PICKLE_FILENAME
from sphinx.errors import ExtensionError

from council import compat
from council.compat import sphinx_env_save
from helpers import two_case_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return two_case_project(tmp_path)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the builds hand to a child to pickle the environment into."""
    started: list[str] = []
    real = sphinx_env_save._start

    def recording(app, env, target, protocol):
        started.append(target.name)
        real(app, env, target, protocol)

    monkeypatch.setattr(sphinx_env_save, "_start", recording)
    return started


def _saved(app) -> dict:
    """The saved environment's pages (loading it proves it whole)."""
    with open(Path(app.doctreedir, ENV_PICKLE_FILENAME), "rb") as f:
        env = pickle.load(f)
    return env.all_docs


def test_a_child_pickles_the_environment_and_the_next_build_reads_nothing(make_app, project: Path,
                                                                          forks: list[str]) -> None:
    app = make_app("html", srcdir=project, warningiserror=True)
    app.build()
    assert "sphinx-env-save" in compat.installed(app)
    assert forks == [ENV_PICKLE_FILENAME]
    assert {"index", "cases/case", "cases/other"} <= set(_saved(app))
    assert not list(Path(app.doctreedir).glob("*.tmp"))
    # the next build of the same sources finds the environment up to date
    again = make_app("html", srcdir=project, warningiserror=True)
    again.build()
    assert "0 added, 0 changed, 0 removed" in again.status.getvalue()
    assert "pickling environment" not in again.status.getvalue().split("0 added, 0 changed, 0 removed")[1]


def test_the_child_tells_the_starter_once_the_pickle_is_whole(make_app, project: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from council.latex import kept_tex

    seen = tmp_path / "seen-at-the-signal"
    told = kept_tex.environment_saved

    def checking(app):  # runs in the child, which inherits this patch
        seen.write_text(f"{os.getpid()} {len(_saved(app))}", encoding="utf-8")
        told(app)

    monkeypatch.setattr(kept_tex, "environment_saved", checking)
    read_end, write_end = os.pipe()
    monkeypatch.setenv(kept_tex.ENV_SAVED_FD, str(write_end))
    app = make_app("html", srcdir=project, warningiserror=True)
    app.build()
    try:
        os.close(write_end)  # the parent's copy is closed already: EBADF
    except OSError:
        pass
    with os.fdopen(read_end, "rb") as pipe:
        assert pipe.read() == kept_tex.SAVED
    pid, pages = seen.read_text(encoding="utf-8").split()
    assert int(pid) != os.getpid() and int(pages) >= 3
    assert (Path(app.doctreedir) / kept_tex.PENDING_FILE).is_file()


def test_a_child_that_fails_fails_the_build_and_leaves_no_environment(make_app, project: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sphinx_env_save.os, "replace", full)  # in the child: the rename fails
    app = make_app("html", srcdir=project, warningiserror=True)
    with pytest.raises(ExtensionError) as failed:
        app.build()
    assert "council: the environment failed" in str(failed.value)
    assert "No space left on device" in str(failed.value)
    assert not (Path(app.doctreedir) / ENV_PICKLE_FILENAME).exists()
    assert not list(Path(app.doctreedir).glob("*.tmp"))


def test_without_room_for_a_copy_sphinx_pickles_it_itself(make_app, project: Path, forks: list[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from council.outputs import forked_exports

    monkeypatch.setattr(forked_exports, "room_for_a_copy", lambda: False)
    app = make_app("html", srcdir=project, warningiserror=True)
    app.build()
    assert forks == []
    assert {"index", "cases/case", "cases/other"} <= set(_saved(app))

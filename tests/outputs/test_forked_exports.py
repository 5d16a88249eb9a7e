"""The exports are made by a forked process while the pages are written (council.outputs.forked_exports)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sphinx.errors import ExtensionError

from helpers import two_case_project

#: A page the parent writes after the exports' process has started.
LATE_PAGE = "index"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return two_case_project(tmp_path)


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the exports' processes the builds start."""
    from council.outputs import forked_exports

    pids: list[int] = []
    start = forked_exports.start

    def recording(app, make, task="exports"):
        start(app, make, task)
        if task == "exports":
            pids.append(getattr(app, forked_exports._CHILD)[0])

    monkeypatch.setattr(forked_exports, "start", recording)
    return pids


@pytest.fixture
def needs_json_writers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file that lists the pid of each process that writes sphinx-needs' needs.json
    (through compat's streamed writer, which it calls recursively)."""
    from council.compat import sphinx_needs as needs_fixes

    writers = tmp_path / "needs-json-writers"
    write_json_stream = needs_fixes.write_json_stream

    def recording_writer(data, out, depth):
        with writers.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return write_json_stream(data, out, depth)

    monkeypatch.setattr(needs_fixes, "write_json_stream", recording_writer)
    return writers


def _files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _build_failure(make_app, project: Path, **options) -> str:
    """The message of the error that fails a build of *project*."""
    app = make_app("html", srcdir=project, warningiserror=True, **options)
    with pytest.raises(ExtensionError) as failed:
        app.build()
    return str(failed.value)


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_exports_are_written_by_another_process_while_the_pages_are_written(
        make_app, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, children: list[int],
        needs_json_writers: Path) -> None:
    from council.outputs import exports

    marker = tmp_path / "exports-process"
    write_exports = exports.write_exports

    def marking(*args, **kwargs):
        outlines = write_exports(*args, **kwargs)
        marker.write_text(str(os.getpid()))
        return outlines

    monkeypatch.setattr(exports, "write_exports", marking)
    seen: list[bool] = []

    def late_page(app, pagename, templatename, context, doctree):
        # the page waits for the exports: it sees them only if they are made meanwhile
        if pagename == LATE_PAGE:
            deadline = time.monotonic() + 20
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            seen.append(marker.exists())

    app = make_app("html", srcdir=project, warningiserror=True)
    app.connect("html-page-context", late_page)
    app.build()
    assert seen == [True]
    assert int(marker.read_text()) not in {os.getpid(), 0} and [int(marker.read_text())] == children
    assert all(_reaped(pid) for pid in children)
    # by a third process, forked from the exports' one, beside them
    [writer] = set(needs_json_writers.read_text().split())
    assert writer not in {marker.read_text(), str(os.getpid())} and _reaped(int(writer))
    needs_json_writers.unlink()

    # the same files as made in this process
    from council.outputs import forked_exports

    monkeypatch.setattr(forked_exports, "forks", lambda app: False)
    alone = make_app("html", srcdir=project, warningiserror=True, builddir=tmp_path / "alone")
    alone.build()
    assert set(needs_json_writers.read_text().split()) == {str(os.getpid())}  # sphinx-needs' own handler, here
    for name in ("exports", "datapackage.json", "needs.json"):
        forked, here = Path(app.outdir) / name, Path(alone.outdir) / name
        assert (_files(forked) == _files(here)) if forked.is_dir() else forked.read_bytes() == here.read_bytes()
    assert len(children) == 1


def test_a_failure_of_the_exports_fails_the_build_with_its_message(
        make_app, project: Path, monkeypatch: pytest.MonkeyPatch, children: list[int]) -> None:
    from council.outputs import exports

    def failing(*args, **kwargs):
        raise RuntimeError("表を書けません")

    monkeypatch.setattr(exports, "write_exports", failing)
    failure = _build_failure(make_app, project)
    assert "council: the exports failed" in failure
    assert "RuntimeError: 表を書けません" in failure
    assert len(children) == 1 and _reaped(children[0])


def test_a_warning_of_the_exports_process_is_logged_by_the_build(
        make_app, project: Path, monkeypatch: pytest.MonkeyPatch, children: list[int]) -> None:
    from sphinx.util import logging

    from council.outputs import exports

    write_exports = exports.write_exports

    def warning(*args, **kwargs):
        logging.getLogger("council.outputs.exports").warning("列の説明がありません")
        return write_exports(*args, **kwargs)

    monkeypatch.setattr(exports, "write_exports", warning)
    app = make_app("html", srcdir=project)
    app.build()
    assert "列の説明がありません" in app.warning.getvalue()
    assert len(children) == 1 and _reaped(children[0])


def test_a_build_that_fails_first_stops_the_exports_process(
        make_app, project: Path, monkeypatch: pytest.MonkeyPatch, children: list[int]) -> None:
    from council.outputs import exports

    write_exports = exports.write_exports

    def slow(*args, **kwargs):
        time.sleep(60)
        return write_exports(*args, **kwargs)

    monkeypatch.setattr(exports, "write_exports", slow)

    def broken_page(app, pagename, templatename, context, doctree):
        if pagename == LATE_PAGE:
            raise RuntimeError("頁を書けません")

    app = make_app("html", srcdir=project, warningiserror=True)
    app.connect("html-page-context", broken_page)
    started = time.monotonic()
    with pytest.raises(Exception, match="頁を書けません"):
        app.build()
    assert time.monotonic() - started < 30  # not waited for
    assert len(children) == 1 and _reaped(children[0])


def test_without_room_for_a_copy_the_build_makes_its_exports_itself(
        make_app, project: Path, monkeypatch: pytest.MonkeyPatch, children: list[int]) -> None:
    from council.outputs import forked_exports

    assert forked_exports.room_for_a_copy()  # this small build has room, as the other tests rely on
    monkeypatch.setattr(forked_exports, "room_for_a_copy", lambda: False)
    app = make_app("html", srcdir=project, warningiserror=True)
    app.build()
    assert children == []
    assert (Path(app.outdir) / "exports" / "case-2020-other-trace.csv").is_file()


def test_a_needs_json_process_that_dies_fails_the_build_and_its_warnings_reach_it(
        make_app, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, children: list[int]) -> None:
    from council.compat import sphinx_needs as needs_fixes

    write_json_stream = needs_fixes.write_json_stream

    def failing(data, out, depth):
        raise RuntimeError("needs.json を書けません")  # sphinx-needs logs it as a warning

    monkeypatch.setattr(needs_fixes, "write_json_stream", failing)
    app = make_app("html", srcdir=project)
    app.build()
    assert "Error during writing json file: needs.json を書けません" in app.warning.getvalue()
    assert len(children) == 1 and _reaped(children[0])

    here = os.getpid()

    def killed(data, out, depth):
        if os.getpid() != here:  # sphinx-needs' own handler writes it here once the build has failed
            os._exit(9)  # as the kernel's OOM killer would end the process
        return write_json_stream(data, out, depth)

    monkeypatch.setattr(needs_fixes, "write_json_stream", killed)
    failure = _build_failure(make_app, project, builddir=tmp_path / "again")
    assert "council: the exports failed" in failure
    assert "council: the process making the needs json ended without a result" in failure
    assert len(children) == 2 and _reaped(children[1])


def test_without_room_for_a_third_copy_the_exports_process_writes_needs_json_itself(
        make_app, project: Path, monkeypatch: pytest.MonkeyPatch, children: list[int],
        needs_json_writers: Path) -> None:
    from council.outputs import forked_exports

    in_child = []
    room = forked_exports.room_for_a_copy

    def room_here_only() -> bool:  # room for the exports' process, not for a third
        in_child.append(os.getpid() != main)
        return not in_child[-1] and room()

    main = os.getpid()
    monkeypatch.setattr(forked_exports, "room_for_a_copy", room_here_only)
    app = make_app("html", srcdir=project, warningiserror=True)
    app.build()
    assert set(needs_json_writers.read_text().split()) == {str(children[0])}
    assert (Path(app.outdir) / "needs.json").is_file()


def test_the_child_keeps_what_it_inherits_out_of_its_collectors_sight() -> None:
    """The forked child freezes the heap it inherits (the build's, 1.5 GB at N = 1,000):
    its collections scan only what it makes."""
    import gc
    from types import SimpleNamespace

    from council.outputs import forked_exports

    app = SimpleNamespace()
    alive = [[n] for n in range(50_000)]
    frozen_here = gc.get_freeze_count()
    forked_exports.start(app, lambda app: gc.get_freeze_count(), task="freeze check")
    frozen_there = forked_exports.collect(app, task="freeze check")
    assert frozen_there >= frozen_here + len(alive)
    assert gc.get_freeze_count() == frozen_here

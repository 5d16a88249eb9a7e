"""council.html.parallel_build: with -j 2, workers read the pages, then workers
resolve and write them.

The real site is built with two workers and compared with the session's serial
build: file by file, and the environment it saved (what the next, incremental
build starts from); probes record which process read and wrote each page.
"""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Callable, Collection, Mapping
from pathlib import Path, PurePath

import pytest
from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.testing.util import SphinxTestApp

from council.html import parallel_build
from council.outputs import exports
from council.views import history
from helpers import REPO

pytestmark = pytest.mark.site


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".doctrees" not in p.parts}


def _probed_build(builddir: Path, patch: pytest.MonkeyPatch) -> tuple[SphinxTestApp, Build]:
    """The real site built with -j 2 into *builddir* (every page set large enough for
    workers); the (process id, page) of every page resolved (and written) and read; the
    main process's id."""
    log, read_log = builddir / "written.txt", builddir / "read.txt"

    def probe(path: Path) -> Callable[..., None]:
        def record(app: object, doctree: object, docname: str, *rest: object) -> None:
            with path.open("a", encoding="utf-8") as out:
                out.write(f"{os.getpid()} {docname}\n")
        return record

    patch.setattr(parallel_build, "MIN_PARALLEL", 2)
    compare = history.compare
    compared = builddir / "compared.txt"

    def probed_compare(old: object, new: object, roles: object) -> object:
        with compared.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {'(none)' if not old else len(old)}\n")
        return compare(old, new, roles)

    patch.setattr(history, "compare", probed_compare)
    app = SphinxTestApp("html", srcdir=REPO, builddir=builddir, warningiserror=True, parallel=2)
    app.connect("doctree-resolved", probe(log))

    def frozen(app: object, env: object) -> list[str]:
        """What the main process holds out of the collector's sight once the pages are merged."""
        (builddir / "frozen.txt").write_text(str(gc.get_freeze_count()))
        return []

    app.connect("env-updated", frozen)

    def snapshots(name: str) -> Callable[..., list[str]]:
        """The snapshot of every need the release history compares (before or after post-processing)."""
        def record(app: object, *args: object) -> list[str]:
            from council.incremental import all_needs
            from council.model.content_model import model_for
            from council.views.releases import model_names, snapshot

            (builddir / name).write_bytes(pickle.dumps(snapshot(all_needs(app.env), *model_names(model_for(app)))))
            return []
        return record

    app.connect("env-updated", snapshots("snapshot-read.pickle"))
    app.connect("build-finished", snapshots("snapshot-written.pickle"))
    history_of = history._history_of

    def counted_history_of(app: object, needs: object) -> object:
        with (builddir / "history-of.txt").open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} history\n")
        return history_of(app, needs)

    patch.setattr(history, "_history_of", counted_history_of)
    # (app, docname, source): the page's name is second
    app.connect("source-read", lambda app, docname, source: probe(read_log)(app, None, docname))
    try:
        app.build()
    finally:
        app.cleanup()
    return app, (Path(app.outdir), _log(log), _log(read_log), os.getpid())


@pytest.fixture(scope="module")
def parallel_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    patch = pytest.MonkeyPatch()
    try:
        return _probed_build(tmp_path_factory.mktemp("parallel"), patch)[1]
    finally:
        patch.undo()


def _log(path: Path) -> list[tuple[int, str]]:
    return [(int(pid), doc) for pid, doc in (line.split(" ", 1) for line in path.read_text().splitlines())]


Build = tuple[Path, list[tuple[int, str]], list[tuple[int, str]], int]


def test_the_pages_written_by_workers_are_those_of_a_serial_build(
    parallel_site: Build, site_html: Path
) -> None:
    outdir, _, _, _ = parallel_site
    serial, parallel = _files(site_html), _files(outdir)
    assert sorted(parallel) == sorted(serial)
    differing = [name for name in serial if serial[name] != parallel[name]]
    assert differing == []


def test_every_page_is_written_once_by_two_workers_but_the_open_data_page(
    parallel_site: Build,
) -> None:
    _, written, _, main = parallel_site
    pages = [doc for _, doc in written]
    assert len(pages) == len(set(pages)) > 30
    by_process: dict[int, list[str]] = {}
    for pid, doc in written:
        by_process.setdefault(pid, []).append(doc)
    workers = {pid for pid in by_process if pid != main}
    assert len(workers) >= 2
    # the warm-up page, then the page that describes the exports (after the workers)
    assert by_process[main] == [sorted(pages)[0], "docs/open-data"]
    assert sum(len(by_process[pid]) for pid in workers) == len(pages) - 2


def test_every_page_is_read_once_by_two_workers(parallel_site: Build) -> None:
    _, written, read, main = parallel_site
    assert sorted(doc for _, doc in read) == sorted(doc for _, doc in written)
    readers = {pid for pid, _ in read}
    assert len(readers) == 2 and main not in readers
    assert len(read) == len({doc for _, doc in read})


def test_the_kept_history_is_made_by_a_child_while_the_pages_are_read(parallel_site: Build) -> None:
    """The records of releases/ are read and compared in a forked child (the main process
    reads what it wrote); the main process compares only this build's needs with the latest."""
    outdir, _, read, main = parallel_site
    compared = _log(outdir.parent / "compared.txt")
    readers = {pid for pid, _ in read}
    records = sorted(Path(REPO, "releases").glob("*.json"))
    assert records
    in_main = [what for pid, what in compared if pid == main]
    elsewhere = [(pid, what) for pid, what in compared if pid != main]
    assert in_main and "(none)" not in in_main  # only the latest record against this build's needs
    assert len(elsewhere) == len(records) and elsewhere[0][1] == "(none)"  # the first record against nothing
    assert len({pid for pid, _ in elsewhere}) == 1 and not {pid for pid, _ in elsewhere} & readers
    assert "この案件の更新履歴" in (outdir / "cases" / "2025-hogo-inji.html").read_text(encoding="utf-8")


def test_the_history_is_computed_once_from_the_needs_as_read(parallel_site: Build) -> None:
    """The release history the pages show is computed once, after reading: the snapshot of the
    needs as read is that of the needs post-processed (what the next record of council-release keeps)."""
    outdir, _, _, main = parallel_site
    assert _log(outdir.parent / "history-of.txt") == [(main, "history")]
    read = pickle.loads((outdir.parent / "snapshot-read.pickle").read_bytes())
    written = pickle.loads((outdir.parent / "snapshot-written.pickle").read_bytes())
    assert len(read) > 200 and read == written


def test_a_failing_history_child_leaves_the_history_to_the_main_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel_site: Build
) -> None:
    def failing(app: object) -> None:
        raise OSError("no room left")

    monkeypatch.setattr(history, "_make_kept_history", failing)
    _, (outdir, _, _, main) = _probed_build(tmp_path, monkeypatch)
    compared = _log(outdir.parent / "compared.txt")
    assert {pid for pid, _ in compared} == {main}
    assert [what for _, what in compared].count("(none)") == 1  # the first record, here
    assert _files(outdir) == _files(parallel_site[0])


def test_the_merged_environment_is_frozen_without_a_collection(parallel_site: Build) -> None:
    """The main process freezes what the read workers sent as it merges it (council.compat.gc_tuning):
    the collection over the whole merged environment at write-started found nothing to free."""
    outdir, _, _, _ = parallel_site
    assert int((outdir.parent / "frozen.txt").read_text()) > 100_000


#: What differs between two builds of the same pages (when each page was read, where the
#: doctrees are, the page being read last) or is not read from the pages (the settings).
VOLATILE = {"all_docs", "_doctreedir", "current_document", "settings", "config", "project", "_needs_schema"}


def _plain(value: object) -> object:
    """A comparable form of the environment's data: docutils nodes and objects without
    an equality of their own as text, sets sorted,
    sphinx-needs' document lists as sets, and empty containers left out of mappings
    (Sphinx's domains make some lazily, in whichever process first uses them)."""
    if isinstance(value, nodes.Node):
        return value.pformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if not (isinstance(v, Collection) and not v
                                                                and not isinstance(v, str))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_plain(v)) for v in value)
    if isinstance(value, PurePath):
        return str(value)
    if type(value).__eq__ is object.__eq__:  # compared by identity: by its text instead
        return repr(value)
    return value


def test_the_environment_read_by_workers_is_that_of_a_serial_read(parallel_site: Build, site_app) -> None:
    """The next, incremental build starts from this environment: whatever a worker read
    and was not merged back (an extension's data without ``env-merge-info``) is missing."""
    outdir, _, _, _ = parallel_site

    def env_state(doctrees: Path) -> dict[str, object]:
        with (doctrees / "environment.pickle").open("rb") as f:
            env = pickle.load(f)
        state = {k: _plain(v) for k, v in vars(env).items() if k not in VOLATILE}
        # the pages with needs, in the order they were read
        state["_needs_all_docs"] = {k: sorted(v) for k, v in env._needs_all_docs.items()}
        return state

    serial, parallel = env_state(Path(site_app.doctreedir)), env_state(outdir.parent / "doctrees")
    assert sorted(parallel) == sorted(serial)
    assert "_needs_all_needs" in serial and "council_shows_needs" in serial
    assert [k for k in serial if serial[k] != parallel[k]] == []


def test_without_memory_for_the_workers_the_pages_are_written_one_after_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from council.outputs import forked_exports

    monkeypatch.setattr(forked_exports, "copies_that_fit", lambda wanted: 1)
    app, (_, written, _, main) = _probed_build(tmp_path, monkeypatch)
    assert {pid for pid, _ in written} == {main}
    assert "council: the memory available has room for 1 of 2 workers; the pages are written one after the other" \
        in app.status.getvalue()


def test_a_worker_asking_for_the_exports_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel_build, "_worker", True)
    with pytest.raises(ExtensionError, match="a page written by a worker process asked for the exports"):
        exports.exported(object())  # type: ignore[arg-type]

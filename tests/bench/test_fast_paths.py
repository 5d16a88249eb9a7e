"""The build's fast paths give the same site as the slow ones they replace.

:mod:`council.html.render` lays out needs without sphinx-needs' layout
interpreter, and :mod:`council.compat` replaces quadratic or slow functions
of sphinx-needs and tunes the garbage collector.
None may change needs.json or an export, and both renderings of the needs
must carry every need, its text and its links: the real site is built with
and without them and compared. (The HTML differs: the site's renderer makes
semantic markup where sphinx-needs makes a layout table.)
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from council.html import render
from council.compat import gc_tuning, sphinx_needs as needs_fixes
from helpers import REPO


def _build(builddir: Path, **overrides) -> SphinxTestApp:
    app = SphinxTestApp("html", srcdir=REPO, builddir=builddir, warningiserror=True,
                        confoverrides=overrides)
    try:
        app.build()
    finally:
        app.cleanup()
    assert app.statuscode == 0
    return app


def _pages(outdir: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(outdir.rglob("*")):
        if path.suffix in {".html", ".json", ".csv"} and "_static" not in path.parts:
            files[str(path.relative_to(outdir))] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def fast_and_slow(tmp_path_factory: pytest.TempPathFactory):
    rendered = []
    original_render = render._Page.render

    def counting_render(self, node, need):
        rendered.append(need["id"])
        return original_render(self, node, need)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(render._Page, "render", counting_render)
        fast = _build(tmp_path_factory.mktemp("fast"))
    # sphinx-needs as released: its layouts, its back-links, its JSON writer; no gc tuning
    slow = _build(tmp_path_factory.mktemp("slow"), council_fast_needs=False, council_compat=False)
    return Path(fast.outdir), Path(slow.outdir), rendered


def test_the_fast_build_renders_the_needs_itself(fast_and_slow) -> None:
    fast, _, rendered = fast_and_slow
    html = (fast / "cases" / "2025-hogo-inji.html").read_text(encoding="utf-8")
    assert "SG_2025_HOGO_INJI_E1_WO_01" in rendered
    assert 'class="council-need council-need-safeguard council-measure' in html
    assert "needs_grid_simple" not in html
    # every need of the site, once: cases, work items, measures, clauses, checklist, editions
    data = json.loads((fast / "needs.json").read_text(encoding="utf-8"))
    all_ids = set(data["versions"][data["current_version"]]["needs"])
    assert len(all_ids) > 200
    assert sorted(rendered) == sorted(all_ids)


def test_both_renderings_carry_every_need_its_text_and_links(fast_and_slow) -> None:
    fast, slow, _ = fast_and_slow
    fast_files, slow_files = _pages(fast), _pages(slow)
    assert fast_files.keys() == slow_files.keys()
    assert sum(name.endswith(".html") for name in fast_files) > 20
    assert sum(name.endswith(".csv") for name in fast_files) > 15
    exports = [n for n in fast_files if not n.endswith(".html")]
    assert [n for n in exports if fast_files[n] != slow_files[n]] == []
    data = json.loads((fast / "needs.json").read_text(encoding="utf-8"))
    needs = data["versions"][data["current_version"]]["needs"]
    checked = 0
    for need in needs.values():
        page = f"{need['docname']}.html"
        for files in (fast_files, slow_files):
            html = files[page].decode("utf-8")
            assert f'id="{need["id"]}"' in html, (page, need["id"])
            if need["type"] in ("safeguard", "checkitem", "clause"):  # plain text, no markup
                text = (need.get("content") or "")[:30]
                assert text in html, (page, need["id"])
            for name in ("satisfies", "binds", "waives", "terms", "revises"):
                for target in need.get(name) or []:
                    assert f'#{target}"' in html, (page, need["id"], name, target)
        checked += 1
    assert checked == len(needs) > 200


def test_needs_json_is_the_same_with_and_without_the_fast_paths(fast_and_slow) -> None:
    fast, slow, _ = fast_and_slow
    text = (fast / "needs.json").read_bytes()
    assert b'"binds_back": ["SG_' in text  # back-links are there to compare
    assert text == (slow / "needs.json").read_bytes()


def test_a_need_with_a_style_is_left_to_sphinx_needs(tmp_path: Path) -> None:
    app = _build(tmp_path, needs_default_style="council-print")
    html = (Path(app.outdir) / "cases" / "2025-hogo-inji.html").read_text(encoding="utf-8")
    assert "needs_style_council-print" in html
    assert "needs_style_none" not in html


def test_the_environment_is_frozen_while_pages_are_written(tmp_path: Path) -> None:
    frozen: list[int] = []
    thresholds: set[tuple[int, ...]] = set()
    before = gc.get_threshold()
    app = SphinxTestApp("html", srcdir=REPO, builddir=tmp_path, warningiserror=True)
    app.connect("doctree-resolved", lambda *args: (frozen.append(gc.get_freeze_count()),
                                                   thresholds.add(gc.get_threshold())))
    try:
        app.build()
    finally:
        app.cleanup()
    assert frozen and min(frozen) > 100_000
    assert thresholds == {gc_tuning.THRESHOLDS}
    # the build leaves the collector as it found it
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_after_pages_read_by_workers_are_merged_writing_starts_without_a_collection(monkeypatch) -> None:
    """The merged environment is frozen as it is merged; the collection at write-started found
    nothing left to free (N = 1,000: none, in 1.3 s), and is left out; a serial read keeps it."""
    from types import SimpleNamespace

    collections: list[int] = []
    monkeypatch.setattr(gc_tuning.gc, "collect", lambda *args: collections.append(1) or 0)
    app = SimpleNamespace(env=SimpleNamespace())
    try:
        gc_tuning._install()
        gc_tuning._freeze_merged(app)  # env-merge-info
        gc_tuning._freeze(app)  # write-started
        assert collections == []
        gc_tuning._remove()
        gc_tuning._install()  # the next build reads serially
        gc_tuning._freeze(app)
        assert collections == [1]
    finally:
        gc_tuning._remove()


def test_what_is_alive_at_exit_is_frozen_out_of_the_final_collections() -> None:
    """Python's finalisation collects over the whole heap (15 s after a build of 1,000 cases):
    once the workaround was installed, the process's exit freezes what is alive first."""
    import subprocess
    import sys

    script = ("import atexit, gc\n"
              "from council.compat import gc_tuning\n"
              "handlers = atexit._ncallbacks()\n"
              "gc_tuning._install(); gc_tuning._remove(); gc_tuning._install(); gc_tuning._remove()\n"
              "alive = [[i] for i in range(1000)]\n"
              "print(atexit._ncallbacks() - handlers, gc.get_freeze_count())\n"
              "atexit._run_exitfuncs()\n"
              "print(gc.get_freeze_count())\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    registered, frozen_before, frozen_at_exit = map(int, out.split())
    assert registered == 1  # once per process, however many builds
    assert frozen_before == 0  # between builds the collector sees everything
    assert frozen_at_exit > 1000


def test_latex_carries_every_measure_with_and_without_the_fast_renderer(tmp_path: Path) -> None:
    """The site's renderer makes other markup than sphinx-needs' tables, so the
    LaTeX differs; both carry every measure's anchor, text and linked clauses."""
    texts = {}
    for fast in (True, False):
        app = SphinxTestApp("latex", srcdir=REPO, builddir=tmp_path / str(fast), warningiserror=True,
                            confoverrides={"council_fast_needs": fast})
        try:
            app.build()
        finally:
            app.cleanup()
        texts[fast] = {p.name: p.read_text(encoding="utf-8") for p in Path(app.outdir).glob("*.tex")}
    assert len(texts[True]) >= 5  # the book and a document per case
    assert "SG\\_2025\\_HOGO\\_INJI\\_E1\\_WO\\_01" in "".join(texts[True].values())
    assert texts[True].keys() == texts[False].keys()
    book = {fast: "".join(t.values()) for fast, t in texts.items()}
    for fast in (True, False):
        for sid in ("SG_2025_HOGO_INJI_E1_WO_01", "SG_2019_JIRITSU_E2_CS_06"):
            assert sid.replace("_", "\\_") in book[fast]
        assert "国へのデータ送信にあたっては、適正な接続が行われているか定期的に確認させるとともに" in book[fast]


@pytest.mark.parametrize("data", [
    {}, [], "x", 3, None,
    {"b": {"y": [1, {"z": "ä"}], "x": {}}, "a": "\u3042", "c": {"n": {"k": {"m": {"deep": [True]}}}}},
    {"versions": {"1.0": {"needs": {"B": {"id": "B", "links": ["A"]}, "A": {"id": "A", "n": 1.5}}}}},
])
def test_streamed_json_is_the_same_as_json_dump(data, tmp_path: Path) -> None:
    import io

    expected = io.StringIO()
    json.dump(data, expected, sort_keys=True)
    for depth in range(7):
        out = io.StringIO()
        needs_fixes.write_json_stream(data, out, depth)
        assert out.getvalue() == expected.getvalue()


def _collector_state_on_the_environment(monkeypatch, pickle, name: str, log: Path) -> Callable[[], list[tuple[bool, bool]]]:
    """At each ``pickle.<name>`` of Sphinx's environment file (or of the temporary file the
    child that saves it writes: ``council.compat.sphinx_env_save``), whether it ran in this
    process and whether the collector was on; recorded in *log*, where a forked child's
    records arrive too, and read by the function returned."""
    real = getattr(pickle, name)
    here = os.getpid()

    def recording(*args, **kwargs):
        file = args[0] if name == "load" else args[1]
        if Path(str(getattr(file, "name", ""))).name.startswith("environment.pickle"):
            with log.open("a") as out:
                out.write(f"{int(os.getpid() == here)} {int(gc.isenabled())}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(pickle, name, recording)
    return lambda: [(a == "1", b == "1") for a, b in (line.split() for line in
                                                      (log.read_text().splitlines() if log.exists() else []))]


@pytest.mark.parametrize("compat", [True, False])
def test_the_saved_environment_is_loaded_with_the_collector_off(tmp_path: Path, monkeypatch, compat: bool) -> None:
    """An incremental build unpickles the environment (N = 1,000: 194 MB, 8.8 s with the
    collector's default thresholds, 3.4 s without): the collector is off for that call
    only, with the workarounds on, and as it was otherwise; what it loaded is frozen."""
    import pickle

    from helpers import two_case_project

    project = two_case_project(tmp_path)
    dumps = _collector_state_on_the_environment(monkeypatch, pickle, "dump", tmp_path / "dumps")
    app = SphinxTestApp("html", srcdir=project, builddir=tmp_path / "build", warningiserror=True,
                        confoverrides={"council_compat": compat})
    try:
        app.build()
    finally:
        app.cleanup()
    # and saved with the collector off too (with the workarounds, by the child that saves it),
    # and the collector on again here
    assert dumps() == ([(False, False)] if compat else [(True, True)]) and gc.isenabled()
    loads = _collector_state_on_the_environment(monkeypatch, pickle, "load", tmp_path / "loads")
    assert gc.isenabled()
    app = SphinxTestApp("html", srcdir=project, builddir=tmp_path / "build", warningiserror=True,
                        confoverrides={"council_compat": compat})
    try:
        assert gc.isenabled()  # back on once loaded
        # what it loaded is out of the collector's sight until the build ends
        assert (gc.get_freeze_count() > 100_000) if compat else gc.get_freeze_count() == 0
        app.build()
    finally:
        app.cleanup()
    assert loads() == [(True, not compat)]
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_collector_comes_back_when_the_environment_fails_to_load(monkeypatch) -> None:
    from types import SimpleNamespace

    def failing(filename):
        assert not gc.isenabled()
        raise EOFError("a truncated pickle")

    app = SimpleNamespace(_load_existing_env=failing, config=None)
    monkeypatch.setattr("council.config.council_config", lambda app: SimpleNamespace(compat=True))
    gc_tuning.quiet_env_load(app, None)
    with pytest.raises(EOFError):
        app._load_existing_env("environment.pickle")
    assert gc.isenabled()

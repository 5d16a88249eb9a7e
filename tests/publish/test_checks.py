"""The checks of the output run side by side and report as each would alone."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from council_publish import cli as publish
from council_publish.checks import check_output_step
from council_publish.pipeline import BuildFailed


def _record(ctx, name: str) -> None:
    (Path(ctx.staging) / f"{name}.pid").write_text(str(os.getpid()))


def first_check(ctx) -> None:
    _record(ctx, "first")
    print("first: stdout")
    print("first: finding", file=sys.stderr)
    raise BuildFailed("first failed")


def second_check(ctx) -> None:
    _record(ctx, "second")
    print("second: clean")


def third_check(ctx) -> None:
    _record(ctx, "third")
    print("third: finding", file=sys.stderr)
    raise BuildFailed("third failed")


def test_every_check_runs_and_every_failure_is_reported_in_order(tmp_path, capsys):
    ctx = SimpleNamespace(staging=tmp_path)
    with pytest.raises(BuildFailed) as failed:
        check_output_step(ctx, (first_check, second_check, third_check))
    assert str(failed.value) == "first failed。third failed"
    captured = capsys.readouterr()
    assert captured.out == "first: stdout\nsecond: clean\n"
    assert captured.err == "first: finding\nthird: finding\n"
    pids = {int((tmp_path / f"{name}.pid").read_text()) for name in ("first", "second", "third")}
    if (os.cpu_count() or 1) > 1:
        assert os.getpid() not in pids  # each in a forked process
    else:
        assert pids == {os.getpid()}


def test_a_publication_names_a_planted_script_and_a_broken_link_together(tmp_path, capsys):
    """The output scan and the link check both fail one publication, each with its own
    message, and the site published before stays as it was."""
    from helpers import copy_project

    project = copy_project("site-minimal", tmp_path)
    for page in ("docs/accessibility.md", "browse/index.md"):
        (project / page).parent.mkdir(parents=True, exist_ok=True)
        (project / page).write_text("---\norphan: true\n---\n# 代わりの頁\n", encoding="utf-8")
    output = tmp_path / "out" / "site"

    def plant(ctx) -> None:
        for later in ("pdf/case.pdf", "pagefind/pagefind-ui.css", "pagefind/pagefind-ui.js"):
            (ctx.html / later).parent.mkdir(exist_ok=True)
            (ctx.html / later).write_bytes(b"")
        page = ctx.html / "index.html"
        page.write_text(page.read_text(encoding="utf-8").replace(
            "</body>", '<a href="javascript:alert(1)">x</a><a href="gone.html">y</a></body>'), encoding="utf-8")

    with pytest.raises(BuildFailed) as failed:
        publish.build(project, output, [publish.build_html, plant, check_output_step])
    message = str(failed.value)
    assert message.startswith("出力の検査: スクリプトを動かしうる内容があります: index.html:")
    assert message.endswith("。link check: 1 broken internal links or anchors")
    err = capsys.readouterr().err
    assert "council-output-scan: index.html:" in err and "council-linkcheck: index.html:" in err
    assert not output.exists()

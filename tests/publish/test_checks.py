"""The checks of the output run side by side and report as each would alone."""

from __future__ import annotations

import os
import sys
import time
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


# ------------------------------------------------ the search index, made meanwhile
#: A stand-in for Pagefind: waits until a scan has started and the link check has
#: saved its results (or exits 3 after 20 s), says it is running, then writes a
#: bundle whose data file holds a script URL.
FAKE_PAGEFIND = r"""
import json, pathlib, sys, time
staging, bundle, status = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
links = staging.parent / "check-cache" / "link-check.pickle"
deadline = time.monotonic() + 20
while not ((staging / "scanning").exists() and links.exists()):
    if time.monotonic() > deadline:
        sys.exit(3)
    time.sleep(0.02)
(staging / "indexing").write_text("")
if status:
    sys.exit(status)
bundle.mkdir()
(bundle / "pagefind-ui.js").write_text("")
(bundle / "pagefind-entry.json").write_text(json.dumps({"link": "javascript:alert(1)"}))
"""


def _waiting_scan(ctx) -> None:
    """Starts the fake index, then waits for it: passes only while it runs."""
    staging = Path(ctx.staging)
    seen = (ctx.html / "pagefind").exists()
    (staging / "scanning").write_text("")
    for _ in range(1000):
        if (staging / "indexing").exists():
            break
        time.sleep(0.02)
    else:
        raise BuildFailed("the index did not run while the scan ran")
    print(f"scan: saw the index folder: {seen}")


def _other_scan(ctx) -> None:
    print("other scan: clean")
    raise BuildFailed("other scan failed")


@pytest.fixture
def indexed_site(tmp_path, monkeypatch):
    from council_publish import checks, search_index
    from council_publish.pipeline import BuildContext

    (tmp_path / "src").mkdir()
    ctx = BuildContext(source=tmp_path / "src", staging=tmp_path / "versions" / "staging", env=dict(os.environ))
    ctx.html.mkdir(parents=True)
    (ctx.html / "index.html").write_text(
        '<html><body><script src="pagefind/pagefind-ui.js"></script><a href="gone.html">x</a></body></html>',
        encoding="utf-8")
    monkeypatch.setattr(checks, "WHILE_INDEXING", (_waiting_scan, _other_scan))

    def failure(status: int) -> str:
        """The step's failure, with a fake Pagefind that ends with *status*."""
        monkeypatch.setattr(search_index, "pagefind_command", lambda site, bundle: [
            sys.executable, "-c", FAKE_PAGEFIND, str(ctx.staging), bundle, str(status)])
        with pytest.raises(BuildFailed) as failed:
            checks.index_and_check_step(ctx)
        return str(failed.value)

    return ctx, failure


def test_the_index_is_made_while_the_scans_run_and_checked_once_in_place(indexed_site, capsys):
    ctx, failure = indexed_site
    message = failure(0)
    # the scans and the link check ran with the index, which they did not see; its
    # folder was scanned and the link into it checked once it was in place: only
    # gone.html is broken
    assert message == ("other scan failed。"
                       "出力の検査: スクリプトを動かしうる内容があります: pagefind/pagefind-entry.json:"
                       " $.link: 値が javascript: の URL です。link check: 1 broken internal links or anchors")
    captured = capsys.readouterr()
    assert captured.out == "scan: saw the index folder: False\nother scan: clean\n"
    assert captured.err.splitlines() == [
        "council-output-scan: pagefind/pagefind-entry.json: $.link: 値が javascript: の URL です",
        "council-linkcheck: index.html:1: リンク先のファイルがありません: gone.html",
    ]
    assert (ctx.html / "pagefind" / "pagefind-ui.js").is_file()
    assert not (ctx.staging / "search-bundle").exists()


def test_a_failed_index_is_reported_with_the_scans_and_the_links_into_it_are_named(indexed_site, capsys):
    ctx, failure = indexed_site
    assert failure(5) == ("pagefind (search index) failed (exit status 5)。other scan failed。"
                          "検索索引へのリンク（1 件）は、索引ができなかったため検査していません。"
                          "link check: 1 broken internal links or anchors")
    assert capsys.readouterr().out == "scan: saw the index folder: False\nother scan: clean\n"
    assert not (ctx.html / "pagefind").exists()


def test_a_page_in_the_index_folder_is_refused_before_anything_runs(indexed_site, capsys):
    ctx, failure = indexed_site
    (ctx.html / "pagefind").mkdir()
    (ctx.html / "pagefind" / "page.html").write_text("<p>x</p>", encoding="utf-8")
    assert failure(0) == f"検索索引の置き場所 {ctx.html / 'pagefind'} に、ほかのファイルがあります"
    assert capsys.readouterr().out == ""
    assert not (ctx.staging / "scanning").exists()

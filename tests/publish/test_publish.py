"""Atomic, reproducible, verifiable publishing (council-build).

Builds run the real pipeline (``council_publish.cli.build``: sphinx-build in
subprocesses, then the later steps) on a copy of ``test-site-minimal``.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from council_publish import cli as publish
from council_publish.manifest import MANIFEST, manifest_lines
from helpers import copy_project


#: Output of a third-party tool known not to be reproducible (see below).
UNSTABLE_UPSTREAM = ("pagefind/",)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(output: Path) -> list[str]:
    """Hidden files beside the output and in its versions directory, but the
    published versions, the lock file, the kept Sphinx build, the checks' results and
    the PDFs by their LaTeX input (council_publish.kept_build, council_publish.output_cache,
    council_publish.pdf_jobs: the PDF step starts while the HTML build writes its pages,
    so a build that fails there may have compiled some)."""
    versions = output.with_name(f".{output.name}.versions")
    found = [p.name for p in output.parent.iterdir() if p.name.startswith(".") and p != versions]
    found += [p.name for p in versions.iterdir()
              if p.name not in {"lock", "kept", "check-cache", "pdf-cache"} and not re.fullmatch(r"\d{6}", p.name)]
    return sorted(found)


#: Pages that the site's templates link to on every page; the minimal project
#: gets orphan stand-ins so that its published output has no broken link.
TEMPLATE_TARGETS = ("docs/accessibility.md", "browse/index.md")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = copy_project("site-minimal", tmp_path)
    for page in TEMPLATE_TARGETS:
        (src / page).parent.mkdir(parents=True, exist_ok=True)
        (src / page).write_text("---\norphan: true\n---\n# 代わりの頁\n", encoding="utf-8")
    return src


@pytest.fixture
def published(project: Path, tmp_path: Path) -> Path:
    """A first, successful HTML-only publication."""
    output = tmp_path / "out" / "site"
    publish.build(project, output, [publish.build_html])
    return output


def fail_midway(ctx: publish.BuildContext) -> None:
    # The HTML step has already written a complete new site into staging.
    assert (ctx.html / "index.html").is_file()
    raise publish.BuildFailed("injected failure")


def test_failed_step_leaves_previous_site_byte_identical(project, published):
    before = snapshot(published)
    (project / "cases" / "case.md").write_text(
        (project / "cases" / "case.md").read_text(encoding="utf-8").replace("事業内容。", "新しい事業内容。"),
        encoding="utf-8",
    )
    with pytest.raises(publish.BuildFailed, match="injected failure"):
        publish.build(project, published, [publish.build_html, fail_midway])
    assert snapshot(published) == before
    assert leftovers(published) == []


def test_page_with_an_error_leaves_previous_site_byte_identical(project, published, capsys):
    before = snapshot(published)
    case = project / "cases" / "case.md"
    case.write_text(case.read_text(encoding="utf-8").replace("binds: CL_B_13", "binds: CL_B_99"),
                    encoding="utf-8")
    status = publish.main(["--source", str(project), "--output", str(published)])
    assert status == 1
    err = capsys.readouterr().err
    assert err.endswith(f"。公開中のサイト（{published}）は変わっていません\n")
    assert err.count("\n") == 1
    assert snapshot(published) == before
    assert leftovers(published) == []


def test_interrupted_build_leaves_previous_site(project, published):
    before = snapshot(published)

    def interrupt(ctx: publish.BuildContext) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish.build(project, published, [publish.build_html, interrupt])
    assert snapshot(published) == before
    assert leftovers(published) == []


def test_successful_build_replaces_the_site(project, published):
    case = project / "cases" / "case.md"
    case.write_text(case.read_text(encoding="utf-8").replace("事業内容。", "改訂した事業内容。"),
                    encoding="utf-8")
    publish.build(project, published, [publish.build_html])
    assert "改訂した事業内容" in (published / "html" / "cases" / "case.html").read_text(encoding="utf-8")
    assert leftovers(published) == []


def test_checks_and_manifest_are_the_last_steps():
    from council_publish.checks import CHECKS, WHILE_INDEXING, index_and_check_step
    from council_publish.linkcheck import check_links_step
    from council_publish.manifest import write_manifest_step
    from council_publish.output_scan import scan_output_step
    from council_publish.published_privacy import scan_published_step

    from council.outputs.reproducible import normalize_archives_step
    from council_publish.signature import sign_manifest_step

    # the signature covers the manifest, so it comes right after it
    assert publish.STEPS[-4:] == [normalize_archives_step, index_and_check_step, write_manifest_step, sign_manifest_step]
    assert CHECKS == (scan_output_step, scan_published_step, check_links_step)
    assert WHILE_INDEXING == (scan_output_step, scan_published_step)


def test_broken_link_fails_the_publication(project, published):
    before = snapshot(published)

    def break_a_link(ctx: publish.BuildContext) -> None:
        # Stand-ins for what the PDF and search steps would have added.
        for later in ("pdf/case.pdf", "pagefind/pagefind-ui.css", "pagefind/pagefind-ui.js"):
            (ctx.html / later).parent.mkdir(exist_ok=True)
            (ctx.html / later).write_bytes(b"")
        page = ctx.html / "index.html"
        page.write_text(page.read_text(encoding="utf-8").replace("</body>", '<a href="gone.html">x</a></body>'),
                        encoding="utf-8")

    from council_publish.linkcheck import check_links_step

    with pytest.raises(publish.BuildFailed, match="link check: 1 broken"):
        publish.build(project, published, [publish.build_html, break_a_link, check_links_step])
    assert snapshot(published) == before


@pytest.mark.pdf
def test_two_clean_builds_are_byte_identical_and_verifiable(project, tmp_path, monkeypatch):
    """The whole pipeline (HTML, needs.json, exports, PDF, search, manifest), twice."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first, second = tmp_path / "a" / "site", tmp_path / "b" / "site"
    publish.build(project, first)
    publish.build(project, second)
    html1, html2 = first / "html", second / "html"
    files, again = snapshot(html1), snapshot(html2)
    assert {"index.html", "needs.json", MANIFEST} <= set(files)
    assert any(name.endswith(".pdf") for name in files)
    assert any(name.endswith(".xlsx") for name in files)
    # Pagefind's search index orders its filter metadata by a Rust HashMap
    # (Pagefind/pagefind#638: fragments are stable since 1.3, the filter and
    # metadata indexes are not); everything else must be byte-identical.
    def compared(names):
        return {n for n in names if not n.startswith(UNSTABLE_UPSTREAM) and n != MANIFEST}

    assert compared(files) == compared(again)
    differing = sorted(n for n in compared(files) if files[n] != again[n])
    assert differing == []
    assert len(compared(files)) > 20
    # The manifest covers every other file and verifies with sha256sum -c.
    listed = (html1 / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert listed == manifest_lines(html1)
    assert len(listed) == len(files) - 1
    check = subprocess.run(["sha256sum", "-c", "--quiet", MANIFEST], cwd=html1, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    # A tampered PDF is detected.
    pdf = next(html1.rglob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"%")
    check = subprocess.run(["sha256sum", "-c", "--quiet", MANIFEST], cwd=html1, capture_output=True, text=True)
    assert check.returncode != 0
    assert f"{pdf.relative_to(html1).as_posix()}: FAILED" in check.stdout


def test_archives_are_dated_by_the_publication_but_the_exports_by_their_data(tmp_path):
    """council.outputs.exports dates each workbook by its data; any other archive takes
    the publication's date (SOURCE_DATE_EPOCH)."""
    import zipfile
    from types import SimpleNamespace

    from council.outputs.reproducible import normalize_archives_step

    html = tmp_path / "html"
    for rel in ("exports/case-x-trace.xlsx", "_downloads/abc/files.zip"):
        (html / rel).parent.mkdir(parents=True)
        with zipfile.ZipFile(html / rel, "w") as archive:
            archive.writestr(zipfile.ZipInfo("a.txt", date_time=(2024, 4, 1, 3, 0, 0)), "a")
    export = (html / "exports/case-x-trace.xlsx").read_bytes()
    normalize_archives_step(SimpleNamespace(html=html, env={"SOURCE_DATE_EPOCH": "1763596800"}))
    assert (html / "exports/case-x-trace.xlsx").read_bytes() == export
    with zipfile.ZipFile(html / "_downloads/abc/files.zip") as archive:
        assert archive.getinfo("a.txt").date_time == (2025, 11, 20, 0, 0, 0)

"""Imported pages build with warnings as errors (a new edition included)."""

from __future__ import annotations

from conftest import SLUGS, source_text
from helpers import copy_project


def test_imported_pages_build_with_warnings_as_errors(make_app, tmp_path, capsys):
    from council.importer.cli import main

    src = copy_project("site-minimal", tmp_path)
    for name, slug in SLUGS.items():
        path = tmp_path / name
        path.write_text(source_text(name), encoding="utf-8")
        extra = ["--write-edition"] if name.startswith("000") else []
        assert main([str(path), "--slug", f"IMP_{slug}", "--project", str(src), *extra]) == 0, capsys.readouterr().err
    review = src / "review.md"
    review.write_text(
        "# 確認待ち\n\n```{needtable}\n:filter: type == \"safeguard\" and trace == \"提案\"\n:columns: id, title\n```\n",
        encoding="utf-8",
    )
    index = src / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("clauses/index\n", "clauses/index\nreview\n"), encoding="utf-8")
    app = make_app("html", srcdir=src, warningiserror=True)
    app.build()
    html = (app.outdir / "cases" / "2018-imp-fureai.html").read_text(encoding="utf-8")
    assert "確認待ちの対応付け（提案）" in html and "council-proposed" in html
    review_html = (app.outdir / "review.html").read_text(encoding="utf-8")
    assert "SG_2018_IMP_FUREAI_D1_WO_01" in review_html
    assert (app.outdir / "clauses" / "edition-c.html").exists()

"""Imported pages (a new edition included) and the filled-in case template build with -W."""

from __future__ import annotations

import re

from importer_sources import SLUGS, source_text
from helpers import REPO, copy_project

#: Values for the placeholders of the hand-written case template.
TEMPLATE_VALUES = {
    "開始年": "2024",
    "名前": "TEMPLATE",
    "審議機関": "個人情報保護管理運営会議",
    "手続": "付議",
    "根拠規定": "要綱第3条第1項第3号（業務委託）",
    "記述 または チェックリスト": "記述",
    "ED_…": "ED_B",
    "版": "B",
    "YYYY-MM-DD": "2024-04-01",
}


def fill_template(text: str) -> str:
    for key, value in TEMPLATE_VALUES.items():
        text = text.replace(f"<{key}>", value)
    return re.sub(r"<[^<>\n]+>", "テスト", text)


def test_imported_pages_build_with_warnings_as_errors(make_app, tmp_path, capsys):
    from council_import.cli import main

    src = copy_project("site-minimal", tmp_path)
    for name, slug in SLUGS.items():
        path = tmp_path / name
        path.write_text(source_text(name), encoding="utf-8")
        extra = ["--write-edition"] if name.startswith("000") else []
        assert main([str(path), "--slug", f"IMP_{slug}", "--project", str(src), *extra]) == 0, capsys.readouterr().err
    (src / "cases" / "2024-template.md").write_text(
        fill_template((REPO / "_templates" / "new-case.md").read_text(encoding="utf-8")), encoding="utf-8"
    )
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
    assert "SG_2024_TEMPLATE_E1_WO_01" in (app.outdir / "cases" / "2024-template.html").read_text(encoding="utf-8")

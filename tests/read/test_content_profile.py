"""Content is data: the content profile, confined reads and the new rules.

Each ``tests/roots/test-broken-*`` project below differs from the valid
``test-site-minimal`` in one place. The build fails (status 1 under ``-W``)
with exactly the expected lines; for each injection the payload is absent
from what is published and no code ran (the payload would have created a
marker file in the working directory).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import copy_project, warning_lines

GUIDE = "使える書式は作成の手引き「使える書式（コンテンツプロファイル）」にあります"
CASE_PAGE = "案件・条項のページ（cases/・clauses/）"
SITE_PAGE = "このサイトのページ"
PASSWD = "../../../../../../../../../../etc/passwd"
NOT_INSIDE = "はプロジェクトの中の通常のファイルではありません。プロジェクトの中のファイルだけを参照できます"
SCRIPT = "はスクリプトの URL です。http(s) のアドレスかサイト内のページを指定してください"
JS = "javascript:alert('pwned')"
IDX = "<srcdir>/index.md"
CASE = "<srcdir>/cases/case.md"


def refused(where: str, kind: str, name: str, page: str) -> str:
    return f"{where}: WARNING: {kind}「{name}」は{page}では使えません。{GUIDE} [council.profile]"


EXPECTED = {
    "broken-profile-needtable-filter": [
        f"{IDX}:10: WARNING: ディレクティブ「needtable」の :filter: 「__import__('os').system('touch pwned-fi…」"
        "は使えません。フィールド名と文字列・数値の比較（==、!=、in、not in）と and・or・not だけを書けます "
        "[council.profile]",
        f"{IDX}:14: WARNING: ディレクティブ「needtable」に本文は書けません（本文は Python のコードとして実行され"
        f"ます）。{GUIDE} [council.profile]",
    ],
    "broken-profile-substitution": [refused(f"{CASE}:2", "フロントマターのキー", "myst", CASE_PAGE)],
    "broken-profile-html-meta": [refused(f"{IDX}:2", "フロントマターのキー", "html_meta", SITE_PAGE)],
    "broken-profile-yaml-bomb": [
        f"{CASE}:2: WARNING: フロントマターに YAML のアンカー・エイリアス（&・*）は使えません [council.profile]",
    ],
    "broken-profile-include": [refused(f"{CASE}:52", "ディレクティブ", "include", CASE_PAGE)],
    "broken-profile-literalinclude": [
        f"{IDX}:10: WARNING: ディレクティブ「literalinclude」のファイル「{PASSWD}」{NOT_INSIDE} [council.profile]",
    ],
    "broken-profile-download": [
        f"{IDX}:10: WARNING: ロール「download」のファイル「{PASSWD}」{NOT_INSIDE} [council.profile]",
    ],
    "broken-profile-image": [
        f"{IDX}:10: WARNING: ディレクティブ「image」のファイル「{PASSWD}」{NOT_INSIDE} [council.profile]",
        f"{IDX}:13: WARNING: ディレクティブ「image」のリンク先「{JS}」{SCRIPT} [council.profile]",
    ],
    "broken-profile-csv-table": [
        f"{IDX}:10: WARNING: ディレクティブ「csv-table」のファイル「{PASSWD}」{NOT_INSIDE} [council.profile]",
        f"{IDX}:14: WARNING: ディレクティブ「csv-table」のオプション「:url:」は使えません。{GUIDE} [council.profile]",
    ],
    "broken-profile-eval-rst-in-case": [refused(f"{CASE}:52", "ディレクティブ", "eval-rst", CASE_PAGE)],
    "broken-profile-eval-rst-in-docs": [
        refused(f"{IDX}:11", "ディレクティブ", "include", SITE_PAGE),
        refused(f"{IDX}:13", "ディレクティブ", "meta", SITE_PAGE),
        f"{IDX}:16: WARNING: リンク先「{JS}」{SCRIPT} [council.profile]",
    ],
    "broken-profile-button-card": [
        f"{IDX}:10: WARNING: ディレクティブ「button-link」のリンク先「{JS}」{SCRIPT} [council.profile]",
        f"{IDX}:14: WARNING: ディレクティブ「card」のリンク先「{JS}」{SCRIPT} [council.profile]",
    ],
    "broken-profile-graphviz": [
        f"{IDX}:10: WARNING: ディレクティブ「graphviz」のリンク先「{JS}」{SCRIPT} [council.profile]",
    ],
    "broken-profile-needextend": [refused(f"{CASE}:52", "ディレクティブ", "needextend", CASE_PAGE)],
    "broken-profile-needimport": [refused(f"{IDX}:10", "ディレクティブ", "needimport", SITE_PAGE)],
    "broken-profile-dynamic-function": [
        f"{CASE}:38: WARNING: ディレクティブ「safeguard」のオプション「:jinja_content:」は使えません。{GUIDE} "
        "[council.profile]",
        f"{CASE}:38: WARNING: ニーズに動的関数（[[…]]）は書けません。値は原典のとおり文字で書いてください "
        "[council.profile]",
        # The refused safeguard is not created, so its entrustment has none.
        f"{CASE}:21: WARNING: 業務委託 ENT_2020_TEST_1 に情報保護対策 (safeguard) がありません "
        "[council.work_without_safeguard]",
    ],
    "broken-impossible-date": [
        f"{CASE}:21: WARNING: 業務委託 ENT_2020_TEST_1 の開始日 'start' の値 '2025-02-30' は存在しない日付です "
        "[council.impossible_date]",
    ],
    "broken-year-zero-date": [
        f"{CASE}:21: WARNING: 業務委託 ENT_2020_TEST_1 の開始日 'start' の値 '0000-01-01' は存在しない日付です "
        "[council.impossible_date]",
    ],
    "broken-fiscal-year-start": [
        f"{CASE}:3: WARNING: 案件 CASE_2020_TEST の開始年度 (fiscal_year) 2020 が、最も早い業務委託の開始日 "
        "2021-05-01（ENT_2020_TEST_1）の年度 2021 と合いません [council.fiscal_year_mismatch]",
    ],
    "broken-fiscal-year-id": [
        f"{CASE}:38: WARNING: 情報保護対策の ID 'SG_2019_TEST_E1_CO_01' の年 2019 が開始年度 (fiscal_year) "
        "2020（案件 CASE_2020_TEST）と合いません [council.id_year_mismatch]",
    ],
    "broken-checklist-both-marks": [
        f"{CASE}:52: WARNING: ENT_2020_TEST_1 はチェックリスト項目 CHK_CO_04 を対策（○、SG_2020_TEST_E1_CO_01）と"
        "対策不要（－、NA_2020_TEST_E1_CO_02）の両方に示しています。どちらか一方にしてください "
        "[council.checklist_item_contradicted]",
    ],
    "broken-revises-itself": [
        "<srcdir>/cases/terms.md:10: WARNING: 条項 CL_T_01 が自分自身を前の版の条項 (revises) にしています "
        "[council.revises_itself]",
    ],
    "broken-revises-cycle": [
        "<srcdir>/cases/terms.md:10: WARNING: 条項の前の版 (revises) が循環しています"
        "（CL_T_01 → CL_T_02 → CL_T_03 → CL_T_01） [council.revises_cycle]",
    ],
}

#: What must not reach the published site: file contents, script URLs, the
#: effects of rewriting other pages' needs.
PAYLOADS = ("root:x:0:0", "javascript:", "refresh")
MARKERS = ("pwned-filter", "pwned-filter-code", "pwned-jinja", "pwned-dynamic")


def published_files(outdir: Path) -> dict[Path, str]:
    """Every published file made from the pages (not the theme's scripts)."""
    return {
        path: path.read_bytes().decode("utf-8", "replace")
        for path in outdir.rglob("*")
        if path.is_file() and not {".doctrees", "_static", "_sphinx_design_static"} & set(path.parts)
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_project_fails_with_message(build_project, monkeypatch, tmp_path, name):
    monkeypatch.chdir(tmp_path)
    app = build_project(name)
    assert warning_lines(app) == EXPECTED[name]
    assert app.statuscode == 1
    for marker in MARKERS:
        assert not (tmp_path / marker).exists(), f"code ran: {marker}"
    if name.startswith("broken-profile-"):
        for path, text in published_files(Path(app.outdir)).items():
            for payload in PAYLOADS:
                assert payload not in text, f"{payload!r} published in {path}"


def test_needextend_rewrites_no_clause(build_project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = build_project("broken-profile-needextend")
    clause_page = (Path(app.outdir) / "clauses" / "edition-b.html").read_text(encoding="utf-8")
    assert "個人情報を取り扱う従事者の指定" in clause_page
    assert "pwned" not in clause_page
    needs_json = (Path(app.outdir) / "needs.json").read_text(encoding="utf-8")
    assert "pwned" not in needs_json


def test_declarative_filter_still_works(make_app, tmp_path):
    """A needtable with a comparison-only filter, as on the review page, is built."""
    src = copy_project("site-minimal", tmp_path)
    index = src / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8")
        + '\n```{needtable}\n:filter: type == "safeguard" and actor in ["受託者"]\n:columns: id, title\n```\n',
        encoding="utf-8",
    )
    app = make_app("html", srcdir=src, warningiserror=True)
    app.build()
    assert warning_lines(app) == []
    assert app.statuscode == 0
    html = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    assert "SG_2020_TEST_E1_CO_01" in html


# ----------------------------------------------------------- confined reads

CONFINED = {
    "outside": (lambda p: p.symlink_to("/etc/passwd"), "プロジェクトの外を指すシンボリックリンクです"),
    "device": (lambda p: p.symlink_to("/dev/zero"), "プロジェクトの外を指すシンボリックリンクです"),
    "fifo": (lambda p: os.mkfifo(p), "通常のファイルではありません（デバイス・FIFO など）"),
    "dangling": (lambda p: p.symlink_to(p.parent / "nowhere.md"), "リンク先のないシンボリックリンクです"),
    "loop": (lambda p: p.symlink_to(p), "シンボリックリンクが循環しています"),
    "directory": (lambda p: p.mkdir(), "ページの名前のディレクトリです"),
}


@pytest.mark.parametrize("what", sorted(CONFINED))
def test_page_that_is_not_a_file_inside_the_project(make_app, tmp_path, what):
    make, reason = CONFINED[what]
    src = copy_project("site-minimal", tmp_path)
    make(src / "cases" / "x.md")
    app = make_app("html", srcdir=src, warningiserror=True)
    app.build()
    assert warning_lines(app) == [
        f"<srcdir>/cases/x.md:1: WARNING: {reason}。このページは読み込みません。"
        "プロジェクトの中の通常のファイルにしてください [council.confined_read]",
    ]
    assert app.statuscode == 1
    for text in published_files(Path(app.outdir)).values():
        assert "root:x:0:0" not in text


def test_linked_folder_outside_the_project(make_app, tmp_path):
    src = copy_project("site-minimal", tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# 外部\n\n秘密の内容\n", encoding="utf-8")
    (src / "cases" / "linked").symlink_to(outside)
    app = make_app("html", srcdir=src, warningiserror=True)
    app.build()
    assert warning_lines(app) == [
        "<srcdir>/cases/linked:1: WARNING: プロジェクトの外を指すか循環するフォルダのシンボリックリンクです。"
        "このページは読み込みません。プロジェクトの中の通常のファイルにしてください [council.confined_read]",
    ]
    assert all("秘密の内容" not in t for t in published_files(Path(app.outdir)).values())


# ------------------------------------------- through the command line tools

@pytest.mark.parametrize(("name", "marker"), [
    ("broken-profile-needtable-filter", "pwned-filter"),
    ("broken-profile-substitution", "pwned-jinja"),
])
def test_council_build_runs_no_code(tmp_path, name, marker):
    src = copy_project(name, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "council_publish.cli", "--source", str(src), "--output", str(tmp_path / "site")],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "[council.profile]" in output
    assert "Traceback" not in output
    assert not (tmp_path / marker).exists()
    assert not (src / marker).exists()
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------- the author's guide

def test_author_guide_lists_the_profile():
    from council.read.content_profile import guide_table

    guide = (Path(__file__).resolve().parents[2] / "docs" / "author-guide.md").read_text(encoding="utf-8")
    assert guide_table() in guide, (
        "docs/author-guide.md の「使える書式」の表が council.read.content_profile と違います。"
        "python -c 'from council.read.content_profile import guide_table; print(guide_table())' の出力に"
        "置き換えてください"
    )


# ------------------------------------------------- internal notes not published

def test_comments_and_sources_are_not_published(make_app, tmp_path):
    src = copy_project("site-minimal", tmp_path)
    case = src / "cases" / "case.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("# テスト案件\n", "# テスト案件\n\n% 内部メモ: 担当者の確認待ち\n"),
        encoding="utf-8",
    )
    app = make_app("html", srcdir=src, warningiserror=True)
    app.build()
    assert app.statuscode == 0
    out = Path(app.outdir)
    assert not (out / "_sources").exists()
    files = published_files(out)
    assert files
    for path, text in files.items():
        assert "内部メモ" not in text, path
        assert "_sources" not in text, path

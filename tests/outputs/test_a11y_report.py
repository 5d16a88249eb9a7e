"""The accessibility results page: the data file rendered, with the wording it supports."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

from council.directives.a11y_report import conformance_wording, criterion, page_paths, results_nodes

from helpers import REPO


def run(violations=()):
    return {"page": "案件のページ", "path": "cases/a.html", "scheme": "dark", "width": 375,
            "violations": list(violations), "passes": ["html-has-lang"], "incomplete": [],
            "criteria_passed": ["3.1.1"]}


CONTRAST = {"rule": "color-contrast", "impact": "serious", "help": "x", "criteria": ["1.4.3"], "nodes": 3}


def test_automated_results_support_consideration_never_conformance():
    clean = conformance_wording({"runs": [run(), run()]})
    assert clean == (
        "JIS X 8341-3:2016 の適合レベル AA に配慮しています。自動試験は一部の達成基準しか判定できず、"
        "人による試験をすべての達成基準について行っていないため、「準拠」「一部準拠」とは表記しません。"
        "自動試験では 2 回の検査のすべてで問題は見つかりませんでした。"
    )
    failing = conformance_wording({"runs": [run(), run([CONTRAST])]})
    assert failing.endswith("自動試験では 2 回の検査のうち 1 回で問題が見つかっています（下の表）。")
    assert conformance_wording({"runs": []}) == "試験の結果がないため、適合レベルについては表記しません。"


def test_results_table_lists_every_run_and_the_criteria():
    from docutils import nodes

    out = results_nodes({"date": "2026-11-29", "tool": "axe-core 4.12.1", "browser": "Chromium",
                         "rules": ["wcag2a"], "runs": [run(), run([CONTRAST])]})
    text = [n.astext() for n in out]
    table = next(n for n in out if isinstance(n, nodes.table))
    rows = [[e.astext() for e in r.findall(nodes.entry)] for r in table.findall(nodes.row)]
    assert rows[1:] == [
        ["案件のページ", "cases/a.html", "暗い配色", "375px", "問題なし", "0"],
        ["案件のページ", "cases/a.html", "暗い配色", "375px", "color-contrast（重大、3箇所）", "0"],
    ]
    assert "自動試験で判定した達成基準（1件）: 3.1.1" in text
    assert "問題が見つかった達成基準: 1.4.3" in text


def test_criterion_tags():
    assert [criterion(t) for t in ("wcag143", "wcag1410", "wcag2aa", "best-practice")] == ["1.4.3", "1.4.10", None, None]


def test_every_page_type_is_found_in_a_site(tmp_path):
    for name in ("index.html", "cases/2018-a.html", "cases/index.html", "search.html", "404.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    assert page_paths(tmp_path) == [
        ("トップページ", "index.html"), ("案件のページ", "cases/2018-a.html"), ("検索", "search.html?q=再委託"),
        ("ページが見つからないとき（404）", "404.html"),
    ]


def test_committed_results_cover_every_page_type_in_both_schemes_and_widths(site):
    report = json.loads((REPO / "docs" / "accessibility-results.json").read_text(encoding="utf-8"))
    combos = {(r["page"], r["scheme"], r["width"]) for r in report["runs"]}
    pages = {r["page"] for r in report["runs"]}
    assert combos == {(p, s, w) for p in pages for s in ("light", "dark") for w in (375, 1280)}
    assert len(pages) >= 8
    page = BeautifulSoup((site / "docs" / "accessibility.html").read_text(encoding="utf-8"), "html.parser")
    table = page.select_one("table.council-a11y-results")
    assert len(table.select("tbody tr")) == len(report["runs"])
    assert conformance_wording(report) in page.get_text()

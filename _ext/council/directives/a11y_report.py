"""Accessibility test results: run axe-core over every page type, write a data file.

``council-a11y-report SITE_DIR`` serves a built site on 127.0.0.1, opens one
page of each type in Debian's Chromium (Playwright, no downloaded browser) in
the light and the dark colour scheme at 375 and 1280 pixels, runs axe-core
(the copy shipped by axe-playwright-python) with the WCAG 2.0/2.1 A and AA
rules, and writes ``docs/accessibility-results.json``: date, tool, every run
(page, scheme, width, violations, rules passed, rules needing a human), and
the WCAG success criteria (達成基準) the rules cover. The directive
``council-a11y-results`` renders that file on the accessibility page, with
the conformance wording the results support (:func:`conformance_wording`).

The browser tests check the same pages pass; this command keeps the evidence.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

RESULTS = Path("docs") / "accessibility-results.json"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = ("light", "dark")
WIDTHS = (375, 1280)
SCHEME_LABELS = {"light": "明るい配色", "dark": "暗い配色"}
IMPACT_LABELS = {"critical": "致命的", "serious": "重大", "moderate": "中程度", "minor": "軽微"}

#: One page of each type a reader meets: (label, glob below the site, query).
PAGE_TYPES: tuple[tuple[str, str, str], ...] = (
    ("トップページ", "index.html", ""),
    ("案件のページ", "cases/[0-9]*.html", ""),
    ("案件の一覧", "browse/department.html", ""),
    ("特記事項の版", "clauses/edition-*.html", ""),
    ("チェックリスト", "clauses/checklist.html", ""),
    ("横断表", "traceability/clause-case.html", ""),
    ("検索", "search.html", "?q=再委託"),
    ("ご利用の手引き", "docs/accessibility.html", ""),
    ("更新履歴", "docs/history.html", ""),
    ("ページが見つからないとき（404）", "404.html", ""),
)


def page_paths(site: Path) -> list[tuple[str, str]]:
    """(label, path?query) of the first page of each type the site has."""
    found = []
    for label, pattern, query in PAGE_TYPES:
        matches = sorted(site.glob(pattern))
        if matches:
            found.append((label, matches[0].relative_to(site).as_posix() + query))
    return found


def criterion(tag: str) -> str | None:
    """``wcag143`` → ``1.4.3``; other tags → None."""
    match = re.fullmatch(r"wcag(\d)(\d)(\d+)", tag)
    return ".".join(match.groups()) if match else None


def _criteria(rules: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({c for rule in rules for c in map(criterion, rule.get("tags", [])) if c},
                  key=lambda c: tuple(map(int, c.split("."))))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def run_axe_everywhere(site: Path) -> dict[str, Any]:
    from axe_playwright_python import __file__ as axe_pkg
    from playwright.sync_api import sync_playwright

    axe_source = (Path(axe_pkg).parent / "axe.min.js").read_text(encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    runs = []
    tool = "axe-core"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                for label, path in page_paths(site):
                    for scheme in SCHEMES:
                        for width in WIDTHS:
                            context = browser.new_context(locale="ja-JP", color_scheme=scheme,
                                                          viewport={"width": width, "height": 900})
                            page = context.new_page()
                            page.goto(base + path)
                            if path.startswith("search.html"):
                                page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
                            page.add_script_tag(content=axe_source)
                            result = page.evaluate(
                                "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                                AXE_TAGS,
                            )
                            tool = f"axe-core {result['testEngine']['version']}"
                            runs.append({
                                "page": label, "path": path, "scheme": scheme, "width": width,
                                "violations": [
                                    {"rule": v["id"], "impact": v.get("impact") or "", "help": v["help"],
                                     "criteria": _criteria([v]), "nodes": len(v["nodes"])}
                                    for v in result["violations"]
                                ],
                                "passes": sorted(r["id"] for r in result["passes"]),
                                "incomplete": sorted(r["id"] for r in result["incomplete"]),
                                "criteria_passed": _criteria(result["passes"]),
                            })
                            context.close()
                browser_version = browser.version
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {
        "date": dt.date.today().isoformat(),
        "tool": tool,
        "browser": f"Chromium {browser_version}",
        "rules": AXE_TAGS,
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="council-a11y-report", description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="built HTML site (with its Pagefind index)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"data file (default {RESULTS})")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"council-a11y-report: {args.site}/index.html not found", file=sys.stderr)
        return 2
    report = run_axe_everywhere(args.site)
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    failing = sum(1 for run in report["runs"] if run["violations"])
    print(f"council-a11y-report: {len(report['runs'])} runs, {failing} with violations → {args.output}")
    return 0


# ------------------------------------------------------------ the page


def conformance_wording(report: Mapping[str, Any]) -> str:
    """The claim the results support, in the terms of JIS X 8341-3:2016.

    準拠 (and 一部準拠) need every success criterion of the level tested,
    including the ones only a person can judge; automated rules cover part of
    them. So automated results alone support 配慮 at most.
    """
    runs = report.get("runs", [])
    if not runs:
        return "試験の結果がないため、適合レベルについては表記しません。"
    failing = [r for r in runs if r["violations"]]
    base = ("JIS X 8341-3:2016 の適合レベル AA に配慮しています。自動試験は一部の達成基準しか判定できず、"
            "人による試験をすべての達成基準について行っていないため、「準拠」「一部準拠」とは表記しません。")
    if failing:
        return base + f"自動試験では {len(runs)} 回の検査のうち {len(failing)} 回で問題が見つかっています（下の表）。"
    return base + f"自動試験では {len(runs)} 回の検査のすべてで問題は見つかりませんでした。"


def _table(headers: list[str], rows: list[list[str]]) -> nodes.table:
    table = nodes.table(classes=["council-a11y-results"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for _ in headers:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for h in headers:
        row += nodes.entry("", nodes.paragraph("", h))
    head += row
    body = nodes.tbody()
    group += body
    for values in rows:
        row = nodes.row()
        for v in values:
            row += nodes.entry("", nodes.paragraph("", v))
        body += row
    return table


def results_nodes(report: Mapping[str, Any]) -> list[nodes.Node]:
    runs = report.get("runs", [])
    out: list[nodes.Node] = [
        nodes.paragraph("", conformance_wording(report)),
    ]
    if not runs:
        return out
    out.append(nodes.paragraph(
        "", f"試験日: {report['date']}　ツール: {report['tool']}（{report.get('browser', '')}）　"
            f"規則: WCAG 2.0・2.1 のレベル A・AA（{', '.join(report.get('rules', []))}）"))
    rows = []
    for run in runs:
        if run["violations"]:
            result = "、".join(f"{v['rule']}（{IMPACT_LABELS.get(v['impact'], v['impact'])}、{v['nodes']}箇所）"
                              for v in run["violations"])
        else:
            result = "問題なし"
        rows.append([run["page"], run["path"], SCHEME_LABELS.get(run["scheme"], run["scheme"]),
                     f"{run['width']}px", result, str(len(run["incomplete"]))])
    out.append(_table(["ページ", "ファイル", "配色", "画面の幅", "結果", "要確認の規則数"], rows))
    passed = sorted({c for r in runs for c in r["criteria_passed"]}, key=lambda c: tuple(map(int, c.split("."))))
    failed = sorted({c for r in runs for v in r["violations"] for c in v["criteria"]},
                    key=lambda c: tuple(map(int, c.split("."))))
    out.append(nodes.paragraph(
        "", f"自動試験で判定した達成基準（{len(passed)}件）: {'、'.join(passed) or 'なし'}"))
    if failed:
        out.append(nodes.paragraph("", f"問題が見つかった達成基準: {'、'.join(failed)}"))
    out.append(nodes.paragraph(
        "", "「要確認の規則数」は、axe-core が自動では判定できず人による確認が必要とした規則の数です。"))
    return out


class A11yResultsDirective(SphinxDirective):
    option_spec = {"file": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        rel = self.options.get("file", RESULTS.name)
        path = Path(self.env.doc2path(self.env.docname)).parent / rel
        self.env.note_dependency(str(path))
        if not path.is_file():
            return [nodes.paragraph("", "試験の結果はまだ記録されていません。")]
        return results_nodes(json.loads(path.read_text(encoding="utf-8")))


def setup_a11y_report(app: Sphinx) -> None:
    app.add_directive("council-a11y-results", A11yResultsDirective)


if __name__ == "__main__":
    sys.exit(main())

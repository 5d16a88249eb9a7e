"""The relying cases under each clause and checklist item stay bounded as the site grows.

A clause page lists every clause of an edition and the checklist page every
item; listing every relying case with its measures made those pages grow with
the whole site (at 1,000 synthetic cases the checklist page was 74 MB). The
newest cases are listed with their measures, the other years by count, and the
reader is pointed to the cross-case table that lists them all.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from council.views.cross_case import RELYING_SHOWN
from council_bench.synthetic import generate
from helpers import REPO

N = RELYING_SHOWN + 12


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, make_app) -> Path:
    src = generate(tmp_path_factory.mktemp("relying") / "src", N)
    shutil.copytree(REPO / "traceability", src / "traceability")
    index = src / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace(
        ":caption: 目次\n", ":caption: 目次\n\ntraceability/index\n", 1), encoding="utf-8")
    app = make_app("html", srcdir=src)
    app.build()
    assert app.statuscode == 0, app.warning.getvalue()[-2000:]
    return Path(app.outdir)


@pytest.fixture(scope="module")
def make_app():
    from sphinx.testing.util import SphinxTestApp

    apps = []

    def make(builder: str, srcdir: Path) -> SphinxTestApp:
        app = SphinxTestApp(builder, srcdir=srcdir)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.cleanup()


def _blocks(page: Path) -> list:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("details.council-relying")


def test_a_checklist_item_lists_the_newest_cases_and_counts_the_rest(site: Path) -> None:
    blocks = _blocks(site / "clauses" / "checklist.html")
    crowded = [b for b in blocks if int(re.search(r"（(\d+)件）", b.summary.get_text()).group(1)) > RELYING_SHOWN]
    assert crowded, "some item must be relied on by more cases than are listed"
    for block in crowded:
        total = int(re.search(r"（(\d+)件）", block.summary.get_text()).group(1))
        listed = block.select("ul.council-case-list > li")
        assert len(listed) == RELYING_SHOWN
        years = [int(m.group(1)) for p in block.select("p.council-relying-year")
                 for m in [re.search(r"（(\d+)件）", p.get_text())]]
        assert sum(years) == total  # every year is counted, listed or not
        rest = block.select_one("p.council-relying-rest")
        assert rest.get_text() == (
            f"ほかの {total - RELYING_SHOWN} 件は、年度ごとの件数だけを示しています。"
            "すべての案件は「チェックリスト項目 × 案件」の表とダウンロード（CSV・XLSX）にあります。")
        assert rest.a["href"] == "../traceability/checkitem-case.html"


def test_every_block_lists_at_most_the_newest_cases(site: Path) -> None:
    for page in sorted((site / "clauses").glob("*.html")):
        for block in _blocks(page):
            assert len(block.select("ul.council-case-list > li")) <= RELYING_SHOWN, page.name


def test_the_incoming_measures_of_a_crowded_item_are_counted_not_listed(site: Path) -> None:
    soup = BeautifulSoup((site / "clauses" / "checklist.html").read_text(encoding="utf-8"), "html.parser")
    for need in soup.select("div.council-need-checkitem"):
        for links in need.select("ul.council-need-links"):
            assert len(links.select("li")) <= RELYING_SHOWN
    notes = [p.get_text() for p in soup.select("p.council-links-label") if "この下" in p.get_text()]
    assert notes and all(re.fullmatch(r"対応する情報保護対策（\d+件）: 案件ごとの一覧はこの下にあります。", n)
                         for n in notes)

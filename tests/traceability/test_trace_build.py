"""The traceability directives in small projects: errors, and incremental rebuilds."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

from bs4 import BeautifulSoup

from helpers import copy_project, warning_lines

CROSS_PAGE = """# 横断

```{trace-matrix} checkitem-summary
```

```{trace-matrix} clause-summary
```
"""

CASE_TRACE = "\n## トレーサビリティ\n\n```{case-trace} CASE_2020_TEST\n```\n"


def test_unknown_case_warning_text(make_app, tmp_path):
    src = copy_project("broken-trace-unknown", tmp_path)
    app = make_app("html", srcdir=src)
    app.build()
    assert [line for line in warning_lines(app) if "trace_unknown" in line] == [
        "<srcdir>/cases/case.md:54: WARNING: case-trace: ID 'CASE_2099_NONE' のニーズがありません "
        "[council.trace_unknown]",
    ]


def _rows(outdir: Path, name: str) -> dict[str, list[str]]:
    text = (outdir / "exports" / f"{name}.csv").read_text(encoding="utf-8-sig")
    return {row[0]: row for row in csv.reader(text.splitlines())}


def _summary(soup: BeautifulSoup, name: str, header: str) -> dict[str, str]:
    """need ID of each row of a summary table on a page -> the text of one column."""
    table = soup.find("table", id=f"council-{name}")
    headers = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    column = headers.index(header)
    for label in table.find_all(class_="council-cell-label"):
        label.extract()
    result = {}
    for row in table.find("tbody").find_all("tr"):
        cells = row.find_all(["th", "td"], recursive=False)
        result[cells[0].find("a")["href"].rsplit("#", 1)[-1]] = cells[column].get_text(strip=True)
    return result


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    future = time.time() + 5  # newer than the first build on coarse clocks
    os.utime(path, (future, future))


def test_editing_a_case_changes_the_matrices_on_the_next_build(make_app, tmp_path):
    src = copy_project("site-minimal", tmp_path)
    (src / "cross.md").write_text(CROSS_PAGE, encoding="utf-8")
    with (src / "cases" / "case.md").open("a", encoding="utf-8") as handle:
        handle.write(CASE_TRACE)
    index = src / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("clauses/index\n", "clauses/index\ncross\n"),
                     encoding="utf-8")

    app = make_app("html", srcdir=src, warningiserror=True)
    app.build()
    outdir = Path(app.outdir)
    assert _rows(outdir, "checkitem-case")["CHK_CO_04"][5] == "対策あり"
    assert _rows(outdir, "checkitem-case")["CHK_CO_05"][5] == "未対応"
    assert _rows(outdir, "clause-case")["CL_B_13"][4:] == ["SG_2020_TEST_E1_CO_01", "1"]
    cross_html = outdir / "cross.html"
    first = BeautifulSoup(cross_html.read_text(encoding="utf-8"), "html.parser")
    counts = _summary(first, "checkitem-summary", "対策ありの案件数")
    assert (counts["CHK_CO_04"], counts["CHK_CO_05"]) == ("1", "0")

    _edit(src / "cases" / "case.md", "satisfies: CHK_CO_04\nbinds: CL_B_13",
          "satisfies: CHK_CO_05\nbinds: CL_B_10")
    again = make_app("html", srcdir=src, warningiserror=True)
    again.build()
    assert again.outdir == app.outdir

    checkitems = _rows(outdir, "checkitem-case")
    assert (checkitems["CHK_CO_04"][5], checkitems["CHK_CO_05"][5]) == ("未対応", "対策あり")
    clauses = _rows(outdir, "clause-case")
    assert clauses["CL_B_13"][4:] == ["", "0"]
    assert clauses["CL_B_10"][4:] == ["SG_2020_TEST_E1_CO_01", "1"]
    assert _rows(outdir, "case-2020-test-trace")["SG_2020_TEST_E1_CO_01"][6] == "CHK_CO_05"
    # The cross-case page was not edited, yet it is rewritten with the new state.
    second = BeautifulSoup(cross_html.read_text(encoding="utf-8"), "html.parser")
    counts = _summary(second, "checkitem-summary", "対策ありの案件数")
    assert (counts["CHK_CO_04"], counts["CHK_CO_05"]) == ("0", "1")
    assert _summary(second, "clause-summary", "依拠する案件数")["CL_B_10"] == "1"


def test_year_strip_adds_up_the_years_before_the_last_few():
    from council.resolve.view_nodes import STRIP_YEARS, ViewNodes

    renderer = ViewNodes.__new__(ViewNodes)
    years = [f"{y}年度" for y in range(2010, 2010 + STRIP_YEARS + 3)]
    (strip,) = renderer.strip(list(range(1, len(years) + 1)), years)
    blocks = [(y.children[0].astext(), y.children[-1].astext()) for y in strip.children if y.children]
    # 2010..2013 added up (1+2+3+4) in one block; the last five years one by one.
    assert blocks[0] == ("〜2013", "10")
    assert [b[0] for b in blocks[1:]] == [str(y) for y in range(2014, 2019)]
    assert len(blocks) == STRIP_YEARS
    # The largest count (the added-up block) has the highest bar; an empty year none.
    assert "council-level-5" in strip.children[0]["classes"]
    (empty,) = renderer.strip([0, 3], ["2020年度", "2021年度"])
    assert [y["classes"][-1] for y in empty.children if y.children] == ["council-level-0", "council-level-5"]

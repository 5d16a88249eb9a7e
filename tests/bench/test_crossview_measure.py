"""The measurement of the cross-case pages (its pure parts; the command itself takes minutes)."""

from __future__ import annotations

from council_bench import crossview_measure as cm


def test_text_length_counts_only_what_a_closed_page_shows(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><nav>目次目次</nav><article><h1>表 題</h1>"
        "<details><summary>案件（2件）</summary><ul><li>隠れた案件名</li></ul></details>"
        "</article></body></html>", encoding="utf-8")
    assert cm.text_length(page) == len("表題案件（2件）")


def test_synthetic_site_carries_the_cross_case_pages(tmp_path):
    project = cm.synthetic_site(tmp_path / "synth", 2)
    assert {p.name for p in (project / "traceability").iterdir()} >= {"clause-case.md", "compare.md"}
    index = (project / "index.md").read_text(encoding="utf-8")
    assert "clauses/index\ntraceability/index\n```" in index
    assert len(list((project / "cases").glob("*.md"))) == 3  # two cases and their index


def test_report_gives_each_ratio():
    real = {p: {"text": 100, "h375": 1000} for p in cm.PAGES}
    synth = {p: {"text": 150, "h375": 2500} for p in cm.PAGES}
    lines = cm.report(real, synth, 300).splitlines()
    assert lines[2] == "| traceability/index | 100 / 150 / 1.50 | 1,000 / 2,500 / 2.50 |"

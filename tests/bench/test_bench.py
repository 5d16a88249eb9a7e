"""``make bench`` runs end to end and prints every figure (on a tiny corpus)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from council_bench import bench


def test_bench_prints_a_row_of_figures(tmp_path: Path, capsys) -> None:
    assert bench.main(["-n", "2", "--workdir", str(tmp_path), "--no-pdf"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("| N |"))
    row = next(line for line in lines if line.startswith("| 2 |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    values = dict(zip(columns, (c.strip() for c in row.strip("|").split("|"))))
    assert {"full", "incremental", "plain", "ratio", "peak", "output", "search index"} <= set(values)
    assert int(values["needs"]) > 100  # two cases of about forty measures per work item
    for name in ("full", "incremental", "plain", "sphinx-needs", "case check", "case again"):
        assert re.fullmatch(r"\d+\.\d s", values[name]), (name, values[name])
    assert re.fullmatch(r"\d+\.\d\dx", values["ratio"])
    assert re.fullmatch(r"\d+\.\d\dx", values["needs ratio"])
    assert re.fullmatch(r"\d+\.\d\dx", values["needs CPU ratio"])
    # sphinx-needs' own rendering was built into its own output, from the same corpus
    own = (tmp_path / "n2" / "needs-html" / "needs.json").read_text(encoding="utf-8")
    assert own.count('"type": "safeguard"') == (tmp_path / "n2" / "html" / "needs.json").read_text(
        encoding="utf-8").count('"type": "safeguard"') > 0
    # the case check built the edited case alone
    checked = [p for p in (tmp_path / "n2" / "src" / "_build" / "case").glob("*/html/cases/*.html")
               if p.name != "index.html"]
    assert len(checked) == 1
    assert re.fullmatch(r"\d+ MB", values["peak"])
    assert re.fullmatch(r"\d+\.\d MB in \d+\.\d s", values["search index"])
    assert (tmp_path / "n2" / "html" / "pagefind" / "pagefind-ui.js").is_file()
    assert "PDF: not measured (--no-pdf)" in lines


def test_the_pdf_steps_output_goes_to_a_log_file(tmp_path: Path, capfd) -> None:
    log = tmp_path / "pdf-build.log"
    with bench._output_to(log):
        subprocess.run([sys.executable, "-c", "import sys; print('latexmk says'); print('and warns', file=sys.stderr)"],
                       check=True)
    print("after")
    out = capfd.readouterr()
    assert out.out == "after\n" and out.err == ""
    assert log.read_text().splitlines() == ["latexmk says", "and warns"]


def test_a_baseline_over_its_time_limit_is_reported_not_fatal(tmp_path: Path, capsys) -> None:
    assert bench.main(["-n", "1", "--workdir", str(tmp_path), "--no-pdf", "--plain-timeout", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "over 0 s (stopped)" in out or "over 1 s (stopped)" in out
    assert re.search(r"\| under \d+\.\d\dx \|", out)

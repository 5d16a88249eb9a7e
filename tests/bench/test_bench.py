"""``make bench`` runs end to end and prints every figure (on a tiny corpus)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from council_bench import bench, pdf_bench, synthetic


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
    # the stopped build's workers (sphinx-build -j) are stopped with it
    left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline(p).count(str(tmp_path))]
    assert left == []


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _fake_pdf_step(ctx) -> None:
    """Stands in for ``build_pdf``: what it leaves in staging, and LaTeX's chatter."""
    # as in council-build, after the HTML step: every page's environment is there
    assert (ctx.doctrees / "environment.pickle").is_file()
    latex = ctx.staging / "latex"
    latex.mkdir()
    cached = Path(ctx.env["COUNCIL_PDF_CACHE"]) / "seen"
    first = not cached.exists()
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.touch()
    names = ["case-a", "case-b", "volume"]
    for name in names:
        (latex / f"{name}.tex").write_text("tex")
        (latex / f"{name}.pdf").write_bytes(b"%PDF" + b"x" * 996)
        (latex / f"{name}.log").write_text(f"LaTeX log of {name}")
    # the volume is joined from the case PDFs; after the edit only case-b is compiled
    how = {"case-a": "compiled" if first else "cached", "case-b": "compiled", "volume": "joined",
           "volume-front": "compiled" if first else "cached"}
    (latex / "pdf-jobs.txt").write_text("".join(f"{n}\t{how[n]}\t1.0\n" for n in how))
    (latex / "volume-front.pdf").write_bytes(b"%PDF front matter")
    subprocess.run([sys.executable, "-c", "print('latexmk output')"], check=True)


def test_pdf_figures_for_a_first_build_and_after_one_edit_with_logs_in_files(
        tmp_path: Path, monkeypatch, capfd) -> None:
    from council_publish import cli as publish

    monkeypatch.setattr(publish, "build_pdf", _fake_pdf_step)
    src = tmp_path / "src"
    synthetic.generate(src, 3)
    report = pdf_bench.pdf_time(src, tmp_path, timeout=600)
    out = capfd.readouterr()
    assert "latexmk output" not in out.out + out.err
    assert "latexmk output" in (tmp_path / "pdf-build.log").read_text()
    first, extrapolated, logs = report.splitlines()
    # the volume's front matter is not one of the published PDFs
    assert re.search(r"N=3\): first build: \d+\.\d s \(CPU \d+\.\d s; 3 PDFs, 3 compiled, 1 joined, 0\.0 MB\); "
                     r"re-publish after one edit: \d+\.\d s \(CPU \d+\.\d s; 3 PDFs, 1 compiled, 1 joined", first), first
    assert extrapolated.startswith("EXTRAPOLATED, not measured: a first PDF build at N=1000")
    # each run's LaTeX logs stay in files of their own
    for run in ("pdf-first", "pdf-after-edit"):
        assert (tmp_path / run / "latex" / "volume.log").read_text() == "LaTeX log of volume"
        assert str(tmp_path / run / "latex") in logs
    # the second run measured an edited corpus
    assert any("（改訂）" in p.read_text(encoding="utf-8") for p in (src / "cases").glob("*.md"))


def test_pdf_extrapolation_scales_the_cpu_time_per_case() -> None:
    # 100 cases in 26 fiscal years: the front matter's CPU (a fifth of the jobs' time)
    # grows with the volumes, the rest with the cases
    run = pdf_bench.PdfRun("first build", seconds=100.0, cpu_seconds=200.0, pdfs=127, compiled=127, size=0,
                       joined=26, case_seconds=80.0, front_seconds=20.0, job_seconds=100.0)
    text = pdf_bench.extrapolate_pdf(run, 100, 1000)
    assert ("1640 s of CPU (1.60 s per case and 1.5 s per volume's front matter, measured at N=100; "
            "26 volumes)") in text, text
    assert text.startswith("EXTRAPOLATED")


def test_publish_steps_times_each_step_and_the_whole(tmp_path: Path) -> None:
    from council_bench import publish_steps

    source = tmp_path / "project"
    source.mkdir()
    (source / "conf.py").write_text("")

    def build_html(ctx) -> None:
        ctx.html.mkdir(parents=True)
        (ctx.html / "index.html").write_text("<p>x</p>")
        sum(i * i for i in range(300_000))  # some CPU time

    def write_manifest_step(ctx) -> None:
        subprocess.run([sys.executable, "-c", "print('manifest written')"], check=True)

    record = publish_steps.publish(source, tmp_path / "out" / "site", [build_html, write_manifest_step],
                                   tmp_path / "publish.log")
    assert [r.name for r in record] == ["build_html", "write_manifest_step", "total"]
    assert record[0].cpu_seconds > 0 and record[-1].seconds >= record[0].seconds + record[1].seconds
    assert (tmp_path / "out" / "site" / "html" / "index.html").is_file()
    assert "manifest written" in (tmp_path / "publish.log").read_text()


def test_publish_steps_publishes_commits_a_day_apart(tmp_path: Path) -> None:
    """A publication is of a commit; the measured edit is one too, dated the next day."""
    from council_bench import publish_steps

    (tmp_path / "a.md").write_text("a\n")
    publish_steps.commit(tmp_path, "corpus")
    (tmp_path / "a.md").write_text("b\n")
    publish_steps.commit(tmp_path, "edit")
    log = subprocess.run(["git", "log", "--format=%ct %s"], cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert log[:2] == [f"{publish_steps.FIRST_COMMIT + 86_400} edit", f"{publish_steps.FIRST_COMMIT} corpus"]


def test_publish_steps_keeps_each_publication_before_the_edit(tmp_path: Path) -> None:
    """As the ward does after a publication: its needs kept in releases/ and committed; once."""
    import json
    import shutil

    from council_bench import publish_steps

    from helpers import REPO

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(REPO / "ubproject.toml", src / "ubproject.toml")
    publish_steps.commit(src, "corpus")
    html = tmp_path / "site" / "html"
    html.mkdir(parents=True)
    need = {"id": "CASE_2020_X", "type": "case", "title": "x", "docname": "cases/x"}
    (html / "needs.json").write_text(json.dumps(
        {"current_version": "1", "versions": {"1": {"needs": {"CASE_2020_X": need}}}}), encoding="utf-8")
    for _ in range(2):
        publish_steps.record_release(src, tmp_path / "site")
    log = subprocess.run(["git", "log", "--format=%s"], cwd=src, capture_output=True, text=True, check=True)
    assert log.stdout.split("\n")[:2] == ["release kept", "corpus"]
    assert len(list((src / "releases").glob("*.json"))) == 1


def test_pdf_measured_at_the_smallest_and_the_largest_n() -> None:
    """``make bench`` (N = 100, 300, 1,000) times the PDF step at 100 and at 1,000."""
    assert pdf_bench.pdf_sizes([100, 300, 1000]) == [100, 1000]
    assert pdf_bench.pdf_sizes([20]) == [20]


def test_publish_steps_prints_no_first_publication_it_did_not_measure() -> None:
    """``--again`` measures one re-publication only: its table has no "first" columns (they were a copy)."""
    from council_bench.publish_steps import StepTime, table

    html, total = StepTime("build_html", 97.24, 95.91), StepTime("total", 147.1, 178.4)
    assert table({"build_html": (None, html), "total": (None, total)}).splitlines() == [
        "| step | after one edit | after one edit CPU |", "|---|---|---|",
        "| build_html | 97.2 s | 95.9 s |", "| total | 147.1 s | 178.4 s |"]
    first = StepTime("build_html", 700.0, 600.0)
    assert table({"build_html": (first, html)}).splitlines()[::2] == [
        "| step | first | first CPU | after one edit | after one edit CPU |",
        "| build_html | 700.0 s | 600.0 s | 97.2 s | 95.9 s |"]

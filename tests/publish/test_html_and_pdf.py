"""The HTML and PDF steps side by side (council_publish.sphinx_steps.build_html_and_pdf):
the LaTeX build starts once the HTML build has saved its environment, and what
is published and reported is what the two steps one after the other give."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from council_publish import cli as publish
from helpers import copy_project

#: A test extension loaded by the project's conf.py: it makes the HTML build wait at
#: its end for a file, or the LaTeX build warn or sleep, as the environment says.
PROBE = '''
import os, time
from pathlib import Path
from sphinx.util import logging

def _html_finished(app, exception):
    wait_for = os.environ.get("PROBE_HTML_WAITS_FOR")
    if app.builder.format != "html" or not wait_for:
        return
    deadline = time.monotonic() + 60
    while not (Path(wait_for).is_file() and Path(wait_for).read_text().strip()):
        if time.monotonic() > deadline:
            raise RuntimeError("the LaTeX build wrote nothing while the pages were written")
        time.sleep(0.05)

def _latex_started(app, builder):
    if app.builder.format != "latex":
        return
    if os.environ.get("PROBE_LATEX_WARNS"):
        logging.getLogger("probe").warning("LaTeX の試験用の警告")
    time.sleep(float(os.environ.get("PROBE_LATEX_SLEEPS", "0")))

def setup(app):
    app.connect("build-finished", _html_finished, priority=100)
    app.connect("write-started", _latex_started)
    return {"parallel_read_safe": True}
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = copy_project("site-minimal", tmp_path)
    (src / "probe.py").write_text(PROBE, encoding="utf-8")
    with open(src / "conf.py", "a", encoding="utf-8") as conf:
        conf.write("\nimport sys, os\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
                   "extensions.append('probe')\n")
    return src


@pytest.fixture(autouse=True)
def dated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763596800")


def _staging(output: Path) -> Path:
    return output.with_name(f".{output.name}.versions") / "staging"


def _files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_the_latex_build_runs_while_the_pages_are_written(project: Path, tmp_path: Path, monkeypatch) -> None:
    # the HTML build ends only once the LaTeX build has listed a document as written:
    # one after the other, the HTML build would wait in vain and fail
    output = tmp_path / "out" / "site"
    monkeypatch.setenv("PROBE_HTML_WAITS_FOR", str(_staging(output) / "latex" / "written.txt"))
    publish.build(project, output, [publish.build_html_and_pdf])
    assert sorted(p.name for p in (output / "html" / "pdf").glob("*.pdf")) != []
    # neither the doctrees' copy nor the LaTeX build's output is published
    assert sorted(p.name for p in output.resolve().iterdir()) == ["html", "latex"]


def test_side_by_side_publishes_what_one_after_the_other_does(project: Path, tmp_path: Path) -> None:
    together, apart = tmp_path / "together" / "site", tmp_path / "apart" / "site"
    publish.build(project, together, [publish.build_html_and_pdf])
    publish.build(project, apart, [publish.build_html, publish.build_pdf])
    html = _files(together / "html")
    assert html == _files(apart / "html")
    assert [name for name in html if name.startswith("pdf/")] != []
    # a second publication after an edit builds on the kept build, side by side again
    case = project / "cases" / "case.md"
    case.write_text(case.read_text(encoding="utf-8").replace("テスト案件", "直したテスト案件"), encoding="utf-8")
    publish.build(project, together, [publish.build_html_and_pdf])
    publish.build(project, apart, [publish.build_html, publish.build_pdf])
    html = _files(together / "html")
    assert html == _files(apart / "html")
    assert any("直したテスト案件" in p.read_text(encoding="utf-8") for p in (together / "latex").glob("*.tex"))


def test_without_a_kept_build_the_latex_build_runs_beside_the_pages_too(
        project: Path, tmp_path: Path, monkeypatch) -> None:
    # COUNCIL_KEPT_BUILD=0: every build from nothing in staging, whose doctrees are copied
    monkeypatch.setenv("COUNCIL_KEPT_BUILD", "0")
    together, apart = tmp_path / "together" / "site", tmp_path / "apart" / "site"
    monkeypatch.setenv("PROBE_HTML_WAITS_FOR", str(_staging(together) / "latex" / "written.txt"))
    publish.build(project, together, [publish.build_html_and_pdf])
    monkeypatch.delenv("PROBE_HTML_WAITS_FOR")
    publish.build(project, apart, [publish.build_html, publish.build_pdf])
    assert _files(together / "html") == _files(apart / "html")
    assert not together.with_name(".site.versions").joinpath("kept").exists()


def test_nothing_changed_the_pdfs_follow_the_pages(project: Path, tmp_path: Path) -> None:
    # the HTML build reads nothing and saves no environment: the LaTeX build runs after it
    output = tmp_path / "out" / "site"
    publish.build(project, output, [publish.build_html_and_pdf])
    first = _files(output / "html" / "pdf")
    publish.build(project, output, [publish.build_html_and_pdf])
    assert _files(output / "html" / "pdf") == first


def test_a_failing_html_build_is_the_report_and_stops_the_latex_build(
        project: Path, tmp_path: Path, monkeypatch, capfd) -> None:
    output = tmp_path / "out" / "site"
    publish.build(project, output, [publish.build_html])
    case = project / "cases" / "case.md"
    case.write_text(case.read_text(encoding="utf-8").replace("binds: CL_B_13", "binds: CL_B_99"), encoding="utf-8")
    # the LaTeX build, from the same environment, would take a minute and warn of the same link
    monkeypatch.setenv("PROBE_LATEX_SLEEPS", "60")
    monkeypatch.setattr(publish, "STEPS", [publish.build_html_and_pdf])
    started = time.monotonic()
    status = publish.main(["--source", str(project), "--output", str(output)])
    elapsed = time.monotonic() - started
    err = capfd.readouterr().err
    assert status == 1
    assert err.count("CL_B_99") == 1, err
    assert err.endswith(f"council-build: sphinx-build -b html failed (exit status 1)。"
                        f"公開中のサイト（{output}）は変わっていません\n")
    assert elapsed < 45
    left = subprocess.run(["pgrep", "-f", str(_staging(output))], capture_output=True, text=True).stdout
    assert left == ""


def test_a_failing_latex_build_shows_its_output_and_fails(project: Path, tmp_path: Path, monkeypatch, capfd) -> None:
    output = tmp_path / "out" / "site"
    monkeypatch.setenv("PROBE_LATEX_WARNS", "1")
    monkeypatch.setattr(publish, "STEPS", [publish.build_html_and_pdf])
    status = publish.main(["--source", str(project), "--output", str(output)])
    err = capfd.readouterr().err
    assert status == 1
    assert "WARNING: LaTeX の試験用の警告" in err
    assert err.endswith(f"council-build: sphinx-build -b latex failed (exit status 1)。"
                        f"公開中のサイト（{output}）は変わっていません\n")
    assert not output.exists()


def test_the_html_build_runs_one_worker_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    from council_publish import sphinx_steps

    monkeypatch.setattr(sphinx_steps.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert sphinx_steps.html_jobs() == ["-j", "2"]
    monkeypatch.setattr(sphinx_steps.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert sphinx_steps.html_jobs() == []


@pytest.mark.parametrize("step", ["build_html", "build_html_and_pdf"])
def test_both_html_steps_pass_the_workers_to_sphinx(step: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from council_publish import sphinx_steps

    class Stop(Exception):
        pass

    seen: list[tuple[str, ...]] = []

    def command(ctx: object, builder: str, outdir: Path, *extra: str, doctrees: Path | None = None) -> list[str]:
        seen.append((builder, *extra))
        raise Stop

    monkeypatch.setattr(sphinx_steps, "html_jobs", lambda: ["-j", "7"])
    monkeypatch.setattr(sphinx_steps, "sphinx_command", command)
    monkeypatch.setattr(sphinx_steps, "sphinx", command)
    ctx = SimpleNamespace(kept=None, html=tmp_path / "html", doctrees=tmp_path / "doctrees",
                          staging=tmp_path / "staging", env={}, source=tmp_path)
    with pytest.raises(Stop):
        getattr(sphinx_steps, step)(ctx)
    assert seen == [("html", "-j", "7")]

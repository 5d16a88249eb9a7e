"""``council-build --case``: one case checked in a small project, its IDs against the whole site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from council_publish import cli as publish

from council_publish import case_check, id_index, preview

from helpers import copy_project

DUPLICATE = (
    "cases/other.md:38: WARNING: 情報保護対策の ID 'SG_2020_TEST_E1_CO_01' は cases/case.md:38 "
    "でも使われています。ID はサイト全体で一意にしてください [council.duplicate_id]"
)


def _project(tmp_path: Path) -> Path:
    """The minimal site with a second case, ``other.md``, that reuses one safeguard ID of ``case.md``."""
    src = copy_project("site-minimal", tmp_path)
    text = (src / "cases" / "case.md").read_text(encoding="utf-8").replace("_TEST", "_OTHER")
    text = text.replace("id: SG_2020_OTHER_E1_CO_01", "id: SG_2020_TEST_E1_CO_01")
    (src / "cases" / "other.md").write_text(text, encoding="utf-8")
    return src


def test_a_duplicate_of_another_cases_id_is_refused_with_both_places(tmp_path: Path, capfd) -> None:
    src = _project(tmp_path)
    assert publish.main(["--source", str(src), "--case", "cases/other.md"]) == 1
    err = capfd.readouterr().err
    lines = err.splitlines()
    assert DUPLICATE in lines
    assert lines[-1].startswith("council-build: cases/other.md に問題があります（重複した ID 1 件、"
                                "sphinx-build の終了コード 0）。上の各行を直してください（")
    assert "Traceback" not in err
    # the other case is not part of the small project: its IDs are checked by the scan only
    assert not (src / "_build/case/other/src/cases/case.md").exists()


def test_a_valid_case_is_built_alone_and_its_page_printed(tmp_path: Path, capfd) -> None:
    src = _project(tmp_path)
    (src / "cases" / "other.md").unlink()
    (src / "cases" / "third.md").write_text(
        (src / "cases" / "case.md").read_text(encoding="utf-8").replace("_TEST", "_THIRD"), encoding="utf-8")
    assert publish.main(["--source", str(src), "--case", str(src / "cases" / "case.md")]) == 0
    out = capfd.readouterr().out.strip()
    assert out.startswith("council-build: cases/case.md は検査を通りました（")
    assert out.endswith(": _build/case/case/html/cases/case.html")
    html = (src / "_build/case/case/html/cases/case.html").read_text(encoding="utf-8")
    assert "SG_2020_TEST_E1_CO_01" in html
    built = sorted(p.relative_to(src / "_build/case/case/src").as_posix()
                   for p in (src / "_build/case/case/src").rglob("*.md") if "_templates" not in p.parts)
    # the case, the clause and checklist pages it links to (edition B brings edition A), no other case
    assert built == ["cases/case.md", "clauses/checklist.md", "clauses/edition-a.md", "clauses/edition-b.md",
                     "clauses/index.md", "index.md"]
    # the index of an included page's directory is a stub: its toctree would name pages left out
    assert "toctree" not in (src / "_build/case/case/src/clauses/index.md").read_text(encoding="utf-8")


def test_a_problem_in_the_case_names_the_projects_file(tmp_path: Path, capfd) -> None:
    src = _project(tmp_path)
    (src / "cases" / "other.md").unlink()
    page = src / "cases" / "case.md"
    page.write_text(page.read_text(encoding="utf-8").replace("binds: CL_B_", "binds: CL_B_9"), encoding="utf-8")
    assert publish.main(["--source", str(src), "--case", "cases/case.md"]) == 1
    err = capfd.readouterr().err
    assert "cases/case.md:38: WARNING: Need 'SG_2020_TEST_E1_CO_01' has unknown outgoing link" in err
    assert "_build/case" not in err
    assert "Traceback" not in err


def test_a_missing_page_is_one_line_and_status_2(tmp_path: Path, capfd) -> None:
    src = _project(tmp_path)
    assert publish.main(["--source", str(src), "--case", "cases/none.md"]) == 2
    assert capfd.readouterr().err == "council-build: cases/none.md がありません\n"


def test_the_scan_finds_every_directive_form() -> None:
    text = "\n".join([
        "```{case} 題",            # 1
        "---",
        "id: CASE_2020_A",
        "---",
        "```",
        ":::{clause} 第1項",        # 6
        ":number: 1",
        ":id: CL_X_01",
        ":::",
        ".. checkitem:: 項目",      # 10
        "   :id: CHK_WO_99",
        "",
        "```{note}",                # 13: not a need type
        ":id: NOT_A_NEED",
        "```",
        "```{safeguard} 本文に id: がある",  # 16: body, not options
        "",
        "id: NOT_AN_OPTION",
        "```",
    ])
    found = id_index.scan_text(text, ["case", "clause", "checkitem", "safeguard"])
    assert found == [("CASE_2020_A", 1, "case"), ("CL_X_01", 6, "clause"), ("CHK_WO_99", 10, "checkitem")]


def test_the_index_rescans_only_changed_pages(tmp_path: Path) -> None:
    src = _project(tmp_path)
    first = id_index.load_index(src)
    assert first.rescanned == len(first.files) > 3
    assert id_index.load_index(src).rescanned == 0
    page = src / "cases" / "case.md"
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 10**9))
    again = id_index.load_index(src)
    assert again.rescanned == 1
    assert [loc.path for loc in again.by_id()["SG_2020_TEST_E1_CO_01"]] == ["cases/case.md", "cases/other.md"]


def test_the_preview_serves_the_small_project_and_rechecks_before_each_build(tmp_path: Path, monkeypatch,
                                                                            capfd) -> None:
    src = _project(tmp_path)
    calls = []
    monkeypatch.setattr(preview, "run_in_group", lambda cmd, cwd, env: calls.append(cmd) or 0)
    monkeypatch.setattr(preview, "_autobuild", lambda: Path("/venv/bin/sphinx-autobuild"))
    assert case_check.main(["--source", str(src), "--serve", "cases/other.md", "--port", "8123"]) == 0
    (cmd,) = calls
    assert Path(cmd[0]).name == "sphinx-autobuild"
    small = src / "_build/case/other"
    assert cmd[-2:] == [str(small / "src"), str(small / "html")]
    assert [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "--watch"] == [str(src / "cases"), str(src / "clauses")]
    pre = cmd[cmd.index("--pre-build") + 1]
    assert pre.endswith(f"-m council_publish.case_check --source {src} --refresh {src / 'cases/other.md'}")
    out = capfd.readouterr()
    assert DUPLICATE in out.err.splitlines()
    assert "http://127.0.0.1:8123/cases/other.html" in out.out
    # the pre-build refreshes the copy of the page and fails on the duplicate
    page = src / "cases" / "other.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n追記\n", encoding="utf-8")
    assert case_check.main(["--source", str(src), "--refresh", "cases/other.md"]) == 1
    assert (small / "src/cases/other.md").read_text(encoding="utf-8").endswith("追記\n")


def test_sigterm_stops_the_check_in_one_line(tmp_path: Path) -> None:
    src = _project(tmp_path)
    (src / "cases" / "other.md").unlink()
    proc = subprocess.Popen([sys.executable, "-m", "council_publish.cli", "--source", str(src), "--case", "cases/case.md"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (src / "_build/case/case/src/index.md").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, (out, err)
    assert err.splitlines()[-1] == "council-build: SIGTERM を受けて中断しました"
    assert "Traceback" not in err


def test_the_check_starts_without_loading_the_extension() -> None:
    """``council-build --case`` runs Sphinx in a child process; its own process loads neither
    Sphinx's application nor the extension's stages (most of a second of every check)."""
    code = (
        "import sys, pathlib, council_publish.cli, council_publish.case_check, council_publish.id_index\n"
        "from council_publish.output_scan import template_dirs\n"
        "assert all(d.is_dir() for d in template_dirs(pathlib.Path('.'))[1:])\n"
        "print(sorted(m for m in ('sphinx.application', 'council.html.render', 'council.outputs.exports',"
        " 'council_publish.published_privacy', 'furo') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    # a build still finds every step, in order
    assert [s.__name__ for s in publish.STEPS][:2] == ["build_html_and_pdf", "fill_pdf_sizes"]
    assert publish.index_and_check_step in publish.STEPS


def test_sphinx_starts_while_the_ids_are_scanned_and_stops_if_the_check_does(tmp_path: Path, monkeypatch,
                                                                             capfd) -> None:
    """The Sphinx child imports Sphinx and the extension while its parent scans the IDs and
    prepares the small project (N = 1,000: first check 3.9 -> 3.3 s); a parent that fails
    before handing it the project leaves no child behind."""
    from council_publish import pipeline

    src = _project(tmp_path)
    (src / "cases" / "other.md").unlink()
    events: list[str] = []
    real_started, real_scan = pipeline.started, case_check.check_ids

    def started(cmd, cwd, env, stdin=None):
        events.append("child")
        return real_started(cmd, cwd, env, stdin)

    monkeypatch.setattr(case_check, "started", started)
    monkeypatch.setattr(case_check, "check_ids", lambda *a: events.append("scan") or real_scan(*a))
    assert publish.main(["--source", str(src), "--case", "cases/case.md"]) == 0
    assert events == ["child", "scan"]

    # the preparation fails: one line, status 1, and the waiting child is gone
    def broken(*args):
        raise PermissionError(13, "Permission denied", str(src / "_build/case"))

    monkeypatch.setattr(case_check, "prepare", broken)
    monkeypatch.setattr(case_check, "started", real_started)
    before = _children()
    assert publish.main(["--source", str(src), "--case", "cases/case.md"]) == 1
    err = capfd.readouterr().err
    assert err.splitlines()[-1].startswith("council-build: ")
    assert "を読み書きできません（Permission denied）" in err.splitlines()[-1]
    assert "Traceback" not in err
    assert _children() == before


def _children() -> set[int]:
    """This process's live children."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.add(int(status.parent.name))
    return found

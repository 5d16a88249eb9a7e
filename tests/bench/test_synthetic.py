"""The synthetic corpus of ``council-synth`` is shaped like the real cases and valid."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sphinx.testing.util import SphinxTestApp

from council.model.content_model import load_model
from council_bench.synthetic import REPO, case_page, generate, main, to_plain


def test_case_pages_follow_the_id_schemes_and_link_clauses_of_their_edition() -> None:
    model = load_model(REPO / "ubproject.toml")
    for index in range(1, 8):
        _, text = case_page(index)
        ids = re.findall(r"^id: (\S+)$", text, re.MULTILINE)
        kinds = re.findall(r"^```\{(\w+)\}", text, re.MULTILINE)
        assert len(ids) == len(kinds)
        for kind, need_id in zip(kinds, ids):
            assert re.fullmatch(model.id_schemes[kind], need_id), (kind, need_id)
        editions = set(re.findall(r"^terms: ED_([AB])$", text, re.MULTILINE))
        bound = set(re.findall(r"CL_([AB])_\d\d", text))
        assert bound <= editions
        safeguards = kinds.count("safeguard") + kinds.count("exemption")
        works = kinds.count("entrustment") + kinds.count("development")
        assert 1 <= works <= 3
        assert 25 * works <= safeguards <= 50 * works


def test_plain_text_has_no_need_directives_but_keeps_the_text() -> None:
    _, text = case_page(3)
    plain = to_plain(text)
    assert "```{safeguard}" not in plain and "```{case}" not in plain
    first = re.search(r"^---\n.*?^---\n(.+?)\n", text.split("```{safeguard}", 1)[1], re.S | re.M).group(1)
    assert first in plain


def test_generated_projects_build_with_warnings_as_errors(tmp_path: Path, make_app) -> None:
    assert main([str(tmp_path / "needs"), "-n", "3"]) == 0
    app: SphinxTestApp = make_app("html", srcdir=tmp_path / "needs", warningiserror=True)
    app.build()
    assert app.statuscode == 0, app.warning.getvalue()[-2000:]
    assert len(list((Path(app.outdir) / "cases").glob("*.html"))) == 4
    assert (Path(app.outdir) / "needs.json").exists()


def test_the_plain_baseline_builds_without_sphinx_needs(tmp_path: Path) -> None:
    # In a separate process: a second application in this one would register
    # sphinx-design's nodes twice.
    generate(tmp_path / "plain", 3, plain=True)
    assert "sphinx_needs" not in str(_extensions(tmp_path / "plain" / "conf.py"))
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
         str(tmp_path / "plain"), str(tmp_path / "out")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    page = next((tmp_path / "out" / "cases").glob("2007-*.html")).read_text(encoding="utf-8")
    assert "SG_2007_S0001_" in page and "needs_meta" not in page


def _extensions(conf: Path) -> list[str]:
    namespace: dict = {"__file__": str(conf)}
    exec(compile(conf.read_text(encoding="utf-8"), str(conf), "exec"), namespace)
    return namespace["extensions"]

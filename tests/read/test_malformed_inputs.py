"""Every malformed input fails the real command line with file:line and no traceback.

Each row of :data:`malformed_inputs.MALFORMED` is applied to a fresh copy of
``test-site-minimal`` and built by ``sphinx-build -W --keep-going`` in a
subprocess, exactly as ``council-build`` runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import copy_project
from malformed_inputs import MALFORMED, Malformed


def sphinx_build(src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", *extra, str(src), str(out)],
        capture_output=True, text=True, timeout=300,
    )


def test_the_table_is_large_enough():
    assert len(MALFORMED) >= 30
    assert len({m.name for m in MALFORMED}) == len(MALFORMED)


def test_the_unmodified_project_builds(tmp_path):
    src = copy_project("site-minimal", tmp_path)
    result = sphinx_build(src, tmp_path / "out", "-W", "--keep-going")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("case", MALFORMED, ids=str)
def test_malformed_input(tmp_path, case: Malformed):
    src = copy_project("site-minimal", tmp_path)
    case.edit(src)
    out = tmp_path / "out"
    result = sphinx_build(src, out, "-W", "--keep-going")
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert "Exception occurred" not in output
    if case.accepted:
        assert result.returncode == 0, output
        assert output.strip() == ""
        html = (out / "cases" / "case.html").read_text(encoding="utf-8")
        assert case.message in html
        assert "\ufeff" not in html and "\r" not in html
        return
    assert result.returncode != 0, output
    lines = [line for line in output.splitlines() if f"{src}/{case.location}:" in line or (
        case.location.count(":") == 0 and f"{src}/{case.location}" in line)]
    assert lines, f"no message at {case.location}:\n{output}"
    assert any(case.message in line for line in lines), output

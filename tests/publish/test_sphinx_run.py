"""council-build's Sphinx runner (council_publish.sphinx_run): sphinx-build's
status and output, then an exit that frees no object."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

_PROBE = """
import atexit, sys
class Probe:
    def __del__(self):
        sys.stderr.write("freed\\n")
        sys.stderr.flush()
kept = Probe()
atexit.register(lambda: print("atexit ran"))
sys.stdout.write("written, not flushed")
"""


def _project(root: Path, body: str) -> Path:
    root.mkdir()
    (root / "conf.py").write_text("project = 'p'\n", encoding="utf-8")
    (root / "index.rst").write_text(f"Title\n=====\n\n{body}\n", encoding="utf-8")
    return root


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "council_publish.sphinx_run", *args],
                          capture_output=True, text=True, timeout=120)


def test_a_clean_build_exits_0_with_its_pages(tmp_path: Path) -> None:
    src = _project(tmp_path / "src", "Text.")
    done = _run("-b", "html", "-W", "-q", str(src), str(tmp_path / "out"))
    assert (done.returncode, done.stderr) == (0, "")
    assert "Text." in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_a_warning_with_w_exits_1_and_is_printed(tmp_path: Path) -> None:
    src = _project(tmp_path / "src", ":doc:`missing`")
    done = _run("-b", "html", "-W", "--keep-going", "-q", str(src), str(tmp_path / "out"))
    assert done.returncode == 1
    assert "index.rst:4: WARNING: unknown document: 'missing'" in done.stderr


@pytest.mark.parametrize("ending, freed", [("sys.exit(3)", True),
                                           ("from council_publish.sphinx_run import hard_exit; hard_exit(3)", False)])
def test_the_exit_writes_what_a_normal_exit_writes_without_freeing(ending: str, freed: bool) -> None:
    # the normal exit is the probe's control: it frees the object, the hard exit does not
    done = subprocess.run([sys.executable, "-c", _PROBE + ending], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert done.stdout == "written, not flushedatexit ran\n"
    assert ("freed" in done.stderr) is freed

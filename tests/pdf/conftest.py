"""The published site with its PDFs, built once per session by the real pipeline."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from council import publish
from helpers import REPO


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``council-build``'s HTML and PDF steps into a temporary output."""
    output = tmp_path_factory.mktemp("pdf") / "site"
    started = time.monotonic()
    publish.build(REPO, output, steps=[publish.build_html, publish.build_pdf])
    (output / "build-seconds.txt").write_text(f"{time.monotonic() - started:.0f}\n")
    return output


@pytest.fixture(scope="session")
def latex_dir(published: Path) -> Path:
    return published / "latex"


@pytest.fixture(scope="session")
def pdf_dir(published: Path) -> Path:
    return published / "html" / "pdf"


@pytest.fixture(scope="session")
def pdf_needs(latex_dir: Path) -> dict[str, dict]:
    data = json.loads((latex_dir / "needs.json").read_text(encoding="utf-8"))
    return data["versions"][data["current_version"]]["needs"]


@pytest.fixture(scope="session")
def pdf_text():
    return _pdf_text


def _pdf_text(pdf: Path) -> str:
    """The PDF's text with all white space removed (line breaks fall anywhere)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return "".join(out.split())

"""The published site with its PDFs, built once per session by the real pipeline.

The site is built from a copy of the project (no git history: every page is
dated by ``SOURCE_DATE_EPOCH``) with a PDF cache of the session's own, so
that a second publish of an edited copy can be compared with the first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from council_publish import cli as publish
from helpers import REPO

#: 2025-11-20 00:00 UTC: the pages' date in the test builds.
EPOCH = "1763596800"
_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", ".pytest_cache", "__pycache__", "tests")


@pytest.fixture(scope="session")
def pdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf-cache")


def publish_copy(source: Path, output: Path, cache: Path) -> Path:
    """``council-build``'s HTML and PDF steps from *source* into *output* (side by side,
    as council-build runs them: council_publish.sphinx_steps)."""
    saved = {key: os.environ.get(key) for key in ("SOURCE_DATE_EPOCH", "COUNCIL_PDF_CACHE")}
    os.environ.update(SOURCE_DATE_EPOCH=EPOCH, COUNCIL_PDF_CACHE=str(cache))
    try:
        started = time.monotonic()
        publish.build(source, output, steps=[publish.build_html_and_pdf])
        (output / "build-seconds.txt").write_text(f"{time.monotonic() - started:.0f}\n")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return output


@pytest.fixture(scope="session")
def publish_site():
    return publish_copy


@pytest.fixture(scope="session")
def site_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("pdf-src") / "project"
    shutil.copytree(REPO, source, ignore=_IGNORE)
    return source


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory, site_source: Path, pdf_cache: Path) -> Path:
    return publish_copy(site_source, tmp_path_factory.mktemp("pdf") / "site", pdf_cache)


@pytest.fixture(scope="session")
def latex_dir(published: Path) -> Path:
    return published / "latex"


@pytest.fixture(scope="session")
def pdf_dir(published: Path) -> Path:
    return published / "html" / "pdf"


@pytest.fixture(scope="session")
def pdf_needs(published: Path) -> dict[str, dict]:
    """The needs the PDFs print: those the HTML build published (the LaTeX build writes no needs.json)."""
    data = json.loads((published / "html" / "needs.json").read_text(encoding="utf-8"))
    return data["versions"][data["current_version"]]["needs"]


@pytest.fixture(scope="session")
def pdf_text():
    return _pdf_text


@pytest.fixture(scope="session")
def pdf_body_text():
    return _body_text


#: The running head ends above this line, the footer starts below the other (pt from the top).
HEAD_BOTTOM, FOOT_TOP = 60.0, 780.0


def _body_text(pdf: Path) -> str:
    """The text of the pages' bodies (no running head or footer), white space removed."""
    import html
    import re

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    words = re.findall(r'<word xMin="[-\d.]+" yMin="([-\d.]+)" xMax="[-\d.]+" yMax="[-\d.]+">(.*)</word>', out)
    return "".join(html.unescape(w) for y, w in words if HEAD_BOTTOM < float(y) < FOOT_TOP)


def _pdf_text(pdf: Path) -> str:
    """The PDF's text with all white space removed (line breaks fall anywhere)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return "".join(out.split())

"""A publication after one edit writes the LaTeX of what changed and copies the rest.

A copy of the project is published, one of its cases is edited and it is
published again into the same output (with the kept HTML build and LaTeX of
:mod:`council_publish.kept_build`; Sphinx starts from nothing when the project
moves, so it is the same copy); the edited project is also published from
nothing. The LaTeX and PDFs of both must be the same, byte for byte, and only
the documents that print the edited case may have been written again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from council.latex.documents import REFERENCE_VOLUME, VOLUME_PREFIX
from council.latex.kept_tex import STATE_FILE

pytestmark = pytest.mark.pdf

EDITED = "2019-sasaeai"


def _files(root: Path, pattern: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in root.glob(pattern)}


@pytest.fixture(scope="module")
def republished(published: Path, site_source: Path, pdf_cache: Path, tmp_path_factory, publish_site) -> dict:
    # after the session's own publication (``published``), which compiles every PDF
    # into the shared cache and keeps their LaTeX logs for the other tests
    base = tmp_path_factory.mktemp("kept-tex")
    source = base / "project"
    shutil.copytree(site_source, source)
    output = publish_site(source, base / "out" / "site", pdf_cache)
    page = source / "cases" / f"{EDITED}.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n本サイトの試験用の追記（LaTeX）。\n", encoding="utf-8")
    again = publish_site(source, output, pdf_cache)
    fresh = publish_site(source, base / "fresh" / "site", pdf_cache)
    kept = base / "out" / ".site.versions" / "kept" / "latex"
    return {"again": again, "fresh": fresh, "state": json.loads((kept / STATE_FILE).read_text(encoding="utf-8"))}


def test_only_the_documents_that_print_the_edit_are_written_again(republished: dict) -> None:
    documents = set(_files(republished["fresh"] / "latex", "*.tex"))
    written = documents - set(republished["state"]["reused"])
    assert sorted(written) == sorted([f"{EDITED}.tex", f"{VOLUME_PREFIX}2019.tex", f"{REFERENCE_VOLUME}.tex"])


def test_the_latex_and_pdfs_are_those_of_a_publication_from_nothing(republished: dict) -> None:
    again, fresh = republished["again"], republished["fresh"]
    for pattern, root in (("*.tex", "latex"), ("*.pdf", "html/pdf")):
        mine, theirs = _files(again / root, pattern), _files(fresh / root, pattern)
        assert sorted(mine) == sorted(theirs)
        assert sorted(name for name in mine if mine[name] != theirs[name]) == []
    assert "本サイトの試験用の追記（LaTeX）。" in (again / "latex" / f"{EDITED}.tex").read_text(encoding="utf-8")


def test_the_state_is_not_published(republished: dict) -> None:
    assert not (republished["again"] / "latex" / STATE_FILE).exists()
    assert not (republished["fresh"] / "latex" / STATE_FILE).exists()

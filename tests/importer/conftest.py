"""Fixtures of the importer tests: the source documents and an importer run."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import REPO

SOURCES = REPO / "sources"
#: Source document → the slug of its curated case page.
SLUGS = {
    "000_bad3504de82e16e0.txt": "JIRITSU",
    "001_226f9b6f33957b40.txt": "SASAEAI",
    "002_e8f86ce15c3a39e6.txt": "HOGO_INJI",
    "003_0cb8053224550498.txt": "FUREAI",
    "004_1fc9dd2fc24b308b.txt": "JIDO",
}


def source_text(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


@pytest.fixture
def run_import(tmp_path: Path, capsys):
    """Run ``council-import`` (main) on a text; return (exit code, stderr, output path)."""
    from council.importer.cli import main

    def _run(text: str | bytes, slug: str = "TEST", name: str = "doc.txt", extra: list[str] | None = None):
        src = tmp_path / name
        if isinstance(text, bytes):
            src.write_bytes(text)
        else:
            src.write_text(text, encoding="utf-8")
        out = tmp_path / "out" / "case.md"
        code = main([str(src), "--slug", slug, "--output", str(out), "--project", str(REPO), *(extra or [])])
        return code, capsys.readouterr().err.replace(str(tmp_path), "<tmp>"), out

    return _run

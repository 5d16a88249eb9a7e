"""Fixtures of the importer tests: the source documents and an importer run."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import REPO

from importer_sources import SLUGS, SOURCES, source_text  # noqa: F401  (re-exported)


@pytest.fixture
def run_import(tmp_path: Path, capsys):
    """Run ``council-import`` (main) on a text; return (exit code, stderr, output path)."""
    from council_import.cli import main

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

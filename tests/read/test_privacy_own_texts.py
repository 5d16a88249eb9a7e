"""The ward's published texts and this site's own pages raise no alarm."""

from __future__ import annotations

from pathlib import Path

import pytest

from council.read.personal_data import find_personal_data
from council.read.privacy_allowlist import ALLOWLIST_FILE, load_allowlist

ROOT = Path(__file__).resolve().parents[2]
TEXTS = sorted(
    {
        *ROOT.glob("cases/**/*.md"),
        *ROOT.glob("clauses/**/*.md"),
        *ROOT.glob("docs/**/*.md"),
        *ROOT.glob("browse/**/*.md"),
        *ROOT.glob("traceability/**/*.md"),
        *ROOT.glob("*.md"),
        *ROOT.glob("sources/*.txt"),
    }
)


def test_there_are_texts_to_check():
    names = {p.parent.name for p in TEXTS}
    assert {"cases", "clauses", "docs", "sources"} <= names
    assert len([p for p in TEXTS if p.suffix == ".txt"]) >= 4


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_finding_in_published_text(path: Path):
    allowed, problems = load_allowlist(ROOT / ALLOWLIST_FILE)
    assert problems == []
    findings = find_personal_data(path.read_text(encoding="utf-8"), allowed)
    assert [(f.lineno, f.kind, f.masked) for f in findings] == []

"""The council documents the importer tests read (imported by name: not a conftest)."""

from __future__ import annotations

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

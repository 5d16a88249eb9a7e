"""SHA-256 manifest of the published output, in ``sha256sum -c`` format.

The last build step writes ``SHA256SUMS`` at the root of the HTML output
(PDFs are published below it, in ``pdf/``): one ``<hex digest>  <path>`` line
per file, paths relative to that root in sorted order, the manifest itself
excluded. Because builds are reproducible, anyone can rebuild a commit and
compare, or check a downloaded PDF against the published digest
(see docs/verification.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from council_publish.pipeline import BuildFailed

MANIFEST = "SHA256SUMS"


def manifest_lines(root: Path) -> list[str]:
    """``<digest>  <relative path>`` for every file below *root* but the manifest.

    A file's digest may come from the checks of this build, which hashed it
    already (:func:`council_publish.output_cache.digest`: hashed again if it
    was rewritten since).
    """
    from council_publish.output_cache import digest

    files = sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
    )
    return [f"{digest(root / rel)}  {rel}" for rel in files if rel != MANIFEST]


def write_manifest(root: Path) -> Path:
    target = root / MANIFEST
    target.unlink(missing_ok=True)
    target.write_text("".join(line + "\n" for line in manifest_lines(root)), encoding="utf-8")
    return target


def write_manifest_step(ctx: Any) -> None:
    """council-build step (the last one): SHA256SUMS over the staged HTML output."""

    if not ctx.html.is_dir():
        raise BuildFailed(f"manifest: no output in {ctx.html}")
    write_manifest(ctx.html)

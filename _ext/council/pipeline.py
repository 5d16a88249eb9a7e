"""The building blocks of a ``council-build`` step: its context and its commands.

Kept apart from :mod:`council.publish`, which lists the steps, so that the
modules defining steps (search, link check, manifest, …) import these without
importing the pipeline that imports them.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


class BuildFailed(Exception):
    """A build step failed; the message says which and why."""


@dataclass(frozen=True)
class BuildContext:
    source: Path
    staging: Path
    env: dict[str, str]

    @property
    def html(self) -> Path:
        return self.staging / "html"

    @property
    def doctrees(self) -> Path:
        return self.staging / ".doctrees"


def run(ctx: BuildContext, what: str, cmd: list[str], cwd: Path | None = None) -> None:
    """Run one command of a step; its failure fails the build."""
    result = subprocess.run(cmd, cwd=cwd or ctx.source, env=ctx.env)
    if result.returncode != 0:
        raise BuildFailed(f"{what} failed (exit status {result.returncode})")


def sphinx(ctx: BuildContext, builder: str, outdir: Path, *extra: str) -> None:
    run(
        ctx,
        f"sphinx-build -b {builder}",
        [
            sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-q",
            "-d", str(ctx.doctrees), *extra, str(ctx.source), str(outdir),
        ],
    )

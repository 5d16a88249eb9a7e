"""Build the whole site and publish it atomically.

Every step writes into a staging directory next to the output; only when all
steps succeeded does the staging directory replace the published output, so a
failed or interrupted build leaves the previous site intact.

Usage: ``council-build [--output _build/site] [--source .]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from . import pdf_jobs
from .latex import PDF_DIR
from .linkcheck import check_links_step
from .manifest import write_manifest_step
from .pipeline import BuildContext, BuildFailed, run, sphinx
from .reproducible import normalize_archives_step
from .search import build_search_index

__all__ = ["STEPS", "BuildContext", "BuildFailed", "build", "main", "run", "sphinx"]


def build_html(ctx: BuildContext) -> None:
    sphinx(ctx, "html", ctx.html)


def build_pdf(ctx: BuildContext) -> None:
    """The volumes and one PDF per case, published as ``html/pdf/<name>.pdf``.

    LaTeX jobs run in parallel, and a PDF whose LaTeX input is unchanged
    comes from a cache kept next to the output (:mod:`council.pdf_jobs`;
    ``COUNCIL_PDF_CACHE`` names another directory). A failed LaTeX run leaves
    its logs in ``latex-logs-<output name>`` next to the output.
    """
    latex = ctx.staging / "latex"
    sphinx(ctx, "latex", latex)
    name = ctx.staging.name.removeprefix(".staging-")
    cache = ctx.env.get("COUNCIL_PDF_CACHE") or ctx.staging.parent / f".pdf-cache-{name}"
    results = pdf_jobs.compile_all(
        latex, ctx.env, cache=Path(cache), logs=ctx.staging.parent / f"latex-logs-{name}",
    )
    (latex / "pdf-jobs.txt").write_text(
        "".join(f"{r.name}\t{'cached' if r.cached else 'compiled'}\t{r.seconds:.1f}\n" for r in results),
        encoding="utf-8",
    )
    pdfs = [tex.with_suffix(".pdf") for tex in sorted(latex.glob("*.tex"))]
    missing = [pdf.name for pdf in pdfs if not pdf.is_file()]
    if not pdfs or missing:
        raise BuildFailed(f"LaTeX produced no {', '.join(missing) or 'PDF'} in {latex}")
    target = ctx.html / PDF_DIR
    target.mkdir(parents=True, exist_ok=True)
    for pdf in pdfs:
        shutil.copy2(pdf, target / pdf.name)


#: The build, in order. Each step reads ``ctx.source`` and writes below
#: ``ctx.staging``; later steps may read what earlier ones wrote. The search
#: index reads the finished HTML; archives are normalised, links checked and
#: the manifest written last, over the final output.
STEPS: list[Callable[[BuildContext], None]] = [
    build_html,
    build_pdf,
    build_search_index,
    normalize_archives_step,
    check_links_step,
    write_manifest_step,
]


def source_date_epoch(source: Path) -> str:
    """The last commit's time, so two builds of one commit are identical."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=source,
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    return out or "0"


def publish(staging: Path, output: Path) -> None:
    """Replace *output* by *staging*; the old output survives any failure before."""
    previous = output.with_name(f".previous-{output.name}")
    shutil.rmtree(previous, ignore_errors=True)
    if output.exists():
        os.replace(output, previous)
    os.replace(staging, output)
    shutil.rmtree(previous, ignore_errors=True)


def build(source: Path, output: Path, steps: list[Callable[[BuildContext], None]] | None = None) -> None:
    """Run every step into a staging directory, then publish it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".staging-{output.name}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(source))
    ctx = BuildContext(source=source, staging=staging, env=env)
    try:
        for step in steps if steps is not None else STEPS:
            step(ctx)
        shutil.rmtree(ctx.doctrees, ignore_errors=True)
        publish(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="council-build", description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=Path.cwd(), help="project directory (conf.py)")
    parser.add_argument("--output", type=Path, default=Path("_build/site"), help="published output directory")
    args = parser.parse_args(argv)
    source = args.source.resolve()
    if not (source / "conf.py").is_file():
        print(f"council-build: {source}/conf.py not found", file=sys.stderr)
        return 2
    output = args.output if args.output.is_absolute() else source / args.output
    try:
        build(source, output)
    except BuildFailed as exc:
        print(f"council-build: {exc}; the previous site in {output} is unchanged", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"council-build: interrupted; the previous site in {output} is unchanged", file=sys.stderr)
        return 130
    print(f"council-build: published {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The steps that run Sphinx: the HTML, the PDFs, and both side by side.

``council-build`` runs :func:`build_html_and_pdf`. The LaTeX build needs the
environment the HTML build has saved (every page read, the record of pages
changed since the last LaTeX: :mod:`council.latex.kept_tex`), nothing of the
pages it then writes. Sphinx saves the environment about a third of the way
through an HTML build after one edit (N = 1,000: ~26 s into a step of ~73 s,
docs/performance.md; until then one core works alone); the rest is writing
pages, needs.json and the exports. So the HTML build tells
this process when it has saved the environment (a pipe,
:data:`council.latex.kept_tex.ENV_SAVED_FD`), and the LaTeX build starts then
from a copy of the doctrees, in its own process, while the pages are written.

Nothing is published from the LaTeX side before the HTML build has ended
well, and what a reader of the console sees is what the two steps one after
the other show: the LaTeX build's output is kept in a file and shown after
the HTML build has ended; when the HTML build fails, its own messages are
the report (the LaTeX build, from the same environment, would repeat them),
and the LaTeX build is stopped. An HTML build that saves no environment
(nothing changed since the kept build) is followed by the LaTeX build, as
before. :func:`build_html` and :func:`build_pdf` remain steps of their own
(the benchmarks and the PDF tests run them one after the other).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from council_publish import kept_build
from council_publish.pipeline import BuildContext, BuildFailed, sphinx, sphinx_command, started

#: In staging: the LaTeX build's console output while the HTML build runs.
LATEX_OUTPUT = "latex-sphinx-output.txt"
#: In staging: the copy of the doctrees a LaTeX build started early reads.
LATEX_DOCTREES = "latex-doctrees"
#: What of the doctrees the HTML build may still be writing when they are copied, and the
#: LaTeX build does not read: the exports' records (council.outputs.exports), temporary files.
_NOT_COPIED = shutil.ignore_patterns("council-export*.json", "*.tmp")


def _html_dirs(ctx: BuildContext) -> tuple[Path, Path]:
    """Where the HTML build writes: the kept build (:mod:`council_publish.kept_build`) or staging."""
    return (ctx.kept / "html", ctx.kept / "doctrees") if ctx.kept is not None else (ctx.html, ctx.doctrees)


def _html_done(ctx: BuildContext) -> None:
    """After the HTML build of a kept build: its output into staging."""
    if ctx.kept is not None:
        kept_build.prune_unreferenced(ctx.kept / "html")
        kept_build.copy_into(ctx.kept, ctx.html, ctx.doctrees)


def cores() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def html_jobs() -> list[str]:
    """``-j N`` for the HTML build, N the cores: N workers read the pages of a first
    build and write the pages of a large one (:mod:`council.html.parallel_build`)."""
    count = cores()
    return ["-j", str(count)] if count > 1 else []


def build_html(ctx: BuildContext) -> None:
    """The HTML, built incrementally in the kept build when there is one (:mod:`council_publish.kept_build`)."""
    outdir, doctrees = _html_dirs(ctx)
    sphinx(ctx, "html", outdir, *html_jobs(), doctrees=doctrees)
    _html_done(ctx)


def compile_pdfs(ctx: BuildContext, doctrees: Path, output: BinaryIO | None = None,
                 abandon: Callable[[], bool] | None = None) -> None:
    """The LaTeX of every document and its PDF, in ``staging/latex`` (see :func:`build_pdf`);
    Sphinx's console output to *output* (a file) when given; stopped when *abandon*
    returns true (:func:`council_publish.pdf_jobs.compile_all`)."""
    from council_publish import pdf_jobs

    latex = ctx.staging / "latex"
    # kept across publishes beside the versions of the site (council_publish.site_versions),
    # which staging/ lives in: ".site.versions/pdf-cache", ".site.versions/latex-logs"
    cache = ctx.env.get("COUNCIL_PDF_CACHE") or ctx.staging.parent / "pdf-cache"
    # with a kept build, documents whose pages did not change are copied from the last publication
    extra = ["-D", f"council_latex_kept={ctx.kept / 'latex'}"] if ctx.kept is not None else []
    # needs.json is published from the HTML build; written again beside the LaTeX it is never
    # read (249 MB and 7.8 s at N = 1,000). Not an "env" value: the pages are not read again.
    extra += ["-D", "needs_build_json=0"]
    # each document is compiled while Sphinx writes the next
    with started(sphinx_command(ctx, "latex", latex, *extra, doctrees=doctrees), ctx.source, ctx.env,
                 stdout=output) as writer:
        results = pdf_jobs.compile_all(
            latex, ctx.env, cache=Path(cache), logs=ctx.staging.parent / "latex-logs", writer=writer,
            abandon=abandon,
        )
    (latex / "pdf-jobs.txt").write_text(
        "".join(f"{r.name}\t{r.how}\t{r.seconds:.1f}\n" for r in results),
        encoding="utf-8",
    )


def publish_pdfs(ctx: BuildContext) -> None:
    """The compiled PDFs into ``html/pdf``; with a kept build, the LaTeX kept for the next."""
    from council.latex.documents import PDF_DIR
    from council_publish import pdf_jobs

    latex = ctx.staging / "latex"
    pdfs = [tex.with_suffix(".pdf") for tex in sorted(latex.glob("*.tex"))]
    missing = [pdf.name for pdf in pdfs if not pdf.is_file()]
    if not pdfs or missing:
        raise BuildFailed(f"LaTeX produced no {', '.join(missing) or 'PDF'} in {latex}")
    target = ctx.html / PDF_DIR
    target.mkdir(parents=True, exist_ok=True)
    for pdf in pdfs:
        pdf_jobs.place(pdf, target / pdf.name)
    if ctx.kept is not None:
        kept_build.keep_latex(latex, ctx.kept)


def build_pdf(ctx: BuildContext) -> None:
    """The volumes and one PDF per case, published as ``html/pdf/<name>.pdf``.

    LaTeX jobs run in parallel, and a PDF whose LaTeX input is unchanged
    comes from a cache kept beside the site's versions (:mod:`council_publish.pdf_jobs`;
    ``COUNCIL_PDF_CACHE`` names another directory). A failed LaTeX run leaves
    its logs in ``latex-logs`` there.
    """
    compile_pdfs(ctx, ctx.doctrees)
    publish_pdfs(ctx)


def _environment_saved(read_end: int) -> bool:
    """Whether the HTML build said its environment is saved (False: it ended without)."""
    from council.latex.kept_tex import SAVED

    received = b""
    while len(received) < len(SAVED):
        chunk = os.read(read_end, len(SAVED) - len(received))
        if not chunk:
            return False
        received += chunk
    return received == SAVED


def build_html_and_pdf(ctx: BuildContext) -> None:
    """:func:`build_html` and :func:`build_pdf`, the LaTeX build started once the
    HTML build has saved its environment (see the module)."""
    from council.latex.kept_tex import ENV_SAVED_FD

    outdir, doctrees = _html_dirs(ctx)
    copy, output_path = ctx.staging / LATEX_DOCTREES, ctx.staging / LATEX_OUTPUT
    read_end, write_end = os.pipe()
    env = {**ctx.env, ENV_SAVED_FD: str(write_end)}
    latex_failure: BuildFailed | None = None
    early = False
    try:
        with started(sphinx_command(ctx, "html", outdir, *html_jobs(), doctrees=doctrees), ctx.source, env,
                     pass_fds=(write_end,)) as html:
            os.close(write_end)
            write_end = -1
            if _environment_saved(read_end):
                early = True
                shutil.copytree(doctrees, copy, ignore=_NOT_COPIED)
                with open(output_path, "wb") as output:
                    try:
                        compile_pdfs(ctx, copy, output=output,
                                     abandon=lambda: html.poll() is not None and html.returncode != 0)
                    except BuildFailed as exc:
                        latex_failure = exc  # reported once the HTML build has ended (see the module)
        if html.returncode != 0:
            raise BuildFailed(f"sphinx-build -b html failed (exit status {html.returncode})")
        if early:
            shown = output_path.read_bytes()
            if shown:
                sys.stderr.write(shown.decode("utf-8", "replace"))
                sys.stderr.flush()
            if latex_failure is not None:
                raise latex_failure
    finally:
        for fd in (read_end, write_end):
            if fd >= 0:
                os.close(fd)
        # neither is published (staging becomes the published version)
        shutil.rmtree(copy, ignore_errors=True)
        output_path.unlink(missing_ok=True)
    _html_done(ctx)
    if not early:
        compile_pdfs(ctx, ctx.doctrees)
    publish_pdfs(ctx)

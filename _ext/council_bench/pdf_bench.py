"""The PDF part of ``make bench`` (:mod:`council_bench.bench` prints it after its table).

The time and CPU time of the site's PDF step (``council_publish.cli.build_pdf``:
sphinx -b latex, each document compiled as soon as it is written, LaTeX jobs
on every core with a cache of unchanged PDFs, volumes joined from their case
PDFs) for a first build and for a re-publish after one edit; below N = 1,000,
a first build at N = 1,000 extrapolated from the CPU time per case as well
(printed as such, to compare with the measurement). The step's output
(sphinx, latexmk) goes to ``<workdir>/n<N>/pdf-build.log``; LaTeX's own logs
stay in ``<workdir>/n<N>/pdf-first/latex/*.log`` and
``pdf-after-edit/latex/*.log``. See ``docs/performance.md``.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from council_bench.bench import _children_cpu, _mb, _output_to, _with_timeout, edit_one_case
from council_publish.volumes import FRONT_SUFFIX


@dataclass
class PdfRun:
    label: str
    seconds: float
    cpu_seconds: float
    pdfs: int
    compiled: int
    size: int
    #: volumes joined from their front matter and case PDFs (council_publish.volumes)
    joined: int = 0
    #: seconds of the LaTeX jobs (one core each): the cases', the volumes' front
    #: matter's, and all of them
    case_seconds: float = 0.0
    front_seconds: float = 0.0
    job_seconds: float = 0.0


def _read_pages(ctx, previous: Path | None) -> None:
    """What council-build's HTML step leaves for the PDF step: Sphinx's environment
    of every page, in ``ctx.doctrees`` (read with the ``dummy`` builder, which
    writes nothing; after an edit, from *previous*'s environment, as Sphinx
    reads again only what changed, and records the pages it wrote for the
    LaTeX step, as the HTML step does: :mod:`council.latex.kept_tex`). Not
    part of the PDF step's time."""
    from council.latex.kept_tex import PENDING_FILE
    from council_publish.pipeline import sphinx

    if previous is not None:
        shutil.copytree(previous / ".doctrees", ctx.doctrees)
        # the previous PDF step consumed the pages recorded before it
        (ctx.doctrees / PENDING_FILE).write_text("", encoding="utf-8")
    sphinx(ctx, "dummy", ctx.staging / "dummy")


def pdf_runs(src: Path, work: Path, timeout: float) -> tuple[list[PdfRun], str | None]:
    """The PDF step twice: a first build (empty cache), then a re-publish after one edit.

    As in ``council-build``, the step starts from the environment that the HTML
    step saved (:func:`_read_pages`, not timed): Sphinx's LaTeX builder writes
    the documents without reading every page again.

    Each run stages into its own directory, kept afterwards with LaTeX's logs:
    ``<work>/pdf-first/latex/*.log`` and ``<work>/pdf-after-edit/latex/*.log``;
    the step's terminal output goes to ``<work>/pdf-build.log``. The second
    element is the reason the runs stopped early, if they did.
    """
    from council_publish import cli as publish

    cache = work / "pdf-cache"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(work / "kept", ignore_errors=True)
    (work / "kept").mkdir(parents=True)
    log = work / "pdf-build.log"
    log.unlink(missing_ok=True)
    runs: list[PdfRun] = []
    for label, name in (("first build", "pdf-first"), ("re-publish after one edit", "pdf-after-edit")):
        if runs:
            edit_one_case(src)
        staging = work / name
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        env = dict(os.environ, COUNCIL_PDF_CACHE=str(cache))
        # the LaTeX of the first run is kept for the second, as council-build keeps it
        ctx = publish.BuildContext(source=src, staging=staging, env=env, kept=work / "kept")
        try:
            with _output_to(log):
                _read_pages(ctx, work / "pdf-first" if runs else None)
        except Exception as exc:  # noqa: BLE001 - a failed step is a result here
            return runs, f"{label}: reading the pages failed ({exc})"
        start, cpu = time.perf_counter(), _children_cpu()
        try:
            with _output_to(log):
                _with_timeout(lambda: publish.build_pdf(ctx), timeout)
        except TimeoutError:
            return runs, f"{label}: over {timeout:.0f} s (stopped)"
        except Exception as exc:  # noqa: BLE001 - a failed step is a result here
            return runs, f"{label}: failed ({exc})"
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
        jobs = [line.split("\t") for line in
                (staging / "latex" / "pdf-jobs.txt").read_text(encoding="utf-8").splitlines()]
        fronts = [job for job in jobs if job[0].endswith(FRONT_SUFFIX)]
        pdfs = [staging / "latex" / f"{job[0]}.pdf" for job in jobs if job not in fronts]
        compiled = [job for job in jobs if job[1] == "compiled"]
        joined = [job for job in jobs if job[1] == "joined"]
        case_names = {p.stem for p in (src / "cases").glob("*.md")}
        runs.append(PdfRun(label, seconds, cpu, len(pdfs), len(compiled), sum(p.stat().st_size for p in pdfs),
                           len(joined),
                           case_seconds=sum(float(j[2]) for j in compiled if j[0] in case_names),
                           front_seconds=sum(float(j[2]) for j in fronts if j[1] == "compiled"),
                           job_seconds=sum(float(j[2]) for j in jobs)))
    return runs, None


def extrapolate_pdf(first: PdfRun, n: int, target: int) -> str:
    """A first PDF build at *target* cases from one measured at *n*, from CPU time.

    Every case adds one case PDF; its year's volume is joined from it, not
    typeset again, and adds only its front matter (one per fiscal year of the
    synthetic corpus). The CPU time of the step is shared out over its LaTeX
    jobs in proportion to their time; the cases' share grows with the cases,
    the front matter's with the fiscal years, the rest (the reference volume,
    Sphinx) is counted as if it grew with the cases. The jobs share the cores.
    """
    from council_bench.synthetic import fiscal_years

    cores = os.cpu_count() or 1
    share = first.cpu_seconds / first.job_seconds if first.job_seconds else 0.0
    fronts_now, fronts_then = len(fiscal_years(n)), len(fiscal_years(target))
    front_cpu = share * first.front_seconds
    per_case = (first.cpu_seconds - front_cpu) / n
    total = per_case * target + (front_cpu / fronts_now * fronts_then if fronts_now else 0.0)
    return (f"EXTRAPOLATED, not measured: a first PDF build at N={target} needs about "
            f"{total:.0f} s of CPU ({per_case:.2f} s per case and {front_cpu / max(fronts_now, 1):.1f} s "
            f"per volume's front matter, measured at N={n}; {fronts_then} volumes), "
            f"about {total / cores / 60:.0f} min on {cores} cores")


def pdf_time(src: Path, work: Path, timeout: float) -> str:
    """The PDF lines of ``make bench`` for the corpus *src* (see :func:`pdf_runs`)."""
    n = sum(1 for p in (src / "cases").glob("*.md") if p.name != "index.md")
    runs, stopped = pdf_runs(src, work, timeout)
    lines = [f"PDF ({os.cpu_count()} LaTeX jobs at a time, N={n}): " + "; ".join(
        f"{r.label}: {r.seconds:.1f} s (CPU {r.cpu_seconds:.1f} s; {r.pdfs} PDFs, {r.compiled} compiled, "
        f"{r.joined} joined, "
        f"{_mb(r.size)})" for r in runs) + (f"; {stopped}" if stopped else "")]
    if runs and n < 1000:
        lines.append(extrapolate_pdf(runs[0], n, 1000))
    lines.append(f"PDF logs: {work / 'pdf-build.log'}, {work / 'pdf-first' / 'latex'}/*.log, "
                 f"{work / 'pdf-after-edit' / 'latex'}/*.log")
    return "\n".join(lines)


def pdf_sizes(cases: list[int]) -> list[int]:
    """The N whose PDF step is measured: the smallest and the largest (100 and
    1,000 by default)."""
    return sorted({min(cases), max(cases)})


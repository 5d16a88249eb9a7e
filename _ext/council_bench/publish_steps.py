"""Time each step of a publication (``council-build``) on a synthetic corpus, first and after one edit.

``council-build`` runs its steps (:data:`council_publish.cli.STEPS`) into a new
staging directory on every publish. This measures each step's wall time and
CPU time (user + system of this process and of the children it waited for,
such as sphinx-build, latexmk and pagefind) for a first publication and for a
re-publication after one case was edited (:func:`council_bench.bench.edit_one_case`),
so that the steps whose cost grows with the number of cases can be named.
The corpus is a git repository and each edit is a commit a day after the last
(:func:`commit`), as a real publication is of a commit; before the edit, the
publication's needs are kept and committed (:func:`record_release`), as the
ward does after each publication (the case pages' history shows the changes
not yet kept with the date of the commit being published).

Usage: ``python -m council_bench.publish_steps -n 1000 [--workdir DIR] [--no-pdf] [--again]``.
``--again`` measures only one more edit and re-publication of the corpus a
previous run left in the work dir (the first publication of N = 1,000 takes
most of an hour; a change to a late step is measured in minutes this way).
``--no-pdf`` leaves out the PDF step (at N = 1,000 its first build alone takes
most of an hour on two cores); its output (sphinx, make, latexmk) always goes
to ``<workdir>/n<N>/publish.log``, not the terminal.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from council_bench.bench import _output_to, edit_one_case
from council_bench.synthetic import generate


#: 2025-04-01 00:00 JST: the date of the synthetic corpus's first commit; each edit is committed a day later.
FIRST_COMMIT = 1743433200
_GIT = ["git", "-c", "user.name=council-bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]


def commit(src: Path, message: str) -> None:
    """Commit everything in *src* (made a repository on first use), a day after its last
    commit: a publication is of a commit, and a commit changes the dates the site shows
    (each page's 更新日, the workbooks' dates), so a measurement without one would
    leave out the work a commit causes."""
    if not (src / ".git").is_dir():
        subprocess.run(["git", "init", "-q"], cwd=src, check=True)
        when = FIRST_COMMIT
    else:
        last = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=src, capture_output=True, text=True,
                              check=True).stdout.strip()
        when = int(last) + 86_400
    env = {**os.environ, "GIT_AUTHOR_DATE": f"@{when} +0900", "GIT_COMMITTER_DATE": f"@{when} +0900"}
    subprocess.run([*_GIT, "add", "-A"], cwd=src, check=True)
    subprocess.run([*_GIT, "commit", "-q", "-m", message], cwd=src, check=True, env=env)


def record_release(src: Path, site: Path) -> None:
    """Keep the needs of the publication in *site* under ``releases/`` and commit them, as
    the ward does after each publication (``council-release``; nothing when unchanged)."""
    from council.views.history import main as council_release

    with _output_to(src.parent / "publish.log"):
        council_release(["--source", str(src), "--needs", str(site / "html" / "needs.json")])
    if subprocess.run(["git", "status", "--porcelain"], cwd=src, capture_output=True, text=True,
                      check=True).stdout.strip():
        commit(src, "release kept")


@dataclass
class StepTime:
    name: str
    seconds: float
    cpu_seconds: float
    note: str = ""


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(step: Callable, record: list[StepTime], tolerate: tuple[type[BaseException], ...] = ()) -> Callable:
    """*step*, recording its wall and CPU time into *record*; a *tolerate* exception is noted, not raised."""

    def run(ctx) -> None:
        wall, cpu = time.perf_counter(), _cpu()
        note = ""
        try:
            step(ctx)
        except tolerate as exc:
            note = str(exc)
        finally:
            record.append(StepTime(step.__name__, time.perf_counter() - wall, _cpu() - cpu, note))

    run.__name__ = step.__name__
    return run


def publish(source: Path, output: Path, steps: list[Callable], log: Path) -> list[StepTime]:
    """One ``council-build`` of *source* into *output* with *steps*, each timed.

    The checks' failure is noted, not raised: a synthetic corpus has no
    pages for the links of the site's templates (accessibility, browsing),
    and no PDFs without the PDF step, so its link check fails.
    """
    from council_publish import cli
    from council_publish.pipeline import BuildFailed

    record: list[StepTime] = []
    wall, cpu = time.perf_counter(), _cpu()
    with _output_to(log):
        cli.build(source, output, [timed(step, record, (BuildFailed,) if step is cli.index_and_check_step else ())
                                   for step in steps])
    record.append(StepTime("total", time.perf_counter() - wall, _cpu() - cpu))
    return record


def measure(n: int, work: Path, with_pdf: bool) -> dict[str, tuple[StepTime, StepTime]]:
    """Step times of a first publication and of one after an edit, for N cases."""
    from council_publish import cli

    base = work / f"n{n}"
    src = base / "src"
    generate(src, n)
    commit(src, "synthetic corpus")
    output = base / "site"
    for stale in (output, base / ".site.versions"):
        if stale.is_symlink() or stale.is_file():
            stale.unlink()
        else:
            shutil.rmtree(stale, ignore_errors=True)
    steps = cli.STEPS if with_pdf else cli.without_pdf(cli.STEPS)
    log = base / "publish.log"
    first = publish(src, output, steps, log)
    record_release(src, output)
    edit_one_case(src)
    commit(src, "one case edited")
    again = publish(src, output, steps, log)
    return {a.name: (a, b) for a, b in zip(first, again)}


def measure_again(n: int, work: Path, with_pdf: bool) -> dict[str, tuple[StepTime | None, StepTime]]:
    """Step times of one more edit and re-publication of the corpus left in *work* (no first publication)."""
    from council_publish import cli

    base = work / f"n{n}"
    src = base / "src"
    if not (base / "site").exists():
        raise SystemExit(f"--again: no earlier publication in {base}; run without --again first")
    steps = cli.STEPS if with_pdf else cli.without_pdf(cli.STEPS)
    if not (src / ".git").is_dir():
        commit(src, "synthetic corpus")
    record_release(src, base / "site")
    edit_one_case(src)
    commit(src, "one case edited")
    again = publish(src, base / "site", steps, base / "publish.log")
    return {a.name: (None, a) for a in again}


def table(times: dict[str, tuple[StepTime | None, StepTime]]) -> str:
    """The step times as a Markdown table; without a first publication (``--again``), its columns are left out."""
    with_first = all(first is not None for first, _again in times.values())
    lines = ["| step | first | first CPU | after one edit | after one edit CPU |" if with_first
             else "| step | after one edit | after one edit CPU |"]
    lines.append("|---|---|---|---|---|" if with_first else "|---|---|---|")
    for name, (first, again) in times.items():
        cells = [name]
        if with_first:
            assert first is not None
            cells += [f"{first.seconds:.1f} s", f"{first.cpu_seconds:.1f} s"]
        cells += [f"{again.seconds:.1f} s", f"{again.cpu_seconds:.1f} s"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="council-publish-steps", description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--cases", type=int, default=100)
    parser.add_argument("--workdir", type=Path, default=Path("_build/bench-publish"))
    parser.add_argument("--no-pdf", action="store_true", help="leave out the PDF step")
    parser.add_argument("--again", action="store_true",
                        help="only one more edit and re-publication of the work dir's corpus")
    args = parser.parse_args(argv)
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    print(f"council publish steps: N={args.cases}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}, work dir {work}"
          f"{'' if not args.no_pdf else ', without the PDF step'}", flush=True)
    times = (measure_again if args.again else measure)(args.cases, work, not args.no_pdf)
    print(table(times))
    for name, (first, again) in times.items():
        if (first and first.note) or again.note:
            print(f"{name}: {(first and first.note) or again.note} (noted, not fatal here)")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of a step's process (sphinx-build, pagefind, LaTeX) {peak:.0f} MB; "
          f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
